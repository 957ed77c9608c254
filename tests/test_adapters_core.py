"""The conformance suite against the adapters of convspec's own dependencies (NumPy and SciPy).

Each adapter's run must end with no failed property: a property either holds,
is not claimed, or is a known deviation declared in the adapter's
known-deviation file (whose pinned example must still deviate, otherwise the
entry is stale and the property fails).  See ``adapter_verdicts`` for the few
deviations that cannot be declared yet.
"""

from __future__ import annotations

import pytest

from adapter_verdicts import unexplained
from convspec.conformance import Status, run

#: Conformance profile of these runs (5 to 10 s per adapter on two cores).
PROFILE = "default"
#: Adapters with no known-deviation file: every claimed property must hold outright.
CONFORMING = ("numpy", "scipy")


@pytest.mark.parametrize("name", ["numpy", "scipy", "scipy-ndimage", "scipy-fft"])
def test_core_adapter_meets_its_claims(name):
    report = run(name, profile=PROFILE, seed=0)
    assert unexplained(name, report) == []
    assert report.examples > 0
    if name in CONFORMING:
        assert report.ok and report.with_status(Status.KNOWN) == []
