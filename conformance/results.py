"""What a conformance run produces: one status per property, and the run's report.

Every property ends with exactly one `Status`:

``pass``
    every generated example satisfied the property;
``fail``
    a counterexample was found (or a known deviation went stale), see
    `PropertyResult.failure`;
``not claimed``
    the backend's claims exclude the property (e.g. it does not claim to
    validate its inputs), so nothing was run;
``known``
    the property fails in a way the backend's known-deviation file declares,
    and the pinned example still shows the deviation;
``error``
    the harness itself could not evaluate the property (a bug in convspec or
    in the environment, never in the backend).

The run as a whole holds when no property is ``fail`` or ``error``
(`Report.exit_code` is then 0, else 1).
"""

from __future__ import annotations

import math

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """The outcome of one property; compares equal to its plain string."""

    PASS = "pass"
    FAIL = "fail"
    NOT_CLAIMED = "not claimed"
    KNOWN = "known"
    ERROR = "error"


@dataclass
class Failure:
    """A counterexample, with everything needed to reproduce it.

    Attributes:
        kind: ``"violation"`` (a wrong answer), ``"raised"`` (the backend raised
            on a valid input), ``"accepted"`` (an invalid input was not refused),
            ``"timeout"``, ``"crashed"`` (the backend killed its process),
            ``"bad_output"`` (the result is not an array), ``"flaky"`` (the
            failure did not reproduce on replay) or ``"stale known deviation"``
            (a pinned known deviation now passes).
        message: what went wrong, in one or a few lines.
        problem: a one-line descriptor of the first call, e.g.
            ``m6x6_k3x3_s2x1_float32_F_C`` (shapes, stride, dtype, layouts of M and K).
        reproducer: a standalone Python script reproducing the failure with
            numpy and the backend alone.
        seed: the seed the run used.
        reproduce_blob: the ``@reproduce_failure(...)`` decorator text that
            replays the example in hypothesis, when one is available.
        case: a JSON-ready summary of the first call (shapes, dtypes, stride, layouts).
        output: what the backend wrote (warnings, standard output and error)
            during the failing calls, labelled ``[call i]``; empty when silent.
    """

    kind: str
    message: str
    problem: str
    reproducer: str
    seed: int | None = None
    reproduce_blob: str | None = None
    case: dict[str, Any] = field(default_factory=dict)
    output: str = ""


def worst_ulp_label(histogram: dict[str, int]) -> str | None:
    """The largest non-empty bin of an ULP histogram (``'0'``, ``'<=1'``, ``'<=2^k'``), or None."""
    def size(label: str) -> float:
        """log2 of the bin's upper edge (exponents, so that ``2^2000`` compares without overflow)."""
        if label == "0":
            return float("-inf")
        text = label.lstrip("<=>")
        try:
            return float(int(text[2:])) if text.startswith("2^") else math.log2(float(text))
        except ValueError:
            return float("inf")
    labels = [label for label, count in histogram.items() if count]
    return max(labels, key=size) if labels else None


@dataclass
class DtypeAccuracy:
    """The measured error of the compared outputs of one output dtype."""

    worst_ratio: float = 0.0
    compared: int = 0
    ulp_histogram: dict[str, int] = field(default_factory=dict)

    @property
    def worst_ulp(self) -> str | None:
        """The largest ULP bin seen, e.g. ``'<=2'`` (see `worst_ulp_label`)."""
        return worst_ulp_label(self.ulp_histogram)


@dataclass
class AccuracySummary:
    """Measured error of the compared outputs, kept even when the property passes.

    ``worst_ratio`` is the largest error divided by its bound over every compared
    output (a property holds when it is at most 1); ``ulp_histogram`` counts
    errors by size in units in the last place of the output dtype.
    ``by_dtype`` holds the same numbers per output dtype, for the comparisons
    whose dtype was given to `add`.
    """

    worst_ratio: float = 0.0
    compared: int = 0
    unconstrained: int = 0
    ulp_histogram: dict[str, int] = field(default_factory=dict)
    by_dtype: dict[str, DtypeAccuracy] = field(default_factory=dict)

    def add(self, worst_ratio: float, compared: int, unconstrained: int,
            histogram: dict[str, int], dtype: str | None = None) -> None:
        """Merge the measurements of one more comparison (of outputs of ``dtype``, if given)."""
        self.worst_ratio = max(self.worst_ratio, worst_ratio)
        self.compared += compared
        self.unconstrained += unconstrained
        for label, count in histogram.items():
            self.ulp_histogram[label] = self.ulp_histogram.get(label, 0) + count
        if dtype is not None:
            one = self.by_dtype.setdefault(str(dtype), DtypeAccuracy())
            one.worst_ratio = max(one.worst_ratio, worst_ratio)
            one.compared += compared
            for label, count in histogram.items():
                one.ulp_histogram[label] = one.ulp_histogram.get(label, 0) + count

    @property
    def worst_ulp(self) -> str | None:
        """The largest ULP bin seen over every dtype (see `worst_ulp_label`)."""
        return worst_ulp_label(self.ulp_histogram)


@dataclass
class PropertyResult:
    """The outcome of one property for one backend."""

    id: str
    title: str
    clauses: tuple[str, ...]
    status: Status
    examples: int = 0
    seconds: float = 0.0
    reason: str | None = None
    """Why the property is not claimed, or the harness error, or the known deviation's reason."""
    failure: Failure | None = None
    accuracy: AccuracySummary | None = None
    known: dict[str, Any] | None = None
    """The known-deviation entry that matched, when there is one."""
    output_calls: int = 0
    """Calls during which the backend wrote warnings or text (captured, not printed)."""
    output_sample: str = ""
    """The first such text, as captured."""


@dataclass
class Report:
    """The outcome of a whole run.

    Attributes:
        backend: name, target, version and claims of the backend checked.
        results: property id -> `PropertyResult`, in suite order.
        run: profile, seed, isolation, timings and example counts of the run.
        observed: the observations of observe mode (`convspec.conformance.observe`),
            one per feature, or None when the run did not observe; they never
            change a status or the exit code.
    """

    backend: dict[str, Any]
    results: dict[str, PropertyResult]
    run: dict[str, Any]
    observed: list[dict[str, Any]] | None = None

    def with_status(self, status: Status | str) -> list[str]:
        """Ids of the properties that ended with ``status``."""
        return [pid for pid, r in self.results.items() if r.status == status]

    @property
    def failed(self) -> list[str]:
        """Ids of the failed properties (including stale known deviations)."""
        return self.with_status(Status.FAIL)

    @property
    def caught_by(self) -> list[str]:
        """Alias of `failed`: the properties that caught the backend."""
        return self.failed

    @property
    def errors(self) -> list[str]:
        return self.with_status(Status.ERROR)

    @property
    def ok(self) -> bool:
        """True when every claimed property held (no ``fail``, no ``error``)."""
        return not self.failed and not self.errors

    @property
    def exit_code(self) -> int:
        """0 when every claimed property held, 1 otherwise (the CLI's exit status)."""
        return 0 if self.ok else 1

    @property
    def examples(self) -> int:
        """Total number of examples (backend calls that were judged) in the run."""
        return sum(r.examples for r in self.results.values())

    def counts(self) -> dict[str, int]:
        """How many properties ended with each status."""
        return {status.value: len(self.with_status(status)) for status in Status}
