"""What ``convspec check`` prints: live progress and the end-of-run summary.

On a terminal the property running now is shown on one line that is
rewritten in place (``[k/N] property ...``) and every finished property
leaves one line, its status in colour.  Colour is off when the output is not
a terminal, when ``NO_COLOR`` is set (to anything but the empty string) or
when ``TERM`` is ``dumb``; then every line is plain and nothing is rewritten.

The summary tells each root cause once (see `convspec.conformance.grouping`):
a headline, one line per failing property, and how to see the reproducer of
the most basic one (its file, or a command printing it).  ``-v`` prints the
full reproducers.
"""

from __future__ import annotations

import math
import os
import re
import shlex
from pathlib import Path
from typing import TextIO

from .grouping import group
from .results import AccuracySummary, PropertyResult, Report, Status

_MARK = {Status.PASS: "ok", Status.FAIL: "FAIL", Status.NOT_CLAIMED: "--", Status.KNOWN: "known",
         Status.ERROR: "ERROR"}
_COLOUR = {Status.PASS: "32", Status.FAIL: "31;1", Status.NOT_CLAIMED: "2", Status.KNOWN: "33",
           Status.ERROR: "35;1"}
#: How many of the slowest properties the summary names.
SLOWEST = 3


def use_colour(stream: TextIO) -> bool:
    """Whether to colour ``stream`` (see the module docstring)."""
    if os.environ.get("NO_COLOR", "") != "" or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _unicode(stream: TextIO) -> bool:
    return "utf" in (getattr(stream, "encoding", None) or "").lower()


def ulp_text(label: str | None, fancy: bool = True) -> str:
    """An ULP histogram bin as text: ``'<=2^3'`` -> ``'≤8 ulp'``, ``'0'`` -> ``'0 ulp'``."""
    le = "≤" if fancy else "<="
    if label is None:
        return ""
    if label == "0":
        return "0 ulp"
    match = re.fullmatch(r"<=2\^(-?\d+)", label)
    if match:
        k = int(match.group(1))
        return f"{le}{2 ** k:g} ulp" if k <= 64 else f"{le}2^{k} ulp"
    return f"{label.replace('<=', le)} ulp"


def ratio_text(ratio: float, fancy: bool = True) -> str:
    """``0.03× bound``: the worst error as a fraction of the bound it must stay under."""
    times = "×" if fancy else "x"
    if not math.isfinite(ratio):
        return f"{ratio}{times} bound"
    if ratio == 0:
        return f"0{times} bound"
    return f"{ratio:.2g}{times} bound" if ratio < 10 else f"{ratio:.3g}{times} bound"


def accuracy_text(acc: AccuracySummary | None, fancy: bool = True) -> str:
    """The accuracy column: worst error per dtype (or overall) as a fraction of the bound and in ULPs."""
    if acc is None or not acc.compared:
        return ""
    if acc.by_dtype:
        parts = [f"{name} {ratio_text(one.worst_ratio, fancy)}"
                 + (f", {ulp_text(one.worst_ulp, fancy)}" if one.worst_ulp else "")
                 for name, one in sorted(acc.by_dtype.items())]
        return "; ".join(parts)
    worst = ulp_text(acc.worst_ulp, fancy)
    return ratio_text(acc.worst_ratio, fancy) + (f", {worst}" if worst else "")


def progress_line(r: PropertyResult, position: str = "", fancy: bool = False) -> str:
    """One line for a finished property: status, id, examples, time and the accuracy or the problem."""
    extra = ""
    accuracy = accuracy_text(r.accuracy, fancy)
    if accuracy:
        extra = f"  worst error {accuracy}"
    if r.status == Status.NOT_CLAIMED:
        extra = f"  ({r.reason})"
    elif r.status == Status.FAIL and r.failure is not None:
        extra = f"  {r.failure.problem}: {r.failure.message.splitlines()[0][:160]}"
    prefix = f"{position} " if position else ""
    return f"{prefix}{_MARK[r.status]:>6}  {r.id:<26} {r.examples:>6} ex {r.seconds:6.2f}s{extra}"


