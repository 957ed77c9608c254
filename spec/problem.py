"""The validated problem of the layer: built once, read by everything downstream.

`conv_problem` checks the arguments of
``conv(X, W, B=None, *, stride, padding, dilation, groups)`` clause by clause
(the first violated clause is the one reported) and returns a `ConvProblem`.
The exact oracle, the error model, the harness and the fast reference all take
their operands, attributes and `Geometry` from it; none of them
parses raw arguments again.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import SpecTypeError, SpecValueError
from .geometry import PADDING_MODES, Geometry, geometry, same_pads
from .validation import ADMITTED_DTYPES

_ADMITTED = frozenset(np.dtype(name) for name in ADMITTED_DTYPES)


@dataclass(frozen=True)
class ConvProblem:
    """One valid call of the layer.

    ``X``, ``W`` and ``B`` are the caller's own arrays, untouched; ``stride``,
    ``dilation`` and ``padding`` are tuples of Python ints (``padding`` always
    as ``(lo, hi)`` pairs, a named padding resolved by CV-PD2); ``padding_name``
    keeps the name when one was given.
    """

    X: np.ndarray
    W: np.ndarray
    B: np.ndarray | None
    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    dilation: tuple[int, ...]
    groups: int
    geometry: Geometry
    out_dtype: np.dtype
    padding_name: str | None = None

    @property
    def rank(self) -> int:
        """The spatial rank d."""
        return self.X.ndim - 2

    @property
    def batch(self) -> int:
        return self.X.shape[0]

    @property
    def in_channels(self) -> int:
        return self.X.shape[1]

    @property
    def out_channels(self) -> int:
        return self.W.shape[0]

    @property
    def in_per_group(self) -> int:
        """C / groups."""
        return self.W.shape[1]

    @property
    def out_per_group(self) -> int:
        """O / groups."""
        return self.W.shape[0] // self.groups

    @property
    def out_shape(self) -> tuple[int, ...]:
        """(N, O, *S_out) (CV-SH1)."""
        return (self.batch, self.out_channels, *self.geometry.out_shape)

    @property
    def terms(self) -> int:
        """Terms of every output's sum: (C/g)·∏K products, plus the bias."""
        return self.in_per_group * int(np.prod(self.geometry.kernel_shape)) + (self.B is not None)

    def group_of(self, o: int) -> int:
        """The group of output channel ``o``."""
        return o // self.out_per_group

    def channels_of(self, o: int) -> range:
        """The input channels that output channel ``o`` reads."""
        g = self.group_of(o)
        return range(g * self.in_per_group, (g + 1) * self.in_per_group)

    def attributes(self) -> dict[str, Any]:
        """The keyword arguments of the call, normalised (padding as pairs)."""
        return {"stride": self.stride, "padding": self.padding, "dilation": self.dilation,
                "groups": self.groups}


def _is_int(x: object) -> bool:
    return (isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))
            and isinstance(x, numbers.Integral))


def _array(name: str, x: object, clause: str) -> np.ndarray:
    if not isinstance(x, np.ndarray) or isinstance(x, np.ma.MaskedArray):  # checks: CV-IN1, CV-IN2, CV-IN4
        raise SpecTypeError(clause, f"{name} must be a numpy.ndarray, got {type(x).__name__}")
    if x.dtype not in _ADMITTED:  # checks: CV-IN3
        raise SpecTypeError("CV-IN3", f"{name}.dtype={x.dtype} is not admitted; admitted: "
                                      f"{', '.join(ADMITTED_DTYPES)}")
    return x


def _ints(name: str, value: object, d: int, clause: str) -> tuple[int, ...]:
    if not isinstance(value, (tuple, list)) or len(value) != d:  # checks: CV-AT1, CV-AT2
        raise SpecTypeError(clause, f"{name} must be a tuple or list of {d} integers "
                                    f"(one per spatial axis), got {value!r}")
    for axis, step in enumerate(value):
        if not _is_int(step):  # checks: CV-AT1, CV-AT2
            raise SpecTypeError(clause, f"{name}[{axis}] must be an integer, got {step!r} "
                                        f"({type(step).__name__})")
        if step < 1:  # checks: CV-AT1, CV-AT2
            raise SpecValueError(clause, f"{name}[{axis}] must be >= 1, got {int(step)}")
    return tuple(int(v) for v in value)


