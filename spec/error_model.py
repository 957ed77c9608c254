"""The floating-point error model: how far a correct implementation may be from Eq 2.

Notation: ``u`` is the unit roundoff of the output dtype (``2**-p`` for ``p``
significand bits: 2**-11, 2**-24, 2**-53), and ``gamma_k = k*u / (1 - k*u)``.

Componentwise class (AC1, AC3, AC4)
    Any summation order of ``n = m'n'`` products, including pairwise, blocked,
    im2col/GEMM and fused multiply-add, satisfies (Higham, *Accuracy and
    Stability of Numerical Algorithms*, 2nd ed., section 3.1)

        |C_hat[i, j] - C[i, j]| <= gamma_{n+c} * S[i, j] + n * eta,

    where ``S[i, j] = sum |M[i*sx+a, j*sy+b]| * |K[a, b]|``, ``c`` counts the
    inputs whose values must be rounded on conversion to the output dtype (wide
    integers), and ``eta`` is the smallest subnormal (each product underflows by
    at most half of it; sums in the subnormal range are exact).  A backend that
    flushes subnormals to zero uses ``eta = 2 * lambda`` instead, ``lambda`` the
    smallest normal number.  For complex outputs the bound is
    ``sqrt(2) * gamma_{n+c+2}`` (Higham, section 3.6) and the underflow term
    doubles.  Outputs with ``S[i, j]`` at or above the largest finite number are
    unconstrained: a correct algorithm may overflow on the way (AC4).

Normwise class (AC2), for FFT-based algorithms
    With ``N`` the number of points of the transform grid, ``L = ceil(log2 N)``,
    ``eta_F = u + gamma_4 * (sqrt(2) + u)`` the per-stage error of a radix-2
    butterfly with twiddle factors accurate to ``u`` (Higham, section 24.1) and
    ``eps = L*eta_F / (1 - L*eta_F)`` the error of one whole transform, the
    pipeline "transform M, transform K, multiply pointwise, transform back"
    satisfies

        ||C_hat - C||_F <= beta * ||M||_F * ||K||_F,
        beta = (1 + u) * sqrt(N) * ((1 + eps) * (2*eps + eps**2 + g * (1 + eps)**2) + eps)
               + u * sqrt(m'n'),

    ``g = sqrt(2) * gamma_2`` the error of one complex multiplication; the last
    term is the final rounding to the output dtype.  The derivation is in the
    documentation's error-model page.  We take ``N = 4 (m + m') (n + n')``, which
    covers padding each axis to any length up to twice the full size.

Every quantity is computed as an upper bound: exact rationals where possible,
and float64 arithmetic inflated by explicit factors elsewhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

_U64 = 2.0 ** -53


def real_dtype(dtype) -> np.dtype:
    """The real component dtype of a floating or complex dtype."""
    dtype = np.dtype(dtype)
    return np.dtype(f"f{dtype.itemsize // 2}") if dtype.kind == "c" else dtype


def unit_roundoff(dtype) -> Fraction:
    """``u = 2**-p`` for the output dtype's significand of ``p`` bits."""
    return Fraction(1, 2 ** (np.finfo(real_dtype(dtype)).nmant + 1))


def smallest_subnormal(dtype) -> Fraction:
    info = np.finfo(real_dtype(dtype))
    return Fraction(2) ** (info.minexp - info.nmant)


def smallest_normal(dtype) -> Fraction:
    return Fraction(2) ** np.finfo(real_dtype(dtype)).minexp


def gamma(k: int, u: Fraction) -> Fraction:
    """``gamma_k = k u / (1 - k u)``; infinite when ``k u >= 1``."""
    if k * u >= 1:
        return Fraction(10) ** 400  # effectively unbounded, still a Fraction
    return k * u / (1 - k * u)


def _up(x: Fraction | float) -> float:
    """A float64 not below ``x``."""
    value = float(x) if not isinstance(x, Fraction) or x < Fraction(10) ** 300 else math.inf
    return float(np.nextafter(value, math.inf))


