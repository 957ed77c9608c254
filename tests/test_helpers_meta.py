"""Meta-tests: the assertion helpers fail when they should, with readable messages."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convspec.spec.errors import SpecTypeError, SpecValueError
from helpers import (assert_element, assert_identical, assert_refused, format_scalar, mismatches,
                     same_scalar)


def _fails(call) -> str:
    with pytest.raises(AssertionError) as info:
        call()
    return str(info.value)


def test_identical_arrays_pass_including_nan_and_signed_zero():
    a = np.array([[np.nan, -0.0], [np.inf, 1.5]], dtype=np.float32)
    assert_identical(a.copy(), a)
    z = np.array([[complex(np.nan, -0.0)]])
    assert_identical(z.copy(), z)
    assert_identical(np.array([[3]], dtype=np.int8), np.array([[3]], dtype=np.int8))


def test_value_mismatch_names_first_index_and_both_values():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    actual = expected.copy()
    actual[1, 0], actual[1, 1] = 3.5, 9.0
    message = _fails(lambda: assert_identical(actual, expected))
    assert message.startswith("out[1, 0]=3.5, but should be 3.0")
    assert "2 of 4 elements differ" in message


@pytest.mark.parametrize("actual, expected, text", [
    (-0.0, 0.0, "out[0, 0]=-0.0, but should be 0.0"),
    (0.0, -0.0, "out[0, 0]=0.0, but should be -0.0"),
    (np.nan, 1.0, "out[0, 0]=nan, but should be 1.0"),
    (1.0, np.nan, "out[0, 0]=1.0, but should be nan"),
    (np.inf, -np.inf, "out[0, 0]=inf, but should be -inf"),
])
def test_special_values_are_told_apart(actual, expected, text):
    message = _fails(lambda: assert_identical(np.array([[actual]]), np.array([[expected]])))
    assert message.startswith(text)


def test_complex_parts_are_compared_separately():
    message = _fails(lambda: assert_identical(np.array([[complex(1, -0.0)]]), np.array([[complex(1, 0.0)]])))
    assert message.startswith("out[0, 0]=complex(1.0, -0.0), but should be complex(1.0, 0.0)")


def test_dtype_shape_and_type_mismatches_fail():
    a = np.zeros((2, 2))
    assert "out.dtype=float32, but should be float64" in _fails(
        lambda: assert_identical(a.astype(np.float32), a))
    assert "out.shape=(2, 3), but should be (2, 2)" in _fails(
        lambda: assert_identical(np.zeros((2, 3)), a))
    assert "out is a list, but should be a numpy.ndarray" in _fails(
        lambda: assert_identical([[0.0, 0.0], [0.0, 0.0]], a))
    assert "MaskedArray" in _fails(lambda: assert_identical(np.ma.masked_array(a), a))


def test_integers_compare_exactly_beyond_float_precision():
    big = np.array([[2 ** 62 + 1]], dtype=np.int64)
    near = np.array([[2 ** 62]], dtype=np.int64)
    message = _fails(lambda: assert_identical(big, near))
    assert message.startswith(f"out[0, 0]={2 ** 62 + 1}, but should be {2 ** 62}")


def test_element_helper_and_name():
    assert_element(np.float16(-0.0), -0.0, (2, 1))
    message = _fails(lambda: assert_element(np.float16(0.0), -0.0, (2, 1), name="C"))
    assert message == "C[2, 1]=0.0, but should be -0.0"


def test_scalar_primitives():
    assert same_scalar(math.nan, np.float32(np.nan)) and not same_scalar(0.0, -0.0)
    assert not same_scalar(complex(0, 1), complex(0, -1))
    assert format_scalar(np.float64(-0.0)) == "-0.0" and format_scalar(np.int8(5)) == "5"
    assert mismatches(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.0])) == [(1,), (2,)]


def _raise(exc):
    def call():
        raise exc
    return call


def test_refused_passes_on_the_promised_error():
    exc = assert_refused(_raise(SpecValueError("ST3", "stride[0] must be >= 1, got 0")), ValueError,
                         "ST3", "got 0", "stride[0]")
    assert exc.clause == "ST3"


@pytest.mark.parametrize("call, exc_type, clause_id, fragments, text", [
    (lambda: None, TypeError, "IN1", (), "DID NOT RAISE"),
    (_raise(SpecValueError("IN1", "M must be 2-D")), TypeError, "IN1", (),
     "should raise TypeError [IN1]"),
    (_raise(SpecTypeError("IN3", "bad dtype")), TypeError, "IN1", (), "should start with '[IN1]'"),
    (_raise(SpecTypeError("IN3", "M.dtype=bool")), TypeError, "IN3", ("object",), "should name 'object'"),
    (_raise(TypeError("IN3 without brackets")), TypeError, "IN3", (), "should start with '[IN3]'"),
])
def test_refused_fails_on_any_departure(call, exc_type, clause_id, fragments, text):
    def check():
        assert_refused(call, exc_type, clause_id, *fragments)
    with pytest.raises(BaseException) as info:
        check()
    assert text in str(info.value)


def test_refused_rejects_an_error_of_both_families():
    class Both(TypeError, ValueError):
        pass
    message = _fails(lambda: assert_refused(_raise(Both("[ST1] stride")), TypeError, "ST1"))
    assert "also a ['ValueError']" in message
