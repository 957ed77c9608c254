"""Exceptions raised for inputs that violate a clause of the specification.

Every message starts with the violated clause id in brackets, e.g. ``[ST3]``, and
names the offending value, so that a user can look the clause up in the
catalogue (`convspec.spec.clauses`) and see at once what was wrong.
"""

from __future__ import annotations


class ClauseViolation(Exception):
    """Mixin carried by every error the specification raises.

    Attributes:
        clause: the id of the violated clause, e.g. ``"VA3"``.
    """

    clause: str

    def __init__(self, clause: str, message: str) -> None:
        self.clause = clause
        super().__init__(f"[{clause}] {message}")


class SpecTypeError(ClauseViolation, TypeError):
    """An input has the wrong type (a clause about types was violated)."""


class SpecValueError(ClauseViolation, ValueError):
    """An input has the right type but a forbidden value or shape."""


class OutsideSpecError(ClauseViolation, OverflowError):
    """The exact integer result does not fit the output dtype (clause EX2).

    Such inputs are outside the specification: no result is required, so the
    exact oracle refuses to invent one.
    """
