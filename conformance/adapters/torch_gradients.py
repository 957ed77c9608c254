"""The layer's gradients through ``torch.nn.grad`` and the transposed convolution through
``torch.nn.functional.conv_transpose1d/2d/3d``, on the CPU.

How a PyTorch user computes each operation (``d`` the spatial rank of W)::

    import torch
    import torch.nn.functional as F
    from torch.nn import grad
    # dX, dW of a forward conv(X, W, stride=s, padding=p, dilation=d, groups=g)
    dX = grad.conv2d_input(input_shape, w, dy, stride=s, padding=p, dilation=d, groups=g)
    dW = grad.conv2d_weight(x, kernel_shape, dy, stride=s, padding=p, dilation=d, groups=g)
    dB = dy.sum(dim=(0, 2, 3))
    Y = F.conv_transpose2d(x, w, b, stride=s, padding=p, output_padding=a, groups=g, dilation=d)
    Y = F.pad(Y, (-lo_last, -hi_last, ...))   # unequal pairs: padding=0, then crop

Padding as PyTorch takes it
(https://pytorch.org/docs/stable/nn.functional.html#convolution-functions):

* ``padding`` is one non-negative pad per axis, applied on both sides; a
  symmetric explicit padding is passed so.
* Other pairs are not an argument.  For the gradients the forward pads are
  applied to the input first with ``F.pad`` (a negative size crops), as a
  user pads before the convolution; the input gradient is then the gradient
  with respect to the padded input, brought back with ``F.pad`` of the
  negated pads (what autograd does for ``F.pad``: it crops the padding and
  puts zeros where the forward cropped).
* The transposed convolution's ``padding`` removes ``p`` output elements on
  each side.  Unequal pairs are computed with padding 0 and the output
  cropped by ``F.pad`` with negative sizes, as users crop it; a negative
  pad is handed to ``padding``, which refuses it as TC-PD1 asks.
* ``output_padding`` must be below ``max(stride, dilation)`` ("output padding
  must be smaller than either stride or dilation"), the rule TC-AT2 states,
  so ONNX's stricter rule is not claimed.

Dtypes, measured on the CPU build (PyTorch documents none per function):
``torch.nn.grad`` (``aten.convolution_backward``) runs for float16, float32 and
float64; integer dtypes run only with a dilation ("slow_conv2d_cpu_grad_input
not implemented for 'Long'") and complex ones not at all, so neither is
claimed.  ``conv_transpose*d`` runs for float16, float32, float64, complex64,
complex128 and int64.  ``Tensor.sum`` keeps those dtypes.  All operands share
one dtype.  ``Tensor.sum`` checks no layer shape, so the bias gradient does
not claim to refuse invalid input.  A window larger than the padded input and zero-size spatial axes
are refused, as in the forward (``torch-layer``), so empty outputs and
zero-size inputs are not claimed.

Checked with PyTorch 2.13.0 (CPU build).
"""

from __future__ import annotations

from dataclasses import replace

import torch
import torch.nn.functional as F
from torch.nn import grad

from convspec.conformance.adapters._per_op import PerOpBackend
from convspec.conformance.backend import Claims

_INPUT = {1: grad.conv1d_input, 2: grad.conv2d_input, 3: grad.conv3d_input}
_WEIGHT = {1: grad.conv1d_weight, 2: grad.conv2d_weight, 3: grad.conv3d_weight}
_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def _pick(table, ndim: int, what: str):
    try:
        return table[ndim - 2]
    except KeyError:
        raise ValueError(f"PyTorch has 1-, 2- and 3-d {what}; ndim={ndim} fits none") from None


def _symmetric(padding) -> bool:
    return all(lo == hi >= 0 for lo, hi in padding)


def _pad_list(padding, sign: int = 1) -> tuple[int, ...]:
    """``F.pad``'s sizes: last axis first, (lo, hi) each."""
    return tuple(sign * v for pair in reversed(padding) for v in pair)


