"""Choosing how to evaluate Eq 2 for operands already in the computing dtype.

Both algorithms compute exactly the strided outputs (no subsampling of a
stride-1 result) and both are in the componentwise accuracy class:

* `taps` (shift-and-add) for small kernels and for integer or object
  arithmetic, where each tap is one pass over a cache-sized band;
* `toeplitz` (block Toeplitz matrix product on BLAS) for floating
  kernels with more than ``TAPS_MAX`` taps, where a pass per tap costs more
  than the product's multiplications by zeros and its copies.

The threshold was measured on one core, strides 1 to 4: shift-and-add wins up
to 4 x 4 (by up to three times at 3 x 3 when the windows lie apart), the two
are about even at 5 x 5, and the product wins from 7 x 7 on (by about four
times at stride 1) and for flat kernels (1 x 31: three times).  Tall, narrow
kernels (31 x 1: about twice slower in the product) are the exception the
threshold does not catch.  Both work band by band on the worker threads of
`blocks`, so their working memory is bounded.
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
        TiledProduct(K, stride, shape).correlate(M, out)  # checks: EQ2
    else:
        band = BAND_BYTES // (shape[1] * out.itemsize)
        run_bands(lambda start, stop: taps.correlate_band(M, K, stride, out, start, stop),
                  shape[0], band)
    return out
