"""What a wrong output is: a classic mistake, a loss of precision, or a wrong value.

When an output fails its value check, the judge asks `diagnose_values` (or,
for a wrong shape, `diagnose_shape`) which clause the failure breaks and
whether a well-known mistake explains it.  The work is done once per reported
failure, on the failing call only (which the search has already shrunk), so a
passing run never pays for it.  Every candidate value is computed by the
harness's oracle, `Operation.expected` (the specification's exact value), on a
transformed call or as a transform of the exact output, and judged with the
error model of the transformed call, `Operation.bound`.

Steps, in order, each ending the diagnosis when it applies:

1. **Non-finite from finite terms.**  An output the error model constrains
   (its terms are finite and its sum ``S`` is below the largest finite
   number, AC4) that is NaN or infinite breaks the locality clause (NF2,
   CV-NF2): no correct evaluation makes it.

2. **A classic variant** (`VARIANTS`, per operation): the kernel flipped
   (convolution), a conjugated operand, a transposed operand or output,
   swapped strides or per-axis attributes, padding on the wrong side, an
   ignored dilation, stride or bias, windows anchored at the wrong corner,
   integer sums wrapped in a narrower type, operands rounded to fewer
   significand bits.  A variant ``V`` is named only when

   a. the call tells it from the specification: at some output constrained in
      both, ``|c - v| > b_c + b_v`` (the componentwise bounds, plus the
      oracle's own slack), so no value lies within both bounds (for integers:
      some output differs); and
   b. the output matches ``V``: equal for integer outputs, within ``b_v`` for
      floats (the normwise bound for a normwise backend).

   By (a) an output that meets the specification is never given a variant.
   Index and attribute mistakes break the value clause (EQ2, CV-EQ1);
   wrapped integer sums and rounded operands are losses of precision and keep
   the exactness or accuracy clause (EX1, AC1).  Outputs over NaN or infinity
   (NF1) are matched the same way, by their IEEE values (`diagnose_specials`).

3. **A lower precision.**  Let ``r`` be the worst ratio of error to bound and
   ``u`` the output's unit roundoff.  The bound ``gamma_k(u) S + k eta`` is
   linear in ``u`` to first order in ``k u``, so the output's error is what
   the bound allows a computation with unit roundoff ``u_e = r u``: the
   error's *level*.  The ladder of coarser formats is float32 (``2**-24``),
   an 11-bit significand (float16, TF32: ``2**-11``) and bfloat16
   (``2**-8``).  A format ``D`` is named when ``u_e <= u_D`` and ``u_e`` lies
   in the upper half, on a logarithmic scale, of ``D``'s band:
   ``u_e > sqrt(u_D u_prev)``, ``u_prev`` the next finer level (the output's
   own for the first).  An error a little above the bound, as a careless but
   full-precision summation makes, is thus never blamed on a coarser format.
   A whole result computed in ``D`` shows it everywhere, so ``D`` is named
   only when every output also holds a value of ``D``'s width while the exact
   values do not (the result was computed in ``D`` and converted, which the
   message says), or when at least half of the compared outputs fail: one
   stray output is not a format.

4. **Precision or a wrong value.**  An error that no format of the ladder
   explains, ``u_e > 2**-8``, is a wrong value, not a loss of precision: the
   failure cites the value clause (EQ2, CV-EQ1) instead of the accuracy
   clause (AC1, CV-AC1).  bfloat16 is the narrowest format named: a backend
   that rounds its operands to a narrower one still (an 8-bit float, no
   admitted dtype) is reported as computing wrong values.  The coarsest
   conceivable format, a 1-bit
   significand (``u = 1/2``), cannot serve as the threshold: ``gamma_k(1/2)``
   is infinite for ``k >= 2``, so it would excuse any error.

Integer outputs have no rounding in the specification (EX1), but a backend
may round integer sums through a float: their error is measured against the
float64 bound of the same call, and steps 3 and 4 apply to it as to floats,
with float32 as the coarsest format: float16 and bfloat16 cannot even hold
the integers above ``2**11`` and ``2**8``, and no backend sums integers in them.

Where several variants match the failing call (a shrunk call is often too
small to tell, say, swapped strides from a ceil in the output size), every
one is named.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from convspec.spec import CLAUSES, OutsideSpecError, SpecTypeError, SpecValueError
from convspec.spec.error_model import real_dtype

from .comparison import compare_blocks_normwise, compare_componentwise
from .oracle import Expected

_U64 = 2.0 ** -53
#: What a transformed call may raise: it is outside the specification, so the variant does not apply.
_REFUSED = (SpecTypeError, SpecValueError, OutsideSpecError, OverflowError)
#: Coarser formats a backend may compute in: significand bits (with the implicit bit), a
#: description, and the format whose values a result computed at that width holds.
LADDER = ((24, "float32", "float32"), (11, "an 11-bit significand (float16 or TF32)", "float16"),
          (8, "bfloat16 (an 8-bit significand)", "bfloat16"))
#: Errors of a higher level than this many significand bits allow are wrong values (step 4):
#: for floating outputs, and for integer outputs.
COARSEST_BITS = 8
COARSEST_INTEGER_BITS = 24


# --------------------------------------------------------------------------- clauses

def value_clause(op) -> str:
    """The clause an output's value breaks when it is wrong: EQ2 for the core, ``XX-EQ1`` otherwise."""
    return op.clause_id("EQ1") if op.clause else "EQ2"


