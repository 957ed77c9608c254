"""``scipy.ndimage.correlate`` with the kernel anchored at its corner, then cut.

How a SciPy image-processing user computes Eq 2::

    from scipy import ndimage
    origin = (-(K.shape[0] // 2), -(K.shape[1] // 2))
    full = ndimage.correlate(M, K, mode="constant", origin=origin)
    C = full[: m - m' + 1 : sx, : n - n' + 1 : sy]

``ndimage`` centres the kernel at index ``K.shape // 2`` (for an even side
that is the element just past the middle); the ``origin`` above moves the
anchor to ``K[0, 0]`` so that output ``(p, q)`` is the window starting at
``M[p, q]``.  Like ``signal.correlate2d`` it conjugates complex weights, so
the adapter passes ``conj(K)``.

Documented behaviour that differs from the specification, kept as is:

* the output has M's dtype, whatever K's dtype is (``output=None``), so mixed
  dtypes are not claimed;
* sums are accumulated in float64, even for int64/uint64 inputs, so integer
  results beyond 2**53 may be inexact;
* float16 is refused.

The deviations the conformance suite finds are declared, each pinned to one
example, in ``scipy_ndimage.known.toml`` next to this module.

Checked with SciPy 1.17.1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy
from scipy import ndimage

from convspec.conformance.adapters._crop import valid_strided
from convspec.conformance.backend import Backend, Claims
from convspec.spec.validation import ADMITTED_DTYPES


def conv2d(M, K, *, stride=(1, 1)):
    """Eq 2 through ``ndimage.correlate`` anchored at ``K[0, 0]``."""
    kernel = np.conj(K) if np.iscomplexobj(K) else K
    origin = tuple(-(side // 2) for side in K.shape)
    full = ndimage.correlate(M, kernel, mode="constant", cval=0, origin=origin)
    return valid_strided(full, M.shape, K.shape, stride)


BACKEND = Backend(
    name="scipy-ndimage",
    fn=conv2d,
    claims=Claims(
        dtypes=tuple(d for d in ADMITTED_DTYPES if d != "float16"),
        mixed_dtypes=False,
        nonfinite=True,
        accuracy="componentwise",
        validates_input=False,
    ),
    version=scipy.__version__,
    description="scipy.ndimage.correlate(M, conj(K), origin=-(K.shape//2)) cut to the valid region",
    known_deviations=str(Path(__file__).with_name("scipy_ndimage.known.toml")),
)
