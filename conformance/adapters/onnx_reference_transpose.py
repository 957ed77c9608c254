"""The transposed convolution through ``onnx.reference.ReferenceEvaluator`` on a ``ConvTranspose`` model.

How an ONNX user evaluates
``conv_transpose(X, W, B, stride=s, padding=p, output_padding=a, dilation=d, groups=g)``
in pure Python (model built with ``onnx.helper``, see
`convspec.conformance.adapters._onnx_transpose_model`)::

    from onnx.reference import ReferenceEvaluator
    # ConvTranspose(X, W, B) with strides=s, dilations=d, group=g, output_padding=a and
    # pads=[x1_begin, x2_begin, ..., x1_end, x2_end, ...]
    Y = ReferenceEvaluator(model).run(None, {"X": X, "W": W, "B": B})[0]

Claims, from the operator's documentation
(https://onnx.ai/onnx/operators/onnx__ConvTranspose.html):

* The dtypes of the operator's type constraint: float16, float32, float64;
  one type for all inputs.
* Spatial ranks 1, 2 and 3, ``group``, ``dilations``, a bias, non-negative
  ``pads`` of any begin/end pair, and ``output_padding`` below the stride
  (ONNX's rule, TC-CL1).
* The evaluator does few checks of its own, so ``validates_input`` is not
  claimed, as for its ``Conv``.

Checked with onnx 1.23.2.
"""

from __future__ import annotations

from functools import lru_cache

import onnx
from onnx.reference import ReferenceEvaluator

from convspec.conformance.adapters._onnx_layer_model import feeds
from convspec.conformance.adapters._onnx_transpose_model import transpose_key, transpose_model
from convspec.conformance.backend import Backend, Claims


@lru_cache(maxsize=128)
def _evaluator(dtype: str, has_bias: bool, attrs: tuple) -> ReferenceEvaluator:
    return ReferenceEvaluator(transpose_model(dtype, has_bias, attrs))


def conv_transpose(X, W, B=None, *, stride, padding, output_padding, dilation, groups):
    """The transposed convolution through the ONNX reference evaluator."""
    evaluator = _evaluator(*transpose_key(X, B, stride, padding, output_padding, dilation, groups))
    return evaluator.run(None, feeds(X, W, B))[0]


BACKEND = Backend(
    name="onnx-reference-transpose",
    fn=conv_transpose,
    op="conv_transpose",
    claims=Claims(
        dtypes=("float16", "float32", "float64"),
        mixed_dtypes=False,
        nonfinite=True,
        accuracy="componentwise",
        validates_input=False,
        ranks=(1, 2, 3),
        padding=frozenset({"explicit", "asymmetric", "VALID"}),
        dilation=True,
        groups=True,
        bias=True,
        empty_outputs=False,
        zero_size=True,
        output_padding_below_stride=True,
    ),
    version=onnx.__version__,
    description="onnx.reference.ReferenceEvaluator running one ONNX ConvTranspose node",
)
