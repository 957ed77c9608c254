"""Properties of the layer's gradients and of the transposed convolution.

For each operation ``op`` of ``conv_input_grad`` (clauses ``DX-``),
``conv_weight_grad`` (``DW-``), ``conv_bias_grad`` (``DB-``) and
``conv_transpose`` (``TC-``), problems are drawn as forward layer problems read
backwards (`convspec.conformance.strategies.gradient_cases`), with remainder
rows, dilation, groups, explicit (and, for the gradients, negative) pads,
``output_padding`` within the claimed rule, ranks 1-3 and every claimed dtype:

* ``op.values``: shape, dtype and values: integers exactly, floats within the
  op's componentwise bound (``*-EQ1``, ``*-SH*``, ``*-DT1``, ``*-RD1``, ``*-AC1``);
* ``op.empty``: empty shapes are results (DX-SH2, DW-SH2, DB-EQ1);
* ``op.specials``: NaN and infinities follow IEEE rules and reach exactly the
  elements their terms feed (``*-NF1``, DW-PD1);
* ``conv_input_grad.remainder``: input elements no window reads (remainder rows,
  cropped or skipped elements) are exactly +0, even next to NaN and infinities
  (DX-EQ2);
* ``conv_transpose.output_padding``: ``stride <= output_padding < dilation``
  (allowed by TC-AT2, not by ONNX's rule, TC-CL1);
* ``op.layout``, ``op.effects``, ``op.result_type``: any memory layout, no
  operand changed and a fresh result, a ``numpy.ndarray`` (the layer's CV-IN5,
  CV-MU1 and CV-OU1, which the gradients share);
* ``op.adjoint`` (`convspec.conformance.properties.adjoint`): large problems,
  beyond the oracle, judged by the adjoint identities;
* ``op.invalid.<clause>``: inputs violating a clause are refused (refusal
  counts only after the run's first, valid call succeeded).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

import numpy as np

from ..judge import Violation, calls_text, check_array, check_specials, check_values, require_ok
from ..operations import operation
from ..strategies import Example, GRADIENT_OPS, gradient_cases, gradient_features
from . import Context, Property

#: The clause prefix of each operation.
PREFIX = {"conv_input_grad": "DX", "conv_weight_grad": "DW", "conv_bias_grad": "DB", "conv_transpose": "TC"}


# --------------------------------------------------------------------------- checks

def _check_dtype(value: np.ndarray, case, cases) -> None:
    op = operation(case)
    want = op.out_dtype(case)
    if value.dtype != want:
        raise Violation("violation", f"[{op.clause_id('DT1')}] the result has dtype {value.dtype}, the "
                                     f"specification's is {want}", cases,
                        f"{calls_text(cases, 0)}\nassert C0.dtype == np.dtype({str(want)!r}), C0.dtype")


def check_call(example: Example, ctx: Context) -> None:
    """One call: shape, dtype, values, and the IEEE values of non-finite terms."""
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    value = require_ok(outcome, [case])
    check_array(value, [case])
    _check_dtype(value, case, [case])
    exp = operation(case).expected(case)
    check_specials(value, [case], exp=exp)
    check_values(value, [case], ctx.claims, ctx.summary, exp=exp)


def check_unread_zero(example: Example, ctx: Context) -> None:
    """DX-EQ2: elements no window reads are exactly +0; then the values as `check_call`."""
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    value = require_ok(outcome, [case])
    check_array(value, [case])
    unread = operation(case).problem(case).term_counts() == 0
    got = value[unread]
    with np.errstate(invalid="ignore"):
        bad = ~((got == 0) & ~np.signbit(got.real))
    if bad.any():
        where = tuple(int(v) for v in np.argwhere(unread)[int(np.argmax(bad))])
        raise Violation(
            "violation", f"[DX-EQ2] {int(bad.sum())} of {int(unread.sum())} input elements that no window reads "
                         f"are not +0; first at {where}: got {value[where]!r}", [case],
            f"{calls_text([case], 0)}\n# unread: the elements of dX that no window reads (DX-EQ2)\ngot = C0[unread]\n"
            "bad = ~((got == 0) & ~np.signbit(got.real))\n"
            "assert not bad.any(), f'unread elements hold {got[bad]!r}, not +0'", {"unread": unread})
    check_call(example, ctx)


def _before(case) -> str:
    names = ", ".join(f"{name}0" for name in case.operand_names)
    return f"[a for a in ({names},) if isinstance(a, np.ndarray)]"


def check_effects(example: Example, ctx: Context) -> None:
    """The operands are unchanged and the result shares no memory with them (CV-MU1)."""
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    require_ok(outcome, [case])
    live = _before(case)
    if outcome.mutated:
        raise Violation("violation", f"[CV-MU1] the call changed {', '.join(outcome.mutated)}", [case],
                        f"_before = [a.copy() for a in {live}]\n{calls_text([case], 0)}\n"
                        f"assert all(np.array_equal(a, b, equal_nan=True) for a, b in zip({live}, _before)), "
                        "'an operand changed'")
    if outcome.shares_memory:
        raise Violation("violation", "[CV-MU1] the result shares memory with an operand", [case],
                        f"{calls_text([case], 0)}\nassert not any(np.shares_memory(C0, a) for a in {live})")


def check_result_type(example: Example, ctx: Context) -> None:
    """CV-OU1: the result is a numpy.ndarray."""
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    require_ok(outcome, [case])


# --------------------------------------------------------------------------- strategies

def _draw(ctx: Context, op: str, *, floats: str = "moderate", layouts=("C",), specials: int = 0,
          empty: bool = False, kinds: str = "iufc", wide_output_padding: bool = False):
    features = gradient_features(ctx.claims, op, empty)
    cases = gradient_cases(op, features, ctx.pair_strategy(kinds, "iufc"), layouts, floats, specials,
                           max_side=ctx.side(5), below_stride=ctx.claims.output_padding_below_stride,
                           wide_output_padding=wide_output_padding)
    return cases.map(lambda case: Example((case,)))


def _needs(op: str, *features: str):
    def requires(ctx: Context) -> str | None:
        if ctx.op != op:
            return f"not the operation {op}"
        if not ctx.has_pairs():
            return "no claimed dtype"
        claims = ctx.claims
        if "empty" in features and not (claims.empty_outputs or claims.zero_size):
            return "empty outputs and zero-size inputs are not claimed"
        if "nonfinite" in features and not (claims.nonfinite and ctx.has_pairs("iufc", "fc")):
            return "NaN and infinities are not claimed (or no floating dtype is)"
        if "validates" in features and not claims.validates_input:
            return "refusing invalid input is not claimed"
        if "wide_output_padding" in features:
            if claims.output_padding_below_stride:
                return "ONNX's rule output_padding < stride is claimed (TC-CL1)"
            if not claims.dilation:
                return "dilation > 1 is not claimed (output_padding >= stride needs dilation > stride)"
        return None
    return requires


# --------------------------------------------------------------------------- invalid input

def _meaningless(op: str, case) -> dict[str, tuple[str, object]]:
    """Calls of ``op`` that break one clause each (built from the run's first, valid call)."""
    rep = lambda **kw: replace(case, **kw)  # noqa: E731
    if op == "conv_bias_grad":
        dY = case.dY
        # dY[0] would be a valid dY of one spatial rank less (unless d = 1): drop every spatial axis instead
        return {"dY with no spatial axis": ("DB-IN1", rep(dY=dY.reshape(dY.shape[:2] + (-1,))[..., 0])),
                "dY of rank 6": ("DB-IN1", rep(dY=dY[(None,) * (6 - dY.ndim)])),
                "dY of dtype str": ("DB-IN1", rep(dY=dY.astype(str)))}
    d = len(case.stride)
    ones = (1,) * d
    if op == "conv_transpose":
        X, W = case.X, case.W
        return {
            "X without a batch axis": ("TC-IN1", rep(X=X[0])),
            "X of dtype str": ("TC-IN1", rep(X=X.astype(str))),
            "W.shape[0] != C": ("TC-IN2", rep(W=np.concatenate([W, W[:1]], axis=0))),
            "W of another rank than X": ("TC-IN2", rep(W=W[0])),
            "B of the wrong length": ("TC-IN3", rep(B=np.zeros(W.shape[1] + 1, W.dtype))),
            "B of rank 2": ("TC-IN3", rep(B=np.zeros((W.shape[1], 1), W.dtype))),
            "padding 'VALID'": ("TC-AT1", rep(padding="VALID")),
            "groups 0": ("TC-AT1", rep(groups=0)),
            "groups that do not divide C": ("TC-AT1", rep(groups=X.shape[1] + 1)),
            "stride 0": ("TC-AT1", rep(stride=(0,) + ones[1:])),
            "a negative pad": ("TC-PD1", rep(padding=((-1, 0),) + ((0, 0),) * (d - 1))),
            "a negative high pad": ("TC-PD1", rep(padding=((0, -1),) + ((0, 0),) * (d - 1))),
            "output_padding = max(stride, dilation)": ("TC-AT2", rep(output_padding=(1,) + (0,) * (d - 1))),
            "output_padding -1": ("TC-AT2", rep(output_padding=(-1,) + (0,) * (d - 1))),
            "output_padding with one element too many": ("TC-AT2", rep(output_padding=(0,) * (d + 1))),
            "a negative output length": ("TC-SH2", rep(X=X[(slice(None), slice(None)) + (slice(0, 1),) * d],
                                                       W=W[(slice(None), slice(None)) + (slice(0, 1),) * d],
                                                       padding=((1, 1),) * d)),
        }
    name = "input_shape" if op == "conv_input_grad" else "kernel_shape"
    shape = tuple(getattr(case, name))
    p = PREFIX[op]
    grow = shape[:2] + (shape[2] + 3,) + shape[3:]
    common = {
        f"{name} with one entry too few": (f"{p}-IN2", rep(**{name: shape[:-1]})),
        f"{name} with a non-integer extent": (f"{p}-IN2", rep(**{name: shape[:-1] + (2.5,)})),
        "padding 'VALID' (a name)": (f"{p}-AT1", rep(padding="VALID")),
        "padding 'SAME_UPPER' (a name)": (f"{p}-AT1", rep(padding="SAME_UPPER")),
        "stride 0": (f"{p}-AT1", rep(stride=(0,) + ones[1:])),
        "dilation 0": (f"{p}-AT1", rep(dilation=(0,) + ones[1:])),
        "groups 0": (f"{p}-AT1", rep(groups=0)),
        f"{name} whose spatial extent disagrees with dY": (f"{p}-SH1", rep(**{name: grow})),
    }
    if op == "conv_input_grad":
        dY = case.dY
        return {
            "dY without a batch axis": ("DX-IN1", rep(dY=dY[0])),
            "dY of dtype str": ("DX-IN1", rep(dY=dY.astype(str))),
            "input_shape with a negative extent": ("DX-IN2", rep(input_shape=shape[:-1] + (-1,))),
            "W of another rank than dY": ("DX-AT1", rep(W=case.W[0])),
            **common,
            "dY with one output channel too many": ("DX-SH1", rep(dY=np.concatenate([dY, dY[:, :1]], axis=1))),
            "input_shape with another batch than dY": ("DX-SH1", rep(input_shape=(shape[0] + 1,) + shape[1:])),
        }
    X, dY = case.X, case.dY
    return {
        "X without a batch axis": ("DW-IN1", rep(X=X[0])),
        "dY of another rank than X": ("DW-IN1", rep(dY=dY[0])),
        "X of dtype str": ("DW-IN1", rep(X=X.astype(str))),
        "kernel_shape with a zero kernel extent": ("DW-IN2", rep(kernel_shape=shape[:-1] + (0,))),
        **common,
        "kernel_shape whose C/groups disagrees with X": ("DW-AT1", rep(kernel_shape=(shape[0], shape[1] + 1)
                                                                                    + shape[2:])),
        "dY with another number of channels than kernel_shape": ("DW-SH1", rep(dY=dY[:, :-1])),
    }


def invalid_clauses(op: str) -> tuple[str, ...]:
    """The invalid-input clauses of ``op``, in catalogue order."""
    from convspec.spec import CLAUSES
    return tuple(cid for cid, c in CLAUSES.items() if c.op == op and c.invalid_input and cid != "TC-CL1")


def invalid_list(ctx: Context, op: str, clause: str) -> Iterable[Example]:
    base = operation(op).example(ctx.claims)
    for note, (cid, case) in _meaningless(op, base).items():
        if cid == clause:
            yield Example((case,), f"{note} [{cid}]")


def check_refused(example: Example, ctx: Context) -> None:
    """The call must raise: any exception is a refusal (the run's first call showed that the backend computes)."""
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    if outcome.status == "raised":
        return
    if outcome.status in ("timeout", "crashed"):
        require_ok(outcome, [case])
    note, _, cid = example.note.rpartition(" [")
    raise Violation(
        "accepted", f"an input violating {cid.rstrip(']')} was accepted ({note}): the backend returned "
                    f"{outcome.result_type or 'a result'} instead of raising", [case],
        "try:\n    " + calls_text([case], 0) + "\nexcept Exception as exc:\n"
        "    print('refused as required:', type(exc).__name__, exc)\nelse:\n"
        f"    raise AssertionError({'the backend accepted ' + note + ' instead of raising'!r})")


# --------------------------------------------------------------------------- the properties

def _prop(op: str, name: str, title: str, clauses, check, strategy=None, requires=(), **kw) -> Property:
    return Property(f"{op}.{name}", title, tuple(clauses), strategy=strategy, check=check,
                    requires=_needs(op, *requires), op=op, **kw)


def _values_clauses(op: str) -> tuple[str, ...]:
    p = PREFIX[op]
    return {
        "DX": ("DX-EQ1", "DX-SH2", "DX-DT1", "DX-RD1", "DX-AC1", "DX-AT1"),
        "DW": ("DW-EQ1", "DW-SH2", "DW-DT1", "DW-RD1", "DW-AC1", "DW-AT1", "DW-PD1"),
        "DB": ("DB-EQ1", "DB-DT1", "DB-RD1", "DB-AC1"),
        "TC": ("TC-EQ1", "TC-SH1", "TC-DT1", "TC-RD1", "TC-AC1", "TC-AT1", "TC-AT2"),
    }[p]


def _special_clauses(op: str) -> tuple[str, ...]:
    return {"DX": ("DX-NF1",), "DW": ("DW-NF1", "DW-PD1"), "DB": ("DB-RD1",), "TC": ("TC-NF1",)}[PREFIX[op]]


def _properties(op: str) -> list[Property]:
    values = _values_clauses(op)
    props = [
        _prop(op, "values", f"Small problems give the {PREFIX[op]}-EQ1 values, shape and dtype", values,
              check_call, strategy=lambda ctx: _draw(ctx, op)),
        _prop(op, "specials", "NaN and infinities follow IEEE rules and reach exactly the elements they feed",
              _special_clauses(op), check_call, strategy=lambda ctx: _draw(ctx, op, specials=3, kinds="fc"),
              requires=("nonfinite",)),
        _prop(op, "layout", "Any memory layout of the operands gives the same values", ("CV-IN5",),
              check_call, strategy=lambda ctx: _draw(ctx, op, layouts=ctx.layouts()), share=0.5),
        _prop(op, "effects", "The operands are unchanged and the result is fresh", ("CV-MU1",), check_effects,
              strategy=lambda ctx: _draw(ctx, op, layouts=ctx.layouts(("readonly",))), share=0.3),
        _prop(op, "result_type", "The result is a numpy.ndarray", ("CV-OU1",), check_result_type,
              strategy=lambda ctx: _draw(ctx, op), share=0.1),
    ]
    if op != "conv_transpose":
        shape = {"DX": "DX-SH2", "DW": "DW-SH2", "DB": "DB-EQ1"}[PREFIX[op]]
        props.append(_prop(op, "empty", "Empty outputs and zero-size inputs are results", (shape,), check_call,
                           strategy=lambda ctx: _draw(ctx, op, empty=True), requires=("empty",), share=0.5))
    if op == "conv_input_grad":
        props.append(_prop(op, "remainder", "Input elements no window reads get exactly +0, NaN and "
                                            "infinities elsewhere notwithstanding", ("DX-EQ2",), check_unread_zero,
                           strategy=lambda ctx: _draw(ctx, op, specials=2 if ctx.claims.nonfinite else 0)))
    if op == "conv_transpose":
        props.append(_prop(op, "output_padding", "stride <= output_padding < dilation gives the TC-EQ1 values "
                                                 "(PyTorch's rule; ONNX's is a claim)", ("TC-AT2", "TC-CL1", "TC-SH1"),
                           check_call, strategy=lambda ctx: _draw(ctx, op, wide_output_padding=True),
                           requires=("wide_output_padding",), share=0.5))
    props += [
        _prop(op, f"invalid.{cid[3:].lower()}", f"Inputs violating {cid} are refused", (cid,), check_refused,
              exhaustive=lambda ctx, cid=cid: invalid_list(ctx, op, cid), requires=("validates",))
        for cid in invalid_clauses(op)
    ]
    return props


PROPERTIES = [prop for op in GRADIENT_OPS for prop in _properties(op)]
