"""Properties of the layer, ``conv(X, W, B=None, *, stride, padding, dilation, groups)``.

* ``conv.values``: small problems over every claimed feature (ranks, groups,
  padding forms, dilation, bias, dtypes) give the CV-EQ1 values: integers
  exactly, floats within the CV-AC1 bound; the shape is CV-SH1's and the dtype
  CV-DT1's.
* ``conv.covering``: a deterministic covering design: every pair of feature
  levels (rank, groups, kernel, stride, dilation, padding form, bias) occurs
  in some problem, with integer values every summation order gives exactly.
* ``conv.empty``: empty outputs and zero-size inputs are results (CV-SH2).
* ``conv.specials``: NaN and infinities follow IEEE rules and stay local to
  their channel, group and windows (CV-NF1, CV-NF2, CV-PD3).
* ``conv.layout``: any memory layout of X, W and B (CV-IN5).
* ``conv.effects``: inputs unchanged, results fresh (CV-MU1).
* ``conv.result_type``: the result is a ``numpy.ndarray`` (CV-OU1).
* ``conv.core``: rank-2 problems with one channel, no padding and no
  dilation give the core's values (CV-CO1), judged by the core's oracle.
* ``conv.large``: larger layers against the harness's float64 evaluation.
* ``conv.metamorphic.*``: relations between calls that need no oracle,
  compared exactly on integer values (see `metamorphic_layer`).
* ``conv.invalid.*``: inputs with no meaning are refused (CV-IN1 … CV-PD2).
"""

from __future__ import annotations

import itertools
from typing import Iterable

import numpy as np
from hypothesis import strategies as st

from ..cases import LayerCase
from ..comparison import compare_componentwise, compare_normwise
from ..judge import Violation, calls_text, check_array, check_specials, check_values, require_ok
from ..operations import CORE, LAYER
from ..strategies import Example, LayerFeatures, LayerSpec, layer_cases, layer_fill
from . import Context, Property


def _features(ctx: Context, empty: bool = False) -> LayerFeatures:
    return LayerFeatures.from_claims(ctx.claims, empty)


def _check_dtype(value: np.ndarray, case: LayerCase, cases) -> None:
    want = LAYER.out_dtype(case)
    if value.dtype != want:
        raise Violation("violation", f"[CV-DT1] the result has dtype {value.dtype}, numpy.result_type "
                                     f"of the operands is {want}", cases,
                        f"{calls_text(cases, 0)}\nassert C0.dtype == np.dtype({str(want)!r}), C0.dtype")


def check_layer(example: Example, ctx: Context) -> None:
    """One call: shape, dtype and values (CV-SH1, CV-DT1, CV-EQ1 with CV-EX1 / CV-AC1)."""
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    value = require_ok(outcome, [case])
    check_array(value, [case])
    _check_dtype(value, case, [case])
    check_values(value, [case], ctx.claims, ctx.summary)


def check_layer_specials(example: Example, ctx: Context) -> None:
    """CV-NF1/CV-NF2: IEEE values where terms are non-finite, CV-EQ1 everywhere else."""
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    value = require_ok(outcome, [case])
    check_specials(value, [case])
    check_values(value, [case], ctx.claims, ctx.summary)


def _strategy(ctx: Context, floats: str = "moderate", layouts=("C",), specials: int = 0,
              empty: bool = False, kinds: str = "iufc"):
    return layer_cases(_features(ctx, empty), ctx.pair_strategy(kinds, "iufc"), layouts, floats,
                       specials).map(lambda case: Example((case,)))


def _needs(*features: str):
    def requires(ctx: Context) -> str | None:
        if "conv" != ctx.op:
            return "not the layer operation"
        if not ctx.has_pairs():
            return "no claimed dtype"
        claims = ctx.claims
        if "empty" in features and not (claims.empty_outputs or claims.zero_size):
            return "empty outputs and zero-size inputs are not claimed"
        if "nonfinite" in features and not (claims.nonfinite and ctx.has_pairs("iufc", "fc")):
            return "NaN and infinities are not claimed (or no floating dtype is)"
        if "core" in features and 2 not in claims.ranks:
            return "rank 2 is not claimed"
        if "validates" in features and not claims.validates_input:
            return "refusing invalid input is not claimed"
        return None
    return requires


# --------------------------------------------------------------------------- covering design

