"""The layer through ONNX Runtime running a one-node ``Conv`` model on the CPU provider.

How an ONNX Runtime user computes ``conv(X, W, B, stride=s, padding=p, dilation=d, groups=g)``
(model built with ``onnx.helper``, see
`convspec.conformance.adapters._onnx_layer_model`)::

    import onnxruntime as ort
    # Conv(X, W, B) with strides=s, dilations=d, group=g and either
    # pads=[x1_begin, x2_begin, ..., x1_end, x2_end, ...] or auto_pad="SAME_UPPER" (etc.)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    Y = session.run(None, {"X": X, "W": W, "B": B})[0]

One session is built per (dtype, bias present, attribute set) and reused; the
spatial rank and the shapes come from the inputs at run time.

Claims, from the operator's documentation
(https://onnx.ai/onnx/operators/onnx__Conv.html) and ONNX Runtime's CPU kernel
table (https://onnxruntime.ai/docs/reference/operators/OperatorKernels.html):

* The CPU provider runs ``Conv`` for float32 and float16; a float64 model
  fails to load with NOT_IMPLEMENTED ("Could not find an implementation"),
  although the operator admits it, so float64 is not claimed.  All inputs
  share one type.
* Spatial ranks 1, 2 and 3, ``group``, ``dilations``, a bias, and every
  padding form: ``pads`` (any begin/end pair) and ``auto_pad`` VALID,
  SAME_UPPER, SAME_LOWER.  The operator says pads are ``>= 0``; the CPU
  kernel also accepts negative pads and crops, which is claimed so that the
  suite verifies it.
* A window larger than the padded input is refused ("Invalid input shape"),
  so empty outputs are not claimed; N = 0, C = 0, O = 0 and a zero-size
  spatial axis that padding makes non-empty are computed.

Log messages are limited to fatal ones, so that refused inputs do not print
to standard error.

Checked with onnxruntime 1.32.0 and onnx 1.23.2.
The deviations the suite finds are described, each with a reproducer
that uses the library alone, in ``docs/findings/onnxruntime-*.md``.
"""

from __future__ import annotations

from functools import lru_cache

import onnxruntime as ort

from convspec.conformance.adapters._onnx_layer_model import feeds, layer_model, model_key
from convspec.conformance.backend import Backend, Claims


@lru_cache(maxsize=128)
def _session(dtype: str, has_bias: bool, attrs: tuple) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.log_severity_level = 4
    options.intra_op_num_threads = 1
    return ort.InferenceSession(layer_model(dtype, has_bias, attrs).SerializeToString(), options,
                                providers=["CPUExecutionProvider"])


def conv(X, W, B=None, *, stride, padding, dilation, groups):
    """The layer through an ONNX Runtime session of the one-node ``Conv`` model."""
    session = _session(*model_key(X, B, stride, padding, dilation, groups))
    return session.run(None, feeds(X, W, B))[0]


BACKEND = Backend(
    name="onnxruntime-layer",
    fn=conv,
    op="conv",
    ops={"conv": conv},
    claims=Claims(
        dtypes=("float16", "float32"),
        mixed_dtypes=False,
        nonfinite=True,
        accuracy="componentwise",
        validates_input=True,
        ranks=(1, 2, 3),
        padding=frozenset({"explicit", "negative", "asymmetric", "VALID", "SAME_UPPER", "SAME_LOWER"}),
        dilation=True,
        groups=True,
        bias=True,
        empty_outputs=False,
        zero_size=True,
    ),
    version=ort.__version__,
    description="onnxruntime CPUExecutionProvider running one ONNX Conv node (1 intra-op thread)",
)
