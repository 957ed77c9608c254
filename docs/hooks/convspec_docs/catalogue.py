"""The specification page, generated from the clause catalogue.

Source of truth: ``convspec.spec.clauses.CLAUSES`` (id, section, title,
statement, whether a violation is an input error), ``checked_at()`` (the
``# checks: ID`` lines in the sources), ``convspec.conformance.clause_table()``
(the conformance properties checking each clause) and ``tests/coverage_table.py``
(the tests citing each clause, by name ``test_<ID>_...`` or by the marker
``@pytest.mark.clause``).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from functools import cache
from pathlib import Path

from convspec.conformance import clause_table
from convspec.spec.clauses import CLAUSES, SECTIONS, checked_at

from .registry import marker

REPO = Path(__file__).resolve().parents[3]


def md_escape(text: str) -> str:
    """Plain text that Markdown must not reinterpret (emphasis, links, HTML)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_{}\[\]#|$])", r"\\\1", text)


@cache
def _coverage_module():
    """``tests/coverage_table.py``, loaded from its file (``tests`` is not a package)."""
    spec = importlib.util.spec_from_file_location("convspec_docs_coverage_table",
                                                  REPO / "tests" / "coverage_table.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def tests_by_clause() -> dict[str, list[str]]:
    """Map clause ids to the ``file::test`` names (relative to ``tests/``) that cite them."""
    return _coverage_module().tests_by_clause()


def _code_list(items: list[str], limit: int = 6) -> str:
    shown = ", ".join(f"`{item}`" for item in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


@marker("clause-catalogue")
def clause_catalogue() -> str:
    """Every clause: a summary table, then one entry per clause, by section."""
    checks = checked_at()
    tests = tests_by_clause()
    props = clause_table()
    out = ["## All clauses at a glance", "",
           "Each clause with the conformance properties that check it and the number of tests "
           "in `tests/` that cite it (listed in full under the clause).", "",
           "| Clause | Title | Kind | Conformance properties | Tests |", "|:---|:---|:---|:---|---:|"]
    for c in CLAUSES.values():
        kind = "input error" if c.invalid_input else "requirement"
        checked_by = ", ".join(f"`{p}`" for p in props.get(c.id, [])) or "none"
        out.append(f"| [{c.id}](#{c.id}) | {md_escape(c.title)} | {kind} | {checked_by} "
                   f"| {len(tests.get(c.id, []))} |")
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
            out.append("- **Conformance properties:** " + (
                ", ".join(f"[`{p}`](conformance.md#what-is-checked)" for p in props.get(c.id, []))
                or "none"))
            out.append("- **Tests** (in `tests/`): " + (_code_list(tests[c.id], limit=len(tests[c.id]))
                                                         if tests.get(c.id) else "none"))
            out.append("")
    return "\n".join(out)
