"""``scipy.signal.correlate2d`` in ``'valid'`` mode, then subsampled.

How a SciPy user computes Eq 2::

    from scipy import signal
    C = signal.correlate2d(M, K, mode="valid")[::sx, ::sy]

``correlate2d`` is a direct (shift-and-multiply) method and keeps integer
arithmetic in the input dtype.  For complex inputs it correlates with the
*conjugated* kernel, ``sum M * conj(K)``, which is the signal-processing
convention but not Eq 2; the adapter therefore passes ``conj(K)`` so the two
conjugations cancel.  Without that step every complex output differs from
Eq 2 (a documented semantic difference, not a bug).

Claims: every admitted dtype except float16 (``correlate2d`` refuses it);
mixed dtypes follow NumPy promotion.  It does not validate: a kernel larger
than M in every dimension is silently swapped with M ('valid' mode allows
either operand to be the larger), and the stride is applied as a slice step.

Checked with SciPy 1.17.1.
"""

from __future__ import annotations

import numpy as np
import scipy
from scipy import signal

from convspec.conformance.backend import Backend, Claims
from convspec.spec.validation import ADMITTED_DTYPES


def conv2d(M, K, *, stride=(1, 1)):
    """Eq 2 through ``correlate2d(M, conj(K), 'valid')[::sx, ::sy]``."""
    sx, sy = stride
    kernel = np.conj(K) if np.iscomplexobj(K) else K
    return signal.correlate2d(M, kernel, mode="valid")[::sx, ::sy]


BACKEND = Backend(
    name="scipy",
    fn=conv2d,
    claims=Claims(
        dtypes=tuple(d for d in ADMITTED_DTYPES if d != "float16"),
        mixed_dtypes=True,
        nonfinite=True,
        accuracy="componentwise",
        validates_input=False,
    ),
    version=scipy.__version__,
    description="scipy.signal.correlate2d(M, conj(K), 'valid')[::sx, ::sy] (direct sums)",
)
