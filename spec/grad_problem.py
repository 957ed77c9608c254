"""The validated problems of the layer's gradients: built once, read downstream.

Each gradient belongs to a *forward problem*: the layer call
``Y = conv(X, W, *, stride, padding, dilation, groups)`` that its shape
argument and attributes describe.  The validators build that forward problem
with `conv_problem` itself, so every check the layer makes (ranks, dtypes,
strides, dilations, groups, channels per group, padding pairs) is made once,
in one place, and a violation names the layer's clause (``CV-AT1`` ...).  The
operand the gradient does not receive (X for the input gradient, W for the
weight gradient) is stood in for by a read-only, zero-strided array of zeros:
the forward problem reads its shape and dtype, never its values.

What the gradients add is checked here: the incoming gradient ``dY`` is an
array (DX-IN1, DW-IN1, DB-IN1), the shape argument is well formed (DX-IN2,
DW-IN2), a padding name is refused (DX-AT1, DW-AT1), and ``dY.shape`` equals
the forward problem's output shape (DX-SH1, DW-SH1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import SpecTypeError, SpecValueError
from .geometry import Geometry
from .problem import ConvProblem, _array, _is_int, conv_problem


def _rank(name: str, x: np.ndarray, clause: str) -> np.ndarray:
    if not 3 <= x.ndim <= 5:  # checks: DX-IN1, DW-IN1, DB-IN1, TC-IN1
        raise SpecValueError(clause, f"{name} must have rank 3, 4 or 5 (N, channels and 1-3 spatial "
                                     f"axes), got ndim={x.ndim} (shape {x.shape})")
    return x


def gradient_operand(name: str, x: object, clause: str) -> np.ndarray:
    """``x`` checked as an operand of rank 3-5 with an admitted dtype (CV-IN3)."""
    return _rank(name, _array(name, x, clause), clause)


def shape_argument(name: str, value: object, rank: int, clause: str, *,
                   spatial_minimum: int = 0) -> tuple[int, ...]:
    """A full shape ``(N or O, C or C/g, *spatial)`` given as ``rank`` non-negative integers."""
    if not isinstance(value, (tuple, list)) or len(value) != rank:  # checks: DX-IN2, DW-IN2
        raise SpecTypeError(clause, f"{name} must be a tuple or list of {rank} integers, got {value!r}")
    for axis, extent in enumerate(value):
        if not _is_int(extent):  # checks: DX-IN2, DW-IN2
            raise SpecTypeError(clause, f"{name}[{axis}] must be an integer, got {extent!r} "
                                        f"({type(extent).__name__})")
        least = spatial_minimum if axis >= 2 else 0
        if extent < least:  # checks: DX-IN2, DW-IN2
            raise SpecValueError(clause, f"{name}[{axis}] must be >= {least}, got {int(extent)}")
    return tuple(int(v) for v in value)


def explicit_padding(padding: object, clause: str) -> object:
    """Refuse a padding name: the gradients and the transposed convolution take pairs only."""
    if isinstance(padding, str):  # checks: DX-AT1, DW-AT1, TC-AT1
        raise SpecTypeError(clause, f"padding must be a tuple of (lo, hi) pairs, one per spatial axis; "
                                    f"the name {padding!r} is not accepted here")
    return padding


def _stand_in(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A read-only array of zeros of this shape and dtype that owns no memory per element."""
    return np.broadcast_to(np.zeros((), dtype), shape)


def _check_dy(dY: np.ndarray, forward: ConvProblem, clause: str) -> None:
    if dY.shape != forward.out_shape:  # checks: DX-SH1, DW-SH1
        raise SpecValueError(clause, f"dY.shape={dY.shape} must equal the forward problem's output "
                                     f"shape {forward.out_shape} (CV-SH1)")


@dataclass(frozen=True)
class InputGradProblem:
    """One valid call of ``conv_input_grad``.

    ``forward`` is the forward layer problem (its ``X`` a zero stand-in of
    ``input_shape``, its ``W`` the caller's weights); ``dY`` is the caller's
    incoming gradient, untouched.
    """

    dY: np.ndarray
    forward: ConvProblem

    @property
    def W(self) -> np.ndarray:
        return self.forward.W

    @property
    def geometry(self) -> Geometry:
        return self.forward.geometry

    @property
    def out_shape(self) -> tuple[int, ...]:
        """``input_shape`` (DX-SH2)."""
        return self.forward.X.shape

    @property
    def out_dtype(self) -> np.dtype:
        """``result_type(dY, W)`` (DX-DT1)."""
        return self.forward.out_dtype

    def term_counts(self) -> np.ndarray:
        """Terms of each ``dX[n, c, u]``: ``(O/g) · ∏_t |feeders_t(u_t)|``, shape ``out_shape``."""
        per_element = self.forward.out_per_group * self.geometry.feeder_counts()
        return np.broadcast_to(per_element, self.out_shape)

    @property
    def terms(self) -> int:
        """An upper bound of every element's term count: ``(O/g) · ∏ K``."""
        return self.forward.out_per_group * int(np.prod(self.geometry.kernel_shape))


