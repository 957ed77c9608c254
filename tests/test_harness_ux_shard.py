"""Sharding: a deterministic split where every property runs once; merge joins the shards' reports."""

from __future__ import annotations

import json

import jsonschema
import pytest

from convspec.conformance.cli import main
from convspec.conformance.profiles import PROFILES
from convspec.conformance.properties import PROPERTIES
from convspec.conformance.report import schema
from convspec.conformance.sharding import Shard, assign, cost


@pytest.mark.parametrize("count", [1, 2, 3, 7, 40])
def test_every_property_is_in_exactly_one_shard_and_the_shards_are_balanced(count):
    props = list(PROPERTIES.values())
    profile = PROFILES["default"]
    shards = assign(props, count, profile)
    assert len(shards) == count
    ids = [p.id for shard in shards for p in shard]
    assert sorted(ids) == sorted(PROPERTIES)
    assert assign(props, count, profile) == shards  # deterministic
    loads = [sum(cost(p, profile) for p in shard) for shard in shards]
    assert max(loads) - min(loads) <= max(cost(p, profile) for p in props)
    for shard in shards:  # suite order within a shard
        assert [p.id for p in shard] == [pid for pid in PROPERTIES if pid in {q.id for q in shard}]


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0", "-1/2"])
def test_an_invalid_shard_is_a_usage_error_naming_it(text, capsys):
    with pytest.raises(ValueError, match="invalid shard"):
        Shard.parse(text)
    with pytest.raises(SystemExit) as stop:
        main(["check", "reference", f"--shard={text}"])
    assert stop.value.code == 2 and text in capsys.readouterr().err


def _check(tmp_path, name, *extra):
    path = tmp_path / f"{name}.json"
    status = main(["check", "reference", "--profile", "quick", "--no-cache", "--isolation", "inprocess",
                   "-k", "invalid", "--report-json", str(path), *extra])
    return status, path


def test_merged_shards_give_the_whole_run(tmp_path, capsys):
    _, whole = _check(tmp_path, "whole")
    _, one = _check(tmp_path, "one", "--shard", "1/2")
    _, two = _check(tmp_path, "two", "--shard", "2/2")
    parts = [json.loads(p.read_text()) for p in (one, two)]
    assert set(parts[0]["summary"]["counts"]) and not {p["id"] for p in parts[0]["properties"]} & {
        p["id"] for p in parts[1]["properties"]}
    merged = tmp_path / "merged.json"
    assert main(["merge", str(two), str(one), "--report-json", str(merged),
                 "--junit-xml", str(tmp_path / "m.xml")]) == 0
    document = json.loads(merged.read_text())
    jsonschema.validate(document, schema())
    expected = json.loads(whole.read_text())
    assert [p["id"] for p in document["properties"]] == [p["id"] for p in expected["properties"]]
    assert document["run"]["partial"] is False and document["run"]["shard"]["missing"] == []

    assert main(["merge", str(one), "--report-json", str(merged)]) == 1  # shard 2/2 is missing
    document = json.loads(merged.read_text())
    jsonschema.validate(document, schema())
    assert document["run"]["partial"] is True and document["run"]["shard"]["missing"] == ["2/2"]
    assert set(document["run"]["not_run"]) == {p["id"] for p in parts[1]["properties"]}
    assert "MISSING shards 2/2" in capsys.readouterr().out


def test_reports_of_other_runs_or_twice_the_same_shard_are_refused(tmp_path, capsys):
    _, one = _check(tmp_path, "one", "--shard", "1/2")
    _, other = _check(tmp_path, "other", "--shard", "2/2", "--seed", "7")
    assert main(["merge", str(one), str(other)]) == 2
    assert "seed is 7" in capsys.readouterr().err
    assert main(["merge", str(one), str(one)]) == 2
    assert "both shard 1/2" in capsys.readouterr().err
    assert main(["merge", str(tmp_path / "nope.json")]) == 2
    assert "does not exist" in capsys.readouterr().err
