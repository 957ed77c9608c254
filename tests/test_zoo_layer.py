"""The layer's discrimination proof: every layer mutant caught for the right reason, no variant flagged.

:mod:`zoo.layer_mutants` holds ``conv`` backends with one realistic bug each,
:mod:`zoo.layer_variants` correct ones that compute differently.  The harness
must

* catch every mutant at the ``quick`` profile by a property that checks one of
  the clauses the mutant violates (``VIOLATES``), and fail no property
  outside the mutant's allowed set (a layout property flagging a bias bug is
  fine, since it judges values; an effects or invalid-input property flagging
  it is not);
* describe each failure with the expected kind and report no harness error;
* pass every correct variant on every property it claims.

A full ``quick`` run takes a few seconds per backend, mostly in drawing
examples, so an ordinary test run checks, in process,

* for each mutant, its *required* properties (the cheapest properties known
  to catch it, each citing a violated clause) and every property outside its
  allowed set, at ``quick``, seed 0;
* for each variant, every property at ``quick`` for seed 0, and for seeds 1
  and 2 the properties whose examples depend on the seed (the covering design
  and the large layers are deterministic, so seed 0 has run them already).

``CONVSPEC_ZOO_FULL=1`` runs every property at the ``default`` profile for
seeds 0, 1 and 2, for every mutant and every variant (minutes);
``CONVSPEC_ZOO_SEEDS=N`` changes the number of seeds of that mode.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from fnmatch import fnmatchcase

import numpy as np
import pytest

from convspec import spec
from convspec.conformance import Status, clause_table, load_backend, property_ids, run
from convspec.conformance.grouping import violated_clause
from convspec.spec import CLAUSES
from convspec.spec.error_model import layer_bound
from convspec.spec.layer import exact_layer_values
from zoo.layer_mutants import MUTANTS, VIOLATES, smoke_check
from zoo.layer_variants import VARIANTS

FULL = bool(os.environ.get("CONVSPEC_ZOO_FULL"))
SEEDS = range(int(os.environ.get("CONVSPEC_ZOO_SEEDS", "3")))

LAYER_PROPERTIES = property_ids("conv")
#: Properties that judge an output's values, shape and dtype (a wrong value may surface in any),
#: and the metamorphic relations, which a wrong value breaks as well.
VALUES = ("conv.covering", "conv.values", "conv.empty", "conv.specials", "conv.layout",
          "conv.large", "conv.core", "conv.metamorphic.*")
#: Properties whose examples depend on the seed (the others are deterministic lists).
SEEDED = ("conv.values", "conv.empty", "conv.specials", "conv.layout", "conv.effects",
          "conv.result_type", "conv.core")


@dataclass(frozen=True)
class Expect:
    required: tuple[str, ...]
    allowed: tuple[str, ...] = VALUES
    kinds: tuple[str, ...] = ("violation",)
    clause: str = ""
    """The clause the required properties' failures cite first."""
    names: str = ""
    """Words naming the mistake that those failures' messages hold."""


