"""Eq 1: the output shape.

Along one axis of length ``size``, a window of length ``ksize`` placed at offset
``i * step`` fits while ``i * step + ksize <= size``.  The largest such ``i`` is
``floor((size - ksize) / step)``, and counting from ``i = 0`` gives

    length = floor((size - ksize) / step) + 1.

The two axes are independent, so ``(m'', n'')`` applies this to rows with
``sx`` and to columns with ``sy``.
"""

from __future__ import annotations


def axis_output_length(size: int, ksize: int, step: int) -> int:
    """Number of window positions along one axis (Eq 1 for that axis).

    Assumes the validity clauses hold: ``1 <= ksize <= size`` and ``step >= 1``.
    """
    return (size - ksize) // step + 1  # checks: EQ1


def output_shape(m_shape: tuple[int, int], k_shape: tuple[int, int],
                 stride: tuple[int, int]) -> tuple[int, int]:
    """Eq 1: ``(m'', n'')`` for an input of shape ``m_shape`` and kernel ``k_shape``.

    >>> output_shape((6, 6), (3, 3), (1, 1))
    (4, 4)
    >>> output_shape((6, 6), (3, 3), (2, 2))
    (2, 2)
    """
    (m, n), (mk, nk), (sx, sy) = m_shape, k_shape, stride
    return axis_output_length(m, mk, sx), axis_output_length(n, nk, sy)