def locality_clause(op) -> str:
    """The clause broken by a non-finite output whose terms are finite (NF2, CV-NF2, else ``XX-NF1``)."""
    cid = op.clause_id("NF2")
    return cid if cid in CLAUSES else op.clause_id("NF1")


# --------------------------------------------------------------------------- variants

@dataclass(frozen=True)
class Variant:
    """A classic mistake, as the value it gives.

    Attributes:
        name: what the output matches ("correlation with flip(K)").
        meaning: what that says about the backend.
        case: ``case -> case | None``, the call whose specified value the
            mistake gives (None where the mistake cannot show on this call).
        output: ``(values, case) -> values | None``, a transform of the exact
            output instead (applied to its bound alike: only permutations, or
            integer-only transforms when ``kinds`` is ``"iu"``).
        kinds: the output dtype kinds the variant applies to.
        wrong_value: True when matching it means the value clause is broken;
            False for a loss of precision (the accuracy or exactness clause).
    """

    name: str
    meaning: str
    case: Callable[[Any], Any] | None = None
    output: Callable[[np.ndarray, Any], np.ndarray | None] | None = None
    kinds: str = "iufc"
    wrong_value: bool = True


def round_significand(x: np.ndarray, bits: int) -> np.ndarray:
    """``x`` rounded to ``bits`` significand bits (nearest, ties to even), kept in its dtype.

    The exponent range is not narrowed; integer arrays are returned unchanged.
    """
    if x.dtype.kind == "c":
        return (round_significand(x.real.copy(), bits) + 1j * round_significand(x.imag.copy(), bits)).astype(x.dtype)
    if x.dtype.kind != "f" or bits >= np.finfo(x.dtype).nmant + 1:
        return x
    with np.errstate(all="ignore"):
        mant, exp = np.frexp(x.astype(np.float64))
        rounded = np.ldexp(np.round(np.ldexp(mant, bits)), exp - bits)
    return np.where(np.isfinite(x), rounded, x).astype(x.dtype)


def _representable(values: np.ndarray, bits: int) -> np.ndarray:
    """True where a value (each part of a complex one) has at most ``bits`` significand bits."""
    v = np.asarray(values)
    if v.dtype == object or v.dtype.kind not in "fc":
        return np.ones(v.shape, bool)
    parts = (v.real, v.imag) if v.dtype.kind == "c" else (v,)
    ok = np.ones(v.shape, bool)
    for part in parts:
        part = part.astype(np.float64)
        with np.errstate(all="ignore"):
            ok &= ~np.isfinite(part) | (round_significand(part, bits) == part)
    return ok


