"""Metamorphic relations of the layer: identities between calls that need no oracle.

Writing ``Y(X, W, B)`` for the backend's result with attributes ``stride s``,
``padding p``, ``dilation d``, ``groups g`` (CV-EQ1:
``Y[n, o, j] = B[o] + Σ_{c, a} Xp[n, G(o)·C/g + c, j·s + a·d] · W[o, c, a]``),
each property ``conv.metamorphic.<name>`` checks one relation:

* ``linearity_x``: ``Y(X1 + X2, W) = Y(X1, W) + Y(X2, W)`` (no bias);
* ``linearity_w``: ``Y(X, W1 + W2) = Y(X, W1) + Y(X, W2)`` (no bias);
* ``linearity_b``: ``Y(X, W, B1 + B2) − Y(X, W, B1) = B2[o]`` broadcast;
* ``groups``: group ``k`` of the output is the ``groups = 1`` layer of
  ``X[:, k·C/g : (k+1)·C/g]`` and ``W[k·O/g : (k+1)·O/g]`` (and ``B`` likewise) (CV-AT3);
* ``channels``: with ``groups = 1`` and no bias, ``Y(X, W) = Σ_c Y(X[:, c:c+1], W[:, c:c+1])``;
* ``dilation``: dilation ``d`` equals dilation 1 with the zero-inserted kernel
  ``W_d[..., a·d] = W[..., a]`` (zeros in the holes) (CV-AT2);
* ``padding``: explicit pads equal zero pads on the input padded (or cropped)
  as CV-PD1 says;
* ``same``: ``SAME_UPPER`` / ``SAME_LOWER`` equal the explicit pads of the
  CV-PD2 formula (`convspec.spec.same_pads`);
* ``batch``: item ``n`` of a batch is the layer of ``X[n:n+1]`` alone;
* ``stride``: stride ``s`` is the stride-1 result subsampled, ``Y_1[..., ::s]``
  (``⌈(P − k_eff + 1)/s⌉ = ⌊(P − k_eff)/s⌋ + 1`` outputs along an axis of padded
  length ``P``); SAME pads, which depend on the stride, are made explicit first;
* ``rank``: rank ``d`` equals rank ``d + 1`` with a unit axis inserted in X and W
  (stride and dilation 1, pads ``(0, 0)`` there), for ``d = 1, 2``;
* ``translation``: prepending ``t·s`` elements to X along an axis shifts the
  output by ``t`` there: ``Y(X')[..., t + j] = Y(X)[..., j]``, because output
  ``t + j`` of X' reads X' at ``(t + j)·s + a·d − lo = t·s + (j·s + a·d − lo)``;
  the prepended elements are read only where X's own low padding is, so they
  are zeros when ``lo > 0`` and arbitrary otherwise.

Exactness.  Every value is a small integer: ``|x|, |w| <= m``, ``|b| <= 2m`` (real
and imaginary parts alike; unsigned dtypes draw from ``[0, m]``).  An output has
``n = (C/g)·∏K`` products, so every partial sum, in any summation order, is an
integer of magnitude at most ``L = c·n·m² + 2m`` (``c = 2`` for complex, whose
real part ``x_r w_r − x_i w_i`` adds two products).  ``m`` is the largest value in
1..4 with ``L <= 2^p`` (``p = 11, 24, 53`` for float16, float32, float64 and the
parts of complex64, complex128) or ``L <=`` the largest value of an integer
output dtype, so every call of the relation is exact (CV-EX1, CV-RD1: the exact
value is representable, and rounding it once leaves it unchanged).  The splits
``X = X1 + X2`` take ``X1`` between 0 and ``X`` elementwise, so the parts obey
the same bound; the zero-inserted kernel adds only zero products.  Both sides
of each relation are therefore compared exactly, in Python numbers: any
difference is a violation, with no tolerance.  This is the componentwise class's
premise (spec/error_model.py: products summed in any order, blocked, pairwise or
with fused multiply-add), each of whose operations is then exact.  A backend
claiming the normwise class (FFT-based) is not exact on such values, so for it
the relations draw only integer outputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Sequence

import numpy as np
from hypothesis import strategies as st

from convspec.spec.geometry import PADDING_MODES, geometry, same_pads

from ..cases import LayerCase
from ..judge import Violation, calls_text, check_array, require_ok
from ..strategies import Example, LayerFeatures, LayerSpec, layer_dtypes, layer_specs, seeds
from . import Context, Property

#: Significand bits of each floating dtype (of each part, for complex).
_PRECISION = {("f", 2): 11, ("f", 4): 24, ("f", 8): 53, ("c", 8): 24, ("c", 16): 53}
#: The largest value magnitude drawn.
MAX_MAGNITUDE = 4
#: Explicit padding forms (CV-PD1) and named SAME forms (CV-PD2).
EXPLICIT_FORMS = ("explicit", "asymmetric", "negative")
SAME_FORMS = ("SAME_UPPER", "SAME_LOWER")


# --------------------------------------------------------------------------- exact values

def exact_limit(dtype) -> int:
    """The largest integer magnitude ``L`` such that every integer in ``[-L, L]`` is exact in ``dtype``."""
    dt = np.dtype(dtype)
    if dt.kind in "iu":
        return int(np.iinfo(dt).max)
    return 2 ** _PRECISION[(dt.kind, dt.itemsize)]


def magnitude(terms: int, out_dtype) -> int:
    """The largest ``m`` in 1..4 with ``c·n·m² + 2m <= exact_limit(out)`` (see the module docstring).

    Raises:
        ValueError: not even ``m = 1`` keeps the sums exact (the problem is too large).
    """
    out = np.dtype(out_dtype)
    c = 2 if out.kind == "c" else 1
    n = max(terms, 1)
    limit = exact_limit(out)
    for m in range(MAX_MAGNITUDE, 0, -1):
        if c * n * m * m + 2 * m <= limit:
            return m
    raise ValueError(f"{n} products cannot be summed exactly in {out}")


def _terms(spec_or_case) -> int:
    if isinstance(spec_or_case, LayerSpec):
        return (spec_or_case.in_channels // spec_or_case.groups) * math.prod(spec_or_case.kernel)
    return math.prod(spec_or_case.W.shape[1:])


def _out_dtype(dtypes: Sequence, bias: bool) -> np.dtype:
    return np.result_type(*(dtypes if bias else dtypes[:2]))


def case_magnitude(case: LayerCase) -> int:
    """The ``m`` `base_case` drew ``case``'s values with."""
    operands = [x.dtype for x in case.operands() if x is not None]
    return magnitude(_terms(case), np.result_type(*operands))


