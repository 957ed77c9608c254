"""``tf.nn.conv2d`` on the CPU, NHWC layout.

How a TensorFlow user computes Eq 2::

    import tensorflow as tf
    x = M[None, :, :, None]                     # NHWC, N = C = 1
    w = K[:, :, None, None]                     # (m', n', in, out)
    C = tf.nn.conv2d(x, w, strides=[1, sx, sy, 1], padding="VALID").numpy()[0, :, :, 0]

TensorFlow's ``conv2d`` is cross-correlation.  Its CPU kernel is registered
for float16, bfloat16, float32, float64 and int32; other dtypes raise, and
both operands must share one dtype.  TensorFlow runs its CPU kernels with
subnormal numbers flushed to zero, so ``flushes_subnormals`` is claimed.
It validates strides and shapes and raises on invalid arguments.

The deviations the conformance suite finds are declared, each pinned to one
example, in ``tensorflow_cpu.known.toml`` next to this module.

Checked with tensorflow-cpu 2.21.0.
"""

from __future__ import annotations

from pathlib import Path

import tensorflow as tf

from convspec.conformance.backend import Backend, Claims


def conv2d(M, K, *, stride=(1, 1)):
    """Eq 2 through ``tf.nn.conv2d`` in NHWC with ``padding='VALID'``."""
    sx, sy = stride
    out = tf.nn.conv2d(M[None, :, :, None], K[:, :, None, None], strides=[1, sx, sy, 1],
                       padding="VALID")
    return out.numpy()[0, :, :, 0]


BACKEND = Backend(
    name="tensorflow",
    fn=conv2d,
    claims=Claims(dtypes=("int32", "float16", "float32", "float64"), mixed_dtypes=False,
                  nonfinite=True, accuracy="componentwise", flushes_subnormals=True,
                  validates_input=True),
    version=tf.__version__,
    description="tf.nn.conv2d(M[None, :, :, None], K[:, :, None, None], strides, 'VALID')",
    known_deviations=str(Path(__file__).with_name("tensorflow_cpu.known.toml")),
)
