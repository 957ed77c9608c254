"""The weight gradient at unit strides as matrix products on shifted views (no window copies).

Lay every spatial position of the padded input out in C order (``P`` per axis,
flat position ``Σ_t p_t·∏_{u>t} P_u``) and put output ``j`` at the flat
position of the padded element its window starts at, ``j_flat = Σ_t j_t·∏_{u>t} P_u``.
At unit strides window ``j`` reads, through tap ``a``, the padded element at
``j_flat + off_a`` with ``off_a = Σ_t a_t·d_t·∏_{u>t} P_u``.  With ``dYq`` the
incoming gradient spread over that grid (zeros at the positions past each
row's last window) and ``L`` the span of the ``j_flat``,

    dW[g·O/g + o, c, a] = Σ_n dYq[n, g·O/g + o, 0:L] · Xflat[n, g·C/g + c, off_a : off_a + L],

one matrix product per batch element and tap whose right operand is a view of
the padded input: rows ``L`` long, one per channel.  The zeros of ``dYq`` add
exact zeros, nothing else; special values are set afterwards from counts made
the same way (`grad_special`).  Jobs ``(n, tap)`` run on the worker threads,
each adding into its own accumulator; memory is ``dYq`` (dY's size, times
``P/S`` on the inner axes) and one accumulator per worker.
"""

from __future__ import annotations

import math
import threading

import numpy as np

from convspec.spec.geometry import Geometry

from .layer_threads import run_jobs


def span(Xp_shape: tuple[int, ...], geo: Geometry) -> int:
    """``L``: the flat positions from the first window's start to the last's."""
    P = Xp_shape[2:]
    return sum((s - 1) * math.prod(P[t + 1:]) for t, s in enumerate(geo.out_shape)) + 1


#: Most ``(O/g)·(C/g)`` outputs of a tap's product per position of its length ``L``.
OUTPUTS_PER_TERM = 16


def suits(Xp_shape: tuple[int, ...], geo: Geometry, Og: int, Cg: int, min_length: int) -> bool:
    """True at unit strides for more than one tap, ``L >= min_length``, and ``Og·Cg <= OUTPUTS_PER_TERM·L``.

    A tap's product writes ``Og·Cg`` sums of ``L`` terms each: with few terms per output the
    product is bound by its output, and the single long product over all taps of the window
    matrix (`grad_weight`) is better; with one tap there is nothing to copy anyway.
    """
    if any(ax.stride != 1 for ax in geo.axes) or len(list(geo.taps())) == 1:
        return False
    L = span(Xp_shape, geo)
    return L >= min_length and Og * Cg <= OUTPUTS_PER_TERM * L


def weight_grad(Xp: np.ndarray, dY: np.ndarray, geo: Geometry, groups: int, Cg: int) -> np.ndarray:
    """DW-EQ1 at unit strides for the padded, C-contiguous, finite ``Xp`` and ``dY`` of one dtype."""
    N, O = dY.shape[:2]
    Og, S, P = O // groups, geo.out_shape, Xp.shape[2:]
    taps = list(geo.taps())
    T, L = len(taps), span(Xp.shape, geo)
    grid = np.zeros((N, O, S[0]) + P[1:], dtype=dY.dtype)
    grid[(slice(None), slice(None), slice(None)) + tuple(slice(0, s) for s in S[1:])] = dY
    dYq = grid.reshape(N, groups, Og, -1)[..., :L]
    Xflat = Xp.reshape(N, groups, Cg, -1)
    offsets = [sum(a * ax.dilation * math.prod(P[t + 1:]) for t, (a, ax) in enumerate(zip(tap, geo.axes)))
               for tap in taps]
    local, accumulators, lock = threading.local(), [], threading.Lock()

    def work(job) -> None:
        n, a = job
        acc = getattr(local, "acc", None)
        if acc is None:
            acc = local.acc = np.zeros((groups, Og, Cg, T), dtype=dY.dtype)
            with lock:
                accumulators.append(acc)
        view = Xflat[n, :, :, offsets[a]:offsets[a] + L].transpose(0, 2, 1)  # (g, L, C/g)
        with np.errstate(all="ignore"):  # overflow to inf is the IEEE result
            acc[..., a] += np.matmul(dYq[n], view)  # checks: DW-EQ1

    run_jobs([(n, a) for n in range(N) for a in range(T)], work, N * O * math.prod(S) * T * Cg)
    out = accumulators[0]
    with np.errstate(all="ignore"):
        for acc in accumulators[1:]:
            out += acc
    return out.reshape((O, Cg) + geo.kernel_shape)
