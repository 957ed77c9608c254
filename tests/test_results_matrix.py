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
    def fake(name, *, profile, seed, op="conv2d", observe=False):
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


def test_an_adapter_gets_one_row_per_operation_it_provides():
    jobs = matrix.jobs_of(["numpy", "torch-grad"])
    assert jobs == [("numpy", "conv2d")] + [("torch-grad", op) for op in adapters.REGISTRY["torch-grad"].ops]
    assert len(adapters.REGISTRY["torch-grad"].ops) == 4
    seen = []
    fake = lambda name, *, profile, seed, op, observe: seen.append((name, op)) or _fake_run({})(name, profile=profile, seed=seed)  # noqa: E731
    data = matrix.run_matrix(["torch-grad"], profile="quick", seed=0, run_fn=fake)
    assert seen == jobs[1:] and [row["op"] for row in data["backends"]] == [op for _, op in jobs[1:]]


def test_the_registry_names_the_operations_each_installed_adapter_provides():
    import importlib.util
    for name, entry in adapters.REGISTRY.items():
        if all(importlib.util.find_spec(lib) for lib in entry.requires):
            assert set(entry.ops) == set(adapters.load(name).operations), name


def _timed(seconds):
    return {"backends": [{"name": n, "op": o, "seconds": s} for (n, o), s in seconds.items()]}


def test_shards_split_the_rows_by_their_recorded_time_and_cover_each_once():
    from convspec.conformance.sharding import Shard
    jobs = matrix.jobs_of()
    timed = _timed({jobs[0]: 1000.0, jobs[1]: 900.0})
    parts = [matrix.shard_jobs(jobs, Shard(k, 3), timed) for k in (1, 2, 3)]
    assert sorted(job for part in parts for job in part) == sorted(jobs)
    assert parts[0][0] == jobs[0] and jobs[1] in parts[1] and jobs[1] not in parts[0]  # the two slowest apart
    for part in parts:
        assert part == [job for job in jobs if job in part]  # each in the run's order
    assert parts == [matrix.shard_jobs(jobs, Shard(k, 3), timed) for k in (1, 2, 3)]  # same on every machine


def test_shard_parts_merge_into_the_matrix_and_a_missing_part_is_named(tmp_path, capsys, numpy_report,
                                                                       monkeypatch):
    fake = _fake_run({"numpy": numpy_report, "scipy": numpy_report})
    monkeypatch.setattr(matrix, "run_matrix", lambda *a, run_fn=None, **kw: _real_run_matrix(*a, run_fn=fake, **kw))
    parts = [tmp_path / f"part{k}.json" for k in (1, 2)]
    for k, part in enumerate(parts, 1):
        assert cli.main(["matrix", "--adapters", "numpy", "scipy", "--profile", "quick", "--shard", f"{k}/2",
                         "--output", str(part)]) == 0
    rows = [[row["name"] for row in matrix.load_matrix(part)["backends"]] for part in parts]
    assert sorted(rows[0] + rows[1]) == ["numpy", "scipy"] and all(len(r) == 1 for r in rows)
    out = tmp_path / "m.json"
    assert cli.main(["matrix", "--merge", *map(str, parts), "--output", str(out)]) == 0
    merged = matrix.load_matrix(out)
    assert [row["name"] for row in merged["backends"]] == ["scipy", "numpy"] and "shard" not in merged
    capsys.readouterr()
    assert cli.main(["matrix", "--merge", str(parts[0]), "--output", str(tmp_path / "n.json")]) == 1
    lost = rows[1][0]
    assert f"{lost} --op conv2d" in capsys.readouterr().err


_real_run_matrix = matrix.run_matrix


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


