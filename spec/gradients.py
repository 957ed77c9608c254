"""The layer's gradients in exact arithmetic (DX-EQ1, DW-EQ1, DB-EQ1).

For the forward layer ``Y = conv(X, W)`` (no bias) and an incoming gradient
``dY`` of Y's shape, the three gradients of ``Σ dY · Y`` are, with ``g`` the
group of a channel, ``Cg = C/g``, ``Og = O/g``, multi-indices ``u`` (input),
``j`` (output), ``a`` (tap) and ``Xp`` the padded input:

* input gradient, element ``dX[n, c, u]`` (c in group ``g = c // Cg``)::

      dX[n, c, u] = Σ_{o in group g} Σ_{(j, a): j·s + a·d − lo = u} dY[n, o, j] · W[o, c − g·Cg, a]

  the pairs ``(j, a)`` per axis being `Axis.feeders`; an element no window
  reads has no terms and is exactly +0 (DX-EQ2);
* weight gradient, element ``dW[o, c, a]`` (o in group ``g = o // Og``)::

      dW[o, c, a] = Σ_n Σ_j dY[n, o, j] · Xp[n, g·Cg + c, j·s + a·d]

  ``N · ∏ S_out`` terms, the padding zeros among them (DW-EQ1);
* bias gradient ``dB[o] = Σ_n Σ_j dY[n, o, j]``, each term ``dY · 1`` (DB-EQ1).

Each sum is taken exactly over its terms and rounded once (DX-RD1, DW-RD1,
DB-RD1); a term holding NaN or an infinity gives the IEEE value of the core's
NF1 / NF3 over the products instead (DX-NF1, DW-NF1).  Slow by design, exact by
construction.
"""

from __future__ import annotations

import numpy as np

from .grad_problem import (BiasGradProblem, InputGradProblem, WeightGradProblem,
                           conv_bias_grad_problem, conv_input_grad_problem, conv_weight_grad_problem)
from .layer import exact_term_sum, rounded


def input_grad_terms(p: InputGradProblem, n: int, c: int, u: tuple[int, ...]) -> list[tuple]:
    """The ``(dY, W)`` pairs of ``dX[n, c, u]``: every output channel of c's group, every feeder."""
    f = p.forward
    g, cc = divmod(c, f.in_per_group)
    feeders = p.geometry.feeders(u)
    return [(p.dY[(n, o, *j)], p.W[(o, cc, *a)])  # checks: DX-EQ1
            for o in range(g * f.out_per_group, (g + 1) * f.out_per_group)
            for j, a in feeders]


def weight_grad_terms(p: WeightGradProblem, Xp: np.ndarray, o: int, c: int,
                      a: tuple[int, ...]) -> list[tuple]:
    """The ``(dY, Xp)`` pairs of ``dW[o, c, a]``: every batch element and every window."""
    f = p.forward
    channel = f.group_of(o) * f.in_per_group + c
    return [(p.dY[(n, o, *j)], Xp[(n, channel, *p.geometry.padded_index(j, a))])  # checks: DW-EQ1
            for n in range(f.batch) for j in np.ndindex(*p.geometry.out_shape)]


def bias_grad_terms(p: BiasGradProblem, o: int) -> list[tuple]:
    """The ``(dY, 1)`` pairs of ``dB[o]``."""
    one = np.ones((), p.dY.dtype)[()]
    return [(p.dY[(n, o, *j)], one)  # checks: DB-EQ1
            for n in range(p.dY.shape[0]) for j in np.ndindex(*p.dY.shape[2:])]


def _exact(out_shape, out_dtype, terms_of) -> np.ndarray:
    """Every element's exact sum before rounding, as an object array (for error analysis)."""
    out = np.empty(out_shape, dtype=object)
    for index in np.ndindex(*out_shape):
        out[index] = exact_term_sum(terms_of(index), out_dtype)
    return out


