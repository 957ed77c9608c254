"""The harness catches every mutant, and for the right reason.

Each mutant in :mod:`zoo.mutants` carries one realistic bug.  The harness must

* fail every property listed as *required* for that mutant (the property
  dedicated to the broken clause), under the ``default`` profile;
* fail no property outside the *allowed* set (a catch by an unrelated
  property, say an aliasing property flagging a precision bug, would be a
  catch for the wrong reason);
* describe each failure with one of the expected kinds (a wrong value is a
  ``violation``, an accepted invalid input is ``accepted``, a hang is a
  ``timeout``, a process exit is ``crashed``);
* report no harness ``error``.

A full ``default`` run of every property takes 5-15 s per mutant (over a
minute for one that exits its process), too long for every test run.  So by default the
required properties run under ``default`` and the properties outside the
allowed set run under ``quick`` (the wrong-reason check).  Set
``CONVSPEC_ZOO_FULL=1`` to run every property under ``default`` for every
mutant instead, and ``CONVSPEC_ZOO_SEED=N`` to change the seed (0 by default).

Every mutant must also pass the obvious smoke check, so none of them is caught
by something trivial.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fnmatch import fnmatchcase

import pytest

from convspec.conformance import Status, clause_table, load_backend, property_ids, run
from convspec.conformance.grouping import violated_clause
from convspec.spec import CLAUSES
from zoo import MUTANTS, VIOLATES
from zoo.mutants import smoke_check

SEED = int(os.environ.get("CONVSPEC_ZOO_SEED", "0"))
FULL = bool(os.environ.get("CONVSPEC_ZOO_FULL"))

#: Properties that judge the values or the shape of an output.
OUTPUTS = ("values.*", "shape.eq1", "layout.in4", "metamorphic.*", "special.*")
#: Properties that judge values but not the shape (for bugs that keep the shape).
VALUES = ("values.*", "layout.in4", "metamorphic.*", "special.*")
#: Every property that makes valid calls (a crash or hang on one of them may surface anywhere).
VALID_CALLS = OUTPUTS + ("dtype.dt1", "effects.*")


@dataclass(frozen=True)
class Expect:
    required: tuple[str, ...]
    allowed: tuple[str, ...]
    kinds: tuple[str, ...] = ("violation",)
    clause: str = ""
    """The clause the required properties' failures cite first (when it does not depend on the example)."""
    names: str = ""
    """Words naming the mistake that those failures' messages hold."""


EXPECTED: dict[str, Expect] = {
    "shape_ceil": Expect(("shape.eq1", "values.exhaustive"), OUTPUTS, clause="EQ1", names="ceil instead of floor"),
    "stride_swapped": Expect(("shape.eq1", "values.exhaustive"), OUTPUTS, clause="EQ1", names="strides swapped"),
    "stride_first_only": Expect(("shape.eq1", "values.exhaustive"), OUTPUTS, clause="EQ1"),
    "end_aligned_windows": Expect(("values.exhaustive",), VALUES, clause="EQ2", names="anchored at the bottom-right"),
    "row_kernel_convolves": Expect(("values.exhaustive",), VALUES, clause="EQ2", names="flip(K)"),
    "fortran_forgets_kernel_transpose": Expect(("layout.in4",), ("layout.in4",), clause="EQ2"),
    "float64_in_float32": Expect(("values.float",), VALUES, clause="AC1", names="computes in float32"),
    "float32_tf32_inputs": Expect(("values.float",), VALUES, clause="AC1", names="TF32"),
    "float16_truncates": Expect(("values.float",), VALUES, clause="AC1"),
    "ravels_in_memory_order": Expect(("layout.in4",), ("layout.in4",)),
    "fft_spreads_nonfinite": Expect(("special.nf2",), ("special.*",), clause="NF2"),
    "nan_to_num_inputs": Expect(("special.nf1",), ("special.*",)),
    "skips_zero_taps": Expect(("special.nf1",), ("special.*",)),
    "overwrites_input": Expect(("effects.mu1",), ("effects.mu1",)),
    "reuses_workspace": Expect(("effects.al2",), ("effects.al2",)),
    "identity_kernel_view": Expect(("effects.al1",), ("effects.al1",)),
    "pads_large_kernel": Expect(("invalid.va3",), ("invalid.va3",), ("accepted",)),
    "clamps_stride": Expect(("invalid.st3",), ("invalid.st3",), ("accepted",)),
    "float_returns_float64": Expect(("dtype.dt1",), ("dtype.dt1",)),
    "accumulates_in_input_dtype": Expect(("values.float",), VALUES),
    "sum_promotes_small_ints": Expect(("dtype.dt1",), ("dtype.dt1",)),
    "tile_halo_short": Expect(("values.large",), ("values.large",), clause="EQ2"),
    "large_kernel_drops_row": Expect(("values.large",), ("values.large",), clause="EQ2"),
    "squeezes_result": Expect(("shape.eq1",), OUTPUTS, clause="EQ1", names="squeezes"),
    "conjugates_kernel": Expect(("values.complex",), VALUES, clause="EQ2", names="conj(K)"),
    "deadlocks_on_strided_kernel": Expect(("layout.in4",), ("layout.in4", "effects.*"), ("timeout",)),
    "segfaults_on_negative_strides": Expect(("layout.in4",), ("layout.in4", "effects.*"), ("crashed",)),
    "exits_on_float16": Expect(("dtype.dt1", "shape.eq1"), VALID_CALLS, ("crashed",)),
}


