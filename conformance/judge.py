"""Judging one output: is it an array of the right shape, and are its values right?

A failed judgement raises `Violation`, which carries the calls involved
and the Python lines that re-check the failure in a standalone reproducer
(variables ``M0, K0, stride0`` are the first call's operands, ``C0`` its result).

Values (EQ2 with EX1, RD1, RD2 and the AC clauses):

* integer outputs must equal Eq 2 exactly (EX1);
* real and complex outputs must satisfy the backend's accuracy class: the
  componentwise bound ``|C_hat - C| <= gamma_{n+c} S + n eta`` (AC1, AC3) or
  the normwise bound ``||C_hat - C||_F <= beta ||M||_F ||K||_F`` (AC2); outputs
  whose window sum overflows (AC4) or holds NaN or infinity are not compared
  here; zeros compare by value (AC5);
* special values (NF1, NF3) are checked by `check_specials`.

Every comparison's worst ratio and ULP histogram are added to an
`AccuracySummary`, so the measured error
is reported even when the property holds.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from convspec.spec.error_model import (
    compare_componentwise, compare_normwise, componentwise_bound, nonfinite_windows,
)
from convspec.spec.shape import output_shape

from .cases import Case
from .execution import BAD_OUTPUT, CRASHED, OK, RAISED, TIMEOUT, Outcome
from .operations import CORE, operation
from .oracle import Expected
from .results import AccuracySummary

_U64 = 2.0 ** -53


class Violation(AssertionError):
    """A property does not hold for one example.

    Attributes:
        kind: see `Failure`.
        message: what is wrong.
        cases: the calls involved, first call first.
        code: Python lines that re-make the calls and check the failure.
        data: arrays or values the code refers to by name (written as literals).
    """

    def __init__(self, kind: str, message: str, cases: Sequence[Case], code: str,
                 data: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.kind, self.message = kind, message
        self.cases, self.code, self.data = list(cases), code, dict(data or {})


def call_line(i: int, op: str = "conv2d") -> str:
    """The reproducer line making call ``i`` of operation ``op``."""
    return operation(op).call_line(i)


def calls_text(cases: Sequence[Any], upto: int) -> str:
    """The reproducer lines making calls ``0 … upto``."""
    return "\n".join(call_line(i, cases[i].op) for i in range(upto + 1))


def require_ok(outcome: Outcome, cases: Sequence[Case], index: int = 0) -> np.ndarray:
    """The result of call ``index``, or a `Violation` saying why there is none.

    A result that is not a ``numpy.ndarray`` (a list, a scalar, ``numpy.matrix``,
    a masked array) violates OU1 even when its values are right.
    """
    case = cases[index]
    calls = calls_text(cases, index)
    if outcome.status == OK and not outcome.is_ndarray:
        op = operation(case)
        raw = "\n".join([*calls.splitlines()[:-1], op.raw_call_line(index)])
        raise Violation(
            "violation", f"[{op.clause_id('OU1')}] the backend returned a {outcome.result_type}, not a "
                         f"numpy.ndarray, on {case.descriptor()}", cases,
            f"{raw}\nassert type(R{index}) is np.ndarray, f'the result is a {{type(R{index}).__name__}}'")
    if outcome.status == OK:
        return outcome.value
    if outcome.status == RAISED:
        raise Violation("raised", f"the backend raised on a valid input {case.descriptor()}: "
                                  f"{outcome.error}", cases, calls)
    if outcome.status == TIMEOUT:
        raise Violation("timeout", f"the backend hung on {case.descriptor()}: {outcome.error}", cases, calls)
    if outcome.status == CRASHED:
        raise Violation("crashed", f"{outcome.error} on {case.descriptor()}", cases, calls)
    assert outcome.status == BAD_OUTPUT
    raise Violation("bad_output", outcome.error, cases, calls)


def check_array(value: np.ndarray, cases: Sequence[Case], index: int = 0) -> None:
    """EQ1 and the result type: a numeric 2-D array of shape ``(m'', n'')``."""
    case = cases[index]
    op = operation(case)
    want = op.out_shape(case)
    c = f"C{index}"
    calls = calls_text(cases, index)
    if value.dtype.kind not in "biufc":
        raise Violation("violation", f"the result has non-numeric dtype {value.dtype}",
                        cases, f"{calls}\nassert {c}.dtype.kind in 'iufc', {c}.dtype")
    if value.shape != want:
        rule = op.clause_id("SH1") if op.clause else "Eq 1"
        raise Violation("violation", f"the result has shape {value.shape}, {rule} gives {want}",
                        cases, f"{calls}\nassert {c}.shape == {want!r}, {c}.shape")


def _first(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(v) for v in np.argwhere(mask)[0])


def _check_integers(value: np.ndarray, exp: Expected, cases, index: int) -> None:
    c = f"C{index}"
    with np.errstate(all="ignore"):
        equal = value.astype(object) == exp.values.astype(object)
    equal = np.asarray(equal, dtype=bool)
    if equal.all():
        return
    where = _first(~equal)
    out = operation(cases[index]).out_dtype(cases[index])
    raise Violation(
        "violation",
        f"{int((~equal).sum())} of {equal.size} integer outputs differ from the exact value "
        f"({operation(cases[index]).clause_id('EX1')}); first at "
        f"{where}: got {value[where]!r}, exact {exp.values[where]!r}",
        cases,
        calls_text(cases, index) + "\n"
        f"wrong = {c}.astype(object) != expected.astype(object)\n"
        f"assert not wrong.any(), f'{{wrong.sum()}} outputs differ; first at {{np.argwhere(wrong)[0]}}'",
        {"expected": exp.values.astype(out) if exp.values.dtype != object else exp.values},
    )


def _check_componentwise(value, exp: Expected, case: Case, claims, summary, cases, index):
    op = operation(case)
    out = op.out_dtype(case)
    bound, unconstrained = op.bound(case, claims.flushes_subnormals)
    bound = bound + exp.slack
    acc = compare_componentwise(value, exp.values, bound, unconstrained, out, residual=exp.residual)
    summary.add(acc.worst_ratio, acc.compared, acc.unconstrained, acc.ulp_histogram)
    if acc.ok:
        return
    with np.errstate(all="ignore"):
        tolerance = np.where(unconstrained, np.inf,
                             np.maximum(bound / (1 + 8 * _U64) - _U64 * np.abs(exp.values), 0.0))
    where = acc.worst_index
    c = f"C{index}"
    raise Violation(
        "violation",
        f"{acc.violations} of {acc.compared} outputs exceed the componentwise error bound "
        f"({op.clause_id('AC1')}); "
        f"worst at {where}: got {value[where]!r}, exact {exp.values[where]!r}, error "
        f"{acc.worst_ratio:.3g} times the bound",
        cases,
        calls_text(cases, index) + "\n"
        f"error = np.abs({c}.astype(np.complex128) - expected)\n"
        "bad = ~(error <= tolerance) & np.isfinite(tolerance)\n"
        "assert not bad.any(), (f'{bad.sum()} outputs off; first at {np.argwhere(bad)[0]}: '\n"
        f"                       f'got {{{c}[tuple(np.argwhere(bad)[0])]!r}}, '\n"
        "                       f'exact {expected[tuple(np.argwhere(bad)[0])]!r}')",
        {"expected": exp.values, "tolerance": tolerance},
    )


def _check_normwise(value, exp: Expected, case: Case, claims, summary, cases, index):
    out = np.result_type(case.M.dtype, case.K.dtype)
    acc = compare_normwise(value, exp.values, case.M, case.K, case.stride, out, claims.flushes_subnormals)
    summary.add(acc.worst_ratio, acc.compared, acc.unconstrained, acc.ulp_histogram)
    if acc.ok:
        return
    skip = nonfinite_windows(case.M, case.K, case.stride)
    c = f"C{index}"
    with np.errstate(all="ignore"):
        total = float(np.linalg.norm(np.abs(value.astype(np.complex128) - exp.values)[~skip]))
    raise Violation(
        "violation",
        f"the error norm over finite windows is {acc.worst_ratio:.3g} times the normwise bound (AC2)",
        cases,
        "\n".join(call_line(i) for i in range(index + 1)) + "\n"
        f"error = np.linalg.norm(np.abs({c}.astype(np.complex128) - expected)[compared])\n"
        "assert error <= bound, f'error norm {error!r} exceeds the normwise bound {bound!r}'",
        {"expected": exp.values, "compared": ~skip,
         "bound": total / acc.worst_ratio if acc.worst_ratio not in (0.0, np.inf) else 0.0},
    )


def check_values(value: np.ndarray, cases: Sequence[Case], claims, summary: AccuracySummary,
                 index: int = 0, exp: Expected | None = None) -> None:
    """EQ2 for call ``index``: exact for integer outputs, within the claimed accuracy otherwise."""
    check_array(value, cases, index)
    case = cases[index]
    op = operation(case)
    if exp is None:
        exp = op.expected(case)
    out = op.out_dtype(case)
    if out.kind in "iu":
        _check_integers(value, exp, cases, index)
    elif claims.accuracy == "normwise" and op is CORE:
        _check_normwise(value, exp, case, claims, summary, cases, index)
    else:
        _check_componentwise(value, exp, case, claims, summary, cases, index)


def check_specials(value: np.ndarray, cases: Sequence[Case], index: int = 0,
                   exp: Expected | None = None) -> None:
    """NF1 / NF3 for outputs whose windows hold NaN or an infinity.

    Real outputs must be exactly the IEEE value the spec gives (NaN, +inf or
    -inf); complex outputs must not be finite.
    """
    check_array(value, cases, index)
    case = cases[index]
    op = operation(case)
    special = op.nonfinite(case)
    if not special.any():
        return
    if exp is None:
        exp = op.expected(case)
    got, want = value[special], exp.values[special]
    c = f"C{index}"
    calls = calls_text(cases, index)
    if op.out_dtype(case).kind == "c":
        bad = np.isfinite(got)
        if bad.any():
            where = _first(special & np.isfinite(value))
            raise Violation(
                "violation", f"{int(bad.sum())} complex outputs whose windows hold NaN or infinity are "
                             f"finite ({op.clause_id('NF1') if op.clause else 'NF3'}); first at {where}: {value[where]!r}",
                cases, f"{calls}\nassert not np.isfinite({c}[special]).any(), {c}[special]",
                {"special": special})
        return
    with np.errstate(invalid="ignore"):
        ok = np.where(np.isnan(want), np.isnan(got), got == want)
    if ok.all():
        return
    positions = np.argwhere(special)
    where = tuple(int(v) for v in positions[int(np.argmin(ok))])
    raise Violation(
        "violation",
        f"{int((~ok).sum())} outputs over NaN or infinity break IEEE rules ({op.clause_id('NF1')}); first at {where}: "
        f"got {value[where]!r}, IEEE gives {exp.values[where]!r}",
        cases,
        f"{calls}\ngot, want = {c}[special], expected[special]\n"
        "ok = np.where(np.isnan(want), np.isnan(got), got == want)\n"
        "assert ok.all(), f'got {got[~ok]!r}, IEEE gives {want[~ok]!r}'",
        {"special": special, "expected": exp.values})
