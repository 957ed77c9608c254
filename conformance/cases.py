"""One call of the backend, described so that any process can rebuild it.

A `Case` holds the *logical* operands (what the backend must see: the
values of M and K, and the stride) and a layout descriptor per array.  The
descriptor says how the memory holding those values is arranged (IN4):

``C``
    a C-contiguous copy;
``F``
    a Fortran-ordered copy;
``strided``
    a non-contiguous view ``base[1::2, 2::3]`` into a larger buffer whose other
    elements hold a filler value (so a backend that ignores strides reads
    wrong numbers);
``reversed``
    a view with negative strides on both axes, ``base[::-1, ::-1]``;
``readonly``
    a C-contiguous copy with the ``writeable`` flag cleared.

`Case.build` makes fresh arrays every time it is called, inside whichever
process calls the backend, so a backend that writes into its inputs can never
corrupt the harness's copy.  Operands of invalid cases may be any object (a
list, a 3-D array, a masked array, a string stride...); they are passed on as
built by the harness, without layout.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np

LAYOUTS = ("C", "F", "strided", "reversed", "readonly")
#: Value written into the gaps of a ``strided`` buffer.
FILLER = 99


def _fresh(values: np.ndarray, order: str = "C") -> np.ndarray:
    """A new array holding ``values``, with numpy's canonical dtype instance.

    An array that went through pickle carries an equal but distinct dtype
    object, which ``np.array(x, copy=True)`` keeps; allocating with the dtype
    looked up by name gives the backend exactly what a standalone reproducer
    builds.
    """
    dtype = np.dtype(values.dtype.name) if values.dtype.kind in "biufcmM" else values.dtype
    out = np.empty(values.shape, dtype=dtype, order=order)
    out[...] = values
    return out


def arrange(values: np.ndarray, layout: str) -> np.ndarray:
    """A fresh array equal to ``values`` whose memory follows ``layout``.

    For arrays of other ranks than 2, ``strided`` is the view ``base[1::2, …]``
    of a buffer twice as long (plus one) on every axis, and ``reversed``
    reverses every axis.
    """
    if values.ndim != 2 and layout in ("strided", "reversed"):
        if layout == "reversed":
            flip = (slice(None, None, -1),) * values.ndim
            return _fresh(values[flip])[flip]
        base = _fresh(np.full(tuple(2 * s + 1 for s in values.shape), FILLER, dtype=values.dtype))
        view = base[(slice(1, None, 2),) * values.ndim]
        view[...] = values
        return view
    if layout == "C":
        return _fresh(values)
    if layout == "F":
        return _fresh(values, order="F")
    if layout == "strided":
        m, n = values.shape
        base = _fresh(np.full((2 * m + 1, 3 * n + 2), FILLER, dtype=values.dtype))
        view = base[1:2 * m + 1:2, 2:3 * n + 2:3]
        view[...] = values
        return view
    if layout == "reversed":
        return _fresh(values[::-1, ::-1])[::-1, ::-1]
    if layout == "readonly":
        out = _fresh(values)
        out.flags.writeable = False
        return out
    raise ValueError(f"unknown layout {layout!r}; expected one of {LAYOUTS}")


def _is_matrix(x: Any) -> bool:
    return type(x) is np.ndarray and x.ndim == 2


def _shape_text(x: Any) -> str:
    if isinstance(x, np.ndarray):
        return "x".join(str(s) for s in x.shape) if x.ndim else "scalar"
    return type(x).__name__


def _dtype_text(x: Any) -> str:
    return str(x.dtype) if isinstance(x, np.ndarray) else type(x).__name__


@dataclass(frozen=True, eq=False)
class Case:
    """The arguments of one backend call.

    Attributes:
        M, K: the logical operands (2-D numpy arrays for valid cases).
        stride: the stride exactly as passed to the backend.
        layouts: the memory layout of M and of K (see the module docstring).
        followup: for AL2, a later call made right after this one; the
            executor then records whether it changed this call's result.
    """

    M: Any
    K: Any
    stride: Any
    layouts: tuple[str, str] = ("C", "C")
    followup: "Case | None" = None

    op = "conv2d"
    operand_names = ("M", "K")

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Fresh positional operands and keyword attributes of the call."""
        M, K, stride = self.build()
        return (M, K), {"stride": stride}

    def build(self) -> tuple[Any, Any, Any]:
        """Fresh operands ``(M, K, stride)`` arranged as the layouts say."""
        M = arrange(self.M, self.layouts[0]) if _is_matrix(self.M) else copy.deepcopy(self.M)
        K = arrange(self.K, self.layouts[1]) if _is_matrix(self.K) else copy.deepcopy(self.K)
        return M, K, copy.deepcopy(self.stride)

    @property
    def valid_arrays(self) -> bool:
        """True when M and K are plain 2-D arrays (the case may still be invalid)."""
        return _is_matrix(self.M) and _is_matrix(self.K)

    @property
    def dtype_text(self) -> str:
        """``float32`` when M and K share a dtype, else ``int8.float32`` (M's first)."""
        dm, dk = _dtype_text(self.M), _dtype_text(self.K)
        return dm if dm == dk else f"{dm}.{dk}"

    def descriptor(self) -> str:
        """A one-line problem name in the style ``m6x6_k3x3_s2x1_float32_F_C``."""
        stride = self.stride
        if isinstance(stride, (tuple, list)) and len(stride) == 2:
            stride_text = f"{stride[0]}x{stride[1]}".replace(" ", "")
        else:
            stride_text = repr(stride).replace(" ", "")
        return (f"m{_shape_text(self.M)}_k{_shape_text(self.K)}_s{stride_text}_"
                f"{self.dtype_text}_{self.layouts[0]}_{self.layouts[1]}")

    def summary(self) -> dict[str, Any]:
        """A JSON-ready description of the call (no values)."""
        def part(x: Any) -> dict[str, Any]:
            if isinstance(x, np.ndarray):
                return {"type": type(x).__name__, "shape": list(x.shape), "dtype": str(x.dtype)}
            return {"type": type(x).__name__, "repr": repr(x)[:200]}
        return {"M": part(self.M), "K": part(self.K), "stride": repr(self.stride),
                "layouts": list(self.layouts), "problem": self.descriptor()}

    def __repr__(self) -> str:
        return f"Case({self.descriptor()})"


