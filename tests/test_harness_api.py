"""The Python API: statuses, clause coverage, seeds, the example database."""

from __future__ import annotations

from pathlib import Path

from convspec.conformance import Status, clause_table, property_ids, run
from convspec.spec import CLAUSES

BACKENDS = Path(__file__).parent / "harness" / "backends.py"


def test_every_clause_of_a_checked_operation_is_checked_by_a_named_property():
    from convspec.conformance.operations import OPERATIONS
    table = clause_table()
    assert set(table) == set(CLAUSES)
    checked = [cid for cid, c in CLAUSES.items() if c.op in OPERATIONS]
    assert {"conv2d", "conv"} <= {CLAUSES[cid].op for cid in checked}
    assert all(table[cid] for cid in checked), [cid for cid in checked if not table[cid]]
    assert all(pid in property_ids() for pids in table.values() for pid in pids)


def test_every_property_gets_exactly_one_status():
    report = run("reference", profile="quick", select=["values", "invalid.in1"])
    assert all(isinstance(r.status, Status) for r in report.results.values())
    assert report.ok and report.exit_code == 0 and report.caught_by == []
    assert report.examples == report.run["examples"] > 0


def test_the_measured_error_is_reported_when_the_property_passes():
    report = run("reference", profile="quick", select=["values.float"])
    accuracy = report.results["values.float"].accuracy
    assert report.results["values.float"].status == Status.PASS
    assert accuracy.compared > 0 and 0 <= accuracy.worst_ratio <= 1 and sum(accuracy.ulp_histogram.values()) > 0


def test_the_seed_repeats_the_run():
    first = run(f"{BACKENDS}:flipped", profile="quick", seed=5, select=["values.float"])
    again = run(f"{BACKENDS}:flipped", profile="quick", seed=5, select=["values.float"])
    a, b = first.results["values.float"], again.results["values.float"]
    assert a.failure.reproducer == b.failure.reproducer and a.examples == b.examples


def test_failing_examples_are_replayed_first(tmp_path):
    first = run(f"{BACKENDS}:flipped", profile="default", seed=1, select=["values.float"], cache_dir=tmp_path)
    assert (tmp_path / "hypothesis").is_dir()
    replay = run(f"{BACKENDS}:flipped", profile="default", seed=2, select=["values.float"], cache_dir=tmp_path)
    assert replay.results["values.float"].failure.problem == first.results["values.float"].failure.problem
    assert replay.results["values.float"].examples < first.results["values.float"].examples


def test_the_profile_budget_is_in_the_report():
    report = run("reference", profile="quick", select=["values.integer"])
    assert report.run["profile_budget"]["values.integer"] >= 1
    assert report.run["examples_by_property"]["values.integer"] == report.results["values.integer"].examples
