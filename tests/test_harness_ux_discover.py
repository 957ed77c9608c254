"""Discoverability: profiles, claims and targets tables; "did you mean"; no .hypothesis folder left behind."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from convspec.conformance import Claims
from convspec.conformance.adapters import NAMES
from convspec.conformance.backend import BackendLoadError, load_backend
from convspec.conformance.catalog import claims_table, field_docs
from convspec.conformance.cli import main
from convspec.conformance.profiles import PROFILES


def test_profiles_claims_and_targets_are_listed(capsys):
    assert main(["profiles"]) == 0
    rows = capsys.readouterr().out.splitlines()[2:]
    assert [row.split()[0] for row in rows] == list(PROFILES)
    assert main(["claims"]) == 0
    text = capsys.readouterr().out
    for f in dataclasses.fields(Claims):
        assert f"\n{f.name} " in text
    assert main(["targets"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[2:] if line.strip()}
    for name in ("reference", "spec", *NAMES):
        assert "installed" in rows[name]
    from convspec.conformance.adapters import REGISTRY
    for name, entry in REGISTRY.items():   # the default operation starts the description
        described = rows[name].split(None, 1)[1].strip()
        described = described.removeprefix("not installed").removeprefix("installed").split()[0]
        assert described.rstrip(",") == entry.op, rows[name]


def test_the_claims_table_follows_the_dataclass():
    @dataclasses.dataclass(frozen=True)
    class Wider(Claims):
        """Claims with one more field.

        Attributes:
            groups: how many groups a grouped convolution may have.
        """

        groups: int = 1

    assert field_docs(Wider) == {"groups": "how many groups a grouped convolution may have."}
    assert set(field_docs(Claims)) == {f.name for f in dataclasses.fields(Claims)}
    assert all(len(line) <= 140 for line in claims_table().splitlines())


@pytest.mark.parametrize("target, suggestion", [("refrence", "'reference'"), ("scipyy", "'scipy'")])
def test_a_mistyped_bundled_name_gets_a_suggestion(target, suggestion):
    with pytest.raises(BackendLoadError, match=f"did you mean {suggestion}"):
        load_backend(target)


def test_a_mistyped_attribute_gets_a_suggestion(tmp_path):
    (tmp_path / "mine.py").write_text("def conv2d(M, K, *, stride):\n    return M\n")
    with pytest.raises(BackendLoadError, match="did you mean 'conv2d'"):
        load_backend(f"{tmp_path / 'mine.py'}:conv2")
    with pytest.raises(BackendLoadError, match="did you mean 'conv2d'"):
        load_backend("convspec.reference:conv2")


def test_no_cache_leaves_no_hypothesis_folder_in_the_current_directory(tmp_path):
    done = subprocess.run([sys.executable, "-m", "convspec.conformance.cli", "check", "reference", "--profile",
                           "quick", "--no-cache", "-k", "values.integer,invalid.va3"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []
