"""The layer through ``tf.nn.convolution`` on the CPU, channels last.

How a TensorFlow user computes ``conv(X, W, B, stride=s, padding=p, dilation=d, groups=g)`` with
the layer's layouts, X (N, C, spatial…) and W (O, C/g, spatial…)::

    import tensorflow as tf
    x = tf.transpose(X, [0, 2, 3, 1])                  # NCHW -> NHWC (rank 2 shown)
    w = tf.transpose(W, [2, 3, 1, 0])                  # OIHW -> HWIO
    x = tf.pad(x, [[0, 0], [lo0, hi0], [lo1, hi1], [0, 0]])   # explicit pads
    y = tf.nn.convolution(x, w, strides=s, padding="VALID", dilations=d,
                          data_format="NHWC")          # or padding "SAME" / "VALID" by name
    y = tf.nn.bias_add(y, B)
    Y = tf.transpose(y, [0, 3, 1, 2]).numpy()          # NHWC -> NCHW

The CPU kernels compute channels last only, so the layouts are transposed as a
user would.  ``data_format`` is passed with its default value: without it the
gradient of a rank-3 convolution fails (``docs/findings/tensorflow-conv3d-gradient-data-format.md``),
and the gradient adapter shares this call.

What TensorFlow documents, and so what is claimed
(https://www.tensorflow.org/api_docs/python/tf/nn/convolution,
https://www.tensorflow.org/api_docs/python/tf/pad,
https://www.tensorflow.org/api_docs/python/tf/nn/bias_add):

* ``padding`` is "either ``"VALID"`` or ``"SAME"``"; TensorFlow's ``'SAME'``
  puts the odd element at the end, which is SAME_UPPER.  SAME_LOWER has no
  TensorFlow spelling.  Padding names other than the layer's are passed
  through, so TensorFlow's own ``'SAME'`` is accepted where the specification
  refuses the name (CV-PD2): a documented difference of spelling, as for JAX.
* Explicit pads are applied with ``tf.pad`` first, which takes any
  non-negative (before, after) pair per axis; it refuses a negative one
  ("Paddings must be non-negative"), and a user crops by slicing instead, so
  negative padding is not claimed and a negative pair is handed to ``tf.pad``.
* ``dilations``: "if any value of dilation_rate is > 1, then all values of
  strides must be 1", and a strided, dilated call is refused
  (``docs/findings/tensorflow-strided-dilation.md``).  The claims cannot say
  "dilation at stride 1 only", so dilation is not claimed.
* The filter's shape is "``spatial_filter_shape + [in_channels, out_channels]``"
  with the input's ``in_channels``: groups are not documented and have no
  argument, so they are not claimed.  The filter's in-channel axis is the only
  place a user can state them (the rank-1 and rank-2 CPU kernels compute a
  grouped convolution when it divides the input's channels; the rank-3 one
  refuses), so the adapter refuses a ``groups`` that is not a positive integer
  or that disagrees with ``C / W.shape[1]``, the groups TensorFlow would compute.
* The input is "of type T" with the filter "of the same type": mixed dtypes
  are refused.  ``Conv2D`` (ranks 1 and 2) is registered for half, bfloat16,
  float32, float64 and int32, ``Conv3D`` for half, bfloat16, float32 and
  float64 only (https://www.tensorflow.org/api_docs/python/tf/raw_ops/Conv3D),
  so int32, which rank 3 lacks, is not claimed.
* The output size is the documented VALID size, ``ceil((S - (k - 1)·d) / s)``,
  which is negative when the window exceeds the input by more than one element,
  and TensorFlow then refuses ("Computed output size would be negative"): empty
  outputs are not claimed (the float32 kernel's output of a window larger than
  the input is ``docs/findings/tensorflow-window-larger-than-input.md``).  A
  filter with a zero-size axis is refused ("filter must not have zero
  elements"), so C = 0 and O = 0 are refused and zero-size inputs are not
  claimed.
* TensorFlow's CPU kernels flush subnormal numbers to zero, as in the core
  adapter.

Checked with tensorflow-cpu 2.21.0 (oneDNN on, the default).
The deviations the suite finds are described, each with a reproducer that uses
the library alone, in ``docs/findings/tensorflow-*.md``: a fractional stride
or dilation is truncated (``tensorflow-fractional-stride.md``), ``'SAME'`` is
accepted (``tensorflow-same-spelling.md``), the float16 and float64 rank-3
kernel shifts its windows for a ``'SAME'`` stride beyond the input
(``tensorflow-conv3d-same-strided.md``), and the float32 kernel's output of a
window larger than the input (``tensorflow-window-larger-than-input.md``).
"""