def _pairs(padding: object, d: int) -> tuple[tuple[int, int], ...]:
    if not isinstance(padding, (tuple, list)) or len(padding) != d:  # checks: CV-PD1
        raise SpecTypeError("CV-PD1", f"padding must be one of {', '.join(PADDING_MODES)} or a "
                                      f"tuple of {d} (lo, hi) pairs, got {padding!r}")
    pairs = []
    for axis, pair in enumerate(padding):
        if (not isinstance(pair, (tuple, list)) or len(pair) != 2
                or not all(_is_int(v) for v in pair)):  # checks: CV-PD1
            raise SpecTypeError("CV-PD1", f"padding[{axis}] must be a (lo, hi) pair of integers, "
                                          f"got {pair!r}")
        pairs.append((int(pair[0]), int(pair[1])))
    return tuple(pairs)


def conv_problem(X: object, W: object, B: object = None, *, stride: object, padding: object,
                 dilation: object, groups: object) -> ConvProblem:
    """Check every input clause of the layer and return the validated problem.

    Raises:
        SpecTypeError: a type clause is violated (the message starts with its id).
        SpecValueError: a value clause is violated.
    """
    X = _array("X", X, "CV-IN1")
    if not 3 <= X.ndim <= 5:  # checks: CV-IN1
        raise SpecValueError("CV-IN1", f"X must have rank 3, 4 or 5 (N, C and 1-3 spatial axes), "
                                       f"got ndim={X.ndim} (shape {X.shape})")
    W = _array("W", W, "CV-IN2")
    if W.ndim != X.ndim:  # checks: CV-IN2
        raise SpecValueError("CV-IN2", f"W must have the rank of X ({X.ndim}), got ndim={W.ndim} "
                                       f"(shape {W.shape})")
    if min(W.shape[2:]) < 1:  # checks: CV-IN2
        raise SpecValueError("CV-IN2", f"every kernel extent must be at least 1, got W.shape={W.shape}")
    d = X.ndim - 2
    if B is not None:
        B = _array("B", B, "CV-IN4")
        if B.ndim != 1 or B.shape[0] != W.shape[0]:  # checks: CV-IN4
            raise SpecValueError("CV-IN4", f"B must have shape ({W.shape[0]},) (one value per output "
                                           f"channel), got {B.shape}")
    steps = _ints("stride", stride, d, "CV-AT1")
    holes = _ints("dilation", dilation, d, "CV-AT2")
    if not _is_int(groups):  # checks: CV-AT3
        raise SpecTypeError("CV-AT3", f"groups must be an integer, got {groups!r} ({type(groups).__name__})")
    groups = int(groups)
    C, O = X.shape[1], W.shape[0]
    if groups < 1 or C % groups or O % groups:  # checks: CV-AT3
        raise SpecValueError("CV-AT3", f"groups={groups} must be positive and divide both C={C} and O={O}")
    if W.shape[1] != C // groups:  # checks: CV-AT4
        raise SpecValueError("CV-AT4", f"W.shape[1]={W.shape[1]} must equal C/groups = {C}/{groups} "
                                       f"= {C // groups}")
    name = None
    if isinstance(padding, str):
        if padding not in PADDING_MODES:  # checks: CV-PD2
            hint = " (say SAME_UPPER or SAME_LOWER)" if padding.upper() == "SAME" else ""
            raise SpecValueError("CV-PD2", f"padding {padding!r} is not one of "
                                           f"{', '.join(PADDING_MODES)}{hint}")
        name = padding
        pairs = tuple(same_pads(i, k, s, dd, padding)
                      for i, k, s, dd in zip(X.shape[2:], W.shape[2:], steps, holes))
    else:
        pairs = _pairs(padding, d)
    geo = geometry(X.shape[2:], W.shape[2:], steps, holes, pairs)
    dtypes = [X.dtype, W.dtype] + ([B.dtype] if B is not None else [])
    out_dtype = np.result_type(*dtypes)  # checks: CV-DT1
    return ConvProblem(X, W, B, steps, pairs, holes, groups, geo, out_dtype, name)
