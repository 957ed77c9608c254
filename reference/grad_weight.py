"""The weight gradient as matrix products over blocks of output positions (finite operands).

Number the taps ``a = 0 … T-1`` and, for a block ``J`` of output positions
(cut as in `layer_gemm.plan`), form the block's window matrix of group ``g``

    Xcol[(c, a), j] = Xp[n, g·C/g + c, j·s + a·dil]        (j in J).

Then DW-EQ1 is a sum of matrix products over the batch and the blocks,

    dW[g·O/g + o, (c, a)] = Σ_n Σ_J (dY[n, g·O/g + o, J] @ Xcol[(c, a), J]ᵀ),

one batched product over a run of groups per ``(n, block)``, its rows ``(c, a)``
already in the layout of W.  When all the positions of one batch element are
fewer than ``MIN_COLUMNS``, a run of batch elements shares one product (its
columns are ``(n, j)``), so that the products stay long.  Each element is
a sum of its own ``N·∏S_out`` products in some order (the padding zeros among
them, DW-PD1), within DW-AC1's bound for any order.

At unit strides `grad_shifted` computes the same sums without window copies
when its products suit BLAS (`grad_shifted.suits`).

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

from . import grad_shifted
from .layer_gemm import JOBS_PER_WORKER, WORKSPACE_BYTES, plan, restrict
from .layer_threads import WORKERS, run_jobs

#: Fewest columns of a window block: the products are ``MIN_COLUMNS`` long at least.
MIN_COLUMNS = 256


def weight_grad(Xp: np.ndarray, dY: np.ndarray, geo: Geometry, groups: int, Cg: int) -> np.ndarray:
    """DW-EQ1 for the padded finite ``Xp`` (N, C, *P) and ``dY`` (N, O, *S_out) of one dtype."""
    N, O = dY.shape[:2]
    Og, S, taps = O // groups, geo.out_shape, list(geo.taps())
    T = len(taps)
    shape = (groups, Og, Cg * T)
    if math.prod(shape) == 0 or dY.size == 0:
        return np.zeros((O, Cg) + geo.kernel_shape, dtype=dY.dtype)  # checks: DW-SH2
    if grad_shifted.suits(Xp.shape, geo, Og, Cg, MIN_COLUMNS):
        return grad_shifted.weight_grad(Xp, dY, geo, groups, Cg)  # checks: DW-EQ1
    slices = [geo.tap_slices(tap) for tap in taps]
    row = T * Cg * Xp.itemsize
    per_group = max(1, WORKSPACE_BYTES // max(1, row * MIN_COLUMNS))
    chunk = min(groups, per_group)
    wanted = -(-JOBS_PER_WORKER * WORKERS // (N * -(-groups // chunk)))
    t, block = plan(S, T * Cg * chunk, Xp.itemsize, wanted)
    if block * math.prod(S[t + 1:]) < MIN_COLUMNS:
        block = min(S[t], -(-MIN_COLUMNS // math.prod(S[t + 1:])))
    blocks = [(prefix, r0, min(r0 + block, S[t])) for prefix in np.ndindex(*S[:t]) for r0 in range(0, S[t], block)]
    # a whole position grid shorter than MIN_COLUMNS: batch elements share one product
    run = max(1, min(N, MIN_COLUMNS // max(1, math.prod(S)))) if len(blocks) == 1 else 1
    jobs = [(n0, min(n0 + run, N), g0, min(g0 + chunk, groups), blk) for n0 in range(0, N, run)
            for g0 in range(0, groups, chunk) for blk in blocks]
    Xg = Xp.reshape((N, groups, Cg) + Xp.shape[2:])
    dYg = dY.reshape((N, groups, Og) + S)
    inner = S[t + 1:]
    local, accumulators, lock = threading.local(), [], threading.Lock()

    def work(job) -> None:
        n0, n1, g0, g1, (prefix, r0, r1) = job
        gc, nb = g1 - g0, n1 - n0
        acc = getattr(local, "acc", None)
        if acc is None:
            acc = local.acc = np.zeros(shape, dtype=dY.dtype)  # +0 for groups no job reaches
            with lock:
                accumulators.append(acc)
        width = nb * (r1 - r0) * math.prod(inner)
        need = gc * Cg * T * width
        buf = getattr(local, "cols", None)
        if buf is None or buf.size < need:
            buf = local.cols = np.empty(max(need, chunk * T * Cg * run * block * math.prod(inner)), Xp.dtype)
        cols = buf[:need].reshape((gc, Cg, T, nb, r1 - r0) + inner)
        lead = (slice(n0, n1), slice(g0, g1), slice(None))
        for a in range(T):
            part = Xg[lead + restrict(slices[a], geo, tuple(prefix), r0, r1)]
            if nb == 1:
                cols[:, :, a, 0] = part[0]
            else:
                cols[:, :, a] = np.moveaxis(part, 0, 2)
        d = dYg[lead + tuple(prefix) + (slice(r0, r1),)]
        d = (d[0] if nb == 1 else np.moveaxis(d, 0, 2)).reshape(gc, Og, width)
        product = (d, cols.reshape(gc, Cg * T, width).transpose(0, 2, 1))
        seen = local.__dict__.setdefault("seen", set())
        with np.errstate(all="ignore"):  # overflow to inf is the IEEE result
            if g0 in seen:
                acc[g0:g1] += np.matmul(*product)  # checks: DW-EQ1
            else:  # this thread's first product of these groups
                np.matmul(*product, out=acc[g0:g1])  # checks: DW-EQ1
                seen.add(g0)

    run_jobs(jobs, work, N * O * math.prod(S) * T * Cg)
    out = accumulators[0]
    with np.errstate(all="ignore"):
        for acc in accumulators[1:]:
            out += acc
    return out.reshape((O, Cg) + geo.kernel_shape)
