"""Registries of generated documentation content.

Two kinds of generated content exist:

* **Markers.**  A line holding only ``<!-- convspec:NAME key=value ... -->`` in
  a page is replaced, at build time, by the Markdown that the generator
  registered under ``NAME`` returns.  Register one with::

      @marker("results-matrix")
      def results_matrix() -> str:
          return "| backend | ... |"

  Arguments are passed as keyword arguments; values that look like Python
  literals (``2``, ``(1, 2)``, ``True``) arrive as those values, anything else
  as a string.  A marker with no registered generator is a build error.

* **Figures.**  ``@figure("generated/figures/NAME.svg")`` registers a function
  returning the file's content (``str`` or ``bytes``); the file is added to the
  site at that path, so pages can refer to it as an ordinary image.

Generators live in the modules listed in :data:`MODULES`; add a module there
when you add a new one.
"""

from __future__ import annotations

import ast
import importlib
import re
import shlex
from typing import Callable

from .mdscan import split_fences

MODULES = ("worked", "catalogue", "pending", "figures", "harness", "benchmarks", "runs", "results",
           "commands", "clause_math", "recipes", "gradients", "layer_figures", "findings")
"""Modules of this package that register generators (imported by :func:`load`)."""

MARKERS: dict[str, Callable[..., str]] = {}
FIGURES: dict[str, Callable[[], str | bytes]] = {}

MARKER_LINE = re.compile(r"^(?P<indent>[ \t]*)<!--\s*convspec:(?P<name>[a-z0-9-]+)"
                         r"(?P<args>[^>]*?)\s*-->[ \t]*$", re.MULTILINE)


class MarkerError(ValueError):
    """A marker is unknown, malformed, or its generator failed."""


def marker(name: str):
    """Register the decorated function as the generator of ``<!-- convspec:name -->``."""
    def register(fn):
        if name in MARKERS:
            raise MarkerError(f"marker {name!r} registered twice")
        MARKERS[name] = fn
        return fn
    return register


def figure(path: str):
    """Register the decorated function as the producer of the site file ``path``."""
    def register(fn):
        if path in FIGURES:
            raise MarkerError(f"figure {path!r} registered twice")
        FIGURES[path] = fn
        return fn
    return register


def load() -> None:
    """Import every generator module (idempotent)."""
    for module in MODULES:
        importlib.import_module(f"{__package__}.{module}")


def parse_args(text: str) -> dict[str, object]:
    """``stride=2 title="A B"`` -> ``{"stride": 2, "title": "A B"}``."""
    args: dict[str, object] = {}
    for item in shlex.split(text):
        key, sep, value = item.partition("=")
        if not sep or not key.isidentifier():
            raise MarkerError(f"marker argument {item!r} is not key=value")
        try:
            args[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            args[key] = value
    return args


def _indent(text: str, indent: str) -> str:
    return "\n".join(indent + line if line else line for line in text.strip("\n").splitlines())


def expand(markdown: str, where: str = "") -> str:
    """Replace every marker line outside fenced code by its generated Markdown."""
    load()
    out: list[str] = []
    for is_code, text, first_line in split_fences(markdown):
        if is_code:
            out.append(text)
            continue

        def replace(match: re.Match) -> str:
            name = match.group("name")
            line = first_line + text.count("\n", 0, match.start())
            if name not in MARKERS:
                raise MarkerError(f"{where}:{line}: no generator registered for marker "
                                  f"'convspec:{name}' (known: {', '.join(sorted(MARKERS))})")
            try:
                generated = MARKERS[name](**parse_args(match.group("args")))
            except MarkerError:
                raise
            except Exception as exc:
                raise MarkerError(f"{where}:{line}: generator {name!r} failed: {exc!r}") from exc
            return _indent(generated, match.group("indent"))

        out.append(MARKER_LINE.sub(replace, text))
    return "".join(out)
