"""One root cause, one story: grouped failures, most basic first; --maxfail; reproducer files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from convspec.conformance import Failure, PropertyResult, Status
from convspec.conformance.cli import main
from convspec.conformance.grouping import group
from convspec.conformance.report import schema

BACKENDS = Path(__file__).parent / "harness" / "backends.py"


def _failed(pid: str, message: str, kind: str = "violation", problem: str = "m1x2_k1x1_s1x2_int8_C_C"):
    return PropertyResult(pid, pid, ("EQ1",), Status.FAIL,
                          failure=Failure(kind, message, problem, f"# reproducer of {pid}\n"))


def test_failures_of_one_cause_form_one_group_led_by_the_most_basic_property():
    results = [
        _failed("values.float", "the result has shape (1, 2), Eq 1 gives (1, 1)"),
        _failed("metamorphic.delta", "the result has shape (3, 4), Eq 1 gives (3, 2)"),
        _failed("values.integer", "3 of 4 integer outputs differ from Eq 2 (EX1); first at (0, 0): got 1, exact 2"),
        _failed("shape.eq1", "the result has shape (1, 2), Eq 1 gives (1, 1)"),
        _failed("invalid.in1", "an input violating IN1 was accepted (M is a list)", "accepted"),
        _failed("invalid.va3", "an input violating VA3 was accepted (K has more columns than M)", "accepted"),
        PropertyResult("dtype.dt1", "dt1", ("DT1",), Status.PASS),
    ]
    groups = group(results)
    assert [[r.id for r in g.members] for g in groups] == [
        ["shape.eq1", "values.float", "metamorphic.delta"],
        ["invalid.in1", "invalid.va3"],
        ["values.integer"],
    ]
    assert "EQ1" in groups[0].headline


def test_maxfail_stops_the_run_and_the_reports_name_what_did_not_run(tmp_path, capsys):
    report, repro = tmp_path / "r.json", tmp_path / "repro"
    status = main(["check", f"{BACKENDS}:flipped", "--profile", "quick", "--no-cache", "--isolation", "inprocess",
                   "-k", "values.exhaustive,values.integer,dtype.dt1", "-x",
                   "--report-json", str(report), "--reproducers-dir", str(repro)])
    out = capsys.readouterr().out
    assert status == 1
    document = json.loads(report.read_text())
    jsonschema.validate(document, schema())
    assert document["run"]["partial"] is True and document["run"]["stopped"] == "maxfail"
    assert document["run"]["not_run"] == ["values.integer", "dtype.dt1"]
    assert "PARTIAL RUN" in out and "values.integer, dtype.dt1" in out
    files = sorted(p.name for p in repro.iterdir())
    assert len(files) == 1 and files[0].startswith("values.exhaustive--m") and files[0].endswith("_C_C.py")
    assert str(repro / files[0]) in out
    assert "import numpy as np" not in out  # the short summary points at the file instead


def test_the_short_summary_gives_a_command_and_verbose_the_full_reproducer(capsys):
    argv = ["check", f"{BACKENDS}:flipped", "--profile", "quick", "--no-cache", "--isolation", "inprocess",
            "-k", "values.exhaustive"]
    assert main(argv) == 1
    short = capsys.readouterr().out
    assert "import numpy as np" not in short
    assert "full reproducer: convspec check" in short and "-k values.exhaustive" in short
    assert main(argv + ["-v"]) == 1
    assert "import numpy as np" in capsys.readouterr().out
