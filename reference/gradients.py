"""The layer's gradients and the transposed convolution: the public entry points.

Every check and error comes from the specification's validators
(`convspec.spec.grad_problem`, `convspec.spec.transpose_problem`); the results
have their shapes (DX-SH2, DW-SH2, TC-SH1) and dtypes (DX-DT1, DW-DT1, DB-DT1,
TC-DT1) and are new C-contiguous arrays; the inputs are only read.

* Floating and complex outputs are computed in the layer's computing dtype
  (float32 for float16, `floating.computing_dtype`) on copies whose NaN and
  infinities are zeros; the elements whose terms hold them are then set by
  `grad_special`.  The bias of the transposed convolution is added last, one
  more term.
* Integer outputs are exact: the largest partial sum of any element is at most
  ``max|a| · max|b| · n`` (``n`` the most terms of an element: ``(O/g)·∏K``
  for dX, ``N·∏S_out`` for dW, ``(C/g)·∏K`` plus ``max|B|`` for the
  transposed convolution), and the narrowest exact arithmetic for it is the
  core's `integer.accumulator`; `integer.fit` then raises EX2's error for a
  result that does not fit.

The transposed convolution is the input gradient of its forward problem, with
``X`` extended by ``⌊output_padding / s⌋`` zeros (TC-AD1); those zeros are not
terms, so they are left out of the special-value counts (TC-EQ1).
"""

from __future__ import annotations

import numpy as np

from convspec.spec.grad_problem import (conv_bias_grad_problem, conv_input_grad_problem,
                                        conv_weight_grad_problem)
from convspec.spec.transpose_problem import conv_transpose_problem

from . import grad_special
from .floating import computing_dtype
from .grad_input import input_grad
from .grad_weight import weight_grad
from .integer import accumulator, fit, magnitude
from .layer_operands import finite, padded


def _magnitude(x: np.ndarray | None) -> int:
    return magnitude(x) if x is not None and x.size else 0


def _integer(*arrays) -> bool:
    return all(a.dtype.kind in "iu" for a in arrays if a is not None)


def _work(bound: int, *arrays) -> np.dtype:
    return accumulator(bound, all(a.dtype.kind == "u" for a in arrays if a is not None))


def _finite(x: np.ndarray, dtype) -> tuple[np.ndarray, bool]:
    """``x`` as a C-contiguous array of ``dtype`` with NaN and infinities zeroed (never written in place)."""
    y = np.ascontiguousarray(x, dtype=dtype)
    return finite(y, owned=not np.shares_memory(y, x))  # checks: CV-MU1


def _exact(values: np.ndarray, work: np.dtype, out_dtype: np.dtype) -> np.ndarray:
    return fit(values.astype(np.int64) if work.kind == "f" else values, out_dtype)  # checks: EX2


def _fixer(out_dtype: np.dtype):
    return grad_special.complex_ if out_dtype.kind == "c" else grad_special.real


def _to_output(Y: np.ndarray, out_dtype: np.dtype) -> np.ndarray:
    with np.errstate(over="ignore"):  # a float16 result beyond its range is inf (RD1)
        return np.ascontiguousarray(Y.astype(out_dtype, copy=False))


def conv_input_grad(dY, W, *, input_shape, stride, padding, dilation, groups) -> np.ndarray:
    """The gradient of ``Σ dY · conv(X, W)`` with respect to X (DX-EQ1); see `convspec.spec.conv_input_grad`.

    Raises:
        TypeError, ValueError: a clause is violated, exactly as the specification raises it.
        OverflowError: an exact integer result does not fit the output dtype (EX2).
    """
    p = conv_input_grad_problem(dY, W, input_shape=input_shape, stride=stride, padding=padding,
                                dilation=dilation, groups=groups)
    geo, groups = p.geometry, p.forward.groups
    if _integer(p.dY, p.W):
        work = _work(_magnitude(p.dY) * _magnitude(p.W) * p.terms, p.dY, p.W)
        dX = input_grad(np.ascontiguousarray(p.dY, dtype=work), np.ascontiguousarray(p.W, dtype=work),
                        geo, groups)  # checks: DX-RD1
        return _exact(dX, work, p.out_dtype)
    work = computing_dtype(p.out_dtype)
    (dYk, bad_dy), (Wk, bad_w) = _finite(p.dY, work), _finite(p.W, work)
    dX = input_grad(dYk, Wk, geo, groups)  # checks: DX-EQ1, DX-RD1
    if bad_dy or bad_w:
        def count(a, b, _pad):
            return input_grad(a.astype(np.float64), b.astype(np.float64), geo, groups)
        _fixer(p.out_dtype)(p.dY, p.W, dX, count)  # checks: DX-NF1
    return _to_output(dX, p.out_dtype)  # checks: DX-SH2, DX-DT1


