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

from dataclasses import dataclass, replace
from typing import Any, Sequence

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


# --------------------------------------------------------------------------- the layer
#
# Problems of ``conv(X, W, B, *, stride, padding, dilation, groups)`` are drawn
# in dependency order: spatial rank, groups, channels per group (so C and O are
# multiples of groups), batch, kernel, dilation, padding form and pads, the
# spatial sizes (chosen so that the output is not empty unless an empty output
# is drawn on purpose), a stride that is sometimes larger than the window, and
# the bias.  Small arrays take their values from hypothesis itself, so that a
# counterexample shrinks toward small, simple values; large ones (`LayerSpec.fill`)
# from a generator seeded by a drawn seed.

from hypothesis.extra import numpy as hnp

from .cases import LayerCase


@dataclass(frozen=True)
class LayerFeatures:
    """The layer features a strategy may use (from the claims)."""

    ranks: tuple[int, ...] = (1, 2, 3)
    padding: frozenset[str] = frozenset({"explicit", "negative", "asymmetric", "VALID",
                                         "SAME_UPPER", "SAME_LOWER"})
    dilation: bool = True
    groups: bool = True
    bias: bool = True
    empty_outputs: bool = False
    zero_size: bool = False
    remainder: bool = False
    """Draw, on purpose, an axis with remainder rows: ``(padded − k_eff) mod s > 0`` (the gradients)."""

    @classmethod
    def from_claims(cls, claims, empty: bool = False) -> "LayerFeatures":
        return cls(tuple(claims.ranks), frozenset(claims.padding), claims.dilation, claims.groups,
                   claims.bias, empty and claims.empty_outputs, empty and claims.zero_size)


