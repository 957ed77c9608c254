"""The fast gradients and transposed convolution of ``convspec.reference`` against the specification.

Random small forward problems (ranks 1-3, groups, dilation, padding of any
sign, every admitted dtype and layout) give the operands of the three
gradients; their incoming gradient, read as an input, with the forward weights
gives a transposed convolution.  Integer results must equal the exact oracle
(or raise its EX2 error), floating and complex ones lie within the error
model's bounds of its exact values, special values are the oracle's and stay
on the elements whose terms hold them, errors are the oracle's.  The adjoint
identities are checked exactly on integers, the transposed convolution
against the input gradient, and float64 results against torch.
"""

from __future__ import annotations

import tracemalloc
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from convspec import reference, spec
from convspec.reference import grad_weight, layer_engine, layer_gemm, layer_threads
from convspec.spec import error_model
from convspec.conformance.comparison import compare_componentwise
from convspec.spec.error_model import exact_residual, expected_wide
from grad_cases import inner
from test_reference_layer import DTYPES, FLOATING, LAYOUTS, elements, layers, with_layout

OPS = ("input_grad", "weight_grad", "bias_grad", "transpose")


@st.composite
def gradient_problems(draw, dtypes=st.sampled_from(DTYPES), special: bool = False):
    """``(X, W, dY, attributes, output_padding)``: a layer problem with pairs of pads and its dY."""
    X, W, _, attrs = draw(layers(dtypes, special))
    forward = spec.conv_problem(X, W, stride=attrs["stride"], padding=attrs["padding"],
                                dilation=attrs["dilation"], groups=attrs["groups"])
    attrs = {**attrs, "padding": forward.padding}
    dy_dtype = draw(dtypes, label="dY dtype")
    dY = draw(arrays(dy_dtype, forward.out_shape, elements=elements(dy_dtype, special)), label="dY")
    dY = with_layout(dY, draw(st.sampled_from(LAYOUTS), label="dY layout"))
    extra = tuple(draw(st.integers(0, max(s, d) - 1), label="output_padding")
                  for s, d in zip(attrs["stride"], attrs["dilation"]))
    return X, W, dY, attrs, extra


def calls(X, W, dY, attrs, extra, impl):
    """The four operations of one problem: ``name -> (callable, problem builder)``.

    The transposed convolution reads dY as its input and W as its (C, O/g, *K) weights, with the
    negative pads dropped and the bias dY's channel count over the groups taken from W's channels.
    """
    pads = tuple((max(lo, 0), max(hi, 0)) for lo, hi in attrs["padding"])
    B = np.arange(W.shape[1] * attrs["groups"]).astype(W.dtype)[::-1].copy()
    t_attrs = dict(stride=attrs["stride"], padding=pads, output_padding=extra, dilation=attrs["dilation"],
                   groups=attrs["groups"])
    return {
        "input_grad": (lambda: impl.conv_input_grad(dY, W, input_shape=X.shape, **attrs),
                       lambda: spec.conv_input_grad_problem(dY, W, input_shape=X.shape, **attrs)),
        "weight_grad": (lambda: impl.conv_weight_grad(X, dY, kernel_shape=W.shape, **attrs),
                        lambda: spec.conv_weight_grad_problem(X, dY, kernel_shape=W.shape, **attrs)),
        "bias_grad": (lambda: impl.conv_bias_grad(dY), lambda: spec.conv_bias_grad_problem(dY)),
        "transpose": (lambda: impl.conv_transpose(dY, W, B, **t_attrs),
                      lambda: spec.conv_transpose_problem(dY, W, B, **t_attrs)),
    }


EXACT = {"input_grad": spec.exact_input_grad_values, "weight_grad": spec.exact_weight_grad_values,
         "bias_grad": spec.exact_bias_grad_values, "transpose": spec.exact_transpose_values}
BOUND = {"input_grad": error_model.input_grad_bound, "weight_grad": error_model.weight_grad_bound,
         "bias_grad": error_model.bias_grad_bound, "transpose": error_model.transpose_bound}


