"""The specification pages, generated from the clause catalogue.

The clauses are shown on one page per part of the specification (`PARTS`):
``specification/core.md`` for the core, ``specification/layer.md`` for the
layer, and so on; ``specification.md`` is the overview, listing every clause id
with a link to its entry.  Each id is also an anchor on the overview, so an old
address ``specification.html#ID`` still lands next to a link to the clause.
Pages link to a clause as ``specification.md#ID``; `resolve_clause_links`
turns such a link into one to the part's page when the site is built.

Source of truth: ``convspec.spec.clauses.CLAUSES`` (id, section, title,
statement, whether a violation is an input error), ``checked_at()`` (the
``# checks: ID`` lines in the sources), ``convspec.conformance.clause_table()``
(the conformance properties checking each clause) and ``tests/coverage_table.py``
(the tests citing each clause, by name ``test_<ID>_...`` or by the marker
``@pytest.mark.clause``).
"""

from __future__ import annotations

import importlib.util
import posixpath
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from convspec.conformance import clause_table
from convspec.spec.clauses import CLAUSES, SECTIONS, checked_at

from . import clause_math
from .registry import MarkerError, marker

EXPLAINED = {"EQ1": ("Eq 1 on the mathematics page", "mathematics.md#eq-1"),
             "EQ2": ("Eq 2 on the mathematics page", "mathematics.md#eq-2"),
             "AC1": ("the error model", "error-model.md"),
             "AC2": ("the error model", "error-model.md"),
             "CV-PD1": ("padding on the layer page", "layer.md#padding"),
             "CV-PD2": ("Eq L4 on the layer page", "layer.md#eq-L4"),
             "CV-SH1": ("Eq L3 on the layer page", "layer.md#eq-L3"),
             "CV-EQ1": ("Eq L2 on the layer page", "layer.md#eq-L2"),
             "CV-AT2": ("dilation on the layer page", "layer.md#dilation"),
             "CV-AT3": ("groups on the layer page", "layer.md#groups")}
"""Clauses whose rule is derived or explained at length on another page."""

REPO = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Part:
    """One page of clauses: the operations whose clauses it shows (and the sections, if not all)."""

    title: str
    ops: tuple[str, ...]
    intro: str
    sections: tuple[str, ...] | None = None

    def holds(self, c) -> bool:
        return c.op in self.ops and (self.sections is None or c.section in self.sections)


_CORE_INPUTS = ("IN", "ST", "VA", "RP")

PARTS: dict[str, Part] = {
    "core-inputs": Part(
        "The core: valid inputs", ("conv2d",),
        "What a valid call of `conv2d(M, K, *, stride)` is: the clauses on its inputs, and on "
        "inputs in other representations. The core is the single-channel valid convolution "
        "that the [mathematics page](../mathematics.md) explains; its ids carry no prefix. "
        "What a valid call returns is on [the next page](core-results.md).", _CORE_INPUTS),
    "core-results": Part(
        "The core: results", ("conv2d",),
        "What `conv2d(M, K, *, stride)` returns for a [valid input](core-inputs.md): the "
        "output's shape, values, dtype, rounding, special values, memory and accuracy.",
        tuple(k for k in SECTIONS if k not in _CORE_INPUTS)),
    "layer": Part("The layer: conv", ("conv",),
                  "The clauses of `conv(X, W, B=None, *, stride, padding, dilation, groups)`, the "
                  "layer that the [layer page](../layer.md) explains. Their ids start with `CV-`."),
    "gradients": Part("The input gradient", ("conv_input_grad",),
                      "The clauses of the layer's gradient with respect to its input, "
                      "`conv_input_grad`. Their ids start with `DX-`. The gradients with respect to "
                      "the weights and the bias are on [the next page](weight-gradients.md)."),
    "weight-gradients": Part("The weight and bias gradients", ("conv_weight_grad", "conv_bias_grad"),
                             "The clauses of the layer's gradients with respect to its weights, "
                             "`conv_weight_grad` (`DW-`), and its bias, `conv_bias_grad` (`DB-`). "
                             "The input gradient is on [the previous page](gradients.md)."),
    "transposed": Part("The transposed convolution", ("conv_transpose",),
                       "The clauses of `conv_transpose`, the transposed convolution. Their ids "
                       "start with `TC-`."),
}
"""The pages of clauses, ``specification/KEY.md``, in reading order."""


def part_of(clause_id: str) -> str:
    """The key in `PARTS` of the page that holds the clause."""
    c = CLAUSES[clause_id]
    for key, part in PARTS.items():
        if part.holds(c):
            return key
    raise MarkerError(f"clause {clause_id} (operation {c.op!r}, section {c.section}) is on no "
                      f"page of the specification; add it to catalogue.PARTS")


_CLAUSE_LINK = re.compile(r"(?P<open>\]\(|href=\")(?P<path>[^()\s\"#]*?)specification\.md"
                          r"#(?P<id>(?:[A-Z]{2}-)?[A-Z]{2}\d+)(?P<close>[)\"])")


