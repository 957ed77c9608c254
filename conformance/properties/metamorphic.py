"""Metamorphic relations: identities between several calls of the same backend.

Writing ``C(M, K, s)`` for the backend's result, the suite checks

* linearity in M: ``C(M, K, s) = C(M1, K, s) + C(M2, K, s)`` with ``M = M1 + M2``;
* linearity in K: ``C(M, K, s) = C(M, K1, s) + C(M, K2, s)`` with ``K = K1 + K2``;
* subsampling: ``C(M, K, (sx, sy)) = C(M, K, (1, 1))[::sx, ::sy]`` (Eq 1 and
  Eq 2: output ``(i, j)`` of stride ``s`` is output ``(i sx, j sy)`` of stride 1);
* transposition: ``C(M^T, K^T, (sy, sx)) = C(M, K, (sx, sy))^T``;
* delta kernel: for ``K = e_(a,b)`` (one 1, zeros elsewhere),
  ``C(M, K, s)[i, j] = M[i sx + a, j sy + b]``;
* full kernel: for ``K`` of M's shape, ``C`` is the single value
  ``sum M * K`` whatever the stride.

The split ``M = M1 + M2`` takes ``M1 = floor(t M)`` for random ``t`` in
``[0, 1]`` and ``M2 = M - M1``; for integral values both lie between 0 and M,
so they obey every bound M obeys and the sum is exact.  Integer outputs must
satisfy the relations exactly.  Floating outputs may differ from Eq 2 by the
accuracy class's allowance ``a`` (the componentwise bound, or for the normwise
class ``beta ||M||_F ||K||_F``, which bounds every single output's error), so a
relation between outputs ``L`` and ``R`` must hold within the sum of the
allowances of the calls involved (plus the float64 rounding of ``R``).
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from convspec.spec.error_model import componentwise_bound, normwise_beta, smallest_normal, smallest_subnormal
from convspec.spec.shape import output_shape

from ..cases import Case
from ..judge import Violation, call_line, check_array, check_values, require_ok
from ..strategies import Example, Geometry, cases, domains, seeds
from . import Context, Property

_U64 = 2.0 ** -53


def allowance(case: Case, claims) -> np.ndarray | float:
    """How far one output of this call may be from Eq 2 under the claimed accuracy class."""
    out = np.result_type(case.M.dtype, case.K.dtype)
    if out.kind in "iu":
        return 0.0
    if claims.accuracy == "normwise":
        beta = normwise_beta(case.M.shape, case.K.shape, out)
        tiny = float(2 * smallest_normal(out) if claims.flushes_subnormals else smallest_subnormal(out))
        norms = float(np.linalg.norm(case.M.astype(np.complex128))) * float(np.linalg.norm(case.K.astype(np.complex128)))
        rows, cols = output_shape(case.M.shape, case.K.shape, case.stride)
        return (beta * norms + case.K.size * tiny * math.sqrt(rows * cols)) * (1 + 16 * _U64)
    bound, _ = componentwise_bound(case.M, case.K, case.stride, out, claims.flushes_subnormals)
    return bound


def relate(lhs: np.ndarray, rhs: np.ndarray, tolerance, cases_: list[Case], lhs_code: str,
           rhs_code: str, what: str) -> None:
    """Raise a Violation unless ``lhs`` and ``rhs`` agree.

    The comparison is exact (in Python integers) when the first call's output
    dtype is an integer type, else within ``tolerance`` (see the module docstring).
    """
    if lhs.shape != rhs.shape:
        raise Violation("violation", f"{what}: shapes differ, {lhs.shape} vs {rhs.shape}", cases_,
                        "\n".join(call_line(i) for i in range(len(cases_))) +
                        f"\nassert ({lhs_code}).shape == ({rhs_code}).shape")
    calls = "\n".join(call_line(i) for i in range(len(cases_)))
    if np.result_type(cases_[0].M.dtype, cases_[0].K.dtype).kind in "iu":
        bad = np.asarray(lhs.astype(object) != rhs.astype(object), dtype=bool)
        if bad.any():
            where = tuple(int(v) for v in np.argwhere(bad)[0])
            raise Violation("violation", f"{what} fails at {where}: {lhs[where]!r} vs {rhs[where]!r}", cases_,
                            f"{calls}\nlhs = ({lhs_code}).astype(object)\nrhs = ({rhs_code}).astype(object)\n"
                            "bad = lhs != rhs\nassert not bad.any(), f'relation fails at {np.argwhere(bad)[0]}'")
        return
    with np.errstate(all="ignore"):
        gap = np.abs(lhs.astype(np.complex128) - rhs.astype(np.complex128))
        limit = np.asarray(tolerance, dtype=np.float64) + 2 * _U64 * np.abs(rhs.astype(np.complex128))
        bad = ~(gap <= limit)
    if bad.any():
        where = tuple(int(v) for v in np.argwhere(bad)[0])
        raise Violation(
            "violation", f"{what} fails at {where}: {lhs[where]!r} vs {rhs[where]!r}, gap "
                         f"{gap[where]:.3g} > allowed {limit[where] if limit.ndim else limit:.3g}", cases_,
            f"{calls}\nlhs = ({lhs_code}).astype(np.complex128)\nrhs = ({rhs_code}).astype(np.complex128)\n"
            "gap = np.abs(lhs - rhs)\nbad = ~(gap <= tolerance + 2 * 2.0**-53 * np.abs(rhs))\n"
            "assert not bad.any(), f'relation fails at {np.argwhere(bad)[0]}: {lhs[bad][0]!r} vs {rhs[bad][0]!r}'",
            {"tolerance": np.asarray(tolerance, dtype=np.float64)})


def _results(ctx: Context, calls: list[Case]) -> list[np.ndarray]:
    outcomes = ctx.call(calls)
    values = []
    for i, outcome in enumerate(outcomes):
        value = require_ok(outcome, calls, i)
        check_array(value, calls, i)  # a relation between wrongly shaped outputs means nothing
        values.append(value)
    return values


def _split(x: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``x = a + b`` exactly, with ``a`` and ``b`` between 0 and ``x`` elementwise."""
    def part(v: np.ndarray) -> np.ndarray:
        t = rng.random(v.shape)
        return np.floor(v.astype(np.float64) * t).astype(v.dtype) if v.dtype.kind in "iu" \
            else np.floor(v * t).astype(v.dtype)
    if x.dtype.kind == "c":
        a = np.empty_like(x)
        a.real, a.imag = part(x.real.copy()), part(x.imag.copy())
    elif x.dtype.kind in "iu" and x.dtype.itemsize == 8:
        t = rng.integers(0, 2, size=x.shape).astype(x.dtype)
        a = (x // 2) * t  # exact for 64-bit integers, which float64 cannot hold
    else:
        a = part(x)
    return a, (x - a).astype(x.dtype)


def _base(ctx: Context, floats=("integral",), side: int = 16, kernel: int = 5):
    return cases(ctx.pair_strategy(), ["C"], ctx.side(side), ctx.kernel(kernel), floats=floats)


@st.composite
def linear_examples(draw, ctx: Context, operand: str) -> Example:
    case = draw(_base(ctx), label="call")
    rng = np.random.default_rng(draw(seeds(), label="split seed"))
    x = case.M if operand == "M" else case.K
    a, b = _split(x, rng)
    def with_(y):
        return Case(y, case.K, case.stride) if operand == "M" else Case(case.M, y, case.stride)
    return Example((case, with_(a), with_(b)), f"{operand} split in two")


def check_linear(operand: str):
    def check(example: Example, ctx: Context) -> None:
        calls = list(example.cases)
        whole, first, second = _results(ctx, calls)
        if first.dtype.kind in "iu" and second.dtype.kind in "iu":
            rhs = first.astype(object) + second.astype(object)
        else:
            rhs = first.astype(np.complex128) + second.astype(np.complex128)
        tolerance = sum(np.asarray(allowance(c, ctx.claims)) for c in calls)
        relate(whole, rhs, tolerance, calls, "C0", "C1.astype(object) + C2" if rhs.dtype == object
               else "C1.astype(np.complex128) + C2", f"linearity in {operand}")
    return check


@st.composite
def subsample_examples(draw, ctx: Context) -> Example:
    case = draw(_base(ctx, ("integral", "moderate"), 20, 5), label="call")
    return Example((case, Case(case.M, case.K, (1, 1))))


def check_subsample(example: Example, ctx: Context) -> None:
    calls = list(example.cases)
    strided, dense = _results(ctx, calls)
    sx, sy = calls[0].stride
    rows, cols = output_shape(calls[0].M.shape, calls[0].K.shape, (sx, sy))
    tol_s = np.asarray(allowance(calls[0], ctx.claims))
    tol_d = np.asarray(allowance(calls[1], ctx.claims))
    tol_d = tol_d[::sx, ::sy][:rows, :cols] if tol_d.ndim else tol_d
    relate(strided, dense[::sx, ::sy][:rows, :cols], tol_s + tol_d, calls, "C0",
           f"C1[::{sx}, ::{sy}][:{rows}, :{cols}]", "strided output = stride-1 output subsampled")


@st.composite
def transpose_examples(draw, ctx: Context) -> Example:
    case = draw(_base(ctx, ("integral", "moderate"), 20, 5), label="call")
    sx, sy = case.stride
    return Example((case, Case(case.M.T.copy(), case.K.T.copy(), (sy, sx))))


def check_transpose(example: Example, ctx: Context) -> None:
    calls = list(example.cases)
    plain, flipped = _results(ctx, calls)
    tol_p = np.asarray(allowance(calls[0], ctx.claims))
    tol_f = np.asarray(allowance(calls[1], ctx.claims))
    relate(flipped, plain.T, tol_f + (tol_p.T if tol_p.ndim else tol_p), calls, "C1", "C0.T",
           "transposing M and K and swapping the strides transposes the output")


@st.composite
def delta_examples(draw, ctx: Context) -> Example:
    case = draw(_base(ctx, ("moderate",), 20, 6), label="call")
    a = draw(st.integers(0, case.K.shape[0] - 1), label="delta row")
    b = draw(st.integers(0, case.K.shape[1] - 1), label="delta column")
    K = np.zeros(case.K.shape, dtype=case.K.dtype)
    K[a, b] = 1
    return Example((Case(case.M, K, case.stride),), f"delta at ({a}, {b})")


def check_delta(example: Example, ctx: Context) -> None:
    (case,) = example.cases
    (value,) = _results(ctx, [case])
    a, b = (int(v) for v in np.argwhere(case.K)[0])
    sx, sy = case.stride
    rows, cols = output_shape(case.M.shape, case.K.shape, case.stride)
    window = case.M[a::sx, b::sy][:rows, :cols]
    relate(value, window, allowance(case, ctx.claims), [case], "C0",
           f"M0[{a}::{sx}, {b}::{sy}][:{rows}, :{cols}]", "a delta kernel extracts a strided window of M")


@st.composite
def full_examples(draw, ctx: Context) -> Example:
    side = ctx.kernel(ctx.side(12))
    m = draw(st.integers(1, side), label="m rows")
    n = draw(st.integers(1, side), label="n columns")
    m_dtype, k_dtype = draw(ctx.pair_strategy(), label="dtype pair")
    domain = draw(domains(("integral", "moderate")), label="values")
    rng = np.random.default_rng(draw(seeds(), label="values seed"))
    M, K = domain.arrays(rng, Geometry((m, n), (m, n), (1, 1)), m_dtype, k_dtype)
    sx = draw(st.integers(1, m + 3), label="stride rows")
    sy = draw(st.integers(1, n + 3), label="stride columns")
    return Example((Case(M, K, (1, 1)), Case(M, K, (sx, sy))), "kernel as large as M")


def check_full(example: Example, ctx: Context) -> None:
    calls = list(example.cases)
    values = _results(ctx, calls)
    for i, value in enumerate(values):
        check_values(value, calls, ctx.claims, ctx.summary, index=i)


PROPERTIES = [
    Property("metamorphic.linearity_M", "C(M1 + M2, K) = C(M1, K) + C(M2, K)", ("EQ2",),
             strategy=lambda ctx: linear_examples(ctx, "M"), check=check_linear("M"), share=0.6),
    Property("metamorphic.linearity_K", "C(M, K1 + K2) = C(M, K1) + C(M, K2)", ("EQ2",),
             strategy=lambda ctx: linear_examples(ctx, "K"), check=check_linear("K"), share=0.6),
    Property("metamorphic.subsample", "The strided output is the stride-1 output subsampled",
             ("EQ1", "EQ2"), strategy=subsample_examples, check=check_subsample, share=0.6),
    Property("metamorphic.transpose", "Transposing M and K swaps the strides and transposes C",
             ("EQ1", "EQ2"), strategy=transpose_examples, check=check_transpose, share=0.6),
    Property("metamorphic.delta", "A delta kernel extracts a strided window of M", ("EQ2",),
             strategy=delta_examples, check=check_delta, share=0.6),
    Property("metamorphic.full_kernel", "A kernel as large as M gives one value, whatever the stride",
             ("EQ1", "EQ2"), strategy=full_examples, check=check_full, share=0.5),
]
