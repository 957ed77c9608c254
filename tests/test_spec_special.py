"""NF1-NF3, RD1's zero rule and EX2: special values, signed zeros and integer overflow.

The expected special values come from IEEE float64 arithmetic in NumPy: a window's
products are formed as float64 products (those of two finite factors replaced by
0, since only the non-finite products decide the outcome) and summed; NaN, +inf
or -inf of that sum is what NF1 requires.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from convspec.spec import conv2d
from helpers import assert_element, assert_identical, assert_refused
from strategies import geometries, special_floats


def _windows(shape_out, stride, k_shape):
    (sx, sy), (mk, nk) = stride, k_shape
    for i, j in np.ndindex(shape_out):
        yield (i, j), (slice(i * sx, i * sx + mk), slice(j * sy, j * sy + nk))


def _ieee_special(window: np.ndarray, K: np.ndarray) -> float:
    """The IEEE outcome of a window holding NaN or inf (finite products count as 0)."""
    x, k = window.astype(np.float64).ravel(), K.astype(np.float64).ravel()
    with np.errstate(invalid="ignore", over="ignore"):
        products = np.where(np.isfinite(x) & np.isfinite(k), 0.0, x * k)
        return float(np.sum(products))


@st.composite
def special_problem(draw, dtypes=(np.float16, np.float32, np.float64)):
    geometry = draw(geometries(max_side=6, max_kernel=3, max_stride=3), label="geometry")
    dtype = np.dtype(draw(st.sampled_from(dtypes), label="dtype"))
    M = draw(special_floats(dtype, geometry.m_shape, label="M", magnitude=10.0), label="M")
    k_specials = draw(st.booleans(), label="K holds specials")
    if k_specials:
        K = draw(special_floats(dtype, geometry.k_shape, label="K", magnitude=10.0), label="K")
    else:
        K = np.array(draw(st.lists(st.sampled_from([0.0, -0.0, 1.0, -2.0, 0.5]),
                                   min_size=int(np.prod(geometry.k_shape)),
                                   max_size=int(np.prod(geometry.k_shape))), label="K values"),
                     dtype=dtype).reshape(geometry.k_shape)
    return M, K, geometry.stride


@given(problem=special_problem())
def test_NF1_windows_with_specials_follow_ieee(problem):
    M, K, stride = problem
    out = conv2d(M, K, stride=stride)
    for idx, window in _windows(out.shape, stride, K.shape):
        if np.isfinite(M[window]).all() and np.isfinite(K).all():
            continue
        assert_element(out[idx], _ieee_special(M[window], K), idx)


@given(problem=special_problem())
def test_NF2_finite_windows_are_unaffected(problem):
    """Outputs whose windows are finite equal the computation with every special zeroed."""
    M, K, stride = problem
    out = conv2d(M, K, stride=stride)
    clean = conv2d(np.where(np.isfinite(M), M, 0).astype(M.dtype), np.where(np.isfinite(K), K, 0).astype(K.dtype),
                   stride=stride)
    for idx, window in _windows(out.shape, stride, K.shape):
        if np.isfinite(M[window]).all() and np.isfinite(K).all():
            assert np.isfinite(out[idx]), idx
            assert_element(out[idx], clean[idx], idx)


@pytest.mark.parametrize("values, kernel, expected", [
    ([math.nan, 1.0], [1.0, 1.0], math.nan),
    ([math.inf, 1.0], [1.0, 1.0], math.inf),
    ([-math.inf, 1.0], [1.0, 1.0], -math.inf),
    ([math.inf, 1.0], [-1.0, 1.0], -math.inf),
    ([math.inf, 0.0], [0.0, 1.0], math.nan),        # 0 * inf
    ([math.inf, -math.inf], [1.0, 1.0], math.nan),  # inf - inf
    ([math.inf, -math.inf], [1.0, -1.0], math.inf),
    ([math.inf, math.inf], [1.0, 1.0], math.inf),
    ([math.inf, 1e308], [1.0, 1e308], math.inf),    # a huge finite product does not matter
    ([1.0, 2.0], [math.inf, 0.0], math.inf),        # special in K
    ([1.0, 2.0], [math.nan, 0.0], math.nan),
    ([0.0, 2.0], [math.inf, 1.0], math.nan),
])
def test_NF1_hand_cases(values, kernel, expected):
    out = conv2d(np.array([values]), np.array([kernel]))
    assert_element(out[0, 0], expected, (0, 0))


def test_NF2_special_in_one_corner_stays_local():
    M = np.ones((5, 5))
    M[0, 0] = math.nan
    M[4, 4] = math.inf
    out = conv2d(M, np.ones((2, 2)))
    expected = np.full((4, 4), 4.0)
    expected[0, 0], expected[3, 3] = math.nan, math.inf
    assert_identical(out, expected)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@given(data=st.data())
def test_NF3_complex_windows_with_specials_are_not_finite(dtype, data):
    geometry = data.draw(geometries(max_side=5, max_kernel=3, max_stride=2), label="geometry")
    M = np.empty(geometry.m_shape, dtype=dtype)  # parts set separately: 1j * inf would add a NaN
    M.real = data.draw(special_floats(np.float64, geometry.m_shape, label="M real"), label="M real")
    M.imag = data.draw(special_floats(np.float64, geometry.m_shape, label="M imag"), label="M imag")
    K = np.full(geometry.k_shape, 1 - 0.5j, dtype=dtype)
    out = conv2d(M, K, stride=geometry.stride)
    assert out.dtype == np.dtype(dtype)
    for idx, window in _windows(out.shape, geometry.stride, K.shape):
        finite_window = np.isfinite(M[window]).all()
        assert bool(np.isfinite(out[idx])) == finite_window, (idx, out[idx], M[window])


# --- RD1: the sign of an exact zero -------------------------------------------------------------

@given(data=st.data())
def test_RD1_exact_zero_sign_matches_ieee_sum_of_exact_products(data):
    """With small integral values every float64 product and partial sum is exact, so an IEEE
    left-to-right sum has the sign RD1 prescribes for an exact zero."""
    geometry = data.draw(geometries(max_side=5, max_kernel=3, max_stride=2), label="geometry")
    dtype = data.draw(st.sampled_from([np.float16, np.float32, np.float64]), label="dtype")
    values = st.sampled_from([0.0, -0.0, 0.0, -0.0, 1.0, -1.0, 2.0])
    M = np.array(data.draw(st.lists(values, min_size=int(np.prod(geometry.m_shape)),
                                    max_size=int(np.prod(geometry.m_shape))), label="M"),
                 dtype=dtype).reshape(geometry.m_shape)
    K = np.array(data.draw(st.lists(values, min_size=int(np.prod(geometry.k_shape)),
                                    max_size=int(np.prod(geometry.k_shape))), label="K"),
                 dtype=dtype).reshape(geometry.k_shape)
    out = conv2d(M, K, stride=geometry.stride)
    for idx, window in _windows(out.shape, geometry.stride, K.shape):
        total = None
        for x, k in zip(M[window].ravel().tolist(), K.ravel().tolist()):
            total = x * k if total is None else total + x * k
        assert_element(out[idx], total, idx)


@pytest.mark.parametrize("values, kernel, negative", [
    ([-0.0], [1.0], True),
    ([0.0], [-1.0], True),
    ([-0.0], [-1.0], False),
    ([-0.0, -0.0], [1.0, 3.0], True),
    ([-0.0, 0.0], [1.0, 1.0], False),
    ([1.0, -1.0], [1.0, 1.0], False),   # cancellation gives +0 in round to nearest
    ([-1.0, 1.0], [1.0, 1.0], False),
    ([-0.0, 2.0], [5.0, 0.0], False),  # -0 + +0 = +0
    ([-0.0, -2.0], [5.0, 0.0], True),
])
def test_RD1_signed_zero_hand_cases(values, kernel, negative):
    out = conv2d(np.array([values]), np.array([kernel]))
    assert_element(out[0, 0], -0.0 if negative else 0.0, (0, 0))


def test_RD1_integer_factor_zero_sign_follows_conversion():
    """Integer factors take the value they have after conversion to the float output dtype:
    ``-1 * 0.0`` is the IEEE product ``-1.0 * 0.0 = -0.0``, as NumPy's promotion gives."""
    out = conv2d(np.array([[-1]], dtype=np.int8), np.array([[0.0]], dtype=np.float32))
    assert out.dtype == np.float32
    expected = (np.array([[-1]], dtype=np.int8) * np.array([[0.0]], dtype=np.float32))[0, 0]
    assert_element(out[0, 0], expected, (0, 0))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_RD1_underflow_to_zero_keeps_the_sign(dtype):
    tiny = np.finfo(dtype).smallest_subnormal
    out = conv2d(np.array([[-tiny]], dtype=dtype), np.array([[tiny]], dtype=dtype))
    assert_element(out[0, 0], -0.0, (0, 0))


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_RD1_overflow_rounds_to_infinity(dtype):
    big = np.finfo(dtype).max
    out = conv2d(np.array([[big, big, -big]], dtype=dtype), np.array([[1, 1]], dtype=dtype))
    assert_element(out[0, 0], math.inf, (0, 0))
    assert_element(out[0, 1], 0.0, (0, 1))


