"""The results matrix: the suite run over every bundled adapter, written as one data file.

Rows are pairs of a backend (an adapter of :mod:`convspec.conformance.adapters`)
and one operation it computes (``op``: ``conv2d``, the core; ``conv``, the
layer; ``conv_input_grad``, ``conv_weight_grad``, ``conv_bias_grad`` and
``conv_transpose``), so an adapter that provides four operations has four
rows; columns are that operation's properties, and each cell
is the property's status for that backend: ``pass``, ``fail``, ``not
claimed``, ``known`` or ``error`` (see `convspec.conformance.results`).
Each run is made in observe mode, so a row also holds ``observed``: one
observation per feature of its operation, claimed or not (``holds``,
``deviates``, ``refuses``, ``crashes or hangs``, ``not available``; see
`convspec.conformance.observe`), from which the results page draws one
matrix per operation, libraries by feature.  Each row also records the library's
version, the wall time of its run, the counts of each status, the measured
accuracy and every failure and known deviation with its problem descriptor
and reproducer.  An adapter whose library is not installed gets a row with the
status ``not installed`` and the command that installs it, and no cells.

The data file is JSON with the schema ``convspec-matrix/1``::

    {"schema": "convspec-matrix/1", "generated": "...", "profile": "default", "seed": 0,
     "environment": {"python": ..., "platform": ..., "cpus": ..., ...},
     "properties": [{"id": "values.float", "title": ..., "clauses": [...], "op": "conv2d"}, ...],
     "features": {"conv2d": ["int8", ...], "conv": ["explicit padding", ...]},
     "backends": [{"name": "numpy", "op": "conv2d", "state": "ran", "version": "2.4.6", "seconds": 13.0,
                   "cells": {"values.float": "pass", ...}, "counts": {...},
                   "worst_ratio": 0.95, "accuracy": {"values.float": 0.95, ...},
                   "failures": [...], "known": [...], "observed": [{"feature": "int8",
                   "status": "holds", ...}, ...], ...}, ...]}

``accuracy`` maps each property that compared floating outputs to its largest
measured error divided by its bound (a property holds while this is at most
1); ``worst_ratio`` is the largest of these over the properties that passed,
so it measures the backend where it conforms (a failure's error is in the
failure's message).

The documentation renders the committed file at build time, so the results
page is always the data, never a hand-written copy.  Regenerate it with::

    convspec matrix --output docs/data/results-matrix.json

``--adapters NAME ...`` runs only those adapters and replaces just their rows
in an existing file, keeping the others.  ``--shard K/N`` runs the K-th of N
parts of the run (see `shard_jobs`) and writes a partial file;
``convspec matrix --merge PART ...`` joins the parts into the matrix, naming
any row that no part holds.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

from .backend import BackendLoadError
from .profiles import PROFILES
from .results import Report, Status

SCHEMA_ID = "convspec-matrix/1"
#: The operations with a matrix, in page order.
OPS = ("conv2d", "conv", "conv_input_grad", "conv_weight_grad", "conv_bias_grad", "conv_transpose")
DEFAULT_OUTPUT = Path("docs") / "data" / "results-matrix.json"


def _number(x: float) -> float | str:
    if math.isfinite(x):
        return float(x)
    return "nan" if math.isnan(x) else "inf"


def _not_installed(name: str, message: str, op: str = "conv2d") -> dict[str, Any]:
    return {"name": name, "op": op, "state": "not installed", "note": message, "version": None, "seconds": None,
            "cells": {}, "counts": {}, "failures": [], "known": [], "accuracy": {}, "worst_ratio": None,
            "observed": None}


def worst_ratio(accuracy: dict[str, float | str], cells: dict[str, str]) -> float | str | None:
    """The largest error-to-bound ratio over the properties that passed.

    Failed and known properties are left out: their errors are the deviation
    itself, described by the failure, not the backend's accuracy where it
    conforms.  None when no passing property compared a floating output.
    """
    values = [accuracy[pid] for pid, status in cells.items() if status == "pass" and pid in accuracy]
    if not values:
        return None
    finite = [v for v in values if isinstance(v, float)]
    return max(finite) if len(finite) == len(values) else "inf"


def backend_row(name: str, report: Report, seconds: float, op: str = "conv2d") -> dict[str, Any]:
    """One row of the matrix from one adapter's report (on operation ``op``)."""
    results = report.results.values()
    accuracy = {r.id: _number(r.accuracy.worst_ratio) for r in results
                if r.accuracy is not None and r.accuracy.compared}
    cells = {pid: str(r.status) for pid, r in report.results.items()}
    failures = [{
        "property": r.id, "clauses": list(r.clauses), "status": str(r.status),
        "kind": r.failure.kind if r.failure else "error",
        "message": r.failure.message if r.failure else (r.reason or ""),
        "problem": r.failure.problem if r.failure else "-",
        "reproducer": r.failure.reproducer if r.failure else "",
    } for r in results if r.status in (Status.FAIL, Status.ERROR)]
    known = [{"property": r.id, "clauses": list(r.clauses), "reason": entry["reason"],
              "problem": entry["problem"], "filter": entry["filter"]}
             for r in results if r.status == Status.KNOWN and r.known
             for entry in r.known.get("entries", [])]
    return {
        "name": name, "op": op, "state": "ran", "note": report.run.get("isolation_note") or "",
        "library": report.backend.get("description", ""), "version": report.backend.get("version"),
        "claims": report.backend.get("claims", {}), "seconds": round(seconds, 1),
        "examples": report.examples, "counts": report.counts(),
        "cells": cells,
        "worst_ratio": worst_ratio(accuracy, cells), "accuracy": accuracy, "failures": failures, "known": known,
        "observed": report.observed,
    }