EXPECTED: dict[str, Expect] = {
    "pads_swapped": Expect(("conv.covering",), clause="CV-EQ1", names="wrong side"),
    "same_upper_lower_swapped": Expect(("conv.covering",), clause="CV-EQ1", names="wrong side"),
    "same_floor_out": Expect(("conv.covering",), clause="CV-SH1"),
    "same_total_ignores_remainder": Expect(("conv.covering",), clause="CV-SH1"),
    "negative_pad_clamped": Expect(("conv.covering",), clause="CV-SH1", names="negative pads read as 0"),
    "negative_pad_abs": Expect(("conv.covering",), clause="CV-SH1", names="negative pads read as positive"),
    "dilation_ignored": Expect(("conv.covering",), clause="CV-SH1", names="ignores the dilation"),
    "dilation_span_k_times_d": Expect(("conv.covering",), clause="CV-SH1", names="k*d"),
    "strided_blocks_drop_tail": Expect(("conv.covering",), clause="CV-SH1"),
    "groups_read_group_zero": Expect(("conv.large",), clause="CV-EQ1"),
    "groups_summed": Expect(("conv.covering",), clause="CV-EQ1"),
    "group_of_modulo": Expect(("conv.large",), clause="CV-EQ1"),
    "groups_as_block_diagonal": Expect(("conv.specials",), ("conv.specials",), clause="CV-NF2"),
    "bias_per_group": Expect(("conv.large",), clause="CV-EQ1"),
    "bias_ignored": Expect(("conv.covering",), clause="CV-EQ1", names="without the bias"),
    "bias_added_twice": Expect(("conv.covering",), clause="CV-EQ1", names="bias added twice"),
    "empty_output_raises": Expect(("conv.empty",), ("conv.empty",), ("raised",)),
    "empty_output_is_one": Expect(("conv.empty",), ("conv.empty",), clause="CV-SH1"),
    "output_size_not_clamped": Expect(("conv.empty",), ("conv.empty",), ("raised",)),
    "zero_channels_give_zeros": Expect(("conv.empty",), ("conv.empty",), clause="CV-EQ1", names="without the bias"),
    "conv3d_swaps_axes": Expect(("conv.covering",), clause="CV-SH1", names="spatial axes 1 and 2 swapped"),
    "conv1d_ignores_stride": Expect(("conv.covering",), clause="CV-SH1", names="ignores the stride"),
    "conv1d_flips_kernel": Expect(("conv.large",), clause="CV-EQ1", names="flip(W)"),
    "float64_in_float32": Expect(("conv.large",), clause="CV-AC1", names="computes in float32"),
    "nonfinite_weight_fills_output": Expect(("conv.specials",), ("conv.specials",), clause="CV-NF2"),
}


def _allowed(pid: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(pid, pattern) for pattern in patterns)


def failures_text(report) -> str:
    """One line per failed or errored property of ``report``."""
    lines = []
    for pid, result in report.results.items():
        if result.status == Status.FAIL and result.failure is not None:
            lines.append(f"  {pid}: {result.failure.kind} on {result.failure.problem}: "
                         f"{result.failure.message}")
        elif result.status == Status.ERROR:
            lines.append(f"  {pid}: harness error: {(result.reason or '').strip().splitlines()[-1:]}")
    return "\n".join(lines) or "  nothing"


def _citing(pid: str, clauses: tuple[str, ...]) -> bool:
    table = clause_table()
    return any(pid in table.get(cid, ()) for cid in clauses)


# --------------------------------------------------------------------------- the zoo's bookkeeping

def test_zoo_has_enough_layer_mutants_and_variants():
    assert len(MUTANTS) >= 20
    assert len(VARIANTS) >= 4


def test_every_layer_mutant_has_an_expectation():
    assert set(EXPECTED) == set(MUTANTS) == set(VIOLATES)


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_required_properties_check_a_violated_clause(name):
    violated = VIOLATES[name]
    assert violated and all(cid in CLAUSES and cid.startswith("CV-") for cid in violated)
    for pid in EXPECTED[name].required:
        assert pid in LAYER_PROPERTIES
        assert _citing(pid, violated), f"{pid} checks none of {name}'s clauses ({', '.join(violated)})"
        assert _allowed(pid, EXPECTED[name].allowed)


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_layer_mutant_documents_its_bug_class(name):
    assert "Bug class:" in (MUTANTS[name].fn.__doc__ or "")


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_layer_mutant_passes_the_smoke_check(name):
    assert smoke_check(MUTANTS[name])


