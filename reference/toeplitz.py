"""Eq 2 as a matrix product over tiles of columns (for large kernels).

Cut each output row into tiles of ``W`` consecutive columns ``j = t*W + w``
(``0 <= w < W``).  The outputs of one tile read, from each input row
``i*sx + a``, only the ``L = (W - 1)*sy + n'`` columns starting at
``t*W*sy``; call that strip ``X[i, t, a, c]`` with ``0 <= c < L``.  Then

    C[i, t*W + w] = sum_{a < m'} sum_{c < L} X[i, t, a, c] * T[a, c, w],
    T[a, c, w] = K[a, c - w*sy]   when 0 <= c - w*sy < n',   else 0,

because the zero entries of the banded Toeplitz matrix ``T`` drop exactly the
columns outside each window.  Flattening ``(i, t)`` into rows and ``(a, c)``
into the inner dimension turns a band of output rows into one matrix product
``X (rows*tiles x m'L) @ T (m'L x W)``, evaluated by BLAS.  Only the strip
matrix ``X`` of one band is ever formed, never the whole window matrix: its size
is about ``m' L / W`` times the band's output, and the band is sized to keep it
small.  Every output is a sum of its own ``m'n'`` products plus exact zeros, so
any summation order BLAS picks stays in the componentwise class; the zeros are
why the inputs must be finite here (``0 * inf`` would leak NaN into
neighbouring outputs), which :mod:`.special` arranges.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

#: Elements of the strip matrix one band may hold (a few MiB).
STRIP_ELEMENTS = 1 << 19


def tile_width(nk: int, cols: int) -> int:
    """``W``: the kernel width rounded to a multiple of 8, at most the output width.

    Larger tiles waste more multiplications on zeros (``L/n'`` of them are
    useful); smaller tiles make BLAS slower and the strip matrix larger.
    """
    return max(1, min(cols, -(-max(nk, 8) // 8) * 8))


def toeplitz(K: np.ndarray, width: int, step: int) -> np.ndarray:
    """The matrix ``T`` above, shaped ``(m' * L, W)``."""
    mk, nk = K.shape
    strip = (width - 1) * step + nk
    T = np.zeros((mk, strip, width), dtype=K.dtype)
    for w in range(width):
        T[:, w * step:w * step + nk, w] = K
    return T.reshape(mk * strip, width)


class TiledProduct:
    """Eq 2 for finite operands of one dtype, evaluated band by band as above."""

    def __init__(self, M: np.ndarray, K: np.ndarray, stride: tuple[int, int], cols: int):
        (sx, sy), (mk, nk) = stride, K.shape
        self.stride, self.mk, self.cols = stride, mk, cols
        self.width = tile_width(nk, cols)
        self.strip = (self.width - 1) * sy + nk
        self.tiles = -(-cols // self.width)
        self.T = toeplitz(K, self.width, sy)
        need = (self.tiles * self.width - 1) * sy + nk
        if need > M.shape[1] or not M.flags.c_contiguous:
            padded = np.zeros((M.shape[0], max(need, M.shape[1])), dtype=M.dtype)
            padded[:, :M.shape[1]] = M
            M = padded
        self.M = M

    def band_rows(self) -> int:
        """Output rows per band, so that one band's strip matrix stays small."""
        return max(1, STRIP_ELEMENTS // (self.tiles * self.mk * self.strip))

    def correlate_band(self, out: np.ndarray, start: int, stop: int) -> None:
        """Write rows ``start:stop`` of Eq 2 into ``out``."""
        (sx, sy), rows = self.stride, stop - start
        s0, s1 = self.M.strides
        view = as_strided(self.M[start * sx:], shape=(rows, self.tiles, self.mk, self.strip),
                          strides=(sx * s0, self.width * sy * s1, s0, s1), writeable=False)
        X = np.ascontiguousarray(view).reshape(rows * self.tiles, self.mk * self.strip)
        with np.errstate(all="ignore"):  # overflow to inf is the IEEE result (AC4)
            tiled = (X @ self.T).reshape(rows, self.tiles * self.width)  # checks: EQ2
        out[start:stop] = tiled[:, :self.cols]
