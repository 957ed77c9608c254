"""Splitting one run over N machines: ``convspec check ... --shard K/N``.

The selected properties are dealt to N shards by their cost, largest first,
each to the shard with the least cost so far (ties go to the lowest shard
number); within a shard they keep the suite's order.  The cost of a property
is the number of generated examples the profile gives it, plus a fixed amount
for its deterministic layer.  The assignment depends only on the selection,
the profile and N, so every machine computes the same split, and every
property lands in exactly one shard.  `convspec.conformance.merge` joins the
shards' JSON reports into one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .profiles import Profile

#: The cost given to a property's deterministic layer, in generated examples.
EXHAUSTIVE_COST = 20

_FORM = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not (isinstance(self.count, int) and isinstance(self.index, int)) or self.count < 1 \
                or not 1 <= self.index <= self.count:
            raise ValueError(f"invalid shard {self.index}/{self.count}: K/N needs 1 <= K <= N, e.g. 1/4")

    @classmethod
    def parse(cls, text: str) -> "Shard":
        """``"K/N"`` -> Shard (``ValueError`` names the text when it is not of that form)."""
        match = _FORM.fullmatch(text)
        if not match:
            raise ValueError(f"invalid shard {text!r}: expected K/N with 1 <= K <= N, e.g. 1/4")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def as_dict(self, properties: Sequence[str], selected: Sequence[str]) -> dict[str, Any]:
        """The run-info record: this shard, its properties and the whole selection it splits."""
        return {"index": self.index, "count": self.count, "properties": list(properties),
                "selected_properties": list(selected)}


def cost(prop: Any, profile: Profile) -> int:
    """The estimated cost of a property (see the module docstring)."""
    total = profile.budget(prop.share) if prop.strategy is not None else 0
    return total + (EXHAUSTIVE_COST if prop.exhaustive is not None else 0) or 1


def deal(items: Sequence[Any], count: int, cost: Callable[[Any], float]) -> list[list[Any]]:
    """``items`` dealt to ``count`` parts: largest cost first, each to the part with the least
    cost so far (ties to the lowest part); each part keeps the order of ``items``."""
    loads = [0.0] * count
    part_of: dict[int, int] = {}
    for i in sorted(range(len(items)), key=lambda i: (-cost(items[i]), i)):
        lightest = min(range(count), key=lambda k: (loads[k], k))
        part_of[i] = lightest
        loads[lightest] += cost(items[i])
    return [[item for i, item in enumerate(items) if part_of[i] == k] for k in range(count)]


def assign(props: Sequence[Any], count: int, profile: Profile) -> list[list[Any]]:
    """The properties of each of ``count`` shards, balanced by cost, each in suite order."""
    return deal(props, count, lambda prop: cost(prop, profile))


def argument(text: str) -> Shard:
    """``--shard K/N`` as an argparse type (a malformed value is a usage error naming it)."""
    import argparse
    try:
        return Shard.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
