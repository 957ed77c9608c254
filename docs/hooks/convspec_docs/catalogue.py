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

from . import clause_math
from .registry import SETTINGS, marker

EXPLAINED = {"EQ1": ("Eq 1 on the mathematics page", "mathematics.md#eq-1"),
             "EQ2": ("Eq 2 on the mathematics page", "mathematics.md#eq-2"),
             "AC1": ("the error model", "error-model.md"),
             "AC2": ("the error model", "error-model.md")}
"""Clauses whose rule is derived or explained at length on another page."""

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


def source_url(location: str) -> str | None:
    """``spec/shape.py:21`` -> a link to that line in the repository, if it has a URL."""
    base = (SETTINGS.get("repo_url") or "").rstrip("/")
    path, _, line = location.rpartition(":")
    if not base or not path or not line.isdigit():
        return None
    return f"{base}/blob/{SETTINGS.get('branch', 'main')}/{path}#L{line}"


def _source_link(location: str) -> str:
    url = source_url(location)
    return f"[`{location}`]({url})" if url else f"`{location}`"


@cache
def definition_lines() -> dict[str, str]:
    """Where each clause is defined: ``{"EQ1": "spec/clauses.py:63", ...}``."""
    path = REPO / "spec" / "clauses.py"
    found = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = re.search(r'Clause\(\s*"([^"]+)"', line)
        if match:
            found.setdefault(match.group(1), f"spec/clauses.py:{number}")
    return found


def _tests_list(items: list[str], limit: int = 3) -> str:
    """A short list inline; a long one collapsed, with its length in the summary."""
    if len(items) <= limit:
        return ", ".join(f"`{item}`" for item in items)
    rows = "\n".join(f"<li><code>{item}</code></li>" for item in items)
    return (f'<details class="cs-tests"><summary>{len(items)} tests</summary>'
            f"<ul>{rows}</ul></details>")


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
           "in `tests/` that cite it (listed in full under the clause). Clauses marked *input "
           "error* describe a valid input; the others are requirements on the result.", "",
           '<div class="cs-wide" markdown="1">', "",
           "| Clause | Title | Conformance properties | Tests |", "|:---|:---|:---|---:|"]
    for c in CLAUSES.values():
        kind = " (input error)" if c.invalid_input else ""
        checked_by = ", ".join(f"`{p}`" for p in props.get(c.id, [])) or "none"
        out.append(f"| [{c.id}](#{c.id}) | {md_escape(c.title)}{kind} | {checked_by} "
                   f"| {len(tests.get(c.id, []))} |")
    out += ["", "</div>", ""]
    for prefix, section in SECTIONS.items():
        members = [c for c in CLAUSES.values() if c.section == prefix]
        if not members:
            continue
        out += [f"## {md_escape(section)} ({prefix}) {{#section-{prefix}}}", ""]
        for c in members:
            out += [f"### {c.id}: {md_escape(c.title)} {{#{c.id}}}", ""]
            typeset = clause_math.typeset(c.id, c.statement)
            if typeset:
                out += [typeset, "",
                        '<details class="cs-plain" markdown="1"><summary>Catalogue text</summary>',
                        "", md_escape(c.statement), "", "</details>", ""]
            else:
                out += [md_escape(c.statement), ""]
            if c.invalid_input:
                out.append(f"- **On violation:** `TypeError` or `ValueError` whose message "
                           f"starts with `[{c.id}]`.")
            if c.id in EXPLAINED:
                text, link = EXPLAINED[c.id]
                out.append(f"- **Explained in:** [{text}]({link})")
            defined = definition_lines().get(c.id)
            where = checks.get(c.id, [])
            shown = ", ".join(_source_link(w) for w in where[:6])
            if len(where) > 6:
                shown += f" and {len(where) - 6} more"
            out.append((f"- **Defined at** {_source_link(defined)}; **checked at** " if defined
                        else "- **Checked at:** ")
                       + (shown if where else f"no source line is marked `# checks: {c.id}`"))
            out.append("- **Conformance properties:** " + (
                ", ".join(f"[`{p}`](conformance.md#what-is-checked)" for p in props.get(c.id, []))
                or "none"))
            out.append("- **Tests** (in `tests/`): " + (_tests_list(tests[c.id])
                                                         if tests.get(c.id) else "none"))
            out.append("")
    return "\n".join(out)