#: The levels of each feature the covering design combines.
LEVELS = {
    "rank": (1, 2, 3),
    "groups": (1, 2),
    "kernel": (1, 2, 3),
    "stride": (1, 2, 3),
    "dilation": (1, 2),
    "padding": ("explicit", "VALID", "SAME_UPPER", "SAME_LOWER", "negative", "asymmetric"),
    "bias": (False, True),
}
#: Problems of the covering design per profile (all pairs are covered first).
COVERING_BUDGET = {"quick": 60, "default": 200, "thorough": 600}


def _allowed(ctx: Context, combo: dict) -> bool:
    c = ctx.claims
    return (combo["rank"] in c.ranks and (combo["groups"] == 1 or c.groups)
            and (combo["dilation"] == 1 or c.dilation) and combo["padding"] in c.padding
            and (not combo["bias"] or c.bias))


def covering_combos(ctx: Context) -> list[dict]:
    """Greedy pairwise covering: every pair of allowed levels occurs, then more up to the budget."""
    names = list(LEVELS)
    allowed = [dict(zip(names, values)) for values in itertools.product(*LEVELS.values())]
    allowed = [c for c in allowed if _allowed(ctx, c)]
    order = np.random.default_rng(20261202).permutation(len(allowed))
    pool = [allowed[i] for i in order]
    def pairs(c):
        return {((a, c[a]), (b, c[b])) for a, b in itertools.combinations(names, 2)}
    uncovered = set().union(*(pairs(c) for c in pool)) if pool else set()
    chosen, rest = [], []
    for combo in pool:
        new = pairs(combo) & uncovered
        if new:
            chosen.append(combo)
            uncovered -= new
        else:
            rest.append(combo)
    budget = COVERING_BUDGET.get(ctx.profile.name, 200)
    return chosen + rest[:max(0, budget - len(chosen))]


def pattern(shape: tuple[int, ...], dtype: np.dtype, salt: int) -> np.ndarray:
    """Small fixed integers, distinct by position, exact in every admitted dtype."""
    index = np.indices(shape).reshape(len(shape), -1) if shape else np.zeros((0, 1), int)
    # weights prime to 5 and distinct per axis, so that no axis is constant modulo 5
    # (a constant channel or kernel axis would hide channel, bias and flip bugs)
    weights = np.array([(1, 2, 3, 4, 6, 7, 8, 9)[(2 * t + salt) % 8] for t in range(len(shape))])
    raw = ((weights[:, None] * (index + 1)).sum(axis=0) % 5).reshape(shape)
    if np.dtype(dtype).kind == "u":
        return (raw % 4).astype(dtype)
    return (raw - 2).astype(dtype)


def covering_examples(ctx: Context) -> Iterable[Example]:
    """The covering design's problems, in each claimed dtype (see `covering_combos`)."""
    same, _ = ctx.pairs()
    for number, combo in enumerate(covering_combos(ctx)):
        dtype = same[number % len(same)][0]
        rank, g, k = combo["rank"], combo["groups"], combo["kernel"]
        kernel = tuple(k if t == 0 else 1 + (k + t) % 3 for t in range(rank))
        dilation = (combo["dilation"],) * rank
        form = combo["padding"]
        pads = {"explicit": ((1, 1),), "asymmetric": ((0, 2),), "negative": ((-1, 1),)}.get(form)
        padding = form if pads is None else tuple(pads[0] if t == 0 else (1, 0) if form == "asymmetric" else (0, 0)
                                                for t in range(rank))
        spatial = tuple((kernel[t] - 1) * dilation[t] + 3 + (number + t) % 3 for t in range(rank))
        stride = tuple(combo["stride"] if t == 0 else 1 + (number + t) % 2 for t in range(rank))
        X = pattern((1 + number % 2, 2 * g, *spatial), dtype, 0)
        W = pattern((2 * g, 2, *kernel), dtype, 1)
        B = pattern((2 * g,), dtype, 2) if combo["bias"] else None
        yield Example((LayerCase(X, W, B, stride, padding, dilation, g),), "covering design")


