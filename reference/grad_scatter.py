"""The input gradient as matrix products and a scatter of their columns (finite operands).

For a block ``J`` of output positions (cut as in `layer_gemm.plan`) and group
``g``, with the kernel laid out as ``Wcol[(c, a), o] = W[g·O/g + o, c, a]``,
the product

    Dcol[(c, a), j] = Σ_o Wcol[(c, a), o] · dY[n, g·O/g + o, j]        (j in J)

holds every term of DX-EQ1 that window ``j`` gives through tap ``a``; adding
row ``(c, a)`` into the padded gradient at the positions ``j·s + a·d`` of the
block (the tap's slice, `layer_gemm.restrict`) and dropping the padding
(`Geometry.unpad`) gives dX.  Each element is then its own terms summed in
some order (the product over ``o``, then the taps and blocks one after the
other), within DX-AC1's bound; only real windows are scattered, so no inserted
zero is ever multiplied and elements no window reads are never written.

This is the better form when the forward layer has more output than input
channels per group: ``Dcol`` has ``(C/g)·T`` rows, against the ``(O/g)·T``
rows of the window matrix that the correlation of `grad_input` copies.  The
products of several groups are batched over a run of groups.

Jobs: ``(n, run of groups, run of input channels)``, each over all blocks in
order, so no two jobs write the same element; a layer with one group and a
small batch is split over its input channels.  Memory: one ``Dcol`` block per
worker (`layer_gemm.WORKSPACE_BYTES`, or ``MIN_COLUMNS`` columns).
"""

from __future__ import annotations

import math
import threading

import numpy as np

from convspec.spec.geometry import Geometry

from .grad_weight import MIN_COLUMNS
from .layer_gemm import JOBS_PER_WORKER, WORKSPACE_BYTES, plan, restrict
from .layer_threads import WORKERS, run_jobs

#: Fewest rows ``(channels)·T`` of one job's products when the channels are split over jobs.
MIN_ROWS = 64


def scatter(dY: np.ndarray, W: np.ndarray, geo: Geometry, groups: int, dXp: np.ndarray) -> None:
    """Add DX-EQ1 into the padded gradient ``dXp`` (N, C, *P), zeros on entry."""
    N, O = dY.shape[:2]
    Cg, Og, S, taps = W.shape[1], O // groups, geo.out_shape, list(geo.taps())
    T = len(taps)
    Wcol = W.reshape(groups, Og, Cg * T).transpose(0, 2, 1)  # (g, (c, a), o): a transposed view
    slices = [geo.tap_slices(tap) for tap in taps]
    wanted = JOBS_PER_WORKER * WORKERS
    fits = max(1, WORKSPACE_BYTES // max(1, Cg * T * MIN_COLUMNS * dY.itemsize))
    chunk = max(1, min(fits, groups // -(-wanted // N)))
    runs = [(g0, min(g0 + chunk, groups)) for g0 in range(0, groups, chunk)]
    split = 1
    if chunk == 1 and N * groups < wanted:  # split the channels: one group per job, so runs stay contiguous
        split = max(1, min(-(-wanted // (N * groups)), Cg, (Cg * T) // MIN_ROWS))
    per = -(-Cg // split)
    parts = [(c0, min(c0 + per, Cg)) for c0 in range(0, Cg, per)]
    t, block = plan(S, chunk * per * T, dY.itemsize, 1)
    if block * math.prod(S[t + 1:]) < MIN_COLUMNS:
        block = min(S[t], -(-MIN_COLUMNS // math.prod(S[t + 1:])))
    blocks = [(prefix, r0, min(r0 + block, S[t])) for prefix in np.ndindex(*S[:t]) for r0 in range(0, S[t], block)]
    jobs = [(n, run, part) for n in range(N) for run in runs for part in parts]
    dYg = dY.reshape((N, groups, Og) + S)
    inner = S[t + 1:]
    local = threading.local()

    def work(job) -> None:
        n, (g0, g1), (c0, c1) = job
        gc, cc = g1 - g0, c1 - c0
        weights = Wcol[g0:g1, c0 * T:c1 * T]
        channels = slice(g0 * Cg + c0, (g1 - 1) * Cg + c1)
        for prefix, r0, r1 in blocks:
            width = (r1 - r0) * math.prod(inner)
            need = gc * cc * T * width
            buf = getattr(local, "cols", None)
            if buf is None or buf.size < need:
                buf = local.cols = np.empty(max(need, chunk * per * T * block * math.prod(inner)), dY.dtype)
            cols = buf[:need].reshape(gc, cc * T, width)
            d = dYg[(n, slice(g0, g1), slice(None)) + tuple(prefix) + (slice(r0, r1),)].reshape(gc, Og, width)
            with np.errstate(all="ignore"):  # overflow to inf is the IEEE result
                np.matmul(weights, d, out=cols)  # checks: DX-EQ1
                cols = cols.reshape(gc * cc, T, r1 - r0, *inner)  # one group, or whole groups: contiguous channels
                for a in range(T):
                    dXp[(n, channels) + restrict(slices[a], geo, tuple(prefix), r0, r1)] += cols[:, a]  # checks: DX-EQ1

    run_jobs(jobs, work, N * O * math.prod(S) * T * Cg)
