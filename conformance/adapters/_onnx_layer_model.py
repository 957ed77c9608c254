"""A one-node ONNX model computing the layer with the ``Conv`` operator.

ONNX ``Conv`` (https://onnx.ai/onnx/operators/onnx__Conv.html) takes
``X`` (N, C, D1 … Dn), ``W`` (M, C/group, k1 … kn) and an optional ``B`` (M,),
and computes cross-correlation.  Its attributes map one to one onto the
layer's: ``strides``, ``dilations``, ``group``, and either ``pads``, a flat
list ``[x1_begin, x2_begin, …, x1_end, x2_end, …]``, or ``auto_pad`` =
``VALID`` / ``SAME_UPPER`` / ``SAME_LOWER``.  The operator's type constraint
admits float16, float32, float64 and bfloat16, one type for all inputs.

`layer_model` builds the model a user writes with ``onnx.helper`` for one
(spatial rank, dtype, bias present, attribute set); the adapters cache what
they build from it.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper

#: The opset the model is built for.
OPSET = 21


def onnx_attributes(stride, padding, dilation, groups) -> dict:
    """The ``Conv`` attributes of a layer call (``padding`` a name or ``(lo, hi)`` pairs)."""
    attrs = {"strides": list(stride), "dilations": list(dilation), "group": int(groups)}
    if isinstance(padding, str):
        attrs["auto_pad"] = padding
    else:
        attrs["pads"] = [lo for lo, _ in padding] + [hi for _, hi in padding]
    return attrs


def layer_model(dtype: str, has_bias: bool, attrs: tuple) -> onnx.ModelProto:
    """A model with inputs ``X``, ``W`` (and ``B``) of ``dtype`` and output ``Y``.

    ``attrs`` is `onnx_attributes`' result as a sorted tuple of items with
    list values turned into tuples (so that it can key a cache).
    """
    elem = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    inputs = ["X", "W"] + (["B"] if has_bias else [])
    kwargs = {key: list(value) if isinstance(value, tuple) else value for key, value in attrs}
    node = helper.make_node("Conv", inputs, ["Y"], **kwargs)
    graph = helper.make_graph(
        [node], "convspec_conv",
        [helper.make_tensor_value_info(name, elem, None) for name in inputs],
        [helper.make_tensor_value_info("Y", elem, None)],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def model_key(X, B, stride, padding, dilation, groups) -> tuple:
    """The cache key of a call: (dtype, bias present, attributes)."""
    attrs = onnx_attributes(stride, padding, dilation, groups)
    items = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in attrs.items()))
    return np.dtype(X.dtype).name, B is not None, items


def feeds(X, W, B) -> dict:
    """The inputs of a run."""
    return {"X": X, "W": W} if B is None else {"X": X, "W": W, "B": B}
