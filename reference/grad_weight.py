"""The weight gradient as matrix products over blocks of output positions (finite operands).

Number the taps ``a = 0 … T-1`` and, for a block ``J`` of output positions
(cut as in `layer_gemm.plan`), form the block's window matrix of group ``g``

    Xcol[(a, c), j] = Xp[n, g·C/g + c, j·s + a·dil]        (j in J).

Then DW-EQ1 is a sum of matrix products over the batch and the blocks,

    dW[g·O/g + o, c, a] = Σ_n Σ_J (dY[n, g·O/g + o, J] @ Xcol[(a, c), J]ᵀ),

one batched product over a run of groups per ``(n, block)``.  Each element is
a sum of its own ``N·∏S_out`` products in some order (the padding zeros among
them, DW-PD1), within DW-AC1's bound for any order.

Threads: the ``(n, block)`` jobs are shared by the worker threads (see
`layer_threads`), each adding into its own accumulator of dW's shape; the
accumulators are summed at the end.  Memory: one window block per thread
(`layer_gemm.WORKSPACE_BYTES`, or ``MIN_COLUMNS`` columns when a column is
longer) and one accumulator per thread.
"""

from __future__ import annotations

import math
import threading

import numpy as np

from convspec.spec.geometry import Geometry

from .layer_gemm import JOBS_PER_WORKER, WORKSPACE_BYTES, plan, restrict
from .layer_threads import WORKERS, run_jobs

#: Fewest columns of a window block: the products are ``MIN_COLUMNS`` long at least.
MIN_COLUMNS = 256


def weight_grad(Xp: np.ndarray, dY: np.ndarray, geo: Geometry, groups: int, Cg: int) -> np.ndarray:
    """DW-EQ1 for the padded finite ``Xp`` (N, C, *P) and ``dY`` (N, O, *S_out) of one dtype."""
    N, O = dY.shape[:2]
    Og, S, taps = O // groups, geo.out_shape, list(geo.taps())
    T = len(taps)
    out = np.zeros((groups, Og, T, Cg), dtype=dY.dtype)
    if out.size == 0 or dY.size == 0:
        return _kernel_layout(out, geo)  # checks: DW-SH2
    slices = [geo.tap_slices(tap) for tap in taps]
    row = T * Cg * Xp.itemsize
    per_group = max(1, WORKSPACE_BYTES // max(1, row * MIN_COLUMNS))
    chunk = min(groups, per_group)
    wanted = -(-JOBS_PER_WORKER * WORKERS // (N * -(-groups // chunk)))
    t, block = plan(S, T * Cg * chunk, Xp.itemsize, wanted)
    if block * math.prod(S[t + 1:]) < MIN_COLUMNS:
        block = min(S[t], -(-MIN_COLUMNS // math.prod(S[t + 1:])))
    blocks = [(prefix, r0, min(r0 + block, S[t])) for prefix in np.ndindex(*S[:t]) for r0 in range(0, S[t], block)]
    jobs = [(n, g0, min(g0 + chunk, groups), blk) for n in range(N) for g0 in range(0, groups, chunk)
            for blk in blocks]
    Xg = Xp.reshape((N, groups, Cg) + Xp.shape[2:])
    dYg = dY.reshape((N, groups, Og) + S)
    local, accumulators, lock = threading.local(), [], threading.Lock()

    def work(job) -> None:
        n, g0, g1, (prefix, r0, r1) = job
        acc = getattr(local, "acc", None)
        if acc is None:
            acc = local.acc = np.zeros_like(out)
            with lock:
                accumulators.append(acc)
        width = (r1 - r0) * math.prod(S[t + 1:])
        need = (g1 - g0) * T * Cg * width
        buf = getattr(local, "cols", None)
        if buf is None or buf.size < need:
            buf = local.cols = np.empty(max(need, chunk * T * Cg * block * math.prod(S[t + 1:])), Xp.dtype)
        cols = buf[:need].reshape((g1 - g0, T, Cg, r1 - r0) + S[t + 1:])
        for a in range(T):
            cols[:, a] = Xg[(n, slice(g0, g1), slice(None)) + restrict(slices[a], geo, tuple(prefix), r0, r1)]
        d = dYg[(n, slice(g0, g1), slice(None)) + tuple(prefix) + (slice(r0, r1),)].reshape(g1 - g0, Og, width)
        with np.errstate(all="ignore"):  # overflow to inf is the IEEE result
            acc[g0:g1] += np.matmul(d, cols.reshape(g1 - g0, T * Cg, width).transpose(0, 2, 1)).reshape(
                g1 - g0, Og, T, Cg)  # checks: DW-EQ1

    run_jobs(jobs, work, N * O * math.prod(S) * T * Cg)
    with np.errstate(all="ignore"):
        for acc in accumulators:
            out += acc
    return _kernel_layout(out, geo)


def _kernel_layout(dW: np.ndarray, geo: Geometry) -> np.ndarray:
    """(g, O/g, T, C/g) as a new C-contiguous (O, C/g, *K)."""
    g, Og, T, Cg = dW.shape
    return np.ascontiguousarray(dW.transpose(0, 1, 3, 2)).reshape((g * Og, Cg) + geo.kernel_shape)
