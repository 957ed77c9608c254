"""The clause catalogue is complete and every clause is checked somewhere.

* every invalid-input clause (``Clause.invalid_input``) has a negative test named
  ``test_<ID>_...`` that expects a refusal;
* every clause in ``CLAUSES`` is cited by a ``# checks:`` line of the sources or
  by a test;
* tests cite only clauses that exist;
* :mod:`coverage_table` itself finds names, markers and refusals correctly.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from convspec.spec import CLAUSES, checked_at, clause
import coverage_table
from coverage_table import TESTS_DIR, collect, markdown_table


def test_every_invalid_input_clause_has_a_negative_test():
    negative = coverage_table.tests_by_clause(negative_only=True)
    invalid = [cid for cid, c in CLAUSES.items() if c.invalid_input]
    assert invalid, "the catalogue marks no clause as an invalid-input clause"
    missing = [cid for cid in invalid if not negative[cid]]
    assert not missing, f"invalid-input clauses without a negative test: {missing}"


def test_every_clause_is_cited_by_a_check_or_a_test():
    places = checked_at()
    tests = coverage_table.tests_by_clause()
    uncited = [cid for cid in CLAUSES if not places[cid] and not tests[cid]]
    assert not uncited, f"clauses neither checked in the sources nor tested: {uncited}"


def test_tests_cite_only_known_clauses():
    unknown = sorted(set(coverage_table.tests_by_clause()) - set(CLAUSES))
    assert not unknown, f"tests cite clause ids missing from the catalogue: {unknown}"


def test_catalogue_ids_are_well_formed_and_sectioned():
    from convspec.spec.clauses import SECTIONS
    for cid, c in CLAUSES.items():
        assert c.id == cid and clause(cid) is c
        assert c.section == cid.split('-')[-1][:2] and c.section in SECTIONS
        assert c.title and c.statement.endswith(".")
    with pytest.raises(KeyError, match="XX9"):
        clause("XX9")


def test_checked_at_refuses_unknown_ids(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "mod.py").write_text("x = 1  # checks: ZZ7\n", encoding="utf-8")
    with pytest.raises(KeyError, match="ZZ7"):
        checked_at([package])
    (package / "mod.py").write_text("x = 1  # checks: ST1, VA3\n", encoding="utf-8")
    found = checked_at([package])
    assert found["ST1"] == ["pkg/mod.py:1"] and found["VA3"] == ["pkg/mod.py:1"]


def _write_fake_tests(folder: Path) -> None:
    (folder / "test_fake.py").write_text(textwrap.dedent('''
        import pytest

        def test_ST1_refused():
            with pytest.raises(TypeError):
                pass

        def test_VA2_value_only():
            assert True

        @pytest.mark.clause("EQ1", "VA2")
        def test_marked():
            assert_refused(None, TypeError, "VA2")

        class TestGroup:
            def test_NF1_in_class(self):
                pass

        def helper_IN1_not_a_test():
            pytest.raises(ValueError)
    '''), encoding="utf-8")


def test_coverage_table_finds_names_markers_and_refusals(tmp_path):
    _write_fake_tests(tmp_path)
    refs = {ref.name: ref for ref in collect(tmp_path)}
    assert set(refs) == {"test_ST1_refused", "test_VA2_value_only", "test_marked", "test_NF1_in_class"}
    assert refs["test_ST1_refused"].negative and refs["test_marked"].negative
    assert not refs["test_VA2_value_only"].negative
    assert refs["test_marked"].clauses == ("EQ1", "VA2")
    negative = coverage_table.tests_by_clause(tmp_path, negative_only=True)
    assert negative["ST1"] == ["test_fake.py::test_ST1_refused"]
    assert negative["VA2"] == ["test_fake.py::test_marked"]
    assert negative["IN1"] == []


def test_coverage_table_markdown_has_one_row_per_clause():
    table = markdown_table()
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[0].startswith("| Clause |")
    assert [row.split("|")[1].strip() for row in rows[1:]] == list(CLAUSES)
    assert "test_spec_validation.py::test_ST3_stride_elements_must_be_positive" in table


@pytest.mark.parametrize("command", [
    [sys.executable, "-m", "tests.coverage_table"],
    [sys.executable, str(TESTS_DIR / "coverage_table.py")],
], ids=["module", "script"])
def test_coverage_table_runs_from_the_command_line(command):
    done = subprocess.run(command, cwd=TESTS_DIR.parent, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("| Clause | Title | Checked at | Tests |")
    assert done.stdout.count("\n| ") == len(CLAUSES)  # one row per clause after the header