def inexact_conversions(m_dtype, k_dtype, out_dtype, *more) -> int:
    """How many inputs may lose value on conversion to a floating output dtype."""
    out = real_dtype(out_dtype)
    precision = np.finfo(out).nmant + 1
    count = 0
    for dtype in (np.dtype(m_dtype), np.dtype(k_dtype), *(np.dtype(d) for d in more)):
        if dtype.kind in "iu" and dtype.itemsize * 8 - (dtype.kind == "i") > precision:
            count += 1
    return count


@dataclass(frozen=True)
class Componentwise:
    """Coefficients of the AC1 bound ``relative * S + absolute`` for one problem."""

    relative: float
    absolute: float
    overflow: float

    @classmethod
    def for_problem(cls, k_shape, m_dtype, k_dtype, out_dtype,
                    flushes_subnormals: bool = False) -> "Componentwise":
        n = int(k_shape[0]) * int(k_shape[1])
        return cls.for_terms(n, (m_dtype, k_dtype), out_dtype, flushes_subnormals)

    @classmethod
    def for_terms(cls, n: int, in_dtypes, out_dtype,
                  flushes_subnormals: bool = False) -> "Componentwise":
        """The bound for sums of ``n`` products whose factors have ``in_dtypes``."""
        out = np.dtype(out_dtype)
        u = unit_roundoff(out)
        k = n + inexact_conversions(in_dtypes[0], in_dtypes[1], out, *in_dtypes[2:])
        tiny = 2 * smallest_normal(out) if flushes_subnormals else smallest_subnormal(out)  # checks: AC3
        if out.kind == "c":
            relative = _up(math.sqrt(2) * (1 + 2 * _U64)) * _up(gamma(k + 2, u))  # checks: AC1
            absolute = _up(2 * n * tiny)
        else:
            relative = _up(gamma(k, u))  # checks: AC1
            absolute = _up(n * tiny)
        return cls(relative, absolute, float(np.finfo(real_dtype(out)).max))


def _abs64(x: np.ndarray) -> np.ndarray:
    return np.abs(x.astype(np.complex128 if x.dtype.kind == "c" else np.float64))


def window_sums(values: np.ndarray, K_abs: np.ndarray, stride) -> np.ndarray:
    """Shift-and-add ``sum_{a,b} values[i*sx+a, j*sy+b] * K_abs[a, b]`` in float64."""
    (sx, sy), (mk, nk) = stride, K_abs.shape
    rows = (values.shape[0] - mk) // sx + 1
    cols = (values.shape[1] - nk) // sy + 1
    total = np.zeros((rows, cols))
    with np.errstate(over="ignore", invalid="ignore"):
        for a in range(mk):
            for b in range(nk):
                if K_abs[a, b] == 0:
                    continue  # contributes exactly 0, even where |M| overflowed to inf
                total += values[a:a + sx * (rows - 1) + 1:sx, b:b + sy * (cols - 1) + 1:sy] * K_abs[a, b]
    return total


def window_abs_sums(M: np.ndarray, K: np.ndarray, stride) -> np.ndarray:
    """An upper bound of ``S[i, j] = sum |M| |K|`` over each window (finite inputs)."""
    n = K.size
    raw = window_sums(_abs64(M), _abs64(K), stride)
    inflate = 1 + 4 * float(gamma(n + 2, Fraction(1, 2 ** 53)))
    with np.errstate(over="ignore"):
        return raw * inflate + n * 2.0 ** -1074 * 4


def nonfinite_windows(M: np.ndarray, K: np.ndarray, stride) -> np.ndarray:
    """True where the window of an output holds a NaN or infinity of M or K."""
    bad_M = (~np.isfinite(M)).astype(np.float64)
    counts = window_sums(bad_M, np.ones(K.shape), stride)
    return (counts > 0) | bool((~np.isfinite(K)).any())


