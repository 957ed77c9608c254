"""The gradient and transposed-convolution adapters, run by the harness at the quick profile.

Each adapter is checked on every operation it provides (DX-*, DW-*, DB-*,
TC-* clauses) with a selection of the properties that keeps the run cheap:
values, non-finite inputs, remainder rows, output padding, invalid input,
the adjoint identity and the metamorphic relations.  A property may fail
only in the way `adapter_verdicts.AWAITING_PIN` explains; each test is
skipped only when the library the adapter wraps cannot be imported.
"""

from __future__ import annotations

import pytest

from adapter_verdicts import unexplained
from convspec.conformance import run
from convspec.conformance.properties import of_op

#: name -> the modules it imports
ADAPTERS = {
    "torch-grad": ("torch",),
    "torch-autograd": ("torch",),
    "onnxruntime-transpose": ("onnx", "onnxruntime"),
    "onnx-reference-transpose": ("onnx",),
    "tensorflow-grad": ("tensorflow",),
    "jax-grad": ("jax",),
}
#: Adapters run with each call in a worker process rather than in the test's, which is faster: their
#: library can take the process down on a valid call (TensorFlow's float32 input gradient of a strided
#: 1x1 window corrupts the heap, docs/findings/tensorflow-strided-1x1-input-gradient-crash.md; XLA
#: aborts on some convolutions, docs/findings/jax-xla-convolution-abort.md).
ISOLATED = {"tensorflow-grad", "jax-grad"}
#: Properties left out as slow here (the layouts and effects sweep hundreds of calls); the CLI runs them.
_SLOW = ("layout", "effects")


def _provided():
    from convspec.conformance.adapters import REGISTRY
    from convspec.conformance.adapters import load
    pairs = []
    for name, modules in ADAPTERS.items():
        assert name in REGISTRY
        try:
            for module in modules:
                __import__(module)
        except ImportError:
            pairs.append(pytest.param(name, None, marks=pytest.mark.skip(reason=f"{name} needs {modules}")))
            continue
        pairs += [(name, op) for op in load(name).operations]
    return pairs


def _selection(op: str) -> list[str]:
    return [pid for pid in of_op(op) if pid.split(".", 1)[1] not in _SLOW]


@pytest.mark.parametrize("name, op", _provided())
def test_gradient_adapter_fails_only_as_explained(name, op):
    isolation = "subprocess" if name in ISOLATED else "inprocess"
    report = run(name, op=op, profile="quick", seed=0, select=_selection(op), isolation=isolation)
    assert report.results, "no property ran"
    assert report.results[f"{op}.values"].status != "not claimed"
    assert unexplained(name, report) == []
