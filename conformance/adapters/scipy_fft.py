"""``scipy.signal.fftconvolve`` with a flipped kernel, then subsampled.

How a SciPy user computes Eq 2 with FFTs::

    from scipy import signal
    C = signal.fftconvolve(M, K[::-1, ::-1], mode="valid")[::sx, ::sy]

Convolving with the kernel reversed on both axes is cross-correlation with
the kernel itself; no conjugation is involved, so complex inputs need no
further care.

The FFT pipeline has two structural consequences.  Its error is bounded in
norm, not per output (accuracy class ``normwise``), and one NaN or infinity
anywhere in M or K turns every output non-finite, since each transform
coefficient mixes all inputs; special values are therefore not claimed.
``fftconvolve`` converts integer inputs to float64 and float16 to float32, so
only float32, float64, complex64 and complex128 are claimed.

The deviations the conformance suite finds are declared, each pinned to one
example, in ``scipy_fft.known.toml`` next to this module.

Checked with SciPy 1.17.1.
"""

from __future__ import annotations

from pathlib import Path

import scipy
from scipy import signal

from convspec.conformance.backend import Backend, Claims


def conv2d(M, K, *, stride=(1, 1)):
    """Eq 2 through ``fftconvolve(M, K[::-1, ::-1], 'valid')[::sx, ::sy]``."""
    sx, sy = stride
    return signal.fftconvolve(M, K[::-1, ::-1], mode="valid")[::sx, ::sy]


BACKEND = Backend(
    name="scipy-fft",
    fn=conv2d,
    claims=Claims(
        dtypes=("float32", "float64", "complex64", "complex128"),
        mixed_dtypes=True,
        nonfinite=False,
        accuracy="normwise",
        validates_input=False,
    ),
    version=scipy.__version__,
    description="scipy.signal.fftconvolve(M, K[::-1, ::-1], 'valid')[::sx, ::sy] (FFT)",
    known_deviations=str(Path(__file__).with_name("scipy_fft.known.toml")),
)
