"""Floating and complex outputs: the computing dtype and the special values.

The output dtype ``d = result_type(M, K)`` (DT1) fixes the unit roundoff ``u``
of the componentwise bound ``gamma_{m'n'+c}(u) * S``.  Both inputs are
converted to a computing dtype and Eq 2 is evaluated there:

* float32, float64, complex64, complex128: ``d`` itself;
* float16: float32.  Products of float16 values are exact in float32, and the
  float32 sum, rounded once more to float16, stays within the float16 bound
  (its own error is below ``gamma_n(2**-24) S``, far under ``gamma_n(2**-11) S``).

Integer inputs of a floating output (e.g. int32 with float32 gives float64) are
converted once; that rounding is the ``c`` of the bound.  Mixed integer inputs
whose output is float64 (int64 with uint64) are computed exactly instead by
`integer` and rounded once.
"""

from __future__ import annotations

import numpy as np

from . import engine, special


def computing_dtype(out_dtype: np.dtype) -> np.dtype:
    """The dtype Eq 2 is accumulated in for a floating or complex output dtype."""
    return np.dtype(np.float32) if out_dtype == np.float16 else out_dtype


def correlate(M: np.ndarray, K: np.ndarray, stride: tuple[int, int],
              shape: tuple[int, int], out_dtype: np.dtype) -> np.ndarray:
    """Eq 2 for a floating or complex ``out_dtype``, special values per NF1-NF3."""
    work = computing_dtype(out_dtype)
    (Mf, m_replaced), (Kf, k_replaced) = special.finite_copy(M, work), special.finite_copy(K, work)
    C = engine.correlate(Mf, Kf, stride, shape)
    if m_replaced or k_replaced:
        counts = lambda x, k: engine.correlate(x, k, stride, shape)  # noqa: E731
        fix = special.complex_specials if out_dtype.kind == "c" else special.real_specials
        fix(M, K, C, counts)
    with np.errstate(over="ignore"):  # a float16 result beyond its range is inf (RD1)
        return C.astype(out_dtype, copy=False)  # checks: DT1
