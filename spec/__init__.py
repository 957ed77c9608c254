"""The executable specification of convolution: the core and the layer.

``conv2d`` is the core's exact oracle (Eq 2 in exact arithmetic, rounded once);
``output_shape`` is Eq 1; ``validate`` checks the core's input clauses.
``conv`` is the layer's exact oracle (pad, window, dot; CV-EQ1) and
``conv_problem`` its validated problem.  ``CLAUSES`` is the machine-readable
catalogue of every clause.
"""

from .clauses import CLAUSES, Clause, checked_at, clause
from .conv2d import conv2d, exact_values
from .geometry import Axis, Geometry, same_pads
from .layer import conv, exact_layer_values
from .problem import ConvProblem, conv_problem
from .errors import ClauseViolation, OutsideSpecError, SpecTypeError, SpecValueError
from .shape import output_shape
from .validation import ADMITTED_DTYPES, Operands, validate

__all__ = [
    "ADMITTED_DTYPES", "Axis", "ConvProblem", "Geometry", "conv", "conv_problem",
    "exact_layer_values", "same_pads", "CLAUSES", "Clause", "ClauseViolation", "Operands", "OutsideSpecError",
    "SpecTypeError", "SpecValueError", "checked_at", "clause", "conv2d", "exact_values",
    "output_shape", "validate",
]
