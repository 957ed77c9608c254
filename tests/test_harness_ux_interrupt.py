"""Ctrl-C: the workers stop, the partial summary and reports are written, the exit status is 130."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema

from convspec.conformance.report import schema

BACKENDS = Path(__file__).parent / "harness" / "backends.py"


def test_sigint_mid_run_writes_partial_reports_and_exits_130(tmp_path):
    report, junit = tmp_path / "r.json", tmp_path / "r.xml"
    # Its own process group, as a terminal's foreground job: SIGINT reaches the worker processes too.
    process = subprocess.Popen(
        [sys.executable, "-m", "convspec.conformance.cli", "check", f"{BACKENDS}:correct", "--profile", "default",
         "--no-cache", "-k", "invalid,values.large", "--report-json", str(report), "--junit-xml", str(junit)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, start_new_session=True,
        # a process started in the background inherits SIGINT ignored; a terminal's job does not
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until the first property has finished
        line = process.stdout.readline()
        lines.append(line)
        if line.startswith("[") or not line:
            break
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=60)
    out = "".join(lines) + out
    assert process.returncode == 130, out + err
    assert "Traceback" not in out + err and "KeyboardInterrupt" not in out + err
    assert "PARTIAL RUN: interrupted" in out
    document = json.loads(report.read_text())
    jsonschema.validate(document, schema())
    assert document["run"]["partial"] is True and document["run"]["stopped"] == "interrupted"
    assert document["run"]["not_run"] and len(document["properties"]) >= 1
    suite = ET.parse(junit).getroot()
    assert suite.find("properties/property[@name='partial']").get("value") == "True"
    try:  # no process of the group (no worker) is left behind
        time.sleep(0.5)
        os.killpg(process.pid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive
