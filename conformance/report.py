"""Writing a `Report`: JSON, JUnit XML and the console summary.

The JSON document follows the schema ``convspec-report/1``, published as a
JSON Schema in ``report_schema.json`` next to this module (see
`schema`) and described in the documentation's report-format page.
Incompatible changes to the layout bump the number after the slash.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from .properties import clause_table
from .results import PropertyResult, Report, Status

SCHEMA_ID = "convspec-report/1"


def schema() -> dict[str, Any]:
    """The JSON Schema of the report document."""
    text = resources.files("convspec.conformance").joinpath("report_schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def _number(x: float) -> float | str:
    """JSON has no infinity or NaN: write them as strings."""
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _result(r: PropertyResult) -> dict[str, Any]:
    return {
        "id": r.id, "title": r.title, "clauses": list(r.clauses), "status": str(r.status),
        "examples": r.examples, "seconds": round(r.seconds, 4), "reason": r.reason,
        "accuracy": None if r.accuracy is None else {
            "worst_ratio": _number(r.accuracy.worst_ratio), "compared": r.accuracy.compared,
            "unconstrained": r.accuracy.unconstrained, "ulp_histogram": dict(r.accuracy.ulp_histogram),
            "by_dtype": {name: {"worst_ratio": _number(one.worst_ratio), "compared": one.compared,
                                "ulp_histogram": dict(one.ulp_histogram)}
                         for name, one in r.accuracy.by_dtype.items()}},
        "failure": None if r.failure is None else {
            "kind": r.failure.kind, "message": r.failure.message, "problem": r.failure.problem,
            "seed": r.failure.seed, "reproduce_blob": r.failure.reproduce_blob,
            "case": r.failure.case, "reproducer": r.failure.reproducer, "output": r.failure.output},
        "known": r.known,
        "backend_output": {"calls": r.output_calls, "sample": r.output_sample},
    }


def to_dict(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready dictionary (schema ``convspec-report/1``)."""
    return {
        "schema": SCHEMA_ID,
        "backend": report.backend,
        "run": report.run,
        "summary": {"counts": report.counts(), "examples": report.examples, "exit_code": report.exit_code,
                    "failed": report.failed, "errors": report.errors},
        "properties": [_result(r) for r in report.results.values()],
        "clauses": {cid: [p for p in pids if p in report.results] for cid, pids in clause_table().items()},
        "observed": report.observed,
    }


def write_json(report: Report, path: str | Path) -> None:
    Path(path).write_text(json.dumps(to_dict(report), indent=2, default=str) + "\n", encoding="utf-8")


def junit_tree(report: Report) -> ET.ElementTree:
    """JUnit XML: one ``testcase`` per property; not claimed and known ones are ``skipped``."""
    counts = report.counts()
    suite = ET.Element("testsuite", {
        "name": f"convspec[{report.backend.get('target') or report.backend.get('name')}]",
        "tests": str(len(report.results)), "failures": str(counts["fail"]), "errors": str(counts["error"]),
        "skipped": str(counts["not claimed"] + counts["known"]), "time": f"{report.run.get('seconds', 0):.3f}",
    })
    props = ET.SubElement(suite, "properties")
    for name in ("profile", "seed", "isolation", "partial"):
        ET.SubElement(props, "property", {"name": name, "value": str(report.run.get(name, False))})
    for r in report.results.values():
        case = ET.SubElement(suite, "testcase", {
            "classname": "convspec.conformance", "name": r.id, "time": f"{r.seconds:.3f}"})
        if r.status == Status.FAIL and r.failure is not None:
            node = ET.SubElement(case, "failure", {"message": r.failure.message[:500], "type": r.failure.kind})
            node.text = f"problem: {r.failure.problem}\nseed: {r.failure.seed}\n\n{r.failure.reproducer}"
            if r.failure.output:
                node.text += f"\n--- backend output ---\n{r.failure.output}"
        elif r.status == Status.ERROR:
            node = ET.SubElement(case, "error", {"message": "the harness could not evaluate this property"})
            node.text = r.reason or ""
        elif r.status in (Status.NOT_CLAIMED, Status.KNOWN):
            label = "not claimed" if r.status == Status.NOT_CLAIMED else "known deviation"
            ET.SubElement(case, "skipped", {"message": f"{label}: {r.reason or ''}"[:500]})
        out = ET.SubElement(case, "system-out")
        out.text = f"clauses: {', '.join(r.clauses)}; examples: {r.examples}"
    not_run = report.run.get("not_run") or []
    for pid in not_run:
        case = ET.SubElement(suite, "testcase", {"classname": "convspec.conformance", "name": pid, "time": "0"})
        ET.SubElement(case, "skipped", {"message": f"not run ({report.run.get('stopped') or 'stopped'})"})
    suite.set("tests", str(len(report.results) + len(not_run)))
    suite.set("skipped", str(counts["not claimed"] + counts["known"] + len(not_run)))
    return ET.ElementTree(suite)


def write_junit(report: Report, path: str | Path) -> None:
    tree = junit_tree(report)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)


# The console output lives in `convspec.conformance.console`; these names stay importable from here.
from .console import output_note, progress_line, summary_text  # noqa: E402,F401
