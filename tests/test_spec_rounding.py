"""RD1, RD2, EX1, EX2: rounding an exact value once to the output dtype.

``convspec.spec.rounding`` is checked against independent references:

* NumPy's cast of a float64 to float32 or float16 is correctly rounded (round half
  to even, overflow to infinity), so for every float64 value ``x`` the oracle's
  rounding of the exact rational ``x`` must equal ``np.float64(x).astype(dtype)``;
* for rationals that are not float64 values, *round to odd* onto float64 keeps
  enough information (53 >= p + 2 bits) for a second, correctly rounded cast to
  float32 or float16 to give the correctly rounded result of the rational;
* ties between two neighbouring float64 values, built as exact rationals, must
  go to the neighbour whose last significand bit is even.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from convspec.spec.rounding import round_to_dtype, round_to_float
from helpers import assert_element, assert_refused

NARROW = [np.dtype(np.float16), np.dtype(np.float32)]


def _numpy_cast(x: float, dtype) -> float:
    with np.errstate(over="ignore"):
        return float(np.float64(x).astype(dtype))


def _last_bit_even(x: float) -> bool:
    return int(np.float64(abs(x)).view(np.int64)) % 2 == 0


def _round_to_odd64(q: Fraction) -> float:
    """``q`` rounded to float64 with round-to-odd (for ``|q|`` below the float64 maximum)."""
    nearest = float(q)  # int / int: correctly rounded
    if Fraction(nearest) == q:
        return nearest
    toward_zero = nearest if abs(Fraction(nearest)) < abs(q) else float(np.nextafter(nearest, 0.0))
    if not _last_bit_even(toward_zero):
        return toward_zero
    return float(np.nextafter(toward_zero, math.copysign(math.inf, q)))


def _same(actual: float, expected: float, context) -> None:
    assert_element(actual, expected, (0,), name=f"round({context})")


@pytest.mark.parametrize("dtype", NARROW, ids=str)
@given(x=st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True))
def test_RD1_rounding_a_float64_matches_numpy_cast(dtype, x):
    _same(round_to_float(Fraction(x), dtype, negative_zero=math.copysign(1, x) < 0),
          _numpy_cast(x, dtype), x)


@given(x=st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True))
def test_RD1_float64_values_round_to_themselves(x):
    _same(round_to_float(Fraction(x), np.dtype(np.float64), math.copysign(1, x) < 0), x, x)


def _threshold_values() -> list[float]:
    """Values around overflow, subnormal and tie boundaries of float16 and float32."""
    values = [65504.0, 65519.99, 65520.0, 65520.01, 65536.0, 2.0 ** -24, 2.0 ** -25,
              3 * 2.0 ** -26, 2.0 ** -26, 2.0 ** -14, 2.0 ** -14 - 2.0 ** -25, 1 + 2.0 ** -11,
              1 + 3 * 2.0 ** -11, 2048.0 + 1.0, 2048.0 + 3.0]
    f32max = float(np.finfo(np.float32).max)
    values += [f32max, f32max + 2.0 ** 103, f32max + 2.0 ** 103 - 2.0 ** 75, 2.0 ** 128,
               2.0 ** -149, 2.0 ** -150, 3 * 2.0 ** -151, 2.0 ** -150 + 2.0 ** -200,
               2.0 ** -126, 1 + 2.0 ** -24, 1 + 3 * 2.0 ** -24]
    return values + [-v for v in values]


@pytest.mark.parametrize("dtype", NARROW, ids=str)
@pytest.mark.parametrize("x", _threshold_values())
def test_RD1_threshold_values_match_numpy_cast(dtype, x):
    _same(round_to_float(Fraction(x), dtype), _numpy_cast(x, dtype), x)


@pytest.mark.parametrize("x, expected", [
    (65519.99, 65504.0), (65520.0, math.inf), (-65520.0, -math.inf), (65504.0, 65504.0),
    (2.0 ** -25, 0.0), (-(2.0 ** -25), -0.0), (3 * 2.0 ** -26, 2.0 ** -24),
    (2049.0, 2048.0), (2051.0, 2052.0),
])
def test_RD1_float16_landmarks(x, expected):
    """Hand-derived float16 cases: ties to even, overflow at 65520, underflow keeps the sign."""
    _same(round_to_float(Fraction(x), np.dtype(np.float16)), expected, x)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64], ids=str)
def test_RD1_exact_zero_takes_the_requested_sign(dtype):
    _same(round_to_float(Fraction(0), np.dtype(dtype)), 0.0, "0")
    _same(round_to_float(Fraction(0), np.dtype(dtype), negative_zero=True), -0.0, "-0")


@given(x=st.floats(min_value=2.0 ** -1074, max_value=float(np.finfo(np.float64).max) / 2,
                   allow_subnormal=True),
       sign=st.sampled_from([1, -1]), nudge=st.sampled_from([-1, 0, 1]))
def test_RD1_float64_ties_go_to_even(x, sign, nudge):
    """The midpoint of two neighbours rounds to the even one; off the midpoint, to the nearer."""
    y = float(np.nextafter(x, math.inf))
    midpoint = (Fraction(x) + Fraction(y)) / 2
    q = sign * (midpoint + nudge * Fraction(1, 2 ** 1100))
    if nudge == 0:
        expected = x if _last_bit_even(x) else y
    else:
        expected = y if nudge > 0 else x
    _same(round_to_float(q, np.dtype(np.float64)), sign * expected, q)


@st.composite
def rationals(draw):
    """Rationals that are mostly not float64 values: random, and near float32 ties."""
    kind = draw(st.sampled_from(["random", "near-tie"]), label="kind")
    if kind == "random":
        q = draw(st.fractions(max_denominator=10 ** 30), label="fraction")
        scale = draw(st.integers(-160, 130), label="binary scale")
        return q * Fraction(2) ** scale
    x = draw(st.floats(width=32, allow_nan=False, allow_infinity=False, min_value=0.0,
                       max_value=float(np.float32(3e38)), allow_subnormal=True),
               label="float32 base")
    ulp = Fraction(float(np.spacing(np.float32(x))))
    offset = draw(st.sampled_from([-1, 0, 1]), label="offset from tie") * Fraction(1, 3 * 2 ** 180)
    sign = draw(st.sampled_from([1, -1]), label="sign")
    return sign * (Fraction(x) + ulp / 2 + offset)


@pytest.mark.parametrize("dtype", NARROW, ids=str)
@given(q=rationals())
def test_RD1_rationals_match_round_to_odd_then_cast(dtype, q):
    if abs(q) >= Fraction(float(np.finfo(np.float64).max)):
        return  # beyond float64 the round-to-odd reference does not apply; numbers that big are inf
    _same(round_to_float(q, dtype, negative_zero=q < 0), _numpy_cast(_round_to_odd64(q), dtype), q)


def test_RD1_round_to_odd_reference_is_sound():
    """The reference itself: a float64 tie made inexact by a tiny excess must not round down."""
    base = 1 + 2.0 ** -24  # float32 tie between 1 and 1 + 2**-23
    above = Fraction(base) + Fraction(1, 2 ** 300)
    assert _numpy_cast(float(above), np.float32) == 1.0  # naive double rounding goes wrong
    assert _numpy_cast(_round_to_odd64(above), np.float32) == 1 + 2.0 ** -23


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_RD2_complex_parts_rounded_separately(dtype):
    from convspec.spec.exact import ExactComplex
    part = np.float32 if dtype == "complex64" else np.float64
    re = Fraction(1) + Fraction(1, 2 ** 60)
    im = -Fraction(1, 3)
    value = round_to_dtype(ExactComplex(re, im), np.dtype(dtype))
    if part is np.float64:
        expected = complex(float(re), float(im))  # Fraction -> float is correctly rounded
    else:
        expected = complex(_numpy_cast(_round_to_odd64(re), part), _numpy_cast(_round_to_odd64(im), part))
    assert value == expected, value
    zero = round_to_dtype(ExactComplex(Fraction(0), Fraction(0)), np.dtype(dtype), negative_zero=True)
    assert math.copysign(1, zero.real) > 0 and math.copysign(1, zero.imag) > 0  # exact zero part is +0


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                                   "uint64"])
def test_EX1_integers_in_range_are_kept(dtype):
    info = np.iinfo(dtype)
    for value in (info.min, info.max, 0, info.max // 3):
        out = round_to_dtype(int(value), np.dtype(dtype))
        assert out == value and type(out) is int


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                                   "uint64"])
def test_EX2_integers_out_of_range_raise_overflow(dtype):
    info = np.iinfo(dtype)
    for value in (int(info.max) + 1, int(info.min) - 1, 10 ** 30):
        assert_refused(lambda: round_to_dtype(value, np.dtype(dtype)), OverflowError, "EX2",
                       str(value), str(np.dtype(dtype)))
