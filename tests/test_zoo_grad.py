"""The gradient zoo: every mutant differs from the specification, every variant agrees with it.

:mod:`zoo.grad_mutants` holds ``conv_input_grad``, ``conv_weight_grad``,
``conv_bias_grad`` and ``conv_transpose`` backends with one realistic bug
each, :mod:`zoo.grad_variants` correct ones that compute differently.  Before
any harness judges them, this module checks them against the exact oracle
directly:

* each mutant passes the smoke check of its operation, yet on its *witness*
  (a small valid call where its bug strikes, or an invalid one it accepts)
  its result is not the specification's: a wrong shape or dtype, an integer
  that is not exact, a float outside the accuracy bound of spec/error_model.py,
  a special value out of place, an exception on a valid call, or a result for
  a call the specification refuses;
* the correct paths the mutants depart from agree with the oracle exactly;
* each variant, for every operation it provides, equals the oracle exactly on
  integer problems and lies within the error bounds on floating ones, special
  values included where it claims them.

Then the harness must

* catch every mutant by its *required* properties (the cheapest known to
  catch it, each citing a violated clause), fail no property outside its
  *allowed* set, describe each failure with the expected kind and report no
  harness error;
* pass every variant on every property of every operation it provides.

An ordinary run checks, in process, each mutant's required properties and
every property outside its allowed set at ``quick``, seed 0; and each
variant at ``quick`` for seed 0 and, for seeds 1 and 2, the properties whose
examples depend on the seed.  ``CONVSPEC_ZOO_FULL=1`` runs every property at
``default`` for seeds 0, 1 and 2 instead, for every mutant and variant
(minutes); ``CONVSPEC_ZOO_SEEDS=N`` changes the number of seeds of that mode.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fnmatch import fnmatchcase

import numpy as np
import pytest

from convspec import spec
from convspec.conformance import Status, clause_table, load_backend, property_ids, run
from convspec.spec import CLAUSES, ClauseViolation
from convspec.conformance.comparison import compare_componentwise
from convspec.spec.error_model import (bias_grad_bound, exact_residual, expected_wide, input_grad_bound,
                                       transpose_bound, weight_grad_bound)
from grad_cases import random_forward
from zoo import grad_mutants
from zoo.grad_mutants import MUTANTS, VIOLATES, smoke_check
from zoo.grad_variants import GRADIENT_OPS, VARIANTS

#: Per operation: its validator, its exact values before rounding, and its error bound.
ORACLE = {
    "conv_input_grad": (spec.conv_input_grad_problem, spec.exact_input_grad_values, input_grad_bound),
    "conv_weight_grad": (spec.conv_weight_grad_problem, spec.exact_weight_grad_values, weight_grad_bound),
    "conv_bias_grad": (spec.conv_bias_grad_problem, spec.exact_bias_grad_values, bias_grad_bound),
    "conv_transpose": (spec.conv_transpose_problem, spec.exact_transpose_values, transpose_bound),
}


def disagreement(op: str, args: tuple, kw: dict, got) -> str | None:
    """Why ``got`` is not an admissible result of ``op(*args, **kw)``, or None when it is.

    Integers must be exact (DX-RD1, DW-RD1, DB-RD1, TC-RD1); floating results
    must lie within the componentwise bound (DX-AC1 ...) wherever it
    constrains them, and equal the oracle's special value (NaN for NaN)
    wherever the exact result is NaN or infinite (DX-NF1 ...).
    """
    validate, exact_values, bound_of = ORACLE[op]
    want = getattr(spec, op)(*args, **kw)
    got = np.asarray(got)
    if got.shape != want.shape:
        return f"shape {got.shape}, but should be {want.shape}"
    if got.dtype != want.dtype:
        return f"dtype {got.dtype}, but should be {want.dtype}"
    if want.dtype.kind in "iu":
        return None if np.array_equal(got, want) else "integer values differ"
    special = ~np.isfinite(want)
    if not np.array_equal(got[special], want[special], equal_nan=True):
        return "special values differ"
    p = validate(*args, **kw)
    exact = exact_values(p)
    wide = expected_wide(exact)
    bound, unconstrained = bound_of(p)
    accuracy = compare_componentwise(got, wide, bound, unconstrained | special, want.dtype,
                                     exact_residual(exact, wide))
    return None if accuracy.ok else f"{accuracy.violations} values outside the bound"


def outcome(call) -> tuple[str, object]:
    """``("result", value)`` or ``("refused", exception)``."""
    try:
        return "result", call()
    except (TypeError, ValueError, IndexError) as error:
        return "refused", error


# --------------------------------------------------------------------------- witnesses

def _ints(rng, shape):
    return rng.integers(-4, 5, shape).astype(np.int64)


def _dx_call(dY, W, input_shape, **kw):
    attrs = dict(stride=(1,), padding=((0, 0),), dilation=(1,), groups=1)
    attrs.update(kw)
    return (dY, W), dict(attrs, input_shape=input_shape)


def _dw_call(X, dY, kernel_shape, **kw):
    attrs = dict(stride=(1,), padding=((0, 0),), dilation=(1,), groups=1)
    attrs.update(kw)
    return (X, dY), dict(attrs, kernel_shape=kernel_shape)


def _tc_call(X, W, B=None, **kw):
    attrs = dict(stride=(1,), padding=((0, 0),), output_padding=(0,), dilation=(1,), groups=1)
    attrs.update(kw)
    return (X, W, B), attrs


def _strided_dx(dtype=np.int64):
    """1-D, input length 7, kernel 2, stride 2: three windows and one remainder element."""
    rng = np.random.default_rng(3)
    return _dx_call(_ints(rng, (1, 2, 3)).astype(dtype), _ints(rng, (2, 1, 2)).astype(dtype), (1, 1, 7),
                    stride=(2,))


def _witness_global_transpose():
    rng = np.random.default_rng(4)
    return _dx_call(_ints(rng, (1, 4, 5)), _ints(rng, (4, 2, 2)), (1, 4, 6), groups=2)


def _witness_dilation():
    rng = np.random.default_rng(5)
    return _dx_call(_ints(rng, (1, 2, 3)), _ints(rng, (2, 1, 2)), (1, 1, 5), dilation=(2,))


def _witness_dx_spread():
    (dY, W), kw = _strided_dx(np.float64)
    W[0, 0, 1] = np.inf
    return (dY, W), kw


def _witness_unchecked_shape():
    (dY, W), kw = _strided_dx()
    return (dY, W), dict(kw, input_shape=(1, 1, 9))      # the forward layer has 4 windows, dY 3


def _witness_dw_strided():
    rng = np.random.default_rng(6)
    return _dw_call(_ints(rng, (1, 1, 7)), _ints(rng, (1, 2, 3)), (2, 1, 2), stride=(2,))


def _witness_dw_batch():
    rng = np.random.default_rng(7)
    return _dw_call(_ints(rng, (2, 1, 4)), _ints(rng, (2, 1, 3)), (1, 1, 2))


def _witness_dw_float32():
    rng = np.random.default_rng(8)
    n = grad_mutants.FLOAT32_PATH_TERMS
    return _dw_call(rng.standard_normal((2, 1, n)), rng.standard_normal((2, 1, n)), (1, 1, 1))


def _witness_dw_padding():
    rng = np.random.default_rng(9)
    dY = rng.standard_normal((1, 1, 4))
    dY[0, 0, 0] = np.inf                                    # window 0 reads the padding through tap 0
    return _dw_call(rng.standard_normal((1, 1, 3)), dY, (1, 1, 2), padding=((1, 1),))


def _witness_db(shape, nan=False):
    def make():
        dY = np.random.default_rng(10).standard_normal(shape)
        if nan:
            dY[0, 1, 0] = np.nan
        return (dY,), {}
    return make


def _witness_tc_output_padding():
    rng = np.random.default_rng(11)
    return _tc_call(_ints(rng, (1, 1, 3)), _ints(rng, (1, 2, 2)), stride=(2,), output_padding=(1,))


def _witness_tc_groups(bias: bool):
    def make():
        rng = np.random.default_rng(12)
        B = _ints(rng, (4,)) if bias else None
        return _tc_call(_ints(rng, (1, 4, 3)), _ints(rng, (4, 2, 2)), B, groups=2)
    return make


def _witness_tc_spread():
    rng = np.random.default_rng(13)
    W = rng.standard_normal((1, 1, 2))
    W[0, 0, 0] = -np.inf
    return _tc_call(rng.standard_normal((1, 1, 3)), W, stride=(3,))


def _witness_tc_dilated_output_padding():
    rng = np.random.default_rng(14)
    return _tc_call(_ints(rng, (1, 1, 3)), _ints(rng, (1, 1, 2)), dilation=(3,), output_padding=(2,))


def _witness_tc_negative_pad():
    rng = np.random.default_rng(15)
    return _tc_call(_ints(rng, (1, 1, 3)), _ints(rng, (1, 1, 2)), padding=((-1, 0),))


#: A small call on which each mutant's result is not the specification's.
WITNESSES = {
    "dx_remainder_dropped": _strided_dx,
    "dx_remainder_at_start": _strided_dx,
    "dx_kernel_not_flipped": _strided_dx,
    "dx_group_transpose_global": _witness_global_transpose,
    "dx_dilation_ignored": _witness_dilation,
    "dx_zero_insertion_nan": _witness_dx_spread,
    "dx_input_shape_unchecked": _witness_unchecked_shape,
    "dw_dy_not_dilated": _witness_dw_strided,
    "dw_batch_mean": _witness_dw_batch,
    "dw_float32_accumulation": _witness_dw_float32,
    "dw_padding_not_terms": _witness_dw_padding,
    "db_first_sample_only": _witness_db((2, 3, 4)),
    "db_hardcoded_2d_axes": _witness_db((2, 3, 4)),
    "db_nansum": _witness_db((2, 3, 4), nan=True),
    "tc_output_padding_low": _witness_tc_output_padding,
    "tc_ignores_output_padding": _witness_tc_output_padding,
    "tc_bias_per_group": _witness_tc_groups(bias=True),
    "tc_weight_sliced_by_output": _witness_tc_groups(bias=False),
    "tc_zero_insertion_nan": _witness_tc_spread,
    "tc_refuses_output_padding_ge_stride": _witness_tc_dilated_output_padding,
    "tc_accepts_negative_padding": _witness_tc_negative_pad,
}


# --------------------------------------------------------------------------- mutants differ

def test_zoo_has_the_gradient_mutants_and_variants():
    assert len(MUTANTS) >= 20
    assert {b.op for b in MUTANTS.values()} == set(GRADIENT_OPS)
    assert {op for b in VARIANTS.values() for op in b.operations} == set(GRADIENT_OPS)
    assert set(WITNESSES) == set(MUTANTS) == set(VIOLATES)


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_grad_mutant_violates_clauses_of_its_operation(name):
    prefix = {"conv_input_grad": "DX-", "conv_weight_grad": "DW-", "conv_bias_grad": "DB-",
              "conv_transpose": "TC-"}[MUTANTS[name].op]
    assert VIOLATES[name] and all(cid in CLAUSES and cid.startswith(prefix) for cid in VIOLATES[name])
    assert "Bug class:" in (MUTANTS[name].fn.__doc__ or "")


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_grad_mutant_passes_the_smoke_check(name):
    assert smoke_check(MUTANTS[name])


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_grad_mutant_differs_from_the_spec_on_its_witness(name):
    backend = MUTANTS[name]
    args, kw = WITNESSES[name]()
    theirs, got = outcome(lambda: backend(*args, **kw))
    ours, want = outcome(lambda: getattr(spec, backend.op)(*args, **kw))
    if ours == "refused":
        assert isinstance(want, ClauseViolation) and want.clause in VIOLATES[name]
        assert theirs == "result", f"{name} refuses the invalid witness too: {got}"
    elif theirs == "refused":
        assert not isinstance(got, ClauseViolation), f"{name} names a clause for a valid call: {got}"
    else:
        assert disagreement(backend.op, args, kw, got) is not None, f"{name} agrees on its witness"


def _forward_problems(seed: int, count: int, dtype=np.int64):
    """Random gradient calls of every operation, from `grad_cases.random_forward`."""
    rng = np.random.default_rng(seed)
    for t in range(count):
        X, W, attrs = random_forward(rng, dtype=dtype)
        S_out = spec.conv_problem(X, W, **attrs).out_shape
        dY = rng.integers(-5, 6, S_out).astype(dtype)
        g = attrs["groups"]
        Wt = rng.integers(-5, 6, (W.shape[1] * g, W.shape[0] // g, *W.shape[2:])).astype(dtype)
        Xt = rng.integers(-5, 6, (X.shape[0], Wt.shape[0], *X.shape[2:])).astype(dtype)
        B = rng.integers(-5, 6, Wt.shape[1] * g).astype(dtype) if t % 2 else None
        transposed = dict(attrs, padding=tuple((max(lo, 0), max(hi, 0)) for lo, hi in attrs["padding"]),
                          output_padding=tuple(int(rng.integers(0, max(s, d)))
                                               for s, d in zip(attrs["stride"], attrs["dilation"])))
        yield {"conv_input_grad": ((dY, W), dict(attrs, input_shape=X.shape)),
               "conv_weight_grad": ((X, dY), dict(attrs, kernel_shape=W.shape)),
               "conv_bias_grad": ((dY,), {}),
               "conv_transpose": ((Xt, Wt, B), transposed)}


def _valid(op, args, kw) -> bool:
    try:
        ORACLE[op][0](*args, **kw)
    except ClauseViolation:
        return False
    return True


CORRECT_PATHS = {"conv_input_grad": grad_mutants.correct_input_grad,
                 "conv_weight_grad": grad_mutants.correct_weight_grad,
                 "conv_bias_grad": grad_mutants.correct_bias_grad,
                 "conv_transpose": grad_mutants.correct_transpose}


def test_the_mutants_correct_paths_equal_the_spec_exactly():
    for calls in _forward_problems(seed=20, count=40):
        for op, (args, kw) in calls.items():
            if _valid(op, args, kw):
                assert disagreement(op, args, kw, CORRECT_PATHS[op](*args, **kw)) is None, (op, kw)


def test_the_zero_insertion_path_is_right_on_finite_values():
    """The NaN-spreading mutants' values are right: their bug is only where special values are."""
    dx, tc = MUTANTS["dx_zero_insertion_nan"], MUTANTS["tc_zero_insertion_nan"]
    for calls in _forward_problems(seed=21, count=40):
        for backend in (dx, tc):
            args, kw = calls[backend.op]
            if _valid(backend.op, args, kw):
                assert disagreement(backend.op, args, kw, backend(*args, **kw)) is None, kw


