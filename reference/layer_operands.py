"""The layer's operands in the computing dtype: padded once, finite, freshly allocated.

For an axis with pads ``(lo, hi)`` (`convspec.spec.geometry.Axis`) the padded
input holds ``lo + i + hi`` elements: input element ``q`` sits at padded
position ``q + lo``; a negative pad crops ``-lo`` (or ``-hi``) input elements
instead (CV-PD1).  `padded` builds that array in one pass, converting to the
computing dtype on the way, with a chosen fill value in the padding: zeros of
the data (CV-PD3), or ``True`` / ``False`` for the indicator masks of
`layer_special`.

The fast algorithms need finite operands (an exact zero of a GEMM or of a
padded tap times an infinity would be NaN in outputs that never read it), so
`finite` replaces NaN and infinities by zeros in the copy; `layer_special`
then sets the outputs that read them.  The caller's arrays are only read (CV-MU1).
"""

from __future__ import annotations

import numpy as np

from convspec.spec.geometry import Geometry


def padded(x: np.ndarray, geometry: Geometry, dtype, fill=0) -> np.ndarray:
    """``x`` (spatial axes last) padded per ``geometry`` with ``fill``, as a new C-contiguous array."""
    lead = x.ndim - geometry.rank
    shape = x.shape[:lead] + tuple(max(axis.padded, 0) for axis in geometry.axes)
    out = np.full(shape, fill, dtype=dtype) if fill else np.zeros(shape, dtype=dtype)
    src, dst = [slice(None)] * lead, [slice(None)] * lead
    for axis in geometry.axes:
        first, last = max(-axis.lo, 0), axis.size - max(-axis.hi, 0)  # checks: CV-PD1
        count = max(last - first, 0)
        src.append(slice(first, first + count))
        dst.append(slice(max(axis.lo, 0), max(axis.lo, 0) + count))
    out[tuple(dst)] = x[tuple(src)]  # checks: CV-PD1, CV-PD3
    return out


def finite(x: np.ndarray, owned: bool) -> tuple[np.ndarray, bool]:
    """``x`` with NaN and infinities replaced by zeros, and whether any was.

    ``owned`` says that ``x`` is this module's own copy and may be changed in
    place; otherwise a new array is made (the caller's array is never written).
    """
    if x.dtype.kind not in "fc":
        return x, False
    good = np.isfinite(x)
    if good.all():
        return x, False
    if owned:
        x[~good] = 0
        return x, True
    return np.where(good, x, np.zeros((), x.dtype)), True  # checks: CV-MU1


def weights(W: np.ndarray, dtype) -> np.ndarray:
    """``W`` as a C-contiguous array of ``dtype`` (a new array unless it already is one)."""
    return np.ascontiguousarray(W, dtype=dtype)  # checks: CV-IN5