def output_note(r: PropertyResult, lines: int = 6) -> str:
    """For verbose progress: the first lines the backend wrote during a property ("" if silent)."""
    if not r.output_calls:
        return ""
    text = r.output_sample.rstrip().splitlines()
    shown = text[:lines] + (["..."] if len(text) > lines else [])
    return "\n".join([f"        backend output in {r.output_calls} calls; the first:"]
                     + [f"        | {line[:150]}" for line in shown])


class Progress:
    """Prints the progress of a run to ``out`` (see the module docstring)."""

    def __init__(self, out: TextIO, total: int = 0, verbose: bool = False) -> None:
        self.out, self.total, self.verbose = out, total, verbose
        self.live = use_colour(out)
        self.fancy = _unicode(out)
        self.done = 0
        self._pending = False

    def _position(self, k: int) -> str:
        width = len(str(self.total or k))
        return f"[{k:>{width}}/{self.total}]" if self.total else f"[{k}]"

    def _clear(self) -> None:
        if self._pending:
            self.out.write("\r\033[2K")
            self._pending = False

    def start(self, pid: str) -> None:
        k = self.done + 1
        if self.live:
            self._clear()
            self.out.write(f"\033[2m{self._position(k)} {pid} ...\033[0m")
            self.out.flush()
            self._pending = True
        elif self.verbose:
            print(f"{self._position(k)}    ...  {pid}", file=self.out, flush=True)

    def finish(self, r: PropertyResult) -> None:
        self.done += 1
        line = progress_line(r, self._position(self.done), self.fancy)
        if self.live:
            self._clear()
            mark = f"{_MARK[r.status]:>6}"
            line = line.replace(mark, f"\033[{_COLOUR[r.status]}m{mark}\033[0m", 1)
        print(line, file=self.out, flush=True)
        note = output_note(r) if self.verbose else ""
        if note:
            print(note, file=self.out, flush=True)

    def close(self) -> None:
        if self.live:
            self._clear()
            self.out.flush()


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "case"


def reproducer_name(r: PropertyResult) -> str:
    """The file name of a failure's reproducer: property id and problem descriptor."""
    problem = r.failure.problem if r.failure is not None else "error"
    return f"{_safe(r.id)}--{_safe(problem)}.py"


