"""The clauses of the layer, ``conv(X, W, B=None, *, stride, padding, dilation, groups)``.

Ids are scoped by the operation: ``CV-`` followed by a section code and a
number, so they never collide with the core's unscoped ids (``EQ2`` is the
core's value clause, ``CV-EQ1`` the layer's).  `INPUTS` numbers the inputs
as StableHLO's specification does (I1 … I7) and ties each one to the clauses
that constrain it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .clauses import Clause


@dataclass(frozen=True)
class Input:
    """One input of an operation and the clauses that constrain it."""

    id: str
    name: str
    description: str
    constraints: tuple[str, ...]


INPUTS: tuple[Input, ...] = (
    Input("I1", "X", "input, shape (N, C, *S) with spatial rank d = 1, 2 or 3",
          ("CV-IN1", "CV-IN3", "CV-IN5")),
    Input("I2", "W", "weights, shape (O, C/groups, *K)", ("CV-IN2", "CV-IN3", "CV-AT4")),
    Input("I3", "B", "bias, shape (O,), or None", ("CV-IN3", "CV-IN4")),
    Input("I4", "stride", "d positive integers", ("CV-AT1",)),
    Input("I5", "padding", "d (lo, hi) pairs of integers, or VALID, SAME_UPPER, SAME_LOWER",
          ("CV-PD1", "CV-PD2")),
    Input("I6", "dilation", "d positive integers", ("CV-AT2",)),
    Input("I7", "groups", "a positive integer dividing C and O", ("CV-AT3", "CV-AT4")),
)


def _c(cid: str, title: str, statement: str, invalid: bool = False) -> Clause:
    return Clause(cid, cid[3:5], title, statement, invalid, op="conv")


LAYER_CLAUSES = [
    _c("CV-IN1", "X has a batch, a channel and 1-3 spatial axes",
       "X is a numpy.ndarray (not a masked array) of rank 3, 4 or 5: (N, C, *S) with spatial "
       "rank d = X.ndim - 2.", True),
    _c("CV-IN2", "W matches X's rank",
       "W is a numpy.ndarray (not a masked array) with W.ndim == X.ndim: (O, C/groups, *K), "
       "every kernel extent at least 1.", True),
    _c("CV-IN3", "Numeric dtypes",
       "X, W and B have admitted dtypes (those of the core's IN3).", True),
    _c("CV-IN4", "Bias shape",
       "B is None or a 1-D numpy.ndarray of length O = W.shape[0].", True),
    _c("CV-IN5", "Any memory layout",
       "Any memory layout of X, W and B is accepted and the result does not depend on it."),
    _c("CV-AT1", "Stride",
       "stride is a tuple or list of d integers (bool is not an integer), each at least 1.", True),
    _c("CV-AT2", "Dilation",
       "dilation is a tuple or list of d integers (bool is not an integer), each at least 1; "
       "the holes of a dilated kernel are not products.", True),
    _c("CV-AT3", "Groups",
       "groups is a positive integer (bool is not) that divides both C = X.shape[1] and "
       "O = W.shape[0].", True),
    _c("CV-AT4", "Channels per group",
       "W.shape[1] == C / groups.", True),
    _c("CV-PD1", "Explicit padding",
       "An explicit padding is a tuple or list of d pairs (lo, hi) of integers of any sign; "
       "axis t is padded to lo + S[t] + hi elements, a negative pad cropping that many elements "
       "from its side, as StableHLO's pad does.", True),
    _c("CV-PD2", "Named padding",
       "A named padding is VALID (all pads 0), SAME_UPPER or SAME_LOWER: with "
       "out = ceil(S[t] / s) and total = max((out - 1)*s + k_eff - S[t], 0), SAME_UPPER pads "
       "lo = total // 2 and SAME_LOWER pads hi = total // 2; any other string is refused.", True),
    _c("CV-PD3", "Padding takes part in the products",
       "Padding elements are zeros of X's dtype that take part in the products, so a padded tap "
       "times an infinite weight is NaN."),
    _c("CV-SH1", "Output shape",
       "The result has shape (N, O, *S_out) with S_out[t] = floor((padded - k_eff) / s) + 1, "
       "where padded = lo + S[t] + hi and k_eff = (k - 1)*dilation + 1, and S_out[t] = 0 when "
       "padded <= 0 or k_eff > padded."),
    _c("CV-SH2", "Empty results are results",
       "An empty output, a zero-size spatial axis, N = 0 and C = 0 are valid: the result has the "
       "CV-SH1 shape, and with C = 0 every output is the bias (or zero)."),
    _c("CV-EQ1", "Output values",
       "Y[n, o, j] = B[o] + sum over c < C/g and kernel taps a of "
       "Xp[n, (o // (O/g))*(C/g) + c, j*s + a*dilation] * W[o, c, a], with Xp the padded input "
       "and j, a multi-indices over the spatial axes (cross-correlation, no kernel flip)."),
    _c("CV-DT1", "Output dtype",
       "The output dtype is numpy.result_type(X.dtype, W.dtype), with B.dtype too when B is "
       "given."),
    _c("CV-EX1", "Integer results are exact",
       "When the output dtype is an integer type, every output equals the exact value of CV-EQ1; "
       "inputs whose exact result does not fit are outside the specification (as EX2)."),
    _c("CV-RD1", "Rounded once",
       "Floating and complex outputs are the exact value of CV-EQ1 rounded once, as RD1 and RD2 "
       "say; the bias is one more term of the sum."),
    _c("CV-NF1", "IEEE special values",
       "An output whose terms (window products and the bias) hold NaN or an infinity follows "
       "the core's NF1 (real) and NF3 (complex) rules over those terms."),
    _c("CV-NF2", "Special values stay local",
       "NaN and infinities reach only the outputs whose terms hold them: a non-finite X element "
       "only the windows that read it, in the output channels of its group; a non-finite "
       "W[o] or B[o] only output channel o."),
    _c("CV-MU1", "Inputs are not modified",
       "The call leaves the contents of X, W and B unchanged, and the result shares no memory "
       "with them or with later results."),
    _c("CV-AC1", "Componentwise accuracy",
       "A floating output lies within gamma_{n+c}(u) * S + (underflow term) of the exact value, "
       "as AC1 and AC3 say, with n = (C/g) * prod(K) terms (plus one with a bias) and "
       "S = |B[o]| + the sum of |Xp| |W| over the output's terms; outputs with S at or above "
       "the largest finite value are unconstrained (AC4)."),
    _c("CV-AC2", "Normwise accuracy (FFT class)",
       "An implementation that declares the normwise accuracy class has, for every batch item n "
       "and output channel o, ||Y_hat[n, o] - Y[n, o]||_F <= beta * sum_c ||X[n, c]||_F "
       "||W[o, c]||_F + gamma_{C/g+1} * sqrt(P) * |B[o]| + (underflow term) over the outputs "
       "whose terms are finite, the sum over the input channels of o's group, P the outputs per "
       "block, and beta the FFT bound of AC2 widened for the sum over channels, as derived in "
       "the error model."),
    _c("CV-OU1", "The result object",
       "The result is a numpy.ndarray, as OU1 says for the core."),
    _c("CV-CO1", "The core is a special case",
       "conv2d(M, K, stride=s) equals conv(M[None, None], K[None, None], stride=s, "
       "padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1)[0, 0] on the core's domain."),
]