def _environment() -> dict[str, Any]:
    import hypothesis
    import numpy as np
    try:
        from importlib.metadata import version
        convspec_version = version("convspec")
    except Exception:
        convspec_version = "unknown"
    return {"python": platform.python_version(), "platform": platform.platform(),
            "machine": platform.machine(), "cpus": os.cpu_count(), "convspec": convspec_version,
            "numpy": np.__version__, "hypothesis": hypothesis.__version__}


Job = tuple[str, str]
"""One row to compute: ``(adapter name, operation)``."""


def jobs_of(adapters: Sequence[str] | None = None) -> list[Job]:
    """The rows of ``adapters`` (default: every bundled adapter): one per operation each provides."""
    from . import adapters as bundled
    names = list(adapters) if adapters else list(bundled.NAMES)
    unknown = [n for n in names if n not in bundled.NAMES]
    if unknown:
        raise ValueError(f"unknown adapters {unknown}; choose from {', '.join(bundled.NAMES)}")
    return [(name, op) for name in names for op in bundled.REGISTRY[name].ops]


#: The cost given to a row that no earlier matrix timed, in seconds.
UNTIMED_COST = 60.0


def row_key(row: dict[str, Any]) -> Job:
    """The ``(name, op)`` a matrix row holds (rows written before the layer have no ``op``)."""
    return row["name"], row.get("op", "conv2d")


def shard_jobs(jobs: Sequence[Job], shard, timed: dict[str, Any] | None = None) -> list[Job]:
    """The rows of ``shard`` (a `convspec.conformance.sharding.Shard`) of the run of ``jobs``.

    Rows are dealt as properties are (`convspec.conformance.sharding.deal`), costed by their
    run time in the matrix ``timed`` (the committed one) or `UNTIMED_COST`; every machine with
    the same ``timed`` computes the same split, and every row lands in exactly one part, in
    its place in ``jobs``.
    """
    from .sharding import deal
    seconds = {row_key(row): row.get("seconds") for row in (timed or {}).get("backends", [])}
    return deal(list(jobs), shard.count, lambda job: float(seconds.get(job) or UNTIMED_COST))[shard.index - 1]


