"""Negative tests: every input clause (IN1-IN3, ST1-ST3, VA1-VA3) is refused.

Each test runs against every implementation in :data:`helpers.IMPLEMENTATIONS`
and checks the exact exception class that :mod:`convspec.spec.validation`
promises, the ``[ID]`` prefix and that the message names the offending value.
"""

from __future__ import annotations

import numpy as np
import pytest

from convspec.spec import ADMITTED_DTYPES, validate
from helpers import IMPLEMENTATIONS, assert_refused, implementation

GOOD = np.ones((4, 5))
GOOD_K = np.ones((2, 2))

impl = pytest.mark.parametrize("impl", IMPLEMENTATIONS)


def _refused_dtypes() -> list[np.dtype]:
    """Every dtype kind the specification refuses, as available on this platform."""
    admitted = {np.dtype(name) for name in ADMITTED_DTYPES}
    candidates = [
        np.dtype(bool), np.dtype(object), np.dtype("U3"), np.dtype("S3"),
        np.dtype("datetime64[s]"), np.dtype("timedelta64[ms]"), np.dtype("V8"),
        np.dtype([("a", "f8"), ("b", "i4")]), np.dtype(np.longdouble), np.dtype(np.clongdouble),
    ]
    # Where longdouble is plain float64 it is admitted by value, so it is no refusal case.
    return [d for d in candidates if d not in admitted]


def _array_of(dtype: np.dtype, shape=(3, 3)) -> np.ndarray:
    return np.zeros(shape, dtype=dtype)


# --- IN1 / IN2: arrays, exactly two dimensions -------------------------------------------------

NOT_ARRAYS = [
    pytest.param([[1.0, 2.0], [3.0, 4.0]], "list", id="list"),
    pytest.param(((1.0, 2.0), (3.0, 4.0)), "tuple", id="tuple"),
    pytest.param(np.ma.masked_array(np.ones((3, 3)), mask=False), "MaskedArray", id="masked"),
    pytest.param(np.ma.masked_array(np.ones((3, 3)), mask=np.eye(3, dtype=bool)), "MaskedArray",
                 id="masked-with-mask"),
    pytest.param(3.0, "float", id="python-float"),
    pytest.param(np.float64(3.0), "float64", id="numpy-scalar"),
    pytest.param(None, "NoneType", id="none"),
]

WRONG_NDIM = [
    pytest.param(np.array(1.0), 0, id="0-d"),
    pytest.param(np.ones(4), 1, id="1-d"),
    pytest.param(np.ones((3, 3, 3)), 3, id="3-d"),
    pytest.param(np.ones((3, 3, 1)), 3, id="3-d-trailing-1"),
    pytest.param(np.ones((1, 3, 3)), 3, id="3-d-leading-1"),
]


@impl
@pytest.mark.parametrize("bad, type_name", NOT_ARRAYS)
def test_IN1_M_must_be_ndarray(impl, bad, type_name):
    conv2d = implementation(impl)
    assert_refused(lambda: conv2d(bad, GOOD_K), TypeError, "IN1", type_name, "M")


@impl
@pytest.mark.parametrize("bad, type_name", NOT_ARRAYS)
def test_IN2_K_must_be_ndarray(impl, bad, type_name):
    conv2d = implementation(impl)
    assert_refused(lambda: conv2d(GOOD, bad), TypeError, "IN2", type_name, "K")


@impl
@pytest.mark.parametrize("bad, ndim", WRONG_NDIM)
def test_IN1_M_must_be_2d(impl, bad, ndim):
    conv2d = implementation(impl)
    assert_refused(lambda: conv2d(bad, np.ones((1, 1))), ValueError, "IN1", f"ndim={ndim}",
                   str(bad.shape))


@impl
@pytest.mark.parametrize("bad, ndim", WRONG_NDIM)
def test_IN2_K_must_be_2d(impl, bad, ndim):
    conv2d = implementation(impl)
    assert_refused(lambda: conv2d(np.ones((4, 4)), bad), ValueError, "IN2", f"ndim={ndim}",
                   str(bad.shape))


# --- IN3: numeric dtypes only ------------------------------------------------------------------