def exact_input_grad_values(p: InputGradProblem) -> np.ndarray:
    """Every ``dX`` element of ``p`` before rounding."""
    return _exact(p.out_shape, p.out_dtype, lambda idx: input_grad_terms(p, idx[0], idx[1], idx[2:]))


def exact_weight_grad_values(p: WeightGradProblem) -> np.ndarray:
    """Every ``dW`` element of ``p`` before rounding."""
    Xp = p.geometry.pad(p.X)
    return _exact(p.out_shape, p.out_dtype, lambda idx: weight_grad_terms(p, Xp, idx[0], idx[1], idx[2:]))


def exact_bias_grad_values(p: BiasGradProblem) -> np.ndarray:
    """Every ``dB`` element of ``p`` before rounding."""
    return _exact(p.out_shape, p.out_dtype, lambda idx: bias_grad_terms(p, idx[0]))


def _evaluate(out_shape, out_dtype, terms_of) -> np.ndarray:
    """Every element's terms summed exactly and rounded once."""
    out = np.empty(out_shape, dtype=out_dtype)
    for index in np.ndindex(*out_shape):
        pairs = terms_of(index)
        out[index] = rounded(exact_term_sum(pairs, out_dtype), pairs, out_dtype)  # checks: DX-RD1, DW-RD1, DB-RD1
    return out


def conv_input_grad(dY, W, *, input_shape, stride, padding, dilation, groups) -> np.ndarray:
    """The gradient of ``Σ dY · conv(X, W)`` with respect to X, computed exactly and rounded once.

    Args:
        dY: incoming gradient, shape (N, O, *S_out) of the forward problem (DX-IN1, DX-SH1).
        W: the forward weights, shape (O, C/groups, *K).
        input_shape: X's full shape (N, C, *S) (DX-IN2).
        stride, padding, dilation, groups: the forward layer's attributes; padding
            as d ``(lo, hi)`` pairs (DX-AT1).

    Returns:
        A new array of shape ``input_shape`` (DX-SH2) and dtype ``result_type(dY, W)``
        (DX-DT1) holding DX-EQ1 rounded once.
    """
    p = conv_input_grad_problem(dY, W, input_shape=input_shape, stride=stride, padding=padding,
                                dilation=dilation, groups=groups)
    return _evaluate(p.out_shape, p.out_dtype,
                     lambda idx: input_grad_terms(p, idx[0], idx[1], idx[2:]))  # checks: DX-SH2


def conv_weight_grad(X, dY, *, kernel_shape, stride, padding, dilation, groups) -> np.ndarray:
    """The gradient of ``Σ dY · conv(X, W)`` with respect to W, computed exactly and rounded once.

    Args:
        X: the forward input, shape (N, C, *S) (DW-IN1).
        dY: incoming gradient, shape (N, O, *S_out) of the forward problem (DW-IN1, DW-SH1).
        kernel_shape: W's full shape (O, C/groups, *K) (DW-IN2).
        stride, padding, dilation, groups: the forward layer's attributes (DW-AT1).

    Returns:
        A new array of shape ``kernel_shape`` (DW-SH2) and dtype ``result_type(X, dY)``
        (DW-DT1) holding DW-EQ1 rounded once.
    """
    p = conv_weight_grad_problem(X, dY, kernel_shape=kernel_shape, stride=stride, padding=padding,
                                 dilation=dilation, groups=groups)
    Xp = p.geometry.pad(p.X)  # checks: DW-PD1
    return _evaluate(p.out_shape, p.out_dtype,
                     lambda idx: weight_grad_terms(p, Xp, idx[0], idx[1], idx[2:]))  # checks: DW-SH2


def conv_bias_grad(dY) -> np.ndarray:
    """``dB[o] = Σ_{n, j} dY[n, o, j]``, computed exactly and rounded once (DB-EQ1).

    Returns:
        A new array of shape (O,) and dtype ``dY.dtype`` (DB-DT1).
    """
    p = conv_bias_grad_problem(dY)
    return _evaluate(p.out_shape, p.out_dtype, lambda idx: bias_grad_terms(p, idx[0]))