def write_reproducers(report: Report, directory: str | os.PathLike) -> dict[str, Path]:
    """Write each failure's reproducer to its own file in ``directory``; property id -> path."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for r in report.results.values():
        if r.status == Status.FAIL and r.failure is not None:
            path = folder / reproducer_name(r)
            path.write_text(r.failure.reproducer.rstrip() + "\n", encoding="utf-8")
            written[r.id] = path
    return written


def _replay_command(report: Report, pid: str) -> str:
    run = report.run
    target = report.backend.get("target") or report.backend.get("name") or "TARGET"
    op = run.get("op") or "conv2d"
    op_text = f" --op {op}" if op != "conv2d" else ""
    return (f"convspec check {shlex.quote(str(target))}{op_text} -k {pid} --profile {run.get('profile')} "
            f"--seed {run.get('seed')} -v")


def _full_failure(r: PropertyResult) -> list[str]:
    lines = ["=" * 78, f"{r.id} ({', '.join(r.clauses)}): {str(r.status).upper()}"]
    if r.failure is None:
        return lines + [r.reason or ""]
    f = r.failure
    lines += [f"kind: {f.kind}   problem: {f.problem}   seed: {f.seed}", f.message]
    if f.reproduce_blob:
        lines.append(f"hypothesis: {f.reproduce_blob}")
    if f.output:
        lines += ["--- backend output " + "-" * 59, f.output.rstrip()]
    return lines + ["--- reproducer " + "-" * 63, f.reproducer.rstrip(), "-" * 78]


def _causes(report: Report, verbose: bool, files: dict[str, Path]) -> list[str]:
    groups = group(list(report.results.values()))
    if not groups:
        return []
    failing = sum(len(g.members) for g in groups)
    lines = ["", f"{failing} failing {'property' if failing == 1 else 'properties'}, "
                 f"{len(groups)} {'cause' if len(groups) == 1 else 'distinct causes'} (most basic first):"]
    for n, g in enumerate(groups, 1):
        lines += ["", f"[{n}] {g.headline[:300]}"]
        for r in g.members:
            where = r.failure.problem if r.failure is not None else "harness error"
            lines.append(f"    {r.id:<26} {where}")
        first = g.first
        if first.id in files:
            lines.append(f"    reproducer: {files[first.id]}")
        elif not verbose:
            lines.append(f"    full reproducer: {_replay_command(report, first.id)}")
    if verbose:
        for g in groups:
            for r in g.members:
                lines += [""] + _full_failure(r)
    return lines


def _shard_text(shard: dict | None) -> str:
    if not shard:
        return ""
    if shard.get("index") is None:
        text = f", merged from {len(shard.get('merged', []))} of {shard['count']} shards"
        return text + (f"; MISSING shards {', '.join(shard['missing'])}" if shard.get("missing") else "")
    return f", shard {shard['index']}/{shard['count']}"


def _verdict(report: Report) -> str:
    not_run = report.run.get("not_run") or []
    if report.ok:
        held = "every claimed property held"
        return held if not not_run else f"no failure in the properties run; PARTIAL: {len(not_run)} not run"
    text = f"{len(report.failed)} failed, {len(report.errors)} could not be evaluated"
    return text + (f"; PARTIAL: {len(not_run)} not run" if not_run else "")


def summary_text(report: Report, verbose: bool = False, reproducers: dict[str, Path] | None = None) -> str:
    """The end-of-run summary: causes of failure, what did not run, counts, timings."""
    results = report.results.values()
    lines = _causes(report, verbose, reproducers or {})
    stale = [r for r in results if r.status == Status.FAIL and r.failure is not None
             and r.failure.kind == "stale known deviation"]
    if stale:
        lines += ["", "STALE KNOWN DEVIATIONS: these pinned examples now pass; remove the entries:"]
        lines += [f"  {r.id}: {r.failure.message}" for r in stale]
    known = [r for r in results if r.status == Status.KNOWN]
    if known:
        lines += ["", "known deviations (declared, still present):"] + [f"  {r.id}: {r.reason}" for r in known]
    if verbose:
        not_claimed = [r for r in results if r.status == Status.NOT_CLAIMED]
        if not_claimed:
            lines += ["", "not claimed:"] + [f"  {r.id}: {r.reason}" for r in not_claimed]
    noisy = sum(r.output_calls for r in results)
    if noisy:
        lines += ["", f"the backend wrote warnings or text during {noisy} calls (captured: shown with -v, "
                      "in failure records and in the JSON report)"]
    run = report.run
    not_run = run.get("not_run") or []
    if not_run:
        why = {"interrupted": "interrupted (Ctrl-C)", "maxfail": f"stopped after {run.get('maxfail')} failed "
                                                                  "properties (--maxfail)"}
        lines += ["", f"PARTIAL RUN: {why.get(run.get('stopped'), 'stopped')}; "
                      f"{len(not_run)} properties not run: {', '.join(not_run)}"]
    ran = [r for r in results if r.examples]
    if ran:
        slow = sorted(ran, key=lambda r: -r.seconds)[:SLOWEST]
        lines += ["", "slowest: " + ", ".join(f"{r.id} {r.seconds:.1f} s ({r.examples} ex)" for r in slow)]
    counts = report.counts()
    shard = run.get("shard")
    lines += ["", f"convspec check {report.backend.get('target') or report.backend.get('name')}: "
                  + (", ".join(f"{n} {status}" for status, n in counts.items() if n) or "nothing run")
                  + f" ({len(report.results)} properties"
                  + _shard_text(shard) + ")",
              f"profile {run['profile']}, seed {run['seed']}, {run['examples']} examples, "
              f"isolation {run['isolation']}, {run['seconds']:.1f} s",
              "result: " + _verdict(report)]
    return "\n".join(lines)
