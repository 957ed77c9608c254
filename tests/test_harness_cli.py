"""The ``convspec check`` command: exit statuses, report files, option handling."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from convspec.conformance.cli import build_parser, main
from convspec.conformance.properties import of_op

PROPERTIES = of_op("conv2d")
from convspec.conformance.report import schema

BACKENDS = Path(__file__).parent / "harness" / "backends.py"


def target(name: str) -> str:
    return f"{BACKENDS}:{name}"


def test_exit_0_when_every_claimed_property_holds(tmp_path, capsys):
    report, junit = tmp_path / "r.json", tmp_path / "r.xml"
    status = main(["check", "reference", "--profile", "quick", "--no-cache",
                   "--report-json", str(report), "--junit-xml", str(junit)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "every claimed property held" in out
    document = json.loads(report.read_text())
    jsonschema.validate(document, schema())
    assert document["summary"]["exit_code"] == 0
    assert document["run"]["examples"] == sum(p["examples"] for p in document["properties"])
    assert {p["id"] for p in document["properties"]} == set(PROPERTIES)
    suite = ET.parse(junit).getroot()
    assert suite.tag == "testsuite" and int(suite.get("tests")) == len(PROPERTIES)
    assert int(suite.get("failures")) == 0


def test_exit_1_with_a_failure_in_every_report(tmp_path, capsys):
    report, junit = tmp_path / "r.json", tmp_path / "r.xml"
    status = main(["check", target("flipped"), "--profile", "quick", "--no-cache", "-k", "values.exhaustive",
                   "--report-json", str(report), "--junit-xml", str(junit)])
    out = capsys.readouterr().out
    assert status == 1
    assert "values.exhaustive" in out and "reproducer" in out
    document = json.loads(report.read_text())
    jsonschema.validate(document, schema())
    assert document["summary"]["failed"] == ["values.exhaustive"]
    failure = document["properties"][0]["failure"]
    assert failure["problem"].startswith("m") and "conv2d" in failure["reproducer"]
    failures = ET.parse(junit).getroot().findall("testcase/failure")
    assert len(failures) == 1 and "conv2d" in failures[0].text


@pytest.mark.parametrize("argv", [
    ["check", "no_such_module_anywhere:conv2d"],
    ["check", "tests/harness/missing_file.py:conv2d"],
    ["check", f"{BACKENDS}:no_such_function"],
    ["check", "reference", "--dtypes", "float128"],
    ["check", "reference", "-k", "no-property-matches-this"],
])
def test_exit_2_for_a_backend_that_cannot_be_loaded_or_a_bad_request(argv, capsys):
    assert main(argv) == 2
    assert "error" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["check", "reference", "--profile", "huge"], ["check"], ["frobnicate"]])
def test_exit_2_for_usage_errors(argv):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2


def test_list_properties_names_every_property_and_its_clauses(capsys):
    assert main(["check", "--list-properties"]) == 0
    lines = capsys.readouterr().out.splitlines()
    from convspec.conformance.properties import PROPERTIES as ALL
    assert [line.split()[0] for line in lines] == list(ALL)
    assert "EQ1" in next(line for line in lines if line.startswith("shape.eq1"))


def test_filters_and_dtypes_narrow_the_run(tmp_path):
    report = tmp_path / "r.json"
    status = main(["check", "reference", "--profile", "quick", "--no-cache", "-k", "dtype,EQ1",
                   "--dtypes", "int8,float32", "--report-json", str(report)])
    assert status == 0
    document = json.loads(report.read_text())
    ids = {p["id"] for p in document["properties"]}
    assert "dtype.dt1" in ids and "shape.eq1" in ids and "metamorphic.subsample" in ids
    assert "effects.mu1" not in ids
    assert document["backend"]["claims"]["dtypes"] == ["int8", "float32"]


def test_the_console_script_runs_as_installed(tmp_path):
    done = subprocess.run([sys.executable, "-m", "convspec.conformance.cli", "check", "spec", "--profile", "quick",
                           "--no-cache", "-k", "invalid.va3"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "invalid.va3" in done.stdout


def test_parser_is_available_for_documentation():
    parser = build_parser()
    check = parser.parse_args(["check", "reference", "--seed", "3"])
    assert check.seed == 3 and check.profile == "default" and check.isolation == "subprocess"


def test_a_backend_with_the_wrong_signature_exits_2_at_once(tmp_path, capsys):
    import time
    backend = tmp_path / "wrong.py"
    backend.write_text("def conv2d(M, K, s=(1, 1)):\n    return M\n", encoding="utf-8")
    start = time.perf_counter()
    assert main(["check", f"{backend}:conv2d", "--profile", "quick", "--isolation", "inprocess"]) == 2
    assert time.perf_counter() - start < 30  # no property ran
    err = capsys.readouterr().err
    assert "TypeError" in err and "conv2d(M, K, *, stride)" in err


def test_numpy_sum_is_not_a_convolution(capsys):
    assert main(["check", "numpy:sum", "--profile", "quick", "--isolation", "inprocess"]) == 2
    assert "failed on a simple valid input" in capsys.readouterr().err


def test_without_op_a_backend_is_checked_on_its_own_operation(tmp_path, capsys, monkeypatch):
    (tmp_path / "grad_backend.py").write_text(
        "from convspec.conformance import Backend\n"
        "from convspec.reference import conv_bias_grad\n"
        "backend = Backend(name='db', fn=conv_bias_grad, op='conv_bias_grad')\n")
    monkeypatch.chdir(tmp_path)
    status = main(["check", "grad_backend.py:backend", "--profile", "quick", "--no-cache", "-k", "values",
                   "--isolation", "inprocess", "--report-json", "r.json"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert out.splitlines()[0].startswith("convspec check grad_backend.py:backend --op conv_bias_grad")
    assert {p["id"] for p in json.loads((tmp_path / "r.json").read_text())["properties"]} == \
        {p for p in of_op("conv_bias_grad") if "values" in p}
    assert main(["check", "grad_backend.py:backend", "--op", "conv", "--no-cache"]) == 2
    assert "does not provide the operation 'conv'" in capsys.readouterr().err
