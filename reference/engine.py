"""Choosing how to evaluate Eq 2 for operands already in the computing dtype.

Both algorithms compute exactly the strided outputs (no subsampling of a
stride-1 result) and both are in the componentwise accuracy class:

* :mod:`.taps` (shift-and-add) for small kernels and for integer or object
  arithmetic, where each tap is one pass over a cache-sized band;
* :mod:`.toeplitz` (tiled matrix product on BLAS) for floating kernels with
  more than ``TAPS_MAX`` taps, where a pass per tap would cost too much.

Both work band by band (:mod:`.blocks`), so their working memory is bounded;
the tiled product uses every core through BLAS.
"""

from __future__ import annotations

import numpy as np

from . import taps
from .blocks import run_bands
from .toeplitz import TiledProduct

#: Largest kernel (in taps) evaluated by shift-and-add when BLAS is available.
TAPS_MAX = 16
#: Bytes of accumulator per shift-and-add band (fits the core's L2 cache with its inputs).
BAND_BYTES = 1 << 18


def correlate(M: np.ndarray, K: np.ndarray, stride: tuple[int, int],
              shape: tuple[int, int]) -> np.ndarray:
    """Eq 2 for ``M`` and ``K`` of one dtype; finite values when that dtype is inexact.

    Returns a new C-contiguous array of ``shape`` (Eq 1) in that dtype.
    """
    out = np.empty(shape, dtype=M.dtype)  # checks: AL1
    if M.dtype.kind in "fc" and K.size > TAPS_MAX:
        product = TiledProduct(M, K, stride, shape[1])
        run_bands(lambda start, stop: product.correlate_band(out, start, stop),
                  shape[0], product.band_rows())
    else:
        band = BAND_BYTES // (shape[1] * out.itemsize)
        run_bands(lambda start, stop: taps.correlate_band(M, K, stride, out, start, stop),
                  shape[0], band)
    return out
