"""Observe mode: what a backend does feature by feature, claimed or not, as information.

A claim decides what a run *checks*; a feature the backend does not claim is
a blank in its verdicts, although users want to know what the library does
there (a NaN that spreads to the whole image, an empty output that raises).
Observe mode runs, after the verdicts, one *probe* per feature of the
operation: a few properties under the backend's claims narrowed to a plain
problem (rank 2 if claimed, one padding form, no dilation, groups or bias,
one dtype) and widened by exactly that feature.  Each probe records one
observation:

==================  =====================================================
holds               every property of the probe held
deviates            a wrong result (value, shape, dtype, an accepted
                    invalid input), with the counterexample's reproducer
refuses             the backend raised on a valid input of the feature
crashes or hangs    a call ended the worker process or timed out
not available       no property of the probe applies to the backend (for
                    instance NaN handling with no floating dtype claimed)
error               the harness could not evaluate the probe
==================  =====================================================

Observations never change a property's status or the run's exit code; the
JSON report holds them in its ``observed`` section and ``convspec matrix``
draws its per-feature matrices from them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Sequence

import numpy as np

from convspec.spec.validation import ADMITTED_DTYPES

from .backend import Claims
from .properties import PROPERTIES, Property
from .results import PropertyResult, Status

HOLDS, DEVIATES, REFUSES, CRASHES, NOT_AVAILABLE, ERROR = (
    "holds", "deviates", "refuses", "crashes or hangs", "not available", "error")
#: Observation statuses, the most telling first (a probe reports its first in this order).
OUTCOMES = (CRASHES, DEVIATES, REFUSES, ERROR, HOLDS, NOT_AVAILABLE)
_LOST = ("timeout", "crashed")


@dataclass(frozen=True)
class Feature:
    """One column of an operation's matrix.

    Attributes:
        name: the column's name, e.g. ``"negative padding"``.
        properties: property ids, or id prefixes ending in ``"."``.
        widen: the plain claims -> the probe's claims, or None when the
            feature does not apply to the backend.
    """

    name: str
    properties: tuple[str, ...]
    widen: Callable[[Claims, Claims], Claims | None]
    """``(plain, claimed) -> probe claims``."""

    def property_list(self, op: str) -> list[Property]:
        return [p for p in PROPERTIES.values() if p.op == op
                and any(p.id == q or (q.endswith(".") and p.id.startswith(q)) for q in self.properties)]


def _float_dtype(claims: Claims) -> str:
    floats = [d for d in claims.dtypes if np.dtype(d).kind == "f"]
    return "float32" if "float32" in claims.dtypes else (floats or list(claims.dtypes))[0]


def plain_claims(claims: Claims, op: str) -> Claims:
    """The backend's claims narrowed to one plain problem (see the module docstring)."""
    plain = replace(claims, dtypes=(_float_dtype(claims),), mixed_dtypes=False, nonfinite=False,
                    validates_input=False)
    if op == "conv2d":
        return plain
    form = next((f for f in ("explicit", "VALID", "asymmetric", "SAME_UPPER", "SAME_LOWER", "negative")
                 if f in claims.padding), "explicit")
    return replace(plain, ranks=(2 if 2 in claims.ranks else claims.ranks[0],), padding=frozenset({form}),
                   dilation=False, groups=False, bias=False, empty_outputs=False, zero_size=False,
                   output_padding_below_stride=True)


def _set(**fields) -> Callable[[Claims, Claims], Claims]:
    return lambda plain, claimed: replace(plain, **fields)


def _dtype(name: str) -> Callable[[Claims, Claims], Claims]:
    return lambda plain, claimed: replace(plain, dtypes=(name,))


def _mixed(plain: Claims, claimed: Claims) -> Claims | None:
    return replace(plain, dtypes=claimed.dtypes, mixed_dtypes=True) if len(claimed.dtypes) > 1 else None


def _accuracy(plain: Claims, claimed: Claims) -> Claims:
    floats = tuple(d for d in claimed.dtypes if np.dtype(d).kind in "fc") or plain.dtypes
    return replace(plain, dtypes=floats, dilation=claimed.dilation, groups=claimed.groups,
                   ranks=tuple(claimed.ranks), padding=frozenset({"explicit"}))


