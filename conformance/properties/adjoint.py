"""Large gradient problems, beyond the oracle, judged by the adjoint identities.

For a forward problem ``Y = conv(X, W)`` (no bias) and ``dY`` of Y's shape,
every forward product ``X[u]·W[a]·dY[j]`` occurs once on each side of

    ⟨conv(X, W), dY⟩ = ⟨X, conv_input_grad(dY, W)⟩ = ⟨W, conv_weight_grad(X, dY)⟩   (DX-AD1, DW-AD1)

and, for the transposed convolution, whose terms are those of the input
gradient restricted to the windows ``j < i`` (TC-AD1),

    ⟨conv_transpose(X, W), Z⟩ = ⟨X, conv(Z, W)[windows j < i]⟩.

Each property ``op.adjoint`` calls the backend once on a large problem and
draws the other factor itself (the *probe* ``P``: X, W or Z, of the backend's
output shape), then compares ``L = ⟨P, R⟩`` (R the backend's result) with the
harness's ``T = ⟨conv(F, K), G⟩`` (``F, K, G`` the forward input, weights and
outgoing factor).

Integers (integer output dtypes) are exact on both sides, Python integers, and
must be equal.

Floats.  Let ``b[e]`` be the op's componentwise bound of element ``e`` of R
(DX-AC1, DW-AC1, TC-AC1; ``|R[e] − R_exact[e]| <= b[e]``) and
``A = ⟨conv(|F|, |K|), |G|⟩``, the sum of the magnitudes of all forward
products.  Then

* ``L_exact = ⟨P, R_exact⟩ = T_exact`` (the identity), and
  ``|⟨P, R⟩ − ⟨P, R_exact⟩| <= Σ |P[e]| b[e]``;
* the harness evaluates ``conv(F, K)`` in float64: each output within
  ``γ_n(2⁻⁵³)`` of its magnitude sum, ``n = (C/g)·∏K`` products (plus
  ``n·2⁻¹⁰⁷⁴`` of underflow), so its ``T`` is within ``γ_n(2⁻⁵³)·A`` of
  ``T_exact`` before the final inner product;
* both inner products are summed exactly and rounded once (every product split
  exactly by Dekker's TwoProduct, the parts summed by ``math.fsum``), each off
  by at most ``2⁻⁵³`` of its value, plus ``2⁻¹⁰⁷⁴`` per product for underflow.

So a correct backend satisfies

    |L − T| <= Σ |P| b + γ_{n+2}(2⁻⁵³)·A + 2⁻⁵³(|L| + |T|) + 4·size·2⁻¹⁰⁷⁴,

every sum of magnitudes evaluated in float64 and inflated by
``1 + 4γ_size(2⁻⁵³)`` so the float64 value is not below the exact one.  The
tolerance is loose where the products cancel (it counts magnitudes), never
tight enough to reject a backend that meets its componentwise bound.  Values
are moderate (``(1 + f)·2^e``, ``|e| <= 8``) and finite, so nothing overflows;
complex dtypes are checked at small sizes by ``op.values`` only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable

import numpy as np

from convspec.spec import conv_problem
from convspec.spec.error_model import _group_matmul, gamma

from ..judge import Violation, calls_text, check_array, require_ok
from ..operations import operation
from ..strategies import Example, LayerSpec, gradient_case, gradient_fill, gradient_shapes
from . import Context, Property

_U64 = 2.0 ** -53
#: The dtypes tried first when each large problem runs in one dtype only (the quick profile).
_PREFERRED = ("float64", "float32", "int64", "int32", "float16")
_SPLIT = 134217729.0

#: Large forward problems: (rank, X shape, W shape, stride, padding, dilation, groups).
SHAPES = (
    (2, (2, 3, 40, 36), (8, 3, 7, 7), (2, 2), ((3, 3), (3, 3)), (1, 1), 1),
    (2, (2, 16, 18, 18), (16, 4, 3, 3), (1, 1), ((1, 1), (1, 1)), (1, 1), 4),
    (2, (1, 12, 21, 20), (12, 1, 3, 3), (2, 2), ((1, 1), (1, 1)), (1, 1), 12),
    (2, (1, 8, 25, 24), (8, 8, 3, 3), (2, 1), ((2, 2), (2, 2)), (2, 2), 1),
    (2, (2, 4, 30, 31), (6, 4, 3, 3), (2, 3), ((-1, 2), (0, -1)), (1, 1), 2),
    (1, (2, 4, 300), (6, 4, 9), (3,), ((4, 4),), (1,), 1),
    (3, (1, 3, 8, 13, 12), (4, 3, 3, 3, 3), (1, 2, 2), ((1, 1), (1, 1), (0, 1)), (1, 1, 1), 1),
)


def _two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``p + e == a·b`` exactly (Dekker), for finite float64 arrays without overflow."""
    p = a * b
    def split(x):
        c = _SPLIT * x
        hi = c - (c - x)
        return hi, x - hi
    ah, al = split(a)
    bh, bl = split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def exact_inner(a: np.ndarray, b: np.ndarray) -> float:
    """``Σ a·b`` summed exactly and rounded once to float64."""
    with np.errstate(all="ignore"):
        p, e = _two_product(a.astype(np.float64).ravel(), b.astype(np.float64).ravel())
    return math.fsum(np.concatenate([p, e]).tolist())


