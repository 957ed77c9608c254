"""Eq 2 in exact arithmetic: the executable oracle.

For every output position ``(i, j)`` of Eq 1 the oracle forms the window
``M[i*sx : i*sx + m', j*sy : j*sy + n']`` and evaluates

    C[i, j] = sum_{a < m'} sum_{b < n'} M[i*sx + a, j*sy + b] * K[a, b]

as a literal double loop over exact values (Python ints, Fractions, exact
complex pairs), then rounds the total once to the output dtype.  It is slow by
design and exact by construction.  Windows that hold NaN or an infinity follow
the IEEE rules of clauses NF1 and NF3 instead.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .exact import ExactComplex, exact_scalar, is_finite
from .rounding import round_to_dtype
from .shape import output_shape
from .validation import Operands, validate


def window(ops: Operands, i: int, j: int) -> list[tuple[np.generic, np.generic]]:
    """The pairs ``(M[i*sx + a, j*sy + b], K[a, b])`` of Eq 2, in (a, b) order."""
    (sx, sy), (mk, nk) = ops.stride, ops.K.shape
    return [(ops.M[i * sx + a, j * sy + b], ops.K[a, b])  # checks: EQ2
            for a in range(mk) for b in range(nk)]


def _zero(kind: str):
    if kind in "iu":
        return 0
    return ExactComplex(Fraction(0), Fraction(0)) if kind == "c" else Fraction(0)


def exact_sum(pairs, kind: str):
    """The exact value of ``sum x * k`` over finite pairs, in the arithmetic of ``kind``."""
    total = _zero(kind)
    for x, k in pairs:
        total = total + exact_scalar(x, kind) * exact_scalar(k, kind)  # checks: EQ2
    return total


def _ieee_product(x: np.generic, k: np.generic) -> float:
    """The IEEE value of ``x * k`` for real factors, as the sign pattern needs it."""
    fx, fk = float(x), float(k)
    if math.isnan(fx) or math.isnan(fk):
        return math.nan
    if math.isinf(fx) or math.isinf(fk):
        if fx == 0 or fk == 0:
            return math.nan
        return math.copysign(math.inf, fx) * math.copysign(1.0, fk)
    return 0.0  # finite products never decide a non-finite window


def special_value(pairs, kind: str):
    """NF1 / NF3: the value of a window that holds NaN or an infinity."""
    if kind == "c":
        return complex(math.nan, math.nan)  # checks: NF3
    products = [_ieee_product(x, k) for x, k in pairs]
    if any(math.isnan(p) for p in products):  # checks: NF1
        return math.nan
    signs = {math.copysign(1.0, p) for p in products if math.isinf(p)}
    return math.nan if len(signs) == 2 else signs.pop() * math.inf  # checks: NF1


def all_products_negative_zero(pairs) -> bool:
    """RD1: an exact zero total is -0 exactly when every product is -0."""
    for x, k in pairs:
        if np.iscomplexobj(x) or np.iscomplexobj(k):
            return False
        fx, fk = float(x), float(k)
        if fx * fk != 0 or math.copysign(1.0, fx) * math.copysign(1.0, fk) > 0:
            return False
    return True


def exact_output(ops: Operands, i: int, j: int):
    """``C[i, j]`` before rounding: an exact value, or a float for a special window."""
    pairs = window(ops, i, j)
    kind = ops.out_dtype.kind
    if all(is_finite(x) and is_finite(k) for x, k in pairs):
        return exact_sum(pairs, kind)
    return special_value(pairs, kind)


def exact_values(M, K, *, stride=(1, 1)) -> np.ndarray:
    """All outputs before rounding, as an object array (for error analysis)."""
    ops = validate(M, K, stride)
    rows, cols = output_shape(ops.M.shape, ops.K.shape, ops.stride)
    out = np.empty((rows, cols), dtype=object)
    for i in range(rows):
        for j in range(cols):
            out[i, j] = exact_output(ops, i, j)
    return out


def conv2d(M, K, *, stride=(1, 1)) -> np.ndarray:
    """Strided 2-D cross-correlation, computed exactly and rounded once.

    Args:
        M: input, a 2-D array of an admitted dtype (IN1, IN3), shape (m, n).
        K: kernel, a 2-D array of an admitted dtype (IN2, IN3), shape (m', n').
        stride: ``(sx, sy)``, positive integers (ST1-ST3); sx steps over rows.

    Returns:
        A new C-contiguous array of shape (m'', n'') (Eq 1) and dtype
        ``numpy.result_type(M.dtype, K.dtype)`` (DT1) holding Eq 2 rounded once
        (EX1, RD1, RD2), with special values per NF1-NF3.

    Raises:
        TypeError, ValueError: an input clause is violated; the message starts
            with the clause id.
        OverflowError: an integer result does not fit the output dtype (EX2).
    """
    ops = validate(M, K, stride)
    rows, cols = output_shape(ops.M.shape, ops.K.shape, ops.stride)
    C = np.empty((rows, cols), dtype=ops.out_dtype)
    for i in range(rows):
        for j in range(cols):
            value = exact_output(ops, i, j)
            if isinstance(value, (float, complex)):
                C[i, j] = value
            else:
                negative_zero = value == 0 and all_products_negative_zero(window(ops, i, j))
                C[i, j] = round_to_dtype(value, ops.out_dtype, negative_zero)
    return C
