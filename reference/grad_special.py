"""NaN and infinities in the gradients and the transposed convolution, set after the finite evaluation.

Each of these operations is bilinear: every output element is a sum of
products ``a · b`` of one element of each operand (``dY`` and ``W`` for the
input gradient, ``Xp`` and ``dY`` for the weight gradient, ``X`` and ``W`` for
the transposed convolution).  The fast evaluation runs on copies with every
non-finite value replaced by zero, so an element whose terms are all finite
already has its value.  For the others, counts over the element's own terms
decide, as the core's NF1 says for real outputs:

    nan = #(a NaN) + #(b NaN) + #(a = ±inf, b = 0) + #(a = 0, b = ±inf)
    pos = #(+inf·b>0) + #(-inf·b<0) + #(a>0·+inf) + #(a<0·-inf)
    neg = the same with the signs of the infinities swapped,

    value = NaN if nan > 0 or (pos > 0 and neg > 0);  +inf if only pos > 0;  -inf if only neg > 0.

Each count is the operation itself applied to 0/1 indicator arrays, in
float64, where the counts are exact; ``count(a_mask, b_mask, a_pad)`` gives
the operation's padding of the first operand the indicator's value at a
padding zero (``a_pad``), for the weight gradient, whose padding zeros are
terms (DW-PD1).  For complex outputs every element with a non-finite term is
``nan + nan·j`` (NF3).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

Count = Callable[[np.ndarray, np.ndarray, bool], np.ndarray]


def _per_channel(mask: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return mask.reshape((1, -1) + (1,) * (Y.ndim - 2)).astype(np.float64)


def real(a: np.ndarray, b: np.ndarray, Y: np.ndarray, count: Count, bias: np.ndarray | None = None) -> None:
    """Overwrite, in place, the elements of ``Y`` whose terms hold NaN or an infinity (NF1).

    ``bias`` (the transposed convolution's ``B``) is one more term of every element of its channel.
    """
    nan, pos, neg = (np.zeros(Y.shape) for _ in range(3))
    if bias is not None:
        nan += _per_channel(np.isnan(bias), Y)  # checks: TC-NF1
        pos += _per_channel(bias == np.inf, Y)
        neg += _per_channel(bias == -np.inf, Y)

    def add(total: np.ndarray, a_mask: np.ndarray, b_mask: np.ndarray, a_pad: bool = False) -> None:
        if b_mask.any() and (a_mask.any() or a_pad):
            total += count(a_mask, b_mask, a_pad)

    with np.errstate(invalid="ignore"):
        a_fin = np.isfinite(a)
        a_pinf, a_ninf, b_pinf, b_ninf = a == np.inf, a == -np.inf, b == np.inf, b == -np.inf
        a_pos, a_neg, b_pos, b_neg = a_fin & (a > 0), a_fin & (a < 0), b > 0, b < 0
        every_a, every_b = np.ones(a.shape, dtype=bool), np.ones(b.shape, dtype=bool)
        add(nan, np.isnan(a), every_b)
        add(nan, every_a, np.isnan(b), True)  # a padding zero times a NaN
        add(nan, a_pinf | a_ninf, b == 0)
        add(nan, a == 0, b_pinf | b_ninf, True)  # a padding zero times an infinity
        add(pos, a_pinf, b_pos)
        add(pos, a_ninf, b_neg)
        add(pos, a_pos, b_pinf)
        add(pos, a_neg, b_ninf)
        add(neg, a_pinf, b_neg)
        add(neg, a_ninf, b_pos)
        add(neg, a_pos, b_ninf)
        add(neg, a_neg, b_pinf)
    Y[(pos > 0) & (neg == 0)] = np.inf  # checks: DX-NF1, DW-NF1, TC-NF1
    Y[(neg > 0) & (pos == 0)] = -np.inf  # checks: DX-NF1, DW-NF1, TC-NF1
    Y[(nan > 0) | ((pos > 0) & (neg > 0))] = np.nan  # checks: DX-NF1, DW-NF1, TC-NF1


def complex_(a: np.ndarray, b: np.ndarray, Y: np.ndarray, count: Count, bias: np.ndarray | None = None) -> None:
    """Overwrite, in place, the elements of ``Y`` with a non-finite term by ``nan + nan·j`` (NF3)."""
    held = np.zeros(Y.shape)
    if bias is not None:
        held += _per_channel(~np.isfinite(bias), Y)  # checks: TC-NF1
    bad_a, bad_b = ~np.isfinite(a), ~np.isfinite(b)
    if bad_a.any():
        held += count(bad_a, np.ones(b.shape, dtype=bool), False)
    if bad_b.any():
        held += count(np.ones(a.shape, dtype=bool), bad_b, True)
    Y[held > 0] = complex(np.nan, np.nan)  # checks: DX-NF1, DW-NF1, TC-NF1, NF3
