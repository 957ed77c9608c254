"""DT1: the output dtype is ``numpy.result_type(M.dtype, K.dtype)`` for every pair of
admitted dtypes, and the oracle's values survive the promotion."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from convspec.spec import ADMITTED_DTYPES, conv2d, validate

PAIRS = list(itertools.product(ADMITTED_DTYPES, repeat=2))


@pytest.mark.parametrize("m_name, k_name", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_DT1_output_dtype_is_result_type(m_name, k_name):
    M = np.array([[1, 2, 3], [4, 5, 6]], dtype=m_name)
    K = np.array([[2, 1]], dtype=k_name)
    expected = np.result_type(np.dtype(m_name), np.dtype(k_name))
    out = conv2d(M, K)
    assert out.dtype == expected, f"out.dtype={out.dtype}, but should be {expected}"
    assert validate(M, K, (1, 1)).out_dtype == expected
    assert out.tolist() == [[4, 7], [13, 16]]


@pytest.mark.parametrize("m_name, k_name", [("int8", "uint8"), ("int64", "uint64"),
                                            ("float16", "int16"), ("float32", "complex64"),
                                            ("float64", "complex64"), ("uint64", "float16")])
def test_DT1_result_type_is_symmetric_in_the_operands(m_name, k_name):
    M_a = np.ones((2, 2), dtype=m_name)
    K_b = np.ones((1, 1), dtype=k_name)
    assert conv2d(M_a, K_b).dtype == conv2d(np.ones((2, 2), dtype=k_name), np.ones((1, 1), dtype=m_name)).dtype


@pytest.mark.parametrize("name", ADMITTED_DTYPES)
def test_DT1_native_byte_order_aliases_are_accepted(name):
    """``'=<code>'`` and the plain name are one dtype; the oracle treats them alike."""
    dtype = np.dtype(name)
    alias = np.dtype("=" + dtype.char)
    out = conv2d(np.ones((2, 2), dtype=alias), np.ones((1, 1), dtype=dtype))
    assert out.dtype == dtype