# --------------------------------------------------------------------------- variants agree

VARIANT_OPS = [(name, op) for name, backend in sorted(VARIANTS.items()) for op in backend.operations]


@pytest.mark.parametrize(("name", "op"), VARIANT_OPS, ids=[f"{n}-{o}" for n, o in VARIANT_OPS])
def test_grad_variant_equals_the_spec_on_integers(name, op):
    fn = VARIANTS[name].ops[op]
    for calls in _forward_problems(seed=30, count=25):
        args, kw = calls[op]
        if _valid(op, args, kw):
            assert disagreement(op, args, kw, fn(*args, **kw)) is None, kw


def _floating_calls(rng, dtype, special: bool):
    """Mixed-dtype and single-dtype floating calls of every operation; ``special`` spoils one operand."""
    X = rng.standard_normal((2, 4, 7, 6)).astype(dtype)
    W = rng.standard_normal((6, 2, 3, 2)).astype(np.float32)
    attrs = dict(stride=(2, 1), padding=((1, 0), (-1, 2)), dilation=(1, 2), groups=2)
    dY = (rng.integers(-50, 50, spec.conv_problem(X, W, **attrs).out_shape)).astype(np.int16)
    Xt = rng.standard_normal((2, 6, 4, 3)).astype(dtype)
    Bt = rng.standard_normal(4).astype(np.float32)
    transposed = dict(attrs, padding=((1, 0), (0, 2)), output_padding=(1, 1))
    if special:
        dY = dY.astype(dtype)
        dY[0, 1, 1, 1], W[2, 1, 0, 0], X[1, 2, 3, 3], Xt[0, 3, 2, 1] = np.inf, np.nan, -np.inf, np.inf
    return {"conv_input_grad": ((dY, W), dict(attrs, input_shape=X.shape)),
            "conv_weight_grad": ((X, dY), dict(attrs, kernel_shape=W.shape)),
            "conv_bias_grad": ((dY.astype(dtype),), {}),
            "conv_transpose": ((Xt, W, Bt), transposed)}


