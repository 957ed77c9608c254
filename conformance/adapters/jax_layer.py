"""The layer through ``jax.lax.conv_general_dilated`` on the CPU, with x64 on.

How a JAX user computes ``conv(X, W, B, stride=s, padding=p, dilation=d, groups=g)``::

    import jax
    jax.config.update("jax_enable_x64", True)   # otherwise float64 becomes float32
    from jax import lax

    # padding: "VALID", "SAME" (the odd element at the end), "SAME_LOWER" or (lo, hi) pairs
    Y = lax.conv_general_dilated(X, W, window_strides=s, padding=p, rhs_dilation=d,
                                 feature_group_count=g)
    Y = Y + lax.broadcast_in_dim(B, Y.shape, (1,))  # lax has no bias argument

The default dimension numbers are the layer's layouts: X (N, C, spatial…),
W (O, C/g, spatial…), Y (N, O, spatial…).  The call is jit-compiled with the
attributes static, as JAX code usually is.

What JAX documents, and so what is claimed
(https://docs.jax.dev/en/latest/_autosummary/jax.lax.conv_general_dilated.html):

* ``padding`` is "either the strings 'SAME', 'SAME_LOWER', or 'VALID', or a
  sequence of n (low, high) integer pairs"; explicit pairs follow XLA's
  convolution (StableHLO ``convolution``), where a negative pad crops.  Every
  padding form is claimed; SAME_UPPER is passed as ``'SAME'``.
* ``rhs_dilation`` and ``feature_group_count`` give dilation and groups; the
  spatial rank is any, so ranks 1 to 3 are claimed.
* ``lhs`` and ``rhs`` must share a dtype (mixed dtypes raise); every admitted
  dtype runs on the CPU.  The bias is added by the caller in the same dtype,
  along the channel axis with ``lax.broadcast_in_dim`` (which refuses a B of
  another rank).
* Padding names other than the layer's are passed through, so JAX's own
  ``'SAME'`` (its name for SAME_UPPER) is accepted where the specification
  refuses the name (CV-PD2): a documented difference of spelling.
* XLA's output size is StableHLO's (constraint C25): 0 when the window does
  not fit, and zero-size inputs give their zeros, so empty outputs and
  zero-size inputs are claimed.
* XLA's CPU code flushes subnormal numbers to zero, as in the core adapter.

Loading the adapter switches x64 on for the whole process, as the core
adapter does.  Checked with jax and jaxlib 0.10.2.
The deviations the suite finds are described, each with a reproducer
that uses the library alone, in ``docs/findings/jax-*.md``.
"""

from __future__ import annotations

from functools import partial

import jax

jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402
from jax import lax  # noqa: E402

from convspec.conformance.backend import Backend, Claims  # noqa: E402

_NAMES = {"SAME_UPPER": "SAME", "SAME_LOWER": "SAME_LOWER", "VALID": "VALID"}


@partial(jax.jit, static_argnames=("stride", "padding", "dilation", "groups"))
def _conv(X, W, stride, padding, dilation, groups):
    return lax.conv_general_dilated(X, W, window_strides=stride, padding=padding, rhs_dilation=dilation,
                                    feature_group_count=groups)


def conv(X, W, B=None, *, stride, padding, dilation, groups):
    """The layer through the jit-compiled ``lax.conv_general_dilated``, plus the bias."""
    pad = _NAMES.get(padding, padding) if isinstance(padding, str) else tuple(tuple(p) for p in padding)
    Y = _conv(X, W, tuple(stride), pad, tuple(dilation), groups)
    if B is not None:
        Y = Y + lax.broadcast_in_dim(B, Y.shape, (1,))
    return np.asarray(Y)


BACKEND = Backend(
    name="jax-layer",
    fn=conv,
    op="conv",
    ops={"conv": conv},
    claims=Claims(mixed_dtypes=False, nonfinite=True, accuracy="componentwise", flushes_subnormals=True,
                  validates_input=True),
    version=jax.__version__,
    description="jax.jit(lax.conv_general_dilated(X, W, stride, padding, rhs_dilation=dilation, "
                "feature_group_count=groups)) + B",
)
