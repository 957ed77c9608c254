"""The input gradient as one stride-1 correlation per stride phase (finite operands).

Along one axis (``P = padded`` positions, ``J`` windows, stride ``s``,
dilation ``d``, kernel ``k``) the padded gradient is

    dXp[p] = Σ_{a: p − a·d = j·s, 0 <= j < J} dY[j] · W[a].

Split the positions into their stride phases ``p = r + s·m`` (``0 <= r < s``).
Only the taps with ``a·d ≡ r (mod s)`` reach phase ``r``; write them
``a·d = r + s·q_a``.  They form a run ``a_0, a_0 + s', …`` with
``s' = s / gcd(s, d)``, and ``q_a`` grows by ``d' = d / gcd(s, d)`` along it, so

    dXp[r + s·m] = Σ_{a in run} dY[m − q_a] · W[a]

is a correlation of ``dY`` with the run reversed, at stride 1 and dilation
``d'``, over ``dY`` padded by ``q_last`` zeros before and ``M − J − q_first``
after (``M = ⌈(P − r)/s⌉`` positions of the phase; a negative count crops).
Across the channels the kernel is transposed within each group:
``W'[g·C/g + c, o', ·] = W[g·O/g + o', c, ·]``.  A phase no tap reaches stays
zero.  Every phase is the layer's own correlation (`layer_engine.correlate`:
blocked im2col matrix products, or multiply-add per tap when narrow), so each
element is a sum of exactly its own DX-EQ1 products plus products with
padding zeros, which are exact zeros; no multiplication by an inserted zero
happens, and no element reads another's terms.  With unit strides the single
phase is the full correlation with the flipped kernel.

The scatter form of `grad_scatter` is used instead (`scatters`) when the
layer has more output than input channels per group, and for ungrouped layers
unless they have unit strides and dilations and at most ``SHORT`` output
channels: the scatter's products are only O/g long, the correlation's
``(O/g)·T``, but the correlation pays for one strided window copy per phase
and tap.

Elements no pair feeds (DX-EQ2) are set to +0 at the end, whatever sign the
zero products of the padding gave them.
"""

from __future__ import annotations

import math

import numpy as np

from convspec.spec.geometry import Geometry, geometry

from . import grad_scatter, layer_engine
from .layer_operands import padded


def _phase(axis, r: int) -> tuple[slice, int, tuple[int, int], int] | None:
    """``(taps, dilation, pads, positions)`` of phase ``r`` on one axis, or None when no tap reaches it."""
    s, d = axis.stride, axis.dilation
    run = [a for a in range(axis.kernel) if (a * d - r) % s == 0]
    if not run or r >= max(axis.padded, 0):
        return None
    q = [(a * d - r) // s for a in run]
    M = -(-(axis.padded - r) // s)
    step = run[1] - run[0] if len(run) > 1 else 1
    hole = q[1] - q[0] if len(q) > 1 else 1
    taps = slice(run[-1], run[0] - 1 if run[0] else None, -step)  # the run reversed
    return taps, hole, (q[-1], M - axis.out - q[0]), M


def group_transposed(W: np.ndarray, groups: int) -> np.ndarray:
    """``W'[g·C/g + c, o', a] = W[g·O/g + o', c, a]``: shape (C, O/g, *K)."""
    O, Cg, *K = W.shape
    return W.reshape(groups, O // groups, Cg, *K).swapaxes(1, 2).reshape(groups * Cg, O // groups, *K)


def clear_unfed(dX: np.ndarray, geo: Geometry) -> None:
    """Set the elements that no window reads to +0, in place (DX-EQ2)."""
    for t, axis in enumerate(geo.axes):
        unfed = np.flatnonzero(axis.feeder_counts() == 0)
        if unfed.size:
            dX[(slice(None),) * (2 + t) + (unfed,)] = 0  # checks: DX-EQ2


def input_grad(dY: np.ndarray, W: np.ndarray, geo: Geometry, groups: int) -> np.ndarray:
    """DX-EQ1 for finite ``dY`` (N, O, *S_out) and ``W`` (O, C/g, *K) of one dtype: (N, C, *S)."""
    N, C = dY.shape[0], groups * W.shape[1]
    shape = (N, C) + tuple(ax.size for ax in geo.axes)
    if math.prod(shape) == 0 or dY.size == 0:
        return np.zeros(shape, dtype=dY.dtype)  # checks: DX-SH2, DX-EQ2
    unpadded = all(ax.lo == 0 and ax.hi == 0 for ax in geo.axes)
    lengths = tuple(max(ax.padded, 0) for ax in geo.axes)
    dX = dXp = np.zeros(shape if unpadded else (N, C) + lengths, dtype=dY.dtype)
    if scatters(W.shape, geo, groups, dY.dtype):
        grad_scatter.scatter(dY, W, geo, groups, dXp)  # checks: DX-EQ1
    else:
        _correlate(dY, W, geo, groups, dXp)
    if not unpadded:
        dX = geo.unpad(dXp)
    clear_unfed(dX, geo)
    return dX


#: Longest O/g for which a layer at unit strides and dilations has its input gradient correlated.
SHORT = 64


def scatters(w_shape: tuple[int, ...], geo: Geometry, groups: int, dtype: np.dtype) -> bool:
    """True when `grad_scatter` is chosen over the phase correlations (see the module docstring)."""
    Og, Cg = w_shape[0] // groups, w_shape[1]
    if Cg * Og <= layer_engine.NARROW or (dtype.kind not in "fc" and Cg * Og <= 4 * layer_engine.NARROW):
        return False  # the layer's multiply-add per tap serves narrow groups
    if Og > Cg:
        return True
    plain = all(ax.stride == 1 and ax.dilation == 1 for ax in geo.axes)
    return groups == 1 and not (plain and Og <= SHORT)


def _correlate(dY: np.ndarray, W: np.ndarray, geo: Geometry, groups: int, dXp: np.ndarray) -> None:
    """Write DX-EQ1 into the padded gradient ``dXp`` (zeros on entry) phase by phase."""
    N, C = dXp.shape[:2]
    Wt = group_transposed(W, groups)
    single = all(ax.stride == 1 for ax in geo.axes)
    for phase in np.ndindex(*(ax.stride for ax in geo.axes)):
        parts = [_phase(ax, r) for ax, r in zip(geo.axes, phase)]
        if any(part is None for part in parts):
            continue  # no tap reaches this phase: it stays zero  # checks: DX-EQ2
        taps, holes, pads, M = zip(*parts)
        sub = geometry(dY.shape[2:], [len(range(*t.indices(k))) for t, k in zip(taps, geo.kernel_shape)],
                       (1,) * geo.rank, holes, pads)
        kernel = np.ascontiguousarray(Wt[(slice(None), slice(None)) + taps])
        where = (slice(None), slice(None)) + tuple(slice(r, None, ax.stride) for r, ax in zip(phase, geo.axes))
        out = dXp if single else np.empty((N, C) + M, dtype=dY.dtype)
        layer_engine.correlate(padded(dY, sub, dY.dtype), kernel, sub, groups, out)  # checks: DX-EQ1
        if not single:
            dXp[where] = out
