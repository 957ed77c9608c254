"""Correct layer variants: ``conv`` backends that compute CV-EQ1 in different ways and must all pass.

Each differs from the others in how it evaluates the sums (loop order,
working precision, algorithm), so a harness that flags any of them judges
something the specification does not require.  All validate their arguments
with :func:`convspec.spec.conv_problem` and so raise the specification's
errors.

The FFT variant declares the normwise accuracy class (CV-AC2): its error is
bounded in norm per batch item and output channel, not element by element.

Like :mod:`.layer_mutants`, this module imports nothing from its own package,
so a worker process can load a variant from ``path/to/layer_variants.py:NAME``.
"""

from __future__ import annotations

import os

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from convspec.conformance.backend import Backend, Claims
from convspec.spec import conv_problem

#: Every correct layer variant by name.
VARIANTS: dict[str, Backend] = {}


def _variant(claims: Claims = Claims()):
    """Register the decorated function as a correct layer variant."""
    def wrap(fn):
        name = fn.__name__
        backend = Backend(name=name, fn=fn, claims=claims, op="conv",
                          description=(fn.__doc__ or "").strip().splitlines()[0],
                          target=f"{os.path.abspath(__file__)}:{name}")
        VARIANTS[name] = backend
        return backend
    return wrap


def _problem(X, W, B, stride, padding, dilation, groups):
    return conv_problem(X, W, B, stride=stride, padding=padding, dilation=dilation, groups=groups)


def _has_nonfinite(*arrays) -> bool:
    return any(a is not None and a.dtype.kind in "fc" and not bool(np.isfinite(a).all()) for a in arrays)


def _tap_sum(p, dtype) -> np.ndarray:
    """Shift-and-add in ``dtype``, one output channel at a time, each tap added in C order.

    ``Y[:, o] = B[o] + sum over (c, tap) of Xp[:, group channel c, tap slice] * W[o, c, tap]``:
    a recursive sum of the output's terms in a fixed order, every product and
    addition rounded to ``dtype`` (CV-AC1 with that dtype's unit roundoff;
    integer sums wrap only when the exact result does not fit, as CV-EX1
    allows).  The padding zeros take part in the products (CV-PD3); IEEE
    arithmetic keeps NaN and infinities in their windows and channels (CV-NF2).
    """
    d, geo = p.rank, p.geometry
    Y = np.zeros(p.out_shape, dtype)
    if Y.size == 0:
        return Y
    Xp = geo.pad(p.X.astype(dtype, copy=False))
    Wc = p.W.astype(dtype, copy=False)
    with np.errstate(all="ignore"):
        for o in range(p.out_channels):
            acc = Y[:, o]
            for k, c in enumerate(p.channels_of(o)):
                for tap in geo.taps():
                    acc += Xp[(slice(None), c, *geo.tap_slices(tap))] * Wc[(o, k, *tap)]
            if p.B is not None:
                acc += p.B[o].astype(dtype)
    return Y


@_variant(Claims(dtypes=("int64", "float64", "complex128")))
def python_loops(X, W, B=None, *, stride, padding, dilation, groups):
    """Nested Python loops over every output and term, on Python numbers, rounded once at the end.

    Elements become Python ints (exact), floats (float64) or complex numbers
    (complex128) through ``tolist``; each output is the recursive sum of its
    window products and then the bias, converted to the output dtype (for
    the claimed dtypes the conversion is exact, since the sum is already in the
    output's precision).  Python float arithmetic is IEEE arithmetic, so NaN
    and infinities follow CV-NF1.  Slow, so it claims the dtypes of Python's
    own numbers: int64, float64 and complex128.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    out = p.out_dtype
    kind = out.kind
    convert = int if kind in "iu" else complex if kind == "c" else float
    axes = p.geometry.axes
    xs = p.X.tolist()
    ws = p.W.tolist()
    bs = p.B.tolist() if p.B is not None else None
    taps = list(p.geometry.taps())

    def read(nested, index):
        for i in index:
            nested = nested[i]
        return nested

    values = np.empty(p.out_shape, dtype=object)
    for n, o, *j in np.ndindex(*p.out_shape):
        total = convert(0)
        for k, c in enumerate(p.channels_of(o)):
            plane, weights = xs[n][c], ws[o][k]
            for tap in taps:
                where = [ax.source(jj, a) for ax, jj, a in zip(axes, j, tap)]
                if all(0 <= w < ax.size for w, ax in zip(where, axes)):
                    x = convert(read(plane, where))
                else:
                    x = convert(0)  # a padding zero still takes part (CV-PD3)
                total += x * convert(read(weights, tap))
        if bs is not None:
            total += convert(bs[o])
        values[(n, o, *j)] = total
    if kind in "iu":
        return values.astype(out)
    with np.errstate(all="ignore"):
        wide = values.astype(np.complex128 if kind == "c" else np.float64)
        return wide.astype(out)


@_variant()
def own_precision_taps(X, W, B=None, *, stride, padding, dilation, groups):
    """Shift-and-add per output channel with every operation in the output dtype.

    float16 stays float16 and float32 stays float32: the recursive sum in the
    output's own precision meets CV-AC1's gamma bound, which is written for
    exactly that unit roundoff.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    return _tap_sum(p, p.out_dtype)


@_variant()
def im2col_gemm(X, W, B=None, *, stride, padding, dilation, groups):
    """im2col and one matrix product per group and block of output positions (BLAS for floats).

    The dilated, strided windows of the padded input are seen without copying
    through ``sliding_window_view``, flattened into a patch matrix of at most
    4096 rows at a time, and multiplied by the group's (O/g, C/g·prod K) weight
    matrix in the output dtype; the bias is added after the product.  BLAS may
    sum in any order and with fused multiply-adds, which CV-AC1 covers.
    Integer products use NumPy's exact, wrapping integer matmul.  Problems
    holding NaN or infinities take the shift-and-add path, because reference
    BLAS skips zero entries (so ``inf * 0`` would vanish instead of giving
    NaN, CV-NF1).
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    dtype = p.out_dtype
    if _has_nonfinite(p.X, p.W, p.B):
        return _tap_sum(p, dtype)
    Y = np.zeros(p.out_shape, dtype)
    if Y.size == 0:
        return Y
    d, geo = p.rank, p.geometry
    N, S = p.batch, geo.out_shape
    Xp = geo.pad(p.X.astype(dtype, copy=False))
    spans = tuple(ax.k_eff for ax in geo.axes)
    windows = sliding_window_view(Xp, spans, axis=tuple(range(2, 2 + d)))
    windows = windows[(slice(None), slice(None))
                      + tuple(slice(0, ax.stride * (ax.out - 1) + 1, ax.stride) for ax in geo.axes)
                      + tuple(slice(None, None, ax.dilation) for ax in geo.axes)]
    # windows: (N, C, *S, *K); positions first, then the (channel, tap) terms
    positions = int(np.prod(S))
    Cg, Og = p.in_per_group, p.out_per_group
    block = max(1, 4096 // max(1, N))
    with np.errstate(all="ignore"):
        for g in range(p.groups):
            part = windows[:, g * Cg:(g + 1) * Cg]
            part = np.moveaxis(part, 1, 1 + d).reshape(N, positions, -1)      # (N, P, Cg*prodK)
            weights = p.W[g * Og:(g + 1) * Og].astype(dtype).reshape(Og, -1).T  # (Cg*prodK, Og)
            out = np.empty((N, positions, Og), dtype)
            for start in range(0, positions, block):
                out[:, start:start + block] = part[:, start:start + block] @ weights
            Y[:, g * Og:(g + 1) * Og] = np.moveaxis(out, 2, 1).reshape((N, Og) + S)
        if p.B is not None:
            Y += p.B.astype(dtype).reshape((1, -1) + (1,) * d)
    return Y


@_variant()
def per_group_loop(X, W, B=None, *, stride, padding, dilation, groups):
    """A Python loop over groups, each an ungrouped layer computed by ``numpy.einsum`` per tap.

    For each group the input channels and the weights of that group form an
    ordinary (groups = 1) layer; each kernel tap contributes one
    ``einsum('oc,nc...->no...')`` contraction over the group's channels, in the
    output dtype, and the bias is added last.  einsum may contract in any
    order (and may use BLAS), which CV-AC1 covers; non-finite problems take the
    shift-and-add path for the reason given in :func:`im2col_gemm`.
    """
    p = _problem(X, W, B, stride, padding, dilation, groups)
    dtype = p.out_dtype
    if _has_nonfinite(p.X, p.W, p.B):
        return _tap_sum(p, dtype)
    Y = np.zeros(p.out_shape, dtype)
    if Y.size == 0:
        return Y
    geo = p.geometry
    Xp = geo.pad(p.X.astype(dtype, copy=False))
    Wc = p.W.astype(dtype, copy=False)
    Cg, Og = p.in_per_group, p.out_per_group
    with np.errstate(all="ignore"):
        for g in range(p.groups):
            xs = Xp[:, g * Cg:(g + 1) * Cg]
            ws = Wc[g * Og:(g + 1) * Og]
            acc = np.zeros((p.batch, Og) + geo.out_shape, dtype)
            for tap in geo.taps():
                acc += np.einsum("oc,nc...->no...", ws[(slice(None), slice(None), *tap)],
                                 xs[(slice(None), slice(None), *geo.tap_slices(tap))])
            Y[:, g * Og:(g + 1) * Og] = acc
        if p.B is not None:
            Y += p.B.astype(dtype).reshape((1, -1) + (1,) * p.rank)
    return Y


@_variant(Claims(accuracy="normwise"))
def fft(X, W, B=None, *, stride, padding, dilation, groups):
    """Correlation through the FFT, the channels summed in the frequency domain (``scipy.fft``).

    For each batch item and group, every input channel (padded or cropped as
    the problem says) and every kernel (flipped, its taps spread ``dilation``
    apart) is transformed on a grid of the full linear size; the pointwise
    products are summed over the group's channels, transformed back once per
    output channel, cropped to the valid part and subsampled by the stride, and
    the bias is added.  The transform runs in the output's precision (float16
    promoted to float32) on operands scaled by powers of two, and the result is
    rounded to the output dtype.  Its error is normwise (CV-AC2), so it declares
    that class; integer problems and problems holding NaN or infinities take the
    shift-and-add path (a transform would spread a NaN over its whole block).
    """
    import scipy.fft

    p = _problem(X, W, B, stride, padding, dilation, groups)
    dtype = p.out_dtype
    if dtype.kind in "iu" or _has_nonfinite(p.X, p.W, p.B) or 0 in p.out_shape or p.in_per_group == 0:
        return _tap_sum(p, dtype)
    geo, d = p.geometry, p.rank
    work = dtype if dtype != np.float16 else np.dtype(np.float32)
    Xp, eX = _scaled(geo.pad(p.X.astype(work)))
    Wf, eW = _scaled(p.W.astype(work))
    taps = np.zeros(p.W.shape[:2] + tuple(a.k_eff for a in geo.axes), work)
    taps[(slice(None), slice(None), *(slice(None, None, a.dilation) for a in geo.axes))] = Wf
    taps = taps[(slice(None), slice(None), *([slice(None, None, -1)] * d))]
    grid = tuple(scipy.fft.next_fast_len(a.padded + a.k_eff - 1, real=work.kind != "c") for a in geo.axes)
    axes = tuple(range(-d, 0))
    forward, inverse = ((scipy.fft.fftn, scipy.fft.ifftn) if work.kind == "c" else
                        (scipy.fft.rfftn, scipy.fft.irfftn))
    Cg, Og = p.in_per_group, p.out_per_group
    valid = tuple(slice(a.k_eff - 1, a.k_eff - 1 + a.stride * (a.out - 1) + 1, a.stride) for a in geo.axes)
    Y = np.zeros(p.out_shape, dtype)
    with np.errstate(all="ignore"):
        for g in range(p.groups):
            fx = forward(Xp[:, g * Cg:(g + 1) * Cg], grid, axes=axes)          # (N, Cg, ...)
            fw = forward(taps[g * Og:(g + 1) * Og], grid, axes=axes)           # (Og, Cg, ...)
            spectrum = np.einsum("nc...,oc...->no...", fx, fw)
            full = inverse(spectrum, grid, axes=axes)
            block = _unscaled(full[(slice(None), slice(None), *valid)], eX + eW)
            if p.B is not None:
                block = block + p.B[g * Og:(g + 1) * Og].astype(work).reshape((1, -1) + (1,) * d)
            Y[:, g * Og:(g + 1) * Og] = block.astype(dtype)
    return Y


def _scaled(x: np.ndarray) -> tuple[np.ndarray, int]:
    """``(x * 2**-e, e)`` with the largest magnitude below one (exact scaling, away from overflow)."""
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    e = int(np.frexp(peak)[1]) if peak > 0 else 0
    return _unscaled(x, -e), e


def _unscaled(x: np.ndarray, e: int) -> np.ndarray:
    """``x * 2**e``, each real part rounded once."""
    if x.dtype.kind != "c":
        return np.ldexp(x, e)
    out = np.empty_like(x)
    out.real, out.imag = np.ldexp(x.real, e), np.ldexp(x.imag, e)
    return out
