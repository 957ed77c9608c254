"""The public entry point of the layer's fast reference, ``conv``.

``conv`` honours the contract of `convspec.spec.conv`: every input check and
error comes from `convspec.spec.problem.conv_problem` (nothing is parsed a
second time), the result has the CV-SH1 shape and the CV-DT1 dtype, integer
outputs are exact (CV-EX1, EX2), floating and complex outputs lie within
CV-AC1's componentwise bound with local special values (CV-NF1, CV-NF2), and
the result is a new C-contiguous array sharing no memory with the inputs,
which are never written (CV-MU1).  Any memory layout is accepted (CV-IN5):
the algorithms only index the inputs or copy them.

Extra memory: one padded copy of X in the computing dtype, a copy of W, the
result in the computing dtype (and its conversion for float16), plus a bounded
workspace per worker thread (`layer_gemm.WORKSPACE_BYTES`, or one band of
`layer_taps.BAND_BYTES`); with NaN or infinities, a few indicator arrays of
X's shape more.  No full window (im2col) matrix is ever formed.
"""

from __future__ import annotations

from convspec.spec.problem import conv_problem

from . import layer_floating, layer_integer


def conv(X, W, B=None, *, stride, padding, dilation, groups):
    """The convolution layer ``Y[n, o, j] = B[o] + Σ_{c, a} Xp[n, g·C/g + c, j·s + a·dil] · W[o, c, a]``.

    Args:
        X: input, shape (N, C, *S) with 1-3 spatial axes (CV-IN1).
        W: weights, shape (O, C/groups, *K) (CV-IN2, CV-AT4).
        B: bias, shape (O,), or None (CV-IN4).
        stride, dilation: d positive integers (CV-AT1, CV-AT2).
        padding: d ``(lo, hi)`` pairs of any sign (CV-PD1), or ``"VALID"``,
            ``"SAME_UPPER"``, ``"SAME_LOWER"`` (CV-PD2).
        groups: a positive integer dividing C and O (CV-AT3).

    Returns:
        A new C-contiguous array of shape (N, O, *S_out) and dtype
        ``numpy.result_type(X, W[, B])``.

    Raises:
        TypeError, ValueError: an input clause is violated, exactly as
            `convspec.spec.conv` raises it.
        OverflowError: an exact integer result does not fit the output dtype (EX2).
    """
    p = conv_problem(X, W, B, stride=stride, padding=padding, dilation=dilation, groups=groups)  # checks: CV-IN1, CV-IN2, CV-IN3, CV-IN4, CV-AT1, CV-AT2, CV-AT3, CV-AT4, CV-PD1, CV-PD2
    integers = all(a.dtype.kind in "iu" for a in (p.X, p.W) + ((p.B,) if p.B is not None else ()))
    solver = layer_integer if integers else layer_floating
    return solver.conv(p)  # checks: CV-SH1, CV-OU1