def _replace(case, **fields):
    return dataclasses.replace(case, followup=None, **fields)


def _same_precision_rounding(bits: int, label: str) -> Variant:
    def transform(case):
        names = case.operand_names
        arrays = {n: getattr(case, n) for n in names}
        rounded = {n: round_significand(a, bits) if isinstance(a, np.ndarray) else a for n, a in arrays.items()}
        if all(rounded[n] is arrays[n] for n in names):
            return None
        return _replace(case, **rounded)
    return Variant(f"the specification on operands rounded to {label}",
                   f"the backend rounds its operands to {label} before multiplying, and loses precision",
                   case=transform, kinds="fc", wrong_value=False)


ROUNDED_OPERANDS = (_same_precision_rounding(24, "float32"),
                    _same_precision_rounding(11, "11 significand bits (TF32 or float16)"),
                    _same_precision_rounding(8, "bfloat16 (8 significand bits)"))


def _transposed_output(values: np.ndarray, case) -> np.ndarray | None:
    if values.ndim < 2 or values.shape[-1] != values.shape[-2]:
        return None
    return np.swapaxes(values, -1, -2)


def _wrapped(values: np.ndarray, case, narrow: np.dtype) -> np.ndarray | None:
    """Exact integer outputs as an accumulator of dtype ``narrow`` holds them (modulo ``2**bits``)."""
    bits = 8 * narrow.itemsize
    span = 1 << bits
    low = -(span >> 1) if narrow.kind == "i" else 0
    flat = [((int(v) - low) % span) + low for v in values.flat]
    return np.array(flat, dtype=object).reshape(values.shape)


def _narrow_accumulators(case) -> list[np.dtype]:
    arrays = [getattr(case, n) for n in case.operand_names]
    return sorted({a.dtype for a in arrays if isinstance(a, np.ndarray) and a.dtype.kind in "iu"},
                  key=lambda d: d.itemsize)


def _flip_spatial(x: np.ndarray, leading: int) -> np.ndarray:
    return x[(slice(None),) * leading + (slice(None, None, -1),) * (x.ndim - leading)]


def _conj(name: str) -> Variant:
    def transform(case):
        x = getattr(case, name)
        return _replace(case, **{name: np.conj(x)}) if isinstance(x, np.ndarray) and x.dtype.kind == "c" else None
    return Variant(f"the specification with conj({name})",
                   f"the backend conjugates {name} (the signal-processing correlation); "
                   "the specification does not", case=transform, kinds="c")


# --- the core, conv2d(M, K, *, stride)

def _core_stride(pick: Callable[[int, int], tuple[int, int]]):
    def transform(case):
        sx, sy = (int(s) for s in case.stride)
        new = pick(sx, sy)
        return None if new == (sx, sy) else _replace(case, stride=new)
    return transform


def _core_end_anchored(case):
    (m, n), (mk, nk), (sx, sy) = case.M.shape, case.K.shape, (int(s) for s in case.stride)
    dr, dc = (m - mk) % sx, (n - nk) % sy
    return _replace(case, M=case.M[dr:, dc:]) if dr or dc else None


CORE_VARIANTS = (
    Variant("correlation with flip(K)", "the backend computes convolution, not cross-correlation "
            "(Eq 2 does not flip the kernel)", case=lambda c: _replace(c, K=c.K[::-1, ::-1])),
    _conj("K"), _conj("M"),
    Variant("Eq 2 with K transposed", "the backend reads the kernel's rows as columns",
            case=lambda c: _replace(c, K=c.K.T)),
    Variant("Eq 2 with M transposed", "the backend reads the input's rows as columns",
            case=lambda c: _replace(c, M=c.M.T)),
    Variant("the transpose of Eq 2", "the backend returns the output with rows and columns exchanged",
            output=_transposed_output),
    Variant("Eq 2 with the strides swapped", "the backend steps sx over columns and sy over rows "
            "(ST1: sx steps over rows)", case=_core_stride(lambda sx, sy: (sy, sx))),
    Variant("Eq 2 with stride (sx, sx)", "the backend uses the first stride element on both axes",
            case=_core_stride(lambda sx, sy: (sx, sx))),
    Variant("Eq 2 with stride (sy, sy)", "the backend uses the second stride element on both axes",
            case=_core_stride(lambda sx, sy: (sy, sy))),
    Variant("Eq 2 with the windows anchored at the bottom-right corner",
            "the backend starts the first window at an offset, not at M[0, 0]", case=_core_end_anchored),
)


