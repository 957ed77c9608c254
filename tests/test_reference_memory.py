"""The reference never forms the whole window matrix.

The window (im2col) matrix of a problem has ``m''n'' x m'n'`` entries; for the
sizes below that is hundreds of times the input.  The reference's extra memory,
measured with :mod:`tracemalloc` (NumPy reports its array buffers to it), must
stay within a small multiple of the input plus the output.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from convspec import reference, spec


@pytest.mark.parametrize("dtype, kshape, stride", [
    ("float64", (31, 31), (1, 1)), ("float32", (3, 3), (1, 1)), ("float64", (7, 7), (2, 3)),
    ("int32", (5, 5), (1, 1)),
])
def test_extra_memory_is_linear_in_input_and_output(dtype, kshape, stride):
    rng = np.random.default_rng(3)
    M = rng.integers(-9, 9, size=(1000, 1000)).astype(dtype)
    K = rng.integers(-9, 9, size=kshape).astype(dtype)
    rows, cols = spec.output_shape(M.shape, K.shape, stride)
    out_bytes = rows * cols * np.result_type(M, K).itemsize
    window_matrix = rows * cols * K.size * M.itemsize
    tracemalloc.start()
    try:
        reference.conv2d(M, K, stride=stride)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * (M.nbytes + out_bytes) + (16 << 20)
    if K.size >= 100:
        assert peak < window_matrix / 10
