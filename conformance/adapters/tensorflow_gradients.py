"""The layer's gradients through ``tf.GradientTape`` and the transposed convolution through
``tf.nn.conv1d_transpose`` / ``conv2d_transpose`` / ``conv3d_transpose``, on the CPU.

How a TensorFlow user computes each operation, with the layer's layouts (the
forward call is ``tensorflow-layer``'s: ``tf.pad``, then ``tf.nn.convolution``
channels last, ``data_format`` given)::

    import tensorflow as tf
    # dX, dW of a forward conv(X, W, stride=s, padding=p, dilation=d) for an incoming dY
    x = tf.zeros(input_shape, dY.dtype)                 # (or the real X)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x, w)                                 # transposes, tf.pad, tf.nn.convolution
    dX = tape.gradient(y, x, output_gradients=dY)       # likewise dW with tape.watch(w)
    # dB: the tape of tf.nn.bias_add
    with tf.GradientTape() as tape:
        tape.watch(b)
        y = tf.nn.bias_add(tf.zeros_like(dy), b)        # dy channels last
    dB = tape.gradient(y, b, output_gradients=dy)
    # the transposed convolution: the whole output, then the pads cropped with tf.slice
    y = tf.nn.conv2d_transpose(x, w, output_shape=[N, *full, O], strides=s, padding="VALID")
    y = tf.slice(y, [0, lo0, lo1, 0], [N, full0 - lo0 - hi0, full1 - lo1 - hi1, O])
    Y = tf.nn.bias_add(y, B)

The gradient of ``Σ dY · conv(X, W)`` does not depend on the operand it is
taken with respect to (the sum is linear in it), so that operand is a zero
tensor of the requested shape, as in ``torch-autograd``.

What TensorFlow documents, and so what is claimed
(https://www.tensorflow.org/api_docs/python/tf/GradientTape,
https://www.tensorflow.org/api_docs/python/tf/nn/convolution,
https://www.tensorflow.org/api_docs/python/tf/nn/conv2d_transpose,
https://www.tensorflow.org/api_docs/python/tf/slice):

* The tape differentiates floating-point tensors ("The dtype of the watched
  tensor must be floating"); for an integer one ``gradient`` returns None.
  float16, float32 and float64 are claimed for dX and dW (the forward's dtypes),
  and complex64 and complex128 besides for dB, whose ``BiasAdd`` kernel takes
  them and whose gradient is then the plain sum DB-EQ1 asks for.
* Padding is ``tensorflow-layer``'s: non-negative pairs through ``tf.pad``
  (a negative one is refused), no groups, ranks 1 to 3.  Dilation goes through
  ``tf.nn.convolution``, which computes it only at stride 1
  (``docs/findings/tensorflow-strided-dilation.md``), so it is not claimed.
* Sizes the forward refuses (a window that exceeds the input by more than one
  element, a zero-size filter) are refused here too, so neither empty outputs
  nor zero-size inputs are claimed (the float16 weight gradient of an empty
  output is ``docs/findings/tensorflow-empty-weight-gradient.md``).
* ``tf.nn.bias_add`` checks only that dY has at least two axes and the bias
  its last one, so the bias gradient does not claim to refuse invalid input.
* ``conv{1,2,3}d_transpose`` computes "the gradient of conv{1,2,3}d": its
  filter is ``[spatial…, output_channels, in_channels]``, which is W's
  (C, O, spatial…) transposed, and ``output_shape`` must be one that the
  convolution maps to X's shape.  With ``padding="VALID"`` those are the
  full length ``(X - 1)·s + (k - 1)·d + 1`` plus 0 to ``s - 1``: ONNX's rule
  ``output_padding < stride`` is claimed (``output_padding_below_stride``,
  TC-CL1).  The pads are then cropped with ``tf.slice``, which refuses a
  negative begin or a size beyond the array, so a negative pad is refused as
  TC-PD1 asks.  The transposed convolution has no groups (its in-channels must
  be X's), so a ``groups`` other than 1 is refused by the adapter rather than
  computed as one group.  Its CPU kernels refuse a dilation ("Current CPU
  implementations do not yet support dilation rates larger than 1"), so
  dilation is not claimed.  ``Conv2DBackpropInput`` takes int32 for ranks 1
  and 2 but ``Conv3DBackpropInputV2`` does not, so int32 is not claimed.

Checked with tensorflow-cpu 2.21.0 (oneDNN on, the default).
The deviations the suite finds are described, each with a reproducer that uses
the library alone, in ``docs/findings/tensorflow-*.md``: the float32 input
gradient of a strided 1×1 window corrupts the heap
(``tensorflow-strided-1x1-input-gradient-crash.md``), padding zeros times an
infinite weight give NaN (``tensorflow-input-gradient-nonfinite.md``,
``tensorflow-conv3d-transpose-nan.md``), the rank-3 weight gradient reads unread
input (``tensorflow-conv3d-weight-gradient-unread.md``), the float16 weight
gradient of an empty output is uninitialised, and the rank-3 gradient fails
without ``data_format`` (``tensorflow-conv3d-gradient-data-format.md``).
"""

from __future__ import annotations

from dataclasses import replace

import tensorflow as tf

