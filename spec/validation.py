"""Checks of the input clauses (IN, ST, VA) and the output dtype (DT1).

`validate` is the single gate every implementation that promises the
specification's errors passes its arguments through.  The checks run in clause
order, so the first violated clause is the one reported.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .errors import SpecTypeError, SpecValueError

#: The dtypes the specification admits (IN3), by name.
ADMITTED_DTYPES: tuple[str, ...] = (
    "int8", "int16", "int32", "int64",
    "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64",
    "complex64", "complex128",
)
_ADMITTED = frozenset(np.dtype(name) for name in ADMITTED_DTYPES)


@dataclass(frozen=True)
class Operands:
    """Validated arguments of one call.

    ``M`` and ``K`` are the caller's own array objects, untouched; ``stride`` is
    normalised to a pair of Python ints; ``out_dtype`` follows DT1.
    """

    M: np.ndarray
    K: np.ndarray
    stride: tuple[int, int]
    out_dtype: np.dtype


def _check_array(name: str, x: object, clause: str) -> np.ndarray:
    if not isinstance(x, np.ndarray) or isinstance(x, np.ma.MaskedArray):  # checks: IN1, IN2
        raise SpecTypeError(clause, f"{name} must be a numpy.ndarray, got {type(x).__name__}")
    if x.ndim != 2:  # checks: IN1, IN2
        raise SpecValueError(clause, f"{name} must be 2-D, got ndim={x.ndim} (shape {x.shape})")
    return x


def _check_dtype(name: str, x: np.ndarray) -> None:
    if x.dtype not in _ADMITTED:  # checks: IN3
        raise SpecTypeError(
            "IN3", f"{name}.dtype={x.dtype} is not admitted; admitted: {', '.join(ADMITTED_DTYPES)}"
        )


def _check_stride(stride: object) -> tuple[int, int]:
    if not isinstance(stride, (tuple, list)) or len(stride) != 2:  # checks: ST1
        raise SpecTypeError("ST1", f"stride must be a tuple or list of two integers, got {stride!r}")
    for axis, step in enumerate(stride):
        integral = isinstance(step, (int, np.integer)) and not isinstance(step, (bool, np.bool_))
        if not integral or not isinstance(step, numbers.Integral):  # checks: ST2
            raise SpecTypeError(
                "ST2", f"stride[{axis}] must be an integer, got {step!r} ({type(step).__name__})"
            )
        if step < 1:  # checks: ST3
            raise SpecValueError("ST3", f"stride[{axis}] must be >= 1, got {int(step)}")
    return int(stride[0]), int(stride[1])


def validate(M: object, K: object, stride: object) -> Operands:
    """Check every input clause and return the normalised operands.

    Raises:
        SpecTypeError: a type clause (IN1, IN2, IN3, ST1, ST2) is violated.
        SpecValueError: a value clause (IN1, IN2, ST3, VA1, VA2, VA3) is violated.
    """
    M = _check_array("M", M, "IN1")
    K = _check_array("K", K, "IN2")
    _check_dtype("M", M)
    _check_dtype("K", K)
    steps = _check_stride(stride)
    if M.size == 0:  # checks: VA1
        raise SpecValueError("VA1", f"M must not be empty, got shape {M.shape}")
    if K.size == 0:  # checks: VA2
        raise SpecValueError("VA2", f"K must not be empty, got shape {K.shape}")
    if K.shape[0] > M.shape[0] or K.shape[1] > M.shape[1]:  # checks: VA3
        raise SpecValueError(
            "VA3", f"K of shape {K.shape} does not fit inside M of shape {M.shape}"
        )
    out_dtype = np.result_type(M.dtype, K.dtype)  # checks: DT1
    return Operands(M=M, K=K, stride=steps, out_dtype=out_dtype)
