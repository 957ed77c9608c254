"""Find TeX math in Markdown and turn it into MathML at build time.

Syntax understood (the pages' only math syntax):

* ``$...$`` is inline math.  The opening ``$`` must be followed by a
  non-space character and the closing ``$`` preceded by one and not followed
  by a digit, so prose such as "costs 5$ or 6$" is left alone.
* ``$$...$$`` is display math and may span lines.  A ``\\tag{X}`` inside it is
  removed from the TeX and shown as an equation number.  A display that stands on
  its own lines is wrapped in ``<div class="math-display">``, which gets the
  anchor ``eq-X`` when tagged, so other pages can link to the equation.
* ``\\$`` is a literal dollar sign.

Fenced code blocks (```` ``` ```` or ``~~~``), inline code spans and HTML
comments are copied unchanged.  Indented code blocks are not recognised: the
pages use fenced blocks only.

Math cannot pass through Python-Markdown untouched (``_`` and ``*`` would become
emphasis), so :func:`protect` swaps every formula for a plain placeholder word
and :func:`restore` puts the MathML in its place in the rendered HTML.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from latex2mathml.converter import convert

from .mdscan import split_fences

PLACEHOLDER = re.compile(r"CONVSPECMATH(\d{5})X")
_TAG = re.compile(r"\\tag\{([^{}]*)\}")
# Big operators (sum, product, coproduct, integrals, n-ary union and intersection).
# latex2mathml emits them without a form, and a browser then infers "infix" form
# when the operator is not first in its row, which loses the large display size.
# latex2mathml writes m' as a superscript prime, which browsers draw tiny and
# high; a prime glyph right after the base reads like TeX's m'.
_PRIMED = re.compile(r"<msup>(<mi>[^<]*</mi>)(<mi>&#x0203[234];</mi>|"
                     r"<mrow>(?:<mi>&#x02032;</mi>)+</mrow>)</msup>")
_PRIMES = {1: "&#x02032;", 2: "&#x02033;", 3: "&#x02034;"}
_PRIME_COUNT = {"&#x02032;": 1, "&#x02033;": 2, "&#x02034;": 3}
# Absolute values and norms.  A bare bar inside a row is taken by browsers as an
# infix operator (spaced like a relation, drawn at text size), so \lvert and its
# kin become \left/\right pairs, which latex2mathml writes as a fenced group
# with explicit prefix and postfix forms; any bar still bare afterwards is
# paired left to right.
_DELIMITERS = ((re.compile(r"\\lvert(?![A-Za-z])"), r"\\left|"),
               (re.compile(r"\\rvert(?![A-Za-z])"), r"\\right|"),
               (re.compile(r"\\lVert(?![A-Za-z])"), r"\\left\\|"),
               (re.compile(r"\\rVert(?![A-Za-z])"), r"\\right\\|"))
_BARE_BAR = re.compile(r"<mo(?![^>]*\bform=)([^>]*)>(&#x0007C;|&#x02016;)</mo>")
_BIG_OPERATOR = re.compile(r"<mo>(&#x0(?:2211|220F|2210|222B|222C|222E|22C3|22C2);)</mo>")


class MathError(ValueError):
    """A formula could not be converted; the message names the page and line."""


@dataclass
class Formula:
    tex: str
    display: bool
    line: int
    tag: str | None = None


@dataclass
class Protected:
    """Markdown with placeholders, and the formulas they stand for."""

    markdown: str
    formulas: list[Formula] = field(default_factory=list)


def _unsuperscript_primes(match: re.Match) -> str:
    count = sum(match.group(2).count(p) * n for p, n in _PRIME_COUNT.items())
    prime = _PRIMES.get(count, "&#x02032;" * count)
    return f'{match.group(1)}<mo lspace="0em" rspace="0em">{prime}</mo>'


def to_mathml(tex: str, display: bool, where: str = "") -> str:
    """Convert one formula; unknown commands are errors, not silent text."""
    source = tex
    for pattern, replacement in _DELIMITERS:
        tex = pattern.sub(replacement, tex)
    try:
        mathml = convert(tex, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises a variety of exception types
        raise MathError(f"{where}: cannot convert TeX {tex!r}: {exc}") from exc
    if "<mi>&</mi>" in mathml:
        raise MathError(f"{where}: '&' outside an array in {tex!r} (use \\begin{{array}})")
    unknown = re.findall(r">(\\[A-Za-z]+)<", mathml)
    if unknown:
        raise MathError(f"{where}: unknown TeX command(s) {unknown} in {tex!r}")
    mathml = _PRIMED.sub(_unsuperscript_primes, mathml)
    mathml = _BIG_OPERATOR.sub(r'<mo form="prefix">\1</mo>', mathml)
    mathml = _pair_bars(mathml)
    alt = html.escape(" ".join(source.split()), quote=True)
    return mathml.replace("<math ", f'<math alttext="{alt}" ', 1)


def _pair_bars(mathml: str) -> str:
    """Give every bar still without a form one, opening and closing in turn per glyph."""
    seen: dict[str, int] = {}

    def fence(match: re.Match) -> str:
        glyph = match.group(2)
        seen[glyph] = seen.get(glyph, 0) + 1
        form = "prefix" if seen[glyph] % 2 else "postfix"
        attrs = re.sub(r'\s*stretchy="[^"]*"', "", match.group(1))
        return f'<mo{attrs} fence="true" form="{form}" stretchy="false">{glyph}</mo>'

    return _BARE_BAR.sub(fence, mathml)


def _closing_inline(text: str, start: int) -> int:
    """Index of the ``$`` closing inline math opened before ``start``, or -1."""
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "\n" and text[i + 1:i + 2] == "\n":
            return -1  # math never crosses a paragraph break
        if ch == "$":
            after = text[i + 1:i + 2]
            if not text[i - 1].isspace() and not after.isdigit() and after != "$":
                return i
            return -1
        i += 1
    return -1


def _protect_text(text: str, first_line: int, out: list[str], formulas: list[Formula]) -> None:
    i = 0
    while i < len(text):
        ch = text[i]
        line = first_line + text.count("\n", 0, i)
        if ch == "`":
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            end = text.find("`" * run, i + run)
            while end != -1 and text[end + run:end + run + 1] == "`":
                end = text.find("`" * run, end + run + 1)
            stop = i + run if end == -1 else end + run
            out.append(text[i:stop])
            i = stop
        elif text.startswith("<!--", i):
            end = text.find("-->", i)
            stop = len(text) if end == -1 else end + 3
            out.append(text[i:stop])
            i = stop
        elif text.startswith("\\$", i):
            out.append("&#36;")
            i += 2
        elif text.startswith("$$", i):
            end = text.find("$$", i + 2)
            if end == -1:
                raise MathError(f"line {line}: display math opened with $$ is never closed")
            tex = text[i + 2:end]
            tag = None
            tags = _TAG.findall(tex)
            if tags:
                tag = tags[0]
                tex = _TAG.sub("", tex)
            token = _placeholder(formulas, Formula(tex.strip(), True, line, tag))
            line_start = text.rfind("\n", 0, i) + 1
            indent = text[line_start:i]
            line_end = text.find("\n", end + 2)
            rest = text[end + 2:len(text) if line_end == -1 else line_end]
            if indent.strip(" \t>") or rest.strip():
                out.append(token)  # display math inside a line of text: no block
            else:
                anchor = f' id="{_anchor(tag)}"' if tag else ""
                out.append(f'\n{indent}<div class="math-display"{anchor} markdown="1">\n\n'
                           f'{indent}{token}\n\n{indent}</div>\n')
            i = end + 2
        elif ch == "$" and i + 1 < len(text) and not text[i + 1].isspace():
            end = _closing_inline(text, i + 1)
            if end == -1:
                out.append(ch)
                i += 1
            else:
                out.append(_placeholder(formulas, Formula(text[i + 1:end], False, line)))
                i = end + 1
        else:
            out.append(ch)
            i += 1


def _placeholder(formulas: list[Formula], formula: Formula) -> str:
    formulas.append(formula)
    return f"CONVSPECMATH{len(formulas) - 1:05d}X"


def protect(markdown: str) -> Protected:
    """Replace every formula outside code by a placeholder word."""
    out: list[str] = []
    formulas: list[Formula] = []
    for is_code, text, first_line in split_fences(markdown):
        if is_code:
            out.append(text)
        else:
            _protect_text(text, first_line, out, formulas)
    return Protected("".join(out), formulas)


def _anchor(tag: str) -> str:
    return "eq-" + re.sub(r"[^A-Za-z0-9_-]+", "-", tag)


def render(formula: Formula, where: str) -> str:
    """The HTML for one formula: its MathML, then its equation number if tagged."""
    mathml = to_mathml(formula.tex, formula.display, f"{where}:{formula.line}")
    if formula.tag is None:
        return mathml
    return f'{mathml}<span class="math-tag">({html.escape(formula.tag)})</span>'


def restore(html_text: str, formulas: list[Formula], where: str) -> str:
    """Put the rendered formulas where their placeholders are."""
    rendered = [render(f, where) for f in formulas]

    def block(match: re.Match) -> str:
        return rendered[int(match.group(1))]

    html_text = re.sub(r"<p>\s*(?:" + PLACEHOLDER.pattern + r")\s*</p>", block, html_text)
    return PLACEHOLDER.sub(block, html_text)
