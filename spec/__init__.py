"""The executable specification of convolution: the core and the layer.

``conv2d`` is the core's exact oracle (Eq 2 in exact arithmetic, rounded once);
``output_shape`` is Eq 1; ``validate`` checks the core's input clauses.
``conv`` is the layer's exact oracle (pad, window, dot; CV-EQ1) and
``conv_problem`` its validated problem.  ``conv_input_grad``,
``conv_weight_grad`` and ``conv_bias_grad`` are the layer's gradients and
``conv_transpose`` the transposed convolution, each with its ``*_problem``
validator.  ``CLAUSES`` is the machine-readable
catalogue of every clause.
"""

from .clauses import CLAUSES, Clause, checked_at, clause
from .conv2d import conv2d, exact_values
from .geometry import Axis, Geometry, same_pads, transposed_size
from .grad_problem import (BiasGradProblem, InputGradProblem, WeightGradProblem,
                           conv_bias_grad_problem, conv_input_grad_problem, conv_weight_grad_problem)
from .gradients import (conv_bias_grad, conv_input_grad, conv_weight_grad, exact_bias_grad_values,
                        exact_input_grad_values, exact_weight_grad_values)
from .transpose import conv_transpose, exact_transpose_values
from .transpose_problem import TransposeProblem, conv_transpose_problem
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
    "BiasGradProblem", "InputGradProblem", "TransposeProblem", "WeightGradProblem",
    "conv_bias_grad", "conv_bias_grad_problem", "conv_input_grad", "conv_input_grad_problem",
    "conv_transpose", "conv_transpose_problem", "conv_weight_grad", "conv_weight_grad_problem",
    "exact_bias_grad_values", "exact_input_grad_values", "exact_transpose_values",
    "exact_weight_grad_values", "transposed_size",
]
