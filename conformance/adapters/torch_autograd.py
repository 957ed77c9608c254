"""The input and weight gradients of ``torch.nn.functional.conv1d/2d/3d`` through autograd, on the CPU.

How a PyTorch user obtains dX and dW of ``conv(X, W, stride=s, padding=p, dilation=d, groups=g)``
for an incoming gradient dY::

    import torch
    import torch.nn.functional as F
    x = torch.zeros(input_shape, dtype=dy.dtype, requires_grad=True)   # (or the real X)
    w = torch.from_numpy(W).requires_grad_()
    y = F.conv2d(F.pad(x, pads), w, stride=s, padding=0, dilation=d, groups=g)
    dX, = torch.autograd.grad((y * dy).sum(), x)

The gradient of ``Σ dY · conv(X, W)`` does not depend on the operand it is
taken with respect to (the sum is linear in it), so that operand is a zero
tensor of the requested shape.  Padding is as in ``torch-layer``: a
symmetric explicit pair goes to ``padding``, any other pair (also a negative
one, which crops) through ``F.pad`` first, whose gradient autograd takes too.

Autograd differentiates floating-point tensors only ("only Tensors of
floating point dtype can require gradients"); complex tensors would need a
complex ``grad_outputs`` and give the conjugate (Wirtinger) gradient, not
DX-EQ1's sums, so float16, float32 and float64 are claimed.  Sizes the
forward refuses (a window larger than the padded input, zero-size spatial
axes) are refused here too.

Checked with PyTorch 2.13.0 (CPU build).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from convspec.conformance.adapters.torch_gradients import GRADIENT_CLAIMS
from convspec.conformance.backend import Backend

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _forward(x, w, *, stride, padding, dilation, groups):
    try:
        function = _CONV[w.ndim - 2]
    except KeyError:
        raise ValueError(f"PyTorch has conv1d, conv2d and conv3d; W.ndim={w.ndim} fits none") from None
    if all(lo == hi >= 0 for lo, hi in padding):
        pad = tuple(lo for lo, _ in padding)
    else:
        x, pad = F.pad(x, tuple(v for pair in reversed(padding) for v in pair)), 0
    return function(x, w, stride=tuple(stride), padding=pad, dilation=tuple(dilation), groups=groups)


def conv_input_grad(dY, W, *, input_shape, stride, padding, dilation, groups):
    """dX = ``torch.autograd.grad((conv(x, W) * dY).sum(), x)``."""
    dy = torch.from_numpy(dY)
    x = torch.zeros(tuple(input_shape), dtype=dy.dtype, requires_grad=True)
    y = _forward(x, torch.from_numpy(W), stride=stride, padding=padding, dilation=dilation, groups=groups)
    (dx,) = torch.autograd.grad((y * dy).sum(), x)
    return dx.numpy()


def conv_weight_grad(X, dY, *, kernel_shape, stride, padding, dilation, groups):
    """dW = ``torch.autograd.grad((conv(X, w) * dY).sum(), w)``."""
    dy = torch.from_numpy(dY)
    w = torch.zeros(tuple(kernel_shape), dtype=dy.dtype, requires_grad=True)
    y = _forward(torch.from_numpy(X), w, stride=stride, padding=padding, dilation=dilation, groups=groups)
    (dw,) = torch.autograd.grad((y * dy).sum(), w)
    return dw.numpy()


BACKEND = Backend(
    name="torch-autograd",
    fn=conv_input_grad,
    op="conv_input_grad",
    ops={"conv_input_grad": conv_input_grad, "conv_weight_grad": conv_weight_grad},
    claims=GRADIENT_CLAIMS,  # the same kernels as torch.nn.grad, so the same documented support
    version=torch.__version__,
    description="torch.autograd.grad((F.conv{1,2,3}d(x, w, ...) * dy).sum(), x or w)",
)
