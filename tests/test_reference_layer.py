"""The layer's fast reference, ``convspec.reference.conv``, against the executable specification.

Random small problems over spatial ranks 1-3, groups, dilation, explicit
(negative too) and named padding, bias, empty and zero-size shapes, every
admitted dtype and pairs of them, and every memory layout: integer outputs
must equal the exact oracle ``convspec.spec.conv``, floating and complex
outputs must lie within the error model's ``layer_bound``, special values
must be the oracle's and stay where it puts them, errors must be the oracle's.
"""

from __future__ import annotations

import math
import tracemalloc
from contextlib import contextmanager
from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays, from_dtype

from convspec import reference, spec
from convspec.reference import layer_engine, layer_gemm, layer_taps, layer_threads
from convspec.conformance.comparison import compare_componentwise
from convspec.spec.error_model import exact_residual, expected_wide, layer_bound, layer_nonfinite
from convspec.spec.problem import conv_problem

DTYPES = [np.dtype(name) for name in spec.ADMITTED_DTYPES]
FLOATING = [d for d in DTYPES if d.kind in "fc"]
#: Memory layouts of one logical array of any rank (CV-IN5).
LAYOUTS = ("C", "F", "strided", "reversed", "readonly", "permuted")


def with_layout(base: np.ndarray, layout: str) -> np.ndarray:
    """A new array equal to ``base`` stored in ``layout`` (views keep their odd strides)."""
    if layout == "C":
        return base.copy()
    if layout == "F":
        return np.asfortranarray(base)
    if layout == "strided":
        big = np.zeros(tuple(2 * n for n in base.shape), dtype=base.dtype)
        view = big[(slice(None, None, 2),) * base.ndim]
        view[...] = base
        return view
    if layout == "reversed":
        flip = (slice(None, None, -1),) * base.ndim
        return base[flip].copy()[flip]
    if layout == "readonly":
        view = base.copy()
        view.flags.writeable = False
        return view
    if layout == "permuted":
        order = tuple(reversed(range(base.ndim)))
        return base.transpose(order).copy().transpose(order)
    raise ValueError(layout)


def elements(dtype: np.dtype, special: bool) -> st.SearchStrategy:
    """Small or full-range integers; floats of every size (with NaN and infinities when ``special``)."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return st.one_of(st.integers(max(info.min, -20), min(info.max, 20)),
                         st.integers(int(info.min), int(info.max)))
    if special:
        finite = st.sampled_from([0.0, -0.0, 1.0, -1.5, 3.0])
        return st.one_of(finite, finite, st.sampled_from([np.nan, np.inf, -np.inf]))
    return from_dtype(dtype, allow_nan=False, allow_infinity=False)


@st.composite
def layers(draw, dtypes=st.sampled_from(DTYPES), special: bool = False):
    """``(X, W, B, attributes)`` of a valid, small layer problem."""
    d = draw(st.integers(1, 3), label="rank")
    side = {1: 7, 2: 5, 3: 4}[d]
    groups = draw(st.integers(1, 3), label="groups")
    Cg = draw(st.integers(0 if d < 3 else 1, 2), label="C/g")
    Og = draw(st.integers(1, 2), label="O/g")
    N = draw(st.sampled_from([1, 2, 1, 0]), label="N")
    S = tuple(draw(st.lists(st.integers(0, side), min_size=d, max_size=d), label="S"))
    K = tuple(draw(st.lists(st.integers(1, 3), min_size=d, max_size=d), label="K"))
    stride = tuple(draw(st.lists(st.integers(1, 3), min_size=d, max_size=d), label="stride"))
    dilation = tuple(draw(st.lists(st.integers(1, 2), min_size=d, max_size=d), label="dilation"))
    padding = draw(st.one_of(
        st.sampled_from(["VALID", "SAME_UPPER", "SAME_LOWER"]),
        st.lists(st.tuples(st.integers(-1, 2), st.integers(-1, 2)), min_size=d, max_size=d).map(tuple)),
        label="padding")
    x_dtype, w_dtype = draw(dtypes, label="X dtype"), draw(dtypes, label="W dtype")
    X = draw(arrays(x_dtype, (N, groups * Cg) + S, elements=elements(x_dtype, special)), label="X")
    W = draw(arrays(w_dtype, (groups * Og, Cg) + K, elements=elements(w_dtype, special)), label="W")
    B = None
    if draw(st.booleans(), label="bias"):
        b_dtype = draw(dtypes, label="B dtype")
        B = draw(arrays(b_dtype, (groups * Og,), elements=elements(b_dtype, special)), label="B")
    X = with_layout(X, draw(st.sampled_from(LAYOUTS), label="X layout"))
    W = with_layout(W, draw(st.sampled_from(LAYOUTS), label="W layout"))
    if B is not None:
        B = with_layout(B, draw(st.sampled_from(LAYOUTS), label="B layout"))
    return X, W, B, dict(stride=stride, padding=padding, dilation=dilation, groups=groups)


def oracle_or_error(X, W, B, attrs):
    try:
        return spec.conv(X, W, B, **attrs)
    except spec.OutsideSpecError as error:
        return error


def assert_within_bound(Y, X, W, B, attrs) -> None:
    """CV-AC1 through the error model's own bound and double-length oracle."""
    p = conv_problem(X, W, B, **attrs)
    exact = spec.exact_layer_values(p)
    wide = expected_wide(exact)
    bound, unconstrained = layer_bound(p)
    accuracy = compare_componentwise(Y, wide, bound, unconstrained, Y.dtype,
                                     residual=exact_residual(exact, wide))
    assert accuracy.ok, accuracy


