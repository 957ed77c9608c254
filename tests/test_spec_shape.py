"""EQ1 and EQ2: the output shape counts the window positions that fit, and the
values are the unflipped window sums.

The shape is checked against a brute-force count of offsets, independent of the
closed form ``floor((m - m') / s) + 1``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from convspec.spec import conv2d, output_shape
from convspec.spec.shape import axis_output_length
from strategies import geometries


def _fitting_offsets(size: int, ksize: int, step: int) -> list[int]:
    """Every offset 0, step, 2*step, ... at which a window of ``ksize`` ends inside ``size``."""
    offsets, start = [], 0
    while start + ksize <= size:
        offsets.append(start)
        start += step
    return offsets


@given(geometry=geometries(max_side=30, max_kernel=30, max_stride=40))
def test_EQ1_shape_counts_window_positions(geometry):
    (m, n), (mk, nk), (sx, sy) = geometry.m_shape, geometry.k_shape, geometry.stride
    expected = (len(_fitting_offsets(m, mk, sx)), len(_fitting_offsets(n, nk, sy)))
    assert output_shape((m, n), (mk, nk), (sx, sy)) == expected


@given(size=st.integers(1, 200), data=st.data())
def test_EQ1_axis_length_is_one_exactly_when_stride_passes_the_slack(size, data):
    ksize = data.draw(st.integers(1, size), label="kernel length")
    step = data.draw(st.integers(1, 3 * size), label="step")
    length = axis_output_length(size, ksize, step)
    assert length >= 1
    last = (length - 1) * step
    assert last + ksize <= size < last + step + ksize  # the last window fits, the next does not
    assert (length == 1) == (step > size - ksize)


@given(geometry=geometries(max_side=9, max_kernel=4, max_stride=12))
def test_EQ1_oracle_output_has_the_counted_shape(geometry):
    M = np.ones(geometry.m_shape, dtype=np.int16)
    K = np.ones(geometry.k_shape, dtype=np.int16)
    out = conv2d(M, K, stride=geometry.stride)
    expected = tuple(len(_fitting_offsets(*args)) for args in
                     zip(geometry.m_shape, geometry.k_shape, geometry.stride))
    assert out.shape == expected
    assert (out == geometry.k_shape[0] * geometry.k_shape[1]).all()


def test_EQ2_kernel_is_not_flipped():
    """Cross-correlation: a kernel with a single 1 at (a, b) picks M[i*sx + a, j*sy + b]."""
    M = np.arange(1, 43, dtype=np.int64).reshape(6, 7)
    for a in range(3):
        for b in range(2):
            K = np.zeros((3, 2), dtype=np.int64)
            K[a, b] = 1
            out = conv2d(M, K, stride=(2, 3))
            rows, cols = out.shape
            assert out.tolist() == [[int(M[2 * i + a, 3 * j + b]) for j in range(cols)]
                                    for i in range(rows)], (a, b)


def test_EQ2_stride_axes_are_rows_then_columns():
    """sx steps over axis 0: a tall stride on a wide input keeps every column."""
    M = np.arange(20, dtype=np.int32).reshape(4, 5)
    out = conv2d(M, np.ones((1, 1), dtype=np.int32), stride=(3, 1))
    assert out.tolist() == [M[0].tolist(), M[3].tolist()]
