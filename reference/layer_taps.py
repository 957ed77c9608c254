"""The layer by multiply-add over the kernel taps, for few channels per group (depthwise).

With ``C/g`` input and ``O/g`` output channels per group both small, a matrix
product per group is too narrow for BLAS.  Instead every tap ``a`` and input
channel ``c`` of a group adds one scaled view of the padded input to an
accumulator:

    Y[n, g, o, j] += Xp[n, g·C/g + c, j·s + a·dil] · W[g·O/g + o, c, a],

the ``O/g`` output channels of a group sharing the view by broadcasting.  In
tap order, then channel order, this is recursive summation of each output's
own ``T·C/g`` products: within CV-AC1's bound, and (for finite operands) no
output reads another output's values.

Long runs.  To make every view one long contiguous run, the padded input is
first split into its stride phases: along axis ``t``, phase ``r < s_t`` holds
the padded positions ``r, r + s_t, r + 2·s_t, …``.  Tap offset ``a·dil = q·s + r``
then reads phase ``r`` at ``j + q``: a unit-stride shift.  Laying each phase
out with ``Q_t = out_t + max q`` positions per axis (zeros past the data) and
flattening the spatial axes, the shift by ``q`` is a shift by
``Σ q_t · ∏_{u>t} Q_u`` of the flat index, so a band of output rows reads one
contiguous run per channel and tap.  The accumulator holds ``Q_t`` positions
on the inner axes instead of ``out_t`` (the extra ones read other rows or
zeros and are dropped when the band is written out); the phase array holds
each input element once, plus those zeros.  The band's accumulator stays in cache
across all taps.  It is exact for integer and object arithmetic as well.
"""

from __future__ import annotations

import math

import numpy as np

from convspec.spec.geometry import Geometry

from .layer_threads import run_jobs

#: Bytes of accumulator per band (it and its inputs stay in the core's L2 cache).
BAND_BYTES = 1 << 17


def phases(Xp: np.ndarray, geometry: Geometry) -> tuple[np.ndarray, tuple[int, ...]]:
    """The stride phases of ``Xp`` as ``(N, C, ∏s, (Q_0 + 1)·Q_1·…)`` and ``Q``.

    Axis 0 gets one more row of zeros, so a shift on the inner axes never reads past the array.
    """
    axes = geometry.axes
    Q = tuple(ax.out + ((ax.kernel - 1) * ax.dilation) // ax.stride for ax in axes)
    rows = (Q[0] + 1,) + Q[1:]
    out = np.zeros(Xp.shape[:2] + tuple(ax.stride for ax in axes) + rows, dtype=Xp.dtype)
    for phase in np.ndindex(*(ax.stride for ax in axes)):
        src = tuple(slice(r, r + q * ax.stride, ax.stride) for r, q, ax in zip(phase, Q, axes))
        part = Xp[(slice(None), slice(None)) + src]
        out[(slice(None), slice(None)) + phase + tuple(slice(0, n) for n in part.shape[2:])] = part
    return out.reshape(Xp.shape[:2] + (-1, math.prod(rows))), Q


def correlate(Xp: np.ndarray, Wk: np.ndarray, geometry: Geometry, groups: int, out: np.ndarray) -> None:
    """Write CV-EQ1 without bias into ``out`` (N, O, *S) from the padded finite ``Xp`` and ``Wk``."""
    N, O, Cg = out.shape[0], Wk.shape[0], Wk.shape[1]
    Og, S, axes = O // groups, geometry.out_shape, geometry.axes
    Xq, Q = phases(Xp, geometry)
    inner = math.prod(Q[1:])
    shifts = []
    for tap in geometry.taps():  # checks: CV-EQ1
        q, r = zip(*(divmod(a * ax.dilation, ax.stride) for a, ax in zip(tap, axes)))
        phase = int(np.ravel_multi_index(r, tuple(ax.stride for ax in axes)))
        shifts.append((phase, sum(qt * math.prod(Q[t + 1:]) for t, qt in enumerate(q))))
    Wt = Wk.reshape(groups, Og, Cg, len(shifts))
    row = Og * inner * out.itemsize
    rows = max(1, min(S[0], BAND_BYTES // max(1, row)))
    per_band = max(1, BAND_BYTES // max(1, row * rows))
    jobs = [(n, g0, min(g0 + per_band, groups), r0, min(r0 + rows, S[0]))
            for n in range(N) for g0 in range(0, groups, per_band) for r0 in range(0, S[0], rows)]
    Y = out.reshape((N, groups, Og) + S)
    valid = (Ellipsis,) + tuple(slice(0, s) for s in S[1:])

    def work(job) -> None:
        n, g0, g1, r0, r1 = job
        length = (r1 - r0) * inner
        acc = np.empty((g1 - g0, Og, length), dtype=out.dtype)
        scratch = np.empty_like(acc)
        first = True
        with np.errstate(all="ignore"):  # overflow to inf is the IEEE result
            for a, (phase, shift) in enumerate(shifts):
                start = r0 * inner + shift
                for c in range(Cg):
                    x = Xq[n, g0 * Cg + c:g1 * Cg:Cg, phase, start:start + length][:, None]  # checks: CV-EQ1
                    w = Wt[g0:g1, :, c, a, None]
                    if first:
                        np.multiply(x, w, out=acc)  # checks: CV-EQ1
                        first = False
                    else:
                        np.multiply(x, w, out=scratch)
                        np.add(acc, scratch, out=acc)  # checks: CV-EQ1
        Y[n, g0:g1, :, r0:r1] = acc.reshape((g1 - g0, Og, r1 - r0) + Q[1:])[valid]

    run_jobs(jobs, work, N * O * math.prod(S) * len(shifts) * Cg)