def small_integers(rng: np.random.Generator, shape, dtype, m: int) -> np.ndarray:
    """Integers in ``[-m, m]`` (``[0, m]`` for unsigned dtypes), in each part for complex."""
    dt = np.dtype(dtype)
    lo = 0 if dt.kind == "u" else -m
    values = rng.integers(lo, m + 1, size=shape)
    if dt.kind == "c":
        return (values + 1j * rng.integers(lo, m + 1, size=shape)).astype(dt)
    return values.astype(dt)


def split(x: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``x = a + b`` exactly for integer-valued ``x``, with ``a`` between 0 and ``x`` elementwise."""
    def part(v: np.ndarray) -> np.ndarray:
        whole = v.astype(np.int64)
        return np.sign(whole) * rng.integers(0, np.abs(whole) + 1)
    if x.dtype.kind == "c":
        a = (part(x.real) + 1j * part(x.imag)).astype(x.dtype)
    else:
        a = part(x).astype(x.dtype)
    return a, (x - a).astype(x.dtype)


def base_case(spec: LayerSpec, dtypes: Sequence[str], rng: np.random.Generator) -> LayerCase:
    """The relation's first call: ``spec`` filled with small integers whose sums are exact."""
    m = magnitude(_terms(spec), _out_dtype(dtypes, spec.bias))
    X = small_integers(rng, spec.x_shape, dtypes[0], m)
    W = small_integers(rng, spec.w_shape, dtypes[1], m)
    B = small_integers(rng, (spec.out_channels,), dtypes[2], m) if spec.bias else None
    return LayerCase(X, W, B, spec.stride, spec.padding, spec.dilation, spec.groups)


# --------------------------------------------------------------------------- problem structure

def pads_of(case_or_spec) -> tuple[tuple[int, int], ...]:
    """The explicit pads of a problem (SAME forms resolved by CV-PD2's formula)."""
    padding = case_or_spec.padding
    if not isinstance(padding, str):
        return tuple((int(lo), int(hi)) for lo, hi in padding)
    if isinstance(case_or_spec, LayerSpec):
        spatial, kernel = case_or_spec.spatial, case_or_spec.kernel
    else:
        spatial, kernel = case_or_spec.X.shape[2:], case_or_spec.W.shape[2:]
    return tuple(same_pads(i, k, s, d, padding) for i, k, s, d in
                 zip(spatial, kernel, case_or_spec.stride, case_or_spec.dilation))


def form_of(pads: Sequence[tuple[int, int]]) -> str:
    """The claimed padding form explicit pads need: ``negative``, ``asymmetric`` or ``explicit``."""
    if any(lo < 0 or hi < 0 for lo, hi in pads):
        return "negative"
    if any(lo != hi for lo, hi in pads):
        return "asymmetric"
    return "explicit"


def zero_padding(ctx: Context, rank: int):
    """No padding, in a claimed form: ``((0, 0), …)`` or ``"VALID"`` (None when neither is claimed)."""
    if "explicit" in ctx.claims.padding:
        return ((0, 0),) * rank
    return "VALID" if "VALID" in ctx.claims.padding else None


def fit(spec: LayerSpec) -> LayerSpec:
    """``spec`` with each spatial size grown (if needed) so that at least one window fits."""
    sizes = []
    for t, size in enumerate(spec.spatial):
        k_eff = (spec.kernel[t] - 1) * spec.dilation[t] + 1
        if spec.padding == "VALID":
            need = k_eff
        elif isinstance(spec.padding, str):
            need = 1
        else:
            lo, hi = spec.padding[t]
            need = max(1, k_eff - lo - hi)
        sizes.append(max(size, need))
    return replace(spec, spatial=tuple(sizes))


def pads_for(form: str, rank: int, rng: np.random.Generator) -> tuple[tuple[int, int], ...]:
    """Explicit pads of ``form`` (``explicit``: symmetric, ``asymmetric``: lo != hi on an axis,
    ``negative``: a negative pad on an axis)."""
    if form == "explicit":
        return tuple((p, p) for p in (int(v) for v in rng.integers(0, 3, rank)))
    low = -2 if form == "negative" else 0
    pads = [(int(rng.integers(low, 3)), int(rng.integers(low, 3))) for _ in range(rank)]
    axis = int(rng.integers(rank))
    if form == "negative" and all(lo >= 0 and hi >= 0 for lo, hi in pads):
        pads[axis] = (-1, pads[axis][1])
    if form == "asymmetric" and all(lo == hi for lo, hi in pads):
        pads[axis] = (pads[axis][0], pads[axis][0] + 1)
    return tuple(pads)


def with_padding(spec: LayerSpec, forms: Sequence[str], rng: np.random.Generator) -> LayerSpec:
    """``spec`` with its padding in one of ``forms`` (kept when it already is)."""
    padding = spec.padding
    current = padding if isinstance(padding, str) else form_of(padding)
    if current in forms or not forms:
        return spec
    form = forms[int(rng.integers(len(forms)))]
    new = form if form in PADDING_MODES else pads_for(form, len(spec.spatial), rng)
    return fit(replace(spec, padding=new))


def conform(spec: LayerSpec, ctx: Context, rng: np.random.Generator) -> LayerSpec:
    """A deterministic ``spec`` narrowed to the claims (groups, dilation, bias, padding form)."""
    if not ctx.claims.groups:
        spec = replace(spec, groups=1)
    if not ctx.claims.dilation:
        spec = replace(spec, dilation=(1,) * len(spec.spatial))
    if not ctx.claims.bias:
        spec = replace(spec, bias=False)
    forms = [f for f in (*EXPLICIT_FORMS, "VALID", *SAME_FORMS) if f in ctx.claims.padding]
    return fit(with_padding(spec, forms, rng))


def _case(base: LayerCase, **changes) -> LayerCase:
    return replace(base, layouts=("C", "C", "C"), followup=None, **changes)


def explicit_call(case: LayerCase, pads, ctx: Context, **changes) -> LayerCase:
    """``case`` with ``pads`` given explicitly if their form is claimed, else with X padded
    beforehand (CV-PD1's pad, zeros of X's dtype) and zero pads."""
    case = _case(case, **changes)
    if form_of(pads) in ctx.claims.padding:
        return _case(case, padding=tuple(pads))
    d = case.X.ndim - 2
    grid = geometry(case.X.shape[2:], case.W.shape[2:], case.stride, case.dilation, pads)
    return _case(case, X=np.ascontiguousarray(grid.pad(case.X)), padding=zero_padding(ctx, d))


# --------------------------------------------------------------------------- comparing

def _results(ctx: Context, calls: list[LayerCase]) -> list[np.ndarray]:
    outcomes = ctx.call(calls)
    values = []
    for i, outcome in enumerate(outcomes):
        value = require_ok(outcome, calls, i)
        check_array(value, calls, i)  # CV-SH1: a relation between wrongly shaped results means nothing
        values.append(value)
    return values


def _names(cases: Sequence[LayerCase], results: Sequence[np.ndarray]) -> dict:
    space: dict = {"np": np}
    for i, (case, value) in enumerate(zip(cases, results)):
        space[f"C{i}"] = value
        for name, operand in zip(case.operand_names, case.operands()):
            space[f"{name}{i}"] = operand
        for name, attribute in case.attributes().items():
            space[f"{name}{i}"] = attribute
    return space


def _shown(code: str) -> str:
    return code.replace(".astype(object)", "")


def relate(cases: Sequence[LayerCase], results: Sequence[np.ndarray], what: str, lhs: str, rhs: str) -> None:
    """Raise a `Violation` unless ``lhs == rhs`` exactly, elementwise.

    ``lhs`` and ``rhs`` are Python expressions over the reproducer's names
    (``C0``, ``X0``, ``B1``, ``stride0``, …); the check evaluates the very
    expressions the reproducer asserts, in Python numbers (object arrays).
    """
    space = _names(cases, results)
    left = np.asarray(eval(lhs, space)).astype(object)  # noqa: S307 - our own expression text
    right = np.asarray(eval(rhs, space)).astype(object)  # noqa: S307
    if left.shape != right.shape:  # each result has its CV-SH1 shape: the relation is mis-stated
        raise RuntimeError(f"{what}: {lhs} has shape {left.shape} but {rhs} has {right.shape}")
    bad = np.asarray(left != right, dtype=bool)
    if not bad.any():
        return
    where = tuple(int(v) for v in np.argwhere(bad)[0])
    index = ", ".join(map(str, where))
    message = (f"{what} is broken: out[{index}]={left[where]!r}, but should be {right[where]!r} "
               f"(out = {_shown(lhs)}, expected = {_shown(rhs)}; {int(bad.sum())} of {bad.size} outputs differ)")
    code = (f"{calls_text(cases, len(cases) - 1)}\n"
            f"out = np.asarray({lhs}).astype(object)\n"
            f"expected = np.asarray({rhs}).astype(object)\n"
            "bad = np.asarray(out != expected, dtype=bool)\n"
            "where = tuple(int(v) for v in np.argwhere(bad)[0]) if bad.any() else None\n"
            f"assert where is None, ({what!r} + f' is broken: out[{{where}}]={{out[where]!r}}, '\n"
            "                         f'but should be {expected[where]!r}')")
    raise Violation("violation", message, list(cases), code)


# --------------------------------------------------------------------------- the relations

def _sl(rank: int, axis: int, part: str) -> str:
    return ", ".join(part if t == axis else ":" for t in range(rank))


def _linear(operand: str):
    def derive(base: LayerCase, rng, ctx) -> tuple[LayerCase, ...]:
        a, b = split(getattr(base, operand), rng)
        return (_case(base), _case(base, **{operand: a}), _case(base, **{operand: b}))
    def relation(cases):
        return (f"linearity in {operand}: conv({operand}1 + {operand}2) = conv({operand}1) + conv({operand}2)",
                "C0", "C1.astype(object) + C2.astype(object)")
    return derive, relation


def _no_bias(spec, rng, ctx):
    return replace(spec, bias=False)


def _derive_bias(base, rng, ctx):
    B2 = small_integers(rng, base.B.shape, base.B.dtype, case_magnitude(base))
    return (_case(base, B=(base.B + B2).astype(base.B.dtype)), _case(base))


def _relation_bias(cases):
    d = cases[0].X.ndim - 2
    return ("linearity in B: conv(X, W, B1 + B2) - conv(X, W, B1) = B2 broadcast",
            "C0.astype(object) - C1.astype(object)",
            f"np.broadcast_to((B0.astype(object) - B1.astype(object)).reshape((1, -1) + (1,) * {d}), C0.shape)")


def _adjust_groups(spec, rng, ctx):
    if spec.groups > 1:
        return spec
    g = int(rng.integers(2, 4))
    return replace(spec, groups=g, in_channels=spec.in_channels * g, out_channels=spec.out_channels * g)


def _derive_groups(base, rng, ctx):
    g = base.groups
    cg, og = base.X.shape[1] // g, base.W.shape[0] // g
    parts = [_case(base, X=base.X[:, k * cg:(k + 1) * cg].copy(), W=base.W[k * og:(k + 1) * og].copy(),
                   B=None if base.B is None else base.B[k * og:(k + 1) * og].copy(), groups=1)
             for k in range(g)]
    return (_case(base), *parts)


def _relation_groups(cases):
    parts = ", ".join(f"C{i}" for i in range(1, len(cases)))
    return (f"groups = {cases[0].groups} equals {cases[0].groups} groups = 1 layers on the channel "
            "slices, concatenated", "C0", f"np.concatenate([{parts}], axis=1)")


def _adjust_channels(spec, rng, ctx):
    c = max(spec.in_channels // spec.groups, 2)
    return replace(spec, groups=1, in_channels=c, out_channels=spec.out_channels // spec.groups, bias=False)


def _derive_channels(base, rng, ctx):
    singles = [_case(base, X=base.X[:, c:c + 1].copy(), W=base.W[:, c:c + 1].copy())
               for c in range(base.X.shape[1])]
    return (_case(base), *singles)


def _relation_channels(cases):
    total = " + ".join(f"C{i}.astype(object)" for i in range(1, len(cases)))
    return ("the sum over input channels equals the sum of single-channel layers", "C0", total)


def _adjust_dilation(spec, rng, ctx):
    rank = len(spec.spatial)
    axis = int(rng.integers(rank))
    dilation, kernel = list(spec.dilation), list(spec.kernel)
    if max(dilation) == 1:
        dilation[axis] = int(rng.integers(2, 4))
    for t in range(rank):
        if dilation[t] > 1 and kernel[t] == 1:
            kernel[t] = 2
    return fit(replace(spec, dilation=tuple(dilation), kernel=tuple(kernel)))


def _derive_dilation(base, rng, ctx):
    W, dil = base.W, tuple(int(v) for v in base.dilation)
    spread = np.zeros(W.shape[:2] + tuple((k - 1) * d + 1 for k, d in zip(W.shape[2:], dil)), W.dtype)
    spread[(slice(None), slice(None)) + tuple(slice(None, None, d) for d in dil)] = W
    return (_case(base), _case(base, W=spread, dilation=(1,) * len(dil)))


def _relation_dilation(cases):
    return (f"dilation {tuple(cases[0].dilation)} equals dilation 1 with the zero-inserted kernel W1",
            "C0", "C1")


def _adjust_padding(spec, rng, ctx):
    return with_padding(spec, [f for f in EXPLICIT_FORMS if f in ctx.claims.padding], rng)


def _derive_padding(base, rng, ctx):
    grid = geometry(base.X.shape[2:], base.W.shape[2:], base.stride, base.dilation, pads_of(base))
    padded = np.ascontiguousarray(grid.pad(base.X))
    return (_case(base), _case(base, X=padded, padding=zero_padding(ctx, base.X.ndim - 2)))


def _relation_padding(cases):
    return (f"padding {tuple(cases[0].padding)} equals no padding on the padded (or cropped) input X1",
            "C0", "C1")


def _adjust_same(spec, rng, ctx):
    return with_padding(spec, [f for f in SAME_FORMS if f in ctx.claims.padding], rng)


def _derive_same(base, rng, ctx):
    return (_case(base), explicit_call(base, pads_of(base), ctx))


def _relation_same(cases):
    return (f"padding {cases[0].padding!r} equals the CV-PD2 pads {pads_of(cases[0])}", "C0", "C1")


def _adjust_batch(spec, rng, ctx):
    return spec if spec.batch >= 2 else replace(spec, batch=int(rng.integers(2, 4)))


def _derive_batch(base, rng, ctx):
    items = [_case(base, X=base.X[n:n + 1].copy()) for n in range(base.X.shape[0])]
    return (_case(base), *items)


def _relation_batch(cases):
    items = ", ".join(f"C{i}" for i in range(1, len(cases)))
    return ("batch items are independent: the batch equals its items called one by one",
            "C0", f"np.concatenate([{items}], axis=0)")


def _adjust_stride(spec, rng, ctx):
    if max(spec.stride) > 1:
        return spec
    stride = list(spec.stride)
    stride[int(rng.integers(len(stride)))] = int(rng.integers(2, 4))
    return replace(spec, stride=tuple(stride))


def _derive_stride(base, rng, ctx):
    ones = (1,) * (base.X.ndim - 2)
    if isinstance(base.padding, str) and base.padding != "VALID":
        dense = explicit_call(base, pads_of(base), ctx, stride=ones)
    else:
        dense = _case(base, stride=ones)
    return (_case(base), dense)


def _relation_stride(cases):
    steps = ", ".join(f"::{int(s)}" for s in cases[0].stride)
    return (f"stride {tuple(cases[0].stride)} equals the stride-1 result subsampled", "C0", f"C1[:, :, {steps}]")


def _rank_pairs(ctx: Context) -> tuple[int, ...]:
    return tuple(d for d in (1, 2) if d in ctx.claims.ranks and d + 1 in ctx.claims.ranks)


def _derive_rank(base, rng, ctx):
    d = base.X.ndim - 2
    p = int(rng.integers(d + 1))
    def insert(values, unit):
        values = list(values)
        return tuple(values[:p] + [unit] + values[p:])
    padding = base.padding if isinstance(base.padding, str) else insert(base.padding, (0, 0))
    return (_case(base), _case(base, X=np.expand_dims(base.X, 2 + p), W=np.expand_dims(base.W, 2 + p),
                                stride=insert(base.stride, 1), dilation=insert(base.dilation, 1),
                                padding=padding))


def _relation_rank(cases):
    d = cases[0].X.ndim - 2
    axis = _unit_axis(cases)
    return (f"rank {d} equals rank {d + 1} with a unit axis at spatial axis {axis}",
            f"np.squeeze(C1, axis={2 + axis})", "C0")


def _unit_axis(cases) -> int:
    """The spatial axis the rank relation inserted (where dropping it gives back call 0)."""
    d = cases[0].X.ndim - 2
    def drop(values, t):
        return tuple(values[:t]) + tuple(values[t + 1:])
    first, second = cases
    for t in range(d + 1):
        x, w = second.X.shape[2:], second.W.shape[2:]
        padding = second.padding if isinstance(second.padding, str) else drop(second.padding, t)
        unit = isinstance(second.padding, str) or tuple(second.padding[t]) == (0, 0)
        if (x[t] == w[t] == second.stride[t] == second.dilation[t] == 1 and unit
                and drop(x, t) == first.X.shape[2:] and drop(w, t) == first.W.shape[2:]
                and drop(second.stride, t) == tuple(first.stride)
                and drop(second.dilation, t) == tuple(first.dilation)
                and (padding == first.padding if isinstance(padding, str) else
                     tuple(map(tuple, padding)) == tuple(map(tuple, first.padding)))):
            return t  # any axis that matches gives the same squeezed result
    raise RuntimeError("the rank relation's second call has no inserted unit axis")


def _adjust_translation(spec, rng, ctx):
    return with_padding(spec, [f for f in (*EXPLICIT_FORMS, "VALID") if f in ctx.claims.padding], rng)


def _derive_translation(base, rng, ctx):
    d = base.X.ndim - 2
    axis = int(rng.integers(d))
    t = int(rng.integers(1, 3))
    lo = pads_of(base)[axis][0]
    shape = list(base.X.shape)
    shape[2 + axis] = t * int(base.stride[axis])
    if lo > 0:  # read in place of X's low padding: must be zeros
        prefix = np.zeros(shape, base.X.dtype)
    else:
        prefix = small_integers(rng, shape, base.X.dtype, case_magnitude(base))
    return (_case(base), _case(base, X=np.concatenate([prefix, base.X], axis=2 + axis)))


def _relation_translation(cases):
    d = cases[0].X.ndim - 2
    axis = next(t for t in range(d) if cases[1].X.shape[2 + t] != cases[0].X.shape[2 + t])
    shift = (cases[1].X.shape[2 + axis] - cases[0].X.shape[2 + axis]) // int(cases[0].stride[axis])
    return (f"translation: shifting X by {shift} stride(s) along spatial axis {axis} shifts the output by {shift}",
            f"C1[:, :, {_sl(d, axis, f'{shift}:')}]", "C0")


# --------------------------------------------------------------------------- properties

@dataclass(frozen=True)
class Relation:
    """One relation: how to shape its problem, derive its calls and state it.

    Attributes:
        name: the id suffix.
        title, clauses: of the property.
        features: ``ctx -> LayerFeatures`` for the random problems (None: the claims').
        adjust: ``(spec, rng, ctx) -> spec``: makes a problem fit the relation.
        derive: ``(case, rng, ctx) -> calls``: the calls, the first being ``case``.
        relation: ``calls -> (what, lhs, rhs)``: expressions over the results that must agree.
        needs: ``ctx -> reason or None``: the claims the relation needs beyond a claimed dtype.
    """

    name: str
    title: str
    clauses: tuple[str, ...]
    derive: Callable
    relation: Callable
    adjust: Callable = lambda spec, rng, ctx: spec
    features: Callable[[Context], dict] = lambda ctx: {}
    needs: Callable[[Context], str | None] = lambda ctx: None

    def example(self, spec: LayerSpec, dtypes, rng: np.random.Generator, ctx: Context) -> Example:
        spec = fit(self.adjust(spec, rng, ctx))
        return Example(tuple(self.derive(base_case(spec, dtypes, rng), rng, ctx)), self.name)


def _claimed_forms(ctx: Context, forms: Iterable[str]) -> frozenset[str]:
    return frozenset(f for f in forms if f in ctx.claims.padding)


def _need_forms(forms: Sequence[str], zero: bool = False):
    def needs(ctx: Context) -> str | None:
        if not _claimed_forms(ctx, forms):
            return f"none of the padding forms {', '.join(forms)} is claimed"
        if zero and zero_padding(ctx, 1) is None:
            return "neither explicit zero pads nor VALID is claimed"
        return None
    return needs


def _stride_forms(ctx: Context) -> frozenset[str]:
    forms = frozenset(ctx.claims.padding)
    return forms if zero_padding(ctx, 1) is not None else forms - set(SAME_FORMS)


RELATIONS = [
    Relation("linearity_x", "conv(X1 + X2, W) = conv(X1, W) + conv(X2, W)", ("CV-EQ1",),
             *_linear("X"), adjust=_no_bias),
    Relation("linearity_w", "conv(X, W1 + W2) = conv(X, W1) + conv(X, W2)", ("CV-EQ1",),
             *_linear("W"), adjust=_no_bias),
    Relation("linearity_b", "conv(X, W, B1 + B2) - conv(X, W, B1) = B2 broadcast", ("CV-EQ1", "CV-RD1"),
             _derive_bias, _relation_bias, adjust=lambda spec, rng, ctx: replace(spec, bias=True),
             needs=lambda ctx: None if ctx.claims.bias else "a bias is not claimed"),
    Relation("groups", "Groups equal independent groups = 1 layers on their channel slices, concatenated",
             ("CV-EQ1", "CV-AT3"), _derive_groups, _relation_groups, adjust=_adjust_groups,
             needs=lambda ctx: None if ctx.claims.groups else "groups > 1 are not claimed"),
    Relation("channels", "The sum over input channels equals a sum of single-channel layers",
             ("CV-EQ1",), _derive_channels, _relation_channels, adjust=_adjust_channels),
    Relation("dilation", "Dilation equals dilation 1 with the zero-inserted kernel", ("CV-EQ1", "CV-AT2"),
             _derive_dilation, _relation_dilation, adjust=_adjust_dilation,
             needs=lambda ctx: None if ctx.claims.dilation else "dilation > 1 is not claimed"),
    Relation("padding", "Explicit pads equal no padding on the explicitly padded (or cropped) input",
             ("CV-EQ1", "CV-PD1", "CV-PD3"), _derive_padding, _relation_padding, adjust=_adjust_padding,
             features=lambda ctx: {"padding": _claimed_forms(ctx, EXPLICIT_FORMS)},
             needs=_need_forms(EXPLICIT_FORMS, zero=True)),
    Relation("same", "SAME_UPPER / SAME_LOWER equal the explicit pads of the CV-PD2 formula",
             ("CV-EQ1", "CV-PD1", "CV-PD2"), _derive_same, _relation_same, adjust=_adjust_same,
             features=lambda ctx: {"padding": _claimed_forms(ctx, SAME_FORMS)},
             needs=_need_forms(SAME_FORMS, zero=True)),
    Relation("batch", "Batch items are independent: a batch equals its items called one by one",
             ("CV-EQ1",), _derive_batch, _relation_batch, adjust=_adjust_batch),
    Relation("stride", "Stride s equals the stride-1 result subsampled", ("CV-EQ1", "CV-AT1", "CV-SH1"),
             _derive_stride, _relation_stride, adjust=_adjust_stride,
             features=lambda ctx: {"padding": _stride_forms(ctx)},
             needs=lambda ctx: None if _stride_forms(ctx) else "no usable padding form is claimed"),
    Relation("rank", "Rank d equals rank d + 1 with a unit axis (d = 1, 2)", ("CV-EQ1", "CV-IN1", "CV-IN2"),
             _derive_rank, _relation_rank,
             features=lambda ctx: {"ranks": _rank_pairs(ctx)},
             needs=lambda ctx: None if _rank_pairs(ctx) else "no claimed rank d has rank d + 1 claimed too"),
    Relation("translation", "Shifting X by whole strides shifts the output", ("CV-EQ1", "CV-PD1"),
             _derive_translation, _relation_translation, adjust=_adjust_translation,
             features=lambda ctx: {"padding": _claimed_forms(ctx, (*EXPLICIT_FORMS, "VALID"))},
             needs=_need_forms((*EXPLICIT_FORMS, "VALID"))),
]

#: Deterministic problems each relation adapts and runs before the random search.
BASES = (
    LayerSpec(2, 4, 4, (7,), (3,), (2,), ((2, 1),), (2,), 2, True),
    LayerSpec(2, 2, 3, (6, 5), (2, 3), (2, 1), ((1, 0), (0, 2)), (1, 2), 1, True),
    LayerSpec(3, 6, 3, (5, 6), (3, 2), (1, 2), "SAME_LOWER", (2, 1), 3, True),
    LayerSpec(2, 3, 2, (7,), (2,), (3,), ((-1, 2),), (1,), 1, False),
    LayerSpec(1, 2, 2, (4, 5, 4), (2, 2, 3), (2, 1, 1), ((1, 1), (-1, 1), (0, 0)), (1, 1, 2), 2, True),
)


def _features(ctx: Context, rel: Relation) -> LayerFeatures:
    return replace(LayerFeatures.from_claims(ctx.claims), **rel.features(ctx))


def _random(ctx: Context, rel: Relation):
    @st.composite
    def examples(draw) -> Example:
        spec = draw(layer_specs(_features(ctx, rel), max_side=4), label="problem")
        dtypes = draw(layer_dtypes(ctx.pair_strategy("iufc", _out_kinds(ctx))), label="dtypes")
        rng = np.random.default_rng(draw(seeds(), label="values seed"))
        return rel.example(spec, dtypes, rng, ctx)
    return examples()


def _fixed(ctx: Context, rel: Relation) -> Iterable[Example]:
    features = _features(ctx, rel)
    same, _ = ctx.pairs("iufc", _out_kinds(ctx))
    bases = [b for b in BASES if len(b.spatial) in features.ranks]
    for number, spec in enumerate(bases):
        rng = np.random.default_rng([number, 20261203])
        spec = conform(spec, ctx, rng)
        dtype = same[number % len(same)][0]
        yield rel.example(spec, (dtype, dtype, dtype), rng, ctx)


def _out_kinds(ctx: Context) -> str:
    """Output kinds compared exactly: the componentwise class sums in some order, exact on these
    values; a normwise (FFT-class) backend is not exact on them, so only its integer outputs are."""
    return "iu" if ctx.claims.accuracy == "normwise" else "iufc"


def _requires(rel: Relation):
    def requires(ctx: Context) -> str | None:
        if ctx.op != "conv":
            return "not the layer operation"
        if not ctx.has_pairs("iufc", _out_kinds(ctx)):
            return "no claimed dtype (a normwise backend: no integer dtype)"
        if not ctx.claims.ranks:
            return "no spatial rank is claimed"
        return rel.needs(ctx)
    return requires


def _check(rel: Relation):
    def check(example: Example, ctx: Context) -> None:
        cases = list(example.cases)
        results = _results(ctx, cases)
        relate(cases, results, *rel.relation(cases))
    return check


def _property(rel: Relation) -> Property:
    return Property(f"conv.metamorphic.{rel.name}", rel.title, rel.clauses,
                    strategy=lambda ctx: _random(ctx, rel), check=_check(rel), requires=_requires(rel),
                    share=0.5, exhaustive=lambda ctx: _fixed(ctx, rel), op="conv",
                    doc=rel.derive.__doc__ or "")


PROPERTIES = [_property(rel) for rel in RELATIONS]
