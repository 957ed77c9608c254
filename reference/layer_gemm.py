"""The layer as matrix products over blocks of outputs (blocked im2col).

Number the kernel taps ``a = 0 … T-1`` (C order, ``T = ∏K``) and the input
channels of group ``g`` as ``c = 0 … C/g - 1``.  For a block ``J`` of output
positions (a run of one spatial axis ``t``, with fixed indices on the axes
before it and every index on the axes after it) let

    Xcol[(a, c), j] = Xp[n, g·C/g + c, j·s + a·dil]        (j in J)
    Wrow[o, (a, c)] = W[o, c, a]                             (o in group g)

Then CV-EQ1 without the bias is the matrix product

    Y[n, o, J] = Wrow[o, :] @ Xcol[:, J],

one GEMM per ``(n, g, block)``, ``T·C/g`` long.  Every output is a sum of its
own ``T·C/g`` products in some order BLAS chooses, so it is within CV-AC1's
``gamma_n`` bound for any order; nothing else enters it (BLAS's
column ``j`` of the result reads only column ``j`` of ``Xcol``).  The operands
are finite here (`layer_operands.finite`), so no exact zero meets an infinity.

Memory: ``Xcol`` of one block holds at most ``WORKSPACE_BYTES`` (or one row of
``T·C/g`` values when that is larger), one buffer per worker thread, reused
from block to block; the result is written in place into ``Y``.  A 1×1 kernel
at unit strides needs no ``Xcol`` at all: the padded input itself, viewed as a
``(C/g, positions)`` matrix, is the right operand.
"""

from __future__ import annotations

import math
import threading

import numpy as np

from convspec.spec.geometry import Geometry

from .layer_threads import WORKERS, run_jobs

#: Bytes of one worker's block of Xcol (a few L2 caches: long enough rows for BLAS, reused per block).
WORKSPACE_BYTES = 1 << 21
#: Fewest output positions per block when blocks are cut finer to feed the threads.
MIN_BLOCK = 256
#: Jobs per worker thread wanted, so that a thread the system holds back leaves little work behind.
JOBS_PER_WORKER = 4


def restrict(tap_slices: tuple[slice, ...], geometry: Geometry, prefix: tuple[int, ...],
              start: int, stop: int) -> tuple:
    """The tap's slices cut to outputs ``prefix`` on the leading axes and ``start:stop`` on the next."""
    parts = []
    for axis, sl, j in zip(geometry.axes, tap_slices, prefix):
        parts.append(sl.start + j * axis.stride)  # checks: CV-EQ1
    t = len(prefix)
    sl, s = tap_slices[t], geometry.axes[t].stride
    parts.append(slice(sl.start + start * s, sl.start + (stop - 1) * s + 1, s))  # checks: CV-EQ1
    return tuple(parts) + tuple(tap_slices[t + 1:])


def plan(out_shape: tuple[int, ...], row_len: int, itemsize: int, jobs_wanted: int) -> tuple[int, int]:
    """``(t, block)``: cut the outputs along spatial axis ``t`` into runs of ``block``.

    ``t`` is the first axis whose trailing positions (one index of ``t``, all
    of the axes after it) fit the workspace; ``block`` is as long as the
    workspace allows, then shortened (not below ``MIN_BLOCK`` positions) until
    there are about ``jobs_wanted`` blocks.
    """
    cols = max(1, WORKSPACE_BYTES // max(1, row_len * itemsize))
    for t in range(len(out_shape)):
        inner = math.prod(out_shape[t + 1:])
        if inner <= cols:
            break
    block = max(1, min(out_shape[t], cols // inner))
    outer = math.prod(out_shape[:t])
    while outer * -(-out_shape[t] // block) < jobs_wanted and block > 1 and (block // 2) * inner >= MIN_BLOCK:
        block //= 2
    pieces = -(-out_shape[t] // block)
    return t, -(-out_shape[t] // pieces)  # the same count of blocks, of (nearly) equal lengths


def correlate(Xp: np.ndarray, Wk: np.ndarray, geometry: Geometry, groups: int, out: np.ndarray) -> None:
    """Write CV-EQ1 without bias into ``out`` (N, O, *S) from the padded finite ``Xp`` and ``Wk``."""
    N, O, Cg = out.shape[0], Wk.shape[0], Wk.shape[1]
    Og, S, taps = O // groups, geometry.out_shape, list(geometry.taps())
    T = len(taps)
    Wrow = np.ascontiguousarray(
        Wk.reshape(groups, Og, Cg, T).transpose(0, 1, 3, 2)).reshape(groups, Og, T * Cg)
    direct = T == 1 and all(axis.stride == 1 for axis in geometry.axes)
    slices = [geometry.tap_slices(tap) for tap in taps]
    wanted = JOBS_PER_WORKER * WORKERS
    t, block = plan(S, T * Cg, Xp.itemsize, -(-wanted // (N * groups)))
    blocks = [(prefix, r0, min(r0 + block, S[t]))
              for prefix in np.ndindex(*S[:t]) for r0 in range(0, S[t], block)]
    per_job = N * groups * len(blocks)
    split = max(1, min(-(-wanted // per_job), Og // 16)) if per_job < wanted else 1
    chunks = [(o0, min(o0 + -(-Og // split), Og)) for o0 in range(0, Og, -(-Og // split))]
    jobs = [(n, g, chunk, blk) for n in range(N) for g in range(groups) for chunk in chunks for blk in blocks]
    buffers = threading.local()

    def work(job) -> None:
        n, g, (o0, o1), (prefix, r0, r1) = job
        lead = (n, slice(g * Og + o0, g * Og + o1)) + tuple(prefix) + (slice(r0, r1),)
        Y = out[lead].reshape(o1 - o0, -1)
        channels = (n, slice(g * Cg, (g + 1) * Cg))
        if direct:
            X = Xp[channels + restrict(slices[0], geometry, tuple(prefix), r0, r1)].reshape(Cg, -1)
        else:
            width = (r1 - r0) * math.prod(S[t + 1:])
            need = T * Cg * width
            buf = getattr(buffers, "cols", None)
            if buf is None or buf.size < need:
                buf = buffers.cols = np.empty(max(need, T * Cg * block * math.prod(S[t + 1:])), Xp.dtype)
            cols = buf[:need].reshape((T, Cg, r1 - r0) + S[t + 1:])
            for a in range(T):
                cols[a] = Xp[channels + restrict(slices[a], geometry, tuple(prefix), r0, r1)]  # checks: CV-EQ1
            X = cols.reshape(T * Cg, width)
        with np.errstate(all="ignore"):  # overflow to inf is the IEEE result (CV-AC1 leaves it open)
            np.matmul(Wrow[g, o0:o1], X, out=Y)  # checks: CV-EQ1

    run_jobs(jobs, work, N * O * math.prod(S) * T * Cg)
