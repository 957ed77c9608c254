"""The fast reference implementation of strided 2-D cross-correlation and of the layer.

`conv2d` has the specification's contract and errors and is fast enough
for real sizes: shift-and-add over cache-sized bands for small kernels, a block
Toeplitz matrix product on BLAS for large ones (both spread over the cores),
exact integer arithmetic chosen by a bound on the partial sums, and special
values kept local.  `conv` is the general layer (batch, channels, groups,
padding, dilation, spatial rank 1-3) with the contract of `convspec.spec.conv`:
blocked im2col matrix products, or multiply-add per tap for depthwise layers.
`conv_input_grad`, `conv_weight_grad`, `conv_bias_grad` and `conv_transpose`
have the contracts of their `convspec.spec` namesakes.
"""

from .conv2d import conv2d
from .gradients import conv_bias_grad, conv_input_grad, conv_transpose, conv_weight_grad
from .layer import conv

__all__ = ["conv2d", "conv", "conv_input_grad", "conv_weight_grad", "conv_bias_grad", "conv_transpose"]
