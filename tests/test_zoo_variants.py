"""The harness passes every correct variant: no false alarms.

Each variant in :mod:`zoo.variants` computes Eq 2 correctly but differently
(Python loops, shift-and-add in the output's own precision, FFT, im2col/GEMM,
the reference).  Under every profile and several seeds, no property may end
``fail`` or ``error`` for any of them.

A ``default`` run takes 6-15 s per variant, so an ordinary test run checks
``quick`` with seeds 0, 1 and 2 and ``default`` with seed 0.  More:

* ``CONVSPEC_ZOO_SEEDS=10 pytest tests/test_zoo_variants.py`` runs seeds 0-9
  under both ``quick`` and ``default``;
* ``CONVSPEC_ZOO_THOROUGH=1 pytest tests/test_zoo_variants.py`` adds the
  ``thorough`` profile (minutes per variant) for the same seeds as ``default``.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from convspec import spec
from convspec.conformance import Status, load_backend, run
from zoo import VARIANTS

_SEEDS = os.environ.get("CONVSPEC_ZOO_SEEDS")
RUNS = [("quick", seed) for seed in range(int(_SEEDS or 3))]
RUNS += [("default", seed) for seed in range(int(_SEEDS or 1))]
if os.environ.get("CONVSPEC_ZOO_THOROUGH"):
    RUNS += [("thorough", seed) for seed in range(int(_SEEDS or 1))]


def describe_problems(report) -> str:
    """One paragraph per failed or errored property: status, problem and message."""
    lines = []
    for pid, result in report.results.items():
        if result.status not in (Status.FAIL, Status.ERROR):
            continue
        if result.failure is not None:
            lines.append(f"{pid}: {result.status} ({result.failure.kind}) on {result.failure.problem}: "
                         f"{result.failure.message}")
        else:
            lines.append(f"{pid}: {result.status}: {result.reason}")
    return "\n".join(lines)


def test_zoo_has_enough_variants():
    assert len(VARIANTS) >= 4


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_reloads_from_its_target(name):
    backend = load_backend(VARIANTS[name].target)
    assert backend.name == name
    assert backend.claims == VARIANTS[name].claims


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_matches_the_oracle_on_a_mixed_problem(name):
    rng = np.random.default_rng(7)
    M = rng.integers(-50, 50, (10, 9)).astype(np.int16)
    K = rng.standard_normal((3, 2)).astype(np.float32)
    got = VARIANTS[name](M, K, stride=(2, 1))
    want = spec.conv2d(M, K, stride=(2, 1))
    assert got.shape == want.shape and got.dtype == want.dtype
    assert np.allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("profile", "seed"), RUNS, ids=[f"{p}-{s}" for p, s in RUNS])
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_passes_every_property(name, profile, seed):
    report = run(VARIANTS[name], profile=profile, seed=seed)
    problems = describe_problems(report)
    assert not problems, f"{name} (profile {profile}, seed {seed}) was flagged:\n{problems}"
    assert report.examples > 0
