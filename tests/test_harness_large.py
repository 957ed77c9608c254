"""``values.large`` catches bugs that only strike large problems, whatever the seed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convspec.conformance import Status, run
from convspec.conformance.backend import Claims
from convspec.conformance.profiles import PROFILES
from convspec.conformance.properties import Context
from convspec.conformance.properties.values import large_geometries
from convspec.conformance.strategies import LayerFeatures, layer_cases
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


@settings(max_examples=40, deadline=None)
@given(case=layer_cases(LayerFeatures(), st.sampled_from([("float64", "float64"), ("float32", "float64"),
                                                          ("complex128", "complex128"), ("int32", "float64")]),
                        floats="moderate", specials=2))
def test_the_layers_double_double_sum_is_within_its_slack_of_the_exact_sum(case):
    """``conv.large``'s expected values: the double-double pair, checked against the exact oracle.

    ``values + residual`` must lie within ``slack`` of CV-EQ1's exact value at
    every output with finite terms, and outputs with non-finite terms carry the
    oracle's IEEE value.
    """
    from fractions import Fraction

    import numpy as np

    from convspec.conformance.oracle import _layer_double_double, _with_specials
    from convspec.spec.exact import ExactComplex
    from convspec.spec.layer import exact_layer_values
    from convspec.spec.problem import conv_problem

    p = conv_problem(case.X, case.W, case.B, stride=case.stride, padding=case.padding,
                     dilation=case.dilation, groups=case.groups)
    values, residual, slack = _layer_double_double(p)
    values = _with_specials(p, values)
    exact = exact_layer_values(p)
    for index, c in np.ndenumerate(exact):
        v, r = values[index], residual[index]
        if isinstance(c, (float, complex)):  # an IEEE special: the oracle's value itself
            assert np.array_equal(np.asarray(v), np.asarray(c, dtype=values.dtype), equal_nan=True), (index, v, c)
            continue
        parts = [(c.re, v.real, r.real), (c.im, v.imag, r.imag)] if isinstance(c, ExactComplex) else \
            [(Fraction(int(c)) if isinstance(c, (int, np.integer)) else Fraction(c), float(v.real), float(r.real))]
        for exact_part, value, rest in parts:
            error = abs(exact_part - Fraction(float(value)) - Fraction(float(rest)))
            assert error <= Fraction(float(slack[index])), (index, float(error), float(slack[index]))