def test_committed_matrix_has_a_row_per_adapter_and_operation(committed):
    from convspec.conformance.observe import feature_names
    assert [(row["name"], row.get("op", "conv2d")) for row in committed["backends"]] == matrix.jobs_of()
    for row in committed["backends"]:
        op = row.get("op", "conv2d")
        if row["state"] != "ran":
            continue
        assert row["version"] and row["seconds"] is not None
        # a row may predate a property or a feature, or keep the cell of one since renamed (rows are
        # regenerated one library at a time, and a new property must not force every library to be
        # run again); the pages show what each row ran
        assert set(row["cells"].values()) <= {"pass", "fail", "known", "not claimed", "error"}, (row["name"], op)
        assert {o["feature"] for o in row.get("observed") or []} <= set(feature_names(op)), (row["name"], op)


def test_a_row_that_predates_a_property_renders_it_as_not_run(committed, monkeypatch):
    data = json.loads(json.dumps(committed))
    row = next(r for r in data["backends"] if r["state"] == "ran" and r.get("op", "conv2d") == "conv2d")
    dropped = next(iter(row["cells"]))
    del row["cells"][dropped]                       # this row's run predates the property
    monkeypatch.setattr(results, "load", lambda path=None: data)
    table = registry.expand("<!-- convspec:results-verdicts op=conv2d -->\n")
    line = next(line for line in table.splitlines() if line.startswith(f"| `{row['name']}` |"))
    assert "*not run*" in line and "?" not in table
    assert "no row has run yet" not in registry.expand("<!-- convspec:results-matrix -->\n")
    data["properties"] = [p for p in data["properties"] if p["id"] != dropped]   # and so does every row's
    summary = registry.expand("<!-- convspec:results-matrix -->\n")
    assert f"Properties added since, which no row has run yet: `{dropped}`" in summary


def test_every_finding_names_a_cell_of_its_adapter_matrix():
    from convspec.conformance.observe import feature_names
    from convspec_docs.findings import all_findings
    for item in all_findings():
        op = item["op"]
        assert op in adapters.REGISTRY[item["adapter"]].ops, item["file"]
        assert set(item["features"]) <= set(feature_names(op)), item["file"]
        page = (ROOT / "docs" / "findings" / item["file"]).read_text()
        assert item["features"] or "no cell (" in page, f"{item['file']} names no cell of the {op} matrix"


def test_feature_matrix_links_findings_and_lists_the_other_failing_cells(committed):
    page = registry.expand("<!-- convspec:results-features op=conv -->\n")
    rows = [row for row in committed["backends"] if row.get("op") == "conv" and row["state"] == "ran"]
    assert rows and all(f"`{row['name']}`" in page for row in rows)
    anchors = set(re.findall(r'<span id="(observed-[\w-]+)"></span>', page))
    assert set(re.findall(r"\]\(#(observed-[\w-]+)\)", page)) <= anchors
    for name in re.findall(r"\]\(findings/([\w-]+\.md)\)", page):
        assert (ROOT / "docs" / "findings" / name).exists()


def test_rendered_pages_link_every_failed_cell_to_its_explanation(committed):
    lists = {name: registry.expand(f"<!-- convspec:results-failures page={name} -->\n")
             for name in results.DEVIATION_PAGES}
    page = registry.expand("<!-- convspec:results-matrix -->\n") + "".join(lists.values()) + "".join(
        registry.expand(f"<!-- convspec:results-verdicts op={op} -->\n") for op in matrix.OPS)
    anchors = {(name, a) for name, text in lists.items() for a in re.findall(r"\{#(deviations-[\w-]+)\}", text)}
    links = set(re.findall(r"\]\(([\w-]+\.md)#(deviations-[\w-]+)\)", page))
    assert links and links <= anchors
    for row in committed["backends"]:
        if row["state"] == "ran":
            assert f"`{row['name']}`" in page
            for item in row["failures"] + row["known"]:
                assert f"`{item['property']}`" in page and f"`{item['problem']}`" in page
    home = registry.expand("<!-- convspec:backend-status -->\n")
    assert all(f"`{row['name']}`" in home for row in committed["backends"])
