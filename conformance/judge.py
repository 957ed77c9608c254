"""Judging one output: is it an array of the right shape, and are its values right?

A failed judgement raises `Violation`, which carries the calls involved
and the Python lines that re-check the failure in a standalone reproducer
(variables ``M0, K0, stride0`` are the first call's operands, ``C0`` its result).

Values (EQ2 with EX1, RD1, RD2 and the AC clauses):

* integer outputs must equal Eq 2 exactly (EX1);
* real and complex outputs must satisfy the backend's accuracy class: the
  componentwise bound ``|C_hat - C| <= gamma_{n+c} S + n eta`` (AC1, AC3) or
  the normwise bound ``||C_hat - C||_F <= beta ||M||_F ||K||_F`` (AC2; for the
  layer CV-AC2, per batch item and output channel); outputs
  whose window sum overflows (AC4) or holds NaN or infinity are not compared
  here; zeros compare by value (AC5);
* special values (NF1, NF3) are checked by `check_specials`.

Every comparison's worst ratio and ULP histogram are added to an
`AccuracySummary`, per output dtype, so the measured error is reported even
when the property holds.

A failed value or shape check asks `convspec.conformance.diagnosis` which
clause the failure breaks (a wrong value, EQ2, or a loss of precision, AC1)
and which classic mistake explains it.  The diagnosis is made when the
failure's message is first read, so the search's shrinking, which discards
almost every failing example, never pays for it.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from . import diagnosis
from .cases import Case
from .comparison import compare_blocks_normwise, compare_componentwise
from .execution import BAD_OUTPUT, CRASHED, OK, RAISED, TIMEOUT, Outcome
from .operations import operation
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
                 data: dict[str, Any] | None = None, explain: Callable[[], str] | None = None) -> None:
        super().__init__(message)
        self.kind, self._message, self._explain = kind, message, explain
        self.cases, self.code, self.data = list(cases), code, dict(data or {})

    @property
    def message(self) -> str:
        """What is wrong; ``explain``, when given, writes it the first time it is read."""
        if self._explain is not None:
            explain, self._explain = self._explain, None
            self._message = explain()
            self.args = (self._message,)
        return self._message

    def __str__(self) -> str:
        """The message as it stands: hypothesis formats every failing example, which must stay cheap."""
        return self._message


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
    """DT1 and EQ1 (CV-DT1, CV-SH1): a numeric array of the specified shape.

    A wrong shape is matched against the shapes of classic mistakes
    (`diagnosis.diagnose_shape`), which the message names.
    """
    case = cases[index]
    op = operation(case)
    want = op.out_shape(case)
    c = f"C{index}"
    calls = calls_text(cases, index)
    if value.dtype.kind not in "biufc":
        dt = op.clause_id("DT1")
        raise Violation(
            "violation", f"[{dt}] out.dtype={value.dtype}, but should be {op.out_dtype(case)} "
                         f"(the result must be numeric)", cases,
            f"{calls}\nassert {c}.dtype.kind in 'iufc', f'out.dtype={{{c}.dtype}}, but should be "
            f"{op.out_dtype(case)}'")
    if value.shape != want:
        shape = op.clause_id("SH1") if op.clause else "EQ1"
        rule = shape if op.clause else "Eq 1"
        raise Violation(
            "violation", f"[{shape}] out.shape={value.shape}, but should be {want} ({rule})", cases,
            f"{calls}\nassert {c}.shape == {want!r}, f'out.shape={{{c}.shape}}, but should be {want!r}'",
            explain=lambda: _shape_message(op, case, value.shape, want, shape, rule))


def _shape_message(op, case, got, want, shape: str, rule: str) -> str:
    named = diagnosis.diagnose_shape(op, case, got, want)
    return f"[{shape}] out.shape={got}, but should be {want} ({rule})" + (f"; {named}" if named else "")


def _first(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(v) for v in np.argwhere(mask)[0])


def _text(v: Any) -> str:
    """A value as a message shows it: NumPy scalars by their ``str`` (``-52.7``), others by ``repr``."""
    return str(v) if isinstance(v, np.generic) else repr(v)


def _at(where: tuple[int, ...], got: Any, want: Any) -> str:
    """``out[i, j]=got, but should be want``."""
    return f"out[{', '.join(map(str, where))}]={_text(got)}, but should be {_text(want)}"


def _worded(finding: diagnosis.Finding, count: int, total: int, accuracy_text: str) -> str:
    """The opening of a value failure's message, by the clause the diagnosis found."""
    detail = f": {finding.detail}" if finding.detail else ""
    if finding.summary == "wrong values":
        return f"[{finding.clause}] {count} of {total} outputs are wrong values{detail}"
    return f"[{finding.clause}] {count} of {total} {accuracy_text}{detail}"


