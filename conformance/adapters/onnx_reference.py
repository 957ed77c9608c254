"""``onnx.reference.ReferenceEvaluator`` on a one-node ``Conv`` model.

How an ONNX user evaluates the model in pure Python (model from
`convspec.conformance.adapters._onnx_model`)::

    from onnx.reference import ReferenceEvaluator
    C = ReferenceEvaluator(model).run(None, {"X": M[None, None], "W": K[None, None]})[0][0, 0]

The evaluator is the ONNX project's executable description of its
operators, written with NumPy.  It is claimed for the dtypes the ``Conv``
operator admits (float16, float32, float64).  It does not enforce the type
constraint: integer and complex inputs also run, and with differing X and W
dtypes the result takes X's dtype, so mixed dtypes are not claimed.  It does
few shape checks of its own.

Checked with onnx 1.23.2.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import onnx
from onnx.reference import ReferenceEvaluator

from convspec.conformance.adapters._onnx_model import conv_model
from convspec.conformance.backend import Backend, Claims


@lru_cache(maxsize=64)
def _evaluator(dtype: str, stride: tuple) -> ReferenceEvaluator:
    return ReferenceEvaluator(conv_model(dtype, stride))


def conv2d(M, K, *, stride=(1, 1)):
    """Eq 2 through the ONNX reference evaluator."""
    evaluator = _evaluator(np.dtype(M.dtype).name, tuple(stride))
    return evaluator.run(None, {"X": M[None, None], "W": K[None, None]})[0][0, 0]


BACKEND = Backend(
    name="onnx-reference",
    fn=conv2d,
    claims=Claims(dtypes=("float16", "float32", "float64"), mixed_dtypes=False, nonfinite=True,
                  accuracy="componentwise", validates_input=False),
    version=onnx.__version__,
    description="onnx.reference.ReferenceEvaluator running one ONNX Conv node",
)
