"""The layer in exact arithmetic: pad, take the window, form the dot product (CV-EQ1).

For output ``Y[n, o, j]`` (``j`` a multi-index over the spatial axes) the oracle
follows StableHLO's convolution step by step:

1. **pad**: ``Xp = pad(X)``, zeros of X's dtype on each side, a negative pad
   cropping instead (CV-PD1, CV-PD3);
2. **window**: the group of ``o`` is ``g = o // (O/groups)``; the window is
   ``Xp[n, g·C/g : (g+1)·C/g, j·s : j·s + k_eff : dilation]`` per spatial axis,
   the elements under the kernel taps (the holes are skipped);
3. **dot**: ``Y[n, o, j] = B[o] + Σ window · W[o]``, the sum taken exactly over
   every term and rounded once (CV-EX1, CV-RD1); a term holding NaN or an
   infinity gives the IEEE value instead (CV-NF1).

It is slow by design and exact by construction.
"""

from __future__ import annotations

import numpy as np

from .conv2d import all_products_negative_zero, exact_sum, special_value
from .exact import is_finite
from .problem import ConvProblem, conv_problem
from .rounding import round_to_dtype


def terms(p: ConvProblem, Xp: np.ndarray, n: int, o: int, j: tuple[int, ...]) -> list[tuple]:
    """The terms of ``Y[n, o, j]``: ``(x, w)`` window products, then ``(B[o], 1)``."""
    channels = p.channels_of(o)
    window = Xp[(n, slice(channels.start, channels.stop), *p.geometry.window(j))]  # checks: CV-EQ1
    pairs = list(zip(window.flat, p.W[o].flat))  # checks: CV-EQ1
    if p.B is not None:
        pairs.append((p.B[o], np.ones((), p.B.dtype)[()]))  # checks: CV-RD1
    return pairs


def exact_term_sum(pairs: list[tuple], out_dtype: np.dtype):
    """The sum of ``x * w`` over ``pairs`` before rounding: exact, or a float for special terms."""
    kind = out_dtype.kind
    if all(is_finite(x) and is_finite(w) for x, w in pairs):
        return exact_sum(pairs, kind)
    return special_value(pairs, kind)  # checks: CV-NF1


def rounded(value, pairs: list[tuple], out_dtype: np.dtype):
    """``value`` (from `exact_term_sum`) rounded once to ``out_dtype``."""
    if isinstance(value, (float, complex)):
        return value
    negative_zero = bool(pairs) and value == 0 and all_products_negative_zero(pairs)
    return round_to_dtype(value, out_dtype, negative_zero)  # checks: CV-EX1, CV-RD1


def exact_layer_values(p: ConvProblem) -> np.ndarray:
    """Every output of ``p`` before rounding, as an object array (for error analysis)."""
    Xp = p.geometry.pad(p.X)  # checks: CV-PD1, CV-PD3
    out = np.empty(p.out_shape, dtype=object)
    for n, o, *j in np.ndindex(*p.out_shape):
        out[(n, o, *j)] = exact_term_sum(terms(p, Xp, n, o, tuple(j)), p.out_dtype)
    return out


def conv(X, W, B=None, *, stride, padding, dilation, groups) -> np.ndarray:
    """The convolution layer, computed exactly and rounded once.

    Args:
        X: input, shape (N, C, *S) with 1-3 spatial axes (CV-IN1).
        W: weights, shape (O, C/groups, *K) (CV-IN2, CV-AT4).
        B: bias, shape (O,), or None (CV-IN4).
        stride, dilation: d positive integers (CV-AT1, CV-AT2).
        padding: d ``(lo, hi)`` pairs of integers of any sign (CV-PD1), or
            ``"VALID"``, ``"SAME_UPPER"``, ``"SAME_LOWER"`` (CV-PD2).
        groups: a positive integer dividing C and O (CV-AT3).

    Returns:
        A new array of shape (N, O, *S_out) (CV-SH1) and dtype
        ``numpy.result_type(X, W[, B])`` (CV-DT1) holding CV-EQ1 rounded once.

    Raises:
        TypeError, ValueError: an input clause is violated; the message starts
            with the clause id.
        OverflowError: an integer result does not fit the output dtype.
    """
    p = conv_problem(X, W, B, stride=stride, padding=padding, dilation=dilation, groups=groups)
    Xp = p.geometry.pad(p.X)  # checks: CV-PD1, CV-PD3
    Y = np.empty(p.out_shape, dtype=p.out_dtype)
    for n, o, *j in np.ndindex(*p.out_shape):
        pairs = terms(p, Xp, n, o, tuple(j))
        Y[(n, o, *j)] = rounded(exact_term_sum(pairs, p.out_dtype), pairs, p.out_dtype)
    return Y  # checks: CV-SH2