def _operands(p) -> list[np.ndarray]:
    names = {"InputGradProblem": ("dY", "W"), "WeightGradProblem": ("X", "dY"),
             "BiasGradProblem": ("dY",), "TransposeProblem": ("X", "W", "B")}[type(p).__name__]
    return [getattr(p, n) for n in names if getattr(p, n) is not None]


def _finite_part(problem):
    """The problem with NaN and infinities replaced by zeros (the bounds' sums of magnitudes are unchanged)."""
    X, W, dY, attrs, extra = problem
    return (*(np.where(np.isfinite(a), a, 0) if a.dtype.kind in "fc" else a for a in (X, W, dY)), attrs, extra)


def check(name: str, problem) -> None:
    """One operation of one problem: the oracle's errors, exact integers, the bound, local specials."""
    ours, build = calls(*problem, reference)[name]
    theirs, _ = calls(*problem, spec)[name]
    try:
        p = build()
    except (TypeError, ValueError) as refused:  # e.g. a negative transposed output length (TC-SH2)
        with pytest.raises(type(refused)) as raised:
            ours()
        assert str(raised.value) == str(refused)
        return
    try:
        oracle = theirs()
    except spec.OutsideSpecError as error:
        with pytest.raises(spec.OutsideSpecError) as raised:
            ours()
        assert str(raised.value) == str(error)  # EX2: the same first element, the same message
        return
    Y = ours()
    operands = _operands(p)
    assert type(Y) is np.ndarray and Y.shape == p.out_shape and Y.dtype == p.out_dtype  # checks: DX-SH2, DX-DT1
    assert Y.flags.c_contiguous and not any(np.shares_memory(Y, a) for a in operands)
    if all(a.dtype.kind in "iu" for a in operands):
        assert np.array_equal(Y, oracle)  # checks: DX-RD1, DW-RD1, DB-RD1, TC-RD1
        return
    bound, free = BOUND[name](p)
    _, overflows = BOUND[name](calls(*_finite_part(problem), spec)[name][1]())
    held = free & ~overflows  # the elements whose terms hold NaN or an infinity: NF1 judges them
    assert np.array_equal(np.isnan(Y[held]), np.isnan(oracle[held]))  # checks: DX-NF1, DW-NF1, TC-NF1
    if Y.dtype.kind != "c":
        assert np.array_equal(Y[held & np.isinf(oracle)], oracle[held & np.isinf(oracle)])
    exact = EXACT[name](p)
    wide = expected_wide(exact)
    accuracy = compare_componentwise(Y, wide, bound, free, Y.dtype, residual=exact_residual(exact, wide))
    assert accuracy.ok, accuracy  # checks: DX-AC1, DW-AC1, DB-AC1, TC-AC1


@pytest.mark.clause("DX-EQ1", "DW-EQ1", "DB-EQ1", "TC-EQ1", "DX-AC1", "DW-AC1", "TC-AC1")
@pytest.mark.parametrize("name", OPS)
@settings(max_examples=30)
@given(problem=gradient_problems())
def test_every_dtype_rank_geometry_and_layout(name, problem):
    check(name, problem)


@pytest.mark.clause("DX-NF1", "DW-NF1", "DW-PD1", "TC-NF1", "DB-RD1")
@pytest.mark.parametrize("name", OPS)
@settings(max_examples=30)
@given(problem=gradient_problems(dtypes=st.sampled_from(FLOATING), special=True))
def test_special_values_are_the_oracles_and_stay_local(name, problem):
    check(name, problem)


def tiny_blocks():
    """One-position blocks, one-column products (the shifted views at unit strides) and helper threads."""
    return [mock.patch.object(layer_gemm, "WORKSPACE_BYTES", 1), mock.patch.object(layer_gemm, "MIN_BLOCK", 1),
            mock.patch.object(grad_weight, "MIN_COLUMNS", 1),
            mock.patch.object(layer_threads, "MIN_PARALLEL_MACS", 0),
            mock.patch.object(layer_threads, "WORKERS", 2)]


