"""Gradient mutants: backward and transposed-convolution backends that each carry one realistic bug.

Every mutant computes one operation of Part II with its exact signature:

* ``conv_input_grad(dY, W, *, input_shape, stride, padding, dilation, groups)``;
* ``conv_weight_grad(X, dY, *, kernel_shape, stride, padding, dilation, groups)``;
* ``conv_bias_grad(dY)``;
* ``conv_transpose(X, W, B=None, *, stride, padding, output_padding, dilation, groups)``;

wrapped in a :class:`~convspec.conformance.backend.Backend` whose ``op`` is
that operation and whose claims are the ones such a library would publish
(every rank, dtype, padding, dilation, groups, bias, special values).  Each
one validates its arguments with the specification's validator of its
operation (so it raises the specification's errors), computes the operation
correctly everywhere except where its bug strikes, and passes the obvious
smoke check (:func:`smoke_check`).

The correct paths are NumPy code of the kind libraries write:

* the input gradient and the transposed convolution *scatter*: for every
  kernel tap, the products of the incoming values with that tap's weights
  are added into a strided slice of a padded accumulator, which is then
  cropped to the result (`scatter`);
* the weight gradient *gathers*: for every tap, the strided slice of the
  padded input under it is contracted with dY over the batch and the windows
  (`gather`);
* the bias gradient is a sum over the batch and the spatial axes.

Products and sums are IEEE operations in the output dtype with no skipped
terms, so NaN and infinities reach exactly the elements their terms feed;
`numpy.einsum` (which does not call BLAS unless asked to optimise) does the
contractions.

:data:`VIOLATES` maps each mutant to the clauses its bug breaks.

Like :mod:`.layer_mutants`, this module imports nothing from its own package,
so a worker process can load any mutant from ``path/to/grad_mutants.py:NAME``.
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from convspec import spec
from convspec.conformance.backend import Backend, Claims
from convspec.spec import (conv_bias_grad_problem, conv_input_grad_problem, conv_problem,
                           conv_transpose_problem, conv_weight_grad_problem)
from convspec.spec.geometry import geometry
from convspec.spec.grad_problem import explicit_padding, gradient_operand, shape_argument

#: Every gradient mutant by name.
MUTANTS: dict[str, Backend] = {}
#: The clause ids each gradient mutant violates.
VIOLATES: dict[str, tuple[str, ...]] = {}

#: A float64 weight gradient with at least this many terms per element takes the float32 path
#: of :func:`dw_float32_accumulation`.
FLOAT32_PATH_TERMS = 256


def _mutant(op: str, *clauses: str, claims: Claims = Claims()):
    """Register the decorated function as a mutant of ``op`` violating ``clauses``."""
    def wrap(fn):
        name = fn.__name__
        backend = Backend(name=name, fn=fn, claims=claims, op=op,
                          description=(fn.__doc__ or "").strip().splitlines()[0],
                          target=f"{os.path.abspath(__file__)}:{name}")
        MUTANTS[name] = backend
        VIOLATES[name] = clauses
        return backend
    return wrap


# --------------------------------------------------------------------------- the correct paths

def _taps(kernel: Sequence[int]):
    return np.ndindex(*kernel)


def _tap_slices(tap, stride, dilation, counts) -> tuple[slice, ...]:
    """The padded positions ``j·s + a·d`` for ``j < counts``, per axis."""
    return tuple(slice(a * d, a * d + s * (c - 1) + 1, s) if c else slice(0, 0)
                 for a, s, d, c in zip(tap, stride, dilation, counts))


def scatter(src: np.ndarray, Ws: np.ndarray, groups: int, stride, dilation,
            pads: Sequence[tuple[int, int]], counts, spatial, dtype) -> np.ndarray:
    """``out[n, g·Bg + b, u] += src[n, g·Ag + a', j] · Ws[g·Ag + a', b, tap]`` where ``j·s + tap·d − lo = u``.

    ``src`` is (N, A, *counts) (dY for the input gradient, X for the transposed
    convolution), ``Ws`` is (A, Bg, *K) in the scatter layout (the forward W,
    or the transposed convolution's W), and the result is (N, groups·Bg,
    *spatial).  The products are added into an accumulator of the padded
    length ``lo + spatial + hi`` (the scatter of `Axis.feeders`), which is then
    cropped by the pads; positions no ``(j, tap)`` reaches keep their +0.
    """
    dtype = np.dtype(dtype)
    N, A = src.shape[:2]
    Ag, Bg, K = A // groups, Ws.shape[1], Ws.shape[2:]
    padded = tuple(max(lo + size + hi, 0) for (lo, hi), size in zip(pads, spatial))
    acc = np.zeros((N, groups * Bg, *padded), dtype)
    if acc.size and Ag and all(counts):
        s = src.astype(dtype, copy=False)
        w = Ws.astype(dtype, copy=False)
        with np.errstate(all="ignore"):
            for g in range(groups):
                sg, wg = s[:, g * Ag:(g + 1) * Ag], w[g * Ag:(g + 1) * Ag]
                for tap in _taps(K):
                    part = np.einsum("na...,ab->nb...", sg, wg[(slice(None), slice(None), *tap)])
                    region = (slice(None), slice(g * Bg, (g + 1) * Bg),
                              *_tap_slices(tap, stride, dilation, counts))
                    acc[region] += part
    return geometry(spatial, K, stride, dilation, pads).unpad(acc, spatial)


def gather(Xp: np.ndarray, dY: np.ndarray, groups: int, stride, dilation, kernel, dtype) -> np.ndarray:
    """``dW[o, c, a] = Σ_{n, j} dY[n, o, j] · Xp[n, g·Cg + c, j·s + a·d]`` for the padded input ``Xp``."""
    dtype = np.dtype(dtype)
    N, C = Xp.shape[:2]
    O, counts = dY.shape[1], dY.shape[2:]
    Og, Cg = O // groups, C // groups
    dW = np.zeros((O, Cg, *kernel), dtype)
    if dW.size and N and all(counts):
        x = Xp.astype(dtype, copy=False)
        dy = dY.astype(dtype, copy=False)
        P = int(np.prod(counts))
        with np.errstate(all="ignore"):
            for g in range(groups):
                dyg = dy[:, g * Og:(g + 1) * Og].reshape(N, Og, P)
                for tap in _taps(kernel):
                    cols = x[(slice(None), slice(g * Cg, (g + 1) * Cg),
                              *_tap_slices(tap, stride, dilation, counts))]
                    dW[(slice(g * Og, (g + 1) * Og), slice(None), *tap)] = \
                        np.einsum("nop,ncp->oc", dyg, cols.reshape(N, Cg, P))
    return dW


def _dx_problem(dY, W, input_shape, stride, padding, dilation, groups):
    return conv_input_grad_problem(dY, W, input_shape=input_shape, stride=stride, padding=padding,
                                   dilation=dilation, groups=groups)


def _dw_problem(X, dY, kernel_shape, stride, padding, dilation, groups):
    return conv_weight_grad_problem(X, dY, kernel_shape=kernel_shape, stride=stride, padding=padding,
                                    dilation=dilation, groups=groups)


def _tc_problem(X, W, B, stride, padding, output_padding, dilation, groups):
    return conv_transpose_problem(X, W, B, stride=stride, padding=padding,
                                  output_padding=output_padding, dilation=dilation, groups=groups)


def _dx(p, **kw) -> np.ndarray:
    """`scatter` of a validated input-gradient problem, ``kw`` overriding its arguments."""
    f = p.forward
    args = dict(src=p.dY, Ws=p.W, groups=f.groups, stride=f.stride, dilation=f.dilation,
                pads=f.padding, counts=p.geometry.out_shape, spatial=p.out_shape[2:], dtype=p.out_dtype)
    args.update(kw)
    return scatter(**args)


def _dw(p, **kw) -> np.ndarray:
    """`gather` of a validated weight-gradient problem, ``kw`` overriding its arguments."""
    f = p.forward
    args = dict(Xp=p.geometry.pad(p.X), dY=p.dY, groups=f.groups, stride=f.stride, dilation=f.dilation,
                kernel=p.geometry.kernel_shape, dtype=p.out_dtype)
    args.update(kw)
    return gather(**args)


def _db(dY: np.ndarray, dtype) -> np.ndarray:
    return dY.sum(axis=(0, *range(2, dY.ndim)), dtype=dtype)


def _with_bias(Y: np.ndarray, B, dtype) -> np.ndarray:
    if B is not None and Y.size:
        with np.errstate(all="ignore"):
            Y += np.asarray(B).astype(dtype, copy=False).reshape((1, -1) + (1,) * (Y.ndim - 2))
    return Y


def _tc(p, B="problem", **kw) -> np.ndarray:
    """`scatter` of a validated transposed-convolution problem plus its bias."""
    args = dict(src=p.X, Ws=p.W, groups=p.groups, stride=p.stride, dilation=p.dilation,
                pads=p.padding, counts=p.spatial_in, spatial=p.out_shape[2:], dtype=p.out_dtype)
    args.update(kw)
    return _with_bias(scatter(**args), p.B if isinstance(B, str) else B, p.out_dtype)


def correct_input_grad(dY, W, *, input_shape, stride, padding, dilation, groups):
    """The input gradient without a bug (the base the dX mutants depart from)."""
    return _dx(_dx_problem(dY, W, input_shape, stride, padding, dilation, groups))


def correct_weight_grad(X, dY, *, kernel_shape, stride, padding, dilation, groups):
    """The weight gradient without a bug."""
    return _dw(_dw_problem(X, dY, kernel_shape, stride, padding, dilation, groups))


def correct_bias_grad(dY):
    """The bias gradient without a bug."""
    p = conv_bias_grad_problem(dY)
    return _db(p.dY, p.out_dtype)


def correct_transpose(X, W, B=None, *, stride, padding, output_padding, dilation, groups):
    """The transposed convolution without a bug."""
    return _tc(_tc_problem(X, W, B, stride, padding, output_padding, dilation, groups))


# --------------------------------------------------------------------------- the zero-insertion path

def _per_group_transpose(Ws: np.ndarray, groups: int) -> np.ndarray:
    """Scatter-layout weights (A, Bg, *K) as forward-layout weights (B, Ag, *K), group by group."""
    A, Bg, *K = Ws.shape
    Ag = A // groups
    return Ws.reshape(groups, Ag, Bg, *K).swapaxes(1, 2).reshape(groups * Bg, Ag, *K)


def _global_transpose(Ws: np.ndarray, groups: int) -> np.ndarray:
    """The scatter-layout weights swapped on their first two axes as a whole, then reshaped."""
    A, Bg, *K = Ws.shape
    return Ws.swapaxes(0, 1).reshape(groups * Bg, A // groups, *K)


def zero_insertion(src: np.ndarray, Wf: np.ndarray, groups: int, stride, dilation,
                   pads: Sequence[tuple[int, int]], counts, spatial, dtype, *, flip: bool = True) -> np.ndarray:
    """The scatter of `scatter` computed as a stride-1 correlation: the textbook transposed convolution.

    ``src`` (N, A, *counts) is stride-dilated (``s − 1`` zeros inserted
    between neighbours), padded by ``k_eff − 1 − lo`` zeros at the start (a
    negative amount crops) and to ``spatial + k_eff − 1`` elements at the end,
    and correlated at dilation ``d`` with the forward-layout weights ``Wf``
    (B, Ag, *K) reversed along every spatial axis (``flip``):
    ``out[u] = Σ_b Z[u + lo − (k − 1 − b)·d] · Wf[k − 1 − b]``.  Exact zeros
    in finite arithmetic, the inserted and padded zeros multiply the weights
    too, so an infinite weight makes NaN where the scatter has no term.
    """
    dtype = np.dtype(dtype)
    N, A = src.shape[:2]
    B, Ag, *K = Wf.shape
    out = np.zeros((N, B, *spatial), dtype)
    if not (out.size and Ag and all(counts)):
        return out
    d = len(spatial)
    Z = np.zeros((N, A) + tuple((c - 1) * s + 1 for c, s in zip(counts, stride)), dtype)
    Z[(slice(None), slice(None), *(slice(None, None, s) for s in stride))] = src
    k_eff = [(k - 1) * dd + 1 for k, dd in zip(K, dilation)]
    front = [ke - 1 - lo for ke, (lo, _) in zip(k_eff, pads)]
    back = [size + ke - 1 - f - z for size, ke, f, z in zip(spatial, k_eff, front, Z.shape[2:])]
    Zp = geometry(Z.shape[2:], K, (1,) * d, dilation, tuple(zip(front, back))).pad(Z)
    w = Wf.astype(dtype, copy=False)
    if flip:
        w = w[(slice(None), slice(None)) + (slice(None, None, -1),) * d]
    Bg = B // groups
    with np.errstate(all="ignore"):
        for g in range(groups):
            zg = Zp[:, g * Ag:(g + 1) * Ag]
            for tap in _taps(K):
                window = tuple(slice(a * dd, a * dd + n) for a, dd, n in zip(tap, dilation, spatial))
                out[:, g * Bg:(g + 1) * Bg] += np.einsum(
                    "na...,ba->nb...", zg[(slice(None), slice(None), *window)],
                    w[(slice(g * Bg, (g + 1) * Bg), slice(None), *tap)])
    return out


def _dx_zero_insertion(p, *, flip: bool = True, transpose=_per_group_transpose) -> np.ndarray:
    f = p.forward
    return zero_insertion(p.dY, transpose(p.W, f.groups), f.groups, f.stride, f.dilation, f.padding,
                          p.geometry.out_shape, p.out_shape[2:], p.out_dtype, flip=flip)


# --------------------------------------------------------------------------- conv_input_grad

def _remainders(p) -> tuple[int, ...]:
    return tuple(axis.remainder for axis in p.geometry.axes)


def _short_dx(p) -> np.ndarray:
    """dX as a transposed convolution without output_padding: the last ``remainder`` rows missing."""
    full = _dx(p)
    if 0 in p.geometry.out_shape:
        return full
    return full[(slice(None), slice(None), *(slice(0, n - r) for n, r in zip(full.shape[2:], _remainders(p))))]


@_mutant("conv_input_grad", "DX-SH2", "DX-EQ2")
def dx_remainder_dropped(dY, W, *, input_shape, stride, padding, dilation, groups):
    """The remainder rows no window reads are dropped: dX is short by (padded - k_eff) mod s per axis.

    Bug class: the input gradient computed as a transposed convolution
    without ``output_padding``.  ``conv_transpose(dY, W, stride, padding)``
    has ``s·(out − 1) + k_eff − lo − hi`` elements, which is the input size
    only when the stride divides ``padded − k_eff``.  Autograd passes the
    remainder as ``output_padding``; a hand-written backward pass that does
    not returns a result too short by it.  Stride 1 always fits.
    """
    return _short_dx(_dx_problem(dY, W, input_shape, stride, padding, dilation, groups))


@_mutant("conv_input_grad", "DX-EQ1", "DX-EQ2")
def dx_remainder_at_start(dY, W, *, input_shape, stride, padding, dilation, groups):
    """The remainder rows are restored as zeros at the start of each axis instead of the end.

    Bug class: the output-padding side mistaken.  The short transposed
    convolution of :func:`dx_remainder_dropped` is padded back to
    ``input_shape``, but with the zeros in front (``np.pad(dx, (r, 0))``), so
    every gradient is shifted by the remainder and the last rows, which the
    windows do read, get nothing.
    """
    p = _dx_problem(dY, W, input_shape, stride, padding, dilation, groups)
    short = _short_dx(p)
    return np.pad(short, [(0, 0), (0, 0)] + [(n - m, 0) for n, m in zip(p.out_shape[2:], short.shape[2:])])


@_mutant("conv_input_grad", "DX-EQ1")
def dx_kernel_not_flipped(dY, W, *, input_shape, stride, padding, dilation, groups):
    """Strided problems take the zero-insertion path, which forgets to reverse the kernel.

    Bug class: correlation where the transposed convolution needs the
    flipped kernel.  dX is the full correlation of the stride-dilated dY with
    the kernel reversed in space; the path written for strided layers
    correlates with the kernel as stored.  Unit-stride problems, on the
    direct scatter, are right, and so are symmetric kernels.
    """
    p = _dx_problem(dY, W, input_shape, stride, padding, dilation, groups)
    if all(s == 1 for s in p.forward.stride):
        return _dx(p)
    return _dx_zero_insertion(p, flip=False)


@_mutant("conv_input_grad", "DX-EQ1")
def dx_group_transpose_global(dY, W, *, input_shape, stride, padding, dilation, groups):
    """The weights are transposed to (C, O/g, *K) as a whole, not group by group.

    Bug class: a layout change that ignores groups.  The transposed
    convolution that computes dX needs W's (O/g, C/g) block of every group
    transposed; ``W.swapaxes(0, 1).reshape(C, O // g, *K)`` does it for one
    group and mixes the groups' weights for several (depthwise layers, with
    one input channel per group, are right).
    """
    p = _dx_problem(dY, W, input_shape, stride, padding, dilation, groups)
    if p.forward.groups == 1:
        return _dx(p)
    return _dx_zero_insertion(p, transpose=_global_transpose)


@_mutant("conv_input_grad", "DX-EQ1", "DX-EQ2")
def dx_dilation_ignored(dY, W, *, input_shape, stride, padding, dilation, groups):
    """The input gradient scatters with undilated taps: the dilation is accepted but not used.

    Bug class: an attribute dropped in the backward pass only.  The forward
    layer honours ``dilation``; the hand-written backward scatter adds tap
    ``a`` at ``j·s + a − lo`` instead of ``j·s + a·d − lo``.
    """
    p = _dx_problem(dY, W, input_shape, stride, padding, dilation, groups)
    return _dx(p, dilation=(1,) * p.geometry.rank)


@_mutant("conv_input_grad", "DX-NF1", "DX-EQ2")
def dx_zero_insertion_nan(dY, W, *, input_shape, stride, padding, dilation, groups):
    """dX is a zero-insertion transposed convolution: an infinite weight spreads NaN over its channel.

    Bug class: an algebraically exact rewrite that breaks IEEE locality.
    Inserting ``s − 1`` zeros between the dY elements and correlating with
    the flipped kernel gives the right values in finite arithmetic, but the
    inserted and padded zeros meet every weight, so ``0 · inf`` makes NaN at
    the elements a stride skips and in the remainder rows, which must be
    exactly +0.
    """
    return _dx_zero_insertion(_dx_problem(dY, W, input_shape, stride, padding, dilation, groups))


@_mutant("conv_input_grad", "DX-SH1")
def dx_input_shape_unchecked(dY, W, *, input_shape, stride, padding, dilation, groups):
    """An input_shape inconsistent with dY is accepted: the scatter is cropped or zero-filled to fit it.

    Bug class: a missing consistency check.  The backward kernel trusts the
    saved input size and writes the scatter of whatever dY it gets into a
    buffer of that size, so a dY from another layer (or another stride)
    silently gives a gradient instead of an error.
    """
    dY = gradient_operand("dY", dY, "DX-IN1")
    shape = shape_argument("input_shape", input_shape, dY.ndim, "DX-IN2")
    explicit_padding(padding, "DX-AT1")
    f = conv_problem(np.broadcast_to(np.zeros((), dY.dtype), shape), W, stride=stride, padding=padding,
                     dilation=dilation, groups=groups)
    if dY.shape[:2] != f.out_shape[:2]:
        raise ValueError(f"dY has shape {dY.shape}, expected leading axes {f.out_shape[:2]}")
    counts, spatial = dY.shape[2:], shape[2:]
    buffer = [max(axis.padded, (c - 1) * axis.stride + axis.k_eff if c else 0)
              for axis, c in zip(f.geometry.axes, counts)]
    pads = tuple((lo, length - lo - size) for (lo, _), length, size in zip(f.padding, buffer, spatial))
    return scatter(dY, f.W, f.groups, f.stride, f.dilation, pads, counts, spatial,
                   np.result_type(dY, f.W))


# --------------------------------------------------------------------------- conv_weight_grad

@_mutant("conv_weight_grad", "DW-EQ1")
def dw_dy_not_dilated(X, dY, *, kernel_shape, stride, padding, dilation, groups):
    """dW correlates X with dY at unit step: dY is not stride-dilated.

    Bug class: the stride forgotten in the weight gradient.  dW is the
    correlation of the padded input with dY used as a kernel dilated by the
    stride (``rhs_dilation = stride`` in XLA's terms); code that passes
    dilation 1 there reads ``Xp[j + a·d]`` instead of ``Xp[j·s + a·d]``.
    Unit-stride layers are right.
    """
    p = _dw_problem(X, dY, kernel_shape, stride, padding, dilation, groups)
    return _dw(p, stride=(1,) * p.geometry.rank)


@_mutant("conv_weight_grad", "DW-EQ1")
def dw_batch_mean(X, dY, *, kernel_shape, stride, padding, dilation, groups):
    """dW is averaged over the batch instead of summed: it is divided by N.

    Bug class: a loss reduction folded into the wrong place.  With a mean
    loss the 1/N belongs in dY, which the caller has already scaled; a
    kernel that also divides the accumulated weight gradient by the batch
    size is right only for N = 1, the usual unit-test batch.
    """
    p = _dw_problem(X, dY, kernel_shape, stride, padding, dilation, groups)
    dW = _dw(p)
    N = p.forward.batch
    if N <= 1:
        return dW
    with np.errstate(all="ignore"):
        return (dW / N).astype(p.out_dtype)


@_mutant("conv_weight_grad", "DW-RD1", "DW-AC1")
def dw_float32_accumulation(X, dY, *, kernel_shape, stride, padding, dilation, groups):
    """float64 weight gradients with long reductions are accumulated in float32 and cast back.

    Bug class: a precision downgrade on the long-reduction path.  dW sums
    ``N·∏S_out`` terms per element, and a library that hands long reductions
    to a float32 (or TF32) GEMM, then casts the result to float64, passes
    dtype checks and ``allclose`` on small examples; short reductions, on the
    direct path, are right.
    """
    p = _dw_problem(X, dY, kernel_shape, stride, padding, dilation, groups)
    if p.out_dtype != np.float64 or p.terms < FLOAT32_PATH_TERMS:
        return _dw(p)
    return _dw(p, dtype=np.float32).astype(np.float64)


@_mutant("conv_weight_grad", "DW-PD1", "DW-NF1")
def dw_padding_not_terms(X, dY, *, kernel_shape, stride, padding, dilation, groups):
    """dW skips the products with padding zeros, so an infinite dY at a padded window gives no NaN.

    Bug class: a masked gather.  Backward kernels that gather only the
    in-bounds input elements (an im2col with a validity mask, or a sparse
    gather) leave the padding out of the sum; that changes nothing in finite
    arithmetic, but ``inf · 0`` at a padding element is a term (DW-PD1) and
    must make the tap's gradient NaN.
    """
    p = _dw_problem(X, dY, kernel_shape, stride, padding, dilation, groups)
    geo = p.geometry
    inside = geo.pad(np.ones(p.X.shape, bool))
    Xp = geo.pad(p.X).astype(p.out_dtype)
    dy = p.dY.astype(p.out_dtype)
    f = p.forward
    Og, Cg = f.out_per_group, f.in_per_group
    dW = np.zeros(p.out_shape, p.out_dtype)
    if not (dW.size and f.batch and all(geo.out_shape)):
        return dW
    with np.errstate(all="ignore"):
        for g in range(f.groups):
            for tap in _taps(geo.kernel_shape):
                sl = (slice(None), slice(g * Cg, (g + 1) * Cg),
                      *_tap_slices(tap, f.stride, f.dilation, geo.out_shape))
                prod = dy[:, g * Og:(g + 1) * Og, None] * Xp[sl][:, None]
                prod = np.where(inside[sl][:, None], prod, np.zeros((), p.out_dtype))
                dW[(slice(g * Og, (g + 1) * Og), slice(None), *tap)] = \
                    prod.sum(axis=(0, *range(3, prod.ndim)))
    return dW


# --------------------------------------------------------------------------- conv_bias_grad

@_mutant("conv_bias_grad", "DB-EQ1")
def db_first_sample_only(dY):
    """dB sums over the spatial axes of the first batch element only.

    Bug class: a batch-of-one assumption.  Code written and tested with
    ``N = 1`` (``dY[0].sum(spatial axes)``) drops every other element's
    contribution.
    """
    p = conv_bias_grad_problem(dY)
    if p.dY.shape[0] == 0:
        return np.zeros(p.out_shape, p.out_dtype)
    return _db(p.dY[:1], p.out_dtype)


@_mutant("conv_bias_grad", "DB-EQ1")
def db_hardcoded_2d_axes(dY):
    """dB sums over the axes (0, -2, -1): right for 2-D layers only.

    Bug class: the layout of one rank baked in.  ``dY.sum(axis=(0, 2, 3))``
    copied from a 2-D layer, written with negative axes to "support" other
    ranks, sums over the channels of a 1-D layer and leaves the depth axis of
    a 3-D one.
    """
    p = conv_bias_grad_problem(dY)
    return p.dY.sum(axis=(0, -2, -1), dtype=p.out_dtype)


@_mutant("conv_bias_grad", "DB-RD1")
def db_nansum(dY):
    """dB is taken with numpy.nansum: NaN terms are skipped instead of making the sum NaN.

    Bug class: "robust" reductions.  ``nansum`` is a tempting way to keep one
    bad element from poisoning a gradient, but it hides it instead: a NaN in
    dY must reach its channel's bias gradient.
    """
    p = conv_bias_grad_problem(dY)
    return np.nansum(p.dY, axis=(0, *range(2, p.dY.ndim)), dtype=p.out_dtype)


# --------------------------------------------------------------------------- conv_transpose

@_mutant("conv_transpose", "TC-SH1", "TC-EQ1")
def tc_output_padding_low(X, W, B=None, *, stride, padding, output_padding, dilation, groups):
    """output_padding adds its elements at the low end of each axis instead of the high end.

    Bug class: the side of output_padding.  The extra elements exist to
    recover the remainder rows of the forward input, which lie past its last
    window; an implementation that prepends them (``lo − op`` as the
    effective pad) shifts every output by ``output_padding``.
    """
    p = _tc_problem(X, W, B, stride, padding, output_padding, dilation, groups)
    pads = tuple((lo - op, hi + op) for (lo, hi), op in zip(p.padding, p.output_padding))
    return _tc(p, pads=pads)


@_mutant("conv_transpose", "TC-SH1")
def tc_ignores_output_padding(X, W, B=None, *, stride, padding, output_padding, dilation, groups):
    """output_padding is accepted and checked but not applied: the output is short by it.

    Bug class: an attribute accepted for compatibility and ignored, the
    shape ``s·(i − 1) + k_eff − lo − hi`` of the plain transposed convolution
    (an empty axis where that is below zero).
    """
    p = _tc_problem(X, W, B, stride, padding, output_padding, dilation, groups)
    spatial = tuple(max(n - op, 0) for n, op in zip(p.out_shape[2:], p.output_padding))
    return _tc(p, spatial=spatial)


@_mutant("conv_transpose", "TC-EQ1", "TC-RD1")
def tc_bias_per_group(X, W, B=None, *, stride, padding, output_padding, dilation, groups):
    """The bias is indexed by group: output channel o gets B[o // (O/g)].

    Bug class: a bias broadcast along the wrong axis.  The grouped scatter
    produces an (N, g, O/g, ...) block, and adding ``B[:g]`` per group gives
    every channel of a group the same bias.
    """
    p = _tc_problem(X, W, B, stride, padding, output_padding, dilation, groups)
    if p.B is None:
        return _tc(p)
    Og = p.out_per_group
    return _tc(p, B=np.array([p.B[o // Og] for o in range(p.B.shape[0])], p.B.dtype))


@_mutant("conv_transpose", "TC-EQ1")
def tc_weight_sliced_by_output(X, W, B=None, *, stride, padding, output_padding, dilation, groups):
    """Each group's weights are sliced by output channels from W read as (C/g, O, *K).

    Bug class: the forward layer's grouping recipe carried over.  The forward
    weights (O, C/g, *K) are sliced by output channels, group g taking rows
    ``g·O/g … (g+1)·O/g``; applied to the transposed weights by viewing them
    as (C/g, O, *K) and slicing the second axis, it is right for one group
    and for depthwise layers (C/g = 1) and mixes the groups' weights
    otherwise.
    """
    p = _tc_problem(X, W, B, stride, padding, output_padding, dilation, groups)
    _, Og, *K = p.W.shape
    g, Cg = p.groups, p.in_per_group
    view = p.W.reshape(Cg, g * Og, *K)
    sliced = np.concatenate([view[:, k * Og:(k + 1) * Og] for k in range(g)], axis=0)
    return _tc(p, Ws=sliced)


@_mutant("conv_transpose", "TC-NF1")
def tc_zero_insertion_nan(X, W, B=None, *, stride, padding, output_padding, dilation, groups):
    """The transposed convolution inserts zeros and convolves: an infinite weight spreads NaN.

    Bug class: the textbook form of the transposed convolution (zeros
    between the inputs, then a stride-1 correlation with the flipped kernel)
    used as the implementation.  Finite values are right; the inserted zeros
    are not products (TC-EQ1), yet here they meet every weight, and
    ``0 · inf`` turns the outputs a stride skips into NaN.
    """
    p = _tc_problem(X, W, B, stride, padding, output_padding, dilation, groups)
    Y = zero_insertion(p.X, _per_group_transpose(p.W, p.groups), p.groups, p.stride, p.dilation,
                       p.padding, p.spatial_in, p.out_shape[2:], p.out_dtype)
    return _with_bias(Y, p.B, p.out_dtype)


@_mutant("conv_transpose", "TC-AT2")
def tc_refuses_output_padding_ge_stride(X, W, B=None, *, stride, padding, output_padding, dilation,
                                        groups):
    """output_padding >= stride is refused, although it is valid when the dilation is larger.

    Bug class: ONNX's stricter rule applied without declaring it.  PyTorch
    accepts ``output_padding < max(stride, dilation)``; a runtime that checks
    ``< stride`` refuses valid dilated calls, which is allowed only when the
    backend claims TC-CL1.
    """
    p = _tc_problem(X, W, B, stride, padding, output_padding, dilation, groups)
    if not p.within_onnx_rule():
        raise ValueError(f"output_padding {p.output_padding} must be smaller than stride {p.stride}")
    return _tc(p)


def _integer_pairs(padding) -> tuple[tuple[int, int], ...] | None:
    """``padding`` as integer pairs, or None when it is not a sequence of pairs of integers."""
    if not isinstance(padding, (tuple, list)):
        return None
    pairs = []
    for pair in padding:
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(
                isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in pair)):
            return None
        pairs.append((int(pair[0]), int(pair[1])))
    return tuple(pairs)


@_mutant("conv_transpose", "TC-PD1")
def tc_accepts_negative_padding(X, W, B=None, *, stride, padding, output_padding, dilation, groups):
    """A negative pad is accepted and widens the output instead of being refused.

    Bug class: a sign not checked.  The scatter crops ``lo`` and ``hi``
    elements from the full output, and a negative amount crops "fewer than
    none", giving a larger result (zeros at the new ends) that no framework
    defines.
    """
    pairs = _integer_pairs(padding)
    if pairs is None or min((v for pair in pairs for v in pair), default=0) >= 0:
        return _tc(_tc_problem(X, W, B, stride, padding, output_padding, dilation, groups))
    clamped = tuple((max(lo, 0), max(hi, 0)) for lo, hi in pairs)
    p = _tc_problem(X, W, B, stride, clamped, output_padding, dilation, groups)
    spatial = tuple(n + (lo0 - lo) + (hi0 - hi) for n, (lo0, hi0), (lo, hi)
                    in zip(p.out_shape[2:], clamped, pairs))
    return _tc(p, pads=pairs, spatial=spatial)


# --------------------------------------------------------------------------- the smoke check

def smoke_problem(op: str) -> tuple[tuple, dict]:
    """The obvious test of ``op``: float64, rank 2, two and three channels, a 3x3 kernel, unit stride.

    No padding, no dilation, one group, no bias, no output padding; the
    forward layer maps (1, 2, 9, 11) to (1, 3, 7, 9).
    """
    rng = np.random.default_rng(1)
    X, W = rng.standard_normal((1, 2, 9, 11)), rng.standard_normal((3, 2, 3, 3))
    dY = rng.standard_normal((1, 3, 7, 9))
    kw = dict(stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1)
    if op == "conv_input_grad":
        return (dY, W), dict(kw, input_shape=X.shape)
    if op == "conv_weight_grad":
        return (X, dY), dict(kw, kernel_shape=W.shape)
    if op == "conv_bias_grad":
        return (dY,), {}
    return (dY, W), dict(kw, output_padding=(0, 0))


def smoke_check(backend: Backend) -> bool:
    """True when ``backend`` gets the obvious test of its operation (`smoke_problem`) right."""
    args, kw = smoke_problem(backend.op)
    want = getattr(spec, backend.op)(*args, **kw)
    got = np.asarray(backend(*args, **kw))
    return got.shape == want.shape and got.dtype == want.dtype and bool(np.allclose(got, want))