@pytest.mark.parametrize(("name", "op"), VARIANT_OPS, ids=[f"{n}-{o}" for n, o in VARIANT_OPS])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grad_variant_lies_within_the_error_bound_on_floats(name, op, dtype):
    args, kw = _floating_calls(np.random.default_rng(31), dtype, special=False)[op]
    assert disagreement(op, args, kw, VARIANTS[name].ops[op](*args, **kw)) is None


@pytest.mark.parametrize(("name", "op"), [(n, o) for n, o in VARIANT_OPS if VARIANTS[n].claims.nonfinite],
                         ids=[f"{n}-{o}" for n, o in VARIANT_OPS if VARIANTS[n].claims.nonfinite])
def test_grad_variant_keeps_special_values_with_their_terms(name, op):
    args, kw = _floating_calls(np.random.default_rng(32), np.float64, special=True)[op]
    assert disagreement(op, args, kw, VARIANTS[name].ops[op](*args, **kw)) is None


# --------------------------------------------------------------------------- the harness catches the mutants

FULL = bool(os.environ.get("CONVSPEC_ZOO_FULL"))
SEEDS = range(int(os.environ.get("CONVSPEC_ZOO_SEEDS", "3")))


def values_properties(op: str) -> tuple[str, ...]:
    """The properties that judge ``op``'s values, shape and dtype: a wrong value may surface in any."""
    return tuple(f"{op}.{name}" for name in ("values", "empty", "specials", "layout", "adjoint", "remainder",
                                             "output_padding", "metamorphic.*"))


