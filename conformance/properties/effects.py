"""Side effects and aliasing: MU1, AL1, AL2.

The executor records, for every call, whether the bytes of M or K changed
(MU1) and whether the result shares memory with M or K (AL1,
``numpy.shares_memory``); for a call with a follow-up it records whether the
follow-up changed the first result's bytes (AL2).  These properties generate
calls likely to tempt a shortcut: a 1 x 1 kernel holding 1 with stride (1, 1)
(the result equals M, and returning M or a view of it is wrong), delta kernels
(the result is a strided window of M), NaN and infinities (when claimed: a
backend may be tempted to clean them up in place), and every layout except
read-only (a read-only input cannot be written, which would hide a mutation).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import strategies as st

from ..cases import Case
from ..judge import Violation, call_line, require_ok
from ..strategies import Example, cases
from . import Context, Property

KERNEL_TEMPTATIONS = ("drawn", "identity", "delta")


@st.composite
def tempting(draw, ctx: Context) -> Case:
    """A call whose kernel may invite returning (a view of) M, or with NaN/inf to be cleaned up."""
    specials = 2 if ctx.claims.nonfinite and draw(st.booleans(), label="with NaN or infinity") else 0
    case = draw(cases(ctx.pair_strategy(), ctx.layouts(exclude=("readonly",)), ctx.side(12),
                      ctx.kernel(4), specials=specials), label="call")
    kind = draw(st.sampled_from(KERNEL_TEMPTATIONS), label="kernel kind")
    if kind == "drawn":
        return case
    if kind == "identity":
        return Case(case.M, np.ones((1, 1), dtype=case.K.dtype), (1, 1), case.layouts)
    K = np.zeros(case.K.shape, dtype=case.K.dtype)
    K[draw(st.integers(0, K.shape[0] - 1), label="delta row"),
      draw(st.integers(0, K.shape[1] - 1), label="delta column")] = 1
    return Case(case.M, K, case.stride, case.layouts)


def check_mutation(example: Example, ctx: Context) -> None:
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    require_ok(outcome, [case])
    changed = [name for name, flag in (("M", outcome.mutated_M), ("K", outcome.mutated_K)) if flag]
    if changed:
        raise Violation(
            "violation", f"the call modified {' and '.join(changed)} (MU1)", [case],
            "M0_before, K0_before = M0.copy(), K0.copy()\n" + call_line(0) + "\n"
            "assert M0.tobytes() == M0_before.tobytes(), 'the call modified M'\n"
            "assert K0.tobytes() == K0_before.tobytes(), 'the call modified K'")


def check_sharing(example: Example, ctx: Context) -> None:
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    require_ok(outcome, [case])
    if outcome.shares_memory:
        raise Violation(
            "violation", "the result shares memory with M or K (AL1)", [case],
            call_line(0) + "\n"
            "assert not np.shares_memory(C0, M0) and not np.shares_memory(C0, K0), "
            "'the result shares memory with an input'")


@st.composite
def call_pairs(draw, ctx: Context) -> Example:
    """A call and a later call of the same shapes and dtypes with other values (M, K rotated)."""
    first = draw(tempting(ctx), label="first call")
    # Rotating the arrays by 180 degrees keeps every bound on the values (so the
    # later call stays inside the specification) while changing the result.
    later = Case(first.M[::-1, ::-1].copy(), first.K[::-1, ::-1].copy(), first.stride, first.layouts)
    return Example((dataclasses.replace(first, followup=later), later))


def check_later_call(example: Example, ctx: Context) -> None:
    first, later = example.cases
    (outcome,) = ctx.call([first])
    require_ok(outcome, [first])
    if outcome.followup is not None:
        require_ok(outcome.followup, [first, later], index=1)
    if outcome.changed_by_later_call:
        raise Violation(
            "violation", "a later call changed the result of an earlier one (AL2)", [first, later],
            "R0 = conv2d(M0, K0, stride=stride0)\n"
            "before = np.array(R0, copy=True)\n"
            "conv2d(M1, K1, stride=stride1)\n"
            "assert np.asarray(R0).tobytes() == before.tobytes(), 'the later call changed the first result'")


PROPERTIES = [
    Property("effects.mu1", "The call leaves M and K unchanged", ("MU1",),
             strategy=lambda ctx: tempting(ctx).map(lambda c: Example((c,))), check=check_mutation),
    Property("effects.al1", "The result shares no memory with M or K", ("AL1",),
             strategy=lambda ctx: tempting(ctx).map(lambda c: Example((c,))), check=check_sharing),
    Property("effects.al2", "A later call does not change an earlier result", ("AL2",),
             strategy=call_pairs, check=check_later_call, share=0.6),
]
