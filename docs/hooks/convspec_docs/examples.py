"""The input and kernel used by every worked example and figure of the docs.

The mathematics page shows the same two arrays in a code block, and
``tests/test_docs_examples.py`` checks that the two copies agree.  The kernel is
deliberately not symmetric, so flipping it changes the result.
"""

from __future__ import annotations

import numpy as np

M = np.array([
    [3, 1, 4, 1, 5, 9],
    [2, 6, 5, 3, 5, 8],
    [9, 7, 9, 3, 2, 3],
    [8, 4, 6, 2, 6, 4],
    [3, 3, 8, 3, 2, 7],
    [9, 5, 0, 2, 8, 8],
])

K = np.array([
    [1, 0, -1],
    [2, 1, 0],
    [0, -1, 1],
])


def stride_pair(stride) -> tuple[int, int]:
    """``2`` -> ``(2, 2)``; a pair stays a pair."""
    if isinstance(stride, int):
        return (stride, stride)
    sx, sy = stride
    return (int(sx), int(sy))
