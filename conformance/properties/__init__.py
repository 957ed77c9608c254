"""The property suite: every spec clause checked by at least one named property.

A `Property` has an id (``area.name``), the clause ids it checks, a
predicate saying whether the backend's claims cover it, a hypothesis strategy
of examples and a check that raises
`Violation` on a counterexample.  Some
properties also have a deterministic list of examples (the exhaustive layer)
that runs before any random search.

Areas, one module each: ``values`` (Eq 2 and accuracy), ``structure`` (shape,
dtype, layouts), ``effects`` (mutation and aliasing), ``special`` (NaN and
infinities), ``metamorphic`` (relations between calls) and ``invalid``
(refusal of inputs that violate a clause).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

import numpy as np
from hypothesis import strategies as st

from convspec.spec import CLAUSES

from ..backend import Claims
from ..cases import LAYOUTS, Case
from ..execution import Outcome
from ..profiles import Profile
from ..results import AccuracySummary
from ..strategies import Example, dtype_pairs


@dataclass
class Context:
    """What a property needs to run: claims, profile, a way to call the backend.

    ``excluded_dtypes`` and ``excluded_layouts`` come from the filters of
    known-deviation entries: inputs they cover are left out of the search.
    """

    claims: Claims
    profile: Profile
    call: Callable[[Sequence[Case]], list[Outcome]]
    summary: AccuracySummary = field(default_factory=AccuracySummary)
    excluded_dtypes: frozenset[str] = frozenset()
    excluded_layouts: frozenset[str] = frozenset()
    op: str = "conv2d"
    ops: tuple[str, ...] = ()
    """Every operation the backend provides (a relation between two operations calls both)."""

    def pairs(self, operand_kinds: str = "iufc", out_kinds: str = "iufc") -> tuple[list, list]:
        """Claimed ``(M dtype, K dtype)`` pairs as ``(same, mixed)`` lists.

        Only pairs whose operands have a kind in ``operand_kinds`` and whose
        output dtype (DT1) has a kind in ``out_kinds`` are kept; mixed pairs only
        when the claims include mixed dtypes.
        """
        names = [d for d in self.claims.dtypes if d not in self.excluded_dtypes
                 and np.dtype(d).kind in operand_kinds]
        def keep(a: str, b: str) -> bool:
            return np.result_type(a, b).kind in out_kinds
        same = [(d, d) for d in names if keep(d, d)]
        mixed = [(a, b) for a in names for b in names
                 if a != b and self.claims.mixed_dtypes and keep(a, b)]
        return same, mixed

    def pair_strategy(self, operand_kinds: str = "iufc", out_kinds: str = "iufc"):
        same, mixed = self.pairs(operand_kinds, out_kinds)
        return dtype_pairs(same, mixed)

    def has_pairs(self, operand_kinds: str = "iufc", out_kinds: str = "iufc") -> bool:
        same, mixed = self.pairs(operand_kinds, out_kinds)
        return bool(same or mixed)

    def layouts(self, exclude: Iterable[str] = ()) -> list[str]:
        """Layouts to draw from (C always first, so shrinking reaches it)."""
        return [lay for lay in LAYOUTS if lay not in self.excluded_layouts and lay not in exclude] or ["C"]

    def side(self, side: int) -> int:
        """``side`` capped by the claimed largest input side."""
        cap = self.claims.max_input_side
        return side if cap is None else max(1, min(side, cap))

    def kernel(self, side: int) -> int:
        """``side`` capped by the claimed largest kernel side."""
        cap = self.claims.max_kernel_side
        return side if cap is None else max(1, min(side, cap))


@dataclass(frozen=True)
class Property:
    """One named, checkable statement about a backend.

    Attributes:
        id: ``area.name``, stable across releases.
        title: one line.
        clauses: the spec clause ids it checks.
        strategy: ``ctx -> SearchStrategy[Example]`` for the random search.
        check: ``(example, ctx) -> None``; raises ``Violation`` on a counterexample.
        requires: ``ctx -> reason or None``; a reason makes it *not claimed*.
        share: cost weight: the profile's example count is multiplied by it.
        exhaustive: ``ctx -> iterable of Example`` run before the search, or None.
        pinned: ``(case, ctx) -> Example`` turning a known deviation's pinned call
            into an example of this property.
    """

    id: str
    title: str
    clauses: tuple[str, ...]
    strategy: Callable[[Context], st.SearchStrategy[Example]] | None
    check: Callable[[Example, Context], None]
    requires: Callable[[Context], str | None] = lambda ctx: None
    share: float = 1.0
    exhaustive: Callable[[Context], Iterable[Example]] | None = None
    pinned: Callable[[Case, Context], Example] = lambda case, ctx: Example((case,))
    doc: str = ""
    op: str = "conv2d"
    """The operation it checks."""


def _collect() -> dict[str, Property]:
    from . import (adjoint, effects, gradient_metamorphic, gradients, invalid, layer, layer_metamorphic,
                   metamorphic, special, structure, values)
    found: dict[str, Property] = {}
    for module in (values, structure, effects, special, metamorphic, invalid, layer, layer_metamorphic,
                   gradients, adjoint, gradient_metamorphic):
        for prop in module.PROPERTIES:
            if prop.id in found:
                raise ValueError(f"duplicate property id {prop.id}")
            found[prop.id] = prop
    return found


PROPERTIES: dict[str, Property] = _collect()


def of_op(op: str) -> dict[str, Property]:
    """The properties of operation ``op``, in the order they run."""
    return {pid: p for pid, p in PROPERTIES.items() if p.op == op}


def clause_table() -> dict[str, list[str]]:
    """Each clause id -> the properties that check it (every clause has at least one)."""
    table: dict[str, list[str]] = {cid: [] for cid in CLAUSES}
    for prop in PROPERTIES.values():
        for cid in prop.clauses:
            table[cid].append(prop.id)
    return table


def select(patterns: Sequence[str] | None, op: str | None = None) -> list[Property]:
    """Properties of ``op`` (all ops when None) matching any pattern (substring or ``*`` glob
    of the id, or a clause id)."""
    from fnmatch import fnmatchcase
    pool = [p for p in PROPERTIES.values() if op is None or p.op == op]
    if not patterns:
        return pool
    def matches(prop: Property, pattern: str) -> bool:
        if any(ch in pattern for ch in "*?["):
            return fnmatchcase(prop.id, pattern)
        return pattern in prop.id or pattern.upper() in prop.clauses
    return [p for p in pool if any(matches(p, pat) for pat in patterns)]
