"""A few helpers for writing SVG by hand (no plotting library needed)."""

from __future__ import annotations

from html import escape

FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif\""

INK = "#1f2933"
GRID = "#9aa5b1"
WINDOW = "#e8590c"
WINDOW_FILL = "#ffe8d9"
OUTPUT = "#3b5bdb"
OUTPUT_FILL = "#dbe4ff"
MUTED = "#cbd2d9"


def document(width: float, height: float, body: list[str], title: str, desc: str) -> str:
    """A standalone SVG document with an accessible title and description."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
        f'viewBox="0 0 {width:g} {height:g}" role="img" {FONT}>\n'
        f"<title>{escape(title)}</title>\n<desc>{escape(desc)}</desc>\n"
        f'<rect width="100%" height="100%" fill="#ffffff"/>\n'
        + "\n".join(body) + "\n</svg>\n"
    )


def text(x: float, y: float, content: object, size: float = 14, fill: str = INK,
         anchor: str = "middle", weight: str = "normal", extra: str = "") -> str:
    return (f'<text x="{x:g}" y="{y:g}" font-size="{size:g}" fill="{fill}" '
            f'text-anchor="{anchor}" dominant-baseline="central" font-weight="{weight}"'
            f'{" " + extra if extra else ""}>{escape(str(content))}</text>')


def rect(x: float, y: float, w: float, h: float, fill: str = "none", stroke: str = GRID,
         width: float = 1, extra: str = "") -> str:
    return (f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{width:g}"{" " + extra if extra else ""}/>')


def grid(x: float, y: float, values, cell: float, size: float = 14,
         fill: str = "#ffffff") -> list[str]:
    """A matrix drawn as cells with its numbers centred in them."""
    out = []
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            out.append(rect(x + c * cell, y + r * cell, cell, cell, fill=fill))
            out.append(text(x + (c + 0.5) * cell, y + (r + 0.5) * cell, value, size))
    return out


def fmt(value) -> str:
    """An integer with a true minus sign."""
    return str(value).replace("-", "\u2212")
