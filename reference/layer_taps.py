"""The layer by multiply-add over the kernel taps, for few channels per group (depthwise).

With ``C/g`` input and ``O/g`` output channels per group both small, a matrix
product per group is too narrow for BLAS.  Instead, for a band of groups and
of rows along spatial axis 0, every tap ``a`` and input channel ``c`` of the
group adds one scaled view of the padded input to the accumulator:

    Y[n, g, o, J] += Xp[n, g·C/g + c, J·s + a·dil] · W[g·O/g + o, c, a],

the ``O/g`` output channels of a group sharing the view by broadcasting.
In tap order, then channel order, this is recursive summation of each output's
own ``T·C/g`` products: within CV-AC1's bound, and (for finite operands) no
output reads another output's values.  The band is sized so its accumulator
stays in cache across all taps; it is written in place into the result, and
one scratch array of the band's size holds each product before it is added.
It is exact for integer and object arithmetic as well.
"""

from __future__ import annotations

import math

import numpy as np

from convspec.spec.geometry import Geometry

from .layer_threads import run_jobs

#: Bytes of accumulator per band (it and its inputs stay in the core's L2 cache).
BAND_BYTES = 1 << 17


def correlate(Xp: np.ndarray, Wk: np.ndarray, geometry: Geometry, groups: int, out: np.ndarray) -> None:
    """Write CV-EQ1 without bias into ``out`` (N, O, *S) from the padded finite ``Xp`` and ``Wk``."""
    N, O, Cg = out.shape[0], Wk.shape[0], Wk.shape[1]
    Og, S = O // groups, geometry.out_shape
    taps = list(geometry.taps())
    Wt = Wk.reshape(groups, Og, Cg, len(taps))
    row = Og * math.prod(S[1:]) * out.itemsize
    rows = max(1, min(S[0], BAND_BYTES // max(1, row)))
    per_band = max(1, BAND_BYTES // max(1, row * rows))
    jobs = [(n, g0, min(g0 + per_band, groups), r0, min(r0 + rows, S[0]))
            for n in range(N) for g0 in range(0, groups, per_band) for r0 in range(0, S[0], rows)]
    s0 = geometry.axes[0].stride
    Y = out.reshape((N, groups, Og) + S)

    def work(job) -> None:
        n, g0, g1, r0, r1 = job
        acc = Y[n, g0:g1, :, r0:r1]
        scratch = np.empty_like(acc)
        first = True
        with np.errstate(all="ignore"):  # overflow to inf is the IEEE result
            for a, tap in enumerate(taps):
                sl = geometry.tap_slices(tap)
                band = (slice(sl[0].start + r0 * s0, sl[0].start + (r1 - 1) * s0 + 1, s0),) + sl[1:]
                for c in range(Cg):
                    x = Xp[(n, slice(g0 * Cg + c, g1 * Cg, Cg)) + band][:, None]  # checks: CV-EQ1
                    w = Wt[g0:g1, :, c, a].reshape((g1 - g0, Og) + (1,) * len(S))
                    if first:
                        np.multiply(x, w, out=acc)  # checks: CV-EQ1
                        first = False
                    else:
                        np.multiply(x, w, out=scratch)
                        np.add(acc, scratch, out=acc)  # checks: CV-EQ1

    run_jobs(jobs, work, N * O * math.prod(S) * len(taps) * Cg)
