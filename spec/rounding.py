"""Rounding an exact value once to a NumPy output dtype (RD1, RD2, EX1, EX2).

A binary floating-point format with ``p`` significand bits and minimum normal
exponent ``emin`` represents, in the binade ``[2**e, 2**(e+1))`` with
``e >= emin``, exactly the multiples of ``2**(e - p + 1)``; below ``2**emin``
(the subnormals) the spacing stays ``2**(emin - p + 1)``.  Rounding an exact
rational ``q`` therefore means: find its binade, divide by that spacing, round
the quotient to the nearest integer with ties to even, and multiply back.  The
result overflows to an infinity when it reaches ``2**emax``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .errors import OutsideSpecError


def _binade(q: Fraction) -> int:
    """The integer ``e`` with ``2**e <= q < 2**(e+1)``, for ``q > 0``."""
    e = q.numerator.bit_length() - q.denominator.bit_length()
    if q < Fraction(2) ** e:
        e -= 1
    elif q >= Fraction(2) ** (e + 1):
        e += 1
    return e


def round_to_float(q: Fraction, dtype: np.dtype, negative_zero: bool = False) -> float:
    """Round the exact rational ``q`` once to the real floating ``dtype`` (RD1).

    Returns a Python float holding the rounded value exactly (every float16 and
    float32 value is a float64 value).  ``negative_zero`` gives the sign of an
    exact zero.
    """
    info = np.finfo(dtype)
    precision = info.nmant + 1
    if q == 0:
        return -0.0 if negative_zero else 0.0
    sign = -1.0 if q < 0 else 1.0
    q = abs(q)
    exponent = max(_binade(q), info.minexp)
    spacing_exp = exponent - precision + 1
    scaled = q / Fraction(2) ** spacing_exp if spacing_exp >= 0 else q * 2 ** -spacing_exp
    units = round(scaled)  # round half to even  # checks: RD1
    if units * Fraction(2) ** spacing_exp >= Fraction(2) ** info.maxexp:  # checks: RD1
        return sign * math.inf
    return sign * math.ldexp(units, spacing_exp)


def round_to_dtype(value, dtype: np.dtype, negative_zero: bool = False):
    """Round an exact value (int, Fraction or `ExactComplex`) to ``dtype``.

    Integers must fit exactly (EX1); one that does not is outside the
    specification (EX2) and raises `OutsideSpecError`.  ``negative_zero``
    gives the sign of an exact real zero; an exact zero complex part is +0.
    """
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if not info.min <= value <= info.max:  # checks: EX2
            raise OutsideSpecError(
                "EX2", f"exact result {value} does not fit {dtype} [{info.min}, {info.max}]"
            )
        return int(value)  # checks: EX1
    if dtype.kind == "c":
        part = np.dtype(f"f{dtype.itemsize // 2}")
        return complex(round_to_float(Fraction(value.re), part),  # checks: RD2
                       round_to_float(Fraction(value.im), part))
    return round_to_float(Fraction(value), dtype, negative_zero)