def empty_examples(ctx: Context) -> Iterable[Example]:
    """One fixed problem of each zero-size kind CV-SH2 names (a window overhanging the input by one
    element and by two), in each claimed rank and dtype.

    The random search reaches these too, but a draw can miss one (C = 0 with a bias
    gives the broadcast bias, which a backend returning zeros gets wrong only there).
    """
    claims = ctx.claims
    same, _ = ctx.pairs()
    bias = claims.bias
    for number, rank in enumerate(r for r in (1, 2, 3) if r in claims.ranks):
        dtype = same[number % len(same)][0]
        ones = (1,) * rank
        valid = tuple((0, 0) for _ in range(rank)) if "explicit" in claims.padding else "VALID"
        kinds = []
        if claims.zero_size:
            kinds += [("C = 0 with a bias" if bias else "C = 0", (2, 0, *(3,) * rank), (3, 0, *(2,) * rank)),
                      ("N = 0", (0, 2, *(3,) * rank), (3, 2, *(2,) * rank))]
        if claims.empty_outputs:
            # overhanging by one element, floor((padded - k_eff) / s) + 1 is already 0; by two it
            # is -1, where a size computed without CV-SH1's "0 when k_eff > padded" is negative
            kinds += [("a window larger than the input", (1, 2, *(2,) * rank), (3, 2, *(3,) * rank)),
                      ("a window two elements larger than the input", (1, 2, *(1,) * rank), (3, 2, *(3,) * rank))]
        for note, xs, ws in kinds:
            X, W = pattern(xs, dtype, 0), pattern(ws, dtype, 1)
            B = np.arange(1, ws[0] + 1).astype(dtype) if bias else None
            yield Example((LayerCase(X, W, B, ones, valid, ones, 1),), note)


# --------------------------------------------------------------------------- the core as a special case

def check_core(example: Example, ctx: Context) -> None:
    """CV-CO1: the layer on a core problem gives the core oracle's values."""
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    value = require_ok(outcome, [case])
    check_array(value, [case])
    from ..cases import Case
    core = Case(case.X[0, 0], case.W[0, 0], case.stride)
    exp = CORE.expected(core)
    plane = value[0, 0]
    if exp.exact:
        wrong = plane.astype(object) != exp.values.astype(object)
        where = tuple(int(v) for v in np.argwhere(wrong)[0]) if wrong.any() else None
        detail = "" if where is None else f"; first at {where}"
    else:
        out = CORE.out_dtype(core)
        if ctx.claims.accuracy == "normwise":
            acc = compare_normwise(plane, exp.values, core.M, core.K, core.stride, out,
                                   ctx.claims.flushes_subnormals, exp.residual)
        else:
            bound, unconstrained = CORE.bound(core, ctx.claims.flushes_subnormals)
            acc = compare_componentwise(plane, exp.values, bound + exp.slack, unconstrained, out, exp.residual)
        where = None if acc.ok else (acc.worst_index or tuple(int(v) for v in np.unravel_index(
            int(np.argmax(np.abs(plane.astype(np.complex128) - exp.values))), plane.shape)))
        detail = "" if where is None else f"; worst at {where}, {acc.worst_ratio:.3g} times the {ctx.claims.accuracy} bound"
    if where is not None:
        raise Violation("violation", "[CV-CO1] the layer's result on a core problem differs from the core's "
                                     f"Eq 2 (one channel, no padding, no dilation){detail}: got "
                                     f"{plane[where]!r}, exact {exp.values[where]!r}", [case],
                        f"{calls_text([case], 0)}\n# compare C0[0, 0] with conv2d(X0[0, 0], W0[0, 0], stride=stride0)",
                        {})


@st.composite
def core_examples(draw, ctx: Context) -> Example:
    feats = LayerFeatures(ranks=(2,), padding=frozenset({"VALID"}), dilation=False, groups=False, bias=False)
    case = draw(layer_cases(feats, ctx.pair_strategy(), ("C",), "moderate"), label="call")
    X, W = case.X[:1, :1], case.W[:1, :1]
    return Example((LayerCase(X, W, None, case.stride, ((0, 0), (0, 0)), (1, 1), 1),))


# --------------------------------------------------------------------------- effects

def check_effects(example: Example, ctx: Context) -> None:
    """CV-MU1: the operands are unchanged and the result shares no memory with them."""
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    require_ok(outcome, [case])
    if outcome.mutated:
        names = ", ".join(outcome.mutated)
        raise Violation("violation", f"[CV-MU1] the call changed {names}", [case],
                        f"_before = [a.copy() for a in (X0, W0, B0) if a is not None]\n{calls_text([case], 0)}\n"
                        "assert all(np.array_equal(a, b, equal_nan=True) for a, b in "
                        "zip([a for a in (X0, W0, B0) if a is not None], _before)), 'an operand changed'")
    if outcome.shares_memory:
        raise Violation("violation", "[CV-MU1] the result shares memory with an operand", [case],
                        f"{calls_text([case], 0)}\n"
                        "assert not any(np.shares_memory(C0, a) for a in (X0, W0, B0) if a is not None)")


def check_result_type(example: Example, ctx: Context) -> None:
    """CV-OU1: the result is a numpy.ndarray."""
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    require_ok(outcome, [case])


