"""The transposed convolution through ONNX Runtime running a one-node ``ConvTranspose`` model.

How an ONNX Runtime user computes
``conv_transpose(X, W, B, stride=s, padding=p, output_padding=a, dilation=d, groups=g)``
(model built with ``onnx.helper``, see
`convspec.conformance.adapters._onnx_transpose_model`)::

    import onnxruntime as ort
    # ConvTranspose(X, W, B) with strides=s, dilations=d, group=g, output_padding=a and
    # pads=[x1_begin, x2_begin, ..., x1_end, x2_end, ...]
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    Y = session.run(None, {"X": X, "W": W, "B": B})[0]

Claims, from the operator's documentation
(https://onnx.ai/onnx/operators/onnx__ConvTranspose.html) and ONNX Runtime's
CPU kernel table (https://onnxruntime.ai/docs/reference/operators/OperatorKernels.html):

* float32 and float16 (a float64 model fails to load with NOT_IMPLEMENTED,
  although the operator admits it); one type for all inputs.
* Spatial ranks 1, 2 and 3, ``group``, ``dilations``, a bias, ``pads`` of any
  non-negative begin/end pair, and ``output_padding``, which the operator
  requires below the stride: ONNX's rule is claimed
  (``output_padding_below_stride``, TC-CL1).

Checked with onnxruntime 1.32.0 and onnx 1.23.2.
"""

from __future__ import annotations

from functools import lru_cache

import onnxruntime as ort

from convspec.conformance.adapters._onnx_layer_model import feeds
from convspec.conformance.adapters._onnx_transpose_model import transpose_key, transpose_model
from convspec.conformance.backend import Backend, Claims


@lru_cache(maxsize=128)
def _session(dtype: str, has_bias: bool, attrs: tuple) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.log_severity_level = 4
    options.intra_op_num_threads = 1
    return ort.InferenceSession(transpose_model(dtype, has_bias, attrs).SerializeToString(), options,
                                providers=["CPUExecutionProvider"])


def conv_transpose(X, W, B=None, *, stride, padding, output_padding, dilation, groups):
    """The transposed convolution through an ONNX Runtime session of the ``ConvTranspose`` model."""
    session = _session(*transpose_key(X, B, stride, padding, output_padding, dilation, groups))
    return session.run(None, feeds(X, W, B))[0]


BACKEND = Backend(
    name="onnxruntime-transpose",
    fn=conv_transpose,
    op="conv_transpose",
    claims=Claims(
        dtypes=("float16", "float32"),
        mixed_dtypes=False,
        nonfinite=True,
        accuracy="componentwise",
        validates_input=True,
        ranks=(1, 2, 3),
        padding=frozenset({"explicit", "asymmetric", "VALID"}),
        dilation=True,
        groups=True,
        bias=True,
        empty_outputs=False,
        zero_size=True,
        output_padding_below_stride=True,
    ),
    version=ort.__version__,
    description="onnxruntime CPUExecutionProvider running one ONNX ConvTranspose node (1 intra-op thread)",
)
