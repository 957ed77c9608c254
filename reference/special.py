"""NaN and infinities (clauses NF1, NF2, NF3), kept local by construction.

The fast algorithms run on copies of the inputs in which every non-finite value
is replaced by zero, so the outputs whose windows hold no NaN or infinity get
the finite value Eq 2 gives (NF2).  The other outputs are then set from counts
over their windows, each count being Eq 2 applied to 0/1 indicator arrays
(exact in floating point, since a count never exceeds ``m'n'``):

    nan[i, j] = #(products that are NaN: a NaN factor, or 0 times an infinity)
    pos[i, j] = #(products equal to +inf),  neg[i, j] = #(products equal to -inf)

and, for real outputs (NF1),

    C[i, j] = NaN  if nan > 0 or (pos > 0 and neg > 0),
              +inf if pos > 0 only,   -inf if neg > 0 only.

A finite product never decides such an output, even when it overflows.  For
complex outputs (NF3) every output whose window holds a non-finite part is set to
``nan + nan j``.  A non-finite entry of ``K`` lies in every window.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

Correlate = Callable[[np.ndarray, np.ndarray], np.ndarray]


def finite_copy(x: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, bool]:
    """``x`` in ``dtype``, C-contiguous, with non-finite values replaced by zero.

    Also says whether any value was replaced.  The array is ``x`` itself when
    ``x`` already is all of that; callers only ever read it (MU1).
    """
    y = np.asarray(x, dtype=dtype, order="C")
    finite = np.isfinite(y)
    if finite.all():
        return y, False
    y = np.where(finite, y, 0).astype(dtype, copy=False)  # a new array: x is never written  # checks: MU1
    return y, True


def _window_count(correlate: Correlate, x_mask: np.ndarray, k_mask: np.ndarray) -> np.ndarray | None:
    """How many pairs of each window have both masks set; ``None`` when none can."""
    if not x_mask.any() or not k_mask.any():
        return None
    return correlate(x_mask.astype(np.float64), k_mask.astype(np.float64))


def _total(parts: list[np.ndarray | None], shape) -> np.ndarray:
    total = np.zeros(shape)
    for part in parts:
        if part is not None:
            total += part
    return total


def real_specials(M: np.ndarray, K: np.ndarray, C: np.ndarray, correlate: Correlate) -> None:
    """Overwrite, in place, the outputs of ``C`` whose windows hold NaN or an infinity (NF1)."""
    with np.errstate(invalid="ignore"):
        m_nan, k_nan = np.isnan(M), np.isnan(K)
        m_pinf, m_ninf = M == np.inf, M == -np.inf
        k_pinf, k_ninf = K == np.inf, K == -np.inf
        m_fin = np.isfinite(M)
        m_pos, m_neg, k_pos, k_neg = m_fin & (M > 0), m_fin & (M < 0), K > 0, K < 0
        ones = np.ones(K.shape, dtype=bool)
    count = lambda x, k: _window_count(correlate, x, k)  # noqa: E731
    nan = _total([count(m_nan, ones), count(m_pinf | m_ninf, K == 0), count(M == 0, k_pinf | k_ninf)], C.shape)
    if k_nan.any():
        nan[...] = 1  # checks: NF1
    pos = _total([count(m_pinf, k_pos), count(m_ninf, k_neg), count(m_pos, k_pinf), count(m_neg, k_ninf)],
                 C.shape)
    neg = _total([count(m_pinf, k_neg), count(m_ninf, k_pos), count(m_pos, k_ninf), count(m_neg, k_pinf)],
                 C.shape)
    C[(pos > 0) & (neg == 0)] = np.inf  # checks: NF1
    C[(neg > 0) & (pos == 0)] = -np.inf  # checks: NF1
    C[(nan > 0) | ((pos > 0) & (neg > 0))] = np.nan  # checks: NF1


def complex_specials(M: np.ndarray, K: np.ndarray, C: np.ndarray, correlate: Correlate) -> None:
    """Overwrite, in place, the outputs of ``C`` whose windows hold a non-finite part (NF3)."""
    if not np.isfinite(K).all():
        C[...] = complex(np.nan, np.nan)  # checks: NF3
        return
    held = _window_count(correlate, ~np.isfinite(M), np.ones(K.shape, dtype=bool))
    if held is not None:
        C[held > 0] = complex(np.nan, np.nan)  # checks: NF3
