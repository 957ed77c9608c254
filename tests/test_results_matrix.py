"""The results matrix: built from reports, merged by adapter, rendered into the documentation."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from convspec.conformance import adapters, run
from convspec.conformance import cli, matrix
from convspec.conformance.backend import BackendLoadError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "hooks"))
from convspec_docs import registry, results  # noqa: E402


def _fake_run(reports):
    def fake(name, *, profile, seed):
        if name not in reports:
            raise BackendLoadError(f"adapter {name!r} needs a library that is not installed")
        return reports[name]
    return fake


@pytest.fixture(scope="module")
def numpy_report():
    return run("numpy", profile="quick", seed=0, select=["values.float", "invalid.in1", "dtype.dt1"])


def test_row_records_cells_accuracy_and_version(numpy_report):
    data = matrix.run_matrix(["numpy", "torch"], profile="quick", seed=0,
                             run_fn=_fake_run({"numpy": numpy_report}))
    assert data["schema"] == matrix.SCHEMA_ID
    row, missing = data["backends"]
    assert row["cells"] == {"values.float": "pass", "dtype.dt1": "pass", "invalid.in1": "not claimed"}
    assert row["version"] == numpy_report.backend["version"]
    assert 0 < row["worst_ratio"] <= 1 and row["worst_ratio"] == row["accuracy"]["values.float"]
    assert missing["state"] == "not installed" and "not installed" in missing["note"]
    json.dumps(data)  # the whole matrix is plain JSON


def test_worst_ratio_leaves_out_failed_properties():
    cells = {"a": "pass", "b": "fail", "c": "known"}
    assert matrix.worst_ratio({"a": 0.5, "b": 1e9, "c": 7.0}, cells) == 0.5
    assert matrix.worst_ratio({"b": 1e9}, cells) is None
    assert matrix.worst_ratio({"a": "inf"}, cells) == "inf"


def test_unknown_adapter_and_profile_are_refused():
    with pytest.raises(ValueError, match="unknown adapters"):
        matrix.run_matrix(["no-such-library"])
    with pytest.raises(ValueError, match="unknown profile"):
        matrix.run_matrix(["numpy"], profile="huge")


def test_merge_replaces_only_the_rerun_rows(numpy_report):
    fake = _fake_run({"numpy": numpy_report})
    old = matrix.run_matrix(["scipy", "numpy"], profile="quick", seed=0, run_fn=fake)
    new = matrix.run_matrix(["numpy"], profile="quick", seed=0, run_fn=fake)
    merged = matrix.merge(old, new)
    assert [row["name"] for row in merged["backends"]] == ["scipy", "numpy"]  # adapter order
    assert merged["backends"][1] is new["backends"][0]
    with pytest.raises(ValueError, match="rerun every adapter"):
        matrix.merge(old, matrix.run_matrix(["numpy"], profile="quick", seed=1, run_fn=fake))


def test_command_writes_the_file(tmp_path, capsys):
    out = tmp_path / "m.json"
    assert cli.main(["matrix", "--adapters", "numpy", "--profile", "quick", "--output", str(out)]) == 0
    data = matrix.load_matrix(out)
    assert [row["name"] for row in data["backends"]] == ["numpy"]
    assert "numpy" in capsys.readouterr().out
    assert cli.main(["matrix", "--adapters", "numpy", "--profile", "default", "--output", str(out)]) == 2


# ---------------------------------------------------------------- the committed data and its pages

@pytest.fixture(scope="module")
def committed():
    return results.load()


def test_committed_matrix_has_a_row_per_adapter_and_a_cell_per_property(committed):
    from convspec.conformance import property_ids
    assert [row["name"] for row in committed["backends"]] == list(adapters.NAMES)
    for row in committed["backends"]:
        if row["state"] == "ran":
            assert list(row["cells"]) == property_ids("conv2d"), row["name"]
            assert row["version"] and row["seconds"] is not None


def test_rendered_pages_link_every_failed_cell_to_its_explanation(committed):
    page = registry.expand("<!-- convspec:results-matrix -->\n\n<!-- convspec:results-failures -->\n")
    anchors = set(re.findall(r"\{#(deviations-[\w-]+)\}", page))
    links = set(re.findall(r"\]\(#(deviations-[\w-]+)\)", page))
    assert links and links <= anchors
    for row in committed["backends"]:
        if row["state"] == "ran":
            assert f"`{row['name']}`" in page
            for item in row["failures"] + row["known"]:
                assert f"`{item['property']}`" in page and f"`{item['problem']}`" in page
    home = registry.expand("<!-- convspec:backend-status -->\n")
    assert all(f"`{row['name']}`" in home for row in committed["backends"])
