"""Invalid inputs are refused (IN1-IN3, ST1-ST3, VA1-VA3), for backends that claim ``validates_input``.

Each property takes a small valid call and breaks exactly one clause in one of
several ways.  Raising any exception counts as refusing; returning anything,
even an array of the right shape, does not.  A crash or a hang on invalid
input is a failure too.

The ways fall in two groups (RP1).  Inputs with *no meaning* (a wrong rank, an
empty operand, a kernel larger than M, a stride of the wrong length, below 1
or not integral) must be refused: ``invalid.in1`` … ``invalid.va3``.  Inputs
that are *another representation* of a valid call (a list, a tuple or a
masked array; a bool, object or extended-precision dtype; an ndarray stride,
integral floats or bools in it) and dtypes without numbers (str, bytes,
datetime64, timedelta64, structured) are ``invalid.representation``'s: a
backend claiming ``strict_representation`` refuses them, any other may accept
them and must then compute the converted input's result (it may return
anything for the dtypes without numbers).  The first call of the run has
already shown that the backend computes valid inputs, so a backend that
raises on everything never gets here.

======  ===================================================================
IN1/2   the operand is a list, a tuple, a Python scalar, a 0-D, 1-D or 3-D
        array, or a masked array
IN3     the operand has dtype bool, object, str, bytes, datetime64,
        timedelta64, a structured dtype, or an extended-precision float or
        complex (``longdouble``, ``clongdouble``)
ST1     the stride is a scalar, has 0, 1 or 3 elements, is None, a string or
        an ndarray
ST2     a stride element is a float, a NumPy float, a bool, a NumPy bool, a
        string or None
ST3     a stride element is 0 or negative
VA1/2   the operand has zero rows or zero columns
VA3     the kernel is larger than M on one or both axes
======  ===================================================================
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

from ..cases import Case
from ..execution import OK, BAD_OUTPUT
from ..judge import Violation, require_ok
from ..strategies import Example, cases
from . import Context, Property


def _not_array(x: np.ndarray) -> dict[str, Callable[[], Any]]:
    return {
        "a list": lambda: x.tolist(),
        "a tuple": lambda: tuple(tuple(row) for row in x.tolist()),
        "a Python scalar": lambda: x.flat[0].item(),
        "a 0-D array": lambda: np.array(x.flat[0]),
        "a 1-D array": lambda: x.ravel().copy(),
        "a 3-D array": lambda: x[np.newaxis].copy(),
        "a masked array": lambda: np.ma.masked_array(x.copy(), fill_value=0),
    }


def _bad_dtypes(x: np.ndarray) -> dict[str, Callable[[], Any]]:
    ints = np.abs(x.real if x.dtype.kind == "c" else x).astype(np.int64)
    variants = {
        "bool": lambda: x != 0,
        "object": lambda: x.astype(object),
        "str": lambda: x.astype(str),
        "bytes": lambda: x.astype(bytes),
        "datetime64": lambda: ints.astype("datetime64[s]"),
        "timedelta64": lambda: ints.astype("timedelta64[s]"),
        "structured": lambda: np.zeros(x.shape, dtype=[("value", "<f8")]),
    }
    if np.dtype(np.longdouble) != np.dtype(np.float64):
        variants["longdouble"] = lambda: x.real.astype(np.longdouble) if x.dtype.kind == "c" else x.astype(np.longdouble)
        variants["clongdouble"] = lambda: x.astype(np.clongdouble)
    return variants


def _strides(sx: int, sy: int) -> dict[str, dict[str, Any]]:
    return {
        "ST1": {"a scalar": sx, "empty": (), "one element": (sx,), "three elements": (sx, sy, 1),
                "None": None, "a string": f"{sx}{sy}", "an ndarray": np.array([sx, sy])},
        "ST2": {"a float": (float(sx), sy), "a non-integral float": (sx, sy + 0.5),
                "a NumPy float": (np.float64(sx), sy), "a bool": (True, sy),
                "a NumPy bool": (sx, np.bool_(True)), "a string": (str(sx), sy), "None": (sx, None)},
        "ST3": {"zero rows": (0, sy), "zero columns": (sx, 0), "negative rows": (-1, sy),
                "negative columns": (sx, -2), "NumPy zero": (np.int64(0), sy), "both negative": (-sx, -sy)},
    }


#: Dtypes without numbers (IN3): a backend claiming strictness refuses them; any other may
#: return what it likes, as long as it does not crash or hang (there is no value to judge).
NO_NUMBERS = frozenset([f"{name} has dtype {d}" for name in "MK"
                        for d in ("str", "bytes", "datetime64", "timedelta64", "structured")]
                       + ["M and K have dtype bool"])  # a bool result holds no sums
#: Ways of breaking a clause that are representations (RP1): opt-in refusals, else conversions.
REPRESENTATION = frozenset({
    "M is a list", "M is a tuple", "M is a masked array", "K is a list", "K is a tuple", "K is a masked array",
    "M has dtype bool", "K has dtype bool", "M and K have dtype bool", "M has dtype object", "K has dtype object",
    "M has dtype longdouble", "K has dtype longdouble", "M has dtype clongdouble", "K has dtype clongdouble",
    "stride is an ndarray", "stride has a float", "stride has a NumPy float", "stride has a bool",
    "stride has a NumPy bool",
}) | NO_NUMBERS



def breakers(clause: str, case: Case, representation: bool | None = False) -> dict[str, Callable[[], Case]]:
    """The ways of breaking ``clause`` in ``case``: description -> builder of the invalid call.

    ``representation`` False keeps the ways with no meaning (mandatory refusals), True
    only those of RP1, None all of them.
    """
    found = _breakers(clause, case)
    if representation is None:
        return found
    return {d: f for d, f in found.items() if (d in REPRESENTATION) == representation}


def _breakers(clause: str, case: Case) -> dict[str, Callable[[], Case]]:
    """The ways of breaking ``clause`` in ``case``: description -> builder of the invalid call."""
    M, K, (sx, sy) = case.M, case.K, case.stride
    if clause == "IN1":
        return {f"M is {d}": (lambda f=f: Case(f(), K, (sx, sy))) for d, f in _not_array(M).items()}
    if clause == "IN2":
        return {f"K is {d}": (lambda f=f: Case(M, f(), (sx, sy))) for d, f in _not_array(K).items()}
    if clause == "IN3":
        found = {f"M has dtype {d}": (lambda f=f: Case(f(), K, (sx, sy))) for d, f in _bad_dtypes(M).items()}
        found.update({f"K has dtype {d}": (lambda f=f: Case(M, f(), (sx, sy))) for d, f in _bad_dtypes(K).items()})
        found["M and K have dtype bool"] = lambda: Case(M != 0, K != 0, (sx, sy))
        return found
    if clause in ("ST1", "ST2", "ST3"):
        return {f"stride is {d}" if clause == "ST1" else f"stride has {d}": (lambda s=s: Case(M, K, s))
                for d, s in _strides(sx, sy)[clause].items()}
    (m, n), (mk, nk) = M.shape, K.shape
    if clause in ("VA1", "VA2"):
        x, name = (M, "M") if clause == "VA1" else (K, "K")
        shapes = {"no rows": (0, x.shape[1]), "no columns": (x.shape[0], 0), "no elements": (0, 0)}
        def empty(shape):
            y = np.zeros(shape, dtype=x.dtype)
            return Case(y, K, (sx, sy)) if clause == "VA1" else Case(M, y, (sx, sy))
        return {f"{name} has {d}": (lambda s=s: empty(s)) for d, s in shapes.items()}
    assert clause == "VA3"
    def bigger(rows: int, cols: int) -> Case:
        big = np.resize(K, (rows, cols)).astype(K.dtype)
        return Case(M, big, (sx, sy))
    return {"K has more rows than M": lambda: bigger(m + 1, min(nk, n)),
            "K has more columns than M": lambda: bigger(min(mk, m), n + 1),
            "K is larger than M on both axes": lambda: bigger(m + 2, n + 1)}


@st.composite
def invalid_examples(draw, ctx: Context, clause: str, representation: bool = False) -> Example:
    base = draw(cases(ctx.pair_strategy(), ["C"], ctx.side(5), ctx.kernel(3)), label="valid call")
    base = Case(base.M, base.K, (min(base.stride[0], 3), min(base.stride[1], 3)))
    options = breakers(clause, base, representation)
    how = draw(st.sampled_from(sorted(options)), label=f"how {clause} is broken")
    return Example((options[how](),), how)


def check_refused(clause: str):
    def check(example: Example, ctx: Context) -> None:
        case = example.cases[0]
        (outcome,) = ctx.call([case])
        if outcome.status not in (OK, BAD_OUTPUT):
            if outcome.status == "raised":
                return
            require_ok(outcome, [case])
        raise Violation(
            "accepted", f"an input violating {clause} was accepted ({example.note or case.descriptor()}): "
                        f"the backend returned {outcome.result_type} instead of raising", [case],
            "try:\n"
            "    C0 = conv2d(M0, K0, stride=stride0)\n"
            "except Exception as exc:\n"
            "    print('refused as required:', type(exc).__name__, exc)\n"
            "else:\n"
            f"    raise AssertionError('an input violating {clause} was accepted')")
    return check


def _validates(ctx: Context) -> str | None:
    return None if ctx.claims.validates_input else \
        "the backend does not claim to refuse invalid inputs (claims.validates_input)"


_TITLES = {
    "IN1": "M that is not a 2-D ndarray is refused",
    "IN2": "K that is not a 2-D ndarray is refused",
    "ST1": "A stride that is not a pair is refused",
    "ST2": "A stride element that is not an integer is refused",
    "ST3": "A stride element below 1 is refused",
    "VA1": "An empty M is refused",
    "VA2": "An empty K is refused",
    "VA3": "A kernel larger than M is refused",
}

PROPERTIES = [
    Property(f"invalid.{cid.lower()}", title, (cid,), strategy=lambda ctx, cid=cid: invalid_examples(ctx, cid),
             check=check_refused(cid), requires=_validates, share=0.5)
    for cid, title in _TITLES.items()
]


REPRESENTED = ("IN1", "IN2", "IN3", "ST1", "ST2")


@st.composite
def representation_examples(draw, ctx: Context) -> Example:
    clause = draw(st.sampled_from(REPRESENTED), label="clause whose representation changes")
    return draw(invalid_examples(ctx, clause, True), label="call")


def converted(case: Case) -> Case:
    """The call as numpy.asarray sees it (RP1): bools as 0/1, integral floats as ints."""
    def array(x):
        x = np.asarray(x.data if isinstance(x, np.ma.MaskedArray) else x)
        if x.dtype == bool:
            return x.astype(np.int64)
        if x.dtype == object:
            return x.astype(np.result_type(*[np.asarray(v).dtype for v in x.flat]) if x.size else np.float64)
        if x.dtype.char in "gG":
            return x.astype(np.complex128 if x.dtype.kind == "c" else np.float64)
        return x
    stride = tuple(int(s) for s in np.asarray(case.stride).tolist())
    return Case(array(case.M), array(case.K), stride)


def check_representation(example: Example, ctx: Context) -> None:
    """RP1: refused when strictness is claimed, else refused or computed as the converted input."""
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    if outcome.status == "raised":
        return
    if ctx.claims.strict_representation:
        check_refused("RP1")(example, ctx)
    value = require_ok(outcome, [case])
    if example.note in NO_NUMBERS:
        return  # accepted, and there is no numeric result to compare with
    from ..judge import check_values
    plain = converted(case)
    if value.dtype.kind not in "iufc":  # e.g. object results of object inputs: compare their values
        try:
            value = value.astype(np.result_type(plain.M.dtype, plain.K.dtype))
        except (TypeError, ValueError):
            pass
    try:
        check_values(value, [plain], ctx.claims, ctx.summary)
    except Violation as violation:
        opening = f"the backend accepted {example.note} but did not compute the converted input's result (RP1)"
        raise Violation(violation.kind, opening, [case], violation.code, violation.data,
                        explain=lambda inner=violation: f"{opening}: {inner.message}") from None


def representation_list(ctx: Context):
    """Every representation variant of one fixed call, before the random search."""
    from ..operations import CORE
    base = CORE.example(ctx.claims)
    for clause in REPRESENTED:
        for how, build in sorted(breakers(clause, base, True).items()):
            yield Example((build(),), how)


PROPERTIES.append(Property(
    "invalid.representation", "Other representations are refused, or computed as converted (RP1)",
    ("RP1", "IN3"), strategy=lambda ctx: representation_examples(ctx), check=check_representation,
    requires=_validates, share=0.5, exhaustive=representation_list))
