"""Comparing a computed output with the exact one, under the specification's error model.

The bounds themselves belong to the specification
(`convspec.spec.error_model`); this module applies them.  Errors are formed
in float64 (complex128) against the exact value held as a double-length pair
(``expected`` plus ``residual``), every rounding of the comparison itself
inflated away, so that a correct output is never rejected by the arithmetic
of the check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from convspec.spec.error_model import normwise_bound, real_dtype

_U64 = 2.0 ** -53


@dataclass
class Accuracy:
    """The outcome of comparing one output array with the exact values."""

    ok: bool
    worst_ratio: float
    """Largest observed error divided by its bound (<= 1 passes)."""
    worst_index: tuple[int, ...] | None
    violations: int
    compared: int
    unconstrained: int = 0
    ulp_histogram: dict[str, int] = field(default_factory=dict)


def ulp_histogram(actual: np.ndarray, expected: np.ndarray, out_dtype) -> dict[str, int]:
    """Count errors by size in units in the last place of the output dtype."""
    real = real_dtype(out_dtype)
    with np.errstate(all="ignore"):
        ulp = np.spacing(np.abs(expected).astype(real)).astype(np.float64)
        err = np.abs(actual.astype(np.complex128) - expected.astype(np.complex128)) / ulp
    buckets: dict[str, int] = {}
    for e in np.ravel(err):
        if not np.isfinite(e):
            continue
        label = "0" if e == 0 else "<=1" if e <= 1 else f"<=2^{math.ceil(math.log2(e))}"
        buckets[label] = buckets.get(label, 0) + 1
    return buckets


def _errors(actual: np.ndarray, expected: np.ndarray,
            residual: np.ndarray | None = None) -> np.ndarray:
    """float64 upper bounds of ``|actual - c|``.

    ``expected`` is ``c`` rounded to 64-bit parts.  Without ``residual`` the
    rounding ``|c - expected| <= 2**-53 |expected|`` is added as slack, which is
    as large as the AC1 bound itself when the output is float64.  With
    ``residual`` (``c - expected`` rounded to 64 bits, from `exact_residual`)
    the error is formed as ``(actual - expected) - residual``: each of the two
    subtractions is rounded once, and the residual's own rounding leaves a slack
    of only ``2**-53 |residual|``, about ``2**-106 |c|``.
    """
    wide = np.complex128 if np.iscomplexobj(actual) or np.iscomplexobj(expected) else np.float64
    a = actual.astype(wide)
    e = expected.astype(wide)
    with np.errstate(all="ignore"):
        if residual is None:
            return (np.abs(a - e) + _U64 * np.abs(e)) * (1 + 8 * _U64)
        r = residual.astype(wide)
        diff = np.where(np.isfinite(e), (a - e) - r, a - e)
        return (np.abs(diff) + _U64 * np.abs(r)) * (1 + 8 * _U64)


def compare_componentwise(actual: np.ndarray, expected: np.ndarray, bound: np.ndarray,
                          unconstrained: np.ndarray, out_dtype,
                          residual: np.ndarray | None = None) -> Accuracy:
    """Check ``|actual - c| <= bound`` wherever the output is constrained (AC1, AC4, AC5).

    ``expected`` is the exact value rounded to float64 (or complex128) and
    ``residual`` the rounding's remainder when the exact value is known (see
    `_errors`; pass it whenever the output dtype is 64-bit, or the
    comparison's own slack competes with the bound).  When ``expected`` is the
    reference's result instead, pass the reference's bound as part of
    ``bound``.  Zeros compare by value (AC5).
    """
    errors = _errors(actual, expected, residual)
    compared = ~unconstrained
    with np.errstate(all="ignore"):
        ratio = np.where(compared, errors / np.where(bound > 0, bound, np.inf), 0.0)
        ratio = np.where(compared & (errors == 0), 0.0, ratio)
        ratio = np.where(compared & (bound == 0) & (errors > 0), np.inf, ratio)
    ratio = np.where(np.isnan(ratio), np.inf, ratio)
    bad = ratio > 1  # checks: AC1
    worst = np.unravel_index(int(np.argmax(ratio)), ratio.shape) if ratio.size else None
    return Accuracy(
        ok=not bad.any(),
        worst_ratio=float(ratio.max()) if ratio.size else 0.0,
        worst_index=tuple(int(v) for v in worst) if worst is not None else None,
        violations=int(bad.sum()),
        compared=int(compared.sum()),
        unconstrained=int(unconstrained.sum()),  # checks: AC4
        ulp_histogram=ulp_histogram(actual[compared], expected[compared], out_dtype),
    )


def compare_normwise(actual: np.ndarray, expected: np.ndarray, M: np.ndarray, K: np.ndarray,
                     stride, out_dtype, flushes_subnormals: bool = False,
                     residual: np.ndarray | None = None) -> Accuracy:
    """Check the core's AC2 bound (`convspec.spec.error_model.normwise_bound`) over the finite windows."""
    bound, skip = normwise_bound(M, K, stride, out_dtype, flushes_subnormals)
    return compare_blocks_normwise(actual, expected, np.asarray(bound), skip, out_dtype, residual)


def compare_blocks_normwise(actual: np.ndarray, expected: np.ndarray, bound: np.ndarray, skip: np.ndarray,
                            out_dtype, residual: np.ndarray | None = None) -> Accuracy:
    """``||errors[block]||_F <= bound[block]`` for every block, over the outputs not in ``skip``.

    ``bound`` indexes the leading axes of the output (a 0-d bound: the whole
    output is one block, as for the core; shape ``(N, O)``: every batch item
    and output channel of the layer).  An infinite bound leaves its block
    unconstrained (AC4); ``worst_index`` is the worst block's index.
    """
    lead = bound.ndim
    with np.errstate(all="ignore"):
        errors = np.where(skip, 0.0, _errors(actual, expected, residual))
        size = int(np.prod(actual.shape[lead:]))
        flat = errors.reshape(bound.shape + (size,))
        scale = flat.max(axis=-1, initial=0.0)
        safe = np.where(scale > 0, scale, 1.0)
        totals = scale * np.sqrt(np.sum((flat / safe[..., None]) ** 2, axis=-1))
        totals = totals * (1 + 4 * _U64 * math.sqrt(max(size, 1)))
        free = ~np.isfinite(bound)
        ratio = np.where(free | (totals == 0), 0.0,
                         np.where(bound > 0, totals / np.where(bound > 0, bound, 1.0), np.inf))
    ratio = np.where(np.isnan(ratio), np.inf, ratio)
    kept = ~skip & ~np.broadcast_to(free.reshape(free.shape + (1,) * (actual.ndim - lead)), actual.shape)
    worst = np.unravel_index(int(np.argmax(ratio)), ratio.shape) if ratio.size else None
    return Accuracy(
        ok=not (ratio > 1).any(),  # checks: AC2, CV-AC2
        worst_ratio=float(ratio.max()) if ratio.size else 0.0,
        worst_index=tuple(int(v) for v in worst) if worst is not None and lead else None,
        violations=int((ratio > 1).sum()),
        compared=int(kept.sum()),
        unconstrained=int((~skip).sum() - kept.sum()),  # checks: AC4
        ulp_histogram=ulp_histogram(actual[kept], expected[kept], out_dtype),
    )