@dataclass(frozen=True)
class LayerSpec:
    """The structure of one layer problem (no values)."""

    batch: int
    in_channels: int
    out_channels: int
    spatial: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: Any
    dilation: tuple[int, ...]
    groups: int
    bias: bool

    @property
    def x_shape(self) -> tuple[int, ...]:
        return (self.batch, self.in_channels, *self.spatial)

    @property
    def w_shape(self) -> tuple[int, ...]:
        return (self.out_channels, self.in_channels // self.groups, *self.kernel)

    @property
    def terms(self) -> int:
        return (self.in_channels // self.groups) * int(np.prod(self.kernel)) + self.bias


def _padding_forms(features: LayerFeatures) -> list[str]:
    order = ["explicit", "VALID", "SAME_UPPER", "SAME_LOWER", "negative", "asymmetric"]
    return [form for form in order if form in features.padding] or ["VALID"]


@st.composite
def layer_specs(draw, features: LayerFeatures, max_side: int = 7, max_kernel: int = 3,
                max_channels: int = 3, max_batch: int = 2) -> LayerSpec:
    """A valid layer problem's structure, drawn in dependency order (see above)."""
    rank = draw(st.sampled_from(sorted(features.ranks)), label="spatial rank")
    groups = draw(st.sampled_from([1, 2, 3]) if features.groups else st.just(1), label="groups")
    low = 0 if features.zero_size else 1
    cg = draw(st.integers(low, max_channels), label="input channels per group")
    og = draw(st.integers(1, max_channels), label="output channels per group")
    batch = draw(st.integers(low, max_batch), label="batch")
    kernel = tuple(draw(st.integers(1, max_kernel), label=f"kernel extent {t}") for t in range(rank))
    dilation = tuple(draw(st.integers(1, 3) if features.dilation else st.just(1), label=f"dilation {t}")
                     for t in range(rank))
    form = draw(st.sampled_from(_padding_forms(features)), label="padding form")
    pads: list[tuple[int, int]] = []
    for t in range(rank):
        if form == "explicit":
            p = draw(st.integers(0, 2), label=f"pad {t}")
            pads.append((p, p))
        elif form == "asymmetric":
            pads.append((draw(st.integers(0, 3), label=f"pad lo {t}"), draw(st.integers(0, 3), label=f"pad hi {t}")))
        elif form == "negative":
            pads.append((draw(st.integers(-2, 2), label=f"pad lo {t}"), draw(st.integers(-2, 2), label=f"pad hi {t}")))
        else:
            pads.append((0, 0))
    if form == "negative" and all(lo >= 0 and hi >= 0 for lo, hi in pads):
        pads[0] = (-1, pads[0][1])
    empty = features.empty_outputs and draw(st.booleans(), label="empty output on purpose")
    spatial = []
    for t in range(rank):
        k_eff = (kernel[t] - 1) * dilation[t] + 1
        lo, hi = pads[t] if form in ("explicit", "asymmetric", "negative") else (0, 0)
        need = max(low, k_eff - lo - hi, 1 - lo - hi, 1 if form in ("SAME_UPPER", "SAME_LOWER", "VALID") else 0)
        if form == "VALID":
            need = max(need, k_eff)
        if empty and t == 0:
            spatial.append(draw(st.integers(max(low, 0), max(low, need - 1)), label=f"size {t} (empty output)"))
        else:
            spatial.append(need + draw(st.integers(0, max_side), label=f"size {t} beyond the window"))
    stride = tuple(draw(st.one_of(st.integers(1, 3), st.integers(1, (kernel[t] - 1) * dilation[t] + 3)),
                        label=f"stride {t}") for t in range(rank))
    if features.remainder and draw(st.booleans(), label="remainder rows on purpose"):
        t = draw(st.integers(0, rank - 1), label="remainder axis")
        stride = tuple(max(s, 2) if u == t else s for u, s in enumerate(stride))
        lo, hi = pads[t] if form in ("explicit", "asymmetric", "negative") else (0, 0)
        past = spatial[t] + lo + hi - ((kernel[t] - 1) * dilation[t] + 1)
        want = draw(st.integers(1, stride[t] - 1), label="remainder rows")
        spatial[t] += (want - past) % stride[t]
    padding = form if form in ("VALID", "SAME_UPPER", "SAME_LOWER") else tuple(pads)
    bias = features.bias and draw(st.booleans(), label="bias")
    return LayerSpec(batch, cg * groups, og * groups, tuple(spatial), kernel, stride, padding, dilation,
                     groups, bias)


def _small_elements(dtype: np.dtype, magnitude: int, floats: str) -> st.SearchStrategy:
    """Hypothesis elements of ``dtype``: integers within ``magnitude``, or moderate / integral floats."""
    if dtype.kind in "iu":
        lo, hi = integer_limits(dtype, magnitude)
        return st.integers(lo, hi)
    part = _real_dtype(dtype)
    width = 8 * part.itemsize
    if floats == "integral":
        real = st.integers(-4, 4).map(float)
    else:
        top = 8.0 if width == 16 else 256.0
        real = st.one_of(st.integers(-4, 4).map(float),
                         st.floats(-top, top, width=width, allow_subnormal=False))
    if dtype.kind == "c":
        return st.builds(complex, real, real)
    return real


def layer_arrays(draw, spec: LayerSpec, dtypes: tuple[str, str, str], floats: str = "moderate",
                 bits: float = 0.5):
    """``(X, W, B)`` for ``spec`` with values from hypothesis; integer sums never overflow."""
    x_dt, w_dt, b_dt = (np.dtype(d) for d in dtypes)
    n = max(spec.terms, 1)
    A, Bm = integer_magnitudes(x_dt if x_dt.kind in "iu" else np.dtype(np.int64),
                               w_dt if w_dt.kind in "iu" else np.dtype(np.int64), n, bits) \
        if np.result_type(x_dt, w_dt, b_dt).kind in "iu" else (2 ** 12, 2 ** 12)
    X = draw(hnp.arrays(x_dt, spec.x_shape, elements=_small_elements(x_dt, A, floats)), label="X")
    W = draw(hnp.arrays(w_dt, spec.w_shape, elements=_small_elements(w_dt, Bm, floats)), label="W")
    B = None
    if spec.bias:
        B = draw(hnp.arrays(b_dt, (spec.out_channels,), elements=_small_elements(b_dt, min(A * Bm, 2 ** 62), floats)),
                 label="B")
    return X, W, B


def layer_fill(rng: np.random.Generator, spec: LayerSpec, dtypes: tuple[str, str, str]):
    """``(X, W, B)`` for a large ``spec`` from a seeded generator (moderate values, no overflow)."""
    x_dt, w_dt, b_dt = (np.dtype(d) for d in dtypes)
    out = np.result_type(x_dt, w_dt, b_dt)
    def one(shape, dtype, magnitude):
        if dtype.kind in "iu":
            return integer_array(rng, shape, dtype, magnitude, False)
        return float_array(rng, shape, dtype, "moderate")
    if out.kind in "iu":
        A, Bm = integer_magnitudes(x_dt, w_dt, max(spec.terms, 1), 0.5, 2 ** 61)
    else:
        A, Bm = 2 ** 10, 2 ** 10
    X, W = one(spec.x_shape, x_dt, A), one(spec.w_shape, w_dt, Bm)
    B = one((spec.out_channels,), b_dt, A * Bm) if spec.bias else None
    return X, W, B


@st.composite
def layer_dtypes(draw, pairs: st.SearchStrategy[tuple[str, str]]) -> tuple[str, str, str]:
    """Dtypes of ``(X, W, B)``: a claimed pair, the bias sharing W's dtype."""
    x_dt, w_dt = draw(pairs, label="dtypes of X and W")
    return x_dt, w_dt, w_dt


@st.composite
def layer_cases(draw, features: LayerFeatures, pairs: st.SearchStrategy[tuple[str, str]],
                layouts: Sequence[str] = ("C",), floats: str = "moderate", specials: int = 0,
                max_side: int = 7) -> LayerCase:
    """One valid layer call: structure, dtypes, layouts and values (optionally with NaN/inf)."""
    spec = draw(layer_specs(features, max_side=max_side), label="problem")
    dtypes = draw(layer_dtypes(pairs), label="dtypes")
    bits = draw(st.sampled_from([0.5, 0.0, 1.0]), label="integer range (fraction of bits)")
    X, W, B = layer_arrays(draw, spec, dtypes, floats, bits)
    if specials:
        rng = np.random.default_rng(draw(seeds(), label="special positions seed"))
        where = draw(st.sampled_from(["X", "W", "B"] if B is not None else ["X", "W"]), label="NaN/inf in")
        target = {"X": X, "W": W, "B": B}[where]
        if target.dtype.kind in "fc" and target.size:
            planted = target.reshape(-1).copy()
            for _ in range(draw(st.integers(1, specials), label="how many NaN/inf")):
                planted[int(rng.integers(planted.size))] = [np.nan, np.inf, -np.inf][int(rng.integers(3))]
            planted = planted.reshape(target.shape)
            X, W, B = (planted if name == where else arr for name, arr in (("X", X), ("W", W), ("B", B)))
    lay = tuple(draw(st.sampled_from(list(layouts)), label=f"layout of {name}") for name in "XWB")
    return LayerCase(X, W, B, spec.stride, spec.padding, spec.dilation, spec.groups, lay)


# --------------------------------------------------------------------------- the gradients and the transposed convolution
#
# A problem of ``conv_input_grad``, ``conv_weight_grad``, ``conv_bias_grad`` or
# ``conv_transpose`` is drawn as its *forward* layer problem (`layer_specs`,
# explicit pads only, remainder rows often on purpose) and read backwards:
#
# * the input gradient takes ``dY`` of the forward output's shape, the forward
#   ``W`` and ``input_shape = X.shape``;
# * the weight gradient takes the forward ``X``, ``dY`` and ``kernel_shape = W.shape``;
# * the bias gradient takes ``dY``;
# * the transposed convolution takes ``X`` of the forward output's shape
#   ``(N, O, *S_out)`` and the forward ``W`` (``(O, C/g, *K)``: its C is the
#   forward O), a bias of the forward C, and an ``output_padding`` that is the
#   forward remainder (the matching problem, whose output has the forward
#   input's shape) or any value the claimed rule admits: ``< max(s, d)``
#   (TC-AT2), or ``< s`` under ONNX's rule (TC-CL1).
#
# Arrays of up to `HYPOTHESIS_ELEMENTS` elements take their values from
# hypothesis, so that counterexamples shrink; larger ones from a seeded generator.
# Integer values are bounded so that no sum overflows: an element of dX has
# ``(O/g)·∏K`` terms, of dW and dB ``N·∏S_out``, of the transposed convolution
# ``(C/g)·∏K`` plus the bias (C, g read as its own).

from .cases import BiasGradCase, InputGradCase, TransposeCase, WeightGradCase

#: The operations drawn from a forward problem, by name.
GRADIENT_OPS = ("conv_input_grad", "conv_weight_grad", "conv_bias_grad", "conv_transpose")
#: Arrays of at most this many elements take their values from hypothesis (they shrink); larger
#: ones from a generator seeded by a drawn seed.
HYPOTHESIS_ELEMENTS = 256
#: Padding forms the gradients take (explicit pairs; ``VALID`` is read as zero pairs).
GRADIENT_FORMS = ("explicit", "asymmetric", "negative", "VALID")


def gradient_features(claims, op: str, empty: bool = False, remainder: bool = True) -> LayerFeatures:
    """The layer features of a gradient's forward problem: explicit pads (no negative ones for
    ``conv_transpose``, TC-PD1), remainder rows on purpose."""
    forms = set(GRADIENT_FORMS) - ({"negative"} if op == "conv_transpose" else set())
    padding = frozenset(claims.padding) & forms or frozenset({"VALID"})
    features = LayerFeatures.from_claims(claims, empty and op != "conv_transpose")
    return LayerFeatures(features.ranks, padding, features.dilation, features.groups,
                         features.bias and op == "conv_transpose", features.empty_outputs,
                         features.zero_size, remainder)


def explicit_pads(spec: LayerSpec) -> tuple[tuple[int, int], ...]:
    """The spec's pads as pairs (``VALID`` is zero pairs; the gradients take no SAME names)."""
    if spec.padding == "VALID":
        return ((0, 0),) * len(spec.spatial)
    return tuple((int(lo), int(hi)) for lo, hi in spec.padding)


def forward_out(spec: LayerSpec) -> tuple[int, ...]:
    """``(N, O, *S_out)``: the forward problem's output shape (CV-SH1, `spec.geometry`)."""
    from convspec.spec.geometry import geometry
    grid = geometry(spec.spatial, spec.kernel, spec.stride, spec.dilation, explicit_pads(spec))
    return (spec.batch, spec.out_channels, *grid.out_shape)


def forward_remainder(spec: LayerSpec) -> tuple[int, ...]:
    """``(padded − k_eff) mod s`` per axis: the output_padding of the matching transposed problem."""
    from convspec.spec.geometry import geometry
    grid = geometry(spec.spatial, spec.kernel, spec.stride, spec.dilation, explicit_pads(spec))
    return tuple(axis.remainder for axis in grid.axes)


@dataclass(frozen=True)
class GradientShapes:
    """The operand shapes of one gradient-like call of a forward problem, and its term count."""

    shapes: tuple[tuple[int, ...] | None, ...]
    terms: int


def gradient_shapes(op: str, spec: LayerSpec) -> GradientShapes:
    """Operand shapes of ``op`` read from the forward ``spec`` (see above), bias last for the transpose."""
    out = forward_out(spec)
    per_window = int(np.prod(out[2:])) * spec.batch
    kernel = int(np.prod(spec.kernel))
    if op == "conv_input_grad":
        return GradientShapes((out, spec.w_shape), (spec.out_channels // spec.groups) * kernel)
    if op == "conv_weight_grad":
        return GradientShapes((spec.x_shape, out), per_window)
    if op == "conv_bias_grad":
        return GradientShapes((out,), per_window)
    bias = (spec.in_channels,) if spec.bias else None
    return GradientShapes((out, spec.w_shape, bias), (spec.out_channels // spec.groups) * kernel + spec.bias)


def gradient_case(op: str, spec: LayerSpec, arrays, output_padding=None, layouts=None):
    """The call of ``op`` for the forward ``spec`` with operands ``arrays`` (in the op's order)."""
    pads = explicit_pads(spec)
    attrs = dict(stride=spec.stride, padding=pads, dilation=spec.dilation, groups=spec.groups)
    if op == "conv_input_grad":
        case = InputGradCase(arrays[0], arrays[1], spec.x_shape, **attrs)
    elif op == "conv_weight_grad":
        case = WeightGradCase(arrays[0], arrays[1], spec.w_shape, **attrs)
    elif op == "conv_bias_grad":
        case = BiasGradCase(arrays[0])
    else:
        extra = forward_remainder(spec) if output_padding is None else tuple(output_padding)
        case = TransposeCase(arrays[0], arrays[1], arrays[2] if len(arrays) > 2 else None,
                             spec.stride, pads, extra, spec.dilation, spec.groups)
    return case if layouts is None else replace(case, layouts=tuple(layouts))


def _operand_dtypes(op: str, dtypes: tuple[str, str, str]) -> tuple[str, ...]:
    """Dtypes of the op's operands from a drawn ``(a, b, bias)`` triple."""
    a, b, bias = dtypes
    return {"conv_bias_grad": (a,), "conv_transpose": (a, b, bias)}.get(op, (a, b))


def _magnitudes(dtypes: Sequence[str], terms: int, bits: float) -> tuple[int, int]:
    """Value magnitudes ``(A, B)`` of the two factors so that no integer sum overflows."""
    first, second = np.dtype(dtypes[0]), np.dtype(dtypes[1] if len(dtypes) > 1 else dtypes[0])
    if np.result_type(*dtypes).kind not in "iu":
        return 2 ** 12, 2 ** 12
    if len(dtypes) == 1:  # a bias gradient: every term is dY · 1
        return integer_magnitudes(first, first, max(terms, 1), bits)[0], 1
    return integer_magnitudes(first if first.kind in "iu" else np.dtype(np.int64),
                              second if second.kind in "iu" else np.dtype(np.int64), max(terms, 1), bits)


def within_integers(op: str, spec: LayerSpec, dtypes: Sequence[str]) -> LayerSpec:
    """``spec``, or a smaller one when an integer output cannot hold even a sum of ±1 terms.

    The weight and bias gradients sum ``N·∏S_out`` terms, more than a narrow
    integer dtype holds; the spatial sizes then shrink to one window (batch 1,
    zero pads if still needed).
    """
    out = np.result_type(*dtypes)
    if out.kind not in "iu":
        return spec
    top = int(np.iinfo(out).max)
    for step in ("spatial", "pads"):
        if gradient_shapes(op, spec).terms <= top:
            return spec
        pads = explicit_pads(spec) if step == "spatial" else ((0, 0),) * len(spec.spatial)
        sizes = tuple(max(0, (k - 1) * d + 1 - lo - hi) for k, d, (lo, hi) in zip(spec.kernel, spec.dilation, pads))
        spec = replace(spec, batch=min(spec.batch, 1), spatial=sizes, padding=pads)
    return spec


@st.composite
def wide_dilation(draw, spec: LayerSpec) -> LayerSpec:
    """``spec`` with ``dilation > stride`` and a kernel of at least 2 on axis 0, sizes grown to fit."""
    s = spec.stride[0]
    d = max(spec.dilation[0], s + draw(st.integers(1, 2), label="dilation beyond the stride"))
    kernel = (max(spec.kernel[0], 2),) + spec.kernel[1:]
    lo, hi = explicit_pads(spec)[0]
    size = max(spec.spatial[0], (kernel[0] - 1) * d + 1 - lo - hi)
    return replace(spec, dilation=(d,) + spec.dilation[1:], kernel=kernel, spatial=(size,) + spec.spatial[1:])


@st.composite
def output_paddings(draw, spec: LayerSpec, below_stride: bool) -> tuple[int, ...]:
    """The matching remainder, or any output_padding within the claimed rule (TC-AT2, TC-CL1)."""
    if draw(st.booleans(), label="output_padding of the matching problem"):
        return forward_remainder(spec)
    limits = [s if below_stride else max(s, d) for s, d in zip(spec.stride, spec.dilation)]
    return tuple(draw(st.integers(0, limit - 1), label=f"output_padding {t}") for t, limit in enumerate(limits))


@st.composite
def gradient_cases(draw, op: str, features: LayerFeatures, pairs: st.SearchStrategy[tuple[str, str]],
                   layouts: Sequence[str] = ("C",), floats: str = "moderate", specials: int = 0,
                   max_side: int = 6, below_stride: bool = False, wide_output_padding: bool = False):
    """One valid call of ``op`` (see above): forward structure, dtypes, values, layouts.

    ``wide_output_padding`` (the transposed convolution) makes axis 0's
    dilation exceed its stride and draws ``stride <= output_padding < dilation``
    there, which TC-AT2 admits and ONNX's rule does not.
    """
    spec = draw(layer_specs(features, max_side=max_side), label="forward problem")
    if wide_output_padding:
        spec = draw(wide_dilation(spec), label="dilation above the stride")
    dtypes = _operand_dtypes(op, draw(layer_dtypes(pairs), label="dtypes"))
    spec = within_integers(op, spec, dtypes)
    shapes = gradient_shapes(op, spec)
    bits = draw(st.sampled_from([0.5, 0.0, 1.0]), label="integer range (fraction of bits)")
    A, Bm = _magnitudes(dtypes, shapes.terms, bits)
    arrays = []
    for number, (shape, dtype) in enumerate(zip(shapes.shapes, dtypes)):
        if shape is None:
            arrays.append(None)
            continue
        dt = np.dtype(dtype)
        magnitude = (A, Bm, min(A * Bm, 2 ** 62))[number]
        if int(np.prod(shape)) <= HYPOTHESIS_ELEMENTS:
            arrays.append(draw(hnp.arrays(dt, shape, elements=_small_elements(dt, magnitude, floats)),
                               label=f"operand {number}"))
        else:  # large: a seeded generator (hypothesis would spend its time drawing elements)
            rng = np.random.default_rng(draw(seeds(), label=f"operand {number} values seed"))
            arrays.append(integer_array(rng, shape, dt, magnitude, False) if dt.kind in "iu"
                          else float_array(rng, shape, dt, floats))
    if specials:
        rng = np.random.default_rng(draw(seeds(), label="special positions seed"))
        candidates = [i for i, x in enumerate(arrays) if x is not None and x.dtype.kind in "fc" and x.size]
        if candidates:
            where = draw(st.sampled_from(candidates), label="NaN/inf in operand")
            planted = arrays[where].reshape(-1).copy()
            for _ in range(draw(st.integers(1, specials), label="how many NaN/inf")):
                planted[int(rng.integers(planted.size))] = [np.nan, np.inf, -np.inf][int(rng.integers(3))]
            arrays[where] = planted.reshape(arrays[where].shape)
    extra = draw(output_paddings(spec, below_stride), label="output_padding") if op == "conv_transpose" else None
    if wide_output_padding:
        s, d = spec.stride[0], spec.dilation[0]
        extra = (draw(st.integers(s, d - 1), label="output_padding 0 (>= stride)"),) + tuple(extra[1:])
    lay = tuple(draw(st.sampled_from(list(layouts)), label=f"layout of operand {i}") for i in range(len(arrays)))
    case = gradient_case(op, spec, arrays, extra, lay)
    if op == "conv_transpose":
        from convspec.spec import SpecValueError
        from .operations import operation
        try:
            empty = 0 in operation(op).out_shape(case)
        except SpecValueError:  # an output length below zero (TC-SH2): the matching problem has none
            empty = True
        if empty and not features.empty_outputs:
            # an output_padding below the forward remainder can shrink an axis to 0, an empty
            # output the backend does not claim: take the matching problem's output_padding
            case = gradient_case(op, spec, arrays, None, lay)
    return case


def gradient_fill(rng: np.random.Generator, op: str, spec: LayerSpec, dtype: str):
    """Operands of ``op`` for a large forward ``spec`` from a seeded generator (moderate values,
    integer sums that fit)."""
    shapes = gradient_shapes(op, spec)
    dtypes = (dtype,) * len(shapes.shapes)
    A, Bm = _magnitudes(dtypes[:2] if op != "conv_bias_grad" else dtypes, shapes.terms, 0.5)
    arrays = []
    for number, shape in enumerate(shapes.shapes):
        if shape is None:
            arrays.append(None)
        elif np.dtype(dtype).kind in "iu":
            arrays.append(integer_array(rng, shape, dtype, (A, Bm, A * Bm)[number], False))
        else:
            arrays.append(float_array(rng, shape, dtype, "moderate"))
    return arrays