@pytest.mark.parametrize("table", ["mutants", "variants"])
def test_layer_backends_reload_from_their_targets(table):
    backends = MUTANTS if table == "mutants" else VARIANTS
    for name, backend in backends.items():
        loaded = load_backend(backend.target)
        assert loaded.name == name and loaded.op == "conv" and loaded.claims == backend.claims


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_layer_variant_matches_the_oracle_on_a_mixed_problem(name):
    rng = np.random.default_rng(7)
    X = rng.integers(-50, 50, (2, 4, 7, 6)).astype(np.int16)
    W = rng.standard_normal((6, 2, 3, 2)).astype(np.float32)
    B = rng.standard_normal(6).astype(np.float32)
    kw = dict(stride=(2, 1), padding=((1, 0), (-1, 2)), dilation=(1, 2), groups=2)
    got = VARIANTS[name](X, W, B, **kw)
    p = spec.conv_problem(X, W, B, **kw)
    assert got.shape == p.out_shape and got.dtype == p.out_dtype
    exact = exact_layer_values(p)
    bound, unconstrained = layer_bound(p)
    assert not unconstrained.any()
    errors = [abs(Fraction(float(g)) - Fraction(e)) for g, e in zip(got.flat, exact.flat)]
    assert all(err <= Fraction(float(b)) for err, b in zip(errors, bound.flat))


# --------------------------------------------------------------------------- mutants are caught

def check_mutant(name: str, report, required) -> None:
    """Assert mutant ``name``'s expectations on ``report`` (see the module docstring)."""
    expect = EXPECTED[name]
    text = failures_text(report)
    assert not report.errors, f"harness errors while checking {name}:\n{text}"
    missed = [pid for pid in required if report.results[pid].status != Status.FAIL]
    assert not missed, f"{name} not caught by {missed}; failures:\n{text}"
    assert any(_citing(pid, VIOLATES[name]) for pid in report.caught_by), \
        f"{name} caught by no property of its clauses {VIOLATES[name]}:\n{text}"
    wrong = [pid for pid in report.caught_by if not _allowed(pid, expect.allowed)]
    assert not wrong, f"{name} caught for the wrong reason by {wrong}:\n{text}"
    odd = {pid: report.results[pid].failure.kind for pid in report.caught_by
           if report.results[pid].failure.kind not in expect.kinds}
    assert not odd, f"{name} failed with unexpected kinds {odd}, expected {expect.kinds}:\n{text}"
    for pid in required:
        message = report.results[pid].failure.message
        assert not expect.clause or violated_clause(message) == expect.clause, \
            f"{name}: {pid} should cite {expect.clause}:\n{text}"
        assert expect.names in message, f"{name}: {pid} should name the mistake ({expect.names!r}):\n{text}"


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_layer_mutant_is_caught_for_the_right_reason(name):
    expect, backend = EXPECTED[name], MUTANTS[name]
    if FULL:
        for seed in SEEDS:
            report = run(backend, op="conv", profile="default", seed=seed)
            check_mutant(name, report, expect.required)
        return
    others = [pid for pid in LAYER_PROPERTIES if not _allowed(pid, expect.allowed)]
    report = run(backend, op="conv", profile="quick", seed=0, isolation="inprocess",
                 select=list(expect.required) + others)
    assert set(report.results) >= set(expect.required) | set(others)
    check_mutant(name, report, expect.required)


# --------------------------------------------------------------------------- variants pass

def describe_problems(report) -> str:
    lines = []
    for pid, result in report.results.items():
        if result.status in (Status.FAIL, Status.ERROR):
            detail = (f"({result.failure.kind}) on {result.failure.problem}: {result.failure.message}"
                      if result.failure is not None else str(result.reason))
            lines.append(f"{pid}: {result.status} {detail}")
    return "\n".join(lines)


VARIANT_RUNS = ([("default", seed) for seed in SEEDS] if FULL
                else [("quick", 0), ("quick", 1), ("quick", 2)])


@pytest.mark.parametrize(("profile", "seed"), VARIANT_RUNS, ids=[f"{p}-{s}" for p, s in VARIANT_RUNS])
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_layer_variant_passes_every_property(name, profile, seed):
    select = None if FULL or seed == 0 else list(SEEDED)
    kw = {} if FULL else {"isolation": "inprocess"}
    report = run(VARIANTS[name], op="conv", profile=profile, seed=seed, select=select, **kw)
    problems = describe_problems(report)
    assert not problems, f"{name} (profile {profile}, seed {seed}) was flagged:\n{problems}"
    claimed = [pid for pid, result in report.results.items() if result.status == Status.PASS]
    assert claimed and report.examples > 0