def conv_weight_grad(X, dY, *, kernel_shape, stride, padding, dilation, groups) -> np.ndarray:
    """The gradient of ``Σ dY · conv(X, W)`` with respect to W (DW-EQ1); see `convspec.spec.conv_weight_grad`.

    Raises:
        TypeError, ValueError: a clause is violated, exactly as the specification raises it.
        OverflowError: an exact integer result does not fit the output dtype (EX2).
    """
    p = conv_weight_grad_problem(X, dY, kernel_shape=kernel_shape, stride=stride, padding=padding,
                                 dilation=dilation, groups=groups)
    f, geo = p.forward, p.geometry
    Cg = f.in_per_group
    if _integer(p.X, p.dY):
        work = _work(_magnitude(p.X) * _magnitude(p.dY) * p.terms, p.X, p.dY)
        dW = weight_grad(padded(p.X, geo, work), np.ascontiguousarray(p.dY, dtype=work), geo, f.groups,
                         Cg)  # checks: DW-RD1, DW-PD1
        return _exact(dW, work, p.out_dtype)
    work = computing_dtype(p.out_dtype)
    Xp, bad_x = finite(padded(p.X, geo, work), owned=True)  # checks: DW-PD1
    dYk, bad_dy = _finite(p.dY, work)
    dW = weight_grad(Xp, dYk, geo, f.groups, Cg)  # checks: DW-EQ1, DW-RD1
    if bad_x or bad_dy:
        def count(a, b, pad):
            return weight_grad(padded(a, geo, np.float64, fill=1.0 if pad else 0), b.astype(np.float64),
                               geo, f.groups, Cg)
        _fixer(p.out_dtype)(p.X, p.dY, dW, count)  # checks: DW-NF1, DW-PD1
    return _to_output(dW, p.out_dtype)  # checks: DW-SH2, DW-DT1


def conv_bias_grad(dY) -> np.ndarray:
    """``dB[o] = Σ_{n, j} dY[n, o, j]`` (DB-EQ1) in ``dY.dtype``; see `convspec.spec.conv_bias_grad`."""
    p = conv_bias_grad_problem(dY)
    axes = (0, *range(2, p.dY.ndim))
    if _integer(p.dY):
        work = _work(_magnitude(p.dY) * p.terms, p.dY)
        work = np.dtype(np.int64) if work.kind == "f" else work
        return fit(p.dY.sum(axis=axes, dtype=work) if p.dY.size else np.zeros(p.out_shape, work),
                   p.out_dtype)  # checks: DB-RD1, EX2
    work = computing_dtype(p.out_dtype)
    dYk, bad = _finite(p.dY, work)
    with np.errstate(all="ignore"):
        dB = dYk.sum(axis=axes)  # checks: DB-EQ1, DB-RD1
    if bad:
        lanes = np.moveaxis(p.dY, 1, 0).reshape(p.out_shape[0], -1)
        if p.out_dtype.kind == "c":
            dB[~np.isfinite(lanes).all(axis=1)] = complex(np.nan, np.nan)  # checks: DB-RD1, NF3
        else:
            with np.errstate(invalid="ignore"):
                pos, neg = (lanes == np.inf).any(axis=1), (lanes == -np.inf).any(axis=1)
                dB[pos & ~neg] = np.inf
                dB[neg & ~pos] = -np.inf
                dB[np.isnan(lanes).any(axis=1) | (pos & neg)] = np.nan  # checks: DB-RD1
    return _to_output(dB, p.out_dtype)  # checks: DB-DT1


def conv_transpose(X, W, B=None, *, stride, padding, output_padding, dilation, groups) -> np.ndarray:
    """The transposed convolution (TC-EQ1); see `convspec.spec.conv_transpose`.

    Raises:
        TypeError, ValueError: a clause is violated, exactly as the specification raises it.
        OverflowError: an exact integer result does not fit the output dtype (EX2).
    """
    p = conv_transpose_problem(X, W, B, stride=stride, padding=padding, output_padding=output_padding,
                               dilation=dilation, groups=groups)
    geo, lift = p.geometry, (1, -1) + (1,) * len(p.spatial_in)
    Xe, _ = p.as_input_grad()  # X and the zeros TC-AD1 appends  # checks: TC-AD1
    extend = tuple((0, e - i) for e, i in zip(Xe.shape[2:], p.spatial_in))
    if _integer(p.X, p.W, p.B):
        bound = _magnitude(p.X) * _magnitude(p.W) * p.in_per_group * int(np.prod(geo.kernel_shape))
        work = _work(bound + _magnitude(p.B), p.X, p.W, p.B)
        Y = input_grad(np.ascontiguousarray(Xe, dtype=work), np.ascontiguousarray(p.W, dtype=work),
                       geo, p.groups)  # checks: TC-EQ1, TC-RD1
        if p.B is not None and Y.size:
            Y += p.B.astype(work).reshape(lift)  # checks: TC-RD1
        return _exact(Y, work, p.out_dtype)
    work = computing_dtype(p.out_dtype)
    (Xk, bad_x), (Wk, bad_w) = _finite(Xe, work), _finite(p.W, work)
    Y = input_grad(Xk, Wk, geo, p.groups)  # checks: TC-EQ1, TC-RD1
    bad_b = False
    if p.B is not None:
        Bk, bad_b = _finite(p.B, work)
        if Y.size:
            with np.errstate(all="ignore"):
                Y += Bk.reshape(lift)  # checks: TC-RD1
    if bad_x or bad_w or bad_b:
        def count(a, b, _pad):
            a = np.pad(a, ((0, 0), (0, 0)) + extend)  # the appended zeros are not terms
            return input_grad(a.astype(np.float64), b.astype(np.float64), geo, p.groups)
        _fixer(p.out_dtype)(p.X, p.W, Y, count, bias=p.B)  # checks: TC-NF1
    return _to_output(Y, p.out_dtype)  # checks: TC-SH1, TC-DT1