def run_matrix(adapters: Sequence[str] | None = None, *, profile: str = "default", seed: int = 0,
               on_backend: Callable[[str, dict[str, Any]], None] | None = None,
               run_fn: Callable[..., Report] | None = None,
               jobs: Sequence[Job] | None = None) -> dict[str, Any]:
    """Run the suite over ``adapters`` (default: every bundled adapter) and return the matrix.

    Args:
        adapters: bundled adapter names; unknown names raise ``ValueError``.  Each is run
            on every operation it provides, one row per operation.
        profile, seed: passed to `convspec.conformance.run` for every backend.
        on_backend: called with each row's label (``name`` or ``name --op OP``) and the row
            as it completes.
        run_fn: the function running one backend (default
            `convspec.conformance.run`, called with the operation and ``observe=True``);
            tests pass a stand-in.
        jobs: the ``(name, op)`` rows to run instead of every row of ``adapters`` (a shard).
    """
    from . import adapters as bundled
    from . import property_ids
    from .observe import feature_names
    from .properties import PROPERTIES
    if run_fn is None:
        from . import run as run_fn
    todo = list(jobs) if jobs is not None else jobs_of(adapters)
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    rows = []
    for name, op in todo:
        clock = time.perf_counter()
        try:
            report = run_fn(name, profile=profile, seed=seed, op=op, observe=True)
        except BackendLoadError as exc:
            row = _not_installed(name, str(exc), op)
        else:
            row = backend_row(name, report, time.perf_counter() - clock, op)
        rows.append(row)
        if on_backend:
            on_backend(name if op == bundled.REGISTRY[name].op else f"{name} --op {op}", row)
    return {
        "schema": SCHEMA_ID,
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "profile": profile, "seed": seed, "environment": _environment(),
        "properties": [{"id": pid, "title": PROPERTIES[pid].title, "clauses": list(PROPERTIES[pid].clauses),
                        "op": op} for op in OPS for pid in property_ids(op)],
        "features": {op: list(feature_names(op)) for op in OPS},
        "backends": rows,
    }


def check_mergeable(old: dict[str, Any], profile: str, seed: int) -> None:
    """Refuse to mix runs of different profiles or seeds in one file (``ValueError``)."""
    if (old.get("profile"), old.get("seed")) != (profile, seed):
        raise ValueError(f"cannot merge a {profile}/seed {seed} run into a "
                         f"{old.get('profile')}/seed {old.get('seed')} matrix; rerun every adapter")


def merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``new`` with the rows of ``old`` it does not replace (rows are ``(name, op)``), in adapter order."""
    check_mergeable(old, new["profile"], new["seed"])
    order = {job: i for i, job in enumerate(jobs_of())}
    rows = {row_key(row): row for row in old.get("backends", [])}
    rows.update({row_key(row): row for row in new["backends"]})
    merged = {k: v for k, v in new.items() if k != "shard"}
    merged["backends"] = sorted(rows.values(), key=lambda row: order.get(row_key(row), len(order)))
    return merged


def load_matrix(path: str | Path) -> dict[str, Any]:
    """Read a matrix file, checking its schema."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("schema") != SCHEMA_ID:
        raise ValueError(f"{path}: unsupported schema {data.get('schema')!r}; expected {SCHEMA_ID!r}")
    return data


