"""Mutants: backends that each carry one realistic bug the harness must catch.

Every mutant is a plain ``conv2d(M, K, *, stride)`` wrapped in a
:class:`~convspec.conformance.backend.Backend` whose claims are the ones such a
library would publish.  Each one validates its inputs like the specification,
computes Eq 2 correctly everywhere except where its bug strikes, and so passes
the obvious smoke check (float64, C-ordered, a 3x3 kernel, unit stride).  The
docstring of each names the class of bug and where such bugs are met in
practice.

:data:`VIOLATES` maps each mutant to the clauses its bug breaks; the tests use
it to decide whether the harness caught a mutant for the right reason.

This module imports nothing from its own package, so a worker process can load
any mutant from the target string ``path/to/mutants.py:NAME`` kept in
``Backend.target``.
"""

from __future__ import annotations

import ctypes
import os
import threading

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from convspec import spec
from convspec.conformance.backend import Backend, Claims
from convspec.spec.shape import output_shape
from convspec.spec.validation import validate

#: Every mutant by name.
MUTANTS: dict[str, Backend] = {}
#: The clause ids each mutant violates.
VIOLATES: dict[str, tuple[str, ...]] = {}

_FAST = Claims(timeout=2.0)


def _mutant(*clauses: str, claims: Claims = Claims()):
    """Register the decorated function as a mutant violating ``clauses``."""
    def wrap(fn):
        name = fn.__name__
        backend = Backend(name=name, fn=fn, claims=claims,
                          description=(fn.__doc__ or "").strip().splitlines()[0],
                          target=f"{os.path.abspath(__file__)}:{name}")
        MUTANTS[name] = backend
        VIOLATES[name] = clauses
        return backend
    return wrap


def _shift_add(M: np.ndarray, K: np.ndarray, stride, dtype) -> np.ndarray:
    """Eq 2 by shift-and-add in ``dtype``: one strided slice of M per kernel tap.

    ``C = sum_{a,b} M[a::sx, b::sy][:m'', :n''] * K[a, b]``, accumulated tap by
    tap in ``dtype``; correct for every admitted dtype (integer sums wrap only
    when the exact result itself does not fit, which EX2 leaves unspecified).
    """
    (sx, sy), (mk, nk) = stride, K.shape
    rows, cols = output_shape(M.shape, K.shape, (sx, sy))
    Mc, Kc = M.astype(dtype, copy=False), K.astype(dtype, copy=False)
    C = np.zeros((rows, cols), dtype)
    with np.errstate(all="ignore"):
        for a in range(mk):
            for b in range(nk):
                C += Mc[a:a + sx * (rows - 1) + 1:sx, b:b + sy * (cols - 1) + 1:sy] * Kc[a, b]
    return C


def _correct(M, K, stride) -> np.ndarray:
    ops = validate(M, K, stride)
    return _shift_add(ops.M, ops.K, ops.stride, ops.out_dtype)


# --- shape formula and stride handling ----------------------------------------------------------

