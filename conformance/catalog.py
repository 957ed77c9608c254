"""Tables for discovery: ``convspec profiles``, ``convspec claims`` and ``convspec targets``.

The claims table is read from the `Claims` dataclass itself (its fields,
defaults and the ``Attributes:`` section of its docstring), so a field added
there is listed without further work.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import re
import textwrap
from typing import Sequence

from .backend import Claims
from .profiles import PROFILES


def table(header: Sequence[str], rows: Sequence[Sequence[str]], wrap: int = 0) -> str:
    """A plain-text table; the last column is wrapped at ``wrap`` characters when given."""
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    indent = sum(widths[:-1]) + 2 * (len(widths) - 1)
    lines = []
    rule = ["-" * min(w, wrap or w) for w in widths]
    for row in [header, rule, *rows]:
        cells = [str(c) for c in row]
        last = textwrap.wrap(cells[-1], wrap) if wrap and len(cells[-1]) > wrap else [cells[-1]]
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells[:-1], widths)) + ("  " if cells[:-1] else "")
                     + (last[0] if last else ""))
        lines += [" " * indent + more for more in last[1:]]
    return "\n".join(line.rstrip() for line in lines)


def profiles_table() -> str:
    fields = [f.name for f in dataclasses.fields(next(iter(PROFILES.values())))]
    return table(fields, [[str(getattr(p, f)) for f in fields] for p in PROFILES.values()])


def field_docs(cls: type) -> dict[str, str]:
    """The ``Attributes:`` section of a Google-style docstring: name -> its text on one line."""
    doc = inspect.cleandoc(cls.__doc__ or "")
    part = doc.split("Attributes:", 1)[1] if "Attributes:" in doc else ""
    found: dict[str, str] = {}
    name, indent = None, None
    for line in part.splitlines():
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip())
        match = re.match(r"(\w+)(?: \([^)]*\))?:\s*(.*)", line.strip())
        if indent is None and match:
            indent = depth
        if depth < (indent or 0):
            break  # the section ended
        if match and depth == indent:
            name = match.group(1)
            found[name] = match.group(2).strip()
        elif name:
            found[name] += " " + line.strip()
    return found


def _type_name(annotation) -> str:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    return text.replace("typing.", "")


def claims_table() -> str:
    docs = field_docs(Claims)
    default = Claims()
    rows = []
    for f in dataclasses.fields(Claims):
        value = getattr(default, f.name)
        if isinstance(value, (tuple, frozenset, set)):
            items = sorted(map(str, value)) if not isinstance(value, tuple) else list(map(str, value))
            shown = ",".join(items) if len(items) < 4 else f"{len(items)} values"
        else:
            shown = repr(value)
        rows.append([f.name, _type_name(f.type), shown, docs.get(f.name, "").replace("``", "")])
    return table(["claim", "type", "default", "meaning"], rows, wrap=60)


def targets_rows() -> list[list[str]]:
    """One row per bundled target: name, availability, what to install."""
    rows = [["reference", "installed", "every operation: convspec's fast reference implementation"],
            ["spec", "installed", "every operation: the exact oracle (slow by design; small sizes only)"]]
    try:
        from .adapters import REGISTRY
    except ImportError:
        return rows
    for name, entry in REGISTRY.items():
        missing = [lib for lib in entry.requires if importlib.util.find_spec(lib) is None]
        hint = (f"pip install 'convspec[{entry.extra}]'" if entry.extra else f"pip install {' '.join(missing)}")
        rows.append([name, "installed" if not missing else "not installed",
                     f"{', '.join(entry.ops)} (adapter {entry.module}: {', '.join(entry.requires)})"
                     + (f"; {hint}" if missing else "")])
    return rows


def targets_table() -> str:
    return (table(["target", "status", "operations (--op; without it, the first) and what"], targets_rows(),
                  wrap=60)
            + "\n\nYour own: 'package.module:attribute' or 'path/to/file.py:attribute'.")
