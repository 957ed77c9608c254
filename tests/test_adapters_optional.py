"""The conformance suite against the adapters of optional libraries, when they are installed.

Each test imports its library first and is skipped, with the command that
installs it, when the library is missing; installed, it runs the whole suite
at the ``quick`` profile and fails on any failed property that is neither a
declared known deviation nor listed in ``adapter_verdicts.AWAITING_PIN``.
Measured run times on two cores (quick profile): torch 5 to 9 s, jax 105 to
150 s (XLA compiles every new shape, and the deterministic layer has about two
thousand), onnxruntime 7 to 8 s (its known hang costs one 5 s timeout),
tensorflow about 8 s, onnx-reference and opencv about 1 s.  The layer adapters run
on the operation ``conv`` the same way: torch-layer 10 to 16 s, onnxruntime-layer
about 6 s, onnx-reference-layer about 9 s, tensorflow-layer about 15 s.
"""

from __future__ import annotations

import pytest

from adapter_verdicts import unexplained
from convspec.conformance import run

#: adapter -> (module to import, extra that installs it, per-call timeout in seconds or None)
OPTIONAL = {
    "torch": ("torch", "torch", None),
    "jax": ("jax", "jax", None),
    "onnxruntime": ("onnxruntime", "onnxruntime", 5.0),
    "onnx-reference": ("onnx", "onnx", None),
    "opencv": ("cv2", "opencv", None),
    "tensorflow": ("tensorflow", "tensorflow", None),
}


@pytest.mark.parametrize("name", list(OPTIONAL))
def test_optional_adapter_meets_its_claims(name):
    module, extra, timeout = OPTIONAL[name]
    pytest.importorskip(module, reason=f"the {name} adapter needs {module}: pip install 'convspec[{extra}]'")
    report = run(name, profile="quick", seed=0, timeout=timeout)
    assert unexplained(name, report) == []
    assert report.examples > 0


#: layer adapter -> module to import, extra that installs it
LAYER = {
    "torch-layer": ("torch", "torch"),
    "onnxruntime-layer": ("onnxruntime", "onnxruntime"),
    "onnx-reference-layer": ("onnx", "onnx"),
    "tensorflow-layer": ("tensorflow", "tensorflow"),
}


@pytest.mark.parametrize("name", list(LAYER))
def test_layer_adapter_meets_its_claims(name):
    module, extra = LAYER[name]
    pytest.importorskip(module, reason=f"the {name} adapter needs {module}: pip install 'convspec[{extra}]'")
    report = run(name, op="conv", profile="quick", seed=0)
    assert unexplained(name, report) == []
    assert report.examples > 0 and report.counts()["pass"] > 0