def _allowed(pid: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(pid, pattern) for pattern in patterns)


def test_zoo_has_enough_mutants():
    assert len(MUTANTS) >= 15


def test_every_mutant_has_an_expectation():
    assert set(EXPECTED) == set(MUTANTS)


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_expectation_names_properties_of_the_broken_clauses(name):
    """Each required property exists and checks a clause the mutant violates."""
    violated = VIOLATES[name]
    assert violated and all(cid in CLAUSES for cid in violated)
    table = clause_table()
    for pid in EXPECTED[name].required:
        assert pid in property_ids()
        assert any(pid in table[cid] for cid in violated), \
            f"{pid} checks none of the clauses {name} violates ({', '.join(violated)})"


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_documents_its_bug_class(name):
    doc = MUTANTS[name].fn.__doc__ or ""
    assert "Bug class:" in doc


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_passes_the_smoke_check(name):
    assert smoke_check(MUTANTS[name])


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_reloads_from_its_target(name):
    backend = load_backend(MUTANTS[name].target)
    assert backend.name == name and backend.claims == MUTANTS[name].claims


def failures_text(report) -> str:
    """One line per failed or errored property of ``report``."""
    lines = []
    for pid, result in report.results.items():
        if result.failure is not None and result.status == Status.FAIL:
            lines.append(f"  {pid}: {result.failure.kind} on {result.failure.problem}: "
                         f"{result.failure.message}")
        elif result.status == Status.ERROR:
            lines.append(f"  {pid}: harness error: {(result.reason or '').strip().splitlines()[-1:]}")
    return "\n".join(lines) or "  nothing"


def check_report(name: str, report, required, forbidden_only: bool = False) -> None:
    """Assert the expectations of mutant ``name`` on ``report``.

    With ``forbidden_only`` the report covers only properties outside the
    allowed set, and none of them may fail.
    """
    expect = EXPECTED[name]
    text = failures_text(report)
    assert not report.errors, f"harness errors while checking {name}:\n{text}"
    missed = [pid for pid in required if report.results[pid].status != Status.FAIL]
    assert not missed, f"{name} not caught by {missed}; failures:\n{text}"
    wrong = [pid for pid in report.caught_by if forbidden_only or not _allowed(pid, expect.allowed)]
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
def test_mutant_is_caught_for_the_right_reason(name):
    expect, backend = EXPECTED[name], MUTANTS[name]
    if FULL:
        check_report(name, run(backend, profile="default", seed=SEED), expect.required)
        return
    check_report(name, run(backend, profile="default", seed=SEED, select=list(expect.required)),
                 expect.required)
    others = [pid for pid in property_ids() if not _allowed(pid, expect.allowed)]
    if others:
        check_report(name, run(backend, profile="quick", seed=SEED, select=others), (),
                     forbidden_only=True)