from convspec.conformance.adapters._per_op import PerOpBackend
from convspec.conformance.adapters.tensorflow_layer import (LAYER_CLAIMS, channels_first, channels_last,
                                                            check_groups, filter_layout, forward)

_TRANSPOSE = {1: tf.nn.conv1d_transpose, 2: tf.nn.conv2d_transpose, 3: tf.nn.conv3d_transpose}


def _layer(x, w, *, stride, padding, dilation):
    """The forward layer of (N, C, spatial…) ``x`` and (O, C/g, spatial…) ``w``, in those layouts."""
    y = forward(tf.transpose(x, channels_last(len(x.shape))), tf.transpose(w, filter_layout(len(w.shape))),
                stride=stride, padding=padding, dilation=dilation, names=False)
    return tf.transpose(y, channels_first(len(y.shape)))


def conv_input_grad(dY, W, *, input_shape, stride, padding, dilation, groups):
    """dX = ``tape.gradient(conv(x, W), x, output_gradients=dY)``."""
    check_groups(tuple(input_shape), W.shape, groups)
    dy = tf.constant(dY)
    x = tf.zeros(tuple(input_shape), dtype=dy.dtype)
    w = tf.constant(W)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = _layer(x, w, stride=stride, padding=padding, dilation=dilation)
    return tape.gradient(y, x, output_gradients=dy).numpy()


def conv_weight_grad(X, dY, *, kernel_shape, stride, padding, dilation, groups):
    """dW = ``tape.gradient(conv(X, w), w, output_gradients=dY)``."""
    check_groups(X.shape, tuple(kernel_shape), groups)
    dy = tf.constant(dY)
    x = tf.constant(X)
    w = tf.zeros(tuple(kernel_shape), dtype=dy.dtype)
    with tf.GradientTape() as tape:
        tape.watch(w)
        y = _layer(x, w, stride=stride, padding=padding, dilation=dilation)
    return tape.gradient(y, w, output_gradients=dy).numpy()


def conv_bias_grad(dY):
    """dB = ``tape.gradient(tf.nn.bias_add(0, b), b, output_gradients=dY)``, channels last."""
    dy = tf.transpose(dY, channels_last(dY.ndim))
    b = tf.zeros(dy.shape[-1:], dtype=dy.dtype)
    with tf.GradientTape() as tape:
        tape.watch(b)
        y = tf.nn.bias_add(tf.zeros_like(dy), b)
    return tape.gradient(y, b, output_gradients=dy).numpy()


def conv_transpose(X, W, B=None, *, stride, padding, output_padding, dilation, groups):
    """The transposed convolution through ``tf.nn.conv{1,2,3}d_transpose``, pads cropped with ``tf.slice``."""
    if groups != 1:
        raise ValueError(f"tf.nn.conv_transpose has no groups; got groups={groups!r}")
    try:
        function = _TRANSPOSE[W.ndim - 2]
    except KeyError:
        raise ValueError(f"TensorFlow has 1-, 2- and 3-d transposed convolutions; W.ndim={W.ndim} "
                         "fits none") from None
    x = tf.transpose(X, channels_last(X.ndim))
    w = tf.transpose(W, filter_layout(W.ndim))          # (C, O, k…) -> (k…, O, C)
    full = [(n - 1) * s + (k - 1) * d + 1 + a
            for n, k, s, d, a in zip(X.shape[2:], W.shape[2:], stride, dilation, output_padding, strict=True)]
    sizes = [f - lo - hi for f, (lo, hi) in zip(full, padding, strict=True)]
    if min(sizes, default=0) < 0:  # tf.slice would read a size of -1 as "to the end"
        raise ValueError(f"the pads {padding} remove more than the transposed output's {full} elements")
    n, o = X.shape[0], W.shape[1]
    strides, dilations = list(stride), list(dilation)
    if W.ndim == 5:  # conv3d_transpose wants five-element strides and dilations
        strides, dilations = [1, *strides, 1], [1, *dilations, 1]
    y = function(x, w, output_shape=[n, *full, o], strides=strides, padding="VALID", dilations=dilations)
    y = tf.slice(y, [0, *(lo for lo, _ in padding), 0], [n, *sizes, o])
    if B is not None:
        y = tf.nn.bias_add(y, B)
    return tf.transpose(y, channels_first(len(y.shape))).numpy()


GRADIENT_CLAIMS = replace(LAYER_CLAIMS, padding=frozenset({"explicit", "asymmetric", "VALID"}))

BACKEND = PerOpBackend(
    name="tensorflow-grad",
    fn=conv_input_grad,
    op="conv_input_grad",
    ops={"conv_input_grad": conv_input_grad, "conv_weight_grad": conv_weight_grad,
         "conv_bias_grad": conv_bias_grad, "conv_transpose": conv_transpose},
    claims=GRADIENT_CLAIMS,
    op_claims={
        "conv_bias_grad": replace(GRADIENT_CLAIMS, validates_input=False,
                                    dtypes=GRADIENT_CLAIMS.dtypes + ("complex64", "complex128")),
        "conv_transpose": replace(GRADIENT_CLAIMS, output_padding_below_stride=True),
    },
    version=tf.__version__,
    description="tf.GradientTape over tf.nn.convolution and tf.nn.bias_add; "
                "tf.nn.conv{1,2,3}d_transpose(output_shape, 'VALID') cropped with tf.slice",
)