from __future__ import annotations

import numbers

import tensorflow as tf

from convspec.conformance.backend import Backend, Claims

_NAMES = {"VALID": "VALID", "SAME_UPPER": "SAME"}
#: tf.nn.convolution's default (channels-last) data format of each spatial rank, passed explicitly.
DATA_FORMAT = {1: "NWC", 2: "NHWC", 3: "NDHWC"}


def channels_last(ndim: int) -> list[int]:
    """``tf.transpose``'s permutation from (N, C, spatial…) to (N, spatial…, C)."""
    return [0, *range(2, ndim), 1]


def channels_first(ndim: int) -> list[int]:
    """``tf.transpose``'s permutation from (N, spatial…, C) back to (N, C, spatial…)."""
    return [0, ndim - 1, *range(1, ndim - 1)]


def filter_layout(ndim: int) -> list[int]:
    """``tf.transpose``'s permutation from (O, C/g, spatial…) to (spatial…, C/g, O)."""
    return [*range(2, ndim), 1, 0]


def forward(x, w, *, stride, padding, dilation, names=True):
    """``tf.nn.convolution`` of channels-last ``x`` and a spatial-first filter ``w``, pads first.

    A padding name is TensorFlow's ``padding`` argument if ``names``, else handed to ``tf.pad``.
    """
    if isinstance(padding, str) and names:
        pad = _NAMES.get(padding, padding)
    else:
        x = tf.pad(x, [[0, 0], *([lo, hi] for lo, hi in padding), [0, 0]])
        pad = "VALID"
    return tf.nn.convolution(x, w, strides=list(stride), padding=pad, dilations=list(dilation),
                             data_format=DATA_FORMAT.get(len(w.shape) - 2))


def check_groups(x_shape, w_shape, groups):
    """The groups TensorFlow computes are C / W's in-channels; refuse a ``groups`` that says otherwise."""
    if not isinstance(groups, numbers.Integral) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"groups must be a positive integer, got {groups!r}")
    if len(x_shape) >= 2 and len(w_shape) >= 2 and x_shape[1] != groups * w_shape[1]:
        raise ValueError(f"TensorFlow takes the groups from the shapes: C = {x_shape[1]} is not "
                         f"groups·(W's in-channels) = {groups}·{w_shape[1]}")


def conv(X, W, B=None, *, stride, padding, dilation, groups):
    """The layer through ``tf.nn.convolution`` (the filter's shape carries ``groups``)."""
    check_groups(X.shape, W.shape, groups)
    x = tf.transpose(X, channels_last(X.ndim))
    w = tf.transpose(W, filter_layout(W.ndim))
    y = forward(x, w, stride=stride, padding=padding, dilation=dilation)
    if B is not None:
        y = tf.nn.bias_add(y, B)
    return tf.transpose(y, channels_first(len(y.shape))).numpy()


#: What TensorFlow documents for its convolution on the CPU, which its gradients share
#: (`tensorflow_gradients` takes these claims, but for the padding names).
LAYER_CLAIMS = Claims(
    dtypes=("float16", "float32", "float64"),
    mixed_dtypes=False,
    nonfinite=True,
    accuracy="componentwise",
    flushes_subnormals=True,
    validates_input=True,
    ranks=(1, 2, 3),
    padding=frozenset({"explicit", "asymmetric", "VALID", "SAME_UPPER"}),
    dilation=False,
    groups=False,
    bias=True,
    empty_outputs=False,
    zero_size=False,
)

BACKEND = Backend(
    name="tensorflow-layer",
    fn=conv,
    op="conv",
    ops={"conv": conv},
    claims=LAYER_CLAIMS,
    version=tf.__version__,
    description="tf.nn.convolution(tf.pad(x), w, strides, 'VALID'/'SAME', dilations, data_format) + "
                "tf.nn.bias_add, "
                "NCHW/OIHW transposed to NHWC/HWIO",
)
