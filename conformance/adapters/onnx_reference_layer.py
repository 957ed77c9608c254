"""The layer through ``onnx.reference.ReferenceEvaluator`` on a one-node ``Conv`` model.

How an ONNX user evaluates ``conv(X, W, B, stride=s, padding=p, dilation=d, groups=g)``
in pure Python (model built with ``onnx.helper``, see
`convspec.conformance.adapters._onnx_layer_model`)::

    from onnx.reference import ReferenceEvaluator
    # Conv(X, W, B) with strides=s, dilations=d, group=g and either
    # pads=[x1_begin, x2_begin, ..., x1_end, x2_end, ...] or auto_pad="SAME_LOWER" (etc.)
    Y = ReferenceEvaluator(model).run(None, {"X": X, "W": W, "B": B})[0]

The evaluator (https://onnx.ai/onnx/api/reference.html) is the ONNX project's
executable description of its operators, written with NumPy; one evaluator is
built per (dtype, bias present, attribute set) and reused.

Claims, from the operator's documentation
(https://onnx.ai/onnx/operators/onnx__Conv.html):

* The dtypes of the operator's type constraint: float16, float32, float64.
  The evaluator does not enforce it (integer and complex inputs run too), so
  nothing beyond it is claimed; mixed dtypes are not claimed either.
* Spatial ranks 1, 2 and 3, ``group``, ``dilations``, a bias, ``pads`` of any
  non-negative begin/end pair and ``auto_pad`` VALID, SAME_UPPER, SAME_LOWER.
  The operator requires pads ``>= 0`` and the evaluator refuses negative ones
  ("index can't contain negative values"), so ``negative`` is not claimed.
* A window larger than the padded input by more than one stride raises
  ("negative dimensions are not allowed"), so empty outputs are not claimed;
  N = 0, C = 0, O = 0 and zero-size spatial axes are computed.
* It does few checks of its own, so ``validates_input`` is not claimed.

Checked with onnx 1.23.2.
The deviations the suite finds are described, each with a reproducer
that uses the library alone, in ``docs/findings/onnx-reference-*.md``.
"""

from __future__ import annotations

from functools import lru_cache

import onnx
from onnx.reference import ReferenceEvaluator

from convspec.conformance.adapters._onnx_layer_model import feeds, layer_model, model_key
from convspec.conformance.backend import Backend, Claims


@lru_cache(maxsize=128)
def _evaluator(dtype: str, has_bias: bool, attrs: tuple) -> ReferenceEvaluator:
    return ReferenceEvaluator(layer_model(dtype, has_bias, attrs))


def conv(X, W, B=None, *, stride, padding, dilation, groups):
    """The layer through the ONNX reference evaluator."""
    evaluator = _evaluator(*model_key(X, B, stride, padding, dilation, groups))
    return evaluator.run(None, feeds(X, W, B))[0]


BACKEND = Backend(
    name="onnx-reference-layer",
    fn=conv,
    op="conv",
    ops={"conv": conv},
    claims=Claims(
        dtypes=("float16", "float32", "float64"),
        mixed_dtypes=False,
        nonfinite=True,
        accuracy="componentwise",
        validates_input=False,
        ranks=(1, 2, 3),
        padding=frozenset({"explicit", "asymmetric", "VALID", "SAME_UPPER", "SAME_LOWER"}),
        dilation=True,
        groups=True,
        bias=True,
        empty_outputs=False,
        zero_size=True,
    ),
    version=onnx.__version__,
    description="onnx.reference.ReferenceEvaluator running one ONNX Conv node",
)
