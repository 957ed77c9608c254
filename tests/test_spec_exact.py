"""EX1, EX2, EQ2 and RD1: the oracle computes Eq 2 exactly.

Exactness is checked against computations that share no code with the oracle:

* integer outputs: nested Python loops over ``tolist()`` values (Python ints never
  overflow), compared with the output, or with an ``OverflowError [EX2]`` when the
  true value does not fit the output dtype;
* floating inputs: every finite float is ``mantissa * 2**exponent`` with an integer
  mantissa (``math.frexp``), so scaling all values of an array by one common power
  of two makes them integers; Eq 2 over those integers, divided by the product of
  the two scales, is the exact rational value the oracle must hold before rounding;
* float64 outputs: Python's ``int / int`` true division rounds correctly, so the
  exact numerator over denominator gives the correctly rounded float64 directly.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from convspec.spec import conv2d, exact_values
from convspec.spec.exact import ExactComplex
from helpers import assert_element, assert_refused
from strategies import FLOAT_DTYPES, INTEGER_DTYPES, arrays, finite_elements, geometries, problems


def _python_correlation(M: list, K: list, stride) -> list[list]:
    """Eq 2 as nested loops over plain Python numbers."""
    (sx, sy), mk, nk = stride, len(K), len(K[0])
    rows = [i for i in range(0, len(M) - mk + 1, sx)]
    cols = [j for j in range(0, len(M[0]) - nk + 1, sy)]
    return [[sum(M[i + a][j + b] * K[a][b] for a in range(mk) for b in range(nk)) for j in cols]
            for i in rows]


def _scaled(values: np.ndarray) -> tuple[list[list[int]], int]:
    """Integers ``N`` and an exponent ``e`` with ``values == N * 2**e`` exactly."""
    if values.dtype.kind in "iu":
        return values.tolist(), 0
    pairs = [[math.frexp(v) for v in row] for row in values.astype(np.float64).tolist()]
    # frexp: v = f * 2**x with 0.5 <= |f| < 1, and f * 2**53 is an integer.
    exponent = min(x - 53 for row in pairs for _, x in row)
    ints = [[int(f * 2 ** 53) * 2 ** (x - 53 - exponent) for f, x in row] for row in pairs]
    return ints, exponent


def integer_problem():
    return problems(INTEGER_DTYPES, max_side=6, max_kernel=3, max_stride=3)


@given(problem=integer_problem())
def test_EX1_integer_outputs_equal_python_int_arithmetic(problem):
    M, K, stride = problem.M, problem.K, problem.stride
    out_dtype = np.result_type(M.dtype, K.dtype)
    expected = _python_correlation(M.tolist(), K.tolist(), stride)
    flat = [v for row in expected for v in row]
    if out_dtype.kind == "f":  # e.g. int64 with uint64: float64 output, rounded once
        out = conv2d(M, K, stride=stride)
        for idx in np.ndindex(out.shape):
            value = float(expected[idx[0]][idx[1]])
            # the sign of an exact zero is RD1's zero rule, tested in test_spec_special
            assert_element(abs(out[idx]) if value == 0 else out[idx], value, idx)
        return
    info = np.iinfo(out_dtype)
    if all(info.min <= v <= info.max for v in flat):
        out = conv2d(M, K, stride=stride)
        assert out.dtype == out_dtype
        assert out.tolist() == expected
    else:
        first = next(v for v in flat if not info.min <= v <= info.max)  # C order, like the oracle
        assert_refused(lambda: conv2d(M, K, stride=stride), OverflowError, "EX2", str(out_dtype),
                       f"exact result {first} ")


@given(problem=integer_problem())
def test_EX1_exact_values_are_python_ints(problem):
    M, K, stride = problem.M, problem.K, problem.stride
    if np.result_type(M.dtype, K.dtype).kind == "f":
        return
    exact = exact_values(M, K, stride=stride)
    assert exact.tolist() == _python_correlation(M.tolist(), K.tolist(), stride)
    assert all(type(v) is int for v in exact.flat)


def float_problem(dtypes=FLOAT_DTYPES):
    return problems(dtypes, dtypes + INTEGER_DTYPES, max_side=6, max_kernel=3, max_stride=3)


@given(problem=float_problem())
def test_RD1_exact_values_equal_scaled_integer_sums(problem):
    M, K, stride = problem.M, problem.K, problem.stride
    M_int, e_m = _scaled(M)
    K_int, e_k = _scaled(K)
    sums = _python_correlation(M_int, K_int, stride)
    scale = Fraction(2) ** (e_m + e_k)
    exact = exact_values(M, K, stride=stride)
    assert exact.shape == (len(sums), len(sums[0]))
    for (i, j), value in np.ndenumerate(exact):
        assert Fraction(value) == sums[i][j] * scale, (i, j)


@given(problem=float_problem(dtypes=(np.dtype(np.float64),)))
def test_RD1_float64_outputs_are_correctly_rounded(problem):
    """``int / int`` in Python is correctly rounded; the oracle must agree bit for bit."""
    M, K, stride = problem.M, problem.K, problem.stride
    M_int, e_m = _scaled(M)
    K_int, e_k = _scaled(K)
    sums = _python_correlation(M_int, K_int, stride)
    out = conv2d(M, K, stride=stride)
    assert out.dtype == np.float64
    e = e_m + e_k
    for (i, j), actual in np.ndenumerate(out):
        num, den = (sums[i][j] * 2 ** e, 1) if e >= 0 else (sums[i][j], 2 ** -e)
        try:
            expected = num / den
        except OverflowError:
            expected = math.inf if num > 0 else -math.inf
        if expected == 0:
            # a nonzero value that underflows keeps its sign; exact zeros: see test_spec_special
            expected = actual if num == 0 else (0.0 if num > 0 else -0.0)
        assert_element(actual, expected, (i, j))


@given(data=st.data())
def test_RD2_complex_exact_values_are_exact(data):
    geometry = data.draw(geometries(max_side=5, max_kernel=3, max_stride=2), label="geometry")
    m_dtype = data.draw(st.sampled_from([np.complex64, np.complex128, np.float32]), label="M dtype")
    M = data.draw(arrays(m_dtype, geometry.m_shape, finite_elements(m_dtype, magnitude=1e6)),
                  label="M")
    K = data.draw(arrays(np.complex128, geometry.k_shape,
                         finite_elements(np.complex128, magnitude=1e6)), label="K")
    exact = exact_values(M, K, stride=geometry.stride)
    out = conv2d(M, K, stride=geometry.stride)
    Mz = [[(Fraction(complex(v).real), Fraction(complex(v).imag)) for v in row] for row in M.tolist()]
    Kz = [[(Fraction(v.real), Fraction(v.imag)) for v in row] for row in K.tolist()]
    (sx, sy), (mk, nk) = geometry.stride, geometry.k_shape
    for (i, j), value in np.ndenumerate(exact):
        re = im = Fraction(0)
        for a in range(mk):
            for b in range(nk):
                (xr, xi), (kr, ki) = Mz[i * sx + a][j * sy + b], Kz[a][b]
                re += xr * kr - xi * ki
                im += xr * ki + xi * kr
        assert isinstance(value, ExactComplex) and (value.re, value.im) == (re, im), (i, j)
        # RD2: each part rounded once (Fraction -> float rounds correctly; an exact 0 gives +0).
        assert_element(out[i, j], complex(float(re), float(im)), (i, j))
