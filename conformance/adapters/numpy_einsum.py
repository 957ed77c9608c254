"""NumPy windows and ``einsum``.

How a NumPy user computes Eq 2 without SciPy::

    from numpy.lib.stride_tricks import sliding_window_view
    windows = sliding_window_view(M, K.shape)[::sx, ::sy]   # (m'', n'', m', n')
    C = np.einsum("ijab,ab->ij", windows, K)

``sliding_window_view`` builds a read-only strided view (no copy); the
subsampled view holds exactly the windows of Eq 2, and ``einsum`` sums each
window times K in the promoted dtype of NumPy (integers wrap on overflow,
float16 stays float16).  Every admitted dtype and mixed dtypes are claimed.
The stride is a slice step, so zero or negative strides are not refused by
any check of their own.

Checked with NumPy 2.4.6.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from convspec.conformance.backend import Backend, Claims


def conv2d(M, K, *, stride=(1, 1)):
    """Eq 2 through ``einsum`` over the strided window view."""
    sx, sy = stride
    windows = sliding_window_view(M, K.shape)[::sx, ::sy]
    return np.einsum("ijab,ab->ij", windows, K)


BACKEND = Backend(
    name="numpy",
    fn=conv2d,
    claims=Claims(mixed_dtypes=True, nonfinite=True, accuracy="componentwise",
                  validates_input=False),
    version=np.__version__,
    description="numpy einsum over sliding_window_view(M, K.shape)[::sx, ::sy]",
)
