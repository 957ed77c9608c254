"""The fast reference against the executable specification.

Every admitted dtype, every pair of them (mixed dtypes), every memory layout:
integer outputs must equal the exact oracle, floating and complex outputs must
lie within the componentwise bound of :mod:`convspec.spec.error_model`, and
special values must follow NF1-NF3.  Errors must be the specification's own.
"""

from __future__ import annotations

from contextlib import contextmanager
from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays, from_dtype

from convspec import reference, spec
from convspec.reference import blocks, engine, taps, toeplitz
from convspec.conformance.comparison import compare_componentwise
from convspec.spec.error_model import (
    componentwise_bound, exact_residual, expected_wide, nonfinite_windows,
)
from convspec.spec.exact import ExactComplex
from strategies import LAYOUTS, with_layout

DTYPES = [np.dtype(name) for name in spec.ADMITTED_DTYPES]


def elements(dtype: np.dtype, special: bool = False) -> st.SearchStrategy:
    """Values of ``dtype``: small or full-range integers; floats with or without NaN/inf."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        small = st.integers(max(info.min, -30), min(info.max, 30))
        return st.one_of(small, st.integers(int(info.min), int(info.max)))
    return from_dtype(dtype, allow_nan=special, allow_infinity=special)


@st.composite
def problems(draw, dtypes=st.sampled_from(DTYPES), special: bool = False, max_side: int = 7):
    """``(M, K, stride)`` of admitted dtypes and layouts, with K fitting in M."""
    m_dtype = draw(dtypes, label="M dtype")
    k_dtype = draw(dtypes, label="K dtype")
    m = draw(st.integers(1, max_side), label="m")
    n = draw(st.integers(1, max_side), label="n")
    mk = draw(st.integers(1, m), label="m'")
    nk = draw(st.integers(1, n), label="n'")
    M = draw(arrays(m_dtype, (m, n), elements=elements(m_dtype, special)), label="M")
    K = draw(arrays(k_dtype, (mk, nk), elements=elements(k_dtype, special)), label="K")
    M = with_layout(M, draw(st.sampled_from(LAYOUTS), label="M layout"))
    K = with_layout(K, draw(st.sampled_from(LAYOUTS), label="K layout"))
    stride = (draw(st.integers(1, 4), label="sx"), draw(st.integers(1, 4), label="sy"))
    return M, K, stride


def spec_or_error(M, K, stride):
    """The oracle's result, or the OutsideSpecError it raises (EX2)."""
    try:
        return spec.conv2d(M, K, stride=stride)
    except spec.OutsideSpecError as error:
        return error


def assert_within_bound(C: np.ndarray, M, K, stride) -> None:
    """AC1 via the specification's own error model (no second copy of the bound)."""
    exact = spec.exact_values(M, K, stride=stride)
    wide = expected_wide(exact)
    bound, unconstrained = componentwise_bound(M, K, stride, C.dtype)
    accuracy = compare_componentwise(C, wide, bound, unconstrained, C.dtype,
                                     residual=exact_residual(exact, wide))
    assert accuracy.ok, accuracy


def assert_specials_match(C: np.ndarray, M, K, stride) -> None:
    """NF1 (real: the same NaN / signed infinity) and NF3 (complex: not finite)."""
    oracle = spec.conv2d(M, K, stride=stride)
    held = nonfinite_windows(M, K, stride)
    if C.dtype.kind == "c":
        assert not np.isfinite(C[held]).any()
    else:
        assert np.array_equal(np.isnan(C[held]), np.isnan(oracle[held]))
        infinite = held & np.isinf(oracle)
        assert np.array_equal(C[infinite], oracle[infinite])


def assert_output_contract(C: np.ndarray, M, K, stride) -> None:
    """EQ1, DT1, a new C-contiguous array (AL1)."""
    assert C.shape == spec.output_shape(M.shape, K.shape, stride)
    assert C.dtype == np.result_type(M.dtype, K.dtype)
    assert C.flags.c_contiguous and C.flags.owndata or C.base is not None and C.flags.c_contiguous
    assert not np.shares_memory(C, M) and not np.shares_memory(C, K)


@given(problems())
def test_EQ2_every_dtype_pair_and_layout(problem):
    M, K, stride = problem
    oracle = spec_or_error(M, K, stride)
    if isinstance(oracle, spec.OutsideSpecError):
        with pytest.raises(spec.OutsideSpecError) as raised:
            reference.conv2d(M, K, stride=stride)
        assert str(raised.value) == str(oracle)
        return
    C = reference.conv2d(M, K, stride=stride)
    assert_output_contract(C, M, K, stride)
    if C.dtype.kind in "iu":
        assert np.array_equal(C, oracle)  # EX1
    elif M.dtype.kind in "iu" and K.dtype.kind in "iu":
        assert np.array_equal(C, oracle)  # int64 with uint64: exact, rounded once (RD1)
    else:
        assert_within_bound(C, M, K, stride)


