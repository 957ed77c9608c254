"""MkDocs hook: expand ``<!-- convspec:NAME -->`` marker lines into generated Markdown.

The generators are registered in ``convspec_docs`` (see ``registry.py`` there and
the "Generated content" section of the contributing page).
"""

from __future__ import annotations

from convspec_docs import registry


def on_config(config):
    if config.get("repo_url"):
        registry.SETTINGS["repo_url"] = config["repo_url"]
    return config


def on_page_markdown(markdown, page, config, files):
    return registry.expand(markdown, page.file.src_uri)
