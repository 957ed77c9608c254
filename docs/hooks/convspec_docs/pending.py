"""Markers whose real generators are not written yet.

Each one renders a short, visible note instead of the generated content, so
the page builds and readers know what will appear there.  To supply the real
content, delete the name from :data:`PENDING` and register a generator under
the same name in a module listed in ``registry.MODULES``.
"""

from __future__ import annotations

from .registry import marker

PENDING = {
}


def _pending(what: str):
    def generate() -> str:
        return f'!!! note "Generated content"\n    {what} will be generated here from the code.'
    return generate


for _name, _what in PENDING.items():
    marker(_name)(_pending(_what))
