"""The specification page, generated from the clause catalogue.

Source of truth: ``convspec.spec.clauses.CLAUSES`` (id, section, title,
statement, whether a violation is an input error) and ``checked_at()`` (the
``# checks: ID`` lines in the sources).  Tests are found by name: a test
function whose name starts with ``test_<ID>_`` (any case) is listed under that
clause.
"""

from __future__ import annotations

import re
from pathlib import Path

from convspec.spec.clauses import CLAUSES, SECTIONS, checked_at

from .registry import marker

REPO = Path(__file__).resolve().parents[3]
_TEST_DEF = re.compile(r"^\s*(?:async\s+)?def\s+(test_([A-Za-z]{2}\d+)_\w*)\s*\(", re.MULTILINE)


def md_escape(text: str) -> str:
    """Plain text that Markdown must not reinterpret (emphasis, links, HTML)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_{}\[\]#|$])", r"\\\1", text)


def tests_by_clause(tests_dir: Path = REPO / "tests") -> dict[str, list[str]]:
    """Map clause ids to the ``file::test`` names (relative to ``tests/``) that cite them."""
    found: dict[str, list[str]] = {}
    for path in sorted(tests_dir.rglob("test_*.py")):
        rel = path.relative_to(tests_dir).as_posix()
        for match in _TEST_DEF.finditer(path.read_text(encoding="utf-8")):
            cid = match.group(2).upper()
            if cid in CLAUSES:
                found.setdefault(cid, []).append(f"{rel}::{match.group(1)}")
    return found


def _code_list(items: list[str], limit: int = 6) -> str:
    shown = ", ".join(f"`{item}`" for item in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


@marker("clause-catalogue")
def clause_catalogue() -> str:
    """Every clause: a summary table, then one entry per clause, by section."""
    checks = checked_at()
    tests = tests_by_clause()
    out = ["## All clauses at a glance", "", "| Clause | Title | Kind |", "|:---|:---|:---|"]
    for c in CLAUSES.values():
        kind = "input error" if c.invalid_input else "requirement"
        out.append(f"| [{c.id}](#{c.id}) | {md_escape(c.title)} | {kind} |")
    out.append("")
    for prefix, section in SECTIONS.items():
        members = [c for c in CLAUSES.values() if c.section == prefix]
        if not members:
            continue
        out += [f"## {md_escape(section)} ({prefix}) {{#section-{prefix}}}", ""]
        for c in members:
            out += [f"### {c.id}: {md_escape(c.title)} {{#{c.id}}}", "",
                    md_escape(c.statement), ""]
            if c.invalid_input:
                out.append(f"- **On violation:** `TypeError` or `ValueError` whose message "
                           f"starts with `[{c.id}]`.")
            where = checks.get(c.id, [])
            out.append("- **Checked at:** " + (_code_list(where) if where else
                                                f"no source line is marked `# checks: {c.id}`"))
            if tests.get(c.id):
                out.append("- **Tests** (in `tests/`): " + _code_list(tests[c.id]))
            out.append("")
    return "\n".join(out)