# --------------------------------------------------------------------------- large

def large_examples(ctx: Context) -> Iterable[Example]:
    """Deterministic larger layers: a strided stem, a grouped and a depthwise layer, 1-D and 3-D."""
    same, _ = ctx.pairs()
    shapes = [
        (2, (1, 3, 40, 36), (8, 3, 7, 7), (2, 2), ((3, 3), (3, 3)), (1, 1), 1),
        (2, (2, 16, 18, 18), (16, 4, 3, 3), (1, 1), ((1, 1), (1, 1)), (1, 1), 4),
        (2, (1, 12, 20, 20), (12, 1, 3, 3), (2, 2), ((1, 1), (1, 1)), (1, 1), 12),
        (2, (1, 8, 24, 24), (8, 8, 3, 3), (1, 1), ((2, 2), (2, 2)), (2, 2), 1),
        (1, (2, 4, 300), (6, 4, 9), (3,), ((4, 4),), (1,), 1),
        (3, (1, 3, 8, 12, 12), (4, 3, 3, 3, 3), (1, 2, 2), ((1, 1), (1, 1), (1, 1)), (1, 1, 1), 1),
    ]
    for index, (rank, xs, ws, stride, padding, dilation, groups) in enumerate(shapes):
        if (rank not in ctx.claims.ranks or (groups > 1 and not ctx.claims.groups)
                or (max(dilation) > 1 and not ctx.claims.dilation) or "explicit" not in ctx.claims.padding):
            continue
        for dtype, _ in same:
            rng = np.random.default_rng([index, np.dtype(dtype).num])
            spec = LayerSpec(xs[0], xs[1], ws[0], xs[2:], ws[2:], stride, padding, dilation, groups,
                             ctx.claims.bias)
            X, W, B = layer_fill(rng, spec, (dtype, dtype, dtype))
            yield Example((LayerCase(X, W, B, stride, padding, dilation, groups),), "large layer")


# --------------------------------------------------------------------------- invalid input

def _valid(ctx: Context) -> LayerCase:
    from ..operations import LAYER as op
    return op.example(ctx.claims)


def _meaningless(case: LayerCase) -> dict[str, tuple[str, LayerCase]]:
    """Calls that break one clause each, with no meaning under any representation."""
    X, W = case.X, case.W
    d = X.ndim - 2
    rep = lambda **kw: LayerCase(**{**{f: getattr(case, f) for f in
                                        ("X", "W", "B", "stride", "padding", "dilation", "groups")}, **kw})
    return {
        "X without a batch axis": ("CV-IN1", rep(X=X[0])),
        "X of rank 6": ("CV-IN1", rep(X=X[(None,) * (6 - X.ndim)] if X.ndim < 6 else X,
                                      W=W, stride=case.stride)),
        "W of another rank than X": ("CV-IN2", rep(W=W[0])),
        "X of dtype str": ("CV-IN3", rep(X=X.astype(str))),
        "W of dtype datetime64": ("CV-IN3", rep(W=W.astype(np.int64).astype("datetime64[s]"))),
        "B of the wrong length": ("CV-IN4", rep(B=np.zeros(W.shape[0] + 1, W.dtype))),
        "B of rank 2": ("CV-IN4", rep(B=np.zeros((W.shape[0], 1), W.dtype))),
        "stride with one element too many": ("CV-AT1", rep(stride=(1,) * (d + 1))),
        "stride 0": ("CV-AT1", rep(stride=(0,) + (1,) * (d - 1))),
        "negative stride": ("CV-AT1", rep(stride=(-1,) + (1,) * (d - 1))),
        "stride 1.5": ("CV-AT1", rep(stride=(1.5,) + (1,) * (d - 1))),
        "dilation 0": ("CV-AT2", rep(dilation=(0,) + (1,) * (d - 1))),
        "dilation with one element too few": ("CV-AT2", rep(dilation=(1,) * (d - 1) if d > 1 else ())),
        "groups 0": ("CV-AT3", rep(groups=0)),
        "groups that do not divide C": ("CV-AT3", rep(groups=X.shape[1] + 1)),
        "W.shape[1] != C / groups": ("CV-AT4", rep(W=np.concatenate([W, W], axis=1))),
        "padding with one pair too many": ("CV-PD1", rep(padding=((0, 0),) * (d + 1))),
        "padding pair of three": ("CV-PD1", rep(padding=((0, 0, 0),) * d)),
        "padding 0.5": ("CV-PD1", rep(padding=((0.5, 0),) * d)),
        "padding 'SAME'": ("CV-PD2", rep(padding="SAME")),
        "padding 'FULL'": ("CV-PD2", rep(padding="FULL")),
    }


