"""The conformance pages, generated from the harness's own code.

Sources of truth:

* ``convspec.conformance.docs``: the option tables of ``convspec`` (from its
  argparse parser), the JSON report format (from its JSON Schema), the
  properties and the examples per profile;
* ``convspec.conformance.pytest_plugin.pytest_addoption``: the options of the
  pytest plugin, recorded by calling it with a stand-in for pytest's parser;
* ``convspec.conformance.backend.Claims``: its fields, defaults and the
  ``Attributes:`` section of its docstring;
* ``convspec.conformance.profiles.PROFILES`` and the docstring of
  ``convspec.conformance.known`` (the known-deviation file format).
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import inspect
import re
import textwrap

from convspec.conformance import docs as harness_docs
from convspec.conformance import known, pytest_plugin
from convspec.conformance.backend import Claims
from convspec.conformance.profiles import PROFILES

from .registry import marker


def shift_headings(markdown: str, by: int, drop_title: bool = True) -> str:
    """Demote every ATX heading by ``by`` levels; optionally drop the first level-1 heading."""
    out, dropped = [], not drop_title
    for line in markdown.splitlines():
        match = re.match(r"^(#{1,6}) ", line)
        if match and not dropped and len(match.group(1)) == 1:
            dropped = True
            continue
        if match:
            line = "#" * min(6, len(match.group(1)) + by) + line[len(match.group(1)):]
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"


@marker("cli-options")
def cli_options(level: int = 2) -> str:
    """Option tables of every ``convspec`` subcommand and the exit statuses."""
    return shift_headings(harness_docs.cli_markdown(), by=level - 2)


class _OptionRecorder:
    """Stands in for pytest's parser and option group; records options into argparse."""

    def __init__(self) -> None:
        self.parser = argparse.ArgumentParser(add_help=False)

    def getgroup(self, name: str, description: str = "") -> "_OptionRecorder":
        return self

    def addoption(self, *names: str, **kwargs) -> None:
        self.parser.add_argument(*names, **kwargs)


def pytest_option_parser() -> argparse.ArgumentParser:
    """The options the plugin registers, as an argparse parser."""
    recorder = _OptionRecorder()
    pytest_plugin.pytest_addoption(recorder)
    return recorder.parser


@marker("pytest-options")
def pytest_options() -> str:
    """The options the pytest plugin adds, one row each."""
    return "\n".join(harness_docs._option_rows(pytest_option_parser())) + "\n"


@marker("report-schema")
def report_schema(level: int = 1) -> str:
    """The JSON report format, from its JSON Schema (the whole page at ``level=1``)."""
    return shift_headings(harness_docs.report_schema_markdown(), by=level - 1,
                          drop_title=level != 1)


def _attributes(doc: str) -> dict[str, str]:
    """The ``Attributes:`` section of a Google-style docstring as name -> text."""
    section = doc.split("Attributes:", 1)[1] if "Attributes:" in doc else ""
    found: dict[str, str] = {}
    name = None
    for line in textwrap.dedent(section).splitlines():
        head = re.match(r"^(\w+): (.*)$", line)
        if head:
            name = head.group(1)
            found[name] = head.group(2).strip()
        elif name and line.strip():
            found[name] += " " + line.strip()
    return found


def _markdown_text(text: str) -> str:
    return text.replace("``", "`").replace("|", "\\|")


@marker("claims-table")
def claims_table() -> str:
    """Every field of ``Claims``: its type, default and meaning, as a definition list.

    A list rather than a table, so that the meaning stays in view on a narrow screen.
    """
    meaning = _attributes(inspect.getdoc(Claims) or "")
    items = []
    for f in dataclasses.fields(Claims):
        kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
        default = f.default
        if isinstance(default, tuple) and len(default) > 4:
            shown = f"all {len(default)} admitted dtypes"
        else:
            shown = f"<code>{html.escape(repr(default))}</code>"
        items.append(f"<dt><code>{f.name}</code>: <code>{html.escape(str(kind))}</code>, "
                     f"default {shown}</dt>\n<dd markdown=\"1\">{meaning.get(f.name, '')}"
                     "</dd>")
    missing = [f.name for f in dataclasses.fields(Claims) if f.name not in meaning]
    if missing:
        raise ValueError(f"Claims fields without a line in its docstring: {missing}")
    return '<dl class="cs-fields" markdown="1">\n' + "\n".join(items) + "\n</dl>\n"


@marker("admitted-dtypes")
def admitted_dtypes() -> str:
    """The dtype names a backend may claim (the default of ``Claims.dtypes``)."""
    names = ", ".join(f"`{name}`" for name in Claims().dtypes)
    return f"The dtypes a backend may claim are those the specification admits: {names}."


@marker("profile-table")
def profile_table() -> str:
    """The sizes and counts of each profile, one column per profile."""
    profiles = list(PROFILES.values())
    rows = [("examples", lambda p: str(p.examples)),
            ("exhaustive layer", lambda p: f"every m, n ≤ {p.exhaustive_side}, strides ≤ "
                                           f"{p.exhaustive_stride}"),
            ("small side", lambda p: str(p.small_side)),
            ("large side", lambda p: str(p.large_side)),
            ("large kernel side", lambda p: str(p.large_kernel)),
            ("shrinking", lambda p: f"≤ {p.shrink_calls} tries (≤ {p.shrink_seconds:g} s)")]
    out = ["| | " + " | ".join(f"`{p.name}`" for p in profiles) + " |",
           "|---|" + "---:|" * len(profiles)]
    for label, value in rows:
        out.append(f"| {label} | " + " | ".join(value(p) for p in profiles) + " |")
    return "\n".join(out) + "\n"


@marker("profile-examples")
def profile_examples() -> str:
    """Generated examples per property and profile."""
    return harness_docs.profiles_markdown()


@marker("property-table")
def property_table() -> str:
    """Every property of the suite, in run order, with the clauses it checks.

    The core's properties come first, in a table of their own; each other
    operation's (``conv.*`` for the layer, and so on) follow in a table that is
    collapsed, so that the page stays readable as operations are added.
    """
    from convspec.spec.clauses import OPERATIONS

    rows = harness_docs.properties_markdown().splitlines()
    head, groups = rows[:2], {}
    for row in rows[2:]:
        cells = row.split(" | ")
        cells[1] = ", ".join(f"[{c}](specification.md#{c})" for c in cells[1].split(", "))
        op = cells[0].strip("| `").split(".")[0]
        groups.setdefault(op if op in OPERATIONS.values() else "conv2d", []).append(" | ".join(cells))
    out = ["\n".join(head + groups.pop("conv2d", [])), ""]
    for op, members in groups.items():
        out += [f'<details class="cs-tests" markdown="1"><summary>The {len(members)} properties '
                f"of <code>{op}</code></summary>", "", "\n".join(head + members), "", "</details>", ""]
    return "\n".join(out)


@marker("known-format")
def known_format() -> str:
    """The annotated TOML layout from the docstring of ``convspec.conformance.known``."""
    doc = inspect.getdoc(known) or ""
    match = re.search(r":\n\n((?:    .*\n|\n)+)", doc + "\n")
    if not match:
        raise ValueError("the docstring of convspec.conformance.known has no TOML block")
    return "```toml\n" + textwrap.dedent(match.group(1)).strip("\n") + "\n```\n"