@dataclass(frozen=True)
class WeightGradProblem:
    """One valid call of ``conv_weight_grad``.

    ``forward`` is the forward layer problem (its ``X`` the caller's input,
    its ``W`` a zero stand-in of ``kernel_shape``).
    """

    dY: np.ndarray
    forward: ConvProblem

    @property
    def X(self) -> np.ndarray:
        return self.forward.X

    @property
    def geometry(self) -> Geometry:
        return self.forward.geometry

    @property
    def out_shape(self) -> tuple[int, ...]:
        """``kernel_shape`` (DW-SH2)."""
        return self.forward.W.shape

    @property
    def out_dtype(self) -> np.dtype:
        """``result_type(X, dY)`` (DW-DT1)."""
        return self.forward.out_dtype

    @property
    def terms(self) -> int:
        """Terms of every ``dW`` element: ``N · ∏ S_out`` (padding zeros included)."""
        return self.forward.batch * int(np.prod(self.geometry.out_shape))

    def term_counts(self) -> np.ndarray:
        return np.full(self.out_shape, self.terms, dtype=np.int64)


@dataclass(frozen=True)
class BiasGradProblem:
    """One valid call of ``conv_bias_grad``: ``dY`` of shape ``(N, O, *S)``."""

    dY: np.ndarray

    @property
    def out_shape(self) -> tuple[int, ...]:
        return (self.dY.shape[1],)

    @property
    def out_dtype(self) -> np.dtype:
        """``dY.dtype`` (DB-DT1)."""
        return self.dY.dtype

    @property
    def terms(self) -> int:
        """Terms of every ``dB`` element: ``N · ∏ S``."""
        return self.dY.shape[0] * int(np.prod(self.dY.shape[2:]))

    def term_counts(self) -> np.ndarray:
        return np.full(self.out_shape, self.terms, dtype=np.int64)


def conv_input_grad_problem(dY: object, W: object, *, input_shape: object, stride: object,
                            padding: object, dilation: object, groups: object) -> InputGradProblem:
    """Check the arguments of ``conv_input_grad`` and return the validated problem.

    Raises:
        SpecTypeError, SpecValueError: a clause is violated (the message starts with its id:
            DX-IN1, DX-IN2, DX-AT1, DX-SH1, or the layer's CV-IN2, CV-IN3, CV-AT1-CV-AT4, CV-PD1).
    """
    dY = gradient_operand("dY", dY, "DX-IN1")
    shape = shape_argument("input_shape", input_shape, dY.ndim, "DX-IN2")
    explicit_padding(padding, "DX-AT1")
    forward = conv_problem(_stand_in(shape, dY.dtype), W, stride=stride, padding=padding,
                           dilation=dilation, groups=groups)
    _check_dy(dY, forward, "DX-SH1")
    return InputGradProblem(dY, forward)


def conv_weight_grad_problem(X: object, dY: object, *, kernel_shape: object, stride: object,
                             padding: object, dilation: object, groups: object) -> WeightGradProblem:
    """Check the arguments of ``conv_weight_grad`` and return the validated problem.

    Raises:
        SpecTypeError, SpecValueError: a clause is violated (the message starts with its id:
            DW-IN1, DW-IN2, DW-AT1, DW-SH1, or the layer's CV-IN1, CV-IN3, CV-AT1-CV-AT4, CV-PD1).
    """
    X = gradient_operand("X", X, "DW-IN1")
    dY = gradient_operand("dY", dY, "DW-IN1")
    if dY.ndim != X.ndim:  # checks: DW-IN1
        raise SpecValueError("DW-IN1", f"dY must have the rank of X ({X.ndim}), got ndim={dY.ndim}")
    shape = shape_argument("kernel_shape", kernel_shape, X.ndim, "DW-IN2", spatial_minimum=1)
    explicit_padding(padding, "DW-AT1")
    forward = conv_problem(X, _stand_in(shape, dY.dtype), stride=stride, padding=padding,
                           dilation=dilation, groups=groups)
    _check_dy(dY, forward, "DW-SH1")
    return WeightGradProblem(dY, forward)


def conv_bias_grad_problem(dY: object) -> BiasGradProblem:
    """Check the argument of ``conv_bias_grad`` (DB-IN1) and return the validated problem."""
    return BiasGradProblem(gradient_operand("dY", dY, "DB-IN1"))
