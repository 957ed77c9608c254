"""Floating and complex outputs of the layer: the computing dtype, the bias and the special values.

The output dtype ``d = result_type(X, W[, B])`` (CV-DT1) fixes the unit
roundoff ``u`` of CV-AC1's bound ``gamma_{n+c}(u) · S``.  The operands are
converted once to a computing dtype and the layer is evaluated there:

* float32, float64, complex64, complex128: ``d`` itself;
* float16: float32.  Every product of two float16 values (or of a float16 and
  an int8 / uint8) is exact in float32, the float32 sum of the ``n`` terms is
  within ``gamma_n(2**-24) · S`` of the exact value, far below the float16
  bound ``gamma_n(2**-11) · S``, and the one final rounding to float16 stays
  within that bound (the rule of the core's `floating` module, not a float16
  matrix product, whose partial sums would be rounded to 11 bits).

Integer operands of a floating output are converted once; that rounding is
the ``c`` of the bound.  The bias is added last as the ``n``-th term (any
order is within the bound).  NaN and infinities are replaced by zeros for the
evaluation and the outputs whose terms hold them are then set by
`layer_special`.
"""

from __future__ import annotations

import numpy as np

from convspec.spec.problem import ConvProblem

from . import layer_engine, layer_special
from .floating import computing_dtype
from .layer_operands import finite, padded, weights


def conv(p: ConvProblem) -> np.ndarray:
    """The layer for a floating or complex ``p.out_dtype``, special values per CV-NF1 / CV-NF2."""
    work = computing_dtype(p.out_dtype)
    unpadded = all(lo == 0 and hi == 0 for lo, hi in p.geometry.padding)
    if unpadded and p.X.dtype == work and p.X.flags.c_contiguous:
        Xp, replaced_x = finite(p.X, owned=False)  # read in place: never written  # checks: CV-MU1
    else:
        Xp, replaced_x = finite(padded(p.X, p.geometry, work), owned=True)  # checks: CV-PD1, CV-PD3
    Wk, replaced_w = finite(weights(p.W, work), owned=False)
    Y = layer_engine.conv(Xp, Wk, p.geometry, p.groups)  # checks: CV-EQ1
    replaced_b = False
    if p.B is not None:
        Bk, replaced_b = finite(np.asarray(p.B, dtype=work), owned=False)
        if Y.size:
            with np.errstate(all="ignore"):
                Y += Bk.reshape((1, -1) + (1,) * p.rank)  # checks: CV-RD1
    if replaced_x or replaced_w or replaced_b:
        fix = layer_special.complex_ if p.out_dtype.kind == "c" else layer_special.real
        fix(p, Y, layer_engine.conv)  # checks: CV-NF1, CV-NF2
    with np.errstate(over="ignore"):  # a float16 result beyond its range is inf (CV-RD1)
        return Y.astype(p.out_dtype, copy=False)  # checks: CV-DT1
