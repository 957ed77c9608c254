"""Integer inputs: exact results (EX1) without ever wrapping silently (EX2).

Every partial sum of Eq 2 for output ``(i, j)`` is bounded by

    B = max|M| * max|K| * m'n',

computed exactly with Python ints.  The cheapest arithmetic in which no partial
sum can be rounded or wrap is then chosen:

* ``B < 2**24``: float32, and ``B < 2**53``: float64.  Every product and every
  partial sum is an integer the format holds exactly, so any summation order,
  including BLAS's, gives the exact value;
* ``B < 2**63`` (signed) or ``B < 2**64`` (all unsigned): int64 or uint64
  accumulation;
* otherwise Python ints (object arrays), exact at any size.

The exact values are then checked against the output dtype: an integer output
that does not fit raises `OutsideSpecError` like the
specification (EX2), and a float64 output (int64 with uint64) is rounded once.
"""

from __future__ import annotations

import numpy as np

from convspec.spec.errors import OutsideSpecError

from . import engine


def magnitude(x: np.ndarray) -> int:
    """``max |x|`` as an exact Python int (``abs`` of the int64 minimum does not wrap)."""
    return max(int(x.max()), -int(x.min()))


def accumulator(bound: int, unsigned: bool) -> np.dtype:
    """The narrowest arithmetic in which partial sums up to ``bound`` are exact."""
    if bound < 2 ** 24:
        return np.dtype(np.float32)
    if bound < 2 ** 53:
        return np.dtype(np.float64)
    if bound < 2 ** 63:
        return np.dtype(np.int64)
    if unsigned and bound < 2 ** 64:
        return np.dtype(np.uint64)
    return np.dtype(object)


def exact(M: np.ndarray, K: np.ndarray, stride: tuple[int, int],
          shape: tuple[int, int]) -> np.ndarray:
    """The exact value of Eq 2 for integer ``M`` and ``K``, in an exact dtype.

    The conversions to ``work`` are exact: each magnitude is at most ``B`` unless
    the other operand is all zeros, and then every product is zero anyway.
    """
    bound = magnitude(M) * magnitude(K) * K.size
    unsigned = M.dtype.kind == "u" and K.dtype.kind == "u"
    work = accumulator(bound, unsigned)
    C = engine.correlate(M.astype(work), K.astype(work), stride, shape)  # checks: EX1
    return C.astype(np.int64) if work.kind == "f" else C


def fit(C: np.ndarray, out_dtype: np.dtype) -> np.ndarray:
    """Exact values ``C`` in ``out_dtype``; raise per EX2 when an integer output does not fit."""
    if out_dtype.kind == "f":
        return C.astype(out_dtype)  # checks: RD1
    info = np.iinfo(out_dtype)
    if C.size and (C.min() < info.min or C.max() > info.max):
        bad = (C < info.min) | (C > info.max)
        value = C.flat[int(np.argmax(bad))]
        raise OutsideSpecError(  # checks: EX2
            "EX2", f"exact result {int(value)} does not fit {out_dtype} [{info.min}, {info.max}]"
        )
    return C.astype(out_dtype)  # checks: EX1


def correlate(M: np.ndarray, K: np.ndarray, stride: tuple[int, int],
              shape: tuple[int, int], out_dtype: np.dtype) -> np.ndarray:
    """Eq 2 for integer inputs, exact, in ``out_dtype`` (an integer type, or float64)."""
    return fit(exact(M, K, stride, shape), out_dtype)