# --- EX2: integer overflow is outside the specification ---------------------------------------------

@pytest.mark.parametrize("M, K, value", [
    (np.array([[100, 100]], dtype=np.int8), np.array([[1, 1]], dtype=np.int8), 200),
    (np.array([[200]], dtype=np.uint8), np.array([[2]], dtype=np.uint8), 400),
    (np.array([[-128]], dtype=np.int8), np.array([[-1]], dtype=np.int8), 128),
    (np.array([[1]], dtype=np.uint8), np.array([[-1]], dtype=np.int8), -1),   # int16: fits
    (np.array([[2 ** 62, 2 ** 62]], dtype=np.int64), np.array([[1, 1]], dtype=np.int64), 2 ** 63),
    (np.array([[2 ** 63]], dtype=np.uint64), np.array([[2]], dtype=np.uint64), 2 ** 64),
])
def test_EX2_unrepresentable_integer_result_raises(M, K, value):
    out_dtype = np.result_type(M.dtype, K.dtype)
    info = np.iinfo(out_dtype)
    if info.min <= value <= info.max:
        assert conv2d(M, K).tolist() == [[value]]
    else:
        assert_refused(lambda: conv2d(M, K), OverflowError, "EX2", str(value), str(out_dtype))


def test_EX2_intermediate_overflow_is_not_an_error():
    """Only the exact total matters: partial sums may leave the range of the dtype."""
    M = np.array([[127, 127, -128, -126]], dtype=np.int8)
    out = conv2d(M, np.ones((1, 4), dtype=np.int8))
    assert out.tolist() == [[0]] and out.dtype == np.int8