def valid_call_properties(op: str) -> tuple[str, ...]:
    """Every property of ``op`` that makes valid calls (a refusal or a bad result type shows in all)."""
    return values_properties(op) + (f"{op}.effects", f"{op}.result_type")


@dataclass(frozen=True)
class Expect:
    required: tuple[str, ...]
    allowed: tuple[str, ...] | None = None        # None: the op's values properties
    kinds: tuple[str, ...] = ("violation",)

    def allowed_for(self, op: str) -> tuple[str, ...]:
        return values_properties(op) if self.allowed is None else self.allowed


EXPECTED: dict[str, Expect] = {
    "dx_remainder_dropped": Expect(("conv_input_grad.values",)),
    "dx_remainder_at_start": Expect(("conv_input_grad.remainder",)),
    "dx_kernel_not_flipped": Expect(("conv_input_grad.values",)),
    "dx_group_transpose_global": Expect(("conv_input_grad.values",)),
    "dx_dilation_ignored": Expect(("conv_input_grad.values",)),
    "dx_zero_insertion_nan": Expect(("conv_input_grad.specials",),
                                    ("conv_input_grad.specials", "conv_input_grad.remainder")),
    "dx_input_shape_unchecked": Expect(("conv_input_grad.invalid.sh1",), ("conv_input_grad.invalid.sh1",),
                                       ("accepted",)),
    "dw_dy_not_dilated": Expect(("conv_weight_grad.values",)),
    "dw_batch_mean": Expect(("conv_weight_grad.values",)),
    # Only the large problems have 256 terms per element; every profile checks each of them in float64.
    "dw_float32_accumulation": Expect(("conv_weight_grad.adjoint",)),
    "dw_padding_not_terms": Expect(("conv_weight_grad.specials",), ("conv_weight_grad.specials",)),
    "db_first_sample_only": Expect(("conv_bias_grad.values",)),
    # On a 1-D layer the sum over every axis is a NumPy scalar, which every valid call sees.
    "db_hardcoded_2d_axes": Expect(("conv_bias_grad.values",), valid_call_properties("conv_bias_grad")),
    "db_nansum": Expect(("conv_bias_grad.specials",), ("conv_bias_grad.specials",)),
    "tc_output_padding_low": Expect(("conv_transpose.values",)),
    "tc_ignores_output_padding": Expect(("conv_transpose.values",)),
    "tc_bias_per_group": Expect(("conv_transpose.values",)),
    "tc_weight_sliced_by_output": Expect(("conv_transpose.values",)),
    "tc_zero_insertion_nan": Expect(("conv_transpose.specials",), ("conv_transpose.specials",)),
    "tc_refuses_output_padding_ge_stride": Expect(("conv_transpose.output_padding",),
                                                  valid_call_properties("conv_transpose"), ("raised",)),
    "tc_accepts_negative_padding": Expect(("conv_transpose.invalid.pd1",), ("conv_transpose.invalid.pd1",),
                                          ("accepted",)),
}


