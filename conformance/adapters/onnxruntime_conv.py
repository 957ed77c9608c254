"""ONNX Runtime running a one-node ``Conv`` model on the CPU provider.

How an ONNX Runtime user computes Eq 2 (model built with ``onnx.helper``, see
:mod:`convspec.conformance.adapters._onnx_model`)::

    import onnxruntime as ort
    session = ort.InferenceSession(model.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    C = session.run(None, {"X": M[None, None], "W": K[None, None]})[0][0, 0]

One session is built per (dtype, stride) and reused; the kernel size comes
from ``W`` at run time.  The CPU provider implements ``Conv`` for float32 and
float16 only: a float64 model fails to load with NOT_IMPLEMENTED, so float64
is not claimed even though the ONNX operator admits it.  X and W must share
one dtype.  ONNX Runtime checks shapes and strides and raises on invalid
arguments.  Its log messages are limited to fatal ones, so that refused
inputs do not print to standard error.

The deviations the conformance suite finds are declared, each pinned to one
example, in ``onnxruntime_conv.known.toml`` next to this module.

Checked with onnxruntime 1.32.0 and onnx 1.23.2.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import onnxruntime as ort

from convspec.conformance.adapters._onnx_model import conv_model
from convspec.conformance.backend import Backend, Claims


@lru_cache(maxsize=64)
def _session(dtype: str, stride: tuple) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.log_severity_level = 4
    return ort.InferenceSession(conv_model(dtype, stride).SerializeToString(), options,
                                providers=["CPUExecutionProvider"])


def conv2d(M, K, *, stride=(1, 1)):
    """Eq 2 through an ONNX Runtime session of the one-node ``Conv`` model."""
    session = _session(np.dtype(M.dtype).name, tuple(stride))
    return session.run(None, {"X": M[None, None], "W": K[None, None]})[0][0, 0]


BACKEND = Backend(
    name="onnxruntime",
    fn=conv2d,
    claims=Claims(dtypes=("float16", "float32"), mixed_dtypes=False, nonfinite=True,
                  accuracy="componentwise", validates_input=True),
    version=ort.__version__,
    description="onnxruntime CPUExecutionProvider running one ONNX Conv node",
    known_deviations=str(Path(__file__).with_name("onnxruntime_conv.known.toml")),
)
