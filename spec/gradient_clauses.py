"""The clauses of back-propagation and the transposed convolution.

Scoped ids, one prefix per operation:

* ``DX-``: ``conv_input_grad(dY, W, *, input_shape, stride, padding, dilation, groups)``;
* ``DW-``: ``conv_weight_grad(X, dY, *, kernel_shape, stride, padding, dilation, groups)``;
* ``DB-``: ``conv_bias_grad(dY)``;
* ``TC-``: ``conv_transpose(X, W, B=None, *, stride, padding, output_padding, dilation, groups)``.

The *forward problem* of a gradient is the layer call
``conv(X, W, stride=..., padding=..., dilation=..., groups=...)`` whose X has
``input_shape`` (or whose W has ``kernel_shape``); the layer's own clauses
(``CV-``) govern its attributes, and a violation names them.
"""

from __future__ import annotations

from .clauses import Clause

_OPS = {"DX": "conv_input_grad", "DW": "conv_weight_grad", "DB": "conv_bias_grad", "TC": "conv_transpose"}


def _c(cid: str, title: str, statement: str, invalid: bool = False) -> Clause:
    return Clause(cid, cid[3:5], title, statement, invalid, op=_OPS[cid[:2]])


_INPUT_GRAD = [
    _c("DX-IN1", "dY is an array",
       "dY is a numpy.ndarray (not a masked array) of rank 3, 4 or 5 with a dtype CV-IN3 admits "
       "(a refused dtype names CV-IN3).", True),
    _c("DX-IN2", "input_shape is a full shape",
       "input_shape is a tuple or list of dY.ndim non-negative integers (N, C, *S), bool excluded.",
       True),
    _c("DX-AT1", "The forward problem's attributes",
       "W, stride, padding, dilation and groups are checked as the forward layer's, with X of shape "
       "input_shape (CV-IN2, CV-IN3, CV-AT1 to CV-AT4, CV-PD1 name their violations); padding is "
       "d (lo, hi) pairs and a padding name is refused.", True),
    _c("DX-SH1", "dY has the forward output's shape",
       "dY.shape equals the forward problem's output shape (N, O, *S_out) of CV-SH1; any other shape "
       "is refused.", True),
    _c("DX-SH2", "Result shape",
       "The result has shape input_shape; empty shapes (N = 0, C = 0, O = 0, a zero extent, no "
       "windows) are valid."),
    _c("DX-EQ1", "Input-gradient values",
       "dX[n, c, u] = sum over output channels o of c's group g and over pairs (j, a) with "
       "j*s + a*dilation - lo = u on every axis (0 <= a < K, 0 <= j < S_out) of "
       "dY[n, o, j] * W[o, c - g*(C/g), a]."),
    _c("DX-EQ2", "Elements no window reads are zero",
       "An element of X that no window reads (cropped by a negative pad, in the "
       "(padded - k_eff) mod s remainder past the last window, or skipped between windows) has no "
       "terms, and its gradient is exactly +0."),
    _c("DX-DT1", "Output dtype",
       "The output dtype is numpy.result_type(dY.dtype, W.dtype)."),
    _c("DX-RD1", "Exact or rounded once",
       "Integer results are the exact value of DX-EQ1 (inputs whose result does not fit are outside "
       "the specification, as EX2); floating and complex results are the exact value rounded once, "
       "as RD1 and RD2 say."),
    _c("DX-NF1", "Special values stay with their terms",
       "An element whose terms hold NaN or an infinity follows NF1 (real) or NF3 (complex) over its "
       "products, so 0 * inf is NaN only where it is a term: a non-finite dY[n, o, j] reaches only "
       "dX[n, c, u] with c in o's group and u read by window j, and a non-finite W[o, c', a] only "
       "channel g*(C/g) + c' at the elements read through tap a."),
    _c("DX-AD1", "Adjoint of the layer",
       "For every X of shape input_shape, sum(conv(X, W) * dY) = sum(X * conv_input_grad(dY, W)) with "
       "the same attributes; on integer operands both sides are equal exactly."),
    _c("DX-AC1", "Componentwise accuracy",
       "A floating element lies within gamma_{n+c}(u) * S + n * eta of the exact value, as AC1 and AC3 "
       "say, with n its own number of terms, (O/g) times the product over axes of the feeding pairs, "
       "and S the sum of |dY| |W| over them; elements with S at or above the largest finite value are "
       "unconstrained (AC4)."),
]

