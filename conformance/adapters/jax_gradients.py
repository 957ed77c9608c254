"""The layer's gradients through ``jax.vjp`` and the transposed convolution through
``jax.lax.conv_transpose``, on the CPU with x64 on.

How a JAX user computes each operation (``d`` the spatial rank, ``s``, ``p``, ``dil``, ``g`` the
forward layer's attributes)::

    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)   # otherwise float64 becomes float32
    from jax import lax

    def forward(x, w):      # as in jax-layer: N, C, spatial... and O, C/g, spatial... layouts
        return lax.conv_general_dilated(x, w, window_strides=s, padding=p, rhs_dilation=dil,
                                        feature_group_count=g)

    _, pullback = jax.vjp(lambda x: forward(x, W), jnp.zeros(input_shape, dY.dtype))
    dX, = pullback(dY)
    _, pullback = jax.vjp(lambda w: forward(X, w), jnp.zeros(kernel_shape, dY.dtype))
    dW, = pullback(dY)
    _, pullback = jax.vjp(lambda b: Y + lax.broadcast_in_dim(b, dY.shape, (1,)), jnp.zeros(O, dY.dtype))
    dB, = pullback(dY)

    # the transposed convolution: W is (C, O, spatial...), the kernel of the forward
    # convolution it is the gradient of, so the kernel is transposed (flipped, axes swapped);
    # padding is the forward's (PyTorch's meaning), the output padding taken off the high pad
    Y = lax.conv_transpose(X, W, strides=s, padding=[(lo, hi - a), ...], rhs_dilation=dil,
                           dimension_numbers=("NCH", "OIH", "NCH"), transpose_kernel=True,
                           use_consistent_padding=True)
    Y = Y + lax.broadcast_in_dim(B, Y.shape, (1,))

Every function is jit-compiled with its attributes (and shapes) static, as JAX
code usually is.  The forward's operand the gradient is taken with respect to
is a zero array of the requested shape: the pullback of the linear map does
not depend on it.

What JAX documents, and so what is claimed:

* ``jax.vjp`` (https://docs.jax.dev/en/latest/_autosummary/jax.vjp.html)
  differentiates with respect to inexact (floating or complex) inputs; "the
  gradient of an integer input will have a trivial vector-space dtype
  (float0)" (https://docs.jax.dev/en/latest/_autosummary/jax.grad.html), so
  no integer dtype is claimed for the gradients.  For a linear map the pullback
  is its transpose without conjugation, so complex operands give DX-EQ1's and
  DW-EQ1's sums of products and complex64 and complex128 are claimed with
  float16, float32 and float64.  The cotangent must have the primal output's
  shape and dtype (``jax.vjp`` checks it), so the operands share one dtype.
* The forward is ``jax-layer``'s: every padding form (explicit pairs of any
  sign, unequal pairs), dilation, groups and ranks 1 to 3, and the sizes XLA
  gives (empty outputs, zero-size inputs).  A padding name is handed to
  ``conv_general_dilated``, which takes ``'SAME'``, ``'SAME_LOWER'`` and
  ``'VALID'`` (the specification refuses names for the gradients, DX-AT1).
* The bias gradient is the pullback of the bias addition, a sum over the
  batch and spatial axes; ``broadcast_in_dim`` checks only that the channel
  axis exists, so refusing a dY of another rank is not claimed.
* ``lax.conv_transpose``
  (https://docs.jax.dev/en/latest/_autosummary/jax.lax.conv_transpose.html)
  takes ``strides``, ``padding``, ``rhs_dilation``, ``dimension_numbers``,
  ``transpose_kernel``, which "flips spatial axes and swaps the input/output
  channel axes of the kernel": with the rhs spec ``O, I, spatial`` it reads
  the specification's W of shape (C, O, K) as the kernel of the forward
  convolution it is the gradient of, and ``use_consistent_padding``, with
  which the padding pairs are "the padding of the corresponding forward conv
  [...] This is the behavior in PyTorch", the specification's meaning (the
  strings 'SAME' and 'VALID' always are).  It has no
  ``feature_group_count`` and no output padding: the caller takes the
  output padding off the high pad and keeps it below ``max(stride,
  dilation)`` (TC-AT2, PyTorch's rule), and refuses a groups other than 1
  (groups are not claimed).  The bias is added as in the layer.  Every
  admitted dtype runs (``lhs`` and ``rhs`` must share one).  The documented
  padding of the dilated input, ``dilation * (kernel_size - 1) - padding``,
  is applied for a negative pad too, which the specification refuses
  (TC-PD1), and the names are taken (TC-AT1).
* Some convolutions of a base-dilated input, which the transposed
  convolution and the input gradient of a strided convolution are, abort the
  process while XLA compiles them; the harness runs each call in a worker
  process, so the abort is reported as a crash.
* XLA's CPU code flushes subnormal numbers to zero, as in the core adapter.

Loading the adapter switches x64 on for the whole process, as the core and
layer adapters do.  Checked with jax and jaxlib 0.10.2.
The deviations the suite finds are described, each with a reproducer that uses
the library alone, in ``docs/findings/jax-*.md``.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax import lax  # noqa: E402

from convspec.conformance.adapters._per_op import PerOpBackend  # noqa: E402
from convspec.conformance.backend import Claims  # noqa: E402

_ATTRS = ("stride", "padding", "dilation", "groups")
_SPATIAL = {1: "H", 2: "HW", 3: "HWD"}


def _forward(x, w, stride, padding, dilation, groups):
    return lax.conv_general_dilated(x, w, window_strides=stride, padding=padding, rhs_dilation=dilation,
                                    feature_group_count=groups)


@partial(jax.jit, static_argnames=("input_shape",) + _ATTRS)
def _input_grad(dY, W, input_shape, stride, padding, dilation, groups):
    _, pullback = jax.vjp(lambda x: _forward(x, W, stride, padding, dilation, groups),
                          jnp.zeros(input_shape, dY.dtype))
    return pullback(dY)[0]


@partial(jax.jit, static_argnames=("kernel_shape",) + _ATTRS)
def _weight_grad(X, dY, kernel_shape, stride, padding, dilation, groups):
    _, pullback = jax.vjp(lambda w: _forward(X, w, stride, padding, dilation, groups),
                          jnp.zeros(kernel_shape, dY.dtype))
    return pullback(dY)[0]


@jax.jit
def _bias_grad(dY):
    Y = jnp.zeros(dY.shape, dY.dtype)
    _, pullback = jax.vjp(lambda b: Y + lax.broadcast_in_dim(b, dY.shape, (1,)),
                          jnp.zeros(dY.shape[1:2], dY.dtype))
    return pullback(dY)[0]


@partial(jax.jit, static_argnames=("stride", "padding", "dilation"))
def _transpose(X, W, B, stride, padding, dilation):
    spatial = _SPATIAL.get(X.ndim - 2, "")
    Y = lax.conv_transpose(X, W, stride, padding, rhs_dilation=dilation,
                           dimension_numbers=("NC" + spatial, "OI" + spatial, "NC" + spatial),
                           transpose_kernel=True, use_consistent_padding=True)
    return Y if B is None else Y + lax.broadcast_in_dim(B, Y.shape, (1,))


def _pad(padding):
    return padding if isinstance(padding, str) else tuple(tuple(pair) for pair in padding)


def conv_input_grad(dY, W, *, input_shape, stride, padding, dilation, groups):
    """dX: the pullback of the jit-compiled forward with respect to x."""
    return np.asarray(_input_grad(dY, W, tuple(input_shape), tuple(stride), _pad(padding), tuple(dilation),
                                  groups))


def conv_weight_grad(X, dY, *, kernel_shape, stride, padding, dilation, groups):
    """dW: the pullback of the jit-compiled forward with respect to w."""
    return np.asarray(_weight_grad(X, dY, tuple(kernel_shape), tuple(stride), _pad(padding), tuple(dilation),
                                   groups))


def conv_bias_grad(dY):
    """dB: the pullback of the bias addition."""
    return np.asarray(_bias_grad(dY))


def conv_transpose(X, W, B=None, *, stride, padding, output_padding, dilation, groups):
    """The transposed convolution through the jit-compiled ``lax.conv_transpose``, plus the bias."""
    if groups != 1:
        raise ValueError(f"lax.conv_transpose has no feature_group_count; groups={groups!r} is not computed")
    for a, s, d in zip(output_padding, stride, dilation, strict=True):
        if not 0 <= a < max(s, d):
            raise ValueError(f"output_padding={tuple(output_padding)} must be below max(stride, dilation)")
    if not isinstance(padding, str):
        padding = tuple((lo, hi - a) for (lo, hi), a in zip(padding, output_padding, strict=True))
    return np.asarray(_transpose(X, W, B, tuple(stride), padding, tuple(dilation)))


_FLOATS = ("float16", "float32", "float64", "complex64", "complex128")
GRADIENT_CLAIMS = Claims(
    dtypes=_FLOATS,
    mixed_dtypes=False,
    nonfinite=True,
    accuracy="componentwise",
    flushes_subnormals=True,
    validates_input=True,
)

BACKEND = PerOpBackend(
    name="jax-grad",
    fn=conv_input_grad,
    op="conv_input_grad",
    ops={"conv_input_grad": conv_input_grad, "conv_weight_grad": conv_weight_grad,
         "conv_bias_grad": conv_bias_grad, "conv_transpose": conv_transpose},
    claims=GRADIENT_CLAIMS,
    op_claims={
        "conv_bias_grad": replace(GRADIENT_CLAIMS, validates_input=False),
        "conv_transpose": Claims(mixed_dtypes=False, nonfinite=True, accuracy="componentwise",
                                 flushes_subnormals=True, validates_input=True, groups=False,
                                 padding=frozenset({"explicit", "asymmetric", "VALID"})),
    },
    version=jax.__version__,
    description="jax.jit(jax.vjp(lax.conv_general_dilated)), the vjp of the bias addition, "
                "jax.jit(lax.conv_transpose(..., transpose_kernel=True)) + B",
)
