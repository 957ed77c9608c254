"""What a backend prints or warns is captured per call, never mixed into the progress output."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import jsonschema
import pytest

from convspec.conformance import Status, run
from convspec.conformance.cli import main
from convspec.conformance.report import schema

BACKENDS = Path(__file__).parent / "harness" / "backends.py"


def _backends_module():
    spec = importlib.util.spec_from_file_location("harness_backends_output", BACKENDS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHATTER = _backends_module().CHATTER


def test_the_console_shows_no_backend_chatter_unless_verbose(tmp_path, capfd):
    report = tmp_path / "r.json"
    status = main(["check", f"{BACKENDS}:chatty", "--profile", "quick", "--no-cache", "-k", "values.float",
                   "--report-json", str(report)])
    out, err = capfd.readouterr()
    assert status == 0, out
    assert CHATTER not in out and CHATTER not in err
    assert "wrote warnings or text during" in out
    document = json.loads(report.read_text())
    jsonschema.validate(document, schema())
    captured = document["properties"][0]["backend_output"]
    assert captured["calls"] == document["properties"][0]["examples"] > 0
    for where in ("on stdout", "on stderr", "on file descriptor 2", "RuntimeWarning"):
        assert where in captured["sample"], (where, captured["sample"])
    assert document["run"]["backend_output_calls"] == captured["calls"]

    assert main(["check", f"{BACKENDS}:chatty", "--profile", "quick", "--no-cache", "-k", "values.float",
                 "-v"]) == 0
    out, err = capfd.readouterr()
    assert f"| {CHATTER} on stdout" in out and CHATTER not in err


@pytest.mark.parametrize("isolation", ["subprocess", "inprocess"])
def test_a_failure_record_carries_what_the_backend_wrote(isolation):
    backend = f"{BACKENDS}:chatty_flipped" if isolation == "subprocess" else _backends_module().chatty_flipped
    report = run(backend, profile="quick", select=["values.exhaustive"], isolation=isolation)
    failure = report.results["values.exhaustive"].failure
    assert report.results["values.exhaustive"].status == Status.FAIL
    assert failure.output.startswith("[call 0]")
    assert f"{CHATTER} as a warning" in failure.output and f"{CHATTER} on stdout" in failure.output
    if isolation == "subprocess":  # native writes to file descriptor 2 are seen only there
        assert f"{CHATTER} on file descriptor 2" in failure.output


def test_a_crash_record_keeps_the_last_words_of_the_worker():
    report = run(f"{BACKENDS}:segfaults", profile="quick", select=["values.integer"])
    failure = report.results["values.integer"].failure
    assert failure.kind == "crashed" and "SIGSEGV" in failure.message
    assert "Segmentation fault" in failure.output  # written by faulthandler into the capture file