_WEIGHT_GRAD = [
    _c("DW-IN1", "X and dY are arrays",
       "X and dY are numpy.ndarrays (not masked arrays) of the same rank 3, 4 or 5 with dtypes CV-IN3 "
       "admits (a refused dtype names CV-IN3).", True),
    _c("DW-IN2", "kernel_shape is a full shape",
       "kernel_shape is a tuple or list of X.ndim integers (O, C/groups, *K), bool excluded, with O and "
       "C/groups at least 0 and every kernel extent at least 1.", True),
    _c("DW-AT1", "The forward problem's attributes",
       "X, stride, padding, dilation and groups are checked as the forward layer's, with W of shape "
       "kernel_shape (CV-IN1, CV-IN3, CV-AT1 to CV-AT4, CV-PD1 name their violations); padding is "
       "d (lo, hi) pairs and a padding name is refused.", True),
    _c("DW-SH1", "dY has the forward output's shape",
       "dY.shape equals the forward problem's output shape (N, O, *S_out) of CV-SH1; any other shape "
       "is refused.", True),
    _c("DW-SH2", "Result shape",
       "The result has shape kernel_shape; with N = 0 or no windows every element is a sum of no terms, "
       "+0."),
    _c("DW-EQ1", "Weight-gradient values",
       "dW[o, c, a] = sum over n < N and output positions j of dY[n, o, j] * "
       "Xp[n, (o // (O/g))*(C/g) + c, j*s + a*dilation], with Xp the padded input: N * prod(S_out) "
       "terms per element."),
    _c("DW-PD1", "Padding zeros are terms",
       "As in CV-PD3, a padding element is a zero of X's dtype that takes part in the products, so an "
       "infinite dY at a window reading padding makes the weight gradient of that tap NaN."),
    _c("DW-DT1", "Output dtype",
       "The output dtype is numpy.result_type(X.dtype, dY.dtype)."),
    _c("DW-RD1", "Exact or rounded once",
       "Integer results are the exact value of DW-EQ1 (as EX2 when it does not fit); floating and "
       "complex results are the exact value rounded once, as RD1 and RD2 say."),
    _c("DW-NF1", "Special values stay with their terms",
       "An element whose terms hold NaN or an infinity follows NF1 or NF3 over its products: a "
       "non-finite dY[n, o, j] reaches only dW[o], and a non-finite X[n, c, u] only dW[o, c', a] with "
       "o in c's group and a the taps through which some window reads u."),
    _c("DW-AD1", "Adjoint of the layer",
       "For every W of shape kernel_shape, sum(conv(X, W) * dY) = sum(W * conv_weight_grad(X, dY)) with "
       "the same attributes; on integer operands both sides are equal exactly."),
    _c("DW-AC1", "Componentwise accuracy",
       "A floating element lies within gamma_{n+c}(u) * S + n * eta of the exact value, as AC1 and AC3 "
       "say, with n = N * prod(S_out) terms in any order (a GEMM over them included) and S the sum of "
       "|dY| |Xp| over them; elements with S at or above the largest finite value are unconstrained."),
]

_BIAS_GRAD = [
    _c("DB-IN1", "dY is an array",
       "dY is a numpy.ndarray (not a masked array) of rank 3, 4 or 5 with a dtype CV-IN3 admits.", True),
    _c("DB-EQ1", "Bias-gradient values",
       "dB has shape (O,) with O = dY.shape[1], and dB[o] = sum over n and spatial positions j of "
       "dY[n, o, j]; with no terms it is +0."),
    _c("DB-DT1", "Output dtype",
       "The output dtype is dY.dtype."),
    _c("DB-RD1", "Exact or rounded once",
       "Integer results are exact (as EX2 when they do not fit); floating and complex results are the "
       "exact sum rounded once, and non-finite terms follow NF1 or NF3."),
    _c("DB-AC1", "Componentwise accuracy",
       "A floating element lies within gamma_{n+c}(u) * S + n * eta of the exact sum, with "
       "n = N * prod(S) and S the sum of |dY| over the channel."),
]

