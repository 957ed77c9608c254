"""The layer's gradients: negative tests per input clause, the adjoint identities, agreement
with an independent loop and with torch, remainder elements, rounding and special values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convspec.spec import (conv, conv_bias_grad, conv_bias_grad_problem,
                           conv_input_grad, conv_input_grad_problem, conv_weight_grad,
                           conv_weight_grad_problem)
from convspec.spec import exact_input_grad_values, exact_weight_grad_values
from convspec.conformance.comparison import compare_componentwise
from convspec.spec.error_model import (bias_grad_bound, exact_residual, expected_wide,
                                       input_grad_bound, weight_grad_bound)
from grad_cases import inner, loop_input_grad, loop_weight_grad, random_forward
from helpers import assert_refused

A1 = dict(stride=(1,), padding=((0, 0),), dilation=(1,), groups=1)
A2 = dict(stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1)


def _case2d():
    rng = np.random.default_rng(0)
    X = rng.integers(-3, 4, (1, 2, 4, 4)).astype(np.int64)
    W = rng.integers(-3, 4, (3, 2, 2, 2)).astype(np.int64)
    return X, W, np.ones((1, 3, 3, 3), np.int64)


def _dx(dY, W, input_shape=(1, 2, 4, 4), **kw):
    return lambda: conv_input_grad(dY, W, input_shape=input_shape, **{**A2, **kw})


def _dw(X, dY, kernel_shape=(3, 2, 2, 2), **kw):
    return lambda: conv_weight_grad(X, dY, kernel_shape=kernel_shape, **{**A2, **kw})


# --------------------------------------------------------------------------- invalid inputs

def test_DX_IN1_refuses_non_arrays_and_wrong_rank():
    _, W, dY = _case2d()
    assert_refused(_dx(dY.tolist(), W), TypeError, "DX-IN1", "dY")
    assert_refused(_dx(np.ma.masked_array(dY), W), TypeError, "DX-IN1")
    assert_refused(_dx(dY[0, 0], W), ValueError, "DX-IN1", "rank")
    assert_refused(_dx(dY.astype(bool), W), TypeError, "CV-IN3", "dY.dtype")


def test_DX_IN2_refuses_malformed_input_shape():
    _, W, dY = _case2d()
    assert_refused(_dx(dY, W, input_shape=(1, 2, 4)), TypeError, "DX-IN2")
    assert_refused(_dx(dY, W, input_shape=7), TypeError, "DX-IN2")
    assert_refused(_dx(dY, W, input_shape=(1, 2, 4.0, 4)), TypeError, "DX-IN2", "input_shape[2]")
    assert_refused(_dx(dY, W, input_shape=(1, True, 4, 4)), TypeError, "DX-IN2")
    assert_refused(_dx(dY, W, input_shape=(1, 2, -1, 4)), ValueError, "DX-IN2", ">= 0")


def test_DX_AT1_refuses_names_and_reports_the_layers_clauses():
    _, W, dY = _case2d()
    assert_refused(_dx(dY, W, padding="VALID"), TypeError, "DX-AT1", "VALID")
    assert_refused(_dx(dY, W, stride=(0, 1)), ValueError, "CV-AT1")
    assert_refused(_dx(dY, W, dilation=(1,)), TypeError, "CV-AT2")
    assert_refused(_dx(dY, W, groups=2), ValueError, "CV-AT3")
    assert_refused(_dx(dY, W, padding=((0, 0), (0, 0.5))), TypeError, "CV-PD1")
    assert_refused(_dx(dY, W[0]), ValueError, "CV-IN2")
    assert_refused(_dx(dY, W, input_shape=(1, 4, 4, 4)), ValueError, "CV-AT4")


def test_DX_SH1_refuses_dY_of_another_shape():
    _, W, dY = _case2d()
    assert_refused(_dx(dY[:, :, :2], W), ValueError, "DX-SH1", "(1, 3, 3, 3)")
    assert_refused(_dx(dY, W, input_shape=(2, 2, 4, 4)), ValueError, "DX-SH1")
    assert_refused(_dx(dY, W, stride=(2, 1)), ValueError, "DX-SH1")


def test_DW_IN1_refuses_bad_operands():
    X, _, dY = _case2d()
    assert_refused(_dw(X.tolist(), dY), TypeError, "DW-IN1", "X")
    assert_refused(_dw(X, dY.tolist()), TypeError, "DW-IN1", "dY")
    assert_refused(_dw(X, dY[0]), ValueError, "DW-IN1", "rank")
    assert_refused(_dw(X[0, 0], dY[0, 0]), ValueError, "DW-IN1")
    assert_refused(_dw(X, dY.astype(object)), TypeError, "CV-IN3")


def test_DW_IN2_refuses_malformed_kernel_shape():
    X, _, dY = _case2d()
    assert_refused(_dw(X, dY, kernel_shape=(3, 2, 2)), TypeError, "DW-IN2")
    assert_refused(_dw(X, dY, kernel_shape=(3, 2, 0, 2)), ValueError, "DW-IN2", ">= 1")
    assert_refused(_dw(X, dY, kernel_shape=(3, 2, np.float64(2), 2)), TypeError, "DW-IN2")


def test_DW_AT1_refuses_names_and_reports_the_layers_clauses():
    X, _, dY = _case2d()
    assert_refused(_dw(X, dY, padding="SAME_UPPER"), TypeError, "DW-AT1")
    assert_refused(_dw(X, dY, stride=(1, True)), TypeError, "CV-AT1")
    assert_refused(_dw(X, dY, kernel_shape=(3, 1, 2, 2)), ValueError, "CV-AT4")
    assert_refused(_dw(X, dY, groups=0), ValueError, "CV-AT3")


def test_DW_SH1_refuses_dY_of_another_shape():
    X, _, dY = _case2d()
    assert_refused(_dw(X, dY, kernel_shape=(2, 2, 2, 2)), ValueError, "DW-SH1")
    assert_refused(_dw(X, dY, padding=((1, 0), (0, 0))), ValueError, "DW-SH1")


def test_DB_IN1_refuses_bad_operands():
    for bad, exc in [([[[1.0]]], TypeError), (np.ones((2, 3)), ValueError),
                     (np.ones((1, 1, 1, 1, 1, 1)), ValueError)]:
        assert_refused(lambda: conv_bias_grad(bad), exc, "DB-IN1")
    assert_refused(lambda: conv_bias_grad(np.ones((1, 2, 3), dtype="m8[s]")), TypeError, "CV-IN3")


# --------------------------------------------------------------------------- values

@pytest.mark.clause("DW-AD1")
@pytest.mark.parametrize("seed", range(30))
def test_DX_AD1_and_DW_AD1_adjoint_identities_hold_exactly(seed):
    rng = np.random.default_rng(seed)
    X, W, attrs = random_forward(rng)
    Y = conv(X, W, **attrs)
    dY = rng.integers(-5, 6, Y.shape).astype(np.int64)
    dX = conv_input_grad(dY, W, input_shape=X.shape, **attrs)
    dW = conv_weight_grad(X, dY, kernel_shape=W.shape, **attrs)
    forward = inner(Y, dY)
    assert inner(X, dX) == forward  # DX-AD1
    assert inner(W, dW) == forward  # DW-AD1
    # a gradient with one element off breaks the identity, so the check has teeth
    if dX.size and X.flat[0] != 0:
        off = dX.copy()
        off.flat[0] += 1
        assert inner(X, off) != forward


@pytest.mark.clause("DW-EQ1", "DX-RD1", "DW-RD1")
@pytest.mark.parametrize("seed", range(30, 55))
def test_DX_EQ1_gradients_match_an_independent_loop(seed):
    rng = np.random.default_rng(seed)
    X, W, attrs = random_forward(rng)
    dY = rng.integers(-5, 6, conv(X, W, **attrs).shape).astype(np.int64)
    dX = conv_input_grad(dY, W, input_shape=X.shape, **attrs)
    dW = conv_weight_grad(X, dY, kernel_shape=W.shape, **attrs)
    assert dX.dtype == dW.dtype == np.int64
    assert (dX.astype(object) == loop_input_grad(dY, W, X.shape, **attrs)).all()
    assert (dW.astype(object) == loop_weight_grad(X, dY, W.shape, **attrs)).all()


def _unread(shape, W_shape, stride, padding, dilation, out):
    """Spatial input positions no window reads, found by brute force over (j, a)."""
    read = set()
    for j in np.ndindex(*out):
        for a in np.ndindex(*W_shape[2:]):
            read.add(tuple(j[t] * stride[t] + a[t] * dilation[t] - padding[t][0] for t in range(len(j))))
    return [u for u in np.ndindex(*shape[2:]) if u not in read]


@pytest.mark.parametrize("stride,padding,dilation,size", [
    ((3,), ((0, 0),), (1,), 8),      # remainder past the last window, gaps between windows
    ((2,), ((-2, -1),), (1,), 9),    # negative pads crop
    ((4,), ((1, 0),), (2,), 10),     # stride larger than the dilation leaves holes
])
def test_DX_EQ2_unread_elements_are_positive_zero(stride, padding, dilation, size):
    W = -np.ones((2, 1, 2))
    attrs = dict(stride=stride, padding=padding, dilation=dilation, groups=1)
    out = conv(np.zeros((1, 1, size)), W, **attrs).shape
    dY = np.zeros(out)
    dY[0, 0, 0] = np.nan
    dY[0, 1, -1] = np.inf
    dX = conv_input_grad(dY, W, input_shape=(1, 1, size), **attrs)
    unread = _unread((1, 1, size), W.shape, stride, padding, dilation, out[2:])
    assert unread, "the case must leave elements unread"
    for (u,) in unread:
        assert dX[0, 0, u] == 0 and math.copysign(1.0, dX[0, 0, u]) == 1.0
    assert not np.isfinite(np.delete(dX[0, 0], [u for (u,) in unread])).all()


def test_DX_SH2_and_DW_SH2_empty_problems():
    W = np.ones((3, 2, 2, 2))
    assert conv_input_grad(np.ones((0, 3, 3, 3)), W, input_shape=(0, 2, 4, 4), **A2).shape == (0, 2, 4, 4)
    # no windows: every element of X is unread
    attrs = {**A2, "dilation": (5, 1)}
    dX = conv_input_grad(np.ones((1, 3, 0, 3)), W, input_shape=(1, 2, 4, 4), **attrs)
    assert dX.shape == (1, 2, 4, 4) and not dX.any()
    dW = conv_weight_grad(np.ones((1, 2, 4, 4)), np.ones((1, 3, 0, 3)), kernel_shape=W.shape, **attrs)
    assert dW.shape == W.shape and not dW.any()
    dW0 = conv_weight_grad(np.ones((0, 2, 4, 4)), np.ones((0, 3, 3, 3)), kernel_shape=W.shape, **A2)
    assert dW0.shape == W.shape and not dW0.any()
    dX_c0 = conv_input_grad(np.ones((1, 3, 3, 3)), W[:, :0], input_shape=(1, 0, 4, 4), **A2)
    assert dX_c0.shape == (1, 0, 4, 4)


@pytest.mark.clause("DW-DT1", "DB-DT1")
def test_DX_DT1_output_dtypes_follow_result_type():
    dY = np.ones((1, 1, 2), np.int8)
    W = np.ones((1, 1, 2), np.float32)
    X = np.ones((1, 1, 3), np.uint16)
    assert conv_input_grad(dY, W, input_shape=(1, 1, 3), **A1).dtype == np.float32
    assert conv_weight_grad(X, dY, kernel_shape=(1, 1, 2), **A1).dtype == np.result_type(np.uint16, np.int8)
    assert conv_bias_grad(dY).dtype == np.int8
    assert conv_bias_grad(dY.astype(np.complex64)).dtype == np.complex64


@pytest.mark.clause("DW-RD1", "DB-RD1")
def test_DX_RD1_float16_sums_are_rounded_once():
    tiny = 2.0 ** -11  # 1 + tiny rounds back to 1 in float16; 1 + 2 tiny is representable
    values = np.array([1.0, tiny, tiny], np.float16)
    dX = conv_input_grad(values.reshape(1, 3, 1), np.ones((3, 1, 1), np.float16), input_shape=(1, 1, 1), **A1)
    dW = conv_weight_grad(values.reshape(3, 1, 1), np.ones((3, 1, 1), np.float16), kernel_shape=(1, 1, 1), **A1)
    dB = conv_bias_grad(values.reshape(3, 1, 1))
    for result in (dX, dW, dB):
        assert result.dtype == np.float16 and result.ravel()[0] == np.float16(1 + 2 * tiny)


def test_DB_EQ1_bias_gradient_sums_batch_and_space():
    rng = np.random.default_rng(3)
    for shape in [(2, 3, 4), (1, 2, 3, 2), (2, 1, 2, 2, 2), (0, 2, 3), (2, 3, 0, 1)]:
        dY = rng.integers(-9, 10, shape).astype(np.int32)
        dB = conv_bias_grad(dY)
        want = [sum(int(v) for v in dY[:, o].flat) for o in range(shape[1])]
        assert dB.shape == (shape[1],) and dB.tolist() == want
    negative_zeros = conv_bias_grad(np.full((2, 1, 2), -0.0))
    assert negative_zeros[0] == 0 and math.copysign(1.0, negative_zeros[0]) == -1.0


def test_DX_NF1_special_values_reach_exactly_the_fed_elements():
    attrs = dict(stride=(2, 1), padding=((1, 0), (0, 1)), dilation=(1, 2), groups=2)
    shape = (1, 4, 5, 4)
    W = np.ones((4, 2, 2, 2))
    out = conv(np.zeros(shape), W, **attrs).shape
    dY = np.zeros(out)
    dY[0, 2, 1, 0] = np.inf  # output channel 2: group 1 (input channels 2, 3)
    dX = conv_input_grad(dY, W, input_shape=shape, **attrs)
    # window (1, 0) reads rows 1*2 + a - 1 and columns 0*1 + b*2 - 0 of channels 2 and 3
    fed = {(c, 2 + a - 1, 2 * b) for c in (2, 3) for a in range(2) for b in range(2) if 2 * b < 4}
    assert {(c, u, v) for _, c, u, v in zip(*np.nonzero(~np.isfinite(dX)))} == fed
    # an infinite weight times zero dY is NaN exactly where the weight's tap is a term
    W = np.ones((4, 2, 2, 2))
    W[1, 0, 1, 0] = np.inf  # output channel 1 (group 0), input channel 0, tap (1, 0)
    dX = conv_input_grad(np.zeros(out), W, input_shape=shape, **attrs)
    # tap (1, 0) of window j reads row j0*2 + 1 - 1 and column j1*1 + 0*2 - 0
    reached = {(2 * j0, j1) for j0, j1 in np.ndindex(*out[2:]) if 2 * j0 < 5 and j1 < 4}
    assert {(int(c), int(u), int(v)) for _, c, u, v in zip(*np.nonzero(np.isnan(dX)))} == {(0, u, v) for u, v in reached}
    assert (dX[np.isfinite(dX)] == 0).all()


def test_DW_NF1_special_values_reach_exactly_the_fed_taps():
    attrs = dict(stride=(2,), padding=((0, 0),), dilation=(1,), groups=2)
    X = np.ones((1, 2, 5))
    X[0, 1, 2] = np.nan  # channel 1 (group 1) element 2, read by window 1 tap 0 and window 0 tap 2
    dW = conv_weight_grad(X, np.ones((1, 4, 2)), kernel_shape=(4, 1, 3), **attrs)
    assert {(int(o), int(a)) for o, _, a in zip(*np.nonzero(np.isnan(dW)))} == {(2, 0), (3, 0), (2, 2), (3, 2)}
    assert np.isfinite(dW[:2]).all()


def test_DW_PD1_padding_zero_times_infinite_dY_is_nan():
    attrs = dict(stride=(1,), padding=((1, 0),), dilation=(1,), groups=1)
    dY = np.array([[[np.inf, 1.0]]])
    dW = conv_weight_grad(np.ones((1, 1, 2)), dY, kernel_shape=(1, 1, 2), **attrs)
    assert np.isnan(dW[0, 0, 0]) and dW[0, 0, 1] == np.inf  # tap 0 reads the pad in window 0


# --------------------------------------------------------------------------- accuracy, torch

torch = pytest.importorskip("torch")
_INPUT = {1: torch.nn.grad.conv1d_input, 2: torch.nn.grad.conv2d_input, 3: torch.nn.grad.conv3d_input}
_WEIGHT = {1: torch.nn.grad.conv1d_weight, 2: torch.nn.grad.conv2d_weight, 3: torch.nn.grad.conv3d_weight}


@pytest.mark.clause("DW-AC1", "DX-EQ1", "DW-EQ1")
@pytest.mark.parametrize("seed", range(12))
def test_DX_AC1_torch_gradients_lie_within_the_bound(seed):
    rng = np.random.default_rng(100 + seed)
    X, W, attrs = random_forward(rng, dtype=np.float64, pads=(0, 3))
    attrs["padding"] = tuple((lo, lo) for lo, _ in attrs["padding"])  # torch pads symmetrically
    X, W = rng.standard_normal(X.shape), rng.standard_normal(W.shape)
    out = conv(X, W, **attrs).shape
    if 0 in out:
        return
    dY = rng.standard_normal(out)
    d = X.ndim - 2
    keys = dict(stride=attrs["stride"], padding=[lo for lo, _ in attrs["padding"]],
                dilation=attrs["dilation"], groups=attrs["groups"])
    theirs_dx = _INPUT[d](X.shape, torch.from_numpy(W), torch.from_numpy(dY), **keys).numpy()
    theirs_dw = _WEIGHT[d](torch.from_numpy(X), W.shape, torch.from_numpy(dY), **keys).numpy()
    p = conv_input_grad_problem(dY, W, input_shape=X.shape, **attrs)
    q = conv_weight_grad_problem(X, dY, kernel_shape=W.shape, **attrs)
    for theirs, exact, (bound, free) in [(theirs_dx, exact_input_grad_values(p), input_grad_bound(p)),
                                         (theirs_dw, exact_weight_grad_values(q), weight_grad_bound(q))]:
        wide = expected_wide(exact)
        assert not free.any()
        assert compare_componentwise(theirs, wide, bound, free, np.float64, exact_residual(exact, wide)).ok


def _float32_sum_in_order(pairs, order) -> np.float32:
    total = np.float32(0)
    for k in order:
        x, w = pairs[k]
        total = np.float32(total + np.float32(x) * np.float32(w))
    return total


@pytest.mark.clause("DX-AC1", "DB-AC1")
def test_DW_AC1_bound_admits_any_summation_order_and_rejects_a_wrong_value():
    from convspec.spec.gradients import input_grad_terms, weight_grad_terms
    rng = np.random.default_rng(7)
    attrs = dict(stride=(1, 2), padding=((1, 1), (0, -1)), dilation=(1, 1), groups=1)
    X = rng.standard_normal((4, 2, 6, 7)).astype(np.float32)
    W = rng.standard_normal((2, 2, 3, 2)).astype(np.float32)
    dY = rng.standard_normal(conv(X, W, **attrs).shape).astype(np.float32)
    q = conv_weight_grad_problem(X, dY, kernel_shape=W.shape, **attrs)
    p = conv_input_grad_problem(dY, W, input_shape=X.shape, **attrs)
    Xp = q.geometry.pad(X)
    exact_dw = conv_weight_grad(X.astype(np.float64), dY.astype(np.float64), kernel_shape=W.shape, **attrs)
    exact_dx = conv_input_grad(dY.astype(np.float64), W.astype(np.float64), input_shape=X.shape, **attrs)
    for prob, exact, bound_of, terms_of in [
            (q, exact_dw, weight_grad_bound, lambda i: weight_grad_terms(q, Xp, i[0], i[1], i[2:])),
            (p, exact_dx, input_grad_bound, lambda i: input_grad_terms(p, i[0], i[1], i[2:]))]:
        bound, free = bound_of(prob)
        for order_kind in ("forward", "reverse", "random"):
            ours = np.empty(prob.out_shape, np.float32)
            for idx in np.ndindex(*prob.out_shape):
                pairs = terms_of(idx)
                order = {"forward": range(len(pairs)), "reverse": range(len(pairs) - 1, -1, -1),
                         "random": rng.permutation(len(pairs))}[order_kind]
                ours[idx] = _float32_sum_in_order(pairs, order)
            assert compare_componentwise(ours, exact, bound, free, np.float32).ok, order_kind
        wrong = exact.astype(np.float32)
        worst = np.unravel_index(np.argmax(bound), bound.shape)
        wrong[worst] += np.float32(4 * bound[worst])
        assert not compare_componentwise(wrong, exact, bound, free, np.float32).ok
    dB_bound, _ = bias_grad_bound(conv_bias_grad_problem(dY))
    dB = np.array([_float32_sum_in_order([(v, 1.0) for v in dY[:, o].flat], range(dY[:, o].size))
                   for o in range(dY.shape[1])], np.float32)
    assert compare_componentwise(dB, conv_bias_grad(dY.astype(np.float64)), dB_bound,
                                 np.zeros(dB.shape, bool), np.float32).ok


def test_DX_AC1_nonfinite_elements_are_left_to_DX_NF1():
    W = np.ones((1, 1, 2))
    dY = np.array([[[np.inf, 1.0, 1.0]]])
    _, free = input_grad_bound(conv_input_grad_problem(dY, W, input_shape=(1, 1, 4), **A1))
    assert free.tolist() == [[[True, True, False, False]]]
    _, free_w = weight_grad_bound(conv_weight_grad_problem(np.ones((1, 1, 4)), dY, kernel_shape=(1, 1, 2), **A1))
    assert free_w.all()