def invalid_examples(ctx: Context, clause: str):
    base = _valid(ctx)
    variants = [(name, case) for name, (cid, case) in _meaningless(base).items() if cid == clause]
    return st.sampled_from(variants).map(lambda item: Example((item[1],), item[0]))


def invalid_list(ctx: Context, clause: str) -> Iterable[Example]:
    base = _valid(ctx)
    for name, (cid, case) in _meaningless(base).items():
        if cid == clause:
            yield Example((case,), f"{name} [{cid}]")


def check_refused(example: Example, ctx: Context) -> None:
    """The call must raise: any exception is a refusal (the run's first call showed it computes)."""
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    if outcome.status == "raised":
        return
    if outcome.status in ("timeout", "crashed"):
        require_ok(outcome, [case])
    raise Violation("violation", f"the backend accepted {example.note} ({case.descriptor()}) and returned "
                                 f"{outcome.result_type or 'a result'} instead of raising", [case],
                    "try:\n    " + calls_text([case], 0) + "\nexcept Exception as exc:\n"
                    "    print('refused:', type(exc).__name__, exc)\nelse:\n"
                    f"    raise AssertionError({'the backend accepted ' + example.note + ' instead of raising'!r})")


INVALID = ("CV-IN1", "CV-IN2", "CV-IN3", "CV-IN4", "CV-AT1", "CV-AT2", "CV-AT3", "CV-AT4", "CV-PD1", "CV-PD2")


def _prop(pid, title, clauses, check, strategy=None, requires=("base",), **kw) -> Property:
    return Property(pid, title, clauses, strategy=strategy, check=check, requires=_needs(*requires),
                    op="conv", **kw)


PROPERTIES = [
    _prop("conv.covering", "A covering design of every pair of feature levels gives the CV-EQ1 values",
          ("CV-EQ1", "CV-SH1", "CV-PD1", "CV-PD2", "CV-AT1", "CV-AT2", "CV-AT3", "CV-EX1"), check_layer,
          exhaustive=covering_examples),
    _prop("conv.values", "Small layers give the CV-EQ1 values, CV-SH1 shape and CV-DT1 dtype",
          ("CV-EQ1", "CV-SH1", "CV-DT1", "CV-EX1", "CV-RD1", "CV-AC1", "CV-AC2", "CV-PD1", "CV-PD2", "CV-PD3"),
          check_layer, strategy=lambda ctx: _strategy(ctx)),
    _prop("conv.empty", "Empty outputs and zero-size inputs are results (CV-SH2)", ("CV-SH2",),
          check_layer, strategy=lambda ctx: _strategy(ctx, empty=True), requires=("empty",), share=0.5,
          exhaustive=empty_examples),
    _prop("conv.specials", "NaN and infinities follow IEEE rules and stay local",
          ("CV-NF1", "CV-NF2", "CV-PD3"), check_layer_specials,
          strategy=lambda ctx: _strategy(ctx, specials=3, kinds="fc"), requires=("nonfinite",)),
    _prop("conv.layout", "Any memory layout of X, W and B gives the same values", ("CV-IN5",),
          check_layer, strategy=lambda ctx: _strategy(ctx, layouts=ctx.layouts()), share=0.5),
    _prop("conv.effects", "The operands are unchanged and the result is fresh", ("CV-MU1",),
          check_effects, strategy=lambda ctx: _strategy(ctx, layouts=ctx.layouts(("readonly",))), share=0.3),
    _prop("conv.result_type", "The result is a numpy.ndarray", ("CV-OU1",), check_result_type,
          strategy=lambda ctx: _strategy(ctx), share=0.1),
    _prop("conv.core", "On a core problem the layer gives the core's Eq 2", ("CV-CO1",), check_core,
          strategy=lambda ctx: core_examples(ctx), requires=("core",), share=0.5),
    _prop("conv.large", "Larger layers (strided stem, grouped, depthwise, dilated, 1-D, 3-D)",
          ("CV-EQ1", "CV-AC1", "CV-AC2", "CV-EX1"), check_layer, exhaustive=large_examples),
] + [
    _prop(f"conv.invalid.{cid[3:].lower()}", f"Inputs violating {cid} are refused", (cid,), check_refused,
          exhaustive=lambda ctx, cid=cid: invalid_list(ctx, cid), requires=("validates",))
    for cid in INVALID
]