# --- the layer, conv(X, W, B, *, stride, padding, dilation, groups)

def _layer_problem(case):
    from .operations import LAYER
    return LAYER.problem(case)


def _swap_axes(t: int, u: int):
    def transform(case):
        p = _layer_problem(case)
        if p.rank <= max(t, u):
            return None
        def swap(values):
            values = list(values)
            values[t], values[u] = values[u], values[t]
            return tuple(values)
        padding = case.padding if isinstance(case.padding, str) else swap(p.padding)
        new = _replace(case, stride=swap(p.stride), dilation=swap(p.dilation), padding=padding)
        same = (new.stride == p.stride and new.dilation == p.dilation
                and (isinstance(padding, str) or padding == p.padding))
        return None if same else new
    return Variant(f"CV-EQ1 with the stride, padding and dilation of spatial axes {t} and {u} swapped",
                   f"the backend applies the attributes of spatial axis {t} to axis {u} and back",
                   case=transform)


def _pads_swapped(case):
    if isinstance(case.padding, str):
        other = {"SAME_UPPER": "SAME_LOWER", "SAME_LOWER": "SAME_UPPER"}.get(case.padding.upper())
        return _replace(case, padding=other) if other else None
    p = _layer_problem(case)
    pads = tuple((hi, lo) for lo, hi in p.padding)
    return None if pads == p.padding else _replace(case, padding=pads)


def _negative_pads(rule: Callable[[int], int]):
    def transform(case):
        if isinstance(case.padding, str):
            return None
        p = _layer_problem(case)
        if all(lo >= 0 and hi >= 0 for lo, hi in p.padding):
            return None
        return _replace(case, padding=tuple((rule(lo), rule(hi)) for lo, hi in p.padding))
    return transform


def _layer_attribute(name: str, value: Callable[[Any], Any]):
    def transform(case):
        p = _layer_problem(case)
        new = value(p)
        if new == getattr(p, name):
            return None
        return _replace(case, **{name: new, "padding": p.padding})  # named paddings keep their resolution
    return transform


def _bias(scale: int):
    def transform(case):
        B = case.B
        if B is None or B.size == 0:
            return None
        if scale == 0:
            return _replace(case, B=None)
        doubled = [2 * (int(v) if B.dtype.kind in "iu" else v) for v in B.tolist()]
        new = np.array(doubled, dtype=object if B.dtype.kind in "iu" else B.dtype)
        if B.dtype.kind in "iu":
            info = np.iinfo(B.dtype)
            if any(not info.min <= v <= info.max for v in doubled):
                return None
            new = new.astype(B.dtype)
        elif not np.isfinite(new).all():
            return None
        return _replace(case, B=new)
    return transform


LAYER_VARIANTS = (
    Variant("the layer with flip(W)", "the backend computes convolution, not cross-correlation "
            "(CV-EQ1 does not flip the kernel)", case=lambda c: _replace(c, W=_flip_spatial(c.W, 2))),
    _conj("W"), _conj("X"),
    Variant("CV-EQ1 with each padding pair read as (hi, lo)",
            "the backend pads on the wrong side (lo and hi, or SAME_UPPER and SAME_LOWER, exchanged)",
            case=_pads_swapped),
    Variant("CV-EQ1 with negative pads read as 0", "the backend clamps negative pads to zero "
            "instead of cropping (CV-PD1)", case=_negative_pads(lambda v: max(v, 0))),
    Variant("CV-EQ1 with negative pads read as positive", "the backend pads |p| zeros where a negative "
            "pad crops (CV-PD1)", case=_negative_pads(abs)),
    *(_swap_axes(t, u) for t, u in ((0, 1), (1, 2), (0, 2))),
    Variant("CV-EQ1 with dilation 1", "the backend ignores the dilation",
            case=_layer_attribute("dilation", lambda p: (1,) * p.rank)),
    Variant("CV-EQ1 with stride 1", "the backend ignores the stride",
            case=_layer_attribute("stride", lambda p: (1,) * p.rank)),
    Variant("CV-EQ1 without the bias", "the backend does not add the bias", case=_bias(0)),
    Variant("CV-EQ1 with the bias added twice", "the backend adds the bias twice", case=_bias(2)),
    Variant("CV-EQ1 with the last two spatial axes of the output exchanged",
            "the backend returns the output transposed", output=_transposed_output),
)

#: The classic variants of each operation, most telling first (an operation without an entry
#: gets the precision analysis only).
VARIANTS: dict[str, tuple[Variant, ...]] = {"conv2d": CORE_VARIANTS, "conv": LAYER_VARIANTS}


def _integer_wraps(case, out: np.dtype) -> tuple[Variant, ...]:
    narrow = [d for d in _narrow_accumulators(case) if d.itemsize < out.itemsize]
    return tuple(Variant(f"the exact sums wrapped to {d}",
                         f"the backend accumulates in {d} (an operand's dtype) and converts at the end",
                         output=lambda values, case, d=d: _wrapped(values, case, d), kinds="iu",
                         wrong_value=False)
                 for d in narrow)


# --------------------------------------------------------------------------- judging a variant

@dataclass(frozen=True)
class Finding:
    """The outcome of a diagnosis.

    Attributes:
        clause: the clause the failure breaks.
        summary: what the outputs are ("wrong values", "too imprecise", ...).
        detail: the named mistake and what it means, or "".
    """

    clause: str
    summary: str
    detail: str = ""


def _variant_values(op, variant: Variant, case, exp: Expected, bound, unconstrained, flush: bool):
    """``(expected, bound, unconstrained, case)`` of a variant on ``case``, or None where it does not apply."""
    if variant.case is not None:
        try:
            other = variant.case(case)
            if other is None or op.out_shape(other) != op.out_shape(case):
                return None
            vexp = op.expected(other)
            vbound, vunc = (None, None) if vexp.exact else op.bound(other, flush)
        except _REFUSED:
            return None
        return vexp, vbound, vunc, other
    values = variant.output(exp.values, case)
    if values is None or values.shape != exp.values.shape:
        return None
    if exp.exact:
        return Expected(values, True, 0.0, exp.path), None, None, case
    def move(a):
        return a if a is None or np.ndim(a) == 0 else variant.output(np.asarray(a), case)
    return (Expected(values, False, move(exp.slack), exp.path, move(exp.residual)),
            move(bound), move(unconstrained), case)


def _distinct(exp: Expected, bound, unconstrained, vexp: Expected, vbound, vunc) -> bool:
    """Step 2a: some output is further from the variant than both bounds together."""
    if exp.exact:
        with np.errstate(all="ignore"):
            return bool(np.any(np.asarray(exp.values.astype(object) != vexp.values.astype(object), bool)))
    a = exp.values.astype(np.complex128)
    b = vexp.values.astype(np.complex128)
    with np.errstate(all="ignore"):
        gap = np.abs(a - b) - 4 * _U64 * (np.abs(a) + np.abs(b))
        room = bound + vbound + exp.slack + vexp.slack
        far = (gap > room) & ~unconstrained & ~vunc & np.isfinite(a) & np.isfinite(b)
    return bool(far.any())