@pytest.mark.parametrize("narrow", [0, 10 ** 9], ids=["gemm", "taps"])
@settings(max_examples=20)
@given(problem=st.one_of(
    gradient_problems(dtypes=st.sampled_from([np.dtype(d) for d in ("float32", "complex64", "int16")])),
    gradient_problems(dtypes=st.sampled_from(FLOATING), special=True)))
def test_blocked_threaded_paths(narrow, problem):
    patches = tiny_blocks() + [mock.patch.object(layer_engine, "NARROW", narrow)]
    for patch in patches:
        patch.start()
    try:
        for name in ("input_grad", "weight_grad", "transpose"):
            check(name, problem)
    finally:
        for patch in patches:
            patch.stop()


# --------------------------------------------------------------------------- identities

@pytest.mark.clause("DX-AD1", "DW-AD1")
@settings(max_examples=30)
@given(problem=gradient_problems(dtypes=st.just(np.dtype(np.int64))))
def test_adjoint_identities_hold_exactly_on_integers(problem):
    X, W, dY, attrs, _ = problem
    X, W, dY = (np.clip(a, -20, 20) for a in (X, W, dY))
    Y = reference.conv(X, W, **attrs)
    dX = reference.conv_input_grad(dY, W, input_shape=X.shape, **attrs)
    dW = reference.conv_weight_grad(X, dY, kernel_shape=W.shape, **attrs)
    assert inner(Y, dY) == inner(X, dX) == inner(W, dW)  # checks: DX-AD1, DW-AD1


@pytest.mark.clause("TC-AD1")
@settings(max_examples=30)
@given(problem=gradient_problems(dtypes=st.sampled_from(FLOATING), special=True))
def test_transpose_is_the_input_gradient_of_its_forward_problem(problem):
    """With every output_padding < stride the two agree exactly, special values and zero signs included."""
    _, W, X, attrs, extra = problem
    extra = tuple(min(e, s - 1) for e, s in zip(extra, attrs["stride"]))
    pads = tuple((max(lo, 0), max(hi, 0)) for lo, hi in attrs["padding"])
    try:
        p = spec.conv_transpose_problem(X, W, stride=attrs["stride"], padding=pads, output_padding=extra,
                                        dilation=attrs["dilation"], groups=attrs["groups"])
    except ValueError:
        return
    Y = reference.conv_transpose(X, W, stride=attrs["stride"], padding=pads, output_padding=extra,
                                 dilation=attrs["dilation"], groups=attrs["groups"])
    dY, keys = p.as_input_grad()
    dX = reference.conv_input_grad(dY, W, **keys)
    same = (Y == dX) & (np.signbit(Y.real) == np.signbit(dX.real)) | (np.isnan(Y) & np.isnan(dX))
    assert same.all()  # checks: TC-AD1


@pytest.mark.clause("DX-EQ2")
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_elements_no_window_reads_are_positive_zero(dtype):
    """Remainder rows, rows skipped by the stride and cropped rows: exactly +0 under negative weights."""
    attrs = dict(stride=(3, 2), padding=((-1, 0), (0, 1)), dilation=(1, 1), groups=1)
    X = np.zeros((2, 3, 12, 9), dtype)
    W = -np.ones((4, 3, 2, 1), dtype)
    dY = np.zeros(reference.conv(X, W, **attrs).shape, dtype)
    dY[0, 0] = -1  # 0 · (-1) is -0 in the fed rows of the other batch element
    dX = reference.conv_input_grad(dY, W, input_shape=X.shape, **attrs)
    p = spec.conv_input_grad_problem(dY, W, input_shape=X.shape, **attrs)
    unfed = np.broadcast_to(p.term_counts() == 0, dX.shape)
    assert unfed.any() and (dX[unfed] == 0).all() and not np.signbit(dX[unfed]).any()
    assert np.array_equal(dX, spec.conv_input_grad(dY, W, input_shape=X.shape, **attrs))


