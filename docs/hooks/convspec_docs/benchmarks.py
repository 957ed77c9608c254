"""The benchmark table of the reference page, read from the committed snapshot.

Source of truth: ``benchmarks/results.md``, written by
``python benchmarks/bench_reference.py --markdown``.  Nothing is timed while the
site is built: timings depend on the machine and its load, so the page shows
one recorded run, with the provenance and notes that came with it.
"""

from __future__ import annotations

import re
from pathlib import Path

from .registry import marker

REPO = Path(__file__).resolve().parents[3]
SNAPSHOT = REPO / "benchmarks" / "results.md"


def parse(text: str) -> dict[str, object]:
    """Split the snapshot into its introduction, table (header and rows) and notes."""
    lines = text.splitlines()
    table_at = [i for i, line in enumerate(lines) if line.startswith("|")]
    if not table_at:
        raise ValueError(f"{SNAPSHOT} holds no table")
    first, last = table_at[0], table_at[-1]
    if table_at != list(range(first, last + 1)):
        raise ValueError(f"{SNAPSHOT}: the table is interrupted")
    split = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines[first:last + 1]]
    intro = [line for line in lines[:first] if not line.startswith("# ")]
    return {"intro": "\n".join(intro).strip(), "header": split[0], "rows": split[2:],
            "notes": "\n".join(lines[last + 1:]).strip()}


def _size(text: str) -> str:
    """``512^2`` -> ``512²``."""
    return re.sub(r"\^2\b", "²", text)


def _cell(text: str) -> str:
    """A table cell; a failed peer's long error message is left to the notes."""
    if text.startswith("failed ("):
        return "failed (see the notes)"
    return text.replace("|", "\\|")


@marker("benchmark-table")
def benchmark_table(part: str = "all") -> str:
    """The snapshot: ``part`` is ``intro``, ``table``, ``notes`` or ``all``."""
    snap = parse(SNAPSHOT.read_text(encoding="utf-8"))
    header, rows = snap["header"], snap["rows"]
    sections = []
    if part in ("intro", "all"):
        sections.append(str(snap["intro"]).replace("^2", "²"))
    if part in ("table", "all"):
        sizes = list(dict.fromkeys(row[0] for row in rows))
        for size in sizes:
            sections.append(f"### Input {_size(size)} {{#bench-{size.replace('^2', '')}}}")
            body = ["| " + " | ".join(header[1:]) + " |", "|" + "---|" * (len(header) - 1)]
            for row in rows:
                if row[0] == size:
                    body.append("| " + " | ".join(_cell(cell) for cell in row[1:]) + " |")
            sections.append('<div class="cs-bench cs-wide" markdown>\n\n' + "\n".join(body) + "\n\n</div>")
    if part in ("notes", "all"):
        sections.append(_size(str(snap["notes"])))
    if not sections:
        raise ValueError(f"unknown part {part!r}: use intro, table, notes or all")
    return "\n\n".join(sections) + "\n"
