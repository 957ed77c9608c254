"""OpenCV ``cv2.filter2D`` anchored at the kernel's corner, then cut.

How an OpenCV user computes Eq 2::

    import cv2
    full = cv2.filter2D(M, -1, K, anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)
    C = full[: m - m' + 1 : sx, : n - n' + 1 : sy]

``filter2D`` computes correlation (no flip) and places the output at the
anchor, so with ``anchor=(0, 0)`` output ``(p, q)`` is the window starting at
``M[p, q]`` and the valid block is the top-left one; the border only affects
outputs outside it.  ``ddepth=-1`` keeps M's depth.

Properties that shape the claims:

* sources of depth uint8, int16, uint16, float32 and float64 are accepted;
  the kernel is converted to floating point and integer results are rounded
  and saturated from floating sums, so the integer claims are tested for
  exactness rather than assumed;
* the output takes M's depth, so mixed dtypes are not claimed;
* for kernels of about 11x11 and larger ``filter2D`` switches to a DFT-based
  algorithm (documented), so the accuracy class is ``normwise`` and NaN or
  infinity handling is not claimed (the DFT spreads them to every output).

The deviations the conformance suite finds are declared, each pinned to one
example, in ``opencv_filter2d.known.toml`` next to this module.

Checked with opencv-python-headless 5.0.0.93.
"""

from __future__ import annotations

from pathlib import Path

import cv2

from convspec.conformance.adapters._crop import valid_strided
from convspec.conformance.backend import Backend, Claims


def conv2d(M, K, *, stride=(1, 1)):
    """Eq 2 through ``cv2.filter2D`` with the anchor at ``K[0, 0]``."""
    full = cv2.filter2D(M, -1, K, anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)
    return valid_strided(full, M.shape, K.shape, stride)


BACKEND = Backend(
    name="opencv",
    fn=conv2d,
    claims=Claims(dtypes=("uint8", "int16", "uint16", "float32", "float64"), mixed_dtypes=False,
                  nonfinite=False, accuracy="normwise", validates_input=False),
    version=cv2.__version__,
    description="cv2.filter2D(M, -1, K, anchor=(0, 0)) cut to the valid region",
    known_deviations=str(Path(__file__).with_name("opencv_filter2d.known.toml")),
)
