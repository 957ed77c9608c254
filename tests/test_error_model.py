"""Meta-tests of the error model (AC1-AC5): its constants, its bounds and its verdicts.

A bound is only useful if it is *sound* (every correct algorithm passes) and
*sharp enough* (a computation done in too little precision fails).  Soundness is
tested with several float32 summation orders and with SciPy's FFT convolution;
sharpness with inputs built so that a lower-precision computation is wrong by far
more than the bound allows at every output:

    x = m * 2**-p + d,   m in [2**(p-1), 2**p),   d in [2**-p / 4, 2**-p * 3/8)

lies in [1/2, 1), so rounding ``x`` to ``p`` significant bits drops exactly ``d``
(less than half a unit of 2**-p).  With positive small-integer kernels the
products and sums of the rounded values are exact in the carrier precision, so
the computed output misses the exact one by ``sum d*k >= 2**-(p+2) * S``, while
the bound is about ``n * u * S`` with ``u`` of the output dtype.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from convspec.spec import conv2d, exact_values
from convspec.conformance import comparison as cmp
from convspec.spec import error_model as em
from convspec.spec.exact import ExactComplex
from strategies import geometries

F16, F32, F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
C64, C128 = np.dtype(np.complex64), np.dtype(np.complex128)


# --- constants --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype, bits", [(F16, 11), (F32, 24), (F64, 53), (C64, 24), (C128, 53)],
                         ids=str)
def test_AC1_unit_roundoff_per_dtype(dtype, bits):
    u = em.unit_roundoff(dtype)
    assert u == Fraction(1, 2 ** bits)
    assert u == Fraction(float(np.finfo(em.real_dtype(dtype)).eps)) / 2


@pytest.mark.parametrize("dtype", [F16, F32, F64, C64, C128], ids=str)
def test_AC3_tiny_numbers_per_dtype(dtype):
    info = np.finfo(em.real_dtype(dtype))
    assert em.smallest_subnormal(dtype) == Fraction(float(info.smallest_subnormal))
    assert em.smallest_normal(dtype) == Fraction(float(info.smallest_normal))


@pytest.mark.parametrize("k", [0, 1, 2, 3, 10, 1000])
@pytest.mark.parametrize("bits", [11, 24, 53])
def test_AC1_gamma_dominates_k_roundings(k, bits):
    """Higham's lemma 3.1: a product of k factors (1 + d)^(+-1), |d| <= u, is 1 + theta with
    |theta| <= gamma_k; the extreme factors are (1 + u)^k and (1 - u)^-k."""
    u = Fraction(1, 2 ** bits)
    g = em.gamma(k, u)
    assert g == (k * u / (1 - k * u))
    assert (1 + u) ** k - 1 <= g
    assert 1 / (1 - u) ** k - 1 <= g
    assert 1 - (1 - u) ** k <= g
    assert k == 0 or g >= k * u


def test_AC1_gamma_is_unbounded_past_one():
    u = Fraction(1, 2 ** 11)
    assert em.gamma(2 ** 11, u) > 10 ** 300 and em.gamma(2 ** 12, u) > 10 ** 300
    assert em.gamma(2 ** 11 - 1, u) == (2 ** 11 - 1) * u / (1 - (2 ** 11 - 1) * u)


@pytest.mark.parametrize("m, k, out, count", [
    ("int8", "float16", "float16", 0), ("uint8", "float16", "float16", 0),
    ("int16", "float16", "float32", 0), ("int32", "float32", "float64", 0),
    ("int64", "float64", "float64", 1), ("uint64", "float32", "float64", 1),
    ("int64", "uint64", "float64", 2), ("int64", "complex64", "complex128", 1),
    ("float32", "float32", "float32", 0),
])
def test_AC1_inexact_conversions(m, k, out, count):
    assert np.result_type(m, k) == np.dtype(out)
    assert em.inexact_conversions(m, k, out) == count


@pytest.mark.parametrize("out", [F16, F32, F64, C64, C128], ids=str)
def test_AC1_componentwise_coefficients(out):
    model = em.Componentwise.for_problem((3, 4), out, out, out)
    u = em.unit_roundoff(out)
    n = 12
    if out.kind == "c":
        assert Fraction(model.relative) >= Fraction(math.sqrt(2)) * em.gamma(n + 2, u)
        assert Fraction(model.absolute) >= 2 * n * em.smallest_subnormal(out)
    else:
        assert Fraction(model.relative) >= em.gamma(n, u)
        assert Fraction(model.relative) <= em.gamma(n, u) * (1 + Fraction(1, 2 ** 40))
        assert Fraction(model.absolute) >= n * em.smallest_subnormal(out)
    flushing = em.Componentwise.for_problem((3, 4), out, out, out, flushes_subnormals=True)
    assert Fraction(flushing.absolute) >= n * 2 * em.smallest_normal(out)
    assert model.overflow == float(np.finfo(em.real_dtype(out)).max)


def test_AC2_normwise_beta_grows_with_size_and_precision_loss():
    small = em.normwise_beta((8, 8), (3, 3), F64)
    large = em.normwise_beta((64, 64), (3, 3), F64)
    assert 0 < small < large < 1e-10
    assert em.normwise_beta((8, 8), (3, 3), F32) > small * 2 ** 28
    assert em.normwise_beta((8, 8), (3, 3), F32) >= float(em.unit_roundoff(F32)) * 3


# --- helpers of the meta-tests --------------------------------------------------------------------

def _patches(M: np.ndarray, k_shape, stride) -> np.ndarray:
    """Windows as an array of shape (rows, cols, m', n') (Eq 2's M[i*sx + a, j*sy + b])."""
    view = np.lib.stride_tricks.sliding_window_view(M, k_shape)
    return view[::stride[0], ::stride[1]]


def _forward(M, K, stride, dtype):
    """Shift-and-add: products rounded to ``dtype`` and added in (a, b) order, no FMA."""
    P = _patches(M.astype(dtype), K.shape, stride)
    acc = np.zeros(P.shape[:2], dtype=dtype)
    for a in range(K.shape[0]):
        for b in range(K.shape[1]):
            acc = acc + P[:, :, a, b] * dtype.type(K[a, b])
    return acc


def _backward(M, K, stride, dtype):
    P = _patches(M.astype(dtype), K.shape, stride)
    acc = np.zeros(P.shape[:2], dtype=dtype)
    for a in reversed(range(K.shape[0])):
        for b in reversed(range(K.shape[1])):
            acc = acc + P[:, :, a, b] * dtype.type(K[a, b])
    return acc


def _pairwise_sum(terms: np.ndarray) -> np.ndarray:
    """Sum along the last axis by recursive halving, in the dtype of ``terms``."""
    if terms.shape[-1] == 1:
        return terms[..., 0]
    half = terms.shape[-1] // 2
    return _pairwise_sum(terms[..., :half]) + _pairwise_sum(terms[..., half:])


def _pairwise(M, K, stride, dtype):
    P = _patches(M.astype(dtype), K.shape, stride)
    products = (P * K.astype(dtype)).reshape(P.shape[0], P.shape[1], -1)
    return _pairwise_sum(products)


def _einsum(M, K, stride, dtype):
    return np.einsum("ijab,ab->ij", _patches(M.astype(dtype), K.shape, stride), K.astype(dtype))


def _gemm(M, K, stride, dtype):
    """im2col followed by a matrix-vector product (BLAS may use FMA and any order)."""
    P = _patches(M.astype(dtype), K.shape, stride)
    flat = np.ascontiguousarray(P.reshape(-1, K.size))
    return (flat @ K.astype(dtype).ravel()).reshape(P.shape[:2])


ORDERS = {"forward": _forward, "backward": _backward, "pairwise": _pairwise,
          "einsum": _einsum, "gemm": _gemm}


def _judge(actual, M, K, stride, out_dtype, flushes=False):
    exact = exact_values(M, K, stride=stride)
    expected = em.expected_wide(exact)
    bound, unconstrained = em.componentwise_bound(M, K, stride, out_dtype, flushes)
    return cmp.compare_componentwise(actual, expected, bound, unconstrained, out_dtype,
                                    residual=em.exact_residual(exact, expected))


# --- soundness: correct algorithms pass ----------------------------------------------------------

@st.composite
def accuracy_problem(draw, dtype, magnitude):
    geometry = draw(geometries(max_side=9, max_kernel=5, max_stride=2), label="geometry")
    limit = float(dtype.type(magnitude))
    values = st.floats(-limit, limit, width=dtype.itemsize * 8, allow_subnormal=True)
    M = draw(hnp.arrays(dtype, geometry.m_shape, elements=values), label="M")
    K = draw(hnp.arrays(dtype, geometry.k_shape, elements=values), label="K")
    return M, K, geometry.stride


@settings(max_examples=30)
@given(problem=accuracy_problem(F32, 1e15))
def test_AC1_accepts_float32_sums_in_any_order(problem):
    M, K, stride = problem
    expected = em.expected_wide(exact_values(M, K, stride=stride))
    bound, unconstrained = em.componentwise_bound(M, K, stride, F32)
    assert not unconstrained.any()
    for name, method in ORDERS.items():
        actual = method(M, K, stride, F32)
        result = cmp.compare_componentwise(actual, expected, bound, unconstrained, F32)
        assert result.ok, (name, result)


@settings(max_examples=30)
@given(problem=accuracy_problem(F16, 8.0))
def test_AC1_accepts_float16_arithmetic(problem):
    """NumPy's float16 operations are correctly rounded per operation."""
    M, K, stride = problem
    for name in ("forward", "backward", "pairwise"):
        result = _judge(ORDERS[name](M, K, stride, F16), M, K, stride, F16)
        assert result.ok, (name, result)


@settings(max_examples=20)
@given(data=st.data())
def test_AC1_accepts_complex64_arithmetic(data):
    geometry = data.draw(geometries(max_side=7, max_kernel=4, max_stride=2), label="geometry")
    part = st.floats(-1e6, 1e6, width=32)
    values = st.builds(complex, part, part)
    M = data.draw(hnp.arrays(C64, geometry.m_shape, elements=values), label="M")
    K = data.draw(hnp.arrays(C64, geometry.k_shape, elements=values), label="K")
    for name in ("forward", "einsum", "gemm"):
        result = _judge(ORDERS[name](M, K, geometry.stride, C64), M, K, geometry.stride, C64)
        assert result.ok, (name, result)


def test_AC1_accepts_wide_integers_converted_to_float64():
    """int64 values beyond 2**53 are rounded on conversion; the c term of AC1 covers it."""
    rng = np.random.default_rng(7)
    M = rng.integers(-2 ** 62, 2 ** 62, size=(6, 6), dtype=np.int64)
    K = rng.standard_normal((3, 3))
    result = _judge(_forward(M, K, (1, 1), F64), M, K, (1, 1), F64)
    assert result.ok, result


def test_AC1_oracle_output_passes_with_room():
    rng = np.random.default_rng(3)
    M = rng.standard_normal((8, 8)).astype(np.float32)
    K = rng.standard_normal((3, 3)).astype(np.float32)
    result = _judge(conv2d(M, K), M, K, (1, 1), F32)
    assert result.ok and result.violations == 0 and result.compared == 36
    assert result.worst_ratio <= 1 / 9 * 1.01  # half an ulp of |C| <= u * S = gamma_9 * S / ~9


# --- sharpness: too little precision is caught ---------------------------------------------------

def _losing_inputs(rng, shape, p: int, dtype) -> np.ndarray:
    """Values in [1/2, 1) that lose ``d >= 2**-(p+2)`` when rounded to ``p`` bits (module doc)."""
    m = rng.integers(2 ** (p - 1), 2 ** p, size=shape)
    r = rng.integers(0, 2 ** 10, size=shape)  # d = (1/4 + r / 2**13) * 2**-p
    values = [Fraction(int(a), 2 ** p) + (Fraction(1, 4) + Fraction(int(b), 2 ** 13)) / 2 ** p
              for a, b in zip(m.ravel(), r.ravel())]
    out = np.array([float(v) for v in values], dtype=dtype).reshape(shape)
    assert all(Fraction(float(x)) == v for x, v in zip(out.ravel(), values))  # held exactly
    return out


def _round_bits(x: np.ndarray, p: int) -> np.ndarray:
    """Round to ``p`` significant bits, ties to even (emulates bfloat16-like formats)."""
    mantissa, exponent = np.frexp(x.astype(np.float64))
    return np.ldexp(np.rint(np.ldexp(mantissa, p)), exponent - p).astype(x.dtype)


LOW_PRECISION = {
    "float16-inputs": (11, F32, lambda M: M.astype(np.float16).astype(np.float32)),
    "bfloat16-like-inputs": (8, F32, lambda M: _round_bits(M, 8)),
    "float32-inside-float64": (24, F64, lambda M: M.astype(np.float32)),
}


@pytest.mark.parametrize("case", list(LOW_PRECISION))
@pytest.mark.parametrize("seed", range(4))
def test_AC1_rejects_lower_precision_at_every_output(case, seed):
    p, out, degrade = LOW_PRECISION[case]
    rng = np.random.default_rng(seed)
    rows, cols = rng.integers(4, 10, size=2)
    mk, nk = rng.integers(1, 5, size=2)
    stride = tuple(int(s) for s in rng.integers(1, 3, size=2))
    M = _losing_inputs(rng, (rows, cols), p, out)
    K = rng.integers(1, 8, size=(mk, nk)).astype(out)
    low = _forward(degrade(M), K, stride, F32).astype(out)  # float32 carrier: exact here
    result = _judge(low, M, K, stride, out)
    assert not result.ok
    assert result.violations == result.compared == low.size, result
    assert result.worst_ratio > 10, result
    # the same inputs computed in full precision pass: the construction itself is fair
    assert _judge(_forward(M, K, stride, out), M, K, stride, out).ok


# --- reporting ------------------------------------------------------------------------------------

def _exact_problem():
    """float32 inputs whose outputs are small integers, so every output is exact in float32."""
    rng = np.random.default_rng(11)
    M = rng.integers(-8, 9, size=(7, 8)).astype(np.float32)
    K = rng.integers(-3, 4, size=(2, 3)).astype(np.float32)
    M[M == 0] = 1  # keep outputs away from zero so ulps are ordinary
    return M, K


def test_AC1_report_names_worst_index_and_counts():
    M, K = _exact_problem()
    exact = conv2d(M, K)
    actual = exact.copy()
    actual[3, 2] += np.float32(1000) * np.spacing(np.abs(actual[3, 2]))
    result = _judge(actual, M, K, (1, 1), F32)
    assert not result.ok
    assert result.worst_index == (3, 2) and result.violations == 1
    assert result.compared == exact.size and result.unconstrained == 0
    assert result.worst_ratio > 1


def test_AC1_ulp_histogram_counts_by_size():
    M, K = _exact_problem()
    exact = conv2d(M, K)
    actual = exact.copy()
    plan = {(0, 0): 1, (0, 1): -1, (1, 1): 1, (2, 2): 3, (4, 3): -5}
    for idx, ulps in plan.items():
        for _ in range(abs(ulps)):
            actual[idx] = np.nextafter(actual[idx], np.float32(math.copysign(np.inf, ulps)))
    expected = em.expected_wide(exact_values(M, K))
    histogram = cmp.ulp_histogram(actual, expected, F32)
    assert histogram == {"0": exact.size - 5, "<=1": 3, "<=2^2": 1, "<=2^3": 1}, histogram


def test_AC5_zero_of_either_sign_matches_exact_zero():
    M = np.array([[1.0, -1.0]], dtype=np.float32)
    K = np.array([[1.0, 1.0]], dtype=np.float32)
    for zero in (0.0, -0.0):
        actual = np.array([[zero]], dtype=np.float32)
        result = _judge(actual, M, K, (1, 1), F32)
        assert result.ok and result.worst_ratio == 0.0


# --- AC3 underflow and AC4 overflow -----------------------------------------------------------------

def test_AC3_product_underflow_is_covered():
    M = np.array([[1e-30, 2e-30]], dtype=np.float32)
    K = np.array([[1e-20]], dtype=np.float32)
    actual = (M * K).astype(np.float32)  # both products underflow to 0 in float32
    assert (actual == 0).all()
    assert _judge(actual, M, K, (1, 1), F32).ok


def test_AC3_flushing_a_subnormal_output_needs_the_claim():
    M = np.array([[2.0 ** -70]], dtype=np.float32)
    K = np.array([[2.0 ** -70]], dtype=np.float32)  # exact 2**-140: a float32 subnormal
    flushed = np.zeros((1, 1), dtype=np.float32)
    assert not _judge(flushed, M, K, (1, 1), F32).ok
    assert _judge(flushed, M, K, (1, 1), F32, flushes=True).ok


def test_AC4_outputs_whose_sum_overflows_are_unconstrained():
    M = np.array([[60000, 60000, 1000, 2]], dtype=np.float16)
    K = np.array([[1, 1]], dtype=np.float16)  # S = 120000, 61000, 1002
    bound, unconstrained = em.componentwise_bound(M, K, (1, 1), F16)
    assert unconstrained.tolist() == [[True, False, False]]
    exact = em.expected_wide(exact_values(M, K))
    anything = np.array([[np.nan, 61000, 1002]], dtype=np.float16)
    result = cmp.compare_componentwise(anything, exact, bound, unconstrained, F16)
    assert result.ok and result.unconstrained == 1 and result.compared == 2
    wrong = np.array([[np.inf, 60000, 1002]], dtype=np.float16)
    result = cmp.compare_componentwise(wrong, exact, bound, unconstrained, F16)
    assert not result.ok and result.worst_index == (0, 1)


def test_AC4_non_finite_windows_are_left_to_the_nf_clauses():
    M = np.array([[1.0, np.inf, 1.0, 1.0]], dtype=np.float32)
    K = np.ones((1, 2), dtype=np.float32)
    bound, unconstrained = em.componentwise_bound(M, K, (1, 1), F32)
    assert unconstrained.tolist() == [[True, True, False]]
    assert np.isfinite(bound).all()


# --- building blocks ----------------------------------------------------------------------------------

@given(data=st.data())
def test_AC1_window_abs_sums_bound_the_exact_sums(data):
    geometry = data.draw(geometries(max_side=8, max_kernel=4, max_stride=3), label="geometry")
    values = st.floats(-1e30, 1e30, allow_subnormal=True)
    M = data.draw(hnp.arrays(F64, geometry.m_shape, elements=values), label="M")
    K = data.draw(hnp.arrays(F64, geometry.k_shape, elements=values), label="K")
    S = em.window_abs_sums(M, K, geometry.stride)
    exact = exact_values(np.abs(M), np.abs(K), stride=geometry.stride)
    for idx, value in np.ndenumerate(exact):
        assert Fraction(float(S[idx])) >= value, idx
        assert float(S[idx]) <= float(value) * (1 + 1e-12) + 1e-300, idx


@given(data=st.data())
def test_NF2_nonfinite_windows_match_brute_force(data):
    geometry = data.draw(geometries(max_side=8, max_kernel=4, max_stride=3), label="geometry")
    values = st.sampled_from([0.0, 1.0, np.nan, np.inf, -np.inf, 2.0, 3.0])
    M = data.draw(hnp.arrays(F64, geometry.m_shape, elements=values), label="M")
    K = data.draw(hnp.arrays(F64, geometry.k_shape, elements=values), label="K")
    mask = em.nonfinite_windows(M, K, geometry.stride)
    (sx, sy), (mk, nk) = geometry.stride, geometry.k_shape
    for (i, j), flagged in np.ndenumerate(mask):
        window = M[i * sx:i * sx + mk, j * sy:j * sy + nk]
        assert flagged == (not np.isfinite(window).all() or not np.isfinite(K).all()), (i, j)


def test_AC1_expected_wide_rounds_each_kind_once():
    exact = np.empty((1, 5), dtype=object)
    third = Fraction(1, 3)
    exact[0, :] = [third, 2 ** 80 + 1, math.nan, -math.inf, Fraction(-7, 2 ** 1100)]
    out = em.expected_wide(exact)
    assert out.dtype == F64
    assert out[0, 0] == 1 / 3 and out[0, 1] == float(2 ** 80) and math.isnan(out[0, 2])
    assert out[0, 3] == -math.inf and out[0, 4] == 0.0 and math.copysign(1, out[0, 4]) < 0
    mixed = np.empty((1, 2), dtype=object)
    mixed[0, :] = [ExactComplex(third, -third), complex(math.nan, math.nan)]
    out = em.expected_wide(mixed)
    assert out.dtype == C128 and out[0, 0] == complex(1 / 3, -1 / 3) and np.isnan(out[0, 1])


# --- normwise class (FFT) ---------------------------------------------------------------------------

def _fft_correlate(M, K, stride):
    """Cross-correlation through SciPy's FFT convolution with the flipped kernel."""
    full = scipy.signal.fftconvolve(M, K[::-1, ::-1], mode="valid")
    return full[::stride[0], ::stride[1]]


FFT_CASES = [((12, 12), (3, 3), (1, 1)), ((16, 11), (5, 4), (2, 3)), ((9, 20), (9, 2), (1, 2)),
             ((20, 20), (4, 4), (1, 1))]


@pytest.mark.parametrize("dtype", [F32, F64], ids=str)
@pytest.mark.parametrize("m_shape, k_shape, stride", FFT_CASES)
def test_AC2_accepts_scipy_fftconvolve(dtype, m_shape, k_shape, stride):
    rng = np.random.default_rng(sum(m_shape) * 7 + sum(k_shape))
    M = (rng.standard_normal(m_shape) * 10.0 ** rng.integers(-3, 4, size=m_shape)).astype(dtype)
    K = rng.standard_normal(k_shape).astype(dtype)
    actual = _fft_correlate(M, K, stride)
    assert actual.dtype == dtype
    expected = em.expected_wide(exact_values(M, K, stride=stride))
    result = cmp.compare_normwise(actual, expected, M, K, stride, dtype)
    assert result.ok and result.compared == actual.size, result
    # the componentwise class is stricter: the FFT result is judged normwise only
    assert cmp.compare_normwise(conv2d(M, K, stride=stride), expected, M, K, stride, dtype).ok


@pytest.mark.parametrize("m_shape, k_shape, stride", FFT_CASES)
def test_AC2_rejects_float64_output_computed_in_float32_fft(m_shape, k_shape, stride):
    rng = np.random.default_rng(sum(m_shape) + 3 * sum(k_shape))
    M = rng.standard_normal(m_shape)
    K = rng.standard_normal(k_shape)
    low = _fft_correlate(M.astype(np.float32), K.astype(np.float32), stride).astype(np.float64)
    expected = em.expected_wide(exact_values(M, K, stride=stride))
    result = cmp.compare_normwise(low, expected, M, K, stride, F64)
    assert not result.ok and result.worst_ratio > 1000, result
    assert cmp.compare_normwise(_fft_correlate(M, K, stride), expected, M, K, stride, F64).ok


def test_AC2_non_finite_windows_are_skipped():
    M = np.ones((6, 6))
    M[0, 0] = np.nan
    K = np.ones((2, 2))
    expected = em.expected_wide(exact_values(M, K))
    actual = conv2d(M, K)
    actual[0, 0] = 12345.0  # judged by NF1, not by the accuracy bound
    result = cmp.compare_normwise(actual, expected, M, K, (1, 1), F64)
    assert result.ok and result.compared == actual.size - 1


def test_AC4_normwise_check_gives_up_when_the_norms_overflow():
    M = np.full((4, 4), 60000, dtype=np.float16)
    K = np.ones((2, 2), dtype=np.float16)
    expected = em.expected_wide(exact_values(M, K))
    garbage = np.full((3, 3), np.nan, dtype=np.float16)
    result = cmp.compare_normwise(garbage, expected, M, K, (1, 1), F16)
    assert result.ok and result.unconstrained == 9 and result.compared == 0


def test_AC1_accepts_a_float64_forward_sum_within_gamma_n():
    """Soundness where the output dtype is float64 itself.

    fl(fl(5 * x) + fl(5 * 1)) for x = 2707214605205161 misses the exact value by 2,
    which is within gamma_2 * S (checked exactly below), so AC1 must accept it.
    """
    M = np.array([[1.0, 2707214605205161.0]])
    K = np.array([[5.0, 5.0]])
    actual = _forward(M, K, (1, 1), F64)
    exact = exact_values(M, K)[0, 0]
    S = Fraction(5) + 5 * Fraction(2707214605205161)
    error = abs(Fraction(float(actual[0, 0])) - exact)
    assert error == 2 and error <= em.gamma(2, em.unit_roundoff(F64)) * S  # a correct result
    result = _judge(actual, M, K, (1, 1), F64)
    assert result.ok, result


def test_AC2_bound_does_not_underflow_for_a_subnormal_operand():
    """beta * ||M|| * ||K|| must not round to zero when ||M|| is subnormal and ||K|| large."""
    M = np.array([[complex(0.0, 3.2470874273e-313)]])
    K = np.array([[4169308741]], dtype=np.uint32)
    exact = exact_values(M, K)
    correct = M * K.astype(np.complex128)
    result = cmp.compare_normwise(correct, em.expected_wide(exact), M, K, (1, 1), np.dtype(np.complex128))
    assert result.ok and result.worst_ratio < 1e-2, result


def test_exact_residual_accepts_numpy_integers():
    """Exact integer sums held as numpy int64 give the same remainder as Python ints."""
    ints = np.array([[2**53 + 1, -(2**60) - 3]], dtype=np.int64)
    wide = ints.astype(np.float64)
    as_python = np.array([[int(v) for v in ints[0]]], dtype=object)
    residual = em.exact_residual(ints, wide)
    assert residual.tolist() == em.exact_residual(as_python, wide).tolist() == [[1.0, -3.0]]


def test_AC1_double_double_path_accepts_a_float64_forward_sum_within_gamma_n():
    """The harness's wide sum for large problems must not spend the backend's allowance.

    The window below, summed in float64 in (a, b) order, misses Eq 2 by about
    2.7 u S: within gamma_4 S, so correct.  The problem is too large for the
    exact oracle, so the harness compares with its double-double sum; that sum's
    own rounding to float64 (up to u |c|) must travel as a remainder, not be
    charged to the backend (charged, it left only about 3 u S and failed this
    sum, a false fail found on scipy.ndimage).
    """
    from convspec.conformance.oracle import EXACT_BUDGET, expected
    window = np.array([[-0.0954856634763844, 149.575939424058],
                       [-0.09570918456375238, 0.9271259908129172]])
    K = np.array([[-0.007265046016508318, 31.559949237491253],
                  [3.306257308605873, 87.34855780604943]])
    M = np.zeros((40, 40))
    M[10:12, 20:22] = window
    assert (M.shape[0] - 1) * (M.shape[1] - 1) * K.size > EXACT_BUDGET  # the double-double path
    actual = _forward(M, K, (1, 1), F64)
    exact = exact_values(window, K)[0, 0]
    S = sum(abs(Fraction(float(w)) * Fraction(float(k))) for w, k in zip(window.flat, K.flat))
    error = abs(Fraction(float(actual[10, 20])) - exact)
    u = em.unit_roundoff(F64)
    assert 2 * u * S < error <= em.gamma(4, u) * S  # a correct result, beyond the old allowance
    exp = expected(M, K, (1, 1))
    assert exp.path == "double-double"
    bound, unconstrained = em.componentwise_bound(M, K, (1, 1), F64)
    result = cmp.compare_componentwise(actual, exp.values, bound + exp.slack, unconstrained, F64,
                                      residual=exp.residual)
    assert result.ok, result
