"""Direct evaluation of Eq 2 by shift-and-add over the kernel taps.

For a band of output rows ``i0 <= i < i1`` and one tap ``(a, b)`` the products
``M[i*sx + a, j*sy + b] * K[a, b]`` for all ``(i, j)`` of the band form the
strided view ``M[i0*sx + a :: sx, b :: sy]`` (cut to the band) times a scalar.
Adding these ``m'n'`` scaled views in tap order ``(0, 0), (0, 1), ...``
evaluates, for every output at once, the sum

    C[i, j] = (...((M[..] K[0,0] + M[..] K[0,1]) + ...) + M[..] K[m'-1, n'-1])

left to right, which is exactly the recursive summation of Eq 2: the rounding
error of each output is within ``gamma_{m'n'} * S[i, j]`` (componentwise
class), every value is a product of its own window only (so NaN and infinities
stay local), and only the strided outputs are ever formed.  The band is sized so
that its accumulator stays in the core's cache across all taps.
"""

from __future__ import annotations

import numpy as np


def correlate_band(M: np.ndarray, K: np.ndarray, stride: tuple[int, int],
                   out: np.ndarray, start: int, stop: int) -> None:
    """Write rows ``start:stop`` of Eq 2 into ``out`` (which has the full output shape)."""
    acc = out[start:stop]
    product = np.empty_like(acc)
    with np.errstate(all="ignore"):  # overflow to inf is the IEEE result (AC4)
        _accumulate(M, K, stride, acc, product, start)


def _accumulate(M, K, stride, acc, product, start) -> None:
    """``acc = sum over taps (a, b) of view(a, b) * K[a, b]``, left to right."""
    (sx, sy), (mk, nk) = stride, K.shape
    rows, cols = acc.shape
    first = True
    for a in range(mk):
        top = start * sx + a
        for b in range(nk):
            view = M[top:top + (rows - 1) * sx + 1:sx, b:b + (cols - 1) * sy + 1:sy]  # checks: EQ2
            if first:
                np.multiply(view, K[a, b], out=acc)
                first = False
            else:
                np.multiply(view, K[a, b], out=product)
                np.add(acc, product, out=acc)
