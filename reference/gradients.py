"""The layer's gradients and the transposed convolution, on the layer's fast reference.

Along one axis (stride ``s``, dilation ``d``, kernel ``k``, pads ``(lo, hi)``,
``padded`` elements, ``out`` windows) the forward layer reads padded element
``p = j·s + a·d`` through tap ``a`` of window ``j``.  Hence:

* input gradient: with ``Z`` the stride-dilated ``dY`` (``dY[j]`` at ``j·s``,
  zeros between) the padded gradient is ``dXp[p] = Σ_a Z[p − a·d] · W[a]``, a
  correlation of ``Z`` padded by ``((k − 1)·d, padded − (out − 1)·s − 1)`` with
  the flipped kernel at dilation ``d``; the kernel is transposed within each
  group (``W'[g·C/g + c, o', a] = W[g·O/g + o', c, k − 1 − a]``) and ``dX`` is
  ``dXp`` without its padding (`Geometry.unpad`);
* weight gradient: ``dW[o, c, a] = Σ_{n, j} dY[n, o, j] · Xp[n, c, a·d + j·s]``
  is a correlation of the padded input with ``dY`` as the kernel, the batch as
  its channels, stride ``d`` and dilation ``s``, of which the first ``k``
  outputs per axis are kept;
* the transposed convolution is the input gradient of its forward problem
  (TC-AD1), plus the bias;
* the bias gradient is a sum over the batch and spatial axes.

Every check and error comes from the specification's validators.
"""

from __future__ import annotations

import numpy as np

from convspec.spec.grad_problem import (conv_bias_grad_problem, conv_input_grad_problem,
                                        conv_weight_grad_problem)
from convspec.spec.problem import ConvProblem
from convspec.spec.transpose_problem import conv_transpose_problem

from .integer import fit
from .layer import conv


def _input_grad(dY: np.ndarray, W: np.ndarray, f: ConvProblem, dtype) -> np.ndarray:
    geo, g, d = f.geometry, f.groups, f.rank
    out = np.zeros(f.X.shape, dtype=dtype)
    if dY.size == 0 or out.size == 0:
        return out  # checks: DX-SH2, DX-EQ2
    O, Cg, *K = W.shape
    Og = O // g
    flip = (slice(None), slice(None)) + (slice(None, None, -1),) * d
    Wt = W.reshape(g, Og, Cg, *K).swapaxes(1, 2).reshape(g * Cg, Og, *K)[flip]
    Z = np.zeros(dY.shape[:2] + tuple((ax.out - 1) * ax.stride + 1 for ax in geo.axes), dtype=dY.dtype)
    Z[(slice(None), slice(None)) + tuple(slice(None, None, ax.stride) for ax in geo.axes)] = dY
    pads = tuple(((ax.kernel - 1) * ax.dilation, ax.padded - (ax.out - 1) * ax.stride - 1) for ax in geo.axes)
    dXp = conv(Z, Wt, stride=(1,) * d, padding=pads, dilation=f.dilation, groups=g)  # checks: DX-EQ1
    return geo.unpad(dXp.astype(dtype, copy=False))  # checks: DX-EQ2


def conv_input_grad(dY, W, *, input_shape, stride, padding, dilation, groups) -> np.ndarray:
    """The gradient of ``Σ dY · conv(X, W)`` with respect to X (DX-EQ1), shape ``input_shape``."""
    p = conv_input_grad_problem(dY, W, input_shape=input_shape, stride=stride, padding=padding,
                                dilation=dilation, groups=groups)
    return _input_grad(p.dY, p.W, p.forward, p.out_dtype)


def conv_weight_grad(X, dY, *, kernel_shape, stride, padding, dilation, groups) -> np.ndarray:
    """The gradient of ``Σ dY · conv(X, W)`` with respect to W (DW-EQ1), shape ``kernel_shape``."""
    p = conv_weight_grad_problem(X, dY, kernel_shape=kernel_shape, stride=stride, padding=padding,
                                 dilation=dilation, groups=groups)
    f, geo = p.forward, p.geometry
    out = np.zeros(p.out_shape, dtype=p.out_dtype)
    if p.X.size == 0 or p.dY.size == 0 or out.size == 0:
        return out  # checks: DW-SH2
    g, d = f.groups, f.rank
    Xp = geo.pad(p.X)  # checks: DW-PD1
    N, C = Xp.shape[:2]
    Xb = Xp.reshape(N, g, C // g, *Xp.shape[2:]).transpose(2, 1, 0, *range(3, 3 + d))
    Xb = Xb.reshape(C // g, g * N, *Xp.shape[2:])
    Wb = p.dY.swapaxes(0, 1)
    full = conv(Xb, Wb, stride=f.dilation, padding=((0, 0),) * d, dilation=f.stride, groups=g)  # checks: DW-EQ1
    keep = (slice(None), slice(None)) + tuple(slice(0, k) for k in geo.kernel_shape)
    return np.ascontiguousarray(full[keep].swapaxes(0, 1), dtype=p.out_dtype)


def conv_bias_grad(dY) -> np.ndarray:
    """``dB[o] = Σ_{n, j} dY[n, o, j]`` (DB-EQ1), dtype ``dY.dtype``."""
    p = conv_bias_grad_problem(dY)
    axes = (0, *range(2, p.dY.ndim))
    if p.dY.dtype.kind in "iu":
        return fit(p.dY.astype(object).sum(axis=axes) if p.dY.size else np.zeros(p.out_shape, object),
                   p.out_dtype)  # checks: DB-RD1
    work = np.float32 if p.dY.dtype == np.float16 else p.dY.dtype
    with np.errstate(over="ignore"):
        return p.dY.sum(axis=axes, dtype=work).astype(p.out_dtype)  # checks: DB-EQ1, DB-RD1


def conv_transpose(X, W, B=None, *, stride, padding, output_padding, dilation, groups) -> np.ndarray:
    """The transposed convolution (TC-EQ1): the input gradient of its forward problem plus the bias."""
    p = conv_transpose_problem(X, W, B, stride=stride, padding=padding, output_padding=output_padding,
                               dilation=dilation, groups=groups)
    dY, _ = p.as_input_grad()
    integer = p.out_dtype.kind in "iu"
    work = np.dtype(np.int64) if integer else p.out_dtype
    Y = _input_grad(dY.astype(work), p.W.astype(work), p.forward, work)  # checks: TC-AD1
    if p.B is None:
        return Y.astype(p.out_dtype) if integer else Y
    lift = (1, -1) + (1,) * (Y.ndim - 2)
    if integer:
        return fit(Y.astype(object) + p.B.astype(object).reshape(lift), p.out_dtype)  # checks: TC-RD1
    with np.errstate(all="ignore"):
        return Y + p.B.astype(p.out_dtype).reshape(lift)  # checks: TC-RD1