def _check_integers(value: np.ndarray, exp: Expected, case: Case, claims, cases, index: int) -> None:
    c = f"C{index}"
    op = operation(case)
    with np.errstate(all="ignore"):
        equal = value.astype(object) == exp.values.astype(object)
    equal = np.asarray(equal, dtype=bool)
    if equal.all():
        return
    where = _first(~equal)
    out = op.out_dtype(case)
    count = int((~equal).sum())

    def explain() -> str:
        finding = diagnosis.diagnose_values(op, value, case, claims, exp, np.inf, failing=count / equal.size)
        opening = _worded(finding, count, equal.size,
                          "integer outputs differ from the exact value")
        return f"{opening}; first at {where}: {_at(where, value[where], exp.values[where])}"

    raise Violation(
        "violation",
        f"[{op.clause_id('EX1')}] {count} of {equal.size} integer outputs differ from the exact value; "
        f"first at {where}: {_at(where, value[where], exp.values[where])}",
        cases,
        calls_text(cases, index) + "\n"
        f"wrong = {c}.astype(object) != expected.astype(object)\n"
        "first = tuple(int(i) for i in np.argwhere(wrong)[0]) if wrong.any() else None\n"
        f"assert first is None, (f'{{wrong.sum()}} outputs differ; first: out{{list(first)}}={{{c}[first]}}, '\n"
        "                        f'but should be {expected[first]}')",
        {"expected": exp.values.astype(out) if exp.values.dtype != object else exp.values},
        explain=explain,
    )


def _check_componentwise(value, exp: Expected, case: Case, claims, summary, cases, index):
    op = operation(case)
    out = op.out_dtype(case)
    bound, unconstrained = op.bound(case, claims.flushes_subnormals)
    bound = bound + exp.slack
    acc = compare_componentwise(value, exp.values, bound, unconstrained, out, residual=exp.residual)
    summary.add(acc.worst_ratio, acc.compared, acc.unconstrained, acc.ulp_histogram, dtype=str(out))
    if acc.ok:
        return
    c = f"C{index}"
    # The reproducer judges as `compare_componentwise` does: against the exact value's
    # rounding remainder when it is known, else with the rounding's slack taken off the bound.
    with np.errstate(all="ignore"):
        residual = None if exp.residual is None else \
            np.where(np.isfinite(exp.residual), exp.residual, 0.0).astype(np.result_type(exp.residual, np.float64))
        rounding = np.abs(exp.values) if residual is None else np.abs(residual)
        tolerance = np.where(unconstrained, np.inf, np.maximum(bound / (1 + 8 * _U64) - _U64 * rounding, 0.0))
    difference = f"{c}.astype(np.complex128) - expected" if residual is None else \
        f"({c}.astype(np.complex128) - expected) - residual"
    data = {"expected": exp.values, "tolerance": tolerance}
    if residual is not None:
        data["residual"] = residual
    where = acc.worst_index
    ac1 = op.clause_id("AC1")
    worst = f"worst at {where}: {_at(where, value[where], exp.values[where])}, error {acc.worst_ratio:.3g} times the"

    def explain() -> str:
        finding = diagnosis.diagnose_values(op, value, case, claims, exp, acc.worst_ratio,
                                            bound - exp.slack, unconstrained,
                                            acc.violations / max(acc.compared, 1))
        if finding.clause == diagnosis.locality_clause(op):
            bad = diagnosis.nonfinite_outputs(value, exp, unconstrained)
            first = _first(bad)
            return (f"[{finding.clause}] {int(bad.sum())} of {acc.compared} outputs whose terms are all "
                    f"finite are NaN or infinite; first at {first}: "
                    f"{_at(first, value[first], exp.values[first])}")
        opening = _worded(finding, acc.violations, acc.compared, "outputs exceed the componentwise error bound")
        return f"{opening}; {worst} " + (f"{ac1} bound" if finding.clause != ac1 else "bound")

    raise Violation(
        "violation",
        f"[{ac1}] {acc.violations} of {acc.compared} outputs exceed the componentwise error bound; {worst} bound",
        cases,
        calls_text(cases, index) + "\n"
        f"error = np.abs({difference})\n"
        "bad = ~(error <= tolerance) & np.isfinite(tolerance)\n"
        "first = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.any() else None\n"
        f"assert first is None, (f'{{bad.sum()}} outputs off; first: out{{list(first)}}={{{c}[first]}}, '\n"
        "                        f'but should be {expected[first]} (error {error[first]:.3g} > {tolerance[first]:.3g})')",
        data,
        explain=explain,
    )