# --------------------------------------------------------------------------- errors

_dY, _W, _X = np.ones((1, 3, 3, 3)), np.ones((3, 2, 2, 2)), np.ones((1, 2, 4, 4))
_A = dict(stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1)
_T = dict(stride=(1, 1), padding=((0, 0), (0, 0)), output_padding=(0, 0), dilation=(1, 1), groups=1)
INVALID = [
    ("DX-IN1", "conv_input_grad", (_dY.tolist(), _W), dict(input_shape=_X.shape, **_A)),
    ("DX-IN2", "conv_input_grad", (_dY, _W), dict(input_shape=(1, 2, 4), **_A)),
    ("DX-AT1", "conv_input_grad", (_dY, _W), dict(input_shape=_X.shape, **{**_A, "padding": "VALID"})),
    ("DX-SH1", "conv_input_grad", (_dY[:, :, :2], _W), dict(input_shape=_X.shape, **_A)),
    ("CV-AT1", "conv_input_grad", (_dY, _W), dict(input_shape=_X.shape, **{**_A, "stride": (0, 1)})),
    ("DW-IN1", "conv_weight_grad", (_X, _dY[0]), dict(kernel_shape=_W.shape, **_A)),
    ("DW-IN2", "conv_weight_grad", (_X, _dY), dict(kernel_shape=(3, 2, 0, 2), **_A)),
    ("DW-SH1", "conv_weight_grad", (_X, _dY), dict(kernel_shape=(3, 2, 3, 3), **_A)),
    ("DB-IN1", "conv_bias_grad", (_dY[0, 0],), {}),
    ("TC-IN2", "conv_transpose", (_X, _W), _T),
    ("TC-PD1", "conv_transpose", (_X, _W[:2]), {**_T, "padding": ((0, -1), (0, 0))}),
    ("TC-AT2", "conv_transpose", (_X, _W[:2]), {**_T, "output_padding": (1, 0)}),
    ("TC-IN3", "conv_transpose", (_X, _W[:2], np.ones(3)), _T),
]


@pytest.mark.parametrize("clause, op, args, keys", INVALID, ids=[f"{c}-{i}" for i, (c, *_) in enumerate(INVALID)])
def test_invalid_inputs_raise_the_specifications_errors(clause, op, args, keys):
    with pytest.raises((TypeError, ValueError)) as from_spec:
        getattr(spec, op)(*args, **keys)
    with pytest.raises((TypeError, ValueError)) as from_reference:
        getattr(reference, op)(*args, **keys)
    assert type(from_reference.value) is type(from_spec.value)
    assert str(from_reference.value) == str(from_spec.value)
    assert from_reference.value.clause == clause


@pytest.mark.parametrize("dtype", ["int8", "int64", "uint64"])
def test_EX2_never_wraps(dtype):
    info = np.iinfo(dtype)
    X, W = np.full((1, 2, 5), info.max, dtype), np.full((3, 2, 2), info.max, dtype)
    attrs = dict(stride=(1,), padding=((0, 0),), dilation=(1,), groups=1)
    dY = np.full((1, 3, 4), info.max, dtype)
    for op, args, keys in [("conv_input_grad", (dY, W), dict(input_shape=X.shape)),
                           ("conv_weight_grad", (X, dY), dict(kernel_shape=W.shape)),
                           ("conv_bias_grad", (dY,), None)]:
        keys = attrs | keys if keys is not None else {}
        with pytest.raises(spec.OutsideSpecError, match=r"^\[EX2\]") as raised:
            getattr(reference, op)(*args, **keys)
        with pytest.raises(spec.OutsideSpecError) as oracle:
            getattr(spec, op)(*args, **keys)
        assert str(raised.value) == str(oracle.value)


# --------------------------------------------------------------------------- memory, torch

