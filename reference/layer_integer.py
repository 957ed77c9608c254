"""Integer inputs of the layer: exact results (CV-EX1) that never wrap silently (EX2).

Every partial sum of output ``(n, o, j)`` is bounded by

    bound = max|X| · max|W| · (C/g)·∏K + max|B|,

computed exactly with Python ints, and the cheapest arithmetic in which no
partial sum can be rounded or wrap is chosen by the core's rule
(`integer.accumulator`): float32 below ``2**24``, float64 below ``2**53``
(every partial sum is then an integer the format holds, so BLAS's order is
exact too), int64 or uint64 below ``2**63`` / ``2**64``, else Python ints.
Converting the inputs is exact: each magnitude is at most ``bound`` unless a
factor it meets is zero everywhere, and then its products are zero anyway.

The exact values then go through the core's `integer.fit`: an integer output
that does not fit raises the specification's `OutsideSpecError` (EX2) for the
first such output in C order, with the specification's message, and a float64
output (int64 with uint64) is rounded once (CV-RD1).
"""

from __future__ import annotations

import numpy as np

from convspec.spec.problem import ConvProblem

from . import layer_engine
from .integer import accumulator, fit, magnitude
from .layer_operands import padded, weights


def _magnitude(x: np.ndarray | None) -> int:
    return magnitude(x) if x is not None and x.size else 0


def conv(p: ConvProblem) -> np.ndarray:
    """The layer for integer X, W (and B), exact, in ``p.out_dtype`` (an integer type, or float64)."""
    bound = _magnitude(p.X) * _magnitude(p.W) * p.in_per_group * int(np.prod(p.geometry.kernel_shape))
    bound += _magnitude(p.B)
    arrays = [p.X, p.W] + ([p.B] if p.B is not None else [])
    work = accumulator(bound, all(a.dtype.kind == "u" for a in arrays))
    Y = layer_engine.conv(padded(p.X, p.geometry, work), weights(p.W, work), p.geometry, p.groups)  # checks: CV-EX1
    if p.B is not None and Y.size:
        Y += p.B.astype(work).reshape((1, -1) + (1,) * p.rank)  # checks: CV-EX1, CV-RD1
    if work.kind == "f":
        Y = Y.astype(np.int64)
    return fit(Y, p.out_dtype)  # checks: CV-EX1, EX2
