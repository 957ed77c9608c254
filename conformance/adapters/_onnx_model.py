"""A one-node ONNX model computing Eq 2 with the ``Conv`` operator.

ONNX ``Conv`` takes ``X`` of shape (N, C, H, W) and ``W`` of shape
(M, C, kH, kW) and computes cross-correlation (no kernel flip); with
N = C = M = 1, no padding, no dilation and ``strides = [sx, sy]`` its single
output plane is Eq 2.  The operator's type constraint admits float16,
float32, float64 (and bfloat16), with X and W of the same type.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper

#: The opset the model is built for.
OPSET = 21


def conv_model(dtype, stride) -> onnx.ModelProto:
    """A model with inputs ``X``, ``W`` of ``dtype`` and output ``Y``."""
    elem = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    node = helper.make_node("Conv", ["X", "W"], ["Y"], strides=list(stride))
    graph = helper.make_graph(
        [node], "convspec_conv2d",
        [helper.make_tensor_value_info("X", elem, None), helper.make_tensor_value_info("W", elem, None)],
        [helper.make_tensor_value_info("Y", elem, None)],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