_TRANSPOSE = [
    _c("TC-IN1", "X is an array",
       "X is a numpy.ndarray (not a masked array) of rank 3, 4 or 5, (N, C, *I), with a dtype CV-IN3 "
       "admits.", True),
    _c("TC-IN2", "W is (C, O/groups, *K)",
       "W is a numpy.ndarray with W.ndim == X.ndim, W.shape[0] == C and every kernel extent at least 1.",
       True),
    _c("TC-IN3", "Bias shape",
       "B is None or a 1-D numpy.ndarray of length O = groups * W.shape[1].", True),
    _c("TC-AT1", "Attributes",
       "stride and dilation follow CV-AT1 and CV-AT2; groups is a positive integer (bool is not) that "
       "divides C; padding is d (lo, hi) integer pairs as CV-PD1 says, and a padding name is refused.",
       True),
    _c("TC-PD1", "No negative padding",
       "Every pad lo and hi is at least 0; a negative pad is refused.", True),
    _c("TC-AT2", "Output padding",
       "output_padding is a tuple or list of d integers (bool excluded) with "
       "0 <= output_padding[t] < max(stride[t], dilation[t]), PyTorch's rule.", True),
    _c("TC-SH1", "Output shape",
       "The result has shape (N, O, *L) with L[t] = s*(I[t] - 1) + (K[t] - 1)*dilation + 1 + "
       "output_padding[t] - lo - hi; output_padding adds elements at the high end."),
    _c("TC-SH2", "No negative output length",
       "Arguments that make some L[t] negative are refused; L[t] = 0 gives an empty result.", True),
    _c("TC-EQ1", "Transposed-convolution values",
       "Y[n, o, v] = B[o] + sum over c in o's group and pairs (j, a) with j*s + a*dilation - lo = v, "
       "0 <= j < I, of X[n, c, j] * W[c, o - g*(O/g), a] (the scatter form); the zeros between "
       "scattered inputs are not products, and an output no pair reaches is B[o], or +0."),
    _c("TC-AD1", "The transposed convolution is an input gradient",
       "conv_transpose(X, W, stride, padding, output_padding, dilation, groups) equals "
       "conv_input_grad(X', W, input_shape=(N, O, *L)) with the same stride, padding, dilation and "
       "groups, where X' is X with floor(output_padding[t] / s[t]) zeros appended on axis t; when every "
       "output_padding < stride, X' = X, the forward problem is the one whose remainder "
       "(padded - k_eff) mod s equals output_padding, and the two agree exactly, special values and "
       "signed zeros included; when output_padding >= stride (allowed only with dilation > stride) the "
       "input gradient has extra terms X'[j] = 0 times W, so the two agree exactly for finite W up to "
       "the sign of zeros, and differ where such a term is 0 * inf."),
    _c("TC-DT1", "Output dtype",
       "The output dtype is numpy.result_type(X.dtype, W.dtype), with B.dtype too when B is given."),
    _c("TC-RD1", "Exact or rounded once",
       "Integer results are exact (as EX2 when they do not fit); floating and complex results are the "
       "exact value of TC-EQ1 rounded once, the bias being one more term."),
    _c("TC-NF1", "Special values stay with their terms",
       "An output whose terms hold NaN or an infinity follows NF1 or NF3 over them: a non-finite "
       "X[n, c, j] reaches only outputs j*s + a*dilation - lo of the channels of c's group, a "
       "non-finite W[c, o', a] only channel g*(O/g) + o' at positions some j reaches through tap a, "
       "and a non-finite B[o] only channel o."),
    _c("TC-AC1", "Componentwise accuracy",
       "A floating output lies within gamma_{n+c}(u) * S + n * eta of the exact value, with n its own "
       "number of terms ((C/g) times the product over axes of the feeding pairs, plus the bias) and S "
       "the sum of |X| |W| over them plus |B[o]|."),
    _c("TC-CL1", "ONNX's output-padding rule is a claim",
       "A backend may declare ONNX's stricter rule output_padding < stride; it is then not asked for "
       "output_padding >= stride, and refusing such a call is not a failure."),
]

GRADIENT_CLAUSES = [*_INPUT_GRAD, *_WEIGHT_GRAD, *_BIAS_GRAD, *_TRANSPOSE]