def write_matrix(data: dict[str, Any], path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")


def summary_line(name: str, row: dict[str, Any]) -> str:
    """One console line for a finished adapter."""
    if row["state"] != "ran":
        return f"{name:<16} {row['state']}: {row['note']}"
    counts = ", ".join(f"{n} {status}" for status, n in row["counts"].items() if n)
    worst = row["worst_ratio"]
    worst_text = "-" if worst is None else f"{worst} x bound"
    return f"{name:<16} {row['version'] or '-':<14} {row['seconds']:>7.1f} s  worst error {worst_text:<14} {counts}"


def add_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the options of ``convspec matrix`` to ``parser``."""
    from .sharding import argument as shard

    parser.add_argument("--adapters", nargs="+", metavar="NAME",
                        help="run only these adapters (each on every operation it provides) and replace "
                             "their rows in an existing output file (default: every bundled adapter, "
                             "written afresh)")
    parser.add_argument("--profile", choices=list(PROFILES), default="default",
                        help="how many examples to run (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every run (default: %(default)s)")
    parser.add_argument("--output", metavar="PATH", default=str(DEFAULT_OUTPUT),
                        help="the JSON file to write (default: %(default)s)")
    parser.add_argument("--shard", type=shard, metavar="K/N",
                        help="run only part K of N of the rows, balanced by the run times in "
                             f"{DEFAULT_OUTPUT}, and write that part to --output; join the parts "
                             "with --merge")
    parser.add_argument("--merge", nargs="+", metavar="PART",
                        help="join the files written by --shard K/N into --output instead of running")
    return parser


def merge_parts(parts: Sequence[dict[str, Any]], old: dict[str, Any] | None) -> tuple[dict[str, Any], list[Job]]:
    """The matrix ``old`` (or a new one) with the rows of the ``--shard`` files ``parts``,
    and the rows the parts' run should have produced but none holds (a missing part)."""
    if not parts:
        raise ValueError("no part to merge")
    first = parts[0]
    for part in parts:
        check_mergeable(first, part["profile"], part["seed"])
    expected = [tuple(job) for part in parts for job in (part.get("shard") or {}).get("all_rows", [])]
    joined = dict(first, backends=[row for part in parts for row in part["backends"]])
    present = {row_key(row) for row in joined["backends"]}
    missing = list(dict.fromkeys(job for job in expected if job not in present))
    return (merge(old, joined) if old is not None else merge({**first, "backends": []}, joined)), missing


def main_args(args: argparse.Namespace, out=None) -> int:
    """Run the matrix for parsed arguments; 0 when written, 1 when parts are missing, 2 on a usage error."""
    out = out or sys.stdout

    def report(name: str, row: dict[str, Any]) -> None:
        print(summary_line(name, row), file=out, flush=True)

    output = Path(args.output)
    existed = output.exists()
    missing: list[Job] = []
    try:
        if args.merge:
            if args.shard or args.adapters:
                raise ValueError("--merge joins files written earlier: it takes neither --shard nor --adapters")
            parts = [load_matrix(path) for path in args.merge]
            data, missing = merge_parts(parts, load_matrix(output) if output.exists() else None)
        elif args.shard is not None:
            timed = load_matrix(DEFAULT_OUTPUT) if DEFAULT_OUTPUT.exists() else None
            every = jobs_of(args.adapters)
            mine = shard_jobs(every, args.shard, timed)
            data = run_matrix(profile=args.profile, seed=args.seed, on_backend=report, jobs=mine)
            data["shard"] = {"index": args.shard.index, "count": args.shard.count,
                             "rows": [list(job) for job in mine], "all_rows": [list(job) for job in every]}
        else:
            old = load_matrix(output) if args.adapters and output.exists() else None
            if old is not None:
                check_mergeable(old, args.profile, args.seed)
            data = run_matrix(args.adapters, profile=args.profile, seed=args.seed, on_backend=report)
            if old is not None:
                data = merge(old, data)
    except ValueError as exc:
        print(f"convspec matrix: error: {exc}", file=sys.stderr)
        return 2
    write_matrix(data, output)
    if args.shard is not None:
        print(f"results matrix, part {args.shard}: {output} ({len(data['backends'])} rows; join the parts "
              f"with convspec matrix --merge)", file=out)
    else:
        print(f"results matrix: {output}", file=out)
    if missing:
        kept = "kept from the existing file" if existed else "absent"
        print(f"convspec matrix: {len(missing)} rows are in no part (a part is missing); their rows are "
              f"{kept}: {', '.join(f'{n} --op {o}' for n, o in missing)}", file=sys.stderr)
        return 1
    return 0
