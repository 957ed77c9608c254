"""Metamorphic relations of the gradients and the transposed convolution: identities between calls.

Writing ``dX(dY)``, ``dW(dY)``, ``dB(dY)`` for the backend's gradients of one
forward problem (stride ``s``, pads ``(lo, hi)``, dilation ``d``, groups ``g``)
and ``T(X)`` for its transposed convolution, each property
``op.metamorphic.<name>`` checks one relation:

* ``linearity``: ``f(dY1 + dY2) = f(dY1) + f(dY2)`` for dX, dW and dB, and
  ``T(X1 + X2) = T(X1) + T(X2)`` (no bias): each element is a sum of products
  with one factor from dY (from X);
* ``groups``: group ``k`` of the result is the ``groups = 1`` result of the
  group's channel slices (dX: ``dY[:, k·O/g:(k+1)·O/g]`` and ``W[k·O/g:(k+1)·O/g]``
  with ``input_shape`` ``(N, C/g, *S)``, concatenated on axis 1; dW: ``X[:, k·C/g:…]``
  and ``dY[:, k·O/g:…]``, concatenated on axis 0; T: ``X``, ``W`` and ``B`` sliced
  likewise, concatenated on axis 1);
* ``stride``: the stride-``s`` gradient equals the stride-1 gradient of the same
  forward problem whose ``dY1`` holds ``dY`` at the positions ``j·s`` and zeros
  elsewhere.  This is the adjoint of "stride ``s`` is the stride-1 output
  subsampled" (``Y_s = Y_1[::s]``): subsampling's adjoint inserts zeros, and
  the stride-1 problem has ``padded − k_eff + 1 >= s·(S_out − 1) + 1`` outputs,
  so every ``j·s`` exists.  For T, ``X1`` is ``X`` with ``s − 1`` zeros between
  elements and ``output_padding`` zeros appended, with stride 1 and
  ``output_padding`` 0: its output length ``s(i − 1) + output_padding + k_eff −
  lo − hi`` is T's (TC-SH1);
* ``input_grad`` (``conv_transpose`` only, for a backend providing
  ``conv_input_grad`` too): ``conv_transpose(X, W)`` equals
  ``conv_input_grad(X', W, input_shape=(N, O, *L))`` (TC-AD1), ``X'`` being X with
  ``⌊output_padding/s⌋`` zeros appended (the spec's `TransposeProblem.as_input_grad`).

Exactness, as for the layer's relations (`layer_metamorphic`): values are small
integers ``|v| <= m`` with ``c·n·m² + 2m`` exact in the output dtype for the
op's ``n`` terms per element, so every call of a relation is exact under any
summation order and both sides are compared exactly, in Python numbers.  A
backend claiming the normwise class is compared on integer outputs only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable

import numpy as np
from hypothesis import strategies as st

from ..operations import operation
from ..strategies import (Example, LayerSpec, explicit_pads, gradient_case, gradient_features, gradient_shapes,
                          layer_dtypes, layer_specs, seeds)
from . import Context, Property
from .layer_metamorphic import _out_kinds, _results, fit, magnitude, relate, small_integers, split


def _case(base, **changes):
    return replace(base, layouts=("C",) * len(base.operand_names), followup=None, **changes)


def _magnitude(op: str, spec: LayerSpec, dtypes) -> int:
    """The ``m`` of the module docstring (0, all zeros, when not even ``m = 1`` is exact)."""
    try:
        return magnitude(gradient_shapes(op, spec).terms, np.result_type(*dtypes))
    except ValueError:
        return 0


def base_case(op: str, spec: LayerSpec, dtype: str, rng: np.random.Generator):
    """The relation's first call of ``op``: ``spec`` read backwards, small integers whose sums are exact."""
    shapes = gradient_shapes(op, spec).shapes
    dtypes = [dtype for shape in shapes if shape is not None]
    m = _magnitude(op, spec, dtypes)
    arrays = [None if shape is None else small_integers(rng, shape, dtype, m) for shape in shapes]
    return gradient_case(op, spec, arrays)


# --------------------------------------------------------------------------- the relations

_FIRST = {"conv_input_grad": "dY", "conv_weight_grad": "dY", "conv_bias_grad": "dY", "conv_transpose": "X"}


def _derive_linearity(base, rng, ctx):
    name = _FIRST[base.op]
    a, b = split(getattr(base, name), rng)
    return (_case(base), _case(base, **{name: a}), _case(base, **{name: b}))


def _relation_linearity(cases):
    name, op = _FIRST[cases[0].op], cases[0].op
    return (f"linearity in {name}: {op}({name}1 + {name}2) = {op}({name}1) + {op}({name}2)",
            "C0", "C1.astype(object) + C2.astype(object)")


def _adjust_groups(spec, rng, ctx):
    if spec.groups > 1:
        return spec
    g = int(rng.integers(2, 4))
    return replace(spec, groups=g, in_channels=spec.in_channels * g, out_channels=spec.out_channels * g)


def _derive_groups(base, rng, ctx):
    g, op = base.groups, base.op
    parts = []
    for k in range(g):
        if op == "conv_input_grad":
            og, cg = base.W.shape[0] // g, base.W.shape[1]
            part = _case(base, dY=base.dY[:, k * og:(k + 1) * og].copy(), W=base.W[k * og:(k + 1) * og].copy(),
                         input_shape=(base.input_shape[0], cg, *base.input_shape[2:]), groups=1)
        elif op == "conv_weight_grad":
            og, cg = base.kernel_shape[0] // g, base.kernel_shape[1]
            part = _case(base, X=base.X[:, k * cg:(k + 1) * cg].copy(), dY=base.dY[:, k * og:(k + 1) * og].copy(),
                         kernel_shape=(og, *base.kernel_shape[1:]), groups=1)
        else:
            cg, og = base.X.shape[1] // g, base.W.shape[1]
            part = _case(base, X=base.X[:, k * cg:(k + 1) * cg].copy(), W=base.W[k * cg:(k + 1) * cg].copy(),
                         B=None if base.B is None else base.B[k * og:(k + 1) * og].copy(), groups=1)
        parts.append(part)
    return (_case(base), *parts)


def _relation_groups(cases):
    g, op = cases[0].groups, cases[0].op
    axis = 0 if op == "conv_weight_grad" else 1
    parts = ", ".join(f"C{i}" for i in range(1, len(cases)))
    return (f"groups = {g} equals {g} groups = 1 calls on the channel slices, concatenated on axis {axis}",
            "C0", f"np.concatenate([{parts}], axis={axis})")


def _adjust_stride(spec, rng, ctx):
    if max(spec.stride) > 1:
        return spec
    stride = list(spec.stride)
    stride[int(rng.integers(len(stride)))] = int(rng.integers(2, 4))
    return replace(spec, stride=tuple(stride))


def _spread(values: np.ndarray, stride, shape) -> np.ndarray:
    """Zeros of ``shape`` (spatial axes last) holding ``values`` at the positions ``j·s``."""
    out = np.zeros(values.shape[:2] + tuple(shape), values.dtype)
    out[(slice(None), slice(None)) + tuple(slice(None, s * (n - 1) + 1 if n else 0, s)
                                           for s, n in zip(stride, values.shape[2:]))] = values
    return out


def _derive_stride(base, rng, ctx):
    op, ones = base.op, (1,) * len(base.stride)
    if op == "conv_transpose":
        p = operation(base).problem(base)
        length = [s * (i - 1) + 1 + e for s, i, e in zip(p.stride, p.spatial_in, p.output_padding)]
        return (_case(base), _case(base, X=_spread(base.X, p.stride, length), stride=ones,
                                   output_padding=(0,) * len(ones)))
    forward = operation(base).problem(base).forward
    dense = replace(forward.geometry, axes=tuple(replace(ax, stride=1) for ax in forward.geometry.axes))
    dY1 = _spread(base.dY, forward.stride, dense.out_shape)
    return (_case(base), _case(base, dY=dY1, stride=ones))


def _relation_stride(cases):
    steps = tuple(cases[0].stride)
    name = "X" if cases[0].op == "conv_transpose" else "dY"
    return (f"stride {steps} equals stride 1 on the zero-inserted {name} (the adjoint of subsampling)", "C0", "C1")


def _derive_input_grad(base, rng, ctx):
    from ..cases import InputGradCase
    dY, attrs = operation(base).problem(base).as_input_grad()
    return (_case(base), InputGradCase(np.ascontiguousarray(dY), base.W, **attrs))


def _relation_input_grad(cases):
    return ("conv_transpose equals conv_input_grad of the matching forward problem (TC-AD1)", "C0", "C1")


@dataclass(frozen=True)
class Relation:
    """One relation (see `layer_metamorphic.Relation`), for the operations ``ops``."""

    name: str
    title: str
    ops: tuple[str, ...]
    derive: Callable
    relation: Callable
    adjust: Callable = lambda spec, rng, ctx: spec
    needs: Callable[[Context], str | None] = lambda ctx: None
    bias: bool = False
    """Whether the transposed convolution's call may carry a bias."""


def _needs_input_grad(ctx: Context) -> str | None:
    if "conv_input_grad" not in ctx.ops:
        return "the backend does not provide conv_input_grad (declare it in Backend(ops=...))"
    return None


RELATIONS = [
    Relation("linearity", "The result is linear in dY (in X for conv_transpose, no bias)",
             ("conv_input_grad", "conv_weight_grad", "conv_bias_grad", "conv_transpose"),
             _derive_linearity, _relation_linearity),
    Relation("groups", "Groups equal independent groups = 1 calls on their channel slices, concatenated",
             ("conv_input_grad", "conv_weight_grad", "conv_transpose"), _derive_groups, _relation_groups,
             adjust=_adjust_groups, needs=lambda ctx: None if ctx.claims.groups else "groups > 1 are not claimed",
             bias=True),
    Relation("stride", "Stride s equals stride 1 on the zero-inserted dY (X for conv_transpose)",
             ("conv_input_grad", "conv_weight_grad", "conv_transpose"), _derive_stride, _relation_stride,
             adjust=_adjust_stride, bias=True),
    Relation("input_grad", "conv_transpose equals conv_input_grad of the matching forward problem",
             ("conv_transpose",), _derive_input_grad, _relation_input_grad, needs=_needs_input_grad),
]

