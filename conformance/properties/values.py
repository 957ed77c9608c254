"""Output values: Eq 2, exactly for integers and within the claimed accuracy for floats.

``values.exhaustive`` is the deterministic layer: every problem with
``m, n <= s`` (``s`` from the profile), every kernel that fits, every stride
up to the profile's limit, per claimed dtype, with fixed integer-valued inputs
(``M[i, j] = (3i + 5j + 1) mod 5 - 2`` and a different pattern for K; 0..3 for
unsigned dtypes), so every product and partial sum is exact in every admitted
dtype and any wrong index, flip or stride shows up as a wrong value.

The random properties draw C-ordered inputs (layouts are ``layout.in4``'s
business) and compare against `convspec.conformance.oracle`:

* ``values.integer``: integer outputs exact (EX1) for values up to the
  no-overflow bound (EX2 keeps the results representable);
* ``values.float``: real outputs within the accuracy class (RD1, AC1/AC2);
* ``values.complex``: complex outputs, each part rounded once (RD2);
* ``values.extremes``: subnormals, values near overflow and signed zeros
  (AC3 underflow term, AC4 unconstrained overflowing outputs, AC5);
* ``values.large``: inputs up to several hundred on a side, tall and wide,
  kernels up to the profile's largest, against the double-double wide sum.
  Its deterministic layer (`large_examples`) runs first, per claimed
  dtype: outputs 129, 257 and 300 wide and tall (just past the tile sizes 128
  and 256 that blocked implementations use), a 136 x 136 output, the same
  widths reached with stride 2, and square kernels from 11 x 11 (where
  libraries switch to another algorithm) up to the profile's largest kernel
  on inputs about three times larger.  Bugs that only strike large problems
  are therefore caught whatever the seed.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from ..cases import Case
from ..judge import check_values, require_ok
from ..strategies import Domain, Example, Geometry, cases, single
from . import Context, Property

#: Output widths just past common tile sizes (128, 256) and one that crosses two tiles.
LARGE_WIDTHS = (129, 257, 300)


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


def large_geometries(ctx: Context) -> list[Geometry]:
    """The geometries of the large layer (see the module docstring), capped by the claims, no repeats."""
    wanted = []
    for width in LARGE_WIDTHS:
        wanted.append(((3, width + 2), (2, 3), (1, 1)))           # wide: width output columns
        wanted.append(((width + 2, 3), (3, 2), (1, 1)))           # tall: width output rows
    wanted.append(((140, 140), (5, 5), (1, 1)))                   # 136 x 136: past 128 on both axes
    wanted.append(((4, 2 * 128 + 3), (2, 3), (1, 2)))             # 129 columns at stride 2
    wanted.append(((2 * 128 + 3, 4), (3, 2), (2, 1)))             # 129 rows at stride 2
    top = ctx.profile.large_kernel
    for side in sorted(s for s in {11, 16, top} if s <= top):  # kernels of 11 x 11 and more
        wanted.append(((3 * side + 1, 3 * side + 2), (side, side), (1, 1)))
    wanted.append(((3 * top + 4, 3 * top + 1), (top, top), (2, 3)))
    found, seen = [], set()
    for (m, n), (mk, nk), stride in wanted:
        m, n = ctx.side(m), ctx.side(n)
        mk, nk = min(ctx.kernel(mk), m), min(ctx.kernel(nk), n)
        key = ((m, n), (mk, nk), stride)
        if key not in seen:
            seen.add(key)
            found.append(Geometry(*key))
    return found


def large_examples(ctx: Context) -> Iterable[Example]:
    """The large layer: every geometry of `large_geometries` for every claimed dtype.

    Values are drawn like the search's (moderate floats, integers within the
    no-overflow bound) from a generator seeded by the geometry and dtype, so
    the layer is the same in every run.
    """
    same, _ = ctx.pairs()
    for index, geometry in enumerate(large_geometries(ctx)):
        for dtype, _ in same:
            rng = np.random.default_rng([index, np.dtype(dtype).num])
            M, K = Domain("moderate", cap=2 ** 61).arrays(rng, geometry, dtype, dtype)
            yield Example((Case(M, K, geometry.stride),), "large layer")


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
        exhaustive=large_examples,
    ),
]