def assert_contract(Y, X, W, B, attrs) -> None:
    """CV-SH1, CV-DT1, CV-OU1, and a fresh C-contiguous result (CV-MU1)."""
    p = conv_problem(X, W, B, **attrs)
    assert type(Y) is np.ndarray
    assert Y.shape == p.out_shape and Y.dtype == p.out_dtype
    assert Y.flags.c_contiguous and Y.flags.writeable
    for operand in (X, W, B):
        if operand is not None:
            assert not np.shares_memory(Y, operand)


def assert_specials_match(Y, oracle, X, W, B, attrs) -> None:
    """CV-NF1 / CV-NF2: the outputs whose terms hold NaN or an infinity get the oracle's IEEE values.

    Other outputs are judged by the bound (an overflow on the way is allowed where CV-AC1 leaves
    the output unconstrained).
    """
    held = layer_nonfinite(conv_problem(X, W, B, **attrs))
    assert not np.isfinite(Y[held]).any()
    if Y.dtype.kind != "c":
        assert np.array_equal(np.isnan(Y[held]), np.isnan(oracle[held]))
        assert np.array_equal(Y[held & np.isinf(oracle)], oracle[held & np.isinf(oracle)])


def check(X, W, B, attrs) -> None:
    oracle = oracle_or_error(X, W, B, attrs)
    if isinstance(oracle, spec.OutsideSpecError):
        with pytest.raises(spec.OutsideSpecError) as raised:
            reference.conv(X, W, B, **attrs)
        assert str(raised.value) == str(oracle)  # EX2: the same first output, the same message
        return
    Y = reference.conv(X, W, B, **attrs)
    assert_contract(Y, X, W, B, attrs)
    if Y.dtype.kind in "iu" or all(a.dtype.kind in "iu" for a in (X, W) + ((B,) if B is not None else ())):
        assert np.array_equal(Y, oracle)  # CV-EX1 (and int64 with uint64: exact, rounded once)
    else:
        assert_specials_match(Y, oracle, X, W, B, attrs)
        assert_within_bound(Y, X, W, B, attrs)


@given(layers())
def test_CV_EQ1_every_dtype_rank_geometry_and_layout(problem):
    check(*problem)


@given(layers(dtypes=st.sampled_from(FLOATING), special=True))
def test_CV_NF1_NF2_special_values_are_the_oracles_and_stay_local(problem):
    check(*problem)


@contextmanager
def tiny_blocks(narrow: int | None = None):
    """Force one-position blocks, split output channels, one-row bands and helper threads."""
    patches = [mock.patch.object(layer_gemm, "WORKSPACE_BYTES", 1), mock.patch.object(layer_gemm, "MIN_BLOCK", 1),
               mock.patch.object(layer_taps, "BAND_BYTES", 1),
               mock.patch.object(layer_threads, "MIN_PARALLEL_MACS", 0),
               mock.patch.object(layer_threads, "WORKERS", 2)]
    if narrow is not None:
        patches.append(mock.patch.object(layer_engine, "NARROW", narrow))
    for patch in patches:
        patch.start()
    try:
        yield
    finally:
        for patch in patches:
            patch.stop()


@pytest.mark.parametrize("narrow", [0, 10 ** 9], ids=["gemm", "taps"])
@given(problem=layers(dtypes=st.sampled_from([np.dtype(d) for d in ("float32", "float64", "complex64", "int16")])))
def test_CV_EQ1_blocked_threaded_paths(narrow, problem):
    X, W, B, attrs = problem
    assume(not isinstance(oracle_or_error(X, W, B, attrs), spec.OutsideSpecError))
    with tiny_blocks(narrow):
        check(X, W, B, attrs)


