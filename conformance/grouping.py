"""Failures that share a root cause, told as one story.

A backend with one bug usually fails many properties the same way: a wrong
output shape fails every property that looks at an output.  `group` puts
failures together when they have the same kind, the same violated clause and
the same message once numbers are masked, and orders the groups so that the
most basic comes first: structure (shape, dtype, layout), then the refusal of
invalid input, values, special values, effects and metamorphic relations.
Within a group the most basic property leads, and its reproducer is the one
to look at first.

Every input that should have been refused but was accepted counts as one
cause, whatever the clause: a backend that does not validate its input
accepts them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .results import PropertyResult, Status

#: Property areas (the part of the id before the dot), most basic first.
AREA_ORDER = ("shape", "dtype", "layout", "invalid", "values", "special", "effects", "metamorphic")

_CLAUSE = re.compile(r"\b([A-Z]{2}-[A-Z]{2}\d|Eq ?\d|EQ\d|[A-Z]{2}\d)\b")
_DESCRIPTOR = re.compile(r"\bm\S*_k\S*_s\S+")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?", re.IGNORECASE)


def area_rank(property_id: str) -> int:
    """The rank of the first part of the id that names an area (``conv_input_grad.values``: values)."""
    for part in property_id.split("."):
        area = "special" if part == "specials" else part
        if area in AREA_ORDER:
            return AREA_ORDER.index(area)
    return len(AREA_ORDER)


def violated_clause(message: str) -> str:
    """The first clause id a failure message names (``"Eq 1"`` -> ``"EQ1"``), or ""."""
    match = _CLAUSE.search(message)
    return match.group(1).upper().replace(" ", "") if match else ""


def pattern(message: str) -> str:
    """The first line of a message up to its first ``"; "`` (what is wrong, before where and by
    how much), with problem descriptors and numbers masked."""
    first = message.splitlines()[0].split("; ", 1)[0] if message else ""
    return _NUMBER.sub("#", _DESCRIPTOR.sub("<problem>", first))


def cause(result: PropertyResult) -> tuple[str, str, str]:
    """The grouping key: kind, violated clause, message pattern."""
    failure = result.failure
    if failure is None:  # the harness could not evaluate the property
        return ("error", "", result.id)
    if failure.kind == "accepted":
        return ("accepted", "", "")
    return (failure.kind, violated_clause(failure.message), pattern(failure.message))


@dataclass
class Group:
    """Failing properties that share a cause; ``members[0]`` is the most basic."""

    key: tuple[str, str, str]
    members: list[PropertyResult] = field(default_factory=list)

    @property
    def first(self) -> PropertyResult:
        return self.members[0]

    @property
    def headline(self) -> str:
        kind, clause, _ = self.key
        r = self.first
        if kind == "accepted":
            return ("inputs that violate a clause were accepted instead of refused (if the backend does "
                    "not validate its input, declare Claims(validates_input=False))")
        if r.failure is None:
            return f"the harness could not evaluate {r.id}"
        text = r.failure.message.splitlines()[0] if r.failure.message else r.failure.kind
        text = text.removeprefix(f"[{clause}] ") if clause else text
        return f"{kind}{' of ' + clause if clause else ''}: {text}"


def group(results: list[PropertyResult]) -> list[Group]:
    """The failed and errored results in groups of one cause, most basic group first."""
    order = {r.id: i for i, r in enumerate(results)}
    groups: dict[tuple[str, str, str], Group] = {}
    for r in results:
        if r.status in (Status.FAIL, Status.ERROR):
            key = cause(r)
            groups.setdefault(key, Group(key)).members.append(r)

    def rank(r: PropertyResult) -> tuple[int, int]:
        return (area_rank(r.id), order[r.id])

    for g in groups.values():
        g.members.sort(key=rank)
    return sorted(groups.values(), key=lambda g: rank(g.first))