def _nonfinite(plain: Claims, claimed: Claims) -> Claims:
    # NaN and infinity meet padding (CV-PD3), groups and dilated windows (CV-NF2) as claimed
    padding = frozenset({"explicit"}) if "explicit" in claimed.padding else plain.padding
    return replace(plain, nonfinite=True, padding=padding, dilation=claimed.dilation, groups=claimed.groups)


def _wide_output_padding(plain: Claims, claimed: Claims) -> Claims | None:
    # stride <= output_padding < dilation needs dilation (TC-AT2)
    return replace(plain, output_padding_below_stride=False, dilation=True) if claimed.dilation else None


_LAYER_VALUES = ("conv.values",)
_CORE_VALUES = ("values.exhaustive", "values.integer", "values.float", "values.complex")
_DTYPES = tuple(Feature(name, _LAYER_VALUES, _dtype(name)) for name in ADMITTED_DTYPES)


def _gradient_features(op: str) -> tuple[Feature, ...]:
    """The columns of a gradient's or the transposed convolution's matrix: the forward problem's
    features it takes (`convspec.conformance.strategies.gradient_features`) and its own."""
    values = (f"{op}.values",)
    forms = (("explicit padding", "explicit"), ("asymmetric padding", "asymmetric"),
             ("negative padding", "negative"), ("VALID", "VALID"))
    own = {
        "conv_input_grad": (Feature("unread elements +0", (f"{op}.remainder",), lambda plain, claimed: plain),),
        "conv_transpose": (Feature("bias", values, _set(bias=True)),
                           Feature("output_padding >= stride", (f"{op}.output_padding",), _wide_output_padding)),
    }.get(op, ())
    empty = () if op == "conv_transpose" else (
        Feature("empty outputs", (f"{op}.empty",), _set(empty_outputs=True)),
        Feature("zero-size inputs", (f"{op}.empty",), _set(zero_size=True)))
    window = () if op == "conv_bias_grad" else (  # dB = Σ dY reads no window
        *(Feature(label, values, _set(padding=frozenset({form})))
          for label, form in forms if not (form == "negative" and op == "conv_transpose")),
        Feature("dilation", values, _set(dilation=True)),
        Feature("groups", values, _set(groups=True)))
    accuracy = () if op == "conv_bias_grad" else (Feature("accuracy", (f"{op}.adjoint",), _accuracy),)
    return (
        *window,
        *own,
        *(Feature(f"rank {r}", values, _set(ranks=(r,))) for r in (1, 2, 3)),
        *empty,
        *(Feature(name, values, _dtype(name)) for name in ADMITTED_DTYPES),
        Feature("mixed dtypes", values, _mixed),
        Feature("non-finite locality", (f"{op}.specials",), _nonfinite),
        *accuracy,
        Feature("invalid input", (f"{op}.invalid.",), _set(validates_input=True)),
    )

#: The features of each operation, in column order.
FEATURES: dict[str, tuple[Feature, ...]] = {
    "conv": (
        *(Feature(label, _LAYER_VALUES, _set(padding=frozenset({form})))
          for label, form in (("explicit padding", "explicit"), ("asymmetric padding", "asymmetric"),
                              ("negative padding", "negative"), ("VALID", "VALID"),
                              ("SAME_UPPER", "SAME_UPPER"), ("SAME_LOWER", "SAME_LOWER"))),
        Feature("dilation", _LAYER_VALUES, _set(dilation=True)),
        Feature("groups", _LAYER_VALUES, _set(groups=True)),
        Feature("bias", _LAYER_VALUES, _set(bias=True)),
        *(Feature(f"rank {r}", _LAYER_VALUES, _set(ranks=(r,))) for r in (1, 2, 3)),
        Feature("empty outputs", ("conv.empty",), _set(empty_outputs=True)),
        Feature("zero-size inputs", ("conv.empty",), _set(zero_size=True)),
        *_DTYPES,
        Feature("mixed dtypes", _LAYER_VALUES, _mixed),
        Feature("non-finite locality", ("conv.specials",), _nonfinite),
        Feature("accuracy", ("conv.large",), _accuracy),
        Feature("invalid input", ("conv.invalid.",), _set(validates_input=True)),
    ),
    "conv2d": (
        *(Feature(name, _CORE_VALUES, _dtype(name)) for name in ADMITTED_DTYPES),
        Feature("mixed dtypes", _CORE_VALUES, _mixed),
        Feature("non-finite locality", ("special.",), _set(nonfinite=True)),
        Feature("subnormals", ("values.extremes",), lambda plain, claimed: plain),
        Feature("accuracy", ("values.large",), lambda plain, claimed: replace(plain, dtypes=claimed.dtypes)),
        Feature("invalid input", ("invalid.in1", "invalid.in2", "invalid.st", "invalid.va"),
                _set(validates_input=True)),
    ),
    **{op: _gradient_features(op) for op in ("conv_input_grad", "conv_weight_grad", "conv_bias_grad",
                                             "conv_transpose")},
}