def _is_array(x: Any) -> bool:
    return type(x) is np.ndarray


def _tuple_text(value: Any) -> str:
    if isinstance(value, (tuple, list)) and all(isinstance(v, (int, np.integer)) for v in value):
        return "x".join(str(int(v)) for v in value)
    return repr(value).replace(" ", "")


def _padding_text(padding: Any) -> str:
    if isinstance(padding, str):
        return padding
    try:
        return "_".join(f"{int(lo)}:{int(hi)}" for lo, hi in padding)
    except (TypeError, ValueError):
        return repr(padding).replace(" ", "")


@dataclass(frozen=True, eq=False)
class LayerCase:
    """The arguments of one call of the layer ``conv(X, W, B, *, stride, padding, dilation, groups)``.

    Attributes:
        X, W, B: the logical operands (B may be None).
        stride, padding, dilation, groups: the attributes exactly as passed.
        layouts: the memory layouts of X, W and B.
        followup: a later call, as for `Case`.
    """

    X: Any
    W: Any
    B: Any
    stride: Any
    padding: Any
    dilation: Any
    groups: Any
    layouts: tuple[str, str, str] = ("C", "C", "C")
    followup: "LayerCase | None" = None

    op = "conv"
    operand_names = ("X", "W", "B")

    def operands(self) -> tuple[Any, Any, Any]:
        return self.X, self.W, self.B

    def attributes(self) -> dict[str, Any]:
        return {"stride": self.stride, "padding": self.padding, "dilation": self.dilation,
                "groups": self.groups}

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Fresh operands arranged as the layouts say, and fresh copies of the attributes."""
        built = tuple(arrange(x, lay) if _is_array(x) else copy.deepcopy(x)
                      for x, lay in zip(self.operands(), self.layouts))
        return built, copy.deepcopy(self.attributes())

    @property
    def valid_arrays(self) -> bool:
        return _is_array(self.X) and _is_array(self.W) and (self.B is None or _is_array(self.B))

    @property
    def dtype_text(self) -> str:
        names = [_dtype_text(x) for x in self.operands() if x is not None]
        return names[0] if len(set(names)) == 1 else ".".join(names)

    def descriptor(self) -> str:
        """A one-line problem name in the style ``conv_x2x3x8x8_w4x3x3x3_b4_s1x1_p1:1_1:1_d1x1_g1_float32``."""
        bias = f"_b{_shape_text(self.B)}" if self.B is not None else ""
        layouts = "" if set(self.layouts) == {"C"} else "_" + "_".join(self.layouts)
        return (f"conv_x{_shape_text(self.X)}_w{_shape_text(self.W)}{bias}_s{_tuple_text(self.stride)}"
                f"_p{_padding_text(self.padding)}_d{_tuple_text(self.dilation)}_g{self.groups}"
                f"_{self.dtype_text}{layouts}")

    def summary(self) -> dict[str, Any]:
        def part(x: Any) -> dict[str, Any]:
            if isinstance(x, np.ndarray):
                return {"type": type(x).__name__, "shape": list(x.shape), "dtype": str(x.dtype)}
            return {"type": type(x).__name__, "repr": repr(x)[:200]}
        return {"X": part(self.X), "W": part(self.W), "B": part(self.B),
                **{k: repr(v) for k, v in self.attributes().items()},
                "layouts": list(self.layouts), "problem": self.descriptor()}

    def __repr__(self) -> str:
        return f"LayerCase({self.descriptor()})"


# --------------------------------------------------------------------------- the gradients and the transposed convolution

#: Short names of operands and attributes in a problem descriptor.
_SHORT = {"dY": "dy", "X": "x", "W": "w", "B": "b", "input_shape": "in", "kernel_shape": "ks",
          "stride": "s", "padding": "p", "output_padding": "op", "dilation": "d", "groups": "g"}


def _attribute_text(name: str, value: Any) -> str:
    if name == "padding":
        return _padding_text(value)
    if name == "groups":
        return str(value)
    return _tuple_text(value)


class OperationCase:
    """Shared behaviour of the calls of the layer's gradients and of the transposed convolution.

    A subclass is a frozen dataclass whose fields are its operands (in
    ``operand_names``), its attributes (in ``attribute_names``), ``layouts``
    (one per operand) and ``followup``; ``op`` names the operation and
    ``prefix`` starts its descriptor.
    """

    op: str = ""
    prefix: str = ""
    operand_names: tuple[str, ...] = ()
    attribute_names: tuple[str, ...] = ()

    def operands(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.operand_names)

    def attributes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.attribute_names}

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Fresh operands arranged as the layouts say, and fresh copies of the attributes."""
        built = tuple(arrange(x, lay) if _is_array(x) else copy.deepcopy(x)
                      for x, lay in zip(self.operands(), self.layouts))
        return built, copy.deepcopy(self.attributes())

    @property
    def valid_arrays(self) -> bool:
        return all(_is_array(x) or (x is None and name == "B")
                   for name, x in zip(self.operand_names, self.operands()))

    @property
    def dtype_text(self) -> str:
        names = [_dtype_text(x) for x in self.operands() if x is not None]
        return names[0] if len(set(names)) == 1 else ".".join(names)

    def descriptor(self) -> str:
        """A one-line problem name, e.g. ``dx_dy1x2x5_w2x1x3_in1x1x7_s1_p0:0_d1_g1_float64``."""
        parts = [self.prefix]
        parts += [f"{_SHORT[name]}{_shape_text(x)}" for name, x in zip(self.operand_names, self.operands())
                  if x is not None]
        parts += [f"{_SHORT[name]}{_attribute_text(name, value)}" for name, value in self.attributes().items()]
        layouts = [] if set(self.layouts) <= {"C"} else list(self.layouts)
        return "_".join(parts + [self.dtype_text] + layouts)

    def summary(self) -> dict[str, Any]:
        def part(x: Any) -> dict[str, Any]:
            if isinstance(x, np.ndarray):
                return {"type": type(x).__name__, "shape": list(x.shape), "dtype": str(x.dtype)}
            return {"type": type(x).__name__, "repr": repr(x)[:200]}
        return {**{name: part(x) for name, x in zip(self.operand_names, self.operands())},
                **{k: repr(v) for k, v in self.attributes().items()},
                "layouts": list(self.layouts), "problem": self.descriptor()}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.descriptor()})"


