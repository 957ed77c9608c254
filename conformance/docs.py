"""Documentation generated from the code, so it cannot drift from it.

* `properties_markdown`: every property, its clauses and what it claims;
* `cli_markdown`: the option tables of ``convspec`` from its argparse parser;
* `report_schema_markdown`: the JSON report format from its JSON Schema;
* `profiles_markdown`: examples per property and profile.

The documentation site calls them from its build hooks (``docs/hooks``).
"""

from __future__ import annotations

import argparse
from typing import Any

from .cli import build_parser
from .profiles import PROFILES
from .properties import PROPERTIES
from .report import SCHEMA_ID, schema


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def properties_markdown() -> str:
    """Markdown table of every property, in the order the suite runs them."""
    rows = ["| property | clauses | checks |", "|---|---|---|"]
    for prop in PROPERTIES.values():
        rows.append(f"| `{prop.id}` | {', '.join(prop.clauses)} | {_cell(prop.title)} |")
    return "\n".join(rows) + "\n"


def profiles_markdown() -> str:
    """Markdown table: generated examples per searched property in each profile."""
    names = list(PROFILES)
    rows = ["| property | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for prop in PROPERTIES.values():
        if prop.strategy is None:
            cells = [f"all m, n ≤ {PROFILES[n].exhaustive_side}, strides ≤ {PROFILES[n].exhaustive_stride}"
                     for n in names]
        else:
            cells = [str(PROFILES[n].budget(prop.share)) for n in names]
        rows.append(f"| `{prop.id}` | " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def _option_rows(parser: argparse.ArgumentParser) -> list[str]:
    rows = ["| option | argument | default | description |", "|---|---|---|---|"]
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        names = ", ".join(f"`{s}`" for s in action.option_strings) or f"`{action.metavar or action.dest}`"
        if action.nargs == 0:
            arg = ""
        elif action.choices:
            arg = " \\| ".join(f"`{c}`" for c in action.choices)
        else:
            arg = f"`{action.metavar or action.dest.upper()}`"
        default = "" if action.default is None or action.default is False or action.default == argparse.SUPPRESS \
            else f"`{action.default}`"
        text = (action.help or "").replace("%(default)s", str(action.default))
        rows.append(f"| {names} | {arg} | {default} | {_cell(text)} |")
    return rows


def cli_markdown() -> str:
    """Markdown: one option table per ``convspec`` subcommand, plus the exit statuses."""
    parser = build_parser()
    out = ["# The `convspec` command", "", parser.description or "", ""]
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subs.choices.items():
        out += [f"## `convspec {name}`", "", sub.description or "", "", *_option_rows(sub), ""]
    out += ["## Exit status", "", "| status | meaning |", "|---|---|",
            "| 0 | every claimed property held |",
            "| 1 | at least one property failed (including a stale known deviation) or could not be evaluated |",
            "| 2 | usage error, invalid known-deviation file, or the backend could not be loaded |", ""]
    return "\n".join(out)


def _type_text(node: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in node:
        return node["$ref"].rsplit("/", 1)[-1]
    if "const" in node:
        return f"`{node['const']!r}`"
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"])
    if "oneOf" in node:
        return " or ".join(_type_text(n, defs) for n in node["oneOf"])
    kind = node.get("type", "any")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array" and "items" in node:
        return f"array of {_type_text(node['items'], defs)}"
    return kind


def _fields(title: str, node: dict[str, Any], defs: dict[str, Any]) -> list[str]:
    required = set(node.get("required", []))
    rows = [f"### {title}", "", node.get("description", ""), "", "| field | type | required | description |",
            "|---|---|---|---|"]
    for key, sub in node.get("properties", {}).items():
        rows.append(f"| `{key}` | {_type_text(sub, defs)} | {'yes' if key in required else 'no'} | "
                    f"{_cell(sub.get('description', ''))} |")
    return rows + [""]


def report_schema_markdown() -> str:
    """Markdown description of the JSON report, generated from its JSON Schema."""
    doc = schema()
    defs = doc.get("$defs", {})
    out = ["# The JSON report", "",
           f"`convspec check ... --report-json PATH` writes one JSON document with `\"schema\": \"{SCHEMA_ID}\"`. "
           "Its JSON Schema ships as `convspec/conformance/report_schema.json` "
           "(`convspec.conformance.report.schema()`); a change that breaks readers bumps the number after the "
           "slash. Floating values JSON cannot hold (infinity, NaN) are written as the strings "
           "`\"inf\"`, `\"-inf\"`, `\"nan\"`.", "",
           "Every property has exactly one status: `pass`, `fail`, `not claimed` (the backend's claims exclude "
           "it), `known` (a declared known deviation whose pinned example still fails) or `error` (the harness "
           "could not evaluate it). `summary.exit_code` is 0 when no property is `fail` or `error`.", "",
           "A failure carries the problem descriptor (`m6x6_k3x3_s2x1_float32_F_C`: M shape, kernel shape, "
           "stride, dtype or `Mdtype.Kdtype`, layouts of M and K), the seed, the hypothesis "
           "`@reproduce_failure(...)` blob when the search completed its shrinking, and `reproducer`: a "
           "standalone Python script that rebuilds the exact inputs and re-checks the failure with numpy and the "
           "backend alone.", ""]
    out += _fields("Top level", doc, defs)
    for key in ("backend", "run", "summary"):
        out += _fields(f"`{key}`", doc["properties"][key], defs)
    for key in ("property", "failure", "accuracy", "operand"):
        out += _fields(f"`{key}` objects", defs[key], defs)
    return "\n".join(out)
