"""Output values: Eq 2, exactly for integers and within the claimed accuracy for floats.

``values.exhaustive`` is the deterministic layer: every problem with
``m, n <= s`` (``s`` from the profile), every kernel that fits, every stride
up to the profile's limit, per claimed dtype, with fixed integer-valued inputs
(``M[i, j] = (3i + 5j + 1) mod 5 - 2`` and a different pattern for K; 0..3 for
unsigned dtypes), so every product and partial sum is exact in every admitted
dtype and any wrong index, flip or stride shows up as a wrong value.

The random properties draw C-ordered inputs (layouts are ``layout.in4``'s
business) and compare against :mod:`convspec.conformance.oracle`:

* ``values.integer``: integer outputs exact (EX1) for values up to the
  no-overflow bound (EX2 keeps the results representable);
* ``values.float``: real outputs within the accuracy class (RD1, AC1/AC2);
* ``values.complex``: complex outputs, each part rounded once (RD2);
* ``values.extremes``: subnormals, values near overflow and signed zeros
  (AC3 underflow term, AC4 unconstrained overflowing outputs, AC5);
* ``values.large``: inputs up to several hundred on a side, tall and wide,
  kernels up to the profile's largest, against the double-double wide sum.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from ..cases import Case
from ..judge import check_values, require_ok
from ..strategies import Example, cases, single
from . import Context, Property


def pattern(shape: tuple[int, int], dtype: np.dtype, salt: int) -> np.ndarray:
    """Fixed small integer values (see the module docstring), exact in every admitted dtype."""
    i, j = np.indices(shape)
    if salt:
        raw = (2 * i + 3 * j * (i + 1) + 1) % 5
    else:
        raw = (3 * i + 5 * j + 1) % 5
    dtype = np.dtype(dtype)
    if dtype.kind == "u":
        return (raw % 4).astype(dtype)
    values = raw - 2
    if dtype.kind == "c":
        return (values + 1j * (((i + 2 * j + salt) % 3) - 1)).astype(dtype)
    return values.astype(dtype)


def tiny_examples(ctx: Context) -> Iterable[Example]:
    """Every tiny problem of the exhaustive layer, per claimed dtype, smallest first."""
    side = ctx.side(ctx.profile.exhaustive_side)
    steps = range(1, ctx.profile.exhaustive_stride + 1)
    same, _ = ctx.pairs()
    for dtype, _ in same:
        for m in range(1, side + 1):
            for n in range(1, side + 1):
                M = pattern((m, n), dtype, 0)
                for mk in range(1, min(m, ctx.kernel(side)) + 1):
                    for nk in range(1, min(n, ctx.kernel(side)) + 1):
                        K = pattern((mk, nk), dtype, 1)
                        for sx in steps:
                            for sy in steps:
                                yield Example((Case(M, K, (sx, sy)),))


def check_one(example: Example, ctx: Context) -> None:
    """The single call's output is the Eq 2 value (exact, or within the accuracy class)."""
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    check_values(require_ok(outcome, [case]), [case], ctx.claims, ctx.summary)


def _needs(operand_kinds: str, out_kinds: str, what: str):
    def requires(ctx: Context) -> str | None:
        return None if ctx.has_pairs(operand_kinds, out_kinds) else f"no claimed dtype pair {what}"
    return requires


def _small(ctx: Context, operand_kinds: str, out_kinds: str, floats, side: int, kernel: int):
    return single(cases(ctx.pair_strategy(operand_kinds, out_kinds), ["C"], ctx.side(side),
                        ctx.kernel(kernel), floats=floats))


PROPERTIES = [
    Property(
        "values.exhaustive", "Every tiny problem gives the Eq 2 values (deterministic layer)",
        ("EQ1", "EQ2", "EX1", "RD1", "RD2"), strategy=None, check=check_one,
        requires=_needs("iufc", "iufc", "is claimed"), exhaustive=tiny_examples,
    ),
    Property(
        "values.integer", "Integer outputs equal Eq 2 exactly, up to the no-overflow bound",
        ("EQ2", "EX1", "EX2"),
        strategy=lambda ctx: _small(ctx, "iu", "iu", ("moderate",), ctx.profile.small_side, 6),
        check=check_one, requires=_needs("iu", "iu", "has an integer output"),
    ),
    Property(
        "values.float", "Real floating outputs are within the claimed error bound of Eq 2",
        ("EQ2", "RD1", "AC1", "AC2"),
        strategy=lambda ctx: _small(ctx, "iufc", "f", ("moderate", "integral"), ctx.profile.small_side, 5),
        check=check_one, requires=_needs("iufc", "f", "has a real floating output"),
    ),
    Property(
        "values.complex", "Complex outputs are within the claimed error bound of Eq 2",
        ("EQ2", "RD2", "AC1", "AC2"),
        strategy=lambda ctx: _small(ctx, "iufc", "c", ("moderate", "integral"), 6, 3),
        check=check_one, requires=_needs("iufc", "c", "has a complex output"), share=0.6,
    ),
    Property(
        "values.extremes", "Subnormal, huge and signed-zero inputs stay within the error bound",
        ("AC3", "AC4", "AC5", "RD1"),
        strategy=lambda ctx: _small(ctx, "iufc", "fc", ("extreme",), 8, 4),
        check=check_one, requires=_needs("iufc", "fc", "has a floating output"),
    ),
    Property(
        "values.large", "Large, tall and wide problems give the Eq 2 values",
        ("EQ2", "EX1", "AC1", "AC2"),
        strategy=lambda ctx: single(cases(
            ctx.pair_strategy(), ["C"], ctx.side(ctx.profile.large_side),
            ctx.kernel(ctx.profile.large_kernel), floats=("moderate", "integral"),
            aspect=True, cap=2 ** 61)),
        check=check_one, requires=_needs("iufc", "iufc", "is claimed"), share=0.3,
    ),
]
