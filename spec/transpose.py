"""The transposed convolution in exact arithmetic (TC-EQ1).

The scatter form: every input element ``X[n, c, j]`` (c in group
``g = c // (C/g)``) and tap ``a`` add ``X[n, c, j] · W[c, o', a]`` to output
``Y[n, g·(O/g) + o', j·s + a·d − lo]`` when that position lies in
``0 … L − 1``; then every output gets ``+ B[o]``.  Read per output, the terms
of ``Y[n, o, v]`` (``g = o // (O/g)``, ``o' = o − g·(O/g)``) are

    Y[n, o, v] = B[o] + Σ_{c in group g} Σ_{(j, a): j·s + a·d − lo = v, j < i} X[n, c, j] · W[c, o', a]

with the pairs per axis from `Axis.feeders` (``count = i``).  The zeros a
strided scatter leaves between inputs are not products, and outputs reached by
no pair (the ``output_padding`` tail among them) hold only the bias, or +0.
The sum is exact and rounded once (TC-RD1); special values follow the core's
NF1 / NF3 over the terms (TC-NF1).
"""

from __future__ import annotations

import numpy as np

from .layer import exact_term_sum, rounded
from .transpose_problem import TransposeProblem, conv_transpose_problem


def transpose_terms(p: TransposeProblem, n: int, o: int, v: tuple[int, ...]) -> list[tuple]:
    """The terms of ``Y[n, o, v]``: ``(X, W)`` scatter products, then ``(B[o], 1)``."""
    g, oo = divmod(o, p.out_per_group)
    feeders = p.geometry.feeders(v, p.spatial_in)
    pairs = [(p.X[(n, c, *j)], p.W[(c, oo, *a)])  # checks: TC-EQ1
             for c in range(g * p.in_per_group, (g + 1) * p.in_per_group)
             for j, a in feeders]
    if p.B is not None:
        pairs.append((p.B[o], np.ones((), p.B.dtype)[()]))  # checks: TC-RD1
    return pairs


def exact_transpose_values(p: TransposeProblem) -> np.ndarray:
    """Every output of ``p`` before rounding, as an object array (for error analysis)."""
    out = np.empty(p.out_shape, dtype=object)
    for n, o, *v in np.ndindex(*p.out_shape):
        out[(n, o, *v)] = exact_term_sum(transpose_terms(p, n, o, tuple(v)), p.out_dtype)
    return out


def conv_transpose(X, W, B=None, *, stride, padding, output_padding, dilation, groups) -> np.ndarray:
    """The transposed convolution (ONNX ConvTranspose), computed exactly and rounded once.

    Args:
        X: input, shape (N, C, *I) with 1-3 spatial axes (TC-IN1).
        W: weights, shape (C, O/groups, *K) (TC-IN2).
        B: bias, shape (O,), or None (TC-IN3).
        stride, dilation: d positive integers (CV-AT1, CV-AT2).
        padding: d ``(lo, hi)`` pairs of non-negative integers (TC-AT1, TC-PD1).
        output_padding: d integers with ``0 <= op < max(stride, dilation)`` (TC-AT2).
        groups: a positive integer dividing C (TC-AT1).

    Returns:
        A new array of shape (N, O, *L) (TC-SH1) and dtype ``result_type(X, W[, B])``
        (TC-DT1) holding TC-EQ1 rounded once.
    """
    p = conv_transpose_problem(X, W, B, stride=stride, padding=padding, output_padding=output_padding,
                               dilation=dilation, groups=groups)
    Y = np.empty(p.out_shape, dtype=p.out_dtype)
    for n, o, *v in np.ndindex(*p.out_shape):
        pairs = transpose_terms(p, n, o, tuple(v))
        Y[(n, o, *v)] = rounded(exact_term_sum(pairs, p.out_dtype), pairs, p.out_dtype)
    return Y
