"""Cutting a same-size filter output down to the strided valid region.

Image filters such as ``scipy.ndimage.correlate`` and ``cv2.filter2D`` return
an array the size of M.  When the kernel is anchored at its top-left element,
output ``(p, q)`` is the window sum starting at ``M[p, q]``, so the
unstrided cross-correlation occupies rows ``0 .. m - m'`` and columns
``0 .. n - n'``, and Eq 2 keeps every ``sx``-th row and ``sy``-th column of
that block:

    C = full[0 : m - m' + 1 : sx, 0 : n - n' + 1 : sy].

The cut is plain slicing, exactly as a user would write it: it adds no
checks of its own (a kernel larger than M gives a meaningless slice).
"""

from __future__ import annotations


def valid_strided(full, m_shape, k_shape, stride):
    """Rows and columns of ``full`` that Eq 2 keeps (see the module docstring)."""
    (m, n), (mk, nk), (sx, sy) = m_shape, k_shape, stride
    return full[: m - mk + 1: sx, : n - nk + 1: sy]
