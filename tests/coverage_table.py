"""Which tests check which clause, as a markdown table built from the test sources.

A test function counts for clause ``ID`` when its name starts with ``test_ID_``
(for instance ``test_ST3_stride_elements_must_be_positive``) or when it carries a
marker ``@pytest.mark.clause("ID", ...)``.  A test counts as *negative* when its
body calls ``pytest.raises`` or ``assert_refused``.  The sources are parsed, not
imported, so the table can be produced without running anything.

Usage: ``python -m tests.coverage_table`` or ``python tests/coverage_table.py``
(optionally followed by the tests folder) prints the table.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from convspec.spec.clauses import CLAUSES, checked_at

TESTS_DIR = Path(__file__).resolve().parent
_NAME = re.compile(r"^test_((?:[A-Z]{2}_)?[A-Z]{2}\d+)_")
_REFUSAL_CALLS = {"raises", "assert_refused"}


@dataclass(frozen=True)
class TestRef:
    """One test function and the clauses it cites."""

    file: str
    name: str
    clauses: tuple[str, ...]
    negative: bool

    def __str__(self) -> str:
        return f"{self.file}::{self.name}"


def _marker_clauses(func: ast.FunctionDef) -> list[str]:
    found = []
    for deco in func.decorator_list:
        if (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute)
                and deco.func.attr == "clause"):
            found += [a.value for a in deco.args
                      if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return found


def _calls_refusal(func: ast.FunctionDef) -> bool:
    for node in ast.walk(func):
        if isinstance(node, ast.Call):
            target = node.func
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
            if name in _REFUSAL_CALLS:
                return True
    return False


def collect(tests_dir: Path | None = None) -> list[TestRef]:
    """Every test function under ``tests_dir`` that cites at least one clause."""
    root = Path(tests_dir) if tests_dir is not None else TESTS_DIR
    refs = []
    for path in sorted(root.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if not node.name.startswith("test_"):
                continue
            cited = _marker_clauses(node)
            match = _NAME.match(node.name)
            if match:
                cited.insert(0, match.group(1).replace("_", "-"))
            if cited:
                refs.append(TestRef(path.relative_to(root).as_posix(), node.name,
                                    tuple(dict.fromkeys(cited)), _calls_refusal(node)))
    return refs


def tests_by_clause(tests_dir: Path | None = None, *, negative_only: bool = False) -> dict[str, list[str]]:
    """Map every clause id (and any unknown id a test cites) to the tests citing it."""
    table: dict[str, list[str]] = {cid: [] for cid in CLAUSES}
    for ref in collect(tests_dir):
        if negative_only and not ref.negative:
            continue
        for cid in ref.clauses:
            table.setdefault(cid, []).append(str(ref))
    return table


def markdown_table(tests_dir: Path | None = None) -> str:
    """The clause -> tests table, one row per clause in catalogue order."""
    tests = tests_by_clause(tests_dir)
    places = checked_at()
    lines = ["| Clause | Title | Checked at | Tests |", "|---|---|---|---|"]
    for cid, clause in CLAUSES.items():
        where = "<br>".join(f"`{p}`" for p in places[cid]) or "-"
        cited = "<br>".join(f"`{t}`" for t in tests[cid]) or "**none**"
        lines.append(f"| {cid} | {clause.title} | {where} | {cited} |")
    unknown = sorted(set(tests) - set(CLAUSES))
    if unknown:
        lines.append("")
        lines.append("Unknown clause ids cited by tests: " + ", ".join(unknown))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    sys.stdout.write(markdown_table(Path(args[0]) if args else None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