def _agrees(op, value, out, claims, vexp: Expected, vbound, vunc, vcase) -> bool:
    """Step 2b: the output is the variant's value (exactly, or within the variant's bound)."""
    if vexp.exact:
        with np.errstate(all="ignore"):
            return bool(np.all(np.asarray(value.astype(object) == vexp.values.astype(object), bool)))
    if claims.accuracy == "normwise" and op.normwise is not None:
        bound, skip = op.normwise(vcase, claims.flushes_subnormals)
        acc = compare_blocks_normwise(value, vexp.values, np.asarray(bound), skip, out, vexp.residual)
    else:
        acc = compare_componentwise(value, vexp.values, vbound + vexp.slack, vunc, out, residual=vexp.residual)
    return acc.ok and acc.compared > 0


def matching_variants(op, value: np.ndarray, case, claims, exp: Expected, bound=None,
                      unconstrained=None) -> list[Variant]:
    """The variants of step 2 that the output matches, most telling first."""
    out = op.out_dtype(case)
    flush = claims.flushes_subnormals
    if not exp.exact and bound is None:
        bound, unconstrained = op.bound(case, flush)
    found = (*VARIANTS.get(op.name, ()), *_integer_wraps(case, out),
             *(ROUNDED_OPERANDS if out.kind in "fc" else ()))
    matched = []
    for variant in found:
        if out.kind not in variant.kinds:
            continue
        got = _variant_values(op, variant, case, exp, bound, unconstrained, flush)
        if got is None:
            continue
        vexp, vbound, vunc, vcase = got
        if vexp.exact != exp.exact:
            continue
        if _distinct(exp, bound, unconstrained, vexp, vbound, vunc) and \
                _agrees(op, value, out, claims, vexp, vbound, vunc, vcase):
            matched.append(variant)
    return matched