@pytest.mark.parametrize("narrow", [0, 10 ** 9], ids=["gemm", "taps"])
def test_CV_PD3_NF2_padding_and_infinities_on_a_larger_layer(narrow):
    """A padded tap times an infinite weight is NaN at the border only; NaN in W[o] fills channel o only."""
    rng = np.random.default_rng(5)
    X = rng.standard_normal((2, 4, 9, 11))
    W = rng.standard_normal((6, 2, 3, 3))
    B = rng.standard_normal(6)
    X[0, 1, 4, 5], X[1, 2, 0, 0], X[1, 3, 8, 10] = np.nan, np.inf, -np.inf
    W[1, 0, 0, 0], W[4, 1, 2, 1] = np.nan, -np.inf
    B[5] = np.inf
    attrs = dict(stride=(1, 2), padding=((1, 2), (2, 1)), dilation=(2, 1), groups=2)
    with mock.patch.object(layer_engine, "NARROW", narrow):
        Y = reference.conv(X, W, B, **attrs)
    oracle = spec.conv(X, W, B, **attrs)
    assert_specials_match(Y, oracle, X, W, B, attrs)
    assert np.isnan(Y[:, 1]).all() and np.isfinite(np.delete(Y, [1, 4, 5], axis=1)[0, :3]).any()
    finite = np.isfinite(oracle)
    bound, _ = layer_bound(conv_problem(X, W, B, **attrs))
    assert (np.abs(Y - oracle)[finite] <= 2 * bound[finite]).all()  # both within the bound of the exact value


@pytest.mark.parametrize("shapes", [
    ((0, 2, 5), (3, 2, 2), (3,)),                # N = 0
    ((2, 0, 5), (3, 0, 2), (3,)),                # C = 0: every output is the bias
    ((2, 0, 4, 4), (2, 0, 1, 1), None),          # C = 0, no bias: zeros
    ((1, 2, 0, 4), (2, 2, 1, 1), (2,)),          # a zero-size spatial axis
    ((1, 2, 2, 2), (2, 2, 3, 3), (2,)),          # the kernel exceeds the input: no windows
])
@pytest.mark.parametrize("dtype", ["float32", "int8", "complex128"])
def test_CV_SH2_empty_and_zero_size(shapes, dtype):
    xs, ws, bs = shapes
    d = len(xs) - 2
    X, W = np.ones(xs, dtype), np.ones(ws, dtype)
    B = None if bs is None else np.arange(1, bs[0] + 1).astype(dtype)
    attrs = dict(stride=(1,) * d, padding=((0, 0),) * d, dilation=(1,) * d, groups=1)
    Y = reference.conv(X, W, B, **attrs)
    assert_contract(Y, X, W, B, attrs)
    assert np.array_equal(Y, spec.conv(X, W, B, **attrs))


@given(layers())
def test_CV_MU1_inputs_untouched_and_results_independent(problem):
    X, W, B, attrs = problem
    before = [a.copy() for a in (X, W, B) if a is not None]
    try:
        Y = reference.conv(X, W, B, **attrs)
    except spec.OutsideSpecError:
        return
    kept = Y.copy()
    reference.conv(X, W, B, **attrs)
    for a, b in zip([a for a in (X, W, B) if a is not None], before):
        assert np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    assert np.array_equal(Y, kept, equal_nan=Y.dtype.kind in "fc")


_X, _W = np.ones((1, 2, 4, 4)), np.ones((2, 2, 2, 2))
_ATTRS = dict(stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1)
INVALID = [
    ("CV-IN1", (_X[0, 0], _W, None), {}),
    ("CV-IN1", (_X.tolist(), _W, None), {}),
    ("CV-IN2", (_X, _W[0], None), {}),
    ("CV-IN2", (_X, _W[:, :, :0], None), {}),
    ("CV-IN3", (_X.astype(bool), _W, None), {}),
    ("CV-IN4", (_X, _W, np.ones(3)), {}),
    ("CV-AT1", (_X, _W, None), {"stride": (1, 0)}),
    ("CV-AT1", (_X, _W, None), {"stride": (True, 1)}),
    ("CV-AT2", (_X, _W, None), {"dilation": (1,)}),
    ("CV-AT3", (_X, _W, None), {"groups": 3}),
    ("CV-AT4", (_X, np.ones((2, 1, 2, 2)), None), {}),
    ("CV-PD1", (_X, _W, None), {"padding": ((0, 0), (0, 0.5))}),
    ("CV-PD2", (_X, _W, None), {"padding": "SAME"}),
]


@pytest.mark.parametrize("clause, args, change", INVALID, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(INVALID)])
def test_invalid_inputs_raise_the_specifications_errors(clause, args, change):
    attrs = {**_ATTRS, **change}
    with pytest.raises((TypeError, ValueError)) as from_spec:
        spec.conv(*args, **attrs)
    with pytest.raises((TypeError, ValueError)) as from_reference:
        reference.conv(*args, **attrs)
    assert type(from_reference.value) is type(from_spec.value)
    assert str(from_reference.value) == str(from_spec.value)
    assert from_reference.value.clause == clause


