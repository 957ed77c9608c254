"""``convspec merge``: join the JSON reports of the shards of one run into one report.

Each shard (``convspec check ... --shard K/N --report-json shard-K.json``)
reports its own properties.  `merge` checks that the reports belong to one
run (same schema, backend, seed, profile, selection and shard count, and no
shard given twice), puts the properties back in suite order and writes one
report of the same schema.  A shard whose report is missing is named in
``run.shard.missing``; its properties are listed in ``run.not_run`` and the
merged report is marked partial.  The run time of the merged report is the
longest shard's (shards run side by side); example counts are summed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from .results import AccuracySummary, DtypeAccuracy, Failure, PropertyResult, Report, Status

#: Fields that must agree between the shards of one run.
SAME_RUN = ("profile", "seed", "selected")


class MergeError(ValueError):
    """The reports cannot be merged (the CLI exits with status 2)."""


def _number(x: Any) -> float:
    return float(x) if isinstance(x, str) else x


def result_from_dict(d: dict[str, Any]) -> PropertyResult:
    """A `PropertyResult` rebuilt from its JSON record."""
    acc = None
    if d.get("accuracy"):
        a = d["accuracy"]
        acc = AccuracySummary(_number(a["worst_ratio"]), a["compared"], a["unconstrained"],
                              dict(a["ulp_histogram"]),
                              {k: DtypeAccuracy(_number(v["worst_ratio"]), v["compared"], dict(v["ulp_histogram"]))
                               for k, v in (a.get("by_dtype") or {}).items()})
    failure = None
    if d.get("failure"):
        f = d["failure"]
        failure = Failure(f["kind"], f["message"], f["problem"], f["reproducer"], f.get("seed"),
                          f.get("reproduce_blob"), f.get("case") or {}, f.get("output") or "")
    out = d.get("backend_output") or {}
    return PropertyResult(d["id"], d["title"], tuple(d["clauses"]), Status(d["status"]), d["examples"],
                          d["seconds"], d.get("reason"), failure, acc, d.get("known"),
                          out.get("calls", 0), out.get("sample", ""))


def load(path: str | Path) -> dict[str, Any]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MergeError(f"report {str(path)!r} does not exist") from None
    except (OSError, ValueError) as exc:
        raise MergeError(f"report {str(path)!r} is not readable JSON: {exc}") from None
    from .report import SCHEMA_ID
    if not isinstance(document, dict) or document.get("schema") != SCHEMA_ID:
        raise MergeError(f"report {str(path)!r} is not a {SCHEMA_ID} document")
    return document


def _identity(document: dict[str, Any]) -> dict[str, Any]:
    backend = document["backend"]
    shard = document["run"].get("shard") or {}
    return {"backend": backend.get("target") or backend.get("name"),
            **{k: document["run"].get(k) for k in SAME_RUN}, "shard count": shard.get("count")}


def merge(documents: Sequence[dict[str, Any]], names: Sequence[str] | None = None) -> Report:
    """One `Report` from the JSON documents of the shards of a run (see the module docstring)."""
    if not documents:
        raise MergeError("no report to merge")
    names = list(names or [f"report {i + 1}" for i in range(len(documents))])
    first = _identity(documents[0])
    for name, document in zip(names[1:], documents[1:]):
        other = _identity(document)
        for key in first:
            if other[key] != first[key]:
                raise MergeError(f"{name} is of another run: its {key} is {other[key]!r}, "
                                 f"{names[0]}'s is {first[key]!r}")
    count = first["shard count"] or 1
    seen: dict[int, str] = {}
    for name, document in zip(names, documents):
        index = (document["run"].get("shard") or {}).get("index", 1)
        if index in seen:
            raise MergeError(f"{name} and {seen[index]} are both shard {index}/{count}")
        seen[index] = name
    base = documents[0]
    selected = (base["run"].get("shard") or {}).get("selected_properties") or [
        p["id"] for d in documents for p in d["properties"]]
    by_id = {p["id"]: p for d in documents for p in d["properties"]}
    results = {pid: result_from_dict(by_id[pid]) for pid in selected if pid in by_id}
    results.update({pid: result_from_dict(p) for pid, p in by_id.items() if pid not in results})
    not_run = [pid for pid in selected if pid not in results]
    for d in documents:
        not_run += [pid for pid in d["run"].get("not_run") or [] if pid not in not_run]
    missing = [f"{k}/{count}" for k in range(1, count + 1) if k not in seen]
    runs = [d["run"] for d in documents]
    run = dict(base["run"])
    run.update({
        "seconds": max(r.get("seconds", 0) for r in runs),
        "examples": sum(r.examples for r in results.values()),
        "examples_by_property": {pid: r.examples for pid, r in results.items()},
        "profile_budget": {k: v for r in runs for k, v in (r.get("profile_budget") or {}).items()},
        "partial": bool(not_run),
        "stopped": next((r.get("stopped") for r in runs if r.get("stopped")), None),
        "not_run": not_run,
        "shard": None if count == 1 and not missing else {
            "index": None, "count": count, "properties": list(results), "selected_properties": list(selected),
            "merged": [f"{k}/{count}" for k in sorted(seen)], "missing": missing},
    })
    for key in ("worker_restarts", "timeouts", "crashes", "shortened_timeouts", "backend_output_calls"):
        run[key] = sum(r.get(key, 0) for r in runs)
    observed = next((doc["observed"] for doc in documents if doc.get("observed") is not None), None)
    return Report(base["backend"], results, run, observed)


def merge_files(paths: Sequence[str | Path]) -> Report:
    """`merge` of the JSON report files ``paths``."""
    return merge([load(p) for p in paths], [str(p) for p in paths])