def resolve_clause_links(markdown: str, page: str) -> str:
    """Point every ``specification.md#ID`` link of ``page`` at the page holding clause ID."""
    here = posixpath.dirname(page)

    def replace(match: re.Match) -> str:
        target = posixpath.normpath(posixpath.join(here, match.group("path") + "specification.md"))
        cid = match.group("id")
        if target != "specification.md" or cid not in CLAUSES:
            return match.group(0)
        path = posixpath.relpath(f"specification/{part_of(cid)}.md", here or ".")
        return f"{match.group('open')}{path}#{cid}{match.group('close')}"

    return _CLAUSE_LINK.sub(replace, markdown)


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


def _source_link(location: str) -> str:
    """``spec/shape.py:21``, shown as a path in the source tree (there is no public URL)."""
    return f"`{location}`"


@cache
def definition_lines() -> dict[str, str]:
    """Where each clause is defined: ``{"EQ1": "spec/clauses.py:63", "CV-EQ1": ...}``.

    A clause is defined where its id opens a ``Clause(...)`` (or a module's
    shorthand for it, such as ``_c(...)``) in ``spec/clauses.py`` or a
    ``spec/*_clauses.py`` module.
    """
    found = {}
    opening = re.compile(r'^\s*(?:Clause|_\w+)\(\s*"((?:[A-Z]{2}-)?[A-Z]{2}\d+)"')
    for path in [REPO / "spec" / "clauses.py", *sorted((REPO / "spec").glob("*_clauses.py"))]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = opening.search(line)
            if match and match.group(1) in CLAUSES:
                found.setdefault(match.group(1), f"spec/{path.name}:{number}")
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


def _glance(members) -> list[str]:
    tests = tests_by_clause()
    props = clause_table()
    out = ["## These clauses at a glance", "",
           "Each clause with the conformance properties that check it and the number of tests "
           "in `tests/` that cite it (listed in full under the clause). Clauses marked *input "
           "error* describe a valid input; the others are requirements on the result.", "",
           '<div class="cs-wide" markdown="1">', "",
           "| Clause | Title | Conformance properties | Tests |", "|:---|:---|:---|---:|"]
    for c in members:
        kind = " (input error)" if c.invalid_input else ""
        checked_by = ", ".join(f"`{p}`" for p in props.get(c.id, [])) or "none"
        out.append(f"| [{c.id}](#{c.id}) | {md_escape(c.title)}{kind} | {checked_by} "
                   f"| {len(tests.get(c.id, []))} |")
    return out + ["", "</div>", ""]


def _entry(c, checks, tests, props) -> list[str]:
    """One clause: its statement (typeset when it can be), then where it is checked."""
    out = [f"### {c.id}: {md_escape(c.title)} {{#{c.id}}}", ""]
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
        out.append(f"- **Explained in:** [{text}](../{link})")
    defined = definition_lines().get(c.id)
    where = checks.get(c.id, [])
    shown = ", ".join(_source_link(w) for w in where[:6])
    if len(where) > 6:
        shown += f" and {len(where) - 6} more"
    out.append((f"- **Defined at** {_source_link(defined)}; **checked at** " if defined
                else "- **Checked at:** ")
               + (shown if where else f"no source line is marked `# checks: {c.id}`"))
    out.append("- **Conformance properties:** " + (
        ", ".join(f"[`{p}`](../conformance/properties.md)" for p in props.get(c.id, []))
        or "none"))
    out.append("- **Tests** (in `tests/`): " + (_tests_list(tests[c.id])
                                                 if tests.get(c.id) else "none"))
    out.append("")
    return out


def members_of(part: str) -> list:
    """The clauses shown on ``specification/PART.md``, in catalogue order."""
    return [c for c in CLAUSES.values() if part_of(c.id) == part]


@marker("clause-catalogue")
def clause_catalogue(part: str) -> str:
    """The clauses of one part: a summary table, then one entry per clause, by section."""
    if part not in PARTS:
        raise MarkerError(f"no part {part!r} of the specification; known: {', '.join(PARTS)}")
    checks = checked_at()
    tests = tests_by_clause()
    props = clause_table()
    members = members_of(part)
    out = [PARTS[part].intro, "", *_glance(members)]
    for prefix, section in SECTIONS.items():
        in_section = [c for c in members if c.section == prefix]
        if not in_section:
            continue
        out += [f"## {md_escape(section)} ({prefix}) {{#section-{prefix}}}", ""]
        for c in in_section:
            out += _entry(c, checks, tests, props)
    return "\n".join(out)


@marker("clause-index")
def clause_index() -> str:
    """Every clause id, by part and section, each linking to its entry and anchored here."""
    out = []
    for key, part in PARTS.items():
        members = members_of(key)
        out += [f"### [{part.title}](specification/{key}.md) {{#part-{key}}}", "",
                f"{len(members)} clauses.", ""]
        for prefix, section in SECTIONS.items():
            ids = [c.id for c in members if c.section == prefix]
            if ids:
                links = ", ".join(f"[{cid}](specification/{key}.md#{cid}){{#{cid}}}" for cid in ids)
                out += [f"- **{md_escape(section)}:** {links}"]
        out.append("")
    return "\n".join(out)