def conv_input_grad(dY, W, *, input_shape, stride, padding, dilation, groups):
    """dX through ``torch.nn.grad.conv{1,2,3}d_input``."""
    function = _pick(_INPUT, W.ndim, "input gradients")
    shape = tuple(input_shape)
    attrs = dict(stride=tuple(stride), dilation=tuple(dilation), groups=groups)
    dy, w = torch.from_numpy(dY), torch.from_numpy(W)
    if _symmetric(padding):
        return function(shape, w, dy, padding=tuple(lo for lo, _ in padding), **attrs).numpy()
    padded = shape[:2] + tuple(v + lo + hi for v, (lo, hi) in zip(shape[2:], padding))
    return F.pad(function(padded, w, dy, padding=0, **attrs), _pad_list(padding, -1)).numpy()


def conv_weight_grad(X, dY, *, kernel_shape, stride, padding, dilation, groups):
    """dW through ``torch.nn.grad.conv{1,2,3}d_weight``."""
    function = _pick(_WEIGHT, X.ndim, "weight gradients")
    attrs = dict(stride=tuple(stride), dilation=tuple(dilation), groups=groups)
    x = torch.from_numpy(X)
    if _symmetric(padding):
        pad = tuple(lo for lo, _ in padding)
    else:
        x, pad = F.pad(x, _pad_list(padding)), 0
    return function(x, tuple(kernel_shape), torch.from_numpy(dY), padding=pad, **attrs).numpy()


def conv_bias_grad(dY):
    """dB as ``dy.sum`` over the batch and spatial axes."""
    return torch.from_numpy(dY).sum(dim=(0, *range(2, dY.ndim))).numpy()


def conv_transpose(X, W, B=None, *, stride, padding, output_padding, dilation, groups):
    """The transposed convolution through ``torch.nn.functional.conv_transpose{1,2,3}d``."""
    function = _pick(_TRANSPOSE, W.ndim, "transposed convolutions")
    bias = None if B is None else torch.from_numpy(B)
    # unequal non-negative pairs are cropped afterwards; a negative pad goes to `padding`, which refuses it
    crop = not _symmetric(padding) and min(v for pair in padding for v in pair) >= 0
    y = function(torch.from_numpy(X), torch.from_numpy(W), bias, stride=tuple(stride),
                 padding=0 if crop else tuple(min(pair) for pair in padding),
                 output_padding=tuple(output_padding), groups=groups, dilation=tuple(dilation))
    return (F.pad(y, _pad_list(padding, -1)) if crop else y).numpy()


GRADIENT_CLAIMS = Claims(
    dtypes=("float16", "float32", "float64"),
    mixed_dtypes=False,
    nonfinite=True,
    accuracy="componentwise",
    validates_input=True,
    ranks=(1, 2, 3),
    padding=frozenset({"explicit", "negative", "asymmetric", "VALID"}),
    dilation=True,
    groups=True,
    bias=True,
    empty_outputs=False,
    zero_size=False,
)
_WIDE = ("int64", "float16", "float32", "float64", "complex64", "complex128")

BACKEND = PerOpBackend(
    name="torch-grad",
    fn=conv_input_grad,
    op="conv_input_grad",
    ops={"conv_input_grad": conv_input_grad, "conv_weight_grad": conv_weight_grad,
         "conv_bias_grad": conv_bias_grad, "conv_transpose": conv_transpose},
    claims=GRADIENT_CLAIMS,
    op_claims={
        "conv_bias_grad": replace(GRADIENT_CLAIMS, dtypes=_WIDE, validates_input=False),
        "conv_transpose": replace(GRADIENT_CLAIMS, dtypes=_WIDE,
                                    padding=frozenset({"explicit", "asymmetric", "VALID"})),
    },
    version=torch.__version__,
    description="torch.nn.grad.conv{1,2,3}d_input/_weight, dy.sum, F.conv_transpose{1,2,3}d; "
                "asymmetric pads through F.pad",
)
