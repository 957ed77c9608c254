"""A one-node ONNX model computing the transposed convolution with ``ConvTranspose``.

ONNX ``ConvTranspose`` (https://onnx.ai/onnx/operators/onnx__ConvTranspose.html)
takes ``X`` (N, C, D1 … Dn), ``W`` (C, M/group, k1 … kn) and an optional ``B``
(M,).  Its attributes ``strides``, ``dilations``, ``group``, ``pads`` (flat,
``[x1_begin, …, x1_end, …]``, removed from the full output) and
``output_padding`` (added at the end of each axis) map one to one onto
``conv_transpose``'s; the output length is
``s·(i − 1) + output_padding + ((k − 1)·d + 1) − pad_begin − pad_end``.
The operator requires ``output_padding < stride`` (TC-CL1) and admits
float16, float32, float64 and bfloat16, one type for all inputs.

`transpose_model` builds the model a user writes with ``onnx.helper``; the
adapters cache what they build from it.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper

from convspec.conformance.adapters._onnx_layer_model import OPSET


def transpose_key(X, B, stride, padding, output_padding, dilation, groups) -> tuple:
    """The cache key of a call: (dtype, bias present, sorted attribute items)."""
    attrs = {"strides": tuple(stride), "dilations": tuple(dilation), "group": int(groups),
             "pads": tuple(lo for lo, _ in padding) + tuple(hi for _, hi in padding),
             "output_padding": tuple(output_padding)}
    return np.dtype(X.dtype).name, B is not None, tuple(sorted(attrs.items()))


def transpose_model(dtype: str, has_bias: bool, attrs: tuple) -> onnx.ModelProto:
    """A model with inputs ``X``, ``W`` (and ``B``) of ``dtype`` and output ``Y``."""
    elem = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    inputs = ["X", "W"] + (["B"] if has_bias else [])
    node = helper.make_node("ConvTranspose", inputs, ["Y"], **{k: list(v) if isinstance(v, tuple) else v
                                                                for k, v in attrs})
    graph = helper.make_graph(
        [node], "convspec_conv_transpose",
        [helper.make_tensor_value_info(name, elem, None) for name in inputs],
        [helper.make_tensor_value_info("Y", elem, None)],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
