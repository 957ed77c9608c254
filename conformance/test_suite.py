"""The conformance suite as pytest tests: one test per property.

Collected by ``pytest --pyargs convspec.conformance --conv-backend TARGET``
(options come from `convspec.conformance.pytest_plugin`).  A property that
is not claimed skips, a confirmed known deviation is an expected failure, a
failure fails with the reproducer in its message, and a property the harness
cannot evaluate errors.
"""

from __future__ import annotations

import pytest

from convspec.conformance.properties import PROPERTIES
from convspec.conformance.results import Status


@pytest.fixture(scope="session")
def conformance_session(request):
    """One backend session per test process (per xdist worker), built by the plugin at collection."""
    from convspec.conformance.pytest_plugin import suite_session
    session = suite_session(request.config)
    if session is None:
        pytest.skip("pass --conv-backend TARGET to run the convspec conformance suite")
    return session


@pytest.mark.parametrize("property_id", list(PROPERTIES))
def test_property(property_id: str, conformance_session) -> None:
    result = conformance_session.run_property(PROPERTIES[property_id])
    if result.status == Status.NOT_CLAIMED:
        pytest.skip(f"not claimed: {result.reason}")
    if result.status == Status.KNOWN:
        pytest.xfail(f"known deviation: {result.reason}")
    if result.status == Status.ERROR:
        raise RuntimeError(f"convspec could not evaluate {property_id}:\n{result.reason}")
    if result.status == Status.FAIL:
        f = result.failure
        pytest.fail(f"{property_id} ({', '.join(result.clauses)}) failed [{f.kind}] on {f.problem}, "
                    f"seed {f.seed}\n{f.message}\n"
                    + (f"hypothesis: {f.reproduce_blob}\n" if f.reproduce_blob else "")
                    + (f"\n--- backend output ---\n{f.output}\n" if f.output else "")
                    + f"\n--- reproducer ---\n{f.reproducer}", pytrace=False)
