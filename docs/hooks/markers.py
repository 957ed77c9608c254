"""MkDocs hook: expand ``<!-- convspec:NAME -->`` marker lines into generated Markdown.

The generators are registered in ``convspec_docs`` (see ``registry.py`` there and
the "Generated content" section of the contributing page).  After expansion, a
link to a clause, ``specification.md#ID``, is pointed at the page of the
specification that holds clause ID (``catalogue.resolve_clause_links``), so
pages and generators need not know how the clauses are split over pages.
"""

from __future__ import annotations

from convspec_docs import catalogue, registry


def on_page_markdown(markdown, page, config, files):
    expanded = registry.expand(markdown, page.file.src_uri)
    return catalogue.resolve_clause_links(expanded, page.file.src_uri)