def _allowed(pid: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(pid, pattern) for pattern in patterns)


def _citing(pid: str, clauses: tuple[str, ...]) -> bool:
    table = clause_table()
    return any(pid in table.get(cid, ()) for cid in clauses)


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


def test_every_grad_mutant_has_an_expectation():
    assert set(EXPECTED) == set(MUTANTS)


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_required_properties_check_a_violated_clause(name):
    op, expect = MUTANTS[name].op, EXPECTED[name]
    for pid in expect.required:
        assert pid in property_ids(op)
        assert _citing(pid, VIOLATES[name]), f"{pid} checks none of {name}'s clauses {VIOLATES[name]}"
        assert _allowed(pid, expect.allowed_for(op))


@pytest.mark.parametrize("table", ["mutants", "variants"])
def test_grad_backends_reload_from_their_targets(table):
    for name, backend in (MUTANTS if table == "mutants" else VARIANTS).items():
        loaded = load_backend(backend.target)
        assert loaded.name == name and loaded.operations == backend.operations
        assert loaded.claims == backend.claims


def check_mutant(name: str, report, required) -> None:
    """Assert mutant ``name``'s expectations on ``report``."""
    op, expect = MUTANTS[name].op, EXPECTED[name]
    text = failures_text(report)
    assert not report.errors, f"harness errors while checking {name}:\n{text}"
    missed = [pid for pid in required if report.results[pid].status != Status.FAIL]
    assert not missed, f"{name} not caught by {missed}; failures:\n{text}"
    assert any(_citing(pid, VIOLATES[name]) for pid in report.caught_by), \
        f"{name} caught by no property of its clauses {VIOLATES[name]}:\n{text}"
    wrong = [pid for pid in report.caught_by if not _allowed(pid, expect.allowed_for(op))]
    assert not wrong, f"{name} caught for the wrong reason by {wrong}:\n{text}"
    odd = {pid: report.results[pid].failure.kind for pid in report.caught_by
           if report.results[pid].failure.kind not in expect.kinds}
    assert not odd, f"{name} failed with unexpected kinds {odd}, expected {expect.kinds}:\n{text}"


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_grad_mutant_is_caught_for_the_right_reason(name):
    backend, expect = MUTANTS[name], EXPECTED[name]
    op = backend.op
    if FULL:
        for seed in SEEDS:
            check_mutant(name, run(backend, op=op, profile="default", seed=seed), expect.required)
        return
    others = [pid for pid in property_ids(op) if not _allowed(pid, expect.allowed_for(op))]
    report = run(backend, op=op, profile="quick", seed=0, isolation="inprocess",
                 select=list(expect.required) + others)
    assert set(report.results) >= set(expect.required) | set(others)
    check_mutant(name, report, expect.required)


