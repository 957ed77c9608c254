"""Eq 2 as a matrix product over blocks of outputs (for large kernels).

Cut the output into blocks of ``R x W`` outputs, ``(i, j) = (I*R + r, J*W + w)``.
Along the rows, the outputs of one block read the input rows
``I*R*sx + e`` for ``e`` in a set ``E`` that depends only on ``(R, sx, m')``:

* ``sx < m'`` (neighbouring windows overlap): ``e < (R - 1)*sx + m'``, and
  output row ``r`` reads ``e = r*sx + a``;
* ``sx >= m'`` (windows touch or lie apart): only the ``R*m'`` rows
  ``e = r*sx + a`` are read, and they are kept packed, output row ``r``
  reading position ``r*m' + a``.

The columns are cut the same way, with ``(W, sy, n')``.  Call ``X[I, J, e, f]``
the patch of input a block reads (``PR x PC`` values, rows ``E``, columns
``F``) and ``o_r``, ``o_w`` the patch positions where the window of output
``(r, w)`` starts.  Then

    C[I*R + r, J*W + w] = sum_{e, f} X[I, J, e, f] * T[e, f, r, w],
    T[e, f, r, w] = K[e - o_r, f - o_w]  when 0 <= e - o_r < m' and
                                              0 <= f - o_w < n',   else 0,

because the zero entries of the block Toeplitz matrix ``T`` drop exactly the
patch values outside each window.  Flattening ``(I, J)`` into rows, ``(e, f)``
into the inner dimension and ``(r, w)`` into columns turns a band of block rows
into one matrix product ``X (blocks x PR*PC) @ T (PR*PC x R*W)``, evaluated by
BLAS.  No product is spent on a skipped position of a stride: the polyphase
split (one stride-1 problem per phase of the rows and of the columns) would
read the same patch values in another order, so it needs no separate treatment.

Cost.  Each output costs ``PR*PC`` multiply-adds in the product (``m'n'`` of
them useful) and the band copies ``PR*PC / (R*W)`` patch values per output.
Larger blocks waste more multiplications on zeros, smaller blocks make BLAS slow
(a narrow product) and the copy large; `block_shape` weighs the two.  The
bands run on the worker threads of `blocks`, and each band's product is
cut into BLAS calls that stay on one core (`product`).

Memory.  Only the patch matrix ``X`` of one band per worker thread is ever
formed, never the whole window matrix; the band is sized to keep it at about
``STRIP_ELEMENTS``.  The blocks on the last row or column of blocks may reach
past the input: they are read from a zero-padded copy of that rim only
(``O(PR * n + PC * m)`` values), or, for an input of at most
``STRIP_ELEMENTS`` values, from a zero-padded copy of the whole input.

Accuracy.  Every output is a sum of its own ``m'n'`` products plus exact zeros,
so any summation order BLAS picks stays in the componentwise class; the zeros
are why the inputs must be finite here (``0 * inf`` would leak NaN into
neighbouring outputs), which `special` arranges.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .blocks import run_bands

#: Elements of the patch matrix one band may hold (about the core's L2 cache).
STRIP_ELEMENTS = 1 << 18
#: Multiply-adds per BLAS call: OpenBLAS (0.3.31 measured) keeps calls of at
#: most 2**19 on the calling thread.
SERIAL_MACS = 1 << 19
#: Block widths ``W`` and heights ``R`` tried by `block_shape`.
WIDTH = 8
HEIGHTS = (1, 2, 4)
#: Costs relative to one multiply-add of the product (measured on one core,
#: float32 and float64 alike): copying one patch value; packing one entry of
#: ``T``, which BLAS does once per call; placing one kernel value in ``T``.
COPY_COST = 15.0
PACK_COST = 5.0
T_COST = 100.0


def patch_axis(count: int, step: int, k: int) -> tuple[int, list[int]]:
    """Patch length along one axis and the start of each output's window in it.

    ``count`` outputs spaced ``step`` apart, windows of ``k``: a contiguous run
    when the windows overlap (``step < k``), else the ``count`` windows packed.
    """
    if step < k:
        return (count - 1) * step + k, [r * step for r in range(count)]
    return count * k, [r * k for r in range(count)]


def block_shape(K_shape: tuple[int, int], stride: tuple[int, int],
                out_shape: tuple[int, int]) -> tuple[int, int]:
    """``(R, W)``: ``W = WIDTH`` (or the output width) and the height of least estimated cost.

    In units of one multiply-add, a block (the partial ones on the rims count
    whole) costs its ``P*N`` products (``P = PR*PC``, ``N = R*W``), the copy
    of its patch, ``COPY_COST * P``, and its share of packing ``T`` once per
    BLAS call of ``g = SERIAL_MACS // (P*N)`` blocks, ``PACK_COST * P*N / g``.
    Building ``T`` adds ``T_COST * N * m'n'`` once.
    """
    (mk, nk), (sx, sy), (rows, cols) = K_shape, stride, out_shape
    width = min(WIDTH, cols)
    pc = patch_axis(width, sy, nk)[0]

    def cost(height: int) -> float:
        patch, n = patch_axis(height, sx, mk)[0] * pc, height * width
        per_call = max(1, SERIAL_MACS // (patch * n))
        per_block = patch * (n + COPY_COST) + PACK_COST * patch * n / per_call
        return -(-rows // height) * -(-cols // width) * per_block + T_COST * n * mk * nk
    return min((min(h, rows) for h in HEIGHTS), key=cost), width


def toeplitz(K: np.ndarray, width: int, step: int, height: int = 1, row_step: int = 1) -> np.ndarray:
    """The matrix ``T`` above for ``R = height``, ``W = width``, shaped ``(PR*PC, R*W)``."""
    mk, nk = K.shape
    pr, row_starts = patch_axis(height, row_step, mk)
    pc, col_starts = patch_axis(width, step, nk)
    e = (np.array(row_starts)[:, None] + np.arange(mk))[:, :, None, None]  # (R, m', 1, 1)
    f = (np.array(col_starts)[:, None] + np.arange(nk))[None, None]        # (1, 1, W, n')
    r, w = np.arange(height)[:, None, None, None], np.arange(width)[None, None, :, None]
    T = np.zeros((pr, pc, height, width), dtype=K.dtype)
    T[e, f, r, w] = K[None, :, None, :]
    return T.reshape(pr * pc, height * width)


def _axis_view(count: int, step: int, k: int, unit: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Shape and byte strides of one axis of the patch, ``unit`` bytes between input neighbours."""
    if step < k:
        return ((count - 1) * step + k,), (unit,)
    return (count, k), (step * unit, unit)


