"""Correct gradient variants: backward and transposed-convolution backends that must all pass.

Each computes DX-EQ1, DW-EQ1, DB-EQ1 or TC-EQ1 by another route than the
specification's per-element sums (a different algorithm, loop order or
summation order), so a harness that flags any of them judges something the
specification does not require.  A variant may provide several operations
(``Backend.ops``), as a framework does; all validate their arguments with the
specification's validators and so raise its errors.

Like :mod:`.grad_mutants`, this module imports nothing from its own package,
so a worker process can load a variant from ``path/to/grad_variants.py:NAME``.
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from convspec import reference
from convspec.conformance.backend import Backend, Claims
from convspec.spec import (conv_bias_grad_problem, conv_input_grad_problem, conv_transpose_problem,
                           conv_weight_grad_problem)
from convspec.spec.geometry import geometry

#: Every correct gradient variant by name.
VARIANTS: dict[str, Backend] = {}

#: The operations of Part II.
GRADIENT_OPS = ("conv_input_grad", "conv_weight_grad", "conv_bias_grad", "conv_transpose")


def _variant(name: str, description: str, claims: Claims = Claims(), **fns) -> Backend:
    """Register a correct variant providing the operations ``fns`` (name -> callable)."""
    op = next(iter(fns))
    backend = Backend(name=name, fn=fns[op], claims=claims, op=op, ops=dict(fns), description=description,
                      target=f"{os.path.abspath(__file__)}:{name}")
    VARIANTS[name] = backend
    return backend


def _dx_problem(dY, W, input_shape, stride, padding, dilation, groups):
    return conv_input_grad_problem(dY, W, input_shape=input_shape, stride=stride, padding=padding,
                                   dilation=dilation, groups=groups)


def _dw_problem(X, dY, kernel_shape, stride, padding, dilation, groups):
    return conv_weight_grad_problem(X, dY, kernel_shape=kernel_shape, stride=stride, padding=padding,
                                    dilation=dilation, groups=groups)


def _tc_problem(X, W, B, stride, padding, output_padding, dilation, groups):
    return conv_transpose_problem(X, W, B, stride=stride, padding=padding,
                                  output_padding=output_padding, dilation=dilation, groups=groups)


def _add_bias(Y: np.ndarray, B, dtype) -> np.ndarray:
    if B is not None and Y.size:
        with np.errstate(all="ignore"):
            Y += B.astype(dtype).reshape((1, -1) + (1,) * (Y.ndim - 2))
    return Y


def _has_nonfinite(*arrays) -> bool:
    return any(a is not None and a.dtype.kind in "fc" and not bool(np.isfinite(a).all()) for a in arrays)


# --------------------------------------------------------------------------- as a transposed convolution

def _flipped_forward_weights(Ws: np.ndarray, groups: int) -> np.ndarray:
    """Scatter-layout weights (A, Bg, *K) as forward-layout (B, Ag, *K), each group's block
    transposed and every spatial axis reversed."""
    A, Bg, *K = Ws.shape
    Ag = A // groups
    Wf = Ws.reshape(groups, Ag, Bg, *K).swapaxes(1, 2).reshape(groups * Bg, Ag, *K)
    return Wf[(slice(None), slice(None)) + (slice(None, None, -1),) * len(K)]


def transposed_by_correlation(src: np.ndarray, Ws: np.ndarray, groups: int, stride, dilation,
                              pads: Sequence[tuple[int, int]], counts, spatial, dtype) -> np.ndarray:
    """``Σ src[j] · Ws[a]`` over ``j·s + a·d − lo = u`` as a full correlation of the stride-dilated source.

    ``src`` (N, A, *counts) gets ``s − 1`` zeros between neighbours (the
    stride-dilated dY, or the transposed convolution's input), ``k_eff − 1 − lo``
    zeros in front (a negative count crops) and enough at the end for
    ``spatial`` outputs; every window of that array, dilated by ``d``, is
    contracted with the flipped, per-group transposed weights by one matrix
    product per group (im2col; BLAS for floats, NumPy's exact wrapping matmul
    for integers).  The inserted zeros are multiplied too: exact zeros in
    finite arithmetic, which the accuracy bound counts as no terms.  The
    products are added onto +0, so a sum of zeros only (an element no window
    reads) is +0 as DX-EQ2 requires, whatever sign BLAS leaves on it.
    """
    dtype = np.dtype(dtype)
    N, A = src.shape[:2]
    d = len(spatial)
    Wf = _flipped_forward_weights(Ws, groups).astype(dtype, copy=False)
    B, Ag, *K = Wf.shape
    out = np.zeros((N, B, *spatial), dtype)
    if not (out.size and Ag and all(counts)):
        return out
    Z = np.zeros((N, A) + tuple((c - 1) * s + 1 for c, s in zip(counts, stride)), dtype)
    Z[(slice(None), slice(None), *(slice(None, None, s) for s in stride))] = src
    k_eff = tuple((k - 1) * dd + 1 for k, dd in zip(K, dilation))
    front = [ke - 1 - lo for ke, (lo, _) in zip(k_eff, pads)]
    back = [n + ke - 1 - f - z for n, ke, f, z in zip(spatial, k_eff, front, Z.shape[2:])]
    Zp = geometry(Z.shape[2:], K, (1,) * d, dilation, tuple(zip(front, back))).pad(Z)
    windows = sliding_window_view(Zp, k_eff, axis=tuple(range(2, 2 + d)))
    windows = windows[(Ellipsis,) + tuple(slice(None, None, dd) for dd in dilation)]  # (N, A, *spatial, *K)
    positions = int(np.prod(spatial))
    Bg = B // groups
    with np.errstate(all="ignore"):
        for g in range(groups):
            part = np.moveaxis(windows[:, g * Ag:(g + 1) * Ag], 1, 1 + d).reshape(N, positions, -1)
            weights = Wf[g * Bg:(g + 1) * Bg].reshape(Bg, -1).T
            out[:, g * Bg:(g + 1) * Bg] += np.moveaxis(part @ weights, 2, 1).reshape((N, Bg, *spatial))
    return out


def _dx_as_transpose(dY, W, *, input_shape, stride, padding, dilation, groups):
    """dX = conv_transpose(dY, W) with output_padding = the remainder (TC-AD1), by zero insertion."""
    p = _dx_problem(dY, W, input_shape, stride, padding, dilation, groups)
    f = p.forward
    return transposed_by_correlation(p.dY, p.W, f.groups, f.stride, f.dilation, f.padding,
                                     p.geometry.out_shape, p.out_shape[2:], p.out_dtype)


def _tc_as_correlation(X, W, B=None, *, stride, padding, output_padding, dilation, groups):
    p = _tc_problem(X, W, B, stride, padding, output_padding, dilation, groups)
    Y = transposed_by_correlation(p.X, p.W, p.groups, p.stride, p.dilation, p.padding, p.spatial_in,
                                  p.out_shape[2:], p.out_dtype)
    return _add_bias(Y, p.B, p.out_dtype)


# It claims no special values: the inserted zeros meet the weights, so 0 * inf makes NaN where
# DX-NF1 and TC-NF1 allow none (the mutants dx_zero_insertion_nan and tc_zero_insertion_nan claim
# special values and are caught).
dx_transposed_conv = _variant("dx_transposed_conv",
         "dX as the transposed convolution of dY with output_padding = remainder; zero insertion and im2col",
         Claims(nonfinite=False),
         conv_input_grad=_dx_as_transpose, conv_transpose=_tc_as_correlation)


# --------------------------------------------------------------------------- an explicit scatter

def window_scatter(src: np.ndarray, Ws: np.ndarray, groups: int, stride, dilation,
                    pads: Sequence[tuple[int, int]], counts, spatial, dtype) -> np.ndarray:
    """Window by window: each source position ``j`` adds ``Σ_a' src[n, a', j] · Ws[a', b, tap]`` to the
    dilated window at ``j·s`` of a padded accumulator, which is then cropped by the pads.

    The contraction over the group's source channels is an `numpy.einsum`
    (no BLAS, no skipped terms), so special values reach exactly the elements
    their products feed.
    """
    dtype = np.dtype(dtype)
    N, A = src.shape[:2]
    Ag, Bg, K = A // groups, Ws.shape[1], Ws.shape[2:]
    geo = geometry(spatial, K, stride, dilation, pads)
    padded = tuple(max(ax.padded, 0) for ax in geo.axes)
    acc = np.zeros((N, groups * Bg, *padded), dtype)
    if acc.size and Ag and all(counts):
        s = src.astype(dtype, copy=False)
        w = Ws.astype(dtype, copy=False)
        with np.errstate(all="ignore"):
            for j in np.ndindex(*counts):
                window = geo.window(j)
                for g in range(groups):
                    contribution = np.einsum("na,ab...->nb...", s[(slice(None), slice(g * Ag, (g + 1) * Ag), *j)],
                                             w[g * Ag:(g + 1) * Ag])
                    acc[(slice(None), slice(g * Bg, (g + 1) * Bg), *window)] += contribution
    return geo.unpad(acc, spatial)


def _dx_scatter(dY, W, *, input_shape, stride, padding, dilation, groups):
    p = _dx_problem(dY, W, input_shape, stride, padding, dilation, groups)
    f = p.forward
    return window_scatter(p.dY, p.W, f.groups, f.stride, f.dilation, f.padding, p.geometry.out_shape,
                           p.out_shape[2:], p.out_dtype)


def _tc_scatter(X, W, B=None, *, stride, padding, output_padding, dilation, groups):
    p = _tc_problem(X, W, B, stride, padding, output_padding, dilation, groups)
    Y = window_scatter(p.X, p.W, p.groups, p.stride, p.dilation, p.padding, p.spatial_in,
                        p.out_shape[2:], p.out_dtype)
    return _add_bias(Y, p.B, p.out_dtype)


scatter_windows = _variant("scatter_windows", "dX and the transposed convolution as an explicit scatter, one window at a time",
         conv_input_grad=_dx_scatter, conv_transpose=_tc_scatter)


# --------------------------------------------------------------------------- dW with a dilated dY

def _dw_dilated_dy(X, dY, *, kernel_shape, stride, padding, dilation, groups):
    """dW as the correlation of the padded X with dY used as a kernel dilated by the stride.

    ``dW[o, c, a] = Σ_j Σ_n dY[n, o, j] · Xp[n, c, j·s + a·d]``: in XLA's terms
    the batch axis is contracted, dY is the right-hand side with
    ``rhs_dilation = stride`` and the window steps by the forward dilation.
    Each "tap" ``j`` of that kernel adds, for every ``a`` at once, the
    product of ``dY[:, o, j]`` with the slice ``Xp[:, c, j·s :: d]``
    (`numpy.einsum`, no BLAS), so the sum runs over the windows in the outer
    loop, unlike the specification's per-element order.
    """
    p = _dw_problem(X, dY, kernel_shape, stride, padding, dilation, groups)
    f, geo = p.forward, p.geometry
    dtype = p.out_dtype
    dW = np.zeros(p.out_shape, dtype)
    if not (dW.size and f.batch and all(geo.out_shape)):
        return dW
    Xp = geo.pad(p.X.astype(dtype, copy=False))
    dy = p.dY.astype(dtype, copy=False)
    Og, Cg = f.out_per_group, f.in_per_group
    with np.errstate(all="ignore"):
        for j in np.ndindex(*geo.out_shape):
            window = geo.window(j)  # Xp[j·s + a·d] for every tap a
            for g in range(f.groups):
                dW[g * Og:(g + 1) * Og] += np.einsum(
                    "no,nc...->oc...", dy[(slice(None), slice(g * Og, (g + 1) * Og), *j)],
                    Xp[(slice(None), slice(g * Cg, (g + 1) * Cg), *window)])
    return dW


dw_dilated_dy = _variant("dw_dilated_dy", "dW as a correlation of X with the stride-dilated dY, one dY position at a time",
         conv_weight_grad=_dw_dilated_dy)


# --------------------------------------------------------------------------- im2col and GEMM

def _columns(Xp: np.ndarray, geo) -> np.ndarray:
    """The windows of the padded input as (N, C, P, prod K), P the output positions (a view when it can)."""
    d = geo.rank
    N, C = Xp.shape[:2]
    windows = sliding_window_view(Xp, tuple(ax.k_eff for ax in geo.axes), axis=tuple(range(2, 2 + d)))
    windows = windows[(slice(None), slice(None))
                      + tuple(slice(0, ax.stride * (ax.out - 1) + 1, ax.stride) for ax in geo.axes)
                      + tuple(slice(None, None, ax.dilation) for ax in geo.axes)]
    return windows.reshape(N, C, int(np.prod(geo.out_shape)), int(np.prod(geo.kernel_shape)))


def _dw_gemm(X, dY, *, kernel_shape, stride, padding, dilation, groups):
    """dW per group as one matrix product ``dY (O/g, N·P) @ columns (N·P, C/g·prod K)``.

    BLAS sums the ``N·P`` terms in any blocked order with fused multiply-adds
    (DW-AC1 allows any order); problems holding NaN or infinities take
    :func:`_dw_dilated_dy`, since BLAS may skip the zero entries whose
    products with an infinity are NaN.
    """
    p = _dw_problem(X, dY, kernel_shape, stride, padding, dilation, groups)
    if _has_nonfinite(p.X, p.dY):
        return _dw_dilated_dy(X, dY, kernel_shape=kernel_shape, stride=stride, padding=padding,
                              dilation=dilation, groups=groups)
    f, geo = p.forward, p.geometry
    dtype = p.out_dtype
    dW = np.zeros(p.out_shape, dtype)
    if not (dW.size and f.batch and all(geo.out_shape)):
        return dW
    cols = _columns(geo.pad(p.X.astype(dtype, copy=False)), geo)       # (N, C, P, prodK)
    N, P = f.batch, cols.shape[2]
    Og, Cg = f.out_per_group, f.in_per_group
    dy = p.dY.astype(dtype, copy=False).reshape(N, f.out_channels, P)
    for g in range(f.groups):
        lhs = dy[:, g * Og:(g + 1) * Og].transpose(1, 0, 2).reshape(Og, N * P)
        rhs = cols[:, g * Cg:(g + 1) * Cg].transpose(0, 2, 1, 3).reshape(N * P, -1)
        dW[g * Og:(g + 1) * Og] = (lhs @ rhs).reshape((Og, Cg, *geo.kernel_shape))
    return dW


def _dx_gemm(dY, W, *, input_shape, stride, padding, dilation, groups):
    """dX per group as ``columns = W^T (C/g·prod K, O/g) @ dY (O/g, P)``, folded back (col2im).

    Each column holds the contributions of one window to the elements it
    reads; col2im adds them into a padded accumulator tap by tap.  Problems
    holding NaN or infinities take the window scatter (:func:`_dx_scatter`).
    """
    p = _dx_problem(dY, W, input_shape, stride, padding, dilation, groups)
    if _has_nonfinite(p.dY, p.W):
        return _dx_scatter(dY, W, input_shape=input_shape, stride=stride, padding=padding,
                           dilation=dilation, groups=groups)
    f, geo = p.forward, p.geometry
    dtype = p.out_dtype
    N, C = p.out_shape[:2]
    padded = tuple(max(ax.padded, 0) for ax in geo.axes)
    acc = np.zeros((N, C, *padded), dtype)
    P = int(np.prod(geo.out_shape))
    if acc.size and P and f.out_per_group and f.in_per_group:
        Og, Cg = f.out_per_group, f.in_per_group
        taps = list(geo.taps())
        dy = p.dY.astype(dtype, copy=False).reshape(N, f.out_channels, P)
        w = p.W.astype(dtype, copy=False)
        for g in range(f.groups):
            wg = w[g * Og:(g + 1) * Og].reshape(Og, Cg * len(taps))         # (Og, Cg·prodK)
            cols = wg.T @ dy[:, g * Og:(g + 1) * Og]                       # (N, Cg·prodK, P)
            cols = cols.reshape(N, Cg, len(taps), *geo.out_shape)
            for t, tap in enumerate(taps):
                acc[(slice(None), slice(g * Cg, (g + 1) * Cg), *geo.tap_slices(tap))] += cols[:, :, t]
    return geo.unpad(acc, p.out_shape[2:])


def _db_gemm(dY):
    """dB as ``dY (O, N·P) @ ones(N·P)``: a BLAS dot product per channel (any order, DB-AC1).

    dY holding NaN or infinities is summed by ``numpy.sum`` instead.
    """
    p = conv_bias_grad_problem(dY)
    N, O = p.dY.shape[:2]
    if _has_nonfinite(p.dY) or p.dY.dtype.kind in "iu":
        return p.dY.sum(axis=(0, *range(2, p.dY.ndim)), dtype=p.out_dtype)
    rows = np.moveaxis(p.dY, 1, 0).reshape(O, -1)
    return rows @ np.ones(rows.shape[1], p.out_dtype)


im2col_gemm = _variant("im2col_gemm", "dX, dW and dB as matrix products over im2col columns (BLAS for floats)",
         conv_input_grad=_dx_gemm, conv_weight_grad=_dw_gemm, conv_bias_grad=_db_gemm)


# --------------------------------------------------------------------------- the fast reference

def _reference_op(op: str):
    def call(*args, **kwargs):
        return getattr(reference, op)(*args, **kwargs)
    call.__name__ = call.__qualname__ = op
    call.__doc__ = f"``convspec.reference.{op}``."
    return call


fast_reference = _variant("fast_reference", "convspec's fast reference for the four Part II operations",
         **{op: _reference_op(op) for op in GRADIENT_OPS})
