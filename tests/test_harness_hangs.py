"""Hangs and crashes cost one timeout or one restart per property, not one per call.

The counts come from the report (``run["timeouts"]``, ``run["crashes"]``,
``run["worker_restarts"]``), never from the wall clock.
"""

from __future__ import annotations

import json
from pathlib import Path

from convspec.conformance import Status, run
from convspec.conformance import runner
from convspec.conformance.cli import main
from convspec.conformance.properties import of_op

PROPERTIES = of_op("conv2d")
from convspec.conformance.execution import OK, RAISED, TIMEOUT, Outcome
from convspec.conformance.runner import HANGS_IN_A_ROW, HangWatch

BACKENDS = Path(__file__).parent / "harness" / "backends.py"

#: Properties making batched calls (the deterministic layer), multi-call examples,
#: a call with a follow-up, and plain single calls.
BATCHED = ["values.exhaustive", "values.integer", "metamorphic.linearity_M", "metamorphic.subsample",
           "effects.al2", "invalid.va3"]

KNOWN = """
[[deviation]]
property = "values.integer"
reason = "pinned call of a backend that hangs"
[deviation.example]
M = [[1, 2], [3, 4]]
K = [[1]]
stride = [1, 1]
dtype = "int16"
[deviation.filter]
dtypes = ["int16"]
"""


def test_a_backend_that_always_hangs_costs_one_timeout_per_property(tmp_path):
    known = tmp_path / "known.toml"
    known.write_text(KNOWN)
    report = run(f"{BACKENDS}:always_hangs", profile="quick", timeout=0.5, select=BATCHED, known=known)
    assert set(report.results) == set(BATCHED)
    for pid, result in report.results.items():
        assert result.status == Status.FAIL, pid
        assert result.failure.kind == "timeout", (pid, result.failure.message)
        assert "conv2d(M0, K0, stride=stride0)" in result.failure.reproducer, pid
    # One hung call per property: the rest of a batch, the other calls of a
    # multi-call example and the pinned known-deviation call are never sent.
    # + 1: the run's first call (a simple valid input, made before any property) hangs too
    assert report.run["timeouts"] == len(BATCHED) + 1, report.run
    assert report.run["worker_restarts"] <= len(BATCHED) + 1
    print(f"\n{len(BATCHED)} hanging properties with timeout 0.5 s: {report.run['seconds']:.1f} s")


def test_later_properties_wait_less_once_the_backend_stops_returning(monkeypatch):
    monkeypatch.setattr(runner, "SHORT_LIMIT_FLOOR", 0.2)
    select = ["values.integer", "values.float", "shape.eq1", "dtype.dt1", "invalid.va1", "invalid.va3"]
    report = run(f"{BACKENDS}:always_hangs", profile="quick", timeout=1.0, select=select)
    messages = [report.results[pid].failure.message for pid in select]
    assert all(report.results[pid].failure.kind == "timeout" for pid in select)
    assert not any("shortened" in m for m in messages[:HANGS_IN_A_ROW]), messages
    assert all("shortened from 1 s" in m for m in messages[HANGS_IN_A_ROW:]), messages
    assert report.run["shortened_timeouts"] == len(select) - HANGS_IN_A_ROW
    assert report.run["timeouts"] == len(select) + 1  # + the run's first call
    print(f"\n{len(select)} hanging properties, timeout 1 s, shortened to 0.2 s: {report.run['seconds']:.1f} s")


def _outcomes(status: str, count: int, seconds: float = 0.0) -> list[Outcome]:
    return [Outcome(status, error="e", seconds=seconds) for _ in range(count)]


def test_the_hang_watch_restores_the_full_limit_when_a_call_returns(monkeypatch):
    monkeypatch.setattr(runner, "SHORT_LIMIT_FLOOR", 1.0)
    watch = HangWatch(20.0)
    watch.observe(_outcomes(OK, 1, 0.05), watch.limit())
    watch.observe(_outcomes(TIMEOUT, HANGS_IN_A_ROW - 1), watch.limit())
    assert watch.limit() == 20.0
    watch.observe(_outcomes(TIMEOUT, 1), watch.limit())
    assert watch.limit() == 1.0  # 10 x 0.05 s is below the floor
    hung = _outcomes(TIMEOUT, 1)
    watch.observe(hung, watch.limit())
    assert "shortened" in hung[0].error and watch.shortened == 1
    watch.observe(_outcomes(RAISED, 1, 0.4), watch.limit())  # a call returned: full limit again
    assert watch.limit() == 20.0
    watch.observe(_outcomes(TIMEOUT, HANGS_IN_A_ROW), watch.limit())
    assert watch.limit() == 4.0  # 10 x the slowest call that returned


def test_a_crash_in_the_deterministic_layer_is_not_repeated_for_the_rest_of_the_batch():
    report = run(f"{BACKENDS}:exits_on_float16", profile="default", select=["values.exhaustive"])
    failure = report.results["values.exhaustive"].failure
    assert failure.kind == "crashed" and "float16" in failure.problem
    assert "exit status 5" in failure.message
    # Hundreds of float16 problems follow the first one in the layer; none is sent.
    assert report.run["crashes"] == 1


def test_convspec_check_of_a_backend_that_always_hangs_ends_with_one_timeout_per_property(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runner, "SHORT_LIMIT_FLOOR", 0.1)
    path = tmp_path / "r.json"
    status = main(["check", f"{BACKENDS}:always_hangs", "--profile", "quick", "--timeout", "0.5", "--no-cache",
                   "--report-json", str(path)])
    assert status == 1, capsys.readouterr().out
    document = json.loads(path.read_text())
    properties = document["properties"]
    assert {p["id"] for p in properties} == set(PROPERTIES)
    for p in properties:
        assert p["status"] == "fail" and p["failure"]["kind"] == "timeout", (p["id"], p["failure"])
        assert "conv2d(" in p["failure"]["reproducer"], p["id"]
    run_info = document["run"]
    assert run_info["timeouts"] == len(PROPERTIES) + 1  # + the run's first call
    assert run_info["shortened_timeouts"] == len(PROPERTIES) - HANGS_IN_A_ROW
    assert run_info["worker_restarts"] <= len(PROPERTIES) + 1
    print(f"\nconvspec check of a backend that always hangs, {len(PROPERTIES)} properties, --timeout 0.5 "
          f"(shortened to 0.1 s): {run_info['seconds']:.1f} s, {run_info['worker_restarts']} restarts")