def test_extra_memory_is_bounded_by_the_operands_and_one_block_per_worker():
    """dX and dW of a padded layer: far below the window matrix of the whole problem."""
    rng = np.random.default_rng(2)
    X = rng.standard_normal((2, 64, 48, 48))
    W = rng.standard_normal((64, 64, 5, 5))
    attrs = dict(stride=(1, 1), padding=((2, 2), (2, 2)), dilation=(1, 1), groups=1)
    dY = rng.standard_normal(reference.conv(X, W, **attrs).shape)
    window_matrix = dY.size // W.shape[0] * W[0].size * 8
    workspace = max(layer_gemm.WORKSPACE_BYTES, grad_weight.MIN_COLUMNS * W[0].size * 8)
    padded = X.shape[0] * X.shape[1] * 52 * 52 * 8
    for call, result in [(lambda: reference.conv_input_grad(dY, W, input_shape=X.shape, **attrs), X.nbytes),
                         (lambda: reference.conv_weight_grad(X, dY, kernel_shape=W.shape, **attrs), W.nbytes)]:
        # a padded copy (and its phases), a copy of each operand, the result, per worker a block and an
        # accumulator of dW
        budget = 2 * padded + dY.nbytes + 2 * W.nbytes + 2 * result + layer_threads.WORKERS * (workspace + W.nbytes)
        tracemalloc.start()
        try:
            call()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak <= budget < window_matrix


torch = pytest.importorskip("torch")


@pytest.mark.clause("DX-AC1", "DW-AC1")
@pytest.mark.parametrize("seed", range(6))
def test_float64_gradients_agree_with_torch_within_both_bounds(seed):
    """|ours − torch| is at most the sum of the two DX-AC1 / DW-AC1 bounds (torch's own is checked in
    the specification's tests); torch autograd for the gradients, ``torch.nn.grad`` for 2-D."""
    rng = np.random.default_rng(40 + seed)
    d = 1 + seed % 3
    groups = 1 + seed % 2
    C, O = 3 * groups, 2 * groups
    S = tuple(int(v) for v in rng.integers(6, 11, d))
    K = tuple(int(v) for v in rng.integers(1, 4, d))
    attrs = dict(stride=tuple(int(v) for v in rng.integers(1, 3, d)),
                 padding=tuple((int(p), int(p)) for p in rng.integers(0, 2, d)),
                 dilation=tuple(int(v) for v in rng.integers(1, 3, d)), groups=groups)
    X, W = rng.standard_normal((2, C, *S)), rng.standard_normal((O, C // groups, *K))
    dY = rng.standard_normal(reference.conv(X, W, **attrs).shape)
    keys = dict(stride=attrs["stride"], padding=[p for p, _ in attrs["padding"]], dilation=attrs["dilation"],
                groups=groups)
    x, w = torch.from_numpy(X).requires_grad_(), torch.from_numpy(W).requires_grad_()
    conv = {1: torch.nn.functional.conv1d, 2: torch.nn.functional.conv2d, 3: torch.nn.functional.conv3d}[d]
    conv(x, w, **keys).backward(torch.from_numpy(dY))
    theirs_dx, theirs_dw = [x.grad.numpy()], [w.grad.numpy()]
    if d == 2:
        t_dy = torch.from_numpy(dY)
        theirs_dx.append(torch.nn.grad.conv2d_input(X.shape, w.detach(), t_dy, **keys).numpy())
        theirs_dw.append(torch.nn.grad.conv2d_weight(x.detach(), W.shape, t_dy, **keys).numpy())
    p = spec.conv_input_grad_problem(dY, W, input_shape=X.shape, **attrs)
    q = spec.conv_weight_grad_problem(X, dY, kernel_shape=W.shape, **attrs)
    dX = reference.conv_input_grad(dY, W, input_shape=X.shape, **attrs)
    dW = reference.conv_weight_grad(X, dY, kernel_shape=W.shape, **attrs)
    for ours, others, (bound, free) in [(dX, theirs_dx, error_model.input_grad_bound(p)),
                                        (dW, theirs_dw, error_model.weight_grad_bound(q))]:
        assert not free.any()
        for other in others:
            assert compare_componentwise(ours, other, 2 * bound, free, np.float64).ok
