"""Choosing how to evaluate the layer for padded, finite operands of one dtype.

* `layer_taps` (multiply-add per tap) when a group's matrix product would be
  too narrow for BLAS: at most ``NARROW`` products per output and tap
  (``C/g · O/g``), as in depthwise layers, or for exact integer and object
  arithmetic without BLAS, where a long product has no fast kernel either;
* `layer_gemm` (blocked im2col, one GEMM per block) otherwise.

Both write the whole result, leave the bias out and need finite operands.
"""

from __future__ import annotations

import numpy as np

from convspec.spec.geometry import Geometry

from . import layer_gemm, layer_taps

#: Largest ``C/g · O/g`` evaluated by multiply-add per tap.
NARROW = 4


def correlate(Xp: np.ndarray, Wk: np.ndarray, geometry: Geometry, groups: int, out: np.ndarray) -> None:
    """Write CV-EQ1 without bias into ``out`` (shape (N, O, *S), the dtype of ``Xp`` and ``Wk``)."""
    if out.size == 0:
        return  # checks: CV-SH2
    Cg, Og = Wk.shape[1], Wk.shape[0] // groups
    if Cg == 0:
        out[...] = 0  # an empty sum (C = 0)  # checks: CV-SH2
        return
    if Cg * Og <= NARROW or (Xp.dtype.kind not in "fc" and Cg * Og <= 4 * NARROW):
        layer_taps.correlate(Xp, Wk, geometry, groups, out)
    else:
        layer_gemm.correlate(Xp, Wk, geometry, groups, out)


def conv(Xp: np.ndarray, Wk: np.ndarray, geometry: Geometry, groups: int) -> np.ndarray:
    """A new C-contiguous result of CV-EQ1 without bias."""
    out = np.empty((Xp.shape[0], Wk.shape[0]) + geometry.out_shape, dtype=np.result_type(Xp, Wk))
    correlate(Xp, Wk, geometry, groups, out)
    return out
