"""``values.large`` catches bugs that only strike large problems, whatever the seed."""

from __future__ import annotations

import pytest

from convspec.conformance import Status, run
from convspec.conformance.backend import Claims
from convspec.conformance.profiles import PROFILES
from convspec.conformance.properties import Context
from convspec.conformance.properties.values import large_geometries
from convspec.spec.shape import output_shape
from zoo import MUTANTS


def _context(profile: str, claims: Claims = Claims()) -> Context:
    return Context(claims, PROFILES[profile], call=lambda cases: [])


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_the_large_layer_crosses_tile_sizes_and_reaches_large_kernels(profile):
    shapes = [(g, output_shape(g.m_shape, g.k_shape, g.stride)) for g in large_geometries(_context(profile))]
    for width in (129, 257, 300):
        assert any(cols == width and g.stride == (1, 1) for g, (_, cols) in shapes), width
        assert any(rows == width and g.stride == (1, 1) for g, (rows, _) in shapes), width
    assert any(cols > 128 and g.stride[1] == 2 for g, (_, cols) in shapes)
    assert any(rows > 128 and cols > 128 for _, (rows, cols) in shapes)
    top = PROFILES[profile].large_kernel
    kernels = {g.k_shape for g, _ in shapes}
    assert (11, 11) in kernels and (top, top) in kernels


def test_the_large_layer_respects_the_claimed_sizes():
    geometries = large_geometries(_context("default", Claims(max_input_side=24, max_kernel_side=8)))
    assert geometries and len(set(geometries)) == len(geometries)
    for g in geometries:
        assert max(g.m_shape) <= 24 and max(g.k_shape) <= 8
        assert g.k_shape[0] <= g.m_shape[0] and g.k_shape[1] <= g.m_shape[1]


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("name", ["tile_halo_short", "large_kernel_drops_row"])
def test_large_only_bugs_are_caught_on_every_seed(name, seed):
    report = run(MUTANTS[name], profile="default", seed=seed, select=["values.large"])
    result = report.results["values.large"]
    assert result.status == Status.FAIL and result.failure.kind == "violation", result.failure


@pytest.mark.parametrize("seed", range(3))
def test_the_reference_passes_the_large_layer(seed):
    report = run("reference", profile="default", seed=seed, select=["values.large"])
    assert report.results["values.large"].status == Status.PASS, report.results["values.large"].failure
