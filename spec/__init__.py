"""The executable specification of strided 2-D cross-correlation.

``conv2d`` is the exact oracle (Eq 2 in exact arithmetic, rounded once);
``output_shape`` is Eq 1; ``validate`` checks the input clauses; ``CLAUSES`` is
the machine-readable catalogue of every clause.
"""

from .clauses import CLAUSES, Clause, checked_at, clause
from .conv2d import conv2d, exact_values
from .errors import ClauseViolation, OutsideSpecError, SpecTypeError, SpecValueError
from .shape import output_shape
from .validation import ADMITTED_DTYPES, Operands, validate

__all__ = [
    "ADMITTED_DTYPES", "CLAUSES", "Clause", "ClauseViolation", "Operands", "OutsideSpecError",
    "SpecTypeError", "SpecValueError", "checked_at", "clause", "conv2d", "exact_values",
    "output_shape", "validate",
]
