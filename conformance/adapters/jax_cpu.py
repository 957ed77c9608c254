"""``jax.lax.conv_general_dilated``, jit-compiled, on the CPU.

How a JAX user computes Eq 2::

    import jax
    jax.config.update("jax_enable_x64", True)   # otherwise float64 becomes float32
    from jax import lax

    @jax.jit(static_argnames="stride")
    def corr(M, K, stride):
        return lax.conv_general_dilated(M[None, None], K[None, None], stride, "VALID")[0, 0]

Like the other deep-learning libraries, ``lax`` convolution does not flip
the kernel.  JAX stores 64-bit values only when ``jax_enable_x64`` is on;
without it ``jnp.asarray`` silently turns float64, int64 and complex128
into their 32-bit forms.  Loading this adapter therefore switches x64 on
for the whole process, as a user needing those dtypes must.  The default
``precision`` is used; on the CPU it computes float32 in float32 (on
accelerators the default may use reduced-precision products).

``lax`` requires both operands to have the same dtype, and it accepts every
admitted dtype.  XLA's CPU code runs with subnormal numbers flushed to zero,
so ``flushes_subnormals`` is claimed.

The deviations the conformance suite finds are declared, each pinned to one
example, in ``jax_cpu.known.toml`` next to this module.

Checked with jax and jaxlib 0.10.2.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import jax

jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402
from jax import lax  # noqa: E402

from convspec.conformance.backend import Backend, Claims  # noqa: E402


@partial(jax.jit, static_argnames="stride")
def _correlate(M, K, stride):
    return lax.conv_general_dilated(M[None, None], K[None, None], stride, "VALID")[0, 0]


def conv2d(M, K, *, stride=(1, 1)):
    """Eq 2 through the jit-compiled ``lax.conv_general_dilated``."""
    return np.asarray(_correlate(M, K, tuple(stride)))


BACKEND = Backend(
    name="jax",
    fn=conv2d,
    claims=Claims(mixed_dtypes=False, nonfinite=True, accuracy="componentwise",
                  flushes_subnormals=True, validates_input=True),
    version=jax.__version__,
    description="jax.jit(lax.conv_general_dilated(M[None, None], K[None, None], stride, 'VALID'))",
    known_deviations=str(Path(__file__).with_name("jax_cpu.known.toml")),
)
