"""Every hypothesis strategy of the suite; all inputs are built here, with numpy only.

Hypothesis draws the *structure* of an example (labelled choices: shapes,
stride, dtypes, layouts, value domain, a values seed) and numpy's generator,
seeded from the drawn ``values seed``, fills the arrays.  Shrinking therefore
makes arrays small and domains simple, while large arrays stay cheap to draw.

Geometry (Eq 1).  ``m x n`` inputs with ``1 <= m, n <= max_side``; kernels
``m' x n'`` with ``m' <= min(m, max_kernel)`` and ``n' <= min(n, max_kernel)``,
drawn in one of the modes ``any``, ``square``, ``row`` (1 x n'), ``column``
(m' x 1), ``one`` (1 x 1) and ``full`` (kernel as large as M); strides from 1 to
``max(m, n) + 2`` on each axis, so a stride may exceed the kernel and M.

Integer values (EX1, EX2).  For output dtype ``o`` and ``n = m'n'`` products,
every partial sum of Eq 2 is bounded by ``n * A * B`` where ``A = max|M|`` and
``B = max|K|``.  The generator first draws how many bits ``A`` may use (up to
the input dtype's range and to ``max(o) // n``), then takes
``B = min(max(K dtype), max(o) // (n * A))``, so ``n A B <= max(o)``: the exact
result always fits the output dtype, and the largest drawn ``A`` pushes the
result to the edge of that bound.

Float values.  ``moderate``: ``(1 + f) 2**e`` with ``|e| <= 8`` (``-4 <= e <= 3``
for float16, so sums of 16 products stay finite), random signs,
some ``+0``/``-0``; ``integral``: small integers (exact under any summation
order, for metamorphic relations); ``extreme``: exponents spread over the whole
range of the dtype, from the smallest subnormal to just below overflow, in the
sub-modes ``tiny``, ``huge``, ``full`` and ``mixed``, with signed zeros.
Special values (NF1-NF3) are NaN, ``+inf`` and ``-inf`` written over a few
elements (or one part of a complex element), often after zeroing about a third
of M and K, so that ``0 * inf`` (NaN under IEEE) occurs under the windows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from hypothesis import strategies as st

from .cases import Case

KERNEL_MODES = ("any", "square", "row", "column", "one", "full")
EXTREME_MODES = ("full", "tiny", "huge", "mixed")


@dataclass(frozen=True, eq=False)
class Example:
    """The calls of one example (one or more `Case`) and a note on what is special."""

    cases: tuple[Case, ...]
    note: str = ""

    def __repr__(self) -> str:
        inner = " + ".join(c.descriptor() for c in self.cases)
        return f"Example({inner}{'; ' + self.note if self.note else ''})"


@dataclass(frozen=True)
class Geometry:
    """Shapes and stride of one valid problem."""

    m_shape: tuple[int, int]
    k_shape: tuple[int, int]
    stride: tuple[int, int]


# --------------------------------------------------------------------------- geometry

@st.composite
def geometries(draw, max_side: int, max_kernel: int, modes: Sequence[str] = KERNEL_MODES,
               aspect: bool = False) -> Geometry:
    """A valid geometry (VA1-VA3 hold).

    ``aspect`` is for large problems: the long side is at least a third of
    ``max_side`` and the input is square, tall, wide or free in shape.
    """
    if aspect:
        shape_kind = draw(st.sampled_from(["square", "tall", "wide", "free"]), label="input shape kind")
        long = draw(st.integers(max(1, max_side // 3), max_side), label="long side")
        short = draw(st.integers(1, max(1, min(long, max_side // 8 + 1))), label="short side")
        m, n = {"square": (long, long), "tall": (long, short), "wide": (short, long),
                "free": (long, draw(st.integers(1, max_side), label="n columns"))}[shape_kind]
    else:
        m = draw(st.integers(1, max_side), label="m rows")
        n = draw(st.integers(1, max_side), label="n columns")
    mode = draw(st.sampled_from(list(modes)), label="kernel mode")
    km, kn = min(m, max_kernel), min(n, max_kernel)
    if mode == "full":
        mk, nk = km, kn  # the whole of M whenever the kernel limit allows
    elif mode == "one":
        mk, nk = 1, 1
    elif mode == "row":
        mk, nk = 1, draw(st.integers(1, kn), label="kernel columns")
    elif mode == "column":
        mk, nk = draw(st.integers(1, km), label="kernel rows"), 1
    elif mode == "square":
        side = draw(st.integers(1, min(km, kn)), label="kernel side")
        mk, nk = side, side
    else:
        mk = draw(st.integers(1, km), label="kernel rows")
        nk = draw(st.integers(1, kn), label="kernel columns")
    sx = draw(st.one_of(st.integers(1, 3), st.integers(1, m + 2)), label="stride rows")
    sy = draw(st.one_of(st.integers(1, 3), st.integers(1, n + 2)), label="stride columns")
    return Geometry((m, n), (mk, nk), (sx, sy))


# --------------------------------------------------------------------------- values

def integer_limits(dtype: np.dtype, magnitude: int) -> tuple[int, int]:
    """The value range ``[lo, hi]`` of ``dtype`` intersected with ``[-magnitude, magnitude]``."""
    info = np.iinfo(dtype)
    return max(int(info.min), -magnitude), min(int(info.max), magnitude)


def integer_magnitudes(m_dtype, k_dtype, n: int, bits: float, cap: int = 2 ** 64) -> tuple[int, int]:
    """``(A, B)`` with ``n * A * B`` within the output dtype and ``cap`` (see the module docstring).

    ``bits`` in [0, 1] says how much of the available range ``A`` uses.
    """
    out = np.result_type(m_dtype, k_dtype)
    top = min(int(np.iinfo(out).max) if out.kind in "iu" else 2 ** 62, cap)
    budget = max(top // n, 1)
    a_cap = min(int(np.iinfo(m_dtype).max), budget)
    A = max(1, min(a_cap, 2 ** round(bits * a_cap.bit_length()) - 1))
    B = max(1, min(int(np.iinfo(k_dtype).max), budget // A))
    return A, B


def integer_array(rng: np.random.Generator, shape, dtype, magnitude: int, edges: bool) -> np.ndarray:
    """Integers of ``dtype`` within ``[-magnitude, magnitude]``; ``edges`` plants the range ends and 0."""
    lo, hi = integer_limits(np.dtype(dtype), magnitude)
    x = rng.integers(lo, hi, endpoint=True, size=shape, dtype=np.dtype(dtype))
    if edges and x.size:
        picks = rng.random(shape) < 0.3
        x[picks] = rng.choice(np.array([lo, hi, 0], dtype=np.dtype(dtype)), size=int(picks.sum()))
    return x


def _real_dtype(dtype: np.dtype) -> np.dtype:
    return np.dtype(f"f{dtype.itemsize // 2}") if dtype.kind == "c" else dtype


def real_floats(rng: np.random.Generator, shape, dtype, domain: str, mode: str = "full") -> np.ndarray:
    """Real values of float ``dtype`` in ``domain`` (moderate, integral or extreme)."""
    info = np.finfo(dtype)
    if domain == "integral":
        return rng.integers(-4, 5, size=shape).astype(dtype)
    if domain == "moderate":
        low, high = (-4, 3) if info.bits == 16 else (-8, 8)
    elif mode == "tiny":
        low, high = info.minexp - info.nmant, info.minexp + 3
    elif mode == "huge":
        low, high = info.maxexp - 6, info.maxexp - 1
    else:
        low, high = info.minexp - info.nmant, info.maxexp - 1
    exponents = rng.integers(low, high, endpoint=True, size=shape)
    if domain == "extreme" and mode == "mixed":
        exponents = np.where(rng.random(shape) < 0.5, exponents, rng.integers(-3, 3, size=shape))
    signs = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    values = np.ldexp(signs * rng.uniform(1.0, 2.0, size=shape), exponents)
    zeros = rng.random(shape) < 0.1
    values = np.where(zeros, signs * 0.0, values)
    with np.errstate(over="ignore", under="ignore"):
        out = values.astype(dtype)
    return np.where(np.isinf(out), np.copysign(info.max, out), out).astype(dtype)


def float_array(rng: np.random.Generator, shape, dtype, domain: str, mode: str = "full") -> np.ndarray:
    """Real or complex values of ``dtype`` in ``domain``."""
    dtype = np.dtype(dtype)
    if dtype.kind == "c":
        part = _real_dtype(dtype)
        re = real_floats(rng, shape, part, domain, mode)
        im = real_floats(rng, shape, part, domain, mode)
        out = np.empty(shape, dtype=dtype)
        out.real, out.imag = re, im
        return out
    return real_floats(rng, shape, dtype, domain, mode)


def plant_specials(rng: np.random.Generator, x: np.ndarray, count: int) -> np.ndarray:
    """A copy of ``x`` with ``count`` elements (or complex parts) set to NaN, +inf or -inf."""
    x = x.copy()
    specials = np.array([np.nan, np.inf, -np.inf])
    for _ in range(count):
        i, j = int(rng.integers(x.shape[0])), int(rng.integers(x.shape[1]))
        value = specials[int(rng.integers(3))]
        if x.dtype.kind == "c":
            z = complex(x[i, j])
            x[i, j] = complex(value, z.imag) if rng.random() < 0.5 else complex(z.real, value)
        else:
            x[i, j] = value
    return x


def with_zeros(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """A copy of ``x`` with about a third of its elements (at least one) set to +0 or -0."""
    x = x.copy()
    picks = rng.random(x.shape) < 0.35
    picks.flat[int(rng.integers(x.size))] = True
    zero = np.zeros(1, dtype=x.dtype)
    x[picks] = zero[0]
    if x.dtype.kind == "f":
        x[picks & (rng.random(x.shape) < 0.5)] = -zero[0]
    return x


@dataclass(frozen=True)
class Domain:
    """How the values of one example are drawn (see the module docstring)."""

    floats: str = "moderate"
    mode: str = "full"
    bits: float = 0.5
    edges: bool = False
    cap: int = 2 ** 64
    """Upper bound on ``n * A * B`` (large problems keep it below 2**62 for int64 arithmetic)."""

    def arrays(self, rng: np.random.Generator, geometry: Geometry, m_dtype, k_dtype) -> tuple[np.ndarray, np.ndarray]:
        """``(M, K)`` of the given dtypes; integer parts respect the no-overflow bound."""
        m_dtype, k_dtype = np.dtype(m_dtype), np.dtype(k_dtype)
        n = geometry.k_shape[0] * geometry.k_shape[1]
        out = np.result_type(m_dtype, k_dtype)
        if m_dtype.kind in "iu" and k_dtype.kind in "iu":
            bits = self.bits if out.kind in "iu" or self.floats == "extreme" else min(self.bits, 0.35)
            A, B = integer_magnitudes(m_dtype, k_dtype, n, bits, self.cap)
            return (integer_array(rng, geometry.m_shape, m_dtype, A, self.edges),
                    integer_array(rng, geometry.k_shape, k_dtype, B, self.edges))
        def one(shape, dtype):
            if dtype.kind in "iu":
                cap = 4 if self.floats == "integral" else 2 ** (20 if self.floats != "extreme" else 62)
                return integer_array(rng, shape, dtype, cap, self.edges)
            return float_array(rng, shape, dtype, self.floats, self.mode)
        return one(geometry.m_shape, m_dtype), one(geometry.k_shape, k_dtype)


@st.composite
def domains(draw, floats: Sequence[str] = ("moderate",), cap: int = 2 ** 64) -> Domain:
    """A labelled value domain."""
    kind = draw(st.sampled_from(list(floats)), label="float domain")
    mode = draw(st.sampled_from(EXTREME_MODES), label="extreme mode") if kind == "extreme" else "full"
    bits = draw(st.sampled_from([0.5, 0.0, 0.25, 0.75, 1.0]), label="integer range (fraction of bits)")
    edges = draw(st.booleans(), label="plant range ends")
    return Domain(kind, mode, bits, edges, cap)


def seeds() -> st.SearchStrategy[int]:
    return st.integers(0, 2 ** 32 - 1)


# --------------------------------------------------------------------------- whole cases

@st.composite
def dtype_pairs(draw, same: Sequence[tuple[str, str]], mixed: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """A dtype pair for (M, K); mixed pairs are drawn about as often as shared dtypes."""
    if mixed and (not same or draw(st.booleans(), label="mixed dtypes")):
        return draw(st.sampled_from(list(mixed)), label="dtypes of M and K")
    return draw(st.sampled_from(list(same)), label="dtypes of M and K")


@st.composite
def cases(draw, pairs: st.SearchStrategy[tuple[str, str]], layouts: Sequence[str], max_side: int,
          max_kernel: int, floats: Sequence[str] = ("moderate",), modes: Sequence[str] = KERNEL_MODES,
          aspect: bool = False, specials: int = 0, cap: int = 2 ** 64) -> Case:
    """One valid case: geometry, dtype pair, layouts and values (with up to ``specials`` NaN/inf)."""
    geometry = draw(geometries(max_side, max_kernel, modes, aspect), label="geometry")
    m_dtype, k_dtype = draw(pairs, label="dtype pair")
    layout_M = draw(st.sampled_from(list(layouts)), label="layout of M")
    layout_K = draw(st.sampled_from(list(layouts)), label="layout of K")
    domain = draw(domains(floats, cap), label="values")
    rng = np.random.default_rng(draw(seeds(), label="values seed"))
    M, K = domain.arrays(rng, geometry, m_dtype, k_dtype)
    if specials:
        if draw(st.booleans(), label="zero taps (0 * inf is NaN)"):
            M, K = with_zeros(rng, M), with_zeros(rng, K)
        count_M = draw(st.integers(0, specials), label="NaN/inf in M")
        count_K = draw(st.integers(0 if count_M else 1, 1), label="NaN/inf in K")
        M = plant_specials(rng, M, count_M) if M.dtype.kind in "fc" else M
        K = plant_specials(rng, K, count_K) if K.dtype.kind in "fc" else K
    return Case(M, K, geometry.stride, (layout_M, layout_K))


def single(case_strategy: st.SearchStrategy[Case]) -> st.SearchStrategy[Example]:
    """Examples made of one call."""
    return case_strategy.map(lambda case: Example((case,)))
