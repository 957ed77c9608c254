"""The clause catalogue: every rule of the specification, with a stable id.

Each clause has an id (``IN1``, ``EQ2``, ...), the section it belongs to, a short
title and a one-sentence statement.  The ids are cited by the code that checks a
clause (a ``# checks: ID`` comment on the checking line), by the error messages
(``[ID] ...``), by the tests (``test_ID_...``) and by the conformance properties.

`checked_at` finds the checking lines by scanning the package sources, so
the catalogue can never claim a check that is not there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Clause:
    """One numbered rule of the specification."""

    id: str
    section: str
    title: str
    statement: str
    invalid_input: bool = False
    """True when violating the clause is an error the implementation must raise."""
    op: str = "conv2d"
    """The operation the clause belongs to (the core's clauses have unscoped ids)."""


SECTIONS = {
    "IN": "Inputs",
    "ST": "Stride",
    "VA": "Validity",
    "EQ": "Shape and values",
    "DT": "Output dtype",
    "EX": "Integer results",
    "RD": "Floating and complex results",
    "NF": "Special values",
    "MU": "Side effects",
    "AL": "Aliasing",
    "AC": "Accuracy of conforming implementations",
    "AT": "Attributes",
    "PD": "Padding",
    "SH": "Output shape",
    "CO": "The core as a special case",
    "OU": "The result object",
    "RP": "Other representations",
    "AD": "Adjoint identities",
    "CL": "Claims",
}

#: Operation scopes: the prefix of a scoped clause id, and the operation it names.
OPERATIONS = {"CV": "conv", "DX": "conv_input_grad", "DW": "conv_weight_grad",
              "DB": "conv_bias_grad", "TC": "conv_transpose"}

_CLAUSE_LIST = [
    Clause("IN1", "IN", "M is a 2-D array",
           "M is a numpy.ndarray (not a masked array) with exactly two dimensions.", True),
    Clause("IN2", "IN", "K is a 2-D array",
           "K is a numpy.ndarray (not a masked array) with exactly two dimensions.", True),
    Clause("IN3", "IN", "Numeric dtypes",
           "The dtypes of M and K are signed or unsigned integers, float16, float32, float64, "
           "complex64 or complex128; bool, object, string, bytes, datetime, timedelta, structured "
           "and extended-precision dtypes are refused.", True),
    Clause("IN4", "IN", "Any memory layout",
           "Any memory layout of M and K is accepted (C or Fortran order, non-contiguous, "
           "negative strides, read-only) and the result does not depend on it."),
    Clause("ST1", "ST", "Stride is a pair",
           "The stride is a tuple or list of exactly two elements (sx, sy); sx steps over axis 0 "
           "(rows) and sy over axis 1 (columns).", True),
    Clause("ST2", "ST", "Stride elements are integers",
           "Each stride element is a Python int or a NumPy integer scalar; bool is not an integer "
           "here.", True),
    Clause("ST3", "ST", "Stride elements are positive",
           "Each stride element is at least 1.", True),
    Clause("VA1", "VA", "M is not empty",
           "M has at least one row and one column.", True),
    Clause("VA2", "VA", "K is not empty",
           "K has at least one row and one column.", True),
    Clause("VA3", "VA", "K fits inside M",
           "The kernel fits inside the input on both axes: m' <= m and n' <= n.", True),
    Clause("EQ1", "EQ", "Output shape (Eq 1)",
           "The output has shape (m'', n'') with m'' = floor((m - m') / sx) + 1 and "
           "n'' = floor((n - n') / sy) + 1."),
    Clause("EQ2", "EQ", "Output values (Eq 2)",
           "C[i, j] = sum over a < m', b < n' of M[i*sx + a, j*sy + b] * K[a, b], without "
           "flipping the kernel (cross-correlation)."),
    Clause("DT1", "DT", "Output dtype",
           "The output dtype is numpy.result_type(M.dtype, K.dtype)."),
    Clause("EX1", "EX", "Integer results are exact",
           "When the output dtype is an integer type, every output equals the exact value of Eq 2."),
    Clause("EX2", "EX", "Integer overflow is outside the specification",
           "Inputs whose exact integer result does not fit the output dtype are outside the "
           "specification: no particular result is required, and the exact oracle raises "
           "OverflowError rather than return one."),
    Clause("RD1", "RD", "Rounded once",
           "When the output dtype is floating, every output is the exact real value of Eq 2 over "
           "the inputs' exact values, rounded once to the output dtype (round half to even, "
           "overflowing to an infinity; an exact zero is -0 only when every product is -0)."),
    Clause("RD2", "RD", "Complex parts rounded once",
           "When the output dtype is complex, the real and imaginary parts of the exact complex "
           "value of Eq 2 are each rounded once to the output's component dtype; an exact zero part "
           "is +0."),
    Clause("NF1", "NF", "IEEE special values",
           "For real dtypes, an output whose window holds NaN or an infinity follows IEEE "
           "arithmetic: it is NaN when some product is NaN (a NaN factor, or 0 times an infinity) "
           "or when products of both signs are infinite, and otherwise the infinity of the "
           "infinite products' sign."),
    Clause("NF2", "NF", "Special values stay local",
           "NaN and infinities affect only the outputs whose windows hold them; every other output "
           "is the finite value Eq 2 gives."),
    Clause("NF3", "NF", "Complex special values",
           "For complex dtypes, an output whose window holds a non-finite part is not finite "
           "(one of its parts is NaN or infinite); which part is not specified."),
    Clause("MU1", "MU", "Inputs are not modified",
           "The call leaves the contents of M and K unchanged."),
    Clause("AL1", "AL", "No aliasing with the inputs",
           "The result shares no memory with M or K."),
    Clause("AL2", "AL", "No aliasing with later results",
           "The result is not changed by any later call."),
    Clause("AC1", "AC", "Componentwise accuracy",
           "A floating output of a conforming implementation lies within "
           "gamma_{n+c}(u) * S[i, j] + (underflow term) of the exact value, where u is the output "
           "dtype's unit roundoff, n = m'n', c counts inputs not exactly representable in the "
           "output dtype, and S[i, j] is the sum of |M||K| over the window (sqrt(2)*gamma_{n+c+2} "
           "for complex)."),
    Clause("AC2", "AC", "Normwise accuracy (FFT class)",
           "An implementation that declares the normwise accuracy class has "
           "||C_hat - C||_F <= beta_N(u) * ||M||_F * ||K||_F over the outputs whose windows are "
           "finite, with beta_N the FFT bound derived in the error model."),
    Clause("AC3", "AC", "Underflow",
           "The accuracy bounds include an absolute term for underflow: one smallest subnormal per "
           "product, or twice the smallest normal number per product for an implementation that "
           "declares it flushes subnormals to zero."),
    Clause("AC4", "AC", "Overflow makes an output unconstrained",
           "An output whose window sum S[i, j] reaches the largest finite value of the output dtype "
           "is unconstrained for finite inputs: intermediate overflow is allowed there, and any "
           "value is accepted and counted."),
    Clause("RP1", "RP", "Other representations: refused or converted",
           "Inputs outside the specification's representation but with a numeric meaning (a list, a "
           "tuple or a masked array for M or K; a bool, object or extended-precision dtype; a stride "
           "given as an ndarray, or with integral floats or bools) may be refused or accepted; an "
           "implementation that accepts one returns the result the specification gives for the input "
           "converted by numpy.asarray, bools read as 0 and 1 and integral floats as integers. Dtypes "
           "without numbers (str, bytes, datetime, timedelta, structured) may be refused or accepted "
           "with any result. The exact oracle refuses all of these (IN1-IN3, ST1, ST2)."),
    Clause("OU1", "OU", "The result is an ndarray",
           "The result is a numpy.ndarray; a subclass that changes what operators or values mean "
           "(numpy.matrix, a masked array) and any other type (a list, a scalar) are not results."),
    Clause("AC5", "AC", "Signed zeros are not compared",
           "Accuracy is judged on values: a zero output of either sign matches an exact zero."),
]

def _catalogue() -> dict[str, Clause]:
    from .gradient_clauses import GRADIENT_CLAUSES
    from .layer_clauses import LAYER_CLAUSES
    found: dict[str, Clause] = {}
    for c in [*_CLAUSE_LIST, *LAYER_CLAUSES, *GRADIENT_CLAUSES]:
        if c.id in found:
            raise ValueError(f"duplicate clause id {c.id}")
        found[c.id] = c
    return found


CLAUSES: dict[str, Clause] = _catalogue()

#: A clause id: ``EQ2`` (the core's), or scoped by operation, ``CV-PD1``.
_ID = r"(?:[A-Z]{2}-)?[A-Z]{2}\d+"
_MARKER = re.compile(rf"#\s*checks:\s*({_ID}(?:\s*,\s*{_ID})*)")


def clause(clause_id: str) -> Clause:
    """Return the clause with this id; ``KeyError`` names unknown ids."""
    try:
        return CLAUSES[clause_id]
    except KeyError:
        raise KeyError(f"unknown clause id {clause_id!r}") from None


def checked_at(roots: list[Path] | None = None) -> dict[str, list[str]]:
    """Map each clause id to the ``file:line`` places marked ``# checks: ID``.

    ``roots`` defaults to the installed ``spec`` and ``reference`` packages.
    Paths are reported relative to the parent of each root's package folder.
    """
    if roots is None:
        here = Path(__file__).resolve().parent
        roots = [here, here.parent / "reference"]
    found: dict[str, list[str]] = {cid: [] for cid in CLAUSES}
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            rel = path.relative_to(root.parent).as_posix()
            for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                match = _MARKER.search(line)
                if not match:
                    continue
                for cid in re.findall(_ID, match.group(1)):
                    if cid not in CLAUSES:
                        raise KeyError(f"{rel}:{lineno} cites unknown clause {cid}")
                    found[cid].append(f"{rel}:{lineno}")
    return found