def _ieee_equal(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Equal values, NaN equal to NaN (the comparison of NF1)."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(want), np.isnan(got), got == want)


def special_variants(op, value: np.ndarray, case, exp: Expected, special: np.ndarray) -> list[Variant]:
    """The variants whose IEEE values the outputs over NaN or infinity hold (step 2 for NF1).

    The outputs in ``special`` must equal the variant's values there (NaN
    matching NaN), and the variant must give some of them another value than
    the specification.
    """
    matched = []
    for variant in VARIANTS.get(op.name, ()):
        if op.out_dtype(case).kind not in variant.kinds:
            continue
        got = _variant_values(op, variant, case, exp, *op.bound(case, False), False)
        if got is None:
            continue
        want = np.asarray(got[0].values)[special].astype(np.float64)
        if not _ieee_equal(want, exp.values[special].astype(np.float64)).all() and \
                _ieee_equal(value[special].astype(np.float64), want).all():
            matched.append(variant)
    return matched


def _named(variants: Sequence[Variant]) -> str:
    """``the result matches A: meaning`` (``, or B: meaning`` for each further match)."""
    return "the result matches " + ", or ".join(f"{v.name}: {v.meaning}" for v in variants)


# --------------------------------------------------------------------------- precision

def _bits(dtype) -> int:
    return np.finfo(real_dtype(dtype)).nmant + 1


def precision_level(ratio: float, out_bits: int,
                    coarsest_bits: int = COARSEST_BITS) -> tuple[int, str, str] | None | str:
    """Step 3 and 4 for an error ``ratio`` times the bound of a ``out_bits``-bit output.

    Returns a ladder entry ``(bits, name, format)`` when the error sits at that
    format's level, ``"wrong"`` when no format down to ``coarsest_bits``
    explains it, and None when it is a loss of precision at no particular level.
    """
    if not math.isfinite(ratio):
        return "wrong"
    level = ratio * 2.0 ** -out_bits
    if level > 2.0 ** -coarsest_bits:
        return "wrong"
    previous = 2.0 ** -out_bits
    for entry in LADDER:
        bits = entry[0]
        if bits >= out_bits or bits < coarsest_bits:
            continue
        u = 2.0 ** -bits
        if level <= u:
            return entry if level > math.sqrt(u * previous) else None
        previous = u
    return None


def _computed_in(bits: int, value: np.ndarray, exp: Expected) -> bool:
    """Every finite output has ``bits`` significand bits while some exact value does not."""
    return bool(_representable(value, bits).all() and not _representable(exp.values, bits).all())


def _precision_text(level: tuple[int, str, str], ratio: float, out_bits: int, value, exp, out) -> str:
    bits, name, fmt = level
    share = ratio * 2.0 ** (bits - out_bits)
    text = f"the error is at the level of {name} ({share:.2g} times the bound for a {bits}-bit significand)"
    if _computed_in(bits, value, exp):
        return text + f": every output is a {fmt} value, so the backend computes in {fmt} and converts to {out}"
    return text + ": the backend computes with less precision than its output dtype"


# --------------------------------------------------------------------------- the diagnosis

def diagnose_specials(op, value: np.ndarray, case, exp: Expected, special: np.ndarray) -> Finding | None:
    """The value clause and the named mistake when a wrong-value variant explains wrong IEEE values."""
    variants = [v for v in special_variants(op, value, case, exp, special) if v.wrong_value]
    return Finding(value_clause(op), "wrong values", _named(variants)) if variants else None


def nonfinite_outputs(value: np.ndarray, exp: Expected, unconstrained: np.ndarray) -> np.ndarray:
    """Step 1: constrained outputs that are NaN or infinite although the specification's value is finite."""
    with np.errstate(all="ignore"):
        return ~unconstrained & ~np.isfinite(value) & np.isfinite(exp.values.astype(np.complex128))


def _float64_bound(op, case, flush: bool) -> np.ndarray | None:
    """The float64 bound of an integer call (its operands as float64), for steps 3 and 4."""
    arrays = {n: getattr(case, n) for n in case.operand_names}
    wide = {n: a.astype(np.float64) if isinstance(a, np.ndarray) else a for n, a in arrays.items()}
    try:
        return op.bound(_replace(case, **wide), flush)[0]
    except _REFUSED:
        return None


def _integer_ratio(op, value, case, exp: Expected, flush: bool) -> float:
    """The worst error of integer outputs over the float64 bound of the same call."""
    bound = _float64_bound(op, case, flush)
    if bound is None:
        return math.inf
    errors = np.array([abs(int(g) - int(e)) for g, e in zip(value.flat, exp.values.flat)], dtype=object)
    errors = errors.reshape(value.shape)
    worst = 0.0
    for err, b in zip(errors.flat, np.asarray(bound).flat):
        if err:
            worst = max(worst, math.inf if b <= 0 else float(err) / float(b))
    return worst


def diagnose_values(op, value: np.ndarray, case, claims, exp: Expected, ratio: float,
                    bound: np.ndarray | None = None, unconstrained: np.ndarray | None = None,
                    failing: float = 1.0) -> Finding:
    """Which clause a failing output breaks, and the mistake that explains it (see the module docstring).

    ``ratio`` is the worst error over the bound, as the failed comparison
    measured it (ignored for integer outputs); ``bound`` and ``unconstrained``
    are the failed comparison's, when it was componentwise, and ``failing``
    the share of the compared outputs that failed it.
    """
    out = op.out_dtype(case)
    flush = claims.flushes_subnormals
    accuracy = op.clause_id("EX1") if exp.exact else (
        op.clause_id("AC2") if claims.accuracy == "normwise" and op.normwise is not None else op.clause_id("AC1"))
    if not exp.exact:
        if unconstrained is None:
            bound, unconstrained = op.bound(case, flush)
        if nonfinite_outputs(value, exp, unconstrained).any():
            return Finding(locality_clause(op), "not finite although their terms are")
    variants = matching_variants(op, value, case, claims, exp, bound, unconstrained)
    if variants:
        if any(v.wrong_value for v in variants):
            return Finding(value_clause(op), "wrong values", _named([v for v in variants if v.wrong_value]))
        return Finding(accuracy, "too imprecise", _named(variants))
    out_bits = 53 if exp.exact else _bits(out)
    if exp.exact:
        ratio = _integer_ratio(op, value, case, exp, flush)
        if ratio <= 1:
            return Finding(accuracy, "not exact", "the error is within float64's rounding: the backend "
                                                  "rounds integer sums through float64")
    level = precision_level(ratio, out_bits, COARSEST_INTEGER_BITS if exp.exact else COARSEST_BITS)
    if level == "wrong":
        return Finding(value_clause(op), "wrong values", "the error is beyond what rounding to any format "
                                                         f"down to {'float32' if exp.exact else 'bfloat16'} allows")
    if level is None or (failing < 0.5 and (exp.exact or not _computed_in(level[0], value, exp))):
        return Finding(accuracy, "not exact" if exp.exact else "too imprecise")
    if exp.exact:
        return Finding(accuracy, "not exact",
                       f"the error is at the level of {level[1]}: the backend rounds integer sums "
                       "through a floating type")
    return Finding(accuracy, "too imprecise", _precision_text(level, ratio, out_bits, value, exp, out))


# --------------------------------------------------------------------------- shapes

def _core_ceil(case, want):
    (m, n), (mk, nk), (sx, sy) = case.M.shape, case.K.shape, (int(s) for s in case.stride)
    return (-(-(m - mk) // sx) + 1, -(-(n - nk) // sy) + 1)


def _layer_shape(per_axis: Callable[[Any], int]):
    def shape(case, want):
        p = _layer_problem(case)
        return (p.batch, p.out_channels, *(per_axis(a) for a in p.geometry.axes))
    return shape


def _ceil_axis(a) -> int:
    return a.out if a.padded <= 0 or a.k_eff > a.padded else -(-(a.padded - a.k_eff) // a.stride) + 1


def _span_axis(a) -> int:
    span = a.kernel * a.dilation
    return 0 if a.padded <= 0 or span > a.padded else (a.padded - span) // a.stride + 1


#: Shape formulas of classic mistakes, per operation: (name, meaning, ``(case, want) -> shape``).
SHAPES: dict[str, tuple[tuple[str, str, Callable], ...]] = {
    "conv2d": (("Eq 1 with ceil instead of floor",
                "the backend keeps partial windows at the bottom and right edges", _core_ceil),),
    "conv": (("CV-SH1 with ceil instead of floor", "the backend keeps a partial window at the end of an axis",
              _layer_shape(_ceil_axis)),
             ("CV-SH1 with a dilated window of k*d elements",
              "the backend sizes the dilated window as k*d instead of (k - 1)*d + 1",
              _layer_shape(_span_axis))),
}


def _generic_shapes(got: tuple[int, ...], want: tuple[int, ...]) -> str:
    if got == tuple(s for s in want if s != 1) and got != want:
        return "the shape with its axes of length 1 dropped: the backend squeezes the result"
    if len(got) == len(want) and got == want[:-2] + want[-2:][::-1] and got != want:
        return "the shape transposed: the backend exchanges the last two axes"
    if len(got) == len(want):
        off = [i for i, (g, w) in enumerate(zip(got, want)) if g != w]
        if off and all(abs(got[i] - want[i]) == 1 for i in off):
            words = ", ".join(f"axis {i} has {'one more' if got[i] > want[i] else 'one fewer'}" for i in off)
            return f"off by one ({words}): an off-by-one in the output size"
    return ""


def diagnose_shape(op, case, got: tuple[int, ...], want: tuple[int, ...]) -> str:
    """The classic mistakes whose output shape is ``got``, as a phrase, or ""."""
    found = []
    for name, meaning, formula in SHAPES.get(op.name, ()):
        try:
            if tuple(formula(case, want)) == got:
                found.append(f"{name}: {meaning}")
        except _REFUSED:
            continue
    for variant in VARIANTS.get(op.name, ()):
        if variant.case is None:
            continue
        try:
            other = variant.case(case)
            if other is not None and op.out_shape(other) == got:
                found.append(f"{variant.name}: {variant.meaning}")
        except _REFUSED:
            continue
    if found:
        return "it is the shape of " + ", or of ".join(found)
    generic = _generic_shapes(tuple(got), tuple(want))
    return f"it is {generic}" if generic else ""
