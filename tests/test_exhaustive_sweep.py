"""Every small problem: the reference equals the exact oracle on all of them.

All shapes ``m, n <= 6``, every kernel ``m' <= m, n' <= n`` and every stride in
``1..4`` on both axes (7056 problems).  Inputs are integer-valued with distinct
entries, so a wrong index, a flipped kernel or a misplaced stride changes the
value.  The same problems run through the integer path (int64) and the floating
paths (float64 with the same values, exact in any summation order), the latter
also with the tiled matrix product forced for every kernel size.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

from convspec import reference, spec
from convspec.reference import engine


def problems():
    for m in range(1, 7):
        for n in range(1, 7):
            M = (np.arange(m * n, dtype=np.int64).reshape(m, n) * 7 + 3) % 23 - 11
            for mk in range(1, m + 1):
                for nk in range(1, n + 1):
                    K = (np.arange(mk * nk, dtype=np.int64).reshape(mk, nk) * 5 + 1) % 13 - 6
                    for sx in range(1, 5):
                        for sy in range(1, 5):
                            yield M, K, (sx, sy)


def test_problem_count():
    assert sum(1 for _ in problems()) == 21 * 21 * 16


@pytest.mark.parametrize("path", ["integer", "float-taps", "float-tiled"])
def test_EQ1_EQ2_every_small_problem(path):
    taps_max = 0 if path == "float-tiled" else engine.TAPS_MAX
    with mock.patch.object(engine, "TAPS_MAX", taps_max):
        for M, K, stride in problems():
            oracle = spec.conv2d(M, K, stride=stride)
            if path == "integer":
                C = reference.conv2d(M, K, stride=stride)
            else:
                C = reference.conv2d(M.astype(np.float64), K.astype(np.float64), stride=stride)
            assert C.shape == oracle.shape, (M.shape, K.shape, stride)
            assert np.array_equal(C, oracle), (M.shape, K.shape, stride)