def integer_inner(a: np.ndarray, b: np.ndarray) -> int:
    """``Σ a·b`` in Python integers."""
    return int((a.astype(object) * b.astype(object)).sum()) if a.size else 0


def _inflated(x: float, n: int) -> float:
    return x * (1 + 4 * float(gamma(n + 2, Fraction(1, 2 ** 53)))) + 4 * n * 2.0 ** -1074


# --------------------------------------------------------------------------- the identities per operation

def _forward(case, probe: np.ndarray):
    """``(F, K, G, P)``: the forward input, weights, outgoing factor and the probe, per operation."""
    op = case.op
    if op == "conv_input_grad":
        return probe, case.W, case.dY
    if op == "conv_weight_grad":
        return case.X, probe, case.dY
    p = operation(case).problem(case)
    outgoing = p.as_input_grad()[0]  # X with floor(output_padding / s) zeros appended (TC-AD1)
    return probe, case.W, outgoing


def _forward_values(case, F, K, G, integers: bool):
    fp = conv_problem(F, K, stride=case.stride, padding=case.padding, dilation=case.dilation, groups=case.groups)
    if integers:
        from ..oracle import _layer_integers
        return _layer_integers(fp), fp
    return _group_matmul(fp, fp.geometry.pad(F.astype(np.float64)), K.astype(np.float64)), fp


def check_adjoint(example: Example, ctx: Context) -> None:
    """The adjoint identity of the module docstring, exactly on integers, within its bound on floats."""
    case, probe = example.cases[0], example.probe
    (outcome,) = ctx.call([case])
    value = require_ok(outcome, [case])
    check_array(value, [case])
    op = operation(case)
    F, K, G = _forward(case, probe)
    out = op.out_dtype(case)
    integers = out.kind in "iu"
    Y, fp = _forward_values(case, F, K, G, integers)
    clause, probe_name, side = _WORDS[case.op]
    if integers:
        left, right = integer_inner(probe, value), integer_inner(Y, G)
        if left == right:
            return
        message = (f"[{clause}] the adjoint identity fails: <{probe_name}, C0> = {left}, but {side} = {right} "
                   f"(exact integers; {probe_name} is a random array of the result's shape)")
        code = (f"{calls_text([case], 0)}\n# {probe_name}_random: the random {probe_name} the identity pairs with C0\n"
                f"left = int(({probe_name}_random.astype(object) * C0.astype(object)).sum())\n"
                f"assert left == adjoint, f'<{probe_name}, C0> = {{left}}, the adjoint identity gives {{adjoint}}'")
        raise Violation("violation", message, [case], code, {f"{probe_name}_random": probe, "adjoint": right})
    bound, unconstrained = op.bound(case, ctx.claims.flushes_subnormals)
    bound = np.where(unconstrained, np.inf, bound)  # an element that may overflow constrains nothing
    size = probe.size + Y.size
    left, right = exact_inner(probe, value), exact_inner(Y, G)
    magnitude = _forward_values(case, np.abs(F.astype(np.float64)), np.abs(K.astype(np.float64)), G, False)[0]
    A = _inflated(float(np.sum(magnitude * np.abs(G.astype(np.float64)))), size + fp.terms)
    spread = _inflated(float(np.sum(np.abs(probe.astype(np.float64)) * bound)), size)
    tolerance = (spread + float(gamma(fp.terms + 2, Fraction(1, 2 ** 53))) * A
                 + _U64 * (abs(left) + abs(right)) + 4 * size * 2.0 ** -1074) * (1 + 8 * _U64)
    if abs(left - right) <= tolerance:
        return
    message = (f"[{clause}] the adjoint identity fails beyond its error bound: <{probe_name}, C0> = {left!r}, "
               f"but {side} = {right!r}; the difference {abs(left - right):.3g} is "
               f"{abs(left - right) / tolerance:.3g} times the bound {tolerance:.3g} that {op.clause_id('AC1')} "
               f"allows ({probe_name} is a random array of the result's shape)")
    code = (f"{calls_text([case], 0)}\n# {probe_name}_random: the random {probe_name} the identity pairs with C0\n"
            "from fractions import Fraction\n"
            f"left = sum(Fraction(float(p)) * Fraction(float(c)) for p, c in zip({probe_name}_random.ravel(), "
            "C0.ravel()))\n"
            "assert abs(float(left) - adjoint) <= tolerance, "
            f"f'<{probe_name}, C0> = {{float(left)!r}}, the adjoint identity gives {{adjoint!r}} +- {{tolerance!r}}'")
    raise Violation("violation", message, [case], code,
                    {f"{probe_name}_random": probe, "adjoint": right, "tolerance": tolerance})