FLOATING = [d for d in DTYPES if d.kind in "fc"]


@given(problems(dtypes=st.sampled_from(FLOATING), special=True, max_side=6))
def test_NF1_NF2_NF3_special_values(problem):
    M, K, stride = problem
    C = reference.conv2d(M, K, stride=stride)
    assert_output_contract(C, M, K, stride)
    assert_specials_match(C, M, K, stride)
    assert_within_bound(C, M, K, stride)  # NF2: the finite windows keep their values


@given(problems(dtypes=st.sampled_from(DTYPES), max_side=6))
def test_MU1_AL2_inputs_untouched_and_result_independent(problem):
    M, K, stride = problem
    M_before, K_before = M.copy(), K.copy()
    try:
        C = reference.conv2d(M, K, stride=stride)
    except spec.OutsideSpecError:
        return
    kept = C.copy()
    reference.conv2d(M, K, stride=stride)
    assert np.array_equal(M, M_before, equal_nan=M.dtype.kind in "fc")
    assert np.array_equal(K, K_before, equal_nan=K.dtype.kind in "fc")
    assert np.array_equal(C, kept, equal_nan=C.dtype.kind in "fc")


INVALID = [
    ("IN1", lambda: (np.ones(3), np.ones((1, 1)), (1, 1))),
    ("IN1", lambda: ([[1.0]], np.ones((1, 1)), (1, 1))),
    ("IN2", lambda: (np.ones((3, 3)), np.ones((1, 1, 1)), (1, 1))),
    ("IN3", lambda: (np.ones((3, 3), dtype=bool), np.ones((1, 1)), (1, 1))),
    ("IN3", lambda: (np.ones((3, 3)), np.ones((1, 1), dtype=np.longdouble), (1, 1))),
    ("ST1", lambda: (np.ones((3, 3)), np.ones((1, 1)), (1,))),
    ("ST2", lambda: (np.ones((3, 3)), np.ones((1, 1)), (True, 1))),
    ("ST2", lambda: (np.ones((3, 3)), np.ones((1, 1)), (1, 1.0))),
    ("ST3", lambda: (np.ones((3, 3)), np.ones((1, 1)), (1, 0))),
    ("VA1", lambda: (np.ones((0, 3)), np.ones((1, 1)), (1, 1))),
    ("VA2", lambda: (np.ones((3, 3)), np.ones((1, 0)), (1, 1))),
    ("VA3", lambda: (np.ones((3, 3)), np.ones((4, 1)), (1, 1))),
]


@pytest.mark.parametrize("clause_id, make", INVALID, ids=[f"{c}-{i}" for i, (c, _) in enumerate(INVALID)])
def test_invalid_inputs_raise_the_specifications_errors(clause_id, make):
    M, K, stride = make()
    with pytest.raises((TypeError, ValueError)) as from_spec:
        spec.conv2d(M, K, stride=stride)
    with pytest.raises((TypeError, ValueError)) as from_reference:
        reference.conv2d(M, K, stride=stride)
    assert type(from_reference.value) is type(from_spec.value)
    assert str(from_reference.value) == str(from_spec.value)
    assert str(from_reference.value).startswith(f"[{clause_id}]")


@pytest.mark.parametrize("M_dtype, K_dtype", [("int8", "int8"), ("uint8", "int8"), ("int32", "int32"),
                                              ("int64", "int64"), ("uint64", "uint64")])
def test_EX2_never_wraps(M_dtype, K_dtype):
    info = np.iinfo(np.result_type(M_dtype, K_dtype))
    M = np.full((3, 3), np.iinfo(M_dtype).max, dtype=M_dtype)
    K = np.full((2, 2), np.iinfo(K_dtype).max, dtype=K_dtype)
    assert np.iinfo(M_dtype).max * np.iinfo(K_dtype).max * 4 > info.max
    with pytest.raises(spec.OutsideSpecError, match=r"^\[EX2\]") as raised:
        reference.conv2d(M, K)
    with pytest.raises(spec.OutsideSpecError) as oracle:
        spec.conv2d(M, K)
    assert str(raised.value) == str(oracle.value)


