"""A misbehaving backend is a failure with a reproducer, never the end of the run."""

from __future__ import annotations

from pathlib import Path

import pytest

from convspec.conformance import Claims, Status, run
from convspec.conformance.backend import Backend

BACKENDS = Path(__file__).parent / "harness" / "backends.py"


def target(name: str) -> str:
    return f"{BACKENDS}:{name}"


def kinds(report) -> dict[str, str]:
    return {pid: r.failure.kind for pid, r in report.results.items() if r.failure is not None}


@pytest.mark.parametrize("name, kind", [("exits", "crashed"), ("segfaults", "crashed"),
                                        ("returns_text", "violation")])
def test_the_run_survives_and_reports_the_misbehaviour(name, kind):
    report = run(target(name), profile="quick", select=["shape.eq1"])
    assert set(report.results) == {"shape.eq1"}
    assert all(r.status == Status.FAIL for r in report.results.values()), kinds(report)
    assert kind in kinds(report).values()
    for result in report.results.values():
        assert "conv2d" in result.failure.reproducer


def test_a_backend_that_raises_on_a_valid_input_is_not_checked_at_all():
    """Refusals count only from a backend that has shown it computes valid inputs."""
    from convspec.conformance import BackendLoadError
    with pytest.raises(BackendLoadError, match=r"failed on a simple valid input.*\n.*raised: .*\n"
                                               r".*conv2d\(M, K, \*, stride\)"):
        run(target("raises"), profile="quick")


def test_a_crash_names_the_signal():
    report = run(target("segfaults"), profile="quick", select=["values.integer", "invalid.va1"])
    assert report.results["invalid.va1"].status == Status.PASS
    message = report.results["values.integer"].failure.message
    assert "SIGSEGV" in message
    assert report.run["worker_restarts"] >= 1


def test_a_hang_is_a_timeout_and_the_next_property_still_runs():
    report = run(target("hangs"), profile="quick", timeout=1.0, select=["values.integer", "invalid.va1"])
    hung = report.results["values.integer"]
    assert hung.status == Status.FAIL and hung.failure.kind == "timeout"
    assert report.results["invalid.va1"].status == Status.PASS


def test_wrong_shape_and_dtype_are_caught_by_their_properties():
    shape = run(target("returns_wrong_shape"), profile="quick", select=["shape.eq1"])
    assert shape.caught_by == ["shape.eq1"]
    dtype = run(target("wrong_dtype"), profile="quick", select=["dtype.dt1", "values.float"])
    assert dtype.caught_by == ["dtype.dt1"]


def test_in_process_mode_runs_callables_that_cannot_be_pickled():
    from convspec import reference
    report = run(lambda M, K, *, stride: reference.conv2d(M, K, stride=stride), profile="quick",
                 select=["values.float"])
    assert report.run["isolation"] == "inprocess" and report.ok


def test_claims_narrow_what_is_checked():
    report = run(target("narrow"), profile="quick", select=["invalid.in1", "special.nf1", "values.integer",
                                                            "values.float"])
    assert report.results["invalid.in1"].status == Status.NOT_CLAIMED
    assert report.results["special.nf1"].status == Status.NOT_CLAIMED
    assert report.results["values.integer"].status == Status.NOT_CLAIMED
    assert report.results["values.float"].status == Status.PASS


def test_claims_are_verified_not_trusted():
    lying = Backend("lying", _zeroes_nan_import(), Claims(nonfinite=True))
    report = run(lying, profile="default", select=["special.nf1"], isolation="inprocess")
    assert report.caught_by == ["special.nf1"]


def _zeroes_nan_import():
    import importlib.util
    spec = importlib.util.spec_from_file_location("harness_backends", BACKENDS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.zeroes_nan