@_mutant("EQ1")
def shape_ceil(M, K, *, stride=(1, 1)):
    """Eq 1 rounded up: partial windows at the bottom and right edges are kept, zero-padded.

    Bug class: output-size formula with ceil instead of floor.  Caffe's pooling
    layers used ceil in their output size while its convolutions used floor, and
    PyTorch keeps the same choice behind ``ceil_mode=True``; code that copies the
    pooling formula into a convolution gains an extra row or column whenever
    ``(m - m') % sx != 0``.  Invisible at unit stride.
    """
    ops = validate(M, K, stride)
    (sx, sy), (m, n), (mk, nk) = ops.stride, ops.M.shape, ops.K.shape
    rows, cols = -(-(m - mk) // sx) + 1, -(-(n - nk) // sy) + 1
    padded = np.zeros(((rows - 1) * sx + mk, (cols - 1) * sy + nk), ops.out_dtype)
    padded[:m, :n] = ops.M
    return _shift_add(padded, ops.K, ops.stride, ops.out_dtype)


@_mutant("EQ1", "EQ2")
def stride_swapped(M, K, *, stride=(1, 1)):
    """The two stride elements are applied to the wrong axes.

    Bug class: axis-order confusion between (rows, columns) and (x, y).  OpenCV's
    ``cv::Size`` is (width, height) while NumPy shapes are (height, width);
    wrappers translating between the two swap strides, paddings or dilations.
    Invisible whenever ``sx == sy``.
    """
    ops = validate(M, K, stride)
    sx, sy = ops.stride
    return _shift_add(ops.M, ops.K, (sy, sx), ops.out_dtype)


@_mutant("EQ1", "EQ2")
def stride_first_only(M, K, *, stride=(1, 1)):
    """Only the first stride element is used, for both axes.

    Bug class: a stride argument normalised as if it were square.  Code written
    for ``stride: int`` and later extended to pairs often keeps a line such as
    ``s = stride[0]``; square strides, the common case, hide it.
    """
    ops = validate(M, K, stride)
    s = ops.stride[0]
    return _shift_add(ops.M, ops.K, (s, s), ops.out_dtype)


@_mutant("EQ2")
def end_aligned_windows(M, K, *, stride=(1, 1)):
    """Strided windows are anchored at the bottom-right corner instead of at (0, 0).

    Bug class: wrong subsampling offset.  When ``(m - m') % sx != 0`` some input
    rows are unused, and which ones depends on where the first window starts;
    TensorFlow puts the extra padding of ``'SAME'`` at the bottom and right while
    other frameworks put it at the top and left, so models ported between them
    come out shifted by a pixel at stride 2.  Shapes stay right; only values at
    strides that do not divide ``m - m'`` differ.
    """
    ops = validate(M, K, stride)
    (sx, sy), (m, n), (mk, nk) = ops.stride, ops.M.shape, ops.K.shape
    return _shift_add(ops.M[(m - mk) % sx:, (n - nk) % sy:], ops.K, ops.stride, ops.out_dtype)


# --- kernel orientation --------------------------------------------------------------------------

@_mutant("EQ2")
def row_kernel_convolves(M, K, *, stride=(1, 1)):
    """Single-row kernels take a ``numpy.convolve`` fast path that flips the kernel.

    Bug class: convolution where cross-correlation is meant.  ``numpy.convolve``
    and ``scipy.signal.convolve`` reverse their second argument; separable or
    1-D fast paths built on them need ``k[::-1]``, and forgetting it turns the
    result into a true convolution.  Square kernels never reach the path.
    """
    ops = validate(M, K, stride)
    if ops.K.shape[0] != 1 or ops.K.shape[1] == 1:
        return _shift_add(ops.M, ops.K, ops.stride, ops.out_dtype)
    (sx, sy), k = ops.stride, ops.K[0].astype(ops.out_dtype)
    rows = ops.M[::sx].astype(ops.out_dtype)
    with np.errstate(all="ignore"):
        return np.array([np.convolve(row, k, mode="valid")[::sy] for row in rows], ops.out_dtype)


@_mutant("IN4")
def fortran_forgets_kernel_transpose(M, K, *, stride=(1, 1)):
    """A Fortran-ordered input is handled as the transposed problem, but K is not transposed.

    Bug class: layout-dependent orientation.  Row-major code often serves a
    column-major array by computing on its transpose, ``C = conv(M.T, K.T).T``
    with the strides swapped, as BLAS wrappers do; dropping one ``.T`` gives the
    right answer for C-ordered inputs and for symmetric kernels only.
    """
    ops = validate(M, K, stride)
    if ops.M.flags.f_contiguous and not ops.M.flags.c_contiguous:
        sx, sy = ops.stride
        mt, kt = ops.M.T, ops.K  # should be ops.K.T
        if kt.shape[0] <= mt.shape[0] and kt.shape[1] <= mt.shape[1]:
            return np.ascontiguousarray(_shift_add(mt, kt, (sy, sx), ops.out_dtype).T)
        return np.zeros(output_shape(ops.M.shape, ops.K.shape, ops.stride), ops.out_dtype)
    return _shift_add(ops.M, ops.K, ops.stride, ops.out_dtype)


# --- precision -----------------------------------------------------------------------------------

@_mutant("RD1", "AC1")
def float64_in_float32(M, K, *, stride=(1, 1)):
    """float64 problems are computed in float32 and cast back to float64.

    Bug class: silent precision downgrade.  JAX disables 64-bit types unless
    ``jax_enable_x64`` is set and many GPU paths run in float32; an adapter that
    casts the result back to the requested dtype returns float64 arrays that
    carry only about 7 correct digits, which ``numpy.allclose`` accepts.
    """
    ops = validate(M, K, stride)
    if ops.out_dtype != np.float64:
        return _shift_add(ops.M, ops.K, ops.stride, ops.out_dtype)
    return _shift_add(ops.M, ops.K, ops.stride, np.float32).astype(np.float64)


def _round_to_tf32(x: np.ndarray) -> np.ndarray:
    """Round float32 values to 10 stored significand bits (nearest, ties to even)."""
    bits = x.astype(np.float32).view(np.uint32)
    bias = np.uint32(0xFFF) + ((bits >> np.uint32(13)) & np.uint32(1))
    rounded = ((bits + bias) & np.uint32(0xFFFFE000)).view(np.float32)
    return np.where(np.isfinite(x), rounded, x).astype(np.float32)


@_mutant("RD1", "AC1")
def float32_tf32_inputs(M, K, *, stride=(1, 1)):
    """float32 inputs are rounded to TF32 (10-bit significand) before multiplying.

    Bug class: reduced-precision matrix units.  NVIDIA Ampere and later GPUs run
    float32 convolutions in TF32 when allowed, and cuDNN convolutions in PyTorch
    allow it by default (``torch.backends.cudnn.allow_tf32``); the results keep
    only about three decimal digits.
    """
    ops = validate(M, K, stride)
    if ops.out_dtype != np.float32:
        return _shift_add(ops.M, ops.K, ops.stride, ops.out_dtype)
    return _shift_add(_round_to_tf32(ops.M), _round_to_tf32(ops.K), ops.stride, np.float32)


@_mutant("RD1", "AC1")
def float16_truncates(M, K, *, stride=(1, 1)):
    """float16 results are accumulated in float32 and converted to float16 by truncation.

    Bug class: wrong rounding mode on the final conversion.  Hand-written
    float-to-half converters that shift the significand right by 13 bits round
    toward zero; the error reaches one unit in the last place, twice what a
    single rounding allows, which only the shortest sums (a 1x1 kernel) expose.
    """
    ops = validate(M, K, stride)
    if ops.out_dtype != np.float16:
        return _shift_add(ops.M, ops.K, ops.stride, ops.out_dtype)
    wide = _shift_add(ops.M, ops.K, ops.stride, np.float32)
    with np.errstate(all="ignore"):
        nearest = wide.astype(np.float16)
        away = np.isfinite(wide) & (np.abs(nearest.astype(np.float32)) > np.abs(wide))
        return np.where(away, np.nextafter(nearest, np.float16(0)), nearest)


# --- memory layout -------------------------------------------------------------------------------

@_mutant("IN4")
def ravels_in_memory_order(M, K, *, stride=(1, 1)):
    """M is flattened in memory order and reshaped as if it were C-ordered.

    Bug class: assuming row-major memory.  ``M.ravel(order='K')`` avoids a copy
    and hands native code the raw buffer; for a Fortran-ordered array that
    buffer holds the columns, so reshaping it row-major scrambles the input.
    """
    ops = validate(M, K, stride)
    flat = np.ravel(ops.M, order="K")
    return _shift_add(flat.reshape(ops.M.shape), ops.K, ops.stride, ops.out_dtype)


# --- special values ------------------------------------------------------------------------------

def _scaled(x: np.ndarray, e: int) -> np.ndarray:
    """``x * 2**e``, one rounding per real part."""
    if x.dtype.kind != "c":
        return np.ldexp(x, e)
    out = np.empty_like(x)
    out.real, out.imag = np.ldexp(x.real, e), np.ldexp(x.imag, e)
    return out


def _exponent(x: np.ndarray) -> int:
    """The binary exponent of the largest finite magnitude in ``x`` (0 when there is none)."""
    finite = np.abs(x[np.isfinite(x)])
    peak = float(finite.max()) if finite.size else 0.0
    return int(np.frexp(peak)[1]) if peak > 0 else 0


def _fft_correlate(M: np.ndarray, K: np.ndarray, stride, dtype) -> np.ndarray:
    """Correlation through the FFT in double precision, rounded to ``dtype``.

    Both operands are first scaled by powers of two to magnitudes below one, so
    finite problems never overflow inside the transforms.
    """
    import scipy.fft

    (m, n), (mk, nk), (sx, sy) = M.shape, K.shape, stride
    shape = (scipy.fft.next_fast_len(m + mk - 1), scipy.fft.next_fast_len(n + nk - 1))
    complex_ = np.dtype(dtype).kind == "c"
    work = np.complex128 if complex_ else np.float64
    fwd, inv = (scipy.fft.fft2, scipy.fft.ifft2) if complex_ else (scipy.fft.rfft2, scipy.fft.irfft2)
    Mw, Kw = M.astype(work), K[::-1, ::-1].astype(work)
    eM, eK = _exponent(Mw), _exponent(Kw)
    full = inv(fwd(_scaled(Mw, -eM), shape) * fwd(_scaled(Kw, -eK), shape), shape)
    rows, cols = output_shape(M.shape, K.shape, stride)
    valid = full[mk - 1:mk - 1 + sx * (rows - 1) + 1:sx, nk - 1:nk - 1 + sy * (cols - 1) + 1:sy]
    return _scaled(valid, eM + eK).astype(dtype)


@_mutant("NF2", claims=Claims(accuracy="normwise"))
def fft_spreads_nonfinite(M, K, *, stride=(1, 1)):
    """FFT correlation with no special path: one NaN or infinity poisons every output.

    Bug class: non-local propagation of special values.  A transform mixes every
    input into every frequency, so ``scipy.signal.fftconvolve`` returns NaN
    everywhere when a single input is NaN, while a direct sum keeps the damage
    inside the affected windows.  Integer problems take an exact direct path.
    """
    ops = validate(M, K, stride)
    if ops.out_dtype.kind in "iu":
        return _shift_add(ops.M, ops.K, ops.stride, ops.out_dtype)
    with np.errstate(all="ignore"):
        return _fft_correlate(ops.M, ops.K, ops.stride, ops.out_dtype)


@_mutant("NF1")
def nan_to_num_inputs(M, K, *, stride=(1, 1)):
    """Inputs are sanitised with ``numpy.nan_to_num`` before the sum.

    Bug class: special values scrubbed instead of propagated.  Image and
    signal pipelines call ``nan_to_num`` to "clean" data, which turns NaN into 0
    and infinities into the largest finite numbers, so outputs that IEEE
    arithmetic makes NaN come out finite.
    """
    ops = validate(M, K, stride)
    return _shift_add(np.nan_to_num(ops.M), np.nan_to_num(ops.K), ops.stride, ops.out_dtype)


@_mutant("NF1")
def skips_zero_taps(M, K, *, stride=(1, 1)):
    """Kernel taps equal to zero are skipped, so ``inf * 0`` never makes a NaN.

    Bug class: sparsity shortcut that breaks IEEE semantics.  OpenCV's generic
    2-D filter keeps only the nonzero kernel coefficients
    (``preprocess2DKernel``), and pruned-network kernels skip zero weights; an
    infinity or NaN under a zero tap then vanishes instead of giving NaN.
    """
    ops = validate(M, K, stride)
    (sx, sy), (mk, nk), dtype = ops.stride, ops.K.shape, ops.out_dtype
    rows, cols = output_shape(ops.M.shape, ops.K.shape, ops.stride)
    Mc, Kc = ops.M.astype(dtype, copy=False), ops.K.astype(dtype, copy=False)
    C = np.zeros((rows, cols), dtype)
    with np.errstate(all="ignore"):
        for a in range(mk):
            for b in range(nk):
                if Kc[a, b] == 0:
                    continue
                C += Mc[a:a + sx * (rows - 1) + 1:sx, b:b + sy * (cols - 1) + 1:sy] * Kc[a, b]
    return C


# --- side effects and aliasing -------------------------------------------------------------------

@_mutant("MU1")
def overwrites_input(M, K, *, stride=(1, 1)):
    """Computed in place: output row i is stored over row i of M once M's row i is no longer needed.

    Bug class: destroying the input to save memory.  SciPy exposes this as an
    opt-in (``overwrite_x``, ``overwrite_a``); doing it by default corrupts the
    caller's array even though the returned values are right.  Row ``i`` of M
    is read last by output row ``i`` (at offset ``i*sx >= i``), so the in-place
    order never reads an overwritten row.  Read-only inputs and inputs whose
    dtype differs from the output take a copying path.
    """
    ops = validate(M, K, stride)
    (sx, sy), (mk, nk), dtype = ops.stride, ops.K.shape, ops.out_dtype
    if not ops.M.flags.writeable or ops.M.dtype != dtype:
        return _shift_add(ops.M, ops.K, ops.stride, dtype)
    rows, cols = output_shape(ops.M.shape, ops.K.shape, ops.stride)
    Kc = ops.K.astype(dtype, copy=False)
    with np.errstate(all="ignore"):
        for i in range(rows):
            line = np.zeros(cols, dtype)
            for a in range(mk):
                for b in range(nk):
                    line += ops.M[i * sx + a, b:b + sy * (cols - 1) + 1:sy] * Kc[a, b]
            ops.M[i, :cols] = line
    return ops.M[:rows, :cols].copy()


_WORKSPACE: dict[tuple, np.ndarray] = {}


@_mutant("AL2")
def reuses_workspace(M, K, *, stride=(1, 1)):
    """The result is a view of a workspace buffer that the next call of the same shape reuses.

    Bug class: returning internal memory.  Inference runtimes keep memory
    arenas, and bindings that hand out a non-owning view of a C++ buffer let
    the next call overwrite a result the caller still holds.
    """
    ops = validate(M, K, stride)
    C = _shift_add(ops.M, ops.K, ops.stride, ops.out_dtype)
    key = (C.shape, C.dtype.str)
    buffer = _WORKSPACE.setdefault(key, np.empty(C.shape, C.dtype))
    buffer[...] = C
    return buffer


@_mutant("AL1")
def identity_kernel_view(M, K, *, stride=(1, 1)):
    """A 1x1 kernel equal to one returns a strided view of M instead of a new array.

    Bug class: identity shortcut that aliases the input.  ``astype(copy=False)``
    and ``numpy.asarray`` return their argument when nothing needs converting,
    so a fast path for the identity kernel hands the caller a view of M; writing
    to the result then writes to M.
    """
    ops = validate(M, K, stride)
    if ops.K.shape == (1, 1) and ops.K[0, 0] == 1 and ops.M.dtype == ops.out_dtype:
        sx, sy = ops.stride
        return ops.M[::sx, ::sy].astype(ops.out_dtype, copy=False)
    return _shift_add(ops.M, ops.K, ops.stride, ops.out_dtype)


# --- error handling ------------------------------------------------------------------------------

@_mutant("VA3")
def pads_large_kernel(M, K, *, stride=(1, 1)):
    """A kernel larger than M is accepted: M is zero-padded up to the kernel's size.

    Bug class: silently accepting an invalid shape.  'full' and 'same' modes pad
    the input, and code that shares one padding helper with 'valid' mode returns
    an answer for a kernel that does not fit instead of refusing it.
    """
    if isinstance(M, np.ndarray) and isinstance(K, np.ndarray) and M.ndim == K.ndim == 2 \
            and M.size and K.size:
        rows, cols = max(M.shape[0], K.shape[0]), max(M.shape[1], K.shape[1])
        if (rows, cols) != M.shape:
            padded = np.zeros((rows, cols), M.dtype)
            padded[:M.shape[0], :M.shape[1]] = M
            M = padded
    return _correct(M, K, stride)


@_mutant("ST3")
def clamps_stride(M, K, *, stride=(1, 1)):
    """A stride below one is clamped to one instead of refused.

    Bug class: defensive clamping that hides a caller's error.  ``max(1, s)``
    turns stride 0 or -2 into stride 1 and returns a plausible array for a call
    that has no meaning.
    """
    if isinstance(stride, (tuple, list)) and len(stride) == 2 and all(
            isinstance(s, (int, np.integer)) and not isinstance(s, (bool, np.bool_)) for s in stride):
        stride = type(stride)(max(1, int(s)) for s in stride)
    return _correct(M, K, stride)


# --- dtypes --------------------------------------------------------------------------------------

@_mutant("DT1")
def float_returns_float64(M, K, *, stride=(1, 1)):
    """float16 and float32 problems are computed in float64 and returned without the final cast.

    Bug class: wrong output dtype.  Upcasting for accuracy is sound, but the
    result must be rounded back; returning the float64 accumulator doubles the
    memory of every result and breaks dtype-dependent callers.
    """
    ops = validate(M, K, stride)
    if ops.out_dtype in (np.float16, np.float32):
        return _shift_add(ops.M, ops.K, ops.stride, np.float64)
    return _shift_add(ops.M, ops.K, ops.stride, ops.out_dtype)


@_mutant("EX1", "RD1", "AC1")
def accumulates_in_input_dtype(M, K, *, stride=(1, 1)):
    """The accumulator has M's dtype (``zeros_like(M)``) and is cast to the output dtype at the end.

    Bug class: accumulating in a narrower type than the result.  For int8 M and
    an int16 kernel the sum wraps modulo 2**8 although the int16 output could
    hold it; for float32 M and a float64 kernel the float64 result carries
    float32 rounding errors.  Equal dtypes are unaffected.
    """
    ops = validate(M, K, stride)
    (sx, sy), (mk, nk) = ops.stride, ops.K.shape
    rows, cols = output_shape(ops.M.shape, ops.K.shape, ops.stride)
    acc = np.zeros((rows, cols), ops.M.dtype)
    Mc, Kc = ops.M.astype(ops.out_dtype, copy=False), ops.K.astype(ops.out_dtype, copy=False)
    with np.errstate(all="ignore"):
        for a in range(mk):
            for b in range(nk):
                np.add(acc, Mc[a:a + sx * (rows - 1) + 1:sx, b:b + sy * (cols - 1) + 1:sy] * Kc[a, b],
                       out=acc, casting="unsafe")
    return acc.astype(ops.out_dtype)


@_mutant("DT1")
def sum_promotes_small_ints(M, K, *, stride=(1, 1)):
    """Windows are reduced with ``numpy.sum``, which promotes small integer types to 64 bits.

    Bug class: dtype promotion by a reduction.  ``numpy.sum`` of an int8, int16
    or int32 array returns int64 (uint64 for unsigned), so an im2col-and-sum
    implementation returns 64-bit integers for every narrower integer problem.
    """
    ops = validate(M, K, stride)
    sx, sy = ops.stride
    windows = sliding_window_view(ops.M.astype(ops.out_dtype, copy=False), ops.K.shape)[::sx, ::sy]
    with np.errstate(all="ignore"):
        return np.sum(windows * ops.K.astype(ops.out_dtype, copy=False), axis=(2, 3))


# --- large-only bugs -----------------------------------------------------------------------------

_TILE = 128


@_mutant("EQ2")
def tile_halo_short(M, K, *, stride=(1, 1)):
    """Output columns are computed in tiles of 128; every tile but the last reads one input column too few.

    Bug class: off-by-one at block boundaries.  Tiled kernels read a halo of
    ``n' - 1`` columns past each tile; computing it as ``n' - 2`` drops the last
    output column of every full tile (it stays zero), and because the last tile
    reads to the end of the array, outputs narrower than one tile are right.
    """
    ops = validate(M, K, stride)
    sy, nk = ops.stride[1], ops.K.shape[1]
    rows, cols = output_shape(ops.M.shape, ops.K.shape, ops.stride)
    C = np.zeros((rows, cols), ops.out_dtype)
    for start in range(0, cols, _TILE):
        stop = min(start + _TILE, cols)
        end = ops.M.shape[1] if stop == cols else (stop - 1) * sy + nk - 1
        part = ops.M[:, start * sy:end]
        got = _shift_add(part, ops.K, ops.stride, ops.out_dtype) if part.shape[1] >= nk else C[:, :0]
        C[:, start:start + got.shape[1]] = got[:, :stop - start]
    return C


@_mutant("EQ2")
def large_kernel_drops_row(M, K, *, stride=(1, 1)):
    """Kernels of 11x11 and more take a separate path whose row loop stops one row early.

    Bug class: a bug confined to an algorithm switch.  OpenCV's ``filter2D``
    switches to a DFT-based algorithm for kernels of about 11x11 and larger, so
    tests with small kernels never run that code; here the big-kernel loop runs
    ``range(m' - 1)``.
    """
    ops = validate(M, K, stride)
    if min(ops.K.shape) < 11:
        return _shift_add(ops.M, ops.K, ops.stride, ops.out_dtype)
    return _shift_add(ops.M, ops.K[:-1], ops.stride, ops.out_dtype)[
        :output_shape(ops.M.shape, ops.K.shape, ops.stride)[0]]


# --- result type ---------------------------------------------------------------------------------

@_mutant("EQ1")
def squeezes_result(M, K, *, stride=(1, 1)):
    """The result is passed through ``numpy.squeeze``, so a single output row or column loses its axis.

    Bug class: dropping singleton axes.  Wrappers that add batch and channel
    axes for a framework call strip them afterwards with ``squeeze()``, which
    also strips a genuine output axis of length one and returns a 1-D (or 0-D)
    array.
    """
    return np.squeeze(_correct(M, K, stride))


# --- complex -------------------------------------------------------------------------------------

@_mutant("EQ2", "RD2")
def conjugates_kernel(M, K, *, stride=(1, 1)):
    """Complex kernels are conjugated: the result is ``sum M * conj(K)``.

    Bug class: a different definition of correlation for complex data.
    ``scipy.signal.correlate2d`` and ``numpy.correlate`` conjugate their second
    argument (the signal-processing definition), while Eq 2 does not; real
    inputs cannot tell the two apart.
    """
    ops = validate(M, K, stride)
    return _shift_add(ops.M, np.conj(ops.K), ops.stride, ops.out_dtype)


# --- hangs and crashes ---------------------------------------------------------------------------

_PLAN_LOCK = threading.Lock()


def _contiguous_kernel(K: np.ndarray) -> np.ndarray:
    with _PLAN_LOCK:
        return np.ascontiguousarray(K)


@_mutant("IN4", claims=_FAST)
def deadlocks_on_strided_kernel(M, K, *, stride=(1, 1)):
    """A kernel that is not C-contiguous deadlocks: a helper re-acquires a lock its caller holds.

    Bug class: a hang.  Plan caches guarded by a non-reentrant lock deadlock
    when a rarely used path (here, copying a non-contiguous kernel) calls back
    into a function that takes the same lock; the call never returns.
    """
    ops = validate(M, K, stride)
    if not ops.K.flags.c_contiguous:
        with _PLAN_LOCK:
            kernel = _contiguous_kernel(ops.K)
        return _shift_add(ops.M, kernel, ops.stride, ops.out_dtype)
    return _shift_add(ops.M, ops.K, ops.stride, ops.out_dtype)


#: An address in the non-canonical hole of x86-64 (unmapped on every 64-bit platform).
_UNMAPPED = 0xFFFF_7FFF_FFFF_F000


@_mutant("IN4", claims=_FAST)
def segfaults_on_negative_strides(M, K, *, stride=(1, 1)):
    """Reading an input with a negative stride dereferences an invalid address.

    Bug class: a crash in native code.  Extensions that take ``M.ctypes.data``
    and walk ``shape * itemsize`` bytes forward assume positive strides; a
    reversed view such as ``M[::-1]`` sends them outside the buffer.  Here the
    read is made at a non-canonical address, which no process can map, so
    the crash is certain.
    """
    ops = validate(M, K, stride)
    if any(s < 0 for s in ops.M.strides + ops.K.strides):
        ctypes.string_at(_UNMAPPED, 1)
    return _shift_add(ops.M, ops.K, ops.stride, ops.out_dtype)


@_mutant("EQ1", "EQ2", "DT1", claims=_FAST)
def exits_on_float16(M, K, *, stride=(1, 1)):
    """A float16 problem ends the whole process, like a library error handler calling ``exit``.

    Bug class: a process exit inside a library.  The reference BLAS error
    handler ``XERBLA`` stops the program on a bad argument, and C libraries
    without half-precision kernels call ``exit`` or ``abort``; the caller gets
    no exception to catch.
    """
    ops = validate(M, K, stride)
    if ops.out_dtype == np.float16:
        os._exit(70)
    return _shift_add(ops.M, ops.K, ops.stride, ops.out_dtype)


def smoke_check(backend: Backend) -> bool:
    """True when ``backend`` gets the obvious test right: float64, C order, 3x3 kernel, unit stride."""
    rng = np.random.default_rng(1)
    M, K = rng.standard_normal((9, 11)), rng.standard_normal((3, 3))
    want = spec.conv2d(M, K, stride=(1, 1))
    got = np.asarray(backend(M, K, stride=(1, 1)))
    return got.shape == want.shape and got.dtype == want.dtype and bool(np.allclose(got, want))