def componentwise_bound(M: np.ndarray, K: np.ndarray, stride, out_dtype,
                        flushes_subnormals: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The AC1 bound for every output, and the AC4 mask of unconstrained outputs.

    Outputs whose windows hold NaN or an infinity are marked unconstrained here;
    clauses NF1-NF3 judge them instead.
    """
    model = Componentwise.for_problem(K.shape, M.dtype, K.dtype, out_dtype, flushes_subnormals)
    with np.errstate(all="ignore"):
        S = window_abs_sums(np.where(np.isfinite(M), M, 0), np.where(np.isfinite(K), K, 0), stride)
        bound = (model.relative * S + model.absolute) * (1 + 4 * _U64)
    unconstrained = (S >= model.overflow) | nonfinite_windows(M, K, stride)  # checks: AC4
    return bound, unconstrained


def normwise_beta(m_shape, k_shape, out_dtype) -> float:
    """``beta`` of the AC2 bound for a problem of these shapes."""
    u = unit_roundoff(out_dtype)
    (m, n), (mk, nk) = m_shape, k_shape
    N = 4 * (m + mk) * (n + nk)
    L = math.ceil(math.log2(N))
    eta_f = u + gamma(4, u) * (Fraction(math.sqrt(2)) * (1 + 2 * Fraction(1, 2 ** 53)) + u)
    if L * eta_f >= 1:
        return math.inf
    eps = L * eta_f / (1 - L * eta_f)
    g = Fraction(math.sqrt(2)) * (1 + 2 * Fraction(1, 2 ** 53)) * gamma(2, u)
    inner = (1 + eps) * (2 * eps + eps ** 2 + g * (1 + eps) ** 2) + eps
    return _up((1 + u) * Fraction(_up(math.sqrt(N))) * inner + u * Fraction(_up(math.sqrt(mk * nk))))  # checks: AC2


def frobenius(x: np.ndarray) -> float:
    """``||x||_F`` without underflow or overflow in the squares: scaled by ``max |x|``."""
    scale = float(np.max(x)) if x.size else 0.0
    if scale == 0 or not math.isfinite(scale):
        return scale
    return scale * float(np.linalg.norm(x / scale))


def normwise_bound(M: np.ndarray, K: np.ndarray, stride, out_dtype,
                   flushes_subnormals: bool = False) -> tuple[float, np.ndarray]:
    """The AC2 bound on ``||C_hat - C||_F`` over the outputs with finite windows, and those with others.

    The bound is ``beta * ||M||_F * ||K||_F`` plus the underflow term
    ``n * eta * sqrt(m''n'')``, non-finite inputs counting as 0; it is
    ``inf`` (no constraint, AC4) when the norms' product overflows the output dtype.
    """
    skip = nonfinite_windows(M, K, stride)
    beta = normwise_beta(M.shape, K.shape, out_dtype)
    tiny = 2 * smallest_normal(out_dtype) if flushes_subnormals else smallest_subnormal(out_dtype)
    outputs = skip.size
    with np.errstate(all="ignore"):
        norm_M = frobenius(_abs64(np.where(np.isfinite(M), M, 0))) * (1 + 4 * _U64 * math.sqrt(M.size))
        norm_K = frobenius(_abs64(np.where(np.isfinite(K), K, 0))) * (1 + 4 * _U64 * math.sqrt(K.size))
        # beta * (norm_M * norm_K): the other order underflows for tiny operands
        bound = (beta * (norm_M * norm_K) + _up(K.size * tiny) * math.sqrt(outputs)) * (1 + 8 * _U64)  # checks: AC2
    if not math.isfinite(bound) or norm_M * norm_K >= float(np.finfo(real_dtype(out_dtype)).max):
        bound = math.inf  # checks: AC4
    return float(bound), skip


def expected_wide(exact: np.ndarray) -> np.ndarray:
    """Exact values (from `convspec.spec.exact_values`) rounded once to 64-bit parts.

    The result is float64, or complex128 when any value is complex; special
    values (already floats) pass through.
    """
    from .exact import ExactComplex
    from .rounding import round_to_float

    f64 = np.dtype(np.float64)
    is_complex = any(isinstance(v, (ExactComplex, complex)) for v in exact.flat)
    out = np.empty(exact.shape, dtype=np.complex128 if is_complex else np.float64)
    for idx, v in np.ndenumerate(exact):
        if isinstance(v, ExactComplex):
            out[idx] = complex(round_to_float(v.re, f64), round_to_float(v.im, f64))
        elif isinstance(v, (float, complex)):
            out[idx] = v
        else:
            out[idx] = round_to_float(Fraction(v), f64)
    return out


def exact_residual(exact: np.ndarray, wide: np.ndarray) -> np.ndarray:
    """``c - expected_wide(c)`` for every exact value, rounded to 64-bit parts.

    Zero for special values and where the exact value overflows 64 bits.  Together with `expected_wide` it forms a
    double-length representation of the exact result.
    """
    from .exact import ExactComplex
    from .rounding import round_to_float

    f64 = np.dtype(np.float64)
    out = np.zeros(exact.shape, dtype=wide.dtype)
    for idx, v in np.ndenumerate(exact):
        w = wide[idx]
        if not np.isfinite(w):
            continue  # the exact value overflows 64 bits: no remainder to keep
        if isinstance(v, ExactComplex):
            out[idx] = complex(round_to_float(v.re - Fraction(w.real), f64),
                               round_to_float(v.im - Fraction(w.imag), f64))
        elif not isinstance(v, (float, complex)):
            exact_v = Fraction(int(v)) if isinstance(v, np.integer) else Fraction(v)  # Python ints inside
            out[idx] = round_to_float(exact_v - Fraction(float(w.real)), f64)
    return out


# --------------------------------------------------------------------------- the layer

def _group_matmul(p, Xp: np.ndarray, Wv: np.ndarray) -> np.ndarray:
    """``sum over taps and channels of Xp * Wv`` per output, in float64 (CV-EQ1's sum, no bias)."""
    N, g = p.batch, p.groups
    Cg, Og = p.in_per_group, p.out_per_group
    spatial = p.geometry.out_shape
    P = int(np.prod(spatial))
    total = np.zeros((N, g, Og, P))
    if total.size == 0 or Cg == 0:
        return total.reshape(p.out_shape)
    for tap in p.geometry.taps():
        cols = Xp[(slice(None), slice(None), *p.geometry.tap_slices(tap))].reshape(N, g, Cg, P)
        weights = Wv[(slice(None), slice(None), *tap)].reshape(g, Og, Cg)
        with np.errstate(over="ignore", invalid="ignore"):
            total += np.einsum("goc,ngcp->ngop", weights, cols)
    return total.reshape(p.out_shape)


def layer_abs_sums(p) -> np.ndarray:
    """An upper bound of ``S = |B[o]| + sum |Xp| |W|`` over each output's terms (CV-AC1).

    Non-finite inputs count as 0 here (their outputs are judged by CV-NF1).
    """
    Xa = _abs64(np.where(np.isfinite(p.X), p.X, 0))
    Wa = _abs64(np.where(np.isfinite(p.W), p.W, 0))
    raw = _group_matmul(p, p.geometry.pad(Xa), Wa)
    if p.B is not None:
        Ba = _abs64(np.where(np.isfinite(p.B), p.B, 0))
        raw = raw + Ba.reshape((1, -1) + (1,) * p.rank)
    inflate = 1 + 4 * float(gamma(p.terms + 2, Fraction(1, 2 ** 53)))
    with np.errstate(over="ignore"):
        return raw * inflate + p.terms * 2.0 ** -1074 * 4


def layer_nonfinite(p) -> np.ndarray:
    """True where an output's terms hold a NaN or an infinity of X, W or B (CV-NF2)."""
    bad_X = (~np.isfinite(p.X)).astype(np.float64)
    hits = _group_matmul(p, p.geometry.pad(bad_X), np.ones(p.W.shape)) > 0
    per_channel = ~np.isfinite(p.W).reshape(p.out_channels, -1).all(axis=1)
    if p.B is not None:
        per_channel |= ~np.isfinite(p.B)
    return hits | per_channel.reshape((1, -1) + (1,) * p.rank)


def layer_bound(p, flushes_subnormals: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The CV-AC1 bound of every output of ``p``, and the mask of unconstrained outputs."""
    dtypes = [p.X.dtype, p.W.dtype] + ([p.B.dtype] if p.B is not None else [])
    model = Componentwise.for_terms(p.terms, dtypes, p.out_dtype, flushes_subnormals)  # checks: CV-AC1
    with np.errstate(all="ignore"):
        S = layer_abs_sums(p)
        bound = (model.relative * S + model.absolute) * (1 + 4 * _U64)
    return bound, (S >= model.overflow) | layer_nonfinite(p)


def layer_normwise_beta(p) -> float:
    """``beta`` of the CV-AC2 bound for the layer problem ``p`` (derivation on the error-model page).

    Per output block ``(n, o)`` the exact result is ``B[o] + sum_c Z_c``, ``Z_c``
    the correlation of input channel ``c`` with ``W[o, c]``, over the ``C/g``
    channels of the group.  Two pipelines are covered: transforming and
    correlating each channel, then summing the channels (and the bias) in the
    output's precision; or summing the pointwise products of the channels in
    the frequency domain before one inverse transform.  With ``N`` the grid
    (twice the full linear size on every axis, of the input with its positive
    padding), ``T`` the kernel's taps, ``eps``, ``eta_F`` and ``g`` as for AC2::

        delta  = 2 eps + eps**2 + g (1 + eps)**2 + gamma_{C/g} (1 + eps)**2 (1 + g)
        beta_F = (1 + u) sqrt(N) ((1 + eps) delta + eps) + u sqrt(T)
        beta   = beta_F + gamma_{C/g+1} (sqrt(T) + beta_F)

    ``beta_F`` bounds the frequency-domain sum; the channel-by-channel sum is
    at most ``beta_F + gamma_{C/g} (sqrt(T) + beta_F)``, since each channel's
    result is within the AC2 bound and ``||Z_c|| <= sqrt(T) ||X_c|| ||W_c||``.
    """
    u = unit_roundoff(p.out_dtype)
    N = 1
    for axis in p.geometry.axes:
        N *= 2 * (axis.size + max(axis.lo, 0) + max(axis.hi, 0) + axis.k_eff)
    T = max(int(np.prod(p.geometry.kernel_shape)), 1)
    cg = max(p.in_per_group, 1)
    L = max(math.ceil(math.log2(N)), 1)
    root2 = Fraction(math.sqrt(2)) * (1 + 2 * Fraction(1, 2 ** 53))
    eta_f = u + gamma(4, u) * (root2 + u)
    if L * eta_f >= 1 or (cg + 1) * u >= 1:
        return math.inf
    eps = L * eta_f / (1 - L * eta_f)
    g = root2 * gamma(2, u)
    delta = 2 * eps + eps ** 2 + g * (1 + eps) ** 2 + gamma(cg, u) * (1 + eps) ** 2 * (1 + g)
    root_T = Fraction(_up(math.sqrt(T)))
    beta_f = (1 + u) * Fraction(_up(math.sqrt(N))) * ((1 + eps) * delta + eps) + u * root_T
    return _up(beta_f + gamma(cg + 1, u) * (root_T + beta_f))  # checks: CV-AC2


def layer_normwise_bound(p, flushes_subnormals: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The CV-AC2 bound on ``||Y_hat[n, o] - Y[n, o]||_F`` for every ``(n, o)``, and the outputs it skips.

    The bound is ``beta * sum_c ||X[n, c]||_F ||W[o, c]||_F`` over the group's
    channels, plus ``gamma_{C/g+1} sqrt(P) |B[o]|`` for the bias and one
    underflow term ``eta`` per term and output (``P`` outputs per block), over
    the outputs whose terms are finite (the skipped ones are CV-NF1's); a block
    whose norms overflow the output dtype is unconstrained (``inf``).
    """
    skip = layer_nonfinite(p)
    N, O, g = p.batch, p.out_channels, p.groups
    Cg, Og = p.in_per_group, p.out_per_group
    out = p.out_dtype
    u = unit_roundoff(out)
    P = int(np.prod(p.geometry.out_shape))
    tiny = 2 * smallest_normal(out) if flushes_subnormals else smallest_subnormal(out)
    beta = layer_normwise_beta(p)
    with np.errstate(all="ignore"):
        nX = _block_norms(p.X.reshape(N, g, Cg, int(np.prod(p.X.shape[2:]))))  # (N, g, Cg)
        nW = _block_norms(p.W.reshape(g, Og, Cg, int(np.prod(p.W.shape[2:]))))  # (g, Og, Cg)
        sigma = np.einsum("ngc,goc->ngo", nX, nW).reshape(N, O) * (1 + 2 * Cg * _U64)
        bias = 0.0 if p.B is None else _abs64(np.where(np.isfinite(p.B), p.B, 0)).reshape(1, O)
        terms = p.terms + (1 if p.B is not None else 0)
        bound = (beta * sigma + _up(gamma(Cg + 1, u)) * math.sqrt(P) * bias
                 + _up(terms * tiny) * math.sqrt(P)) * (1 + 8 * _U64)  # checks: CV-AC2
    bound = np.where(np.isfinite(bound) & (sigma < float(np.finfo(real_dtype(out)).max)), bound, np.inf)
    return np.broadcast_to(bound, (N, O)).copy(), skip


def _block_norms(x: np.ndarray) -> np.ndarray:
    """``||x[..., :]||_F`` over the last axis (finite values only), scaled against overflow, rounded up."""
    a = _abs64(np.where(np.isfinite(x), x, 0))
    if a.shape[-1] == 0:
        return np.zeros(a.shape[:-1])
    scale = a.max(axis=-1, keepdims=True)
    safe = np.where(scale > 0, scale, 1.0)
    norms = scale[..., 0] * np.sqrt(np.sum((a / safe) ** 2, axis=-1))
    return norms * (1 + 4 * _U64 * math.sqrt(a.shape[-1]))


# --------------------------------------------------------------------------- gradients and transposition
#
# Every element e of dX, dW, dB and the transposed convolution is a sum of n[e]
# products (its own term count, from the problem's `term_counts`), so the AC1
# argument applies element by element:
#
#     |computed[e] - exact[e]| <= gamma_{n[e]+c} * S[e] + n[e] * eta,
#
# S[e] the sum of |terms|.  S is the operation itself applied to |operands| in
# float64: a sum of n non-negative float64 products is within gamma_n(2**-53) of
# its value, and each product underflows by less than 2**-1074, so
# S_64 * (1 + 4 gamma_{n+2}(2**-53)) + 4 n 2**-1074 is not below S.  Terms an
# algorithm adds that are exact zeros (the zeros a zero-insertion transposed
# convolution multiplies) round nothing, so n counts only the real terms.

def _model(n: int, dtypes, out_dtype, flushes_subnormals: bool) -> Componentwise:
    """`Componentwise.for_terms` for ``n`` terms whose factors have ``dtypes`` (a bias among them).

    A third dtype (a bias) that may round on conversion adds one to the count.
    """
    first, second, *rest = dtypes
    extra = sum(inexact_conversions(d, d, out_dtype) // 2 for d in rest)
    return Componentwise.for_terms(n + extra, (first, second), out_dtype, flushes_subnormals)


def _elementwise_bound(S: np.ndarray, counts: np.ndarray, dtypes, out_dtype,
                       flushes_subnormals: bool) -> tuple[np.ndarray, float]:
    """``gamma_{n[e]+c} * S[e] + n[e] * eta`` per element, and the overflow threshold."""
    bound = np.zeros(S.shape)
    overflow = float(np.finfo(real_dtype(out_dtype)).max)
    with np.errstate(all="ignore"):
        for n in np.unique(counts):
            model = _model(int(n), dtypes, out_dtype, flushes_subnormals)
            where = counts == n
            bound[where] = (model.relative * S[where] + model.absolute) * (1 + 4 * _U64)
    return bound, overflow


def _inflate(raw: np.ndarray, n: int) -> np.ndarray:
    """An upper bound of the exact sum from its float64 value over at most ``n`` non-negative terms."""
    with np.errstate(over="ignore"):
        return raw * (1 + 4 * float(gamma(n + 2, Fraction(1, 2 ** 53)))) + n * 2.0 ** -1074 * 4


def _finite_abs(x: np.ndarray) -> np.ndarray:
    return _abs64(np.where(np.isfinite(x), x, 0))


def scatter_taps(geo, dY: np.ndarray, W: np.ndarray, groups: int, counts, spatial,
                 dtype=np.float64) -> np.ndarray:
    """``dX[n, c, u] = Σ dY[n, o, j] W[o, c', a]`` over ``j·s + a·d − lo = u``, ``j < counts``.

    ``dY`` has shape ``(N, O, *counts)``, ``W`` ``(O, C/g, *K)``; the result
    ``(N, C, *spatial)``.  Scattered into the padded length, then `Geometry.unpad`.
    Accumulated in ``dtype`` (float64; int64 or object for exact integer sums).
    """
    N, O = dY.shape[:2]
    Og, Cg = O // groups, W.shape[1]
    P = int(np.prod(counts))
    padded = tuple(max(ax.lo + size + ax.hi, 0) for ax, size in zip(geo.axes, spatial))
    acc = np.zeros((N, groups, Cg, *padded), dtype=dtype)
    dy = dY.reshape(N, groups, Og, P)
    if acc.size and P and Og:
        for tap in geo.taps():
            w = W[(slice(None), slice(None), *tap)].reshape(groups, Og, Cg)
            with np.errstate(over="ignore", invalid="ignore"):
                part = np.einsum("ngop,goc->ngcp", dy, w).reshape(N, groups, Cg, *counts)
            acc[(slice(None), slice(None), slice(None), *geo.tap_slices(tap, counts))] += part
    return geo.unpad(acc.reshape(N, groups * Cg, *padded), spatial)


def gather_taps(geo, Xp: np.ndarray, dY: np.ndarray, groups: int, dtype=np.float64) -> np.ndarray:
    """``dW[o, c, a] = Σ_{n, j} dY[n, o, j] Xp[n, g·C/g + c, j·s + a·d]``, shape (O, C/g, *K), in ``dtype``."""
    N, C = Xp.shape[:2]
    O = dY.shape[1]
    Og, Cg = O // groups, C // groups
    P = int(np.prod(geo.out_shape))
    out = np.zeros((groups, Og, Cg, *geo.kernel_shape), dtype=dtype)
    dy = dY.reshape(N, groups, Og, P)
    if out.size and N and P:
        for tap in geo.taps():
            cols = Xp[(slice(None), slice(None), *geo.tap_slices(tap))].reshape(N, groups, Cg, P)
            with np.errstate(over="ignore", invalid="ignore"):
                out[(slice(None), slice(None), slice(None), *tap)] = np.einsum("ngop,ngcp->goc", dy, cols)
    return out.reshape(O, Cg, *geo.kernel_shape)


def _bad(x: np.ndarray) -> np.ndarray:
    return (~np.isfinite(x)).astype(np.float64)


def input_grad_nonfinite(p) -> np.ndarray:
    """True where a ``dX`` element's terms hold NaN or an infinity of dY or W (DX-NF1)."""
    geo = p.geometry
    args = (p.forward.groups, geo.out_shape, p.out_shape[2:])
    return (scatter_taps(geo, _bad(p.dY), np.ones(p.W.shape), *args)
            + scatter_taps(geo, np.ones(p.dY.shape), _bad(p.W), *args)) > 0


def weight_grad_nonfinite(p) -> np.ndarray:
    """True where a ``dW`` element's terms hold NaN or an infinity of X or dY (DW-NF1, DW-PD1)."""
    f, geo = p.forward, p.geometry
    bad_X = geo.pad(_bad(p.X))
    padded_ones = np.ones(bad_X.shape)  # a padding zero is a term too (DW-PD1)
    return (gather_taps(geo, bad_X, np.ones(p.dY.shape), f.groups)
            + gather_taps(geo, padded_ones, _bad(p.dY), f.groups)) > 0


def bias_grad_nonfinite(p) -> np.ndarray:
    """True where a ``dB`` element's terms hold NaN or an infinity (DB-RD1)."""
    return _bad(p.dY).sum(axis=(0, *range(2, p.dY.ndim))) > 0


def transpose_nonfinite(p) -> np.ndarray:
    """True where a transposed-convolution output's terms hold NaN or an infinity (TC-NF1)."""
    geo, spatial = p.geometry, p.out_shape[2:]
    args = (p.groups, p.spatial_in, spatial)
    bad = (scatter_taps(geo, _bad(p.X), np.ones(p.W.shape), *args)
           + scatter_taps(geo, np.ones(p.X.shape), _bad(p.W), *args)) > 0
    if p.B is not None:
        bad = bad | (_bad(p.B).reshape((1, -1) + (1,) * len(spatial)) > 0)
    return bad


def input_grad_bound(p, flushes_subnormals: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The DX-AC1 bound of every ``dX`` element of ``p``, and the mask of unconstrained elements.

    Elements whose terms hold NaN or an infinity are unconstrained here (DX-NF1 judges them).
    """
    geo, groups = p.geometry, p.forward.groups
    args = (groups, geo.out_shape, p.out_shape[2:])
    S = _inflate(scatter_taps(geo, _finite_abs(p.dY), _finite_abs(p.W), *args), p.terms)
    bound, overflow = _elementwise_bound(S, p.term_counts(), (p.dY.dtype, p.W.dtype), p.out_dtype,
                                         flushes_subnormals)  # checks: DX-AC1
    return bound, (S >= overflow) | input_grad_nonfinite(p)


def weight_grad_bound(p, flushes_subnormals: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The DW-AC1 bound of every ``dW`` element of ``p``, and the mask of unconstrained elements."""
    f, geo = p.forward, p.geometry
    Xa = geo.pad(_finite_abs(p.X))
    S = _inflate(gather_taps(geo, Xa, _finite_abs(p.dY), f.groups), p.terms)
    bound, overflow = _elementwise_bound(S, p.term_counts(), (p.X.dtype, p.dY.dtype), p.out_dtype,
                                         flushes_subnormals)  # checks: DW-AC1
    return bound, (S >= overflow) | weight_grad_nonfinite(p)


def bias_grad_bound(p, flushes_subnormals: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The DB-AC1 bound of every ``dB`` element of ``p``, and the mask of unconstrained elements."""
    axes = (0, *range(2, p.dY.ndim))
    S = _inflate(_finite_abs(p.dY).sum(axis=axes), p.terms)
    bound, overflow = _elementwise_bound(S, p.term_counts(), (p.dY.dtype, p.dY.dtype), p.out_dtype,
                                         flushes_subnormals)  # checks: DB-AC1
    return bound, (S >= overflow) | bias_grad_nonfinite(p)


def transpose_bound(p, flushes_subnormals: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The TC-AC1 bound of every output of ``p``, and the mask of unconstrained outputs."""
    geo, spatial = p.geometry, p.out_shape[2:]
    args = (p.groups, p.spatial_in, spatial)
    raw = scatter_taps(geo, _finite_abs(p.X), _finite_abs(p.W), *args)
    dtypes = [p.X.dtype, p.W.dtype]
    if p.B is not None:
        raw = raw + _finite_abs(p.B).reshape((1, -1) + (1,) * len(spatial))
        dtypes.append(p.B.dtype)
    S = _inflate(raw, p.terms)
    bound, overflow = _elementwise_bound(S, p.term_counts(), dtypes, p.out_dtype,
                                         flushes_subnormals)  # checks: TC-AC1
    return bound, (S >= overflow) | transpose_nonfinite(p)
