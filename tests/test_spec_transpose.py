"""The transposed convolution: negative tests per input clause, the output shape, agreement
with a literal scatter loop and with torch, the identity with the input gradient, rounding
and special values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convspec.spec import (conv_input_grad, conv_transpose, conv_transpose_problem, exact_transpose_values,
                           transposed_size)
from convspec.conformance.comparison import compare_componentwise
from convspec.spec.error_model import exact_residual, expected_wide, transpose_bound
from grad_cases import loop_transpose
from helpers import assert_identical, assert_refused

T1 = dict(stride=(2,), padding=((0, 0),), output_padding=(0,), dilation=(1,), groups=1)


def _tc(X=None, W=None, B=None, **kw):
    X = np.ones((1, 2, 3)) if X is None else X
    W = np.ones((2, 3, 2)) if W is None else W
    return lambda: conv_transpose(X, W, B, **{**T1, **kw})


def random_transpose(rng, dtype=np.int64, symmetric=False):
    """``(X, W, B, attributes)`` of a random valid transposed convolution of rank 1-3."""
    while True:
        d = int(rng.integers(1, 4))
        groups = int(rng.integers(1, 3))
        C, Og = groups * int(rng.integers(1, 3)), int(rng.integers(1, 3))
        I = tuple(int(v) for v in rng.integers(1, 5 - d + 1, d))
        K = tuple(int(v) for v in rng.integers(1, 4, d))
        stride = tuple(int(v) for v in rng.integers(1, 4, d))
        dilation = tuple(int(v) for v in rng.integers(1, 4, d))
        lows = rng.integers(0, 3, d)
        padding = tuple((int(lo), int(lo if symmetric else hi)) for lo, hi in zip(lows, rng.integers(0, 3, d)))
        extra = tuple(int(rng.integers(0, max(s, dd))) for s, dd in zip(stride, dilation))
        L = [transposed_size(i, k, s, dd, lo, hi, op)
             for i, k, s, dd, (lo, hi), op in zip(I, K, stride, dilation, padding, extra)]
        if min(L) >= 1:
            break
    X = rng.integers(-5, 6, (int(rng.integers(1, 3)), C, *I)).astype(dtype)
    W = rng.integers(-5, 6, (C, Og, *K)).astype(dtype)
    B = rng.integers(-5, 6, groups * Og).astype(dtype) if rng.random() < 0.5 else None
    return X, W, B, dict(stride=stride, padding=padding, output_padding=extra, dilation=dilation,
                         groups=groups)


# --------------------------------------------------------------------------- invalid inputs

def test_TC_IN1_refuses_bad_inputs():
    assert_refused(_tc(X=[[[1.0]]]), TypeError, "TC-IN1", "X")
    assert_refused(_tc(X=np.ones((2, 3))), ValueError, "TC-IN1", "rank")
    assert_refused(_tc(X=np.ones((1, 2, 3), dtype=bool)), TypeError, "CV-IN3")


def test_TC_IN2_refuses_bad_weights():
    assert_refused(_tc(W=np.ones((2, 3, 2)).tolist()), TypeError, "TC-IN2")
    assert_refused(_tc(W=np.ones((2, 3))), ValueError, "TC-IN2", "rank")
    assert_refused(_tc(W=np.ones((2, 3, 0))), ValueError, "TC-IN2")
    assert_refused(_tc(W=np.ones((3, 3, 2))), ValueError, "TC-IN2", "W.shape[0]=3")


def test_TC_IN3_refuses_bias_of_wrong_shape():
    assert_refused(_tc(B=np.ones(2)), ValueError, "TC-IN3", "(3,)")
    assert_refused(_tc(B=np.ones(4), groups=2), ValueError, "TC-IN3")  # O = 2 * 3 = 6
    assert_refused(_tc(B=[0.0, 0.0, 0.0]), TypeError, "TC-IN3")


def test_TC_AT1_refuses_bad_attributes():
    assert_refused(_tc(groups=3), ValueError, "TC-AT1", "C = X.shape[1] = 2")
    assert_refused(_tc(groups=0), ValueError, "TC-AT1")
    assert_refused(_tc(groups=True), TypeError, "TC-AT1")
    assert_refused(_tc(padding="SAME_UPPER"), TypeError, "TC-AT1")
    assert_refused(_tc(padding=((0, 0.5),)), TypeError, "CV-PD1")
    assert_refused(_tc(stride=(0,)), ValueError, "CV-AT1")
    assert_refused(_tc(dilation=(1, 1)), TypeError, "CV-AT2")


def test_TC_PD1_refuses_negative_padding():
    assert_refused(_tc(padding=((-1, 0),)), ValueError, "TC-PD1", "(-1, 0)")
    assert_refused(_tc(padding=((0, -2),)), ValueError, "TC-PD1")


def test_TC_AT2_refuses_output_padding_out_of_range():
    assert_refused(_tc(output_padding=(2,)), ValueError, "TC-AT2", "max(stride, dilation) = 2")
    assert_refused(_tc(output_padding=(-1,)), ValueError, "TC-AT2")
    assert_refused(_tc(output_padding=(1, 0)), TypeError, "TC-AT2")
    assert_refused(_tc(output_padding=(1.0,)), TypeError, "TC-AT2")
    assert_refused(_tc(output_padding=(1,), stride=(1,)), ValueError, "TC-AT2")
    # PyTorch's rule: with dilation 3 > stride 1, output_padding may reach 2
    assert conv_transpose(np.ones((1, 2, 3)), np.ones((2, 3, 2)), **{**T1, "stride": (1,), "dilation": (3,),
                                                                     "output_padding": (2,)}).shape == (1, 3, 8)


def test_TC_SH2_refuses_negative_output_lengths():
    assert_refused(_tc(padding=((4, 3),)), ValueError, "TC-SH2", "(-1,)")  # L = 2*2 + 2 - 7
    for padding, extra in [((3, 3), 0), ((4, 3), 1)]:
        empty = conv_transpose(np.ones((1, 2, 3)), np.ones((2, 3, 2)),
                               **{**T1, "padding": (padding,), "output_padding": (extra,)})
        assert empty.shape == (1, 3, 0)


# --------------------------------------------------------------------------- values

@pytest.mark.clause("TC-SH1", "TC-RD1")
@pytest.mark.parametrize("seed", range(30))
def test_TC_EQ1_matches_the_literal_scatter_loop(seed):
    rng = np.random.default_rng(seed)
    X, W, B, attrs = random_transpose(rng)
    Y = conv_transpose(X, W, B, **attrs)
    want = loop_transpose(X, W, B, **attrs)
    assert Y.shape == want.shape and Y.dtype == np.int64
    assert (Y.astype(object) == want).all()


@pytest.mark.parametrize("seed", range(30, 60))
def test_TC_AD1_transposed_convolution_is_the_input_gradient(seed):
    rng = np.random.default_rng(seed)
    X, W, _, attrs = random_transpose(rng)
    p = conv_transpose_problem(X, W, **attrs)
    dY, keywords = p.as_input_grad()
    assert np.array_equal(conv_transpose(X, W, **attrs), conv_input_grad(dY, W, **keywords))
    for axis, i, op, s in zip(p.geometry.axes, p.spatial_in, p.output_padding, p.stride):
        assert axis.out == i + op // s
        if op < s:  # the matching forward problem leaves exactly output_padding as its remainder
            assert axis.remainder == op


def test_TC_AD1_special_values_agree_when_output_padding_is_below_stride():
    rng = np.random.default_rng(5)
    attrs = dict(stride=(2, 3), padding=((1, 0), (2, 1)), output_padding=(1, 2), dilation=(1, 2), groups=2)
    X = rng.standard_normal((2, 4, 3, 3))
    W = rng.standard_normal((4, 1, 2, 3))
    X[1, 2, 0, 1], X[0, 0, 2, 2], W[3, 0, 1, 2] = np.nan, np.inf, -np.inf
    W[0, 0, 0, 0] = -0.0
    dY, keywords = conv_transpose_problem(X, W, **attrs).as_input_grad()
    assert dY is X
    assert_identical(conv_transpose(X, W, **attrs), conv_input_grad(dY, W, **keywords))


def test_TC_AD1_output_padding_at_or_past_stride_adds_zero_terms():
    # stride 1, dilation 3: output_padding 2 >= stride; the input gradient sees one more window
    attrs = dict(stride=(1,), padding=((0, 0),), output_padding=(2,), dilation=(3,), groups=1)
    X = np.array([[[1.0, 2.0]]])
    W = np.array([[[1.0, np.inf]]])
    p = conv_transpose_problem(X, W, **attrs)
    dY, keywords = p.as_input_grad()
    assert dY.shape == (1, 1, 4) and p.geometry.axes[0].out == 4
    Y = conv_transpose(X, W, **attrs)
    dX = conv_input_grad(dY, W, **keywords)
    assert Y.shape == dX.shape == (1, 1, 7)
    # the scatter reaches j + 3a in {0, 1, 3, 4}; the appended windows j = 2, 3 reach 2, 3 through
    # tap 0 (0 * 1) and 5, 6 through tap 1, where 0 * inf is a term of the input gradient only
    assert np.isnan(dX[0, 0, [5, 6]]).all() and (Y[0, 0, [2, 5, 6]] == 0).all()
    assert np.array_equal(Y[0, 0, :5], dX[0, 0, :5])
    finite_W = np.array([[[1.0, -3.0]]])
    assert np.array_equal(conv_transpose(X, finite_W, **attrs), conv_input_grad(dY, finite_W, **keywords))


def test_TC_NF1_special_values_reach_exactly_their_outputs():
    attrs = dict(stride=(2,), padding=((1, 0),), output_padding=(1,), dilation=(1,), groups=2)
    X = np.zeros((1, 4, 3))
    W = np.ones((4, 2, 3))
    X[0, 3, 1] = np.inf  # group 1: output channels 2, 3; positions 1*2 + a - 1 = 1, 2, 3
    Y = conv_transpose(X, W, **attrs)
    bad = {(int(o), int(v)) for _, o, v in zip(*np.nonzero(~np.isfinite(Y)))}
    assert bad == {(o, v) for o in (2, 3) for v in (1, 2, 3)}
    W = np.ones((4, 2, 3))
    W[0, 1, 2] = np.nan  # input channel 0 (group 0), output channel 1, tap 2: positions j*2 + 2 - 1
    B = np.zeros(4)
    B[3] = -np.inf
    Y = conv_transpose(np.zeros((1, 4, 3)), W, B, **attrs)
    assert {int(v) for v in np.nonzero(np.isnan(Y[0, 1]))[0]} == {1, 3, 5}
    assert np.isneginf(Y[0, 3]).all() and np.isfinite(Y[0, [0, 2]]).all()


def test_TC_RD1_bias_is_one_more_term_and_the_sum_is_rounded_once():
    tiny = 2.0 ** -11
    attrs = dict(stride=(1,), padding=((0, 0),), output_padding=(0,), dilation=(1,), groups=1)
    Y = conv_transpose(np.array([[[1.0], [tiny]]], np.float16), np.ones((2, 1, 1), np.float16),
                       np.array([tiny], np.float16), **attrs)
    assert Y.dtype == np.float16 and Y[0, 0, 0] == np.float16(1 + 2 * tiny)
    holes = conv_transpose(-np.ones((1, 1, 2)), np.ones((1, 1, 1)), **{**attrs, "stride": (3,), "output_padding": (2,)})
    assert holes.tolist() == [[[-1.0, 0.0, 0.0, -1.0, 0.0, 0.0]]]
    assert all(math.copysign(1.0, v) == 1.0 for v in holes[0, 0, [1, 2, 4, 5]])  # no products: +0


def test_TC_DT1_output_dtype_follows_result_type():
    X, W = np.ones((1, 1, 2), np.int16), np.ones((1, 1, 2), np.uint8)
    attrs = dict(stride=(1,), padding=((0, 0),), output_padding=(0,), dilation=(1,), groups=1)
    assert conv_transpose(X, W, **attrs).dtype == np.int16
    assert conv_transpose(X, W, np.zeros(1, np.float32), **attrs).dtype == np.float32
    bias_only = conv_transpose(np.ones((2, 0, 3)), np.ones((0, 2, 2)), np.array([1.5, -2.0]), **attrs)
    assert bias_only.shape == (2, 2, 4) and (bias_only[:, 1] == -2.0).all()


def test_TC_CL1_onnx_rule_is_a_narrower_claim():
    base = dict(padding=((0, 0),), groups=1)
    inside = conv_transpose_problem(np.ones((1, 1, 2)), np.ones((1, 1, 2)), stride=(2,), dilation=(1,),
                                    output_padding=(1,), **base)
    outside = conv_transpose_problem(np.ones((1, 1, 2)), np.ones((1, 1, 2)), stride=(1,), dilation=(2,),
                                     output_padding=(1,), **base)
    assert inside.within_onnx_rule() and not outside.within_onnx_rule()


# --------------------------------------------------------------------------- accuracy, torch

torch = pytest.importorskip("torch")
_TORCH = {1: torch.nn.functional.conv_transpose1d, 2: torch.nn.functional.conv_transpose2d,
          3: torch.nn.functional.conv_transpose3d}


@pytest.mark.clause("TC-SH1", "TC-EQ1")
@pytest.mark.parametrize("seed", range(15))
def test_TC_AC1_torch_lies_within_the_bound(seed):
    rng = np.random.default_rng(200 + seed)
    X, W, B, attrs = random_transpose(rng, symmetric=True)
    X, W = rng.standard_normal(X.shape), rng.standard_normal(W.shape)
    B = None if B is None else rng.standard_normal(B.shape)
    theirs = _TORCH[X.ndim - 2](torch.from_numpy(X), torch.from_numpy(W),
                                None if B is None else torch.from_numpy(B), stride=attrs["stride"],
                                padding=[lo for lo, _ in attrs["padding"]],
                                output_padding=attrs["output_padding"], groups=attrs["groups"],
                                dilation=attrs["dilation"]).numpy()
    p = conv_transpose_problem(X, W, B, **attrs)
    assert theirs.shape == p.out_shape
    exact = exact_transpose_values(p)
    wide = expected_wide(exact)
    bound, free = transpose_bound(p)
    assert not free.any()
    assert compare_componentwise(theirs, wide, bound, free, np.float64, exact_residual(exact, wide)).ok
    wrong = theirs.copy()
    worst = np.unravel_index(np.argmax(bound), bound.shape)
    wrong[worst] += 4 * bound[worst]
    assert not compare_componentwise(wrong, wide, bound, free, np.float64, exact_residual(exact, wide)).ok
