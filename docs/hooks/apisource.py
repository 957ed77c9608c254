"""MkDocs hook: let mkdocstrings find the ``convspec`` packages.

``convspec`` is a namespace whose packages live in top-level folders (``spec/``
is ``convspec.spec``, and so on, mapped by ``pyproject.toml``).  mkdocstrings
reads sources from a folder tree shaped like the import names, so before the
build this hook lays out ``build/docs-api/convspec/`` with one symbolic link per
package, pointing at the folder Python imports it from.  ``build/`` is ignored
by git; the tree is recreated whenever MkDocs loads the hooks.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

PACKAGES = ("spec", "reference", "conformance")
API_ROOT = Path("build") / "docs-api"


def layout(root: Path) -> Path:
    """Create ``root/convspec/<name>`` links to each package's source folder."""
    namespace = root / "convspec"
    namespace.mkdir(parents=True, exist_ok=True)
    for name in PACKAGES:
        spec = importlib.util.find_spec(f"convspec.{name}")
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError(f"convspec.{name} is not installed; run `pip install -e .`")
        link = namespace / name
        if link.is_symlink() or link.exists():
            link.unlink()
        os.symlink(Path(list(spec.submodule_search_locations)[0]).resolve(), link,
                   target_is_directory=True)
    return root


# mkdocstrings resolves its search paths while the configuration is loaded, before
# any hook event runs, so the tree is laid out as soon as MkDocs loads this hook.
layout(Path(__file__).resolve().parents[2] / API_ROOT)