# --------------------------------------------------------------------------- the variants pass

#: Properties whose examples depend on the seed (the invalid lists and the large problems do not).
SEEDED = ("values", "empty", "specials", "layout", "effects", "result_type", "remainder", "output_padding")
VARIANT_RUNS = ([("default", seed) for seed in SEEDS] if FULL
                else [("quick", 0), ("quick", 1), ("quick", 2)])


@pytest.mark.parametrize(("profile", "seed"), VARIANT_RUNS, ids=[f"{p}-{s}" for p, s in VARIANT_RUNS])
@pytest.mark.parametrize(("name", "op"), VARIANT_OPS, ids=[f"{n}-{o}" for n, o in VARIANT_OPS])
def test_grad_variant_passes_every_property(name, op, profile, seed):
    select = None if FULL or seed == 0 else [pid for pid in property_ids(op)
                                             if pid.split(".", 1)[1] in SEEDED]
    kw = {} if FULL else {"isolation": "inprocess"}
    report = run(VARIANTS[name], op=op, profile=profile, seed=seed, select=select, **kw)
    problems = failures_text(report)
    assert problems == "  nothing", f"{name} {op} (profile {profile}, seed {seed}) was flagged:\n{problems}"
    assert any(result.status == Status.PASS for result in report.results.values()) and report.examples > 0