@impl
@pytest.mark.parametrize("dtype", _refused_dtypes(), ids=str)
def test_IN3_refused_dtype_of_M(impl, dtype):
    conv2d = implementation(impl)
    assert_refused(lambda: conv2d(_array_of(dtype), np.ones((2, 2))), TypeError, "IN3",
                   f"M.dtype={dtype}")


@impl
@pytest.mark.parametrize("dtype", _refused_dtypes(), ids=str)
def test_IN3_refused_dtype_of_K(impl, dtype):
    conv2d = implementation(impl)
    assert_refused(lambda: conv2d(np.ones((3, 3)), _array_of(dtype, (2, 2))), TypeError, "IN3",
                   f"K.dtype={dtype}")


def test_IN3_longdouble_refused_where_extended():
    """On platforms where longdouble is wider than float64 it must be among the refusals."""
    refused = _refused_dtypes()
    if np.finfo(np.longdouble).nmant > np.finfo(np.float64).nmant:
        assert np.dtype(np.longdouble) in refused and np.dtype(np.clongdouble) in refused
    else:
        assert np.dtype(np.longdouble) == np.dtype(np.float64)


@impl
@pytest.mark.parametrize("name", ADMITTED_DTYPES)
def test_IN3_every_admitted_dtype_is_accepted(impl, name):
    conv2d = implementation(impl)
    out = conv2d(np.ones((2, 3), dtype=name), np.ones((1, 2), dtype=name))
    assert out.shape == (2, 2)


# --- ST1: a pair ----------------------------------------------------------------------------------

@impl
@pytest.mark.parametrize("stride", [
    pytest.param((1, 1, 1), id="3-tuple"),
    pytest.param([2], id="1-list"),
    pytest.param((), id="empty"),
    pytest.param(2, id="scalar"),
    pytest.param(np.int64(2), id="numpy-scalar"),
    pytest.param(np.array([1, 1]), id="ndarray"),
    pytest.param("11", id="str"),
    pytest.param(range(1, 3), id="range"),
    pytest.param(None, id="none"),
])
def test_ST1_stride_must_be_pair(impl, stride):
    conv2d = implementation(impl)
    assert_refused(lambda: conv2d(GOOD, GOOD_K, stride=stride), TypeError, "ST1", repr(stride))


# --- ST2: integer elements ----------------------------------------------------------------------

@impl
@pytest.mark.parametrize("step", [
    pytest.param(1.0, id="float-1.0"),
    pytest.param(2.5, id="float-2.5"),
    pytest.param(np.float64(1.0), id="numpy-float"),
    pytest.param(True, id="True"),
    pytest.param(False, id="False"),
    pytest.param(np.True_, id="np.True_"),
    pytest.param("1", id="str"),
    pytest.param(None, id="none"),
    pytest.param(1 + 0j, id="complex"),
    pytest.param(np.array(1), id="0-d-array"),
])
@pytest.mark.parametrize("axis", [0, 1])
def test_ST2_stride_elements_must_be_integers(impl, step, axis):
    conv2d = implementation(impl)
    stride = (step, 1) if axis == 0 else (1, step)
    assert_refused(lambda: conv2d(GOOD, GOOD_K, stride=stride), TypeError, "ST2",
                   f"stride[{axis}]", repr(step))


@impl
@pytest.mark.parametrize("step", [1, 2, np.int8(2), np.uint8(3), np.int64(1), np.uint64(2),
                                  np.intc(2)], ids=repr)
def test_ST2_numpy_integers_are_accepted(impl, step):
    conv2d = implementation(impl)
    out = conv2d(np.ones((5, 5)), np.ones((1, 1)), stride=[step, step])
    side = (5 - 1) // int(step) + 1
    assert out.shape == (side, side)


# --- ST3: positive elements -----------------------------------------------------------------------

@impl
@pytest.mark.parametrize("step", [0, -1, -7, np.int64(0), np.int8(-3)], ids=repr)
@pytest.mark.parametrize("axis", [0, 1])
def test_ST3_stride_elements_must_be_positive(impl, step, axis):
    conv2d = implementation(impl)
    stride = (step, 1) if axis == 0 else (1, step)
    assert_refused(lambda: conv2d(GOOD, GOOD_K, stride=stride), ValueError, "ST3",
                   f"stride[{axis}]", f"got {int(step)}")