@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "uint64"])
def test_EX2_never_wraps(dtype):
    info = np.iinfo(dtype)
    X, W = np.full((1, 2, 3), info.max, dtype), np.full((1, 2, 2), info.max, dtype)
    attrs = dict(stride=(1,), padding=((0, 0),), dilation=(1,), groups=1)
    with pytest.raises(spec.OutsideSpecError, match=r"^\[EX2\]") as raised:
        reference.conv(X, W, **attrs)
    with pytest.raises(spec.OutsideSpecError) as oracle:
        spec.conv(X, W, **attrs)
    assert str(raised.value) == str(oracle.value)


@pytest.mark.parametrize("dtype, kernel, stride, groups", [
    ("float32", (3, 3), (1, 1), 1), ("float64", (5, 5), (2, 2), 4), ("float64", (3, 3), (1, 1), 64),
])
def test_extra_memory_is_input_plus_output_plus_a_bounded_workspace(dtype, kernel, stride, groups):
    """Peak traced memory within the documented allocations, far below the window matrix."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((2, 64, 96, 96)).astype(dtype)
    W = rng.standard_normal((64, 64 // groups) + kernel).astype(dtype)
    attrs = dict(stride=stride, padding="SAME_UPPER", dilation=(1, 1), groups=groups)
    p = conv_problem(X, W, None, **attrs)
    padded = math.prod(X.shape[:2]) * math.prod(a.padded for a in p.geometry.axes)
    itemsize = X.itemsize
    out_bytes = math.prod(p.out_shape) * itemsize
    window_matrix = math.prod(p.out_shape) // p.out_channels * p.in_channels * math.prod(kernel) * itemsize
    # the padded copy and its finiteness mask, W and its tap-major copy, the result, one block per worker
    workspace = max(layer_gemm.WORKSPACE_BYTES, p.in_per_group * math.prod(kernel) * itemsize,
                    2 * layer_taps.BAND_BYTES)
    budget = padded * (itemsize + 1) + 2 * W.nbytes + out_bytes + layer_threads.WORKERS * workspace
    if p.in_per_group * p.out_per_group <= layer_engine.NARROW:  # the per-tap path's stride phases
        Q = [a.out + (a.kernel - 1) * a.dilation // a.stride for a in p.geometry.axes]
        budget += math.prod(X.shape[:2]) * math.prod(p.stride) * (Q[0] + 1) * math.prod(Q[1:]) * itemsize
    tracemalloc.start()
    try:
        reference.conv(X, W, **attrs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= budget
    assert budget < window_matrix



@pytest.mark.parametrize("case", [
    dict(x=(2, 8, 40), w=(12, 4, 5), stride=(2,), padding=((3, 3),), dilation=(2,), groups=2),
    dict(x=(3, 16, 24, 20), w=(32, 16, 3, 3), stride=(1, 2), padding=((1, 1), (2, 2)), dilation=(1, 1), groups=1),
    dict(x=(2, 12, 18, 18), w=(12, 1, 3, 3), stride=(2, 2), padding=((1, 1), (1, 1)), dilation=(2, 2), groups=12),
    dict(x=(1, 4, 6, 10, 10), w=(8, 2, 3, 3, 3), stride=(1, 1, 2), padding=((1, 1),) * 3, dilation=(1, 2, 1),
         groups=2),
])
def test_agrees_with_torch_on_larger_float64_layers(case):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    X, W = rng.standard_normal(case["x"]), rng.standard_normal(case["w"])
    B = rng.standard_normal(case["w"][0])
    attrs = {k: case[k] for k in ("stride", "padding", "dilation", "groups")}
    Y = reference.conv(X, W, B, **attrs)
    conv_fn = {3: torch.nn.functional.conv1d, 4: torch.nn.functional.conv2d, 5: torch.nn.functional.conv3d}
    x = torch.nn.functional.pad(torch.from_numpy(X), [v for lo_hi in reversed(attrs["padding"]) for v in lo_hi])
    T = conv_fn[X.ndim](x, torch.from_numpy(W), torch.from_numpy(B), stride=attrs["stride"],
                        dilation=attrs["dilation"], groups=attrs["groups"]).numpy()
    bound, unconstrained = layer_bound(conv_problem(X, W, B, **attrs))
    # both lie within the bound of the exact value, so they lie within twice it of each other
    accuracy = compare_componentwise(Y, T, 2 * bound, unconstrained, Y.dtype)
    assert accuracy.ok, accuracy
