"""NaN and infinities in the layer (CV-NF1, CV-NF2, CV-PD3), set after the finite evaluation.

The fast evaluation runs on copies with every non-finite value replaced by
zero, so an output whose terms are all finite already has its value (CV-NF2).
The terms of output ``(n, o, j)`` are its window products ``x · w`` (``x``
from the padded input, padding zeros included, CV-PD3) and the bias
``B[o] · 1``.  For real outputs, counts over those terms decide (CV-NF1):

    nan = #(x NaN) + #(x = ±inf, w = 0) + #(x = 0, w = ±inf) + #(w NaN) + [B[o] NaN]
    pos = #(+inf·w>0) + #(-inf·w<0) + #(x>0·+inf) + #(x<0·-inf) + [B[o] = +inf]
    neg = the same with the signs of the infinities swapped,

    Y = NaN if nan > 0 or (pos > 0 and neg > 0);  +inf if only pos > 0;  -inf if only neg > 0.

Each window count is the layer itself applied to 0/1 indicator arrays of X
(padded with the indicator's value at a padding zero) and W, in float64, where
counts up to ``T·C/g`` are exact.  A NaN anywhere in ``W[o]`` meets some
element in every window, so it is a per-channel fact, as are the bias's.  For
complex outputs every output with a non-finite term is ``nan + nan·j`` (NF3).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from convspec.spec.problem import ConvProblem

from .layer_operands import padded

def _counter(p: ConvProblem, engine_conv) -> Callable:
    padding = any(lo > 0 or hi > 0 for lo, hi in p.geometry.padding)

    def count(x_mask: np.ndarray, w_mask: np.ndarray, pad_value: bool, total: np.ndarray) -> None:
        """``total += #(window pairs with both masks set)``, skipped when no pair can be."""
        if not w_mask.any() or not (x_mask.any() or (pad_value and padding)):
            return
        Xm = padded(x_mask, p.geometry, np.float64, fill=1.0 if pad_value else 0)
        total += engine_conv(Xm, np.ascontiguousarray(w_mask, dtype=np.float64), p.geometry, p.groups)
    return count


def _per_channel(mask: np.ndarray, rank: int) -> np.ndarray:
    return mask.reshape((1, -1) + (1,) * rank)


def real(p: ConvProblem, Y: np.ndarray, engine_conv) -> None:
    """Overwrite, in place, the outputs of ``Y`` whose terms hold NaN or an infinity (CV-NF1)."""
    X, W = p.X, p.W
    count = _counter(p, engine_conv)
    with np.errstate(invalid="ignore"):
        x_fin, w_fin = np.isfinite(X), np.isfinite(W)
        x_pinf, x_ninf, w_pinf, w_ninf = X == np.inf, X == -np.inf, W == np.inf, W == -np.inf
        x_pos, x_neg = x_fin & (X > 0), x_fin & (X < 0)
        nan, pos, neg = (np.zeros(Y.shape) for _ in range(3))
        every = np.ones(W.shape, dtype=bool)
        count(np.isnan(X), every, False, nan)
        count(x_pinf | x_ninf, W == 0, False, nan)
        count(X == 0, w_pinf | w_ninf, True, nan)  # padding zeros times an infinity  # checks: CV-PD3
        count(x_pinf, W > 0, False, pos)
        count(x_ninf, W < 0, False, pos)
        count(x_pos, w_pinf, False, pos)
        count(x_neg, w_ninf, False, pos)
        count(x_pinf, W < 0, False, neg)
        count(x_ninf, W > 0, False, neg)
        count(x_pos, w_ninf, False, neg)
        count(x_neg, w_pinf, False, neg)
        channel_nan = np.isnan(W).reshape(W.shape[0], -1).any(axis=1)
        if p.B is not None:
            channel_nan |= np.isnan(p.B)
            pos += _per_channel(p.B == np.inf, p.rank)
            neg += _per_channel(p.B == -np.inf, p.rank)
    nan += _per_channel(channel_nan, p.rank)  # checks: CV-NF2
    Y[(pos > 0) & (neg == 0)] = np.inf  # checks: CV-NF1
    Y[(neg > 0) & (pos == 0)] = -np.inf  # checks: CV-NF1
    Y[(nan > 0) | ((pos > 0) & (neg > 0))] = np.nan  # checks: CV-NF1


def complex_(p: ConvProblem, Y: np.ndarray, engine_conv) -> None:
    """Overwrite, in place, the outputs of ``Y`` with a non-finite term by ``nan + nan·j`` (NF3)."""
    held = np.zeros(Y.shape)
    _counter(p, engine_conv)(~np.isfinite(p.X), np.ones(p.W.shape, dtype=bool), False, held)
    channel = ~np.isfinite(p.W).reshape(p.W.shape[0], -1).all(axis=1)
    if p.B is not None:
        channel |= ~np.isfinite(p.B)
    held += _per_channel(channel, p.rank)  # checks: CV-NF2
    Y[held > 0] = complex(np.nan, np.nan)  # checks: CV-NF1, NF3
