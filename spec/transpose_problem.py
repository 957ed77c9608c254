"""The validated problem of the transposed convolution (ONNX ConvTranspose).

``conv_transpose(X, W, B=None, *, stride, padding, output_padding, dilation, groups)``
takes ``X`` of shape ``(N, C, *I)`` and ``W`` of shape ``(C, O/g, *K)``.  Along
each spatial axis its output has

    L = s·(i − 1) + (k − 1)·d + 1 + output_padding − lo − hi

elements (TC-SH1).  Its *forward problem* is the layer call whose weights are
``W`` (``C`` output channels, ``O/g`` input channels per group) and whose
input has shape ``(N, O, *L)``; read forwards it has ``i + ⌊output_padding/s⌋``
outputs per axis (`transposed_size`), and the transposed convolution is the
input gradient of that problem, restricted to the windows ``j < i`` (TC-AD1).

Checks, in order: X (TC-IN1, CV-IN3), W (TC-IN2), stride and dilation (CV-AT1,
CV-AT2), groups (TC-AT1), padding pairs (CV-PD1, a name refused under TC-AT1),
no negative pad (TC-PD1), output_padding (TC-AT2), a non-negative output
length (TC-SH2), B (TC-IN3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import SpecTypeError, SpecValueError
from .geometry import Geometry, transposed_size
from .grad_problem import _stand_in, explicit_padding, gradient_operand
from .problem import ConvProblem, _array, _ints, _is_int, _pairs, conv_problem


@dataclass(frozen=True)
class TransposeProblem:
    """One valid call of ``conv_transpose``.

    ``X``, ``W``, ``B`` are the caller's arrays; ``forward`` the forward layer
    problem (its ``X`` a zero stand-in of shape ``(N, O, *L)``, its ``W`` the
    caller's ``W``), whose `Geometry` has the output lengths ``L`` as its axis
    sizes.
    """

    X: np.ndarray
    W: np.ndarray
    B: np.ndarray | None
    output_padding: tuple[int, ...]
    forward: ConvProblem
    out_dtype: np.dtype

    @property
    def geometry(self) -> Geometry:
        return self.forward.geometry

    @property
    def stride(self) -> tuple[int, ...]:
        return self.forward.stride

    @property
    def padding(self) -> tuple[tuple[int, int], ...]:
        return self.forward.padding

    @property
    def dilation(self) -> tuple[int, ...]:
        return self.forward.dilation

    @property
    def groups(self) -> int:
        return self.forward.groups

    @property
    def in_per_group(self) -> int:
        """C / groups."""
        return self.X.shape[1] // self.groups

    @property
    def out_per_group(self) -> int:
        """O / groups = W.shape[1]."""
        return self.W.shape[1]

    @property
    def out_shape(self) -> tuple[int, ...]:
        """``(N, O, *L)`` (TC-SH1)."""
        return self.forward.X.shape

    @property
    def spatial_in(self) -> tuple[int, ...]:
        """``I``: the number of windows ``j`` that scatter, per axis."""
        return self.X.shape[2:]

    def term_counts(self) -> np.ndarray:
        """Terms of each output: ``(C/g) · ∏_t |feeders_t(v_t)|`` (windows ``j < i``), plus the bias."""
        per_element = self.in_per_group * self.geometry.feeder_counts(self.spatial_in)
        return np.broadcast_to(per_element + (self.B is not None), self.out_shape)

    @property
    def terms(self) -> int:
        """An upper bound of every output's term count: ``(C/g) · ∏ K``, plus the bias."""
        return self.in_per_group * int(np.prod(self.geometry.kernel_shape)) + (self.B is not None)

    def within_onnx_rule(self) -> bool:
        """True when every ``output_padding < stride``: ONNX's stricter rule (TC-CL1)."""
        return all(op < s for op, s in zip(self.output_padding, self.stride))  # checks: TC-CL1

    def as_input_grad(self) -> tuple[np.ndarray, dict]:
        """``(dY, keywords)`` of the ``conv_input_grad`` call that TC-AD1 equates with this one.

        ``dY`` is ``X`` extended with ``⌊output_padding / s⌋`` zeros at the high
        end of each axis (``X`` itself, no copy, when every
        ``output_padding < s``).
        """
        extra = [op // s for op, s in zip(self.output_padding, self.stride)]
        dY = self.X
        if any(extra):  # checks: TC-AD1
            dY = np.pad(self.X, [(0, 0), (0, 0)] + [(0, e) for e in extra])
        return dY, {"input_shape": self.out_shape, "stride": self.stride, "padding": self.padding,
                    "dilation": self.dilation, "groups": self.groups}


def _output_padding(value: object, stride: tuple[int, ...], dilation: tuple[int, ...]) -> tuple[int, ...]:
    d = len(stride)
    if not isinstance(value, (tuple, list)) or len(value) != d:  # checks: TC-AT2
        raise SpecTypeError("TC-AT2", f"output_padding must be a tuple or list of {d} integers, got {value!r}")
    for axis, (op, s, dd) in enumerate(zip(value, stride, dilation)):
        if not _is_int(op):  # checks: TC-AT2
            raise SpecTypeError("TC-AT2", f"output_padding[{axis}] must be an integer, got {op!r} "
                                          f"({type(op).__name__})")
        if not 0 <= op < max(s, dd):  # checks: TC-AT2
            raise SpecValueError("TC-AT2", f"output_padding[{axis}]={int(op)} must satisfy "
                                           f"0 <= output_padding < max(stride, dilation) = {max(s, dd)}")
    return tuple(int(v) for v in value)


def conv_transpose_problem(X: object, W: object, B: object = None, *, stride: object, padding: object,
                           output_padding: object, dilation: object, groups: object) -> TransposeProblem:
    """Check every argument of ``conv_transpose`` and return the validated problem.

    Raises:
        SpecTypeError, SpecValueError: a clause is violated; the message starts with its id.
    """
    X = gradient_operand("X", X, "TC-IN1")
    W = _array("W", W, "TC-IN2")
    if W.ndim != X.ndim or min(W.shape[2:], default=0) < 1:  # checks: TC-IN2
        raise SpecValueError("TC-IN2", f"W must have the rank of X ({X.ndim}) and kernel extents of at "
                                       f"least 1, got shape {W.shape}")
    C = X.shape[1]
    if W.shape[0] != C:  # checks: TC-IN2
        raise SpecValueError("TC-IN2", f"W.shape[0]={W.shape[0]} must equal the input channels "
                                       f"C = X.shape[1] = {C}")
    d = X.ndim - 2
    steps = _ints("stride", stride, d, "CV-AT1")
    holes = _ints("dilation", dilation, d, "CV-AT2")
    if not _is_int(groups):  # checks: TC-AT1
        raise SpecTypeError("TC-AT1", f"groups must be an integer, got {groups!r} ({type(groups).__name__})")
    if groups < 1 or C % groups:  # checks: TC-AT1
        raise SpecValueError("TC-AT1", f"groups={int(groups)} must be positive and divide C = X.shape[1] = {C}")
    groups = int(groups)
    pairs = _pairs(explicit_padding(padding, "TC-AT1"), d)
    for axis, (lo, hi) in enumerate(pairs):
        if lo < 0 or hi < 0:  # checks: TC-PD1
            raise SpecValueError("TC-PD1", f"padding[{axis}]=({lo}, {hi}): the transposed convolution "
                                           f"takes no negative padding")
    extra = _output_padding(output_padding, steps, holes)
    lengths = tuple(transposed_size(i, k, s, dd, lo, hi, op) for i, k, s, dd, (lo, hi), op
                    in zip(X.shape[2:], W.shape[2:], steps, holes, pairs, extra))
    if min(lengths) < 0:  # checks: TC-SH2
        raise SpecValueError("TC-SH2", f"the output lengths {lengths} (TC-SH1) must not be negative")
    O = groups * W.shape[1]
    dtypes = [X.dtype, W.dtype]
    if B is not None:
        B = _array("B", B, "TC-IN3")
        if B.ndim != 1 or B.shape[0] != O:  # checks: TC-IN3
            raise SpecValueError("TC-IN3", f"B must have shape ({O},) (O = groups * W.shape[1]), got {B.shape}")
        dtypes.append(B.dtype)
    forward = conv_problem(_stand_in((X.shape[0], O, *lengths), X.dtype), W, stride=steps,
                           padding=pairs, dilation=holes, groups=groups)
    return TransposeProblem(X, W, B, extra, forward, np.result_type(*dtypes))  # checks: TC-DT1
