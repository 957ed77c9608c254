"""Run profiles: how much each property is exercised.

A property runs ``round(examples * share)`` generated examples (at least one),
where ``share`` weighs its cost (large problems run fewer examples, cheap
invalid-input checks more).  The exhaustive layer runs every tiny problem with
``m, n <= exhaustive_side`` and strides up to ``exhaustive_stride``, for each
claimed dtype.  ``shrink_calls`` caps the examples tried while shrinking one
counterexample (the smallest failing example found so far is then reported):
a count, not a time, so that a seed repeats the same report on a slower or a
busier machine.  ``shrink_seconds`` is only a safety net against backends so
slow that even that count would take too long; a report whose shrinking it cut
says so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """The sizes and counts of one profile."""

    name: str
    examples: int
    exhaustive_side: int
    exhaustive_stride: int
    small_side: int
    large_side: int
    large_kernel: int
    shrink_calls: int
    shrink_seconds: float

    def budget(self, share: float) -> int:
        """Number of generated examples for a property of this cost share."""
        return max(1, round(self.examples * share))


PROFILES: dict[str, Profile] = {
    "quick": Profile("quick", examples=10, exhaustive_side=3, exhaustive_stride=2, small_side=8,
                     large_side=96, large_kernel=16, shrink_calls=400,
                     shrink_seconds=60.0),
    "default": Profile("default", examples=100, exhaustive_side=4, exhaustive_stride=3, small_side=12,
                       large_side=320, large_kernel=16, shrink_calls=1500,
                       shrink_seconds=120.0),
    "thorough": Profile("thorough", examples=500, exhaustive_side=5, exhaustive_stride=4, small_side=16,
                        large_side=512, large_kernel=24, shrink_calls=10000,
                        shrink_seconds=600.0),
}


def get_profile(name: str) -> Profile:
    """The profile called ``name`` (``ValueError`` names the known ones)."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; choose one of {', '.join(PROFILES)}") from None
