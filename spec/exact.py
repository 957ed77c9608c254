"""Exact values of the inputs and exact arithmetic on them.

Every finite float is a dyadic rational, so `fractions.Fraction` holds it
exactly; integers are Python ints, which never overflow; a complex value is a
pair of exact parts (`ExactComplex`).  Sums and products of exact values
are exact, so Eq 2 evaluated on them is the true mathematical value, which the
specification then rounds once (RD1, RD2).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np


@dataclass(frozen=True)
class ExactComplex:
    """A complex number with exact rational parts."""

    re: Fraction
    im: Fraction

    def __add__(self, other: "ExactComplex") -> "ExactComplex":
        return ExactComplex(self.re + other.re, self.im + other.im)

    def __mul__(self, other: "ExactComplex") -> "ExactComplex":
        return ExactComplex(self.re * other.re - self.im * other.im,
                            self.re * other.im + self.im * other.re)

    def __abs__(self) -> float:
        return abs(complex(float(self.re), float(self.im)))


def exact_scalar(x: np.generic, out_kind: str):
    """The exact value of one array element, in the arithmetic of ``out_kind``.

    ``out_kind`` is the output dtype's kind: ``"i"``/``"u"`` keep Python ints,
    ``"f"`` uses Fractions and ``"c"`` uses `ExactComplex`.  Only finite
    values may be passed.
    """
    if out_kind in "iu":
        return int(x)
    if np.iscomplexobj(x):
        z = complex(x)
        value = ExactComplex(Fraction(z.real), Fraction(z.imag))
    else:
        value = Fraction(int(x)) if isinstance(x, np.integer) else Fraction(float(x))
        if out_kind == "c":
            value = ExactComplex(value, Fraction(0))
    return value


def is_finite(x: np.generic) -> bool:
    """True when ``x`` (real or complex) has no NaN or infinite part."""
    return bool(np.isfinite(x))
