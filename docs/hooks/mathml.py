"""MkDocs hook: TeX math in the pages becomes MathML when the site is built.

The browser draws MathML itself, so the site needs no JavaScript, no web fonts
and no network for its formulas.  The parsing rules are in
``convspec_docs/texmath.py``; this file only wires them to the build:

* ``on_page_markdown`` swaps each formula for a placeholder word;
* ``on_page_content`` puts the MathML into the page body;
* ``on_post_page`` does the same for anything outside the body (the table of
  contents, should a heading hold a formula).
"""

from __future__ import annotations

from convspec_docs import texmath

_FORMULAS: dict[str, list[texmath.Formula]] = {}


def on_page_markdown(markdown, page, config, files):
    protected = texmath.protect(markdown)
    _FORMULAS[page.file.src_uri] = protected.formulas
    return protected.markdown


def on_page_content(html, page, config, files):
    return texmath.restore(html, _FORMULAS.get(page.file.src_uri, []), page.file.src_uri)


def on_post_page(output, page, config):
    return texmath.restore(output, _FORMULAS.get(page.file.src_uri, []), page.file.src_uri)
