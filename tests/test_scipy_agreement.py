"""Agreement with ``scipy.signal.correlate2d(M, K, mode="valid")[::sx, ::sy]``.

Where SciPy's semantics coincide with Eq 2 (real dtypes SciPy supports, K no
larger than M, results that fit), both the specification and the reference must
equal it: exactly for integer data, and within the componentwise bound for
floating data (SciPy sums directly, so it is in that class too).  Each place
where the semantics differ is pinned by a named test, so a change in SciPy shows
up here.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from convspec import reference, spec


def scipy_strided(M, K, stride):
    """SciPy's stride-1 valid correlation, subsampled to the stride."""
    sx, sy = stride
    return scipy.signal.correlate2d(M, K, mode="valid")[::sx, ::sy]


@st.composite
def integer_valued(draw, dtype):
    """Small integer-valued problems: every summation order is exact for them."""
    m, n = draw(st.integers(1, 9), label="m"), draw(st.integers(1, 9), label="n")
    mk, nk = draw(st.integers(1, m), label="m'"), draw(st.integers(1, n), label="n'")
    values = st.integers(-20, 20) if np.dtype(dtype).kind != "u" else st.integers(0, 20)
    M = draw(arrays(dtype, (m, n), elements=values), label="M")
    K = draw(arrays(dtype, (mk, nk), elements=values), label="K")
    stride = (draw(st.integers(1, 4), label="sx"), draw(st.integers(1, 4), label="sy"))
    return M, K, stride


@pytest.mark.parametrize("dtype", ["int16", "int32", "int64", "uint32", "float32", "float64"])
@given(data=st.data())
def test_spec_reference_and_scipy_agree_on_integer_valued_data(dtype, data):
    M, K, stride = data.draw(integer_valued(dtype))
    theirs = scipy_strided(M, K, stride)
    ours = reference.conv2d(M, K, stride=stride)
    oracle = spec.conv2d(M, K, stride=stride)
    assert ours.dtype == oracle.dtype == theirs.dtype
    assert np.array_equal(ours, theirs) and np.array_equal(oracle, theirs)


@pytest.mark.parametrize("shape, kshape, stride", [
    ((300, 257), (3, 3), (1, 1)), ((300, 257), (9, 7), (2, 3)), ((130, 400), (31, 31), (4, 1)),
])
def test_reference_and_scipy_agree_on_larger_integer_valued_float_data(shape, kshape, stride):
    """Sizes where the reference uses several bands and tiles."""
    rng = np.random.default_rng(11)
    M = rng.integers(-100, 100, size=shape).astype(np.float64)
    K = rng.integers(-100, 100, size=kshape).astype(np.float64)
    assert np.array_equal(reference.conv2d(M, K, stride=stride), scipy_strided(M, K, stride))


def test_nan_and_infinity_stay_local_in_both():
    M = np.ones((6, 7))
    M[1, 2], M[4, 5] = np.nan, np.inf
    K = np.array([[1.0, 0.0], [2.0, 1.0]])
    theirs = scipy_strided(M, K, (1, 1))
    ours = reference.conv2d(M, K)
    assert np.array_equal(ours, theirs, equal_nan=True)


# --- Where SciPy differs from the specification -----------------------------

def test_difference_scipy_conjugates_a_complex_kernel():
    M = np.array([[1 + 2j, 3 - 1j]])
    K = np.array([[1j]])
    assert np.array_equal(reference.conv2d(M, K), M * 1j)
    assert np.array_equal(scipy_strided(M, K, (1, 1)), M * np.conj(1j))


def test_difference_scipy_swaps_a_kernel_larger_than_the_input():
    M = np.arange(4.0).reshape(2, 2)
    K = np.arange(9.0).reshape(3, 3)
    swapped = scipy.signal.correlate2d(M, K, mode="valid")
    assert swapped.shape == (2, 2)
    with pytest.raises(ValueError, match=r"^\[VA3\]"):
        reference.conv2d(M, K)


def test_difference_scipy_rejects_a_kernel_larger_on_one_axis_without_a_clause():
    M, K = np.ones((2, 5)), np.ones((3, 2))
    with pytest.raises(ValueError) as theirs:
        scipy.signal.correlate2d(M, K, mode="valid")
    assert not str(theirs.value).startswith("[")
    with pytest.raises(ValueError, match=r"^\[VA3\]"):
        reference.conv2d(M, K)


def test_difference_scipy_wraps_small_integer_overflow():
    M = np.full((3, 3), 100, dtype=np.int8)
    K = np.ones((2, 2), dtype=np.int8)
    wrapped = scipy_strided(M, K, (1, 1))
    assert wrapped.dtype == np.int8 and (wrapped == np.int8(400 - 512)).all()
    with pytest.raises(OverflowError, match=r"^\[EX2\]"):
        reference.conv2d(M, K)


@pytest.mark.parametrize("m_dtype, k_dtype", [("float16", "float16"), ("int8", "float16")])
def test_difference_scipy_has_no_float16(m_dtype, k_dtype):
    M, K = np.ones((3, 3), dtype=m_dtype), np.ones((2, 2), dtype=k_dtype)
    with pytest.raises(ValueError):
        scipy.signal.correlate2d(M, K, mode="valid")
    C = reference.conv2d(M, K)
    assert C.dtype == np.float16 and (C == 4).all()


def test_difference_scipy_rounds_int64_with_uint64_before_summing():
    M = np.array([[2 ** 53 + 1, -(2 ** 53)]], dtype=np.int64)
    K = np.array([[1, 1]], dtype=np.uint64)
    assert scipy_strided(M, K, (1, 1))[0, 0] == 0.0
    assert reference.conv2d(M, K)[0, 0] == 1.0 == spec.conv2d(M, K)[0, 0]


def test_difference_scipy_accepts_nested_lists():
    assert np.array_equal(scipy.signal.correlate2d([[1, 2], [3, 4]], [[1]], mode="valid"), [[1, 2], [3, 4]])
    with pytest.raises(TypeError, match=r"^\[IN1\]"):
        reference.conv2d([[1, 2], [3, 4]], np.ones((1, 1)))


def test_difference_scipy_refuses_bool_with_a_value_error():
    M, K = np.ones((3, 3), dtype=bool), np.ones((2, 2), dtype=bool)
    with pytest.raises(ValueError):
        scipy.signal.correlate2d(M, K, mode="valid")
    with pytest.raises(TypeError, match=r"^\[IN3\]"):
        reference.conv2d(M, K)


def test_difference_scipy_has_no_stride_and_computes_every_position():
    M, K = np.arange(36.0).reshape(6, 6), np.ones((2, 2))
    full = scipy.signal.correlate2d(M, K, mode="valid")
    assert full.shape == (5, 5)
    C = reference.conv2d(M, K, stride=(2, 3))
    assert C.shape == (3, 2) and np.array_equal(C, full[::2, ::3])