class TiledProduct:
    """Eq 2 for finite operands of one dtype, evaluated block by block as above."""

    def __init__(self, K: np.ndarray, stride: tuple[int, int], out_shape: tuple[int, int]):
        self.stride, self.kshape = stride, K.shape
        self.height, self.width = block_shape(K.shape, stride, out_shape)
        self.T = toeplitz(K, self.width, stride[1], self.height, stride[0])

    def correlate(self, M: np.ndarray, out: np.ndarray) -> None:
        """Write Eq 2 for all of ``out`` (shape ``(m'', n'')``).

        A small ``M`` is zero-padded whole, which saves the rims' separate
        products.  Otherwise the blocks that lie inside ``M`` read it in place,
        and the last, partial row and column of blocks read zero-padded copies
        of their rims.
        """
        (sx, sy), (rows, cols) = self.stride, out.shape
        if M.size <= STRIP_ELEMENTS:
            self._blocks(self._rim(M, rows, cols), out)
            return
        full_rows, full_cols = rows - rows % self.height, cols - cols % self.width
        self._blocks(M, out[:full_rows, :full_cols])
        if full_rows < rows:
            self._blocks(self._rim(M[full_rows * sx:], rows - full_rows, full_cols), out[full_rows:, :full_cols])
        if full_cols < cols:
            self._blocks(self._rim(M[:, full_cols * sy:], rows, cols - full_cols), out[:, full_cols:])

    def _rim(self, part: np.ndarray, rows: int, cols: int) -> np.ndarray:
        """``part`` of ``M``, zero-padded so whole blocks covering ``rows x cols`` outputs fit."""
        (sx, sy), (mk, nk), (R, W) = self.stride, self.kshape, (self.height, self.width)
        need = (sx * (-(-rows // R) * R - 1) + mk, sy * (-(-cols // W) * W - 1) + nk)
        if need[0] <= part.shape[0] and need[1] <= part.shape[1]:
            return part
        padded = np.zeros((max(need[0], part.shape[0]), max(need[1], part.shape[1])), dtype=part.dtype)
        padded[:part.shape[0], :part.shape[1]] = part
        return padded

    def _blocks(self, M: np.ndarray, out: np.ndarray) -> None:
        """``out`` from whole blocks of ``M``, one band of block rows at a time."""
        (sx, sy), (mk, nk), (R, W) = self.stride, self.kshape, (self.height, self.width)
        rows, cols = out.shape
        if rows == 0 or cols == 0:
            return
        nI, nJ = -(-rows // R), -(-cols // W)
        s0, s1 = M.strides
        row_shape, row_strides = _axis_view(R, sx, mk, s0)
        col_shape, col_strides = _axis_view(W, sy, nk, s1)
        view = as_strided(M, shape=(nI, nJ) + row_shape + col_shape,
                          strides=(R * sx * s0, W * sy * s1) + row_strides + col_strides, writeable=False)

        def band(I0: int, I1: int) -> None:
            X = np.ascontiguousarray(view[I0:I1]).reshape((I1 - I0) * nJ, self.T.shape[0])
            Y = product(X, self.T).reshape(I1 - I0, nJ, R, W).transpose(0, 2, 1, 3)
            r0, r1 = I0 * R, min(rows, I1 * R)
            out[r0:r1] = Y.reshape((I1 - I0) * R, nJ * W)[:r1 - r0, :cols]
        run_bands(band, nI, STRIP_ELEMENTS // (nJ * self.T.shape[0]))


def product(X: np.ndarray, T: np.ndarray) -> np.ndarray:
    """``X @ T`` in BLAS calls of at most ``SERIAL_MACS`` multiply-adds each.

    Groups of ``g`` rows of ``X`` form a stack of matrices, one BLAS call each,
    and the rows left over one more call.  OpenBLAS runs a call this small on
    the calling thread, so the bands' workers never wait for one another.
    """
    rows, inner = X.shape
    group = max(1, SERIAL_MACS // (inner * T.shape[1]))
    whole = rows - rows % group
    Y = np.empty((rows, T.shape[1]), dtype=np.result_type(X, T))
    with np.errstate(all="ignore"):  # overflow to inf is the IEEE result (AC4)
        np.matmul(X[:whole].reshape(-1, group, inner), T,
                  out=Y[:whole].reshape(-1, group, T.shape[1]))  # checks: EQ2
        np.matmul(X[whole:], T, out=Y[whole:])  # checks: EQ2
    return Y
