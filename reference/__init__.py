"""The fast reference implementation of strided 2-D cross-correlation.

`conv2d` has the specification's contract and errors and is fast enough
for real sizes: shift-and-add over cache-sized bands for small kernels, a block
Toeplitz matrix product on BLAS for large ones (both spread over the cores),
exact integer arithmetic chosen by a bound on the partial sums, and special
values kept local.
"""

from .conv2d import conv2d

__all__ = ["conv2d"]
