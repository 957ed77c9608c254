"""What the result is, beyond its values: type and shape (EQ1), dtype (DT1), layouts (IN4).

* ``shape.eq1``: the result is a numeric 2-D array (anything ``numpy.asarray``
  turns into one) of shape ``(floor((m - m')/sx) + 1, floor((n - n')/sy) + 1)``,
  over geometries where the stride exceeds the kernel and even M, and with the
  stride given as a tuple, a list or NumPy integer scalars (ST1, ST2 allow all).
* ``dtype.dt1``: the result dtype is ``numpy.result_type(M.dtype, K.dtype)`` for
  every claimed dtype pair.
* ``layout.in4``: Fortran-ordered, non-contiguous, negatively strided and
  read-only inputs give the Eq 2 values (IN4: the layout must not matter).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..cases import Case
from ..judge import Violation, call_line, check_array, require_ok
from ..strategies import Example, cases, single
from . import Context, Property
from .values import check_one

STRIDE_FORMS = ("tuple", "list", "numpy int64", "numpy int32", "numpy uint8")


def restride(case: Case, form: str) -> Case:
    """The same call with the stride written in another admitted form (ST1, ST2)."""
    sx, sy = case.stride
    stride = {"tuple": (sx, sy), "list": [sx, sy], "numpy int64": (np.int64(sx), np.int64(sy)),
              "numpy int32": (np.int32(sx), np.int32(sy)),
              "numpy uint8": (np.uint8(min(sx, 255)), np.uint8(min(sy, 255)))}[form]
    return Case(case.M, case.K, stride, case.layouts)


@st.composite
def shape_examples(draw, ctx: Context) -> Example:
    case = draw(cases(ctx.pair_strategy(), ["C"], ctx.side(40), ctx.kernel(16)), label="call")
    form = draw(st.sampled_from(STRIDE_FORMS), label="stride form")
    return Example((restride(case, form),), f"stride as {form}")


def check_shape(example: Example, ctx: Context) -> None:
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    check_array(require_ok(outcome, [case]), [case])


def check_dtype(example: Example, ctx: Context) -> None:
    case = example.cases[0]
    (outcome,) = ctx.call([case])
    value = require_ok(outcome, [case])
    want = np.result_type(case.M.dtype, case.K.dtype)
    if value.dtype != want:
        raise Violation("violation", f"the result dtype is {value.dtype}; DT1 requires "
                                     f"result_type({case.M.dtype}, {case.K.dtype}) = {want}", [case],
                        f"{call_line(0)}\nwant = np.result_type(M0.dtype, K0.dtype)\n"
                        "assert C0.dtype == want, f'result dtype {C0.dtype}, DT1 requires {want}'")


PROPERTIES = [
    Property(
        "shape.eq1", "The result is a numeric 2-D array of the Eq 1 shape",
        ("EQ1", "OU1"), strategy=lambda ctx: shape_examples(ctx), check=check_shape, share=1.0,
    ),
    Property(
        "dtype.dt1", "The result dtype is numpy.result_type(M.dtype, K.dtype)",
        ("DT1",), strategy=lambda ctx: single(cases(ctx.pair_strategy(), ["C"], ctx.side(6), ctx.kernel(3))),
        check=check_dtype, share=1.0,
    ),
    Property(
        "layout.in4", "Any memory layout of M and K gives the Eq 2 values",
        ("IN4",), strategy=lambda ctx: single(cases(
            ctx.pair_strategy(), ctx.layouts(exclude=("C",)), ctx.side(10), ctx.kernel(4),
            floats=("integral", "moderate"))),
        check=check_one, share=1.0,
    ),
]