_CLAUSES = {
    ("linearity", "conv_input_grad"): ("DX-EQ1",), ("linearity", "conv_weight_grad"): ("DW-EQ1",),
    ("linearity", "conv_bias_grad"): ("DB-EQ1",), ("linearity", "conv_transpose"): ("TC-EQ1",),
    ("groups", "conv_input_grad"): ("DX-EQ1", "DX-AT1"), ("groups", "conv_weight_grad"): ("DW-EQ1", "DW-AT1"),
    ("groups", "conv_transpose"): ("TC-EQ1", "TC-AT1"),
    ("stride", "conv_input_grad"): ("DX-EQ1", "DX-EQ2"), ("stride", "conv_weight_grad"): ("DW-EQ1",),
    ("stride", "conv_transpose"): ("TC-EQ1", "TC-SH1"),
    ("input_grad", "conv_transpose"): ("TC-AD1",),
}

#: Deterministic forward problems each relation adapts and runs before the random search.
BASES = (
    LayerSpec(2, 4, 4, (8,), (3,), (2,), ((2, 1),), (2,), 2, True),
    LayerSpec(2, 2, 3, (7, 5), (2, 3), (3, 1), ((1, 0), (0, 2)), (1, 2), 1, True),
    LayerSpec(1, 6, 3, (6, 7), (3, 2), (2, 2), ((-1, 1), (1, 1)), (2, 1), 3, True),
    LayerSpec(1, 2, 2, (4, 5, 5), (2, 2, 3), (2, 1, 2), ((1, 1), (0, 1), (0, 0)), (1, 1, 2), 2, True),
)


def conform(spec: LayerSpec, ctx: Context, op: str, rel: Relation) -> LayerSpec:
    """``spec`` narrowed to the claims and to what ``op`` takes (no negative pads for conv_transpose)."""
    if not ctx.claims.groups:
        spec = replace(spec, groups=1)
    if not ctx.claims.dilation:
        spec = replace(spec, dilation=(1,) * len(spec.spatial))
    pads = explicit_pads(spec)
    if op == "conv_transpose" or "negative" not in ctx.claims.padding:
        pads = tuple((max(lo, 0), max(hi, 0)) for lo, hi in pads)
    if "asymmetric" not in ctx.claims.padding:
        pads = tuple((max(lo, hi), max(lo, hi)) for lo, hi in pads)
    if "explicit" not in ctx.claims.padding:
        pads = ((0, 0),) * len(pads)
    bias = spec.bias and ctx.claims.bias and rel.bias and op == "conv_transpose"
    return fit(replace(spec, padding=pads, bias=bias))


def _example(rel: Relation, op: str, spec: LayerSpec, dtype: str, rng, ctx: Context) -> Example:
    spec = conform(fit(rel.adjust(spec, rng, ctx)), ctx, op, rel)
    return Example(tuple(rel.derive(base_case(op, spec, dtype, rng), rng, ctx)), rel.name)


def _random(ctx: Context, rel: Relation, op: str):
    @st.composite
    def examples(draw) -> Example:
        spec = draw(layer_specs(gradient_features(ctx.claims, op, remainder=True), max_side=4), label="problem")
        dtype = draw(layer_dtypes(ctx.pair_strategy("iufc", _out_kinds(ctx))), label="dtypes")[0]
        rng = np.random.default_rng(draw(seeds(), label="values seed"))
        return _example(rel, op, spec, dtype, rng, ctx)
    return examples()


def _fixed(ctx: Context, rel: Relation, op: str) -> Iterable[Example]:
    same, _ = ctx.pairs("iufc", _out_kinds(ctx))
    for number, spec in enumerate(b for b in BASES if len(b.spatial) in ctx.claims.ranks):
        rng = np.random.default_rng([number, 20261204])
        yield _example(rel, op, spec, same[number % len(same)][0], rng, ctx)


def _requires(rel: Relation, op: str):
    def requires(ctx: Context) -> str | None:
        if ctx.op != op:
            return f"not the operation {op}"
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


PROPERTIES = [
    Property(f"{op}.metamorphic.{rel.name}", rel.title, _CLAUSES[rel.name, op],
             strategy=lambda ctx, rel=rel, op=op: _random(ctx, rel, op), check=_check(rel),
             requires=_requires(rel, op), share=0.5, exhaustive=lambda ctx, rel=rel, op=op: _fixed(ctx, rel, op),
             op=op)
    for rel in RELATIONS for op in rel.ops
]
