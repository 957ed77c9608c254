"""Correct variants: backends that compute Eq 2 in different ways and must all pass.

Each one differs from the others in how it evaluates the sum (summation order,
working precision, algorithm), so a harness that flags any of them is judging
something the specification does not require.  All validate their inputs with
:func:`convspec.spec.validation.validate` and so raise the specification's
errors.

Like :mod:`mutants`, this module imports nothing from its own package, so a
worker process can load a variant from ``path/to/variants.py:NAME``.
"""

from __future__ import annotations

import os

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from convspec import reference
from convspec.conformance.backend import Backend, Claims
from convspec.spec.shape import output_shape
from convspec.spec.validation import validate

#: Every correct variant by name.
VARIANTS: dict[str, Backend] = {}


def _variant(claims: Claims = Claims()):
    """Register the decorated function as a correct variant."""
    def wrap(fn):
        name = fn.__name__
        backend = Backend(name=name, fn=fn, claims=claims,
                          description=(fn.__doc__ or "").strip().splitlines()[0],
                          target=f"{os.path.abspath(__file__)}:{name}")
        VARIANTS[name] = backend
        return backend
    return wrap


def _taps(M: np.ndarray, K: np.ndarray, stride, dtype) -> np.ndarray:
    """Shift-and-add in ``dtype``: ``C = sum_{a,b} M[a::sx, b::sy][:m'', :n''] * K[a, b]``.

    Each output is a recursive sum of its ``m'n'`` products in (a, b) order,
    every operation rounded to ``dtype``, so AC1 holds with the output's own
    unit roundoff; integer arithmetic wraps only when the exact result does not
    fit (EX2).  IEEE arithmetic gives NF1-NF3 and keeps special values inside
    their windows (NF2).
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


@_variant(Claims(max_input_side=40, max_kernel_side=8))
def python_loops(M, K, *, stride=(1, 1)):
    """Four nested Python loops over Python numbers, rounded once to the output dtype.

    Elements become Python ints (exact), floats (float64) or complex numbers
    (complex128) through ``tolist``; each output is a float64 (or complex128)
    recursive sum, then converted to the output dtype.  For float16 and float32
    outputs the float64 sum is far more accurate than AC1 asks, and the final
    conversion adds at most one rounding of the output dtype.  Slow, so it
    claims small sizes only.
    """
    ops = validate(M, K, stride)
    (sx, sy), (mk, nk) = ops.stride, ops.K.shape
    rows, cols = output_shape(ops.M.shape, ops.K.shape, ops.stride)
    kind = ops.out_dtype.kind
    convert = int if kind in "iu" else complex if kind == "c" else float
    m = [[convert(v) for v in row] for row in ops.M.tolist()]
    k = [[convert(v) for v in row] for row in ops.K.tolist()]
    out = []
    for i in range(rows):
        line = []
        for j in range(cols):
            total = convert(0)
            for a in range(mk):
                src = m[i * sx + a]
                for b in range(nk):
                    total += src[j * sy + b] * k[a][b]
            line.append(total)
        out.append(line)
    if kind in "iu":
        return np.array(out, dtype=object).astype(ops.out_dtype).reshape(rows, cols)
    with np.errstate(all="ignore"):
        wide = np.array(out, dtype=np.complex128 if kind == "c" else np.float64).reshape(rows, cols)
        return wide.astype(ops.out_dtype)


@_variant()
def own_precision_taps(M, K, *, stride=(1, 1)):
    """Shift-and-add with every operation in the output dtype (float32 stays float32).

    One vectorised multiply-add per kernel tap; the summation order is the tap
    order (a, b), the same for every output.
    """
    ops = validate(M, K, stride)
    return _taps(ops.M, ops.K, ops.stride, ops.out_dtype)


def _has_nonfinite(x: np.ndarray) -> bool:
    return x.dtype.kind in "fc" and not bool(np.isfinite(x).all())


@_variant(Claims(accuracy="normwise"))
def fft(M, K, *, stride=(1, 1)):
    """Correlation through the FFT (``scipy.fft``), with a direct path for special values.

    ``C = IFFT(FFT(M) * FFT(flip(K)))`` on a grid of at least ``(m + m' - 1) x
    (n + n' - 1)`` points, cropped to the valid part and subsampled by the
    stride.  Real problems use ``rfft2``; the transform runs in the output's own
    precision (float32 for float32, complex64 for complex64; float16 is
    promoted to float32 by ``scipy.fft``) and the result is rounded to the
    output dtype.  The error is normwise (AC2), not componentwise: an output
    far smaller than its neighbours can lose all its digits.  Integer problems
    are summed exactly by shift-and-add, and problems holding NaN or infinities
    take the shift-and-add path too, because a transform would spread them over
    every output (NF2).  Both operands are scaled by powers of two before
    the transforms (see :func:`_normalised`) and the result scaled back.
    """
    import scipy.fft

    ops = validate(M, K, stride)
    dtype = ops.out_dtype
    if dtype.kind in "iu" or _has_nonfinite(ops.M) or _has_nonfinite(ops.K):
        return _taps(ops.M, ops.K, ops.stride, dtype)
    (m, n), (mk, nk), (sx, sy) = ops.M.shape, ops.K.shape, ops.stride
    grid = (scipy.fft.next_fast_len(m + mk - 1, real=dtype.kind != "c"),
            scipy.fft.next_fast_len(n + nk - 1, real=dtype.kind != "c"))
    work = dtype if dtype != np.float16 else np.dtype(np.float32)
    Mw, eM = _normalised(ops.M.astype(work))
    Kw, eK = _normalised(ops.K[::-1, ::-1].astype(work))
    with np.errstate(all="ignore"):
        if dtype.kind == "c":
            full = scipy.fft.ifft2(scipy.fft.fft2(Mw, grid) * scipy.fft.fft2(Kw, grid))
        else:
            full = scipy.fft.irfft2(scipy.fft.rfft2(Mw, grid) * scipy.fft.rfft2(Kw, grid), grid)
        rows, cols = output_shape(ops.M.shape, ops.K.shape, ops.stride)
        valid = full[mk - 1:mk - 1 + sx * (rows - 1) + 1:sx, nk - 1:nk - 1 + sy * (cols - 1) + 1:sy]
        return _ldexp(valid, eM + eK).astype(dtype)


def _ldexp(x: np.ndarray, e: int) -> np.ndarray:
    """``x * 2**e`` rounded once per part, for real or complex ``x``."""
    if x.dtype.kind != "c":
        return np.ldexp(x, e)
    out = np.empty_like(x)
    out.real, out.imag = np.ldexp(x.real, e), np.ldexp(x.imag, e)
    return out


def _normalised(x: np.ndarray) -> tuple[np.ndarray, int]:
    """``(x * 2**-e, e)`` with the largest magnitude of the first below one.

    The scaling is exact (apart from inputs below ``2**e`` times the smallest
    subnormal, far under the AC2 bound) and keeps every intermediate of the
    transforms, which can grow by the number of grid points, away from overflow.
    """
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    e = int(np.frexp(peak)[1]) if peak > 0 else 0
    return _ldexp(x, -e), e


@_variant()
def im2col_gemm(M, K, *, stride=(1, 1)):
    """im2col and one matrix product per block of output rows (BLAS for floating dtypes).

    The strided windows of M, seen without copying through
    ``sliding_window_view``, are flattened into a ``(rows * cols, m'n')`` patch
    matrix block by block and multiplied by the flattened kernel in the output
    dtype.  BLAS may sum in any order and with fused multiply-adds, which AC1
    covers (Higham section 3.1).  Integer products use NumPy's exact, wrapping
    integer matmul.  NumPy's float16 ``matmul`` has no BLAS path and stays in
    float16.  Problems holding NaN or infinities take the shift-and-add path:
    the reference BLAS ``?GEMV`` skips zero entries of the vector, which would
    turn ``inf * 0`` into nothing instead of NaN (NF1).
    """
    ops = validate(M, K, stride)
    dtype, (sx, sy) = ops.out_dtype, ops.stride
    if _has_nonfinite(ops.M) or _has_nonfinite(ops.K):
        return _taps(ops.M, ops.K, ops.stride, dtype)
    rows, cols = output_shape(ops.M.shape, ops.K.shape, ops.stride)
    windows = sliding_window_view(ops.M.astype(dtype, copy=False), ops.K.shape)[::sx, ::sy]
    kernel = ops.K.astype(dtype).reshape(-1)
    C = np.empty((rows, cols), dtype)
    block = max(1, 4096 // max(1, cols * ops.K.size))
    with np.errstate(all="ignore"):
        for start in range(0, rows, block):
            patches = windows[start:start + block].reshape(-1, ops.K.size)
            C[start:start + block] = (patches @ kernel).reshape(-1, cols)
    return C


@_variant()
def reference_backend(M, K, *, stride=(1, 1)):
    """convspec's own fast reference implementation, :func:`convspec.reference.conv2d`."""
    return reference.conv2d(M, K, stride=stride)