def feature_names(op: str) -> tuple[str, ...]:
    """The column names of ``op``'s matrix."""
    return tuple(f.name for f in FEATURES.get(op, ()))


def _one(result: PropertyResult) -> str:
    if result.status == Status.PASS:
        return HOLDS
    if result.status == Status.NOT_CLAIMED:
        return NOT_AVAILABLE
    if result.status == Status.ERROR:
        return ERROR
    if result.status == Status.KNOWN:
        return DEVIATES
    kind = result.failure.kind if result.failure else ""
    return CRASHES if kind in _LOST else REFUSES if kind == "raised" else DEVIATES


def observation(feature: str, results: Sequence[PropertyResult], claims: Claims | None) -> dict[str, Any]:
    """The observation of one probe from the results of its properties."""
    outcomes = {r.id: _one(r) for r in results}
    status = next((o for o in OUTCOMES if o in outcomes.values()), NOT_AVAILABLE)
    first = next((r for r in results if outcomes[r.id] == status), None)
    failure = first.failure if first is not None else None
    note = "" if first is None or status in (HOLDS, DEVIATES, REFUSES, CRASHES) else (first.reason or "")
    if first is not None and first.status == Status.KNOWN:
        note = f"known deviation: {first.reason}"
    worst = max((r.accuracy.worst_ratio for r in results if r.accuracy is not None and r.accuracy.compared),
                default=None)
    return {
        "feature": feature, "status": status, "properties": outcomes,
        "property": first.id if first is not None and status != HOLDS else None,
        "problem": failure.problem if failure else None,
        "message": failure.message if failure else (note.strip().splitlines() or [""])[-1],
        "reproducer": failure.reproducer if failure else None,
        "worst_ratio": None if worst is None else (worst if np.isfinite(worst) else str(worst)),
        "examples": sum(r.examples for r in results),
        "claims": None if claims is None else claims.as_dict(),
    }


def observe(claims: Claims, op: str, run_property: Callable[[Claims, Property], PropertyResult],
            on_feature: Callable[[dict[str, Any]], None] | None = None,
            stop: Callable[[], bool] = lambda: False) -> list[dict[str, Any]]:
    """One observation per feature of ``op``; ``run_property(claims, prop)`` runs one property."""
    plain = plain_claims(claims, op)
    observed = []
    for feature in FEATURES.get(op, ()):
        if stop():
            break
        try:
            probe = feature.widen(plain, claims)
        except ValueError as exc:  # claims that cannot be formed (e.g. no dtype left)
            probe, reason = None, str(exc)
        else:
            reason = "the feature does not apply to this backend"
        if probe is None:
            item = observation(feature.name, [], None)
            item["message"] = reason
        else:
            item = observation(feature.name, [run_property(probe, p) for p in feature.property_list(op)], probe)
        observed.append(item)
        if on_feature:
            on_feature(item)
    return observed


def observed_text(observed: Sequence[dict[str, Any]]) -> str:
    """The console lines of observe mode: one per feature, with the first counterexample."""
    lines = [f"observed (information only, the verdicts above are unchanged), {len(observed)} features:"]
    width = max((len(item["feature"]) for item in observed), default=0)
    status = max((len(item["status"]) for item in observed), default=0)
    for item in observed:
        detail = f"  {item['property']} {item['problem']}" if item["problem"] else ""
        lines.append(f"  {item['feature']:<{width}}  {item['status']:<{status}}{detail}".rstrip())
    return "\n".join(lines)