@dataclass(frozen=True, eq=False, repr=False)
class InputGradCase(OperationCase):
    """A call of ``conv_input_grad(dY, W, *, input_shape, stride, padding, dilation, groups)``."""

    dY: Any
    W: Any
    input_shape: Any
    stride: Any
    padding: Any
    dilation: Any
    groups: Any
    layouts: tuple[str, ...] = ("C", "C")
    followup: "InputGradCase | None" = None

    op = "conv_input_grad"
    prefix = "dx"
    operand_names = ("dY", "W")
    attribute_names = ("input_shape", "stride", "padding", "dilation", "groups")


@dataclass(frozen=True, eq=False, repr=False)
class WeightGradCase(OperationCase):
    """A call of ``conv_weight_grad(X, dY, *, kernel_shape, stride, padding, dilation, groups)``."""

    X: Any
    dY: Any
    kernel_shape: Any
    stride: Any
    padding: Any
    dilation: Any
    groups: Any
    layouts: tuple[str, ...] = ("C", "C")
    followup: "WeightGradCase | None" = None

    op = "conv_weight_grad"
    prefix = "dw"
    operand_names = ("X", "dY")
    attribute_names = ("kernel_shape", "stride", "padding", "dilation", "groups")


@dataclass(frozen=True, eq=False, repr=False)
class BiasGradCase(OperationCase):
    """A call of ``conv_bias_grad(dY)``."""

    dY: Any
    layouts: tuple[str, ...] = ("C",)
    followup: "BiasGradCase | None" = None

    op = "conv_bias_grad"
    prefix = "db"
    operand_names = ("dY",)
    attribute_names = ()


@dataclass(frozen=True, eq=False, repr=False)
class TransposeCase(OperationCase):
    """A call of ``conv_transpose(X, W, B, *, stride, padding, output_padding, dilation, groups)``."""

    X: Any
    W: Any
    B: Any
    stride: Any
    padding: Any
    output_padding: Any
    dilation: Any
    groups: Any
    layouts: tuple[str, ...] = ("C", "C", "C")
    followup: "TransposeCase | None" = None

    op = "conv_transpose"
    prefix = "tc"
    operand_names = ("X", "W", "B")
    attribute_names = ("stride", "padding", "output_padding", "dilation", "groups")