#: Per operation: the clause, the probe's name and the harness's side of the identity.
_WORDS = {
    "conv_input_grad": ("DX-AD1", "X", "<conv(X, W), dY>"),
    "conv_weight_grad": ("DW-AD1", "W", "<conv(X, W), dY>"),
    "conv_transpose": ("TC-AD1", "Z", "<X, conv(Z, W)> over the windows j < i"),
}


@dataclass(frozen=True, eq=False, repr=False)
class AdjointExample(Example):
    """An example of one call and the probe the identity pairs with its result."""

    probe: np.ndarray | None = None


def _fits(ctx: Context, op: str, shape) -> bool:
    rank, xs, ws, stride, padding, dilation, groups = shape
    claims = ctx.claims
    negative = any(lo < 0 or hi < 0 for lo, hi in padding)
    asymmetric = any(lo != hi for lo, hi in padding)
    return (rank in claims.ranks and (groups == 1 or claims.groups) and (max(dilation) == 1 or claims.dilation)
            and (not negative or ("negative" in claims.padding and op != "conv_transpose"))
            and (not asymmetric or "asymmetric" in claims.padding) and "explicit" in claims.padding)


def large_examples(ctx: Context, op: str) -> Iterable[Example]:
    """The `SHAPES` read as calls of ``op``: one claimed real dtype per shape at the quick profile,
    every claimed real dtype otherwise; sizes capped by the claims."""
    same, _ = ctx.pairs("iuf", "iuf")
    for index, shape in enumerate(SHAPES):
        if not _fits(ctx, op, shape):
            continue
        rank, xs, ws, stride, padding, dilation, groups = shape
        spatial = tuple(ctx.side(v) for v in xs[2:])
        kernel = tuple(min(ctx.kernel(k), (v + lo + hi - 1) // d + 1)
                       for k, v, (lo, hi), d in zip(ws[2:], spatial, padding, dilation))
        spec = LayerSpec(xs[0], xs[1], ws[0], spatial, kernel, stride, padding, dilation, groups, False)
        usable = sorted((pair for pair in same if np.dtype(pair[0]).kind not in "iu"
                         or gradient_shapes(op, spec).terms <= np.iinfo(pair[0]).max // 4),
                        key=lambda pair: _PREFERRED.index(pair[0]) if pair[0] in _PREFERRED else len(_PREFERRED))
        if not usable:
            continue
        # quick: the most preferred dtype (float64 when claimed: precision losses show only there)
        # on every shape, and the others in turn
        chosen = (list(dict.fromkeys([usable[0], usable[index % len(usable)]])) if ctx.profile.name == "quick"
                  else usable)
        for dtype, _ in chosen:
            rng = np.random.default_rng([index, np.dtype(dtype).num, 9])
            case = gradient_case(op, spec, gradient_fill(rng, op, spec, dtype))
            probe_shape = operation(case).out_shape(case)
            probe = (rng.integers(-3, 4, probe_shape).astype(np.int64) if np.dtype(dtype).kind in "iu"
                     else np.ldexp(rng.uniform(1, 2, probe_shape) * rng.choice([-1.0, 1.0], probe_shape),
                                   rng.integers(-8, 9, probe_shape)))
            yield AdjointExample((case,), "large problem, adjoint identity", probe=probe)


def _requires(op: str):
    def requires(ctx: Context) -> str | None:
        if ctx.op != op:
            return f"not the operation {op}"
        if not ctx.has_pairs("iuf", "iuf"):
            return "no claimed real or integer dtype"
        if "explicit" not in ctx.claims.padding:
            return "explicit padding is not claimed"
        return None
    return requires


PROPERTIES = [
    Property(f"{op}.adjoint", title, clauses, strategy=None, check=check_adjoint, requires=_requires(op),
             exhaustive=lambda ctx, op=op: large_examples(ctx, op), op=op)
    for op, title, clauses in (
        ("conv_input_grad", "Large problems: <conv(X, W), dY> = <X, dX>", ("DX-AD1", "DX-AC1", "DX-RD1")),
        ("conv_weight_grad", "Large problems: <conv(X, W), dY> = <W, dW>", ("DW-AD1", "DW-AC1", "DW-RD1")),
        ("conv_transpose", "Large problems: <conv_transpose(X, W), Z> = <X, conv(Z, W)>",
         ("TC-AD1", "TC-AC1", "TC-RD1")),
    )
]