@pytest.mark.parametrize("M_values, K_values", [
    ([[2 ** 53 + 1, -(2 ** 53)]], [[1, 1]]),              # int64 accumulation, rounded once
    ([[2 ** 62, 3, -5]], [[3, 2 ** 63 + 5, 7]]),           # needs Python ints
    ([[2 ** 40, 2 ** 40 + 1]], [[2 ** 12 + 1, 1]]),        # float64 is exact here
])
def test_RD1_int64_with_uint64_is_rounded_once(M_values, K_values):
    M, K = np.array(M_values, dtype=np.int64), np.array(K_values, dtype=np.uint64)
    C = reference.conv2d(M, K)
    assert C.dtype == np.float64
    assert np.array_equal(C, spec.conv2d(M, K))


@contextmanager
def tiny_blocks():
    """Force one-row bands on two threads, the tiled product and one-row BLAS calls on small problems."""
    with mock.patch.object(engine, "BAND_BYTES", 1), mock.patch.object(engine, "TAPS_MAX", 2), \
            mock.patch.object(toeplitz, "STRIP_ELEMENTS", 1), mock.patch.object(toeplitz, "SERIAL_MACS", 1), \
            mock.patch.object(blocks, "WORKERS", 2), mock.patch.object(blocks, "MIN_BANDS", 1):
        yield


@given(problems(dtypes=st.sampled_from([np.dtype(d) for d in ("float32", "float64", "complex64", "int16")]),
                max_side=12))
def test_EQ2_blocked_paths(problem):
    M, K, stride = problem
    assume(not isinstance(spec_or_error(M, K, stride), spec.OutsideSpecError))
    with tiny_blocks():
        C = reference.conv2d(M, K, stride=stride)
    if C.dtype.kind in "iu":
        assert np.array_equal(C, spec.conv2d(M, K, stride=stride))
    else:
        assert_within_bound(C, M, K, stride)


def test_bands_each_run_once_and_errors_reach_the_caller(monkeypatch):
    monkeypatch.setattr(blocks, "WORKERS", 2)
    monkeypatch.setattr(blocks, "MIN_BANDS", 1)
    seen = []
    blocks.run_bands(lambda start, stop: seen.append((start, stop)), 50, 3)
    assert sorted(seen) == blocks.bands(50, 3)

    def fail(start, stop):
        if start == 30:
            raise ArithmeticError(f"band {start}")
    with pytest.raises(ArithmeticError, match="band 30"):
        blocks.run_bands(fail, 50, 3)


@pytest.mark.parametrize("path", ["taps", "toeplitz"])
def test_NF2_special_values_do_not_leak_through_tiles(monkeypatch, path):
    """The tiled product multiplies neighbours by exact zeros; infinities must not leak."""
    monkeypatch.setattr(engine, "TAPS_MAX", 10 ** 9 if path == "taps" else 0)
    rng = np.random.default_rng(7)
    M = rng.standard_normal((40, 50))
    K = rng.standard_normal((5, 7))
    M[[3, 20, 33], [4, 41, 12]] = [np.inf, np.nan, -np.inf]
    for stride in [(1, 1), (2, 3)]:
        C = reference.conv2d(M, K, stride=stride)
        assert_specials_match(C, M, K, stride)
        assert_within_bound(C, M, K, stride)


def test_taps_evaluate_in_tap_order():
    """Shift-and-add is recursive summation in (a, b) order, like a literal loop."""
    M = np.array([[1.0, 2.0 ** 60, -(2.0 ** 60)]], dtype=np.float64)
    K = np.ones((1, 3))
    out = np.empty((1, 1))
    taps.correlate_band(M, K, (1, 1), out, 0, 1)
    assert out[0, 0] == (1.0 + 2.0 ** 60) - 2.0 ** 60


def test_toeplitz_matrix_holds_the_kernel_on_its_band():
    K = np.arange(1.0, 7.0).reshape(2, 3)
    T = toeplitz.toeplitz(K, 2, 2).reshape(2, 5, 2)
    assert np.array_equal(T[:, 0:3, 0], K) and np.array_equal(T[:, 2:5, 1], K)
    assert T.sum() == 2 * K.sum()


def test_exact_complex_values_are_compared_by_the_error_model():
    """Guard: the oracle's exact complex values reach the bound check as complex."""
    M = np.array([[1 + 1j, 2]], dtype=np.complex64)
    K = np.array([[1j]], dtype=np.complex64)
    exact = spec.exact_values(M, K, stride=(1, 1))
    assert isinstance(exact[0, 0], ExactComplex)
    assert_within_bound(reference.conv2d(M, K), M, K, (1, 1))