# --- VA1 / VA2: non-empty ----------------------------------------------------------------------------

EMPTY = [pytest.param(s, id=f"{s[0]}x{s[1]}") for s in [(0, 3), (3, 0), (0, 0)]]


@impl
@pytest.mark.parametrize("shape", EMPTY)
def test_VA1_M_must_not_be_empty(impl, shape):
    conv2d = implementation(impl)
    assert_refused(lambda: conv2d(np.ones(shape), np.ones((1, 1))), ValueError, "VA1",
                   str(shape))


@impl
@pytest.mark.parametrize("shape", EMPTY)
def test_VA2_K_must_not_be_empty(impl, shape):
    conv2d = implementation(impl)
    assert_refused(lambda: conv2d(np.ones((3, 3)), np.ones(shape)), ValueError, "VA2", str(shape))


# --- VA3: K fits in M ---------------------------------------------------------------------------------

@impl
@pytest.mark.parametrize("m_shape, k_shape", [
    pytest.param((3, 3), (4, 3), id="taller"),
    pytest.param((3, 3), (3, 4), id="wider"),
    pytest.param((3, 3), (4, 4), id="both"),
    pytest.param((1, 10), (2, 1), id="row-vector-M"),
    pytest.param((10, 1), (1, 2), id="column-vector-M"),
])
def test_VA3_kernel_must_fit(impl, m_shape, k_shape):
    conv2d = implementation(impl)
    assert_refused(lambda: conv2d(np.ones(m_shape), np.ones(k_shape)), ValueError, "VA3",
                   str(k_shape), str(m_shape))


@impl
def test_VA3_kernel_of_equal_shape_fits(impl):
    conv2d = implementation(impl)
    out = conv2d(np.arange(12.0).reshape(3, 4), np.ones((3, 4)), stride=(5, 7))
    assert out.shape == (1, 1) and out[0, 0] == 66.0


# --- precedence: the first clause in catalogue order is the one reported -----------------------

@pytest.mark.parametrize("M, K, stride, first", [
    pytest.param([[1.0]], np.ones(3), (0, 0), "IN1", id="IN1-before-IN2"),
    pytest.param(np.ones(3, dtype=bool), np.ones(2), (1, 1), "IN1", id="IN1-before-IN3"),
    pytest.param(np.ones((2, 2), dtype=bool), np.ones(3), (1, 1), "IN2", id="IN2-before-IN3"),
    pytest.param(np.ones((2, 2), dtype=bool), np.ones((3, 3)), 5, "IN3", id="IN3-before-ST1"),
    pytest.param(np.ones((2, 2)), np.ones((3, 3)), (1.0, 0), "ST2", id="ST2-before-ST3"),
    pytest.param(np.ones((2, 2)), np.ones((3, 3)), (1, 0), "ST3", id="ST3-before-VA3"),
    pytest.param(np.ones((0, 2)), np.ones((0, 3)), (1, 1), "VA1", id="VA1-before-VA2"),
    pytest.param(np.ones((2, 2)), np.ones((0, 3)), (1, 1), "VA2", id="VA2-before-VA3"),
])
@pytest.mark.parametrize("impl", ("validate",) + IMPLEMENTATIONS)
def test_first_violated_clause_is_reported(impl, M, K, stride, first):
    """validate() promises to check in catalogue order; the report names the first clause."""
    call = validate if impl == "validate" else (lambda M, K, s: implementation(impl)(M, K, stride=s))
    with pytest.raises((TypeError, ValueError)) as info:
        call(M, K, stride)
    assert str(info.value).startswith(f"[{first}]"), str(info.value)


def test_ST2_validate_normalises_stride_to_python_ints():
    ops = validate(np.ones((3, 3)), np.ones((1, 1)), [np.int16(2), np.uint64(3)])
    assert ops.stride == (2, 3) and all(type(s) is int for s in ops.stride)
