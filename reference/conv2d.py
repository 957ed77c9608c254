"""The public entry point of the fast reference implementation.

``conv2d`` honours the same contract as `convspec.spec.conv2d`: the same
input checks and errors (through `convspec.spec.validate`), the output
shape of Eq 1, the dtype of DT1, exact integers (EX1, EX2), floating results in
the componentwise accuracy class (AC1) with local special values (NF1-NF3), and
a new C-contiguous result that shares no memory with the inputs (AL1, AL2),
which are never written (MU1).  Any memory layout of the inputs is accepted
(IN4): the algorithms only index them, or read them into fresh copies.
"""

from __future__ import annotations

from convspec.spec.shape import output_shape
from convspec.spec.validation import validate

from . import floating, integer


def conv2d(M, K, *, stride=(1, 1)):
    """Strided 2-D cross-correlation ``C[i, j] = sum_{a,b} M[i*sx+a, j*sy+b] K[a, b]``.

    Args:
        M: input, a 2-D array of an admitted dtype, shape (m, n).
        K: kernel, a 2-D array of an admitted dtype, shape (m', n'), m' <= m, n' <= n.
        stride: ``(sx, sy)``, positive integers; sx steps over rows.

    Returns:
        A new C-contiguous array of shape (m'', n'') and dtype
        ``numpy.result_type(M.dtype, K.dtype)``.

    Raises:
        TypeError, ValueError: an input clause is violated; the message starts
            with the clause id, exactly as `convspec.spec.conv2d` raises it.
        OverflowError: an exact integer result does not fit the output dtype (EX2).
    """
    ops = validate(M, K, stride)  # checks: IN1, IN2, IN3, ST1, ST2, ST3, VA1, VA2, VA3
    shape = output_shape(ops.M.shape, ops.K.shape, ops.stride)  # checks: EQ1
    both_integer = ops.M.dtype.kind in "iu" and ops.K.dtype.kind in "iu"
    solver = integer if both_integer else floating
    return solver.correlate(ops.M, ops.K, ops.stride, shape, ops.out_dtype)
