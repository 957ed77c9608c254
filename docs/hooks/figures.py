"""MkDocs hook: add the generated figures to the site.

Each figure registered with ``@registry.figure(path)`` in ``convspec_docs`` is
drawn at build time and added as a virtual file at ``path``; nothing is written
into ``docs/`` and nothing generated is committed.
"""

from __future__ import annotations

from mkdocs.structure.files import File

from convspec_docs import registry


def on_files(files, config):
    registry.load()
    for path, draw in sorted(registry.FIGURES.items()):
        files.append(File.generated(config, path, content=draw()))
    return files