def _check_normwise(value, exp: Expected, case: Case, claims, summary, cases, index):
    op = operation(case)
    out = op.out_dtype(case)
    bound, skip = op.normwise(case, claims.flushes_subnormals)
    blocks = bound.shape + (int(np.prod(value.shape[bound.ndim:])),)
    slack = np.broadcast_to(np.asarray(exp.slack, dtype=np.float64), value.shape)
    if slack.any():  # the harness's own error, in the same norm
        bound = bound + np.sqrt(np.sum(np.where(skip, 0.0, slack).reshape(blocks) ** 2, axis=-1))
    acc = compare_blocks_normwise(value, exp.values, bound, skip, out, exp.residual)
    summary.add(acc.worst_ratio, acc.compared, acc.unconstrained, acc.ulp_histogram, dtype=str(out))
    if acc.ok:
        return
    where = f" of block (n, o) = {acc.worst_index}" if acc.worst_index else ""
    c = f"C{index}"
    with np.errstate(all="ignore"):
        scale = np.sqrt(np.sum(np.where(skip, 0.0, np.abs(exp.values)).reshape(blocks) ** 2, axis=-1))
        tolerance = np.maximum(bound / (1 + 8 * _U64) - _U64 * scale, 0.0)
        far = np.abs(value.astype(np.complex128) - exp.values)
    far = np.where(skip | ~np.isfinite(far), -1.0, far)
    worst = ""
    if far.size and far.max() >= 0:
        at = tuple(int(v) for v in np.unravel_index(int(np.argmax(far)), far.shape))
        worst = f"; largest error at {at}: {_at(at, value[at], exp.values[at])}"
    ac2 = op.clause_id("AC2")
    norm = (f"the error norm{where} over outputs with finite terms is {acc.worst_ratio:.3g} times the "
            f"normwise bound")

    def explain() -> str:
        finding = diagnosis.diagnose_values(op, value, case, claims, exp, acc.worst_ratio)
        if finding.summary == "wrong values":
            return f"[{finding.clause}] the outputs are wrong values: {finding.detail}; {norm} ({ac2}){worst}"
        if finding.clause != ac2:
            return f"[{finding.clause}] some outputs are {finding.summary}{worst}"
        return f"[{ac2}] {norm}" + (f": {finding.detail}" if finding.detail else "") + worst

    raise Violation(
        "violation", f"[{ac2}] {norm}{worst}",
        cases,
        calls_text(cases, index) + "\n"
        f"error = np.where(compared, np.abs({c}.astype(np.complex128) - expected), 0.0)\n"
        "norms = np.sqrt(np.sum(error.reshape(bound.shape + (-1,)) ** 2, axis=-1))\n"
        "worst = np.unravel_index(int(np.argmax(norms / bound)), bound.shape)\n"
        "assert (norms <= bound).all(), (f'error norm {norms[worst]!r} of block {worst} '\n"
        "                                f'exceeds the normwise bound {bound[worst]!r}')",
        {"expected": exp.values, "compared": ~skip, "bound": tolerance},
        explain=explain,
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
        _check_integers(value, exp, case, claims, cases, index)
    elif claims.accuracy == "normwise" and op.normwise is not None:
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
            nf = op.clause_id('NF1') if op.clause else 'NF3'
            raise Violation(
                "violation", f"[{nf}] {int(bad.sum())} complex outputs whose windows hold NaN or infinity are "
                             f"finite; first at {where}: out[{', '.join(map(str, where))}]={_text(value[where])}, "
                             f"but should not be finite",
                cases, f"{calls}\nassert not np.isfinite({c}[special]).any(), "
                       f"f'out[special]={{{c}[special]!r}}, but should not be finite'",
                {"special": special})
        return
    with np.errstate(invalid="ignore"):
        ok = np.where(np.isnan(want), np.isnan(got), got == want)
    if ok.all():
        return
    positions = np.argwhere(special)
    where = tuple(int(v) for v in positions[int(np.argmin(ok))])
    first = f"first at {where}: {_at(where, value[where], exp.values[where])} (IEEE)"
    count = int((~ok).sum())

    def explain() -> str:
        finding = diagnosis.diagnose_specials(op, value, case, exp, special)
        if finding is None:
            return f"[{op.clause_id('NF1')}] {count} outputs over NaN or infinity break IEEE rules; {first}"
        return f"{_worded(finding, count, int(special.sum()), '')}; {first}"

    raise Violation(
        "violation",
        f"[{op.clause_id('NF1')}] {count} outputs over NaN or infinity break IEEE rules; {first}",
        cases,
        f"{calls}\ngot, want = {c}[special], expected[special]\n"
        "ok = np.where(np.isnan(want), np.isnan(got), got == want)\n"
        "assert ok.all(), f'out[special]={got[~ok]!r}, but should be {want[~ok]!r} (IEEE)'",
        {"special": special, "expected": exp.values}, explain=explain)
