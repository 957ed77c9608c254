"""The findings: one page per deviation of a real library, under ``docs/findings/``.

Each finding page starts with its title and one metadata comment::

    <!-- finding: requires=torch version=2.13.0+cpu adapter=torch-layer features="zero-size inputs" -->

``requires`` names the modules its reproducer imports, ``version`` the
version of the first one the printed output was recorded with, ``adapter``
the bundled adapter whose row the finding explains and ``features`` the
cells of that row (``;``-separated feature names of the per-op matrices,
see `convspec.conformance.observe`; empty for an operation that has no
feature matrix).  ``also`` (optional) names cells of other rows that
the same cause explains, ``;``-separated, each ``adapter:op:feature``
(an adapter that exposes the library's same function for another
operation, say).  A table row ``| Classification | … |``
gives the classification, ``| Upstream | … |`` the upstream report or the
search result.

Markers:

* ``findings-index``: the table of every finding, by library.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

from .registry import marker

REPO = Path(__file__).resolve().parents[3]
FINDINGS = REPO / "docs" / "findings"
_META = re.compile(r"<!--\s*finding:(?P<args>.*?)-->")
_ROW = re.compile(r"^\|\s*(?P<key>[A-Za-z ,]+?)\s*\|\s*(?P<value>.*?)\s*\|\s*$", re.MULTILINE)


def parse(path: Path) -> dict[str, Any]:
    """The metadata, title and table rows of one finding page (``ValueError`` if incomplete)."""
    text = path.read_text(encoding="utf-8")
    meta = _META.search(text)
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), None)
    if meta is None or title is None:
        raise ValueError(f"{path.name}: a finding needs a '# title' and a '<!-- finding: ... -->' line")
    args = dict(item.partition("=")[::2] for item in shlex.split(meta.group("args")))
    rows = {m.group("key"): m.group("value") for m in _ROW.finditer(text)}
    missing = [k for k in ("requires", "version", "adapter") if not args.get(k)]
    missing += [] if "features" in args else ["features"]
    missing += [k for k in ("Library", "Classification", "Upstream") if k not in rows]
    if missing:
        raise ValueError(f"{path.name}: missing {', '.join(missing)}")
    op = args.get("op") or _default_op(args["adapter"])
    features = [f.strip() for f in args["features"].split(";") if f.strip()]
    cells = [(args["adapter"], op, feature) for feature in features]
    for item in (v.strip() for v in args.get("also", "").split(";") if v.strip()):
        parts = tuple(v.strip() for v in item.split(":"))
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"{path.name}: 'also' cell {item!r} is not adapter:op:feature")
        cells.append(parts)
    return {"name": path.stem, "file": path.name, "title": title,
            "requires": args["requires"].split(","), "version": args["version"],
            "adapter": args["adapter"], "op": op, "features": features, "cells": cells,
            "library": rows["Library"], "classification": rows["Classification"].strip("* "),
            "upstream": rows["Upstream"]}


def _default_op(adapter: str) -> str:
    from convspec.conformance.adapters import REGISTRY
    entry = REGISTRY.get(adapter)
    return entry.op if entry is not None else "conv2d"


def all_findings(folder: Path | None = None) -> list[dict[str, Any]]:
    """Every finding page of ``folder`` (default: ``docs/findings``), by file name."""
    folder = folder or FINDINGS
    return [parse(p) for p in sorted(folder.glob("*.md")) if p.name != "index.md"]


def cell_links(folder: Path | None = None) -> dict[tuple[str, str, str], list[str]]:
    """(adapter, operation, feature) -> the finding files that explain that matrix cell."""
    links: dict[tuple[str, str, str], list[str]] = {}
    for item in all_findings(folder):
        for cell in item["cells"]:
            links.setdefault(cell, []).append(item["file"])
    return links


def _relative_upstream(text: str, prefix: str) -> str:
    """Links to sibling finding pages, rewritten for a page in another folder."""
    return re.sub(r"\]\((?!https?:|\.\./)([a-z0-9-]+\.md)\)", lambda m: f"]({prefix}{m.group(1)})", text)


@marker("findings-index")
def findings_index(prefix: str = "") -> str:
    """Per adapter, a list of its findings: title, classification, cells and upstream (a list,
    not a table, so that it reads at any width)."""
    out = []
    by_adapter: dict[str, list[dict[str, Any]]] = {}
    for item in all_findings():
        by_adapter.setdefault(item["adapter"], []).append(item)
    for adapter, items in by_adapter.items():
        out += [f"### `{adapter}`: {items[0]['library']}", ""]
        for item in items:
            cells = ", ".join(item["features"] + [f"`{a}` `{o}` {f}" for a, o, f in item["cells"][len(item["features"]):]]) \
                or "no cell"
            out.append(f"- [{item['title'].split(': ', 1)[-1]}]({prefix}{item['file']}): "
                       f"**{item['classification']}**; cells: {cells}; upstream: "
                       f"{_relative_upstream(item['upstream'], prefix)}")
        out.append("")
    return "\n".join(out)
