"""The operations the harness checks, described once.

An `Operation` says everything about an operation's signature that the
harness needs: the name a backend is called under, the operand and attribute
names, the call a reproducer makes, the validated problem of a case (from the
specification), its output shape and dtype, the values it should have and the
error bound of each output.  The executor, the judge, the runner and the
reproducer read these descriptions instead of hard-wiring a signature, so a new
operation is one entry here plus its properties.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from convspec.spec import (conv_bias_grad_problem, conv_input_grad_problem, conv_problem, conv_transpose_problem,
                           conv_weight_grad_problem)
from convspec.spec.error_model import (
    bias_grad_bound, bias_grad_nonfinite, componentwise_bound, input_grad_bound, input_grad_nonfinite, layer_bound,
    layer_nonfinite, layer_normwise_bound, nonfinite_windows, normwise_bound, transpose_bound, transpose_nonfinite,
    weight_grad_bound, weight_grad_nonfinite,
)
from convspec.spec.shape import output_shape

from .oracle import (Expected, bias_grad_sums, expected as core_expected, gradient_expected, input_grad_sums,
                     layer_expected, transpose_sums, weight_grad_sums)


@dataclass(frozen=True)
class Operation:
    """One operation of the specification, as the harness sees it.

    Attributes:
        name: the name of the callable (``conv2d``, ``conv``).
        signature: the call a backend implements, as text.
        operands: the positional operand names, in order.
        attributes: the keyword attribute names, in order.
        problem: ``case -> validated problem`` (raises the spec's clause errors).
        out_shape, out_dtype: of a valid case's result.
        expected: ``case -> Expected``, the values a result is compared with.
        bound: ``(case, flushes_subnormals) -> (bound, unconstrained)``, the
            componentwise bound of every output and the outputs it does not
            constrain (overflow, or non-finite terms).
        nonfinite: ``case -> mask`` of the outputs whose terms hold NaN or an
            infinity.
        normwise: ``(case, flushes_subnormals) -> (bound, skip)``, the
            normwise (FFT-class) bound per output block (0-d: one block) and
            the outputs it skips, for backends declaring that class; None
            where the specification states no normwise class (the Part II
            operations), whose outputs are then judged componentwise.
        example: ``claims -> case``, a simple valid call in a claimed dtype
            (the run's first call, which must succeed).
        clause: the id prefix of the operation's clauses (``""`` for the core).
    """

    name: str
    signature: str
    operands: tuple[str, ...]
    attributes: tuple[str, ...]
    problem: Callable[[Any], Any]
    out_shape: Callable[[Any], tuple[int, ...]]
    out_dtype: Callable[[Any], np.dtype]
    expected: Callable[[Any], Expected]
    bound: Callable[[Any, bool], tuple[np.ndarray, np.ndarray]]
    nonfinite: Callable[[Any], np.ndarray]
    example: Callable[[Any], Any]
    normwise: Callable[[Any, bool], tuple[np.ndarray, np.ndarray]] | None = None
    clause: str = ""
    aliases: tuple[tuple[str, str], ...] = ()
    """``(local, full id)`` pairs for the judge's generic clause names (``EX1``, ``OU1``, ``SH1`` ...)
    that this operation states under another id."""

    def call_line(self, i: int) -> str:
        """The reproducer line making call ``i`` (operands and attributes suffixed with ``i``)."""
        parts = [f"{name}{i}" for name in self.operands] + [f"{name}={name}{i}" for name in self.attributes]
        return f"C{i} = np.asarray({self.name}({', '.join(parts)}))"

    def raw_call_line(self, i: int) -> str:
        """The call ``i`` keeping the backend's own result object (for the result-type check)."""
        return self.call_line(i).replace("np.asarray(", "", 1)[:-1].replace(f"C{i} = ", f"R{i} = ", 1)

    def clause_id(self, local: str) -> str:
        """The full id of one of this operation's clauses (``EQ1`` -> ``CV-SH1`` style prefixes)."""
        for name, full in self.aliases:
            if name == local:
                return full
        return f"{self.clause}-{local}" if self.clause else local


def _example_dtype(claims) -> np.dtype:
    """A claimed dtype for a first call: float64 or float32 if claimed, else the first claimed."""
    for name in ("float64", "float32"):
        if name in claims.dtypes:
            return np.dtype(name)
    return np.dtype(claims.dtypes[0]) if claims.dtypes else np.dtype(np.float64)


def _core_example(claims):
    from .cases import Case
    dtype = _example_dtype(claims)
    M = (np.arange(20) % 5).reshape(4, 5).astype(dtype)
    return Case(M, np.ones((2, 2), dtype), (1, 1))


def _layer_example(claims):
    from .cases import LayerCase
    dtype = _example_dtype(claims)
    rank = min(claims.ranks) if claims.ranks else 2
    X = (np.arange(2 * 5 ** rank) % 5).reshape((1, 2) + (5,) * rank).astype(dtype)
    W = np.ones((3, 2) + (2,) * rank, dtype)
    return LayerCase(X, W, None, (1,) * rank, ((0, 0),) * rank, (1,) * rank, 1)


def _core_problem(case):
    from convspec.spec import validate
    return validate(case.M, case.K, case.stride)


def _layer_problem(case):
    return conv_problem(case.X, case.W, case.B, stride=case.stride, padding=case.padding,
                        dilation=case.dilation, groups=case.groups)


def _core_normwise(case, flush):
    bound, skip = normwise_bound(case.M, case.K, case.stride, np.result_type(case.M.dtype, case.K.dtype), flush)
    return np.asarray(bound), skip


CORE = Operation(
    name="conv2d", signature="conv2d(M, K, *, stride)", operands=("M", "K"), attributes=("stride",),
    problem=_core_problem,
    out_shape=lambda case: output_shape(case.M.shape, case.K.shape, tuple(int(s) for s in case.stride)),
    out_dtype=lambda case: np.result_type(case.M.dtype, case.K.dtype),
    expected=lambda case: core_expected(case.M, case.K, tuple(case.stride)),
    bound=lambda case, flush: componentwise_bound(case.M, case.K, case.stride,
                                                  np.result_type(case.M.dtype, case.K.dtype), flush),
    nonfinite=lambda case: nonfinite_windows(case.M, case.K, case.stride),
    normwise=lambda case, flush: _core_normwise(case, flush),
    example=_core_example,
)

LAYER = Operation(
    name="conv", signature="conv(X, W, B=None, *, stride, padding, dilation, groups)",
    operands=("X", "W", "B"), attributes=("stride", "padding", "dilation", "groups"),
    problem=_layer_problem,
    out_shape=lambda case: _layer_problem(case).out_shape,
    out_dtype=lambda case: _layer_problem(case).out_dtype,
    expected=lambda case: layer_expected(_layer_problem(case)),
    bound=lambda case, flush: layer_bound(_layer_problem(case), flush),
    nonfinite=lambda case: layer_nonfinite(_layer_problem(case)),
    normwise=lambda case, flush: layer_normwise_bound(_layer_problem(case), flush),
    example=_layer_example,
    clause="CV",
)

# --------------------------------------------------------------------------- gradients, transposition

def _ramp(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    return (np.arange(int(np.prod(shape))) % 5).reshape(shape).astype(dtype)


def _example_rank(claims) -> int:
    return min(claims.ranks) if claims.ranks else 2


def _input_grad_example(claims):
    from .cases import InputGradCase
    dtype, d = _example_dtype(claims), _example_rank(claims)
    return InputGradCase(_ramp((1, 3) + (4,) * d, dtype), np.ones((3, 2) + (2,) * d, dtype), (1, 2) + (5,) * d,
                         (1,) * d, ((0, 0),) * d, (1,) * d, 1)


def _weight_grad_example(claims):
    from .cases import WeightGradCase
    dtype, d = _example_dtype(claims), _example_rank(claims)
    return WeightGradCase(_ramp((1, 2) + (5,) * d, dtype), np.ones((1, 3) + (4,) * d, dtype), (3, 2) + (2,) * d,
                          (1,) * d, ((0, 0),) * d, (1,) * d, 1)


def _bias_grad_example(claims):
    from .cases import BiasGradCase
    dtype, d = _example_dtype(claims), _example_rank(claims)
    return BiasGradCase(_ramp((1, 3) + (4,) * d, dtype))


def _transpose_example(claims):
    from .cases import TransposeCase
    dtype, d = _example_dtype(claims), _example_rank(claims)
    return TransposeCase(_ramp((1, 2) + (4,) * d, dtype), np.ones((2, 3) + (2,) * d, dtype), None, (1,) * d,
                         ((0, 0),) * d, (0,) * d, (1,) * d, 1)


def _input_grad_problem(case):
    return conv_input_grad_problem(case.dY, case.W, input_shape=case.input_shape, stride=case.stride,
                                   padding=case.padding, dilation=case.dilation, groups=case.groups)


def _weight_grad_problem(case):
    return conv_weight_grad_problem(case.X, case.dY, kernel_shape=case.kernel_shape, stride=case.stride,
                                    padding=case.padding, dilation=case.dilation, groups=case.groups)


def _bias_grad_problem(case):
    return conv_bias_grad_problem(case.dY)


def _transpose_problem(case):
    return conv_transpose_problem(case.X, case.W, case.B, stride=case.stride, padding=case.padding,
                                  output_padding=case.output_padding, dilation=case.dilation, groups=case.groups)


def _gradient(name: str, signature: str, operands, attributes, problem, sums, bound, nonfinite, example,
              clause: str, shape_clause: str, exact_clause: str, nonfinite_clause: str) -> Operation:
    """An `Operation` whose problem, values, bound and non-finite mask all come from the spec's problem."""
    return Operation(
        name=name, signature=signature, operands=operands, attributes=attributes, problem=problem,
        out_shape=lambda case: problem(case).out_shape,
        out_dtype=lambda case: problem(case).out_dtype,
        expected=lambda case: gradient_expected(problem(case), sums(), nonfinite),
        bound=lambda case, flush: bound(problem(case), flush),
        nonfinite=lambda case: nonfinite(problem(case)),
        example=example, clause=clause,
        aliases=(("SH1", shape_clause), ("EX1", exact_clause), ("NF1", nonfinite_clause), ("OU1", "CV-OU1")),
    )


INPUT_GRAD = _gradient(
    "conv_input_grad", "conv_input_grad(dY, W, *, input_shape, stride, padding, dilation, groups)",
    ("dY", "W"), ("input_shape", "stride", "padding", "dilation", "groups"), _input_grad_problem,
    input_grad_sums, input_grad_bound, input_grad_nonfinite, _input_grad_example,
    "DX", "DX-SH2", "DX-RD1", "DX-NF1")
WEIGHT_GRAD = _gradient(
    "conv_weight_grad", "conv_weight_grad(X, dY, *, kernel_shape, stride, padding, dilation, groups)",
    ("X", "dY"), ("kernel_shape", "stride", "padding", "dilation", "groups"), _weight_grad_problem,
    weight_grad_sums, weight_grad_bound, weight_grad_nonfinite, _weight_grad_example,
    "DW", "DW-SH2", "DW-RD1", "DW-NF1")
BIAS_GRAD = _gradient(
    "conv_bias_grad", "conv_bias_grad(dY)", ("dY",), (), _bias_grad_problem,
    bias_grad_sums, bias_grad_bound, bias_grad_nonfinite, _bias_grad_example,
    "DB", "DB-EQ1", "DB-RD1", "DB-RD1")
TRANSPOSE = _gradient(
    "conv_transpose", "conv_transpose(X, W, B=None, *, stride, padding, output_padding, dilation, groups)",
    ("X", "W", "B"), ("stride", "padding", "output_padding", "dilation", "groups"), _transpose_problem,
    transpose_sums, transpose_bound, transpose_nonfinite, _transpose_example,
    "TC", "TC-SH1", "TC-RD1", "TC-NF1")

OPERATIONS: dict[str, Operation] = {op.name: op for op in (CORE, LAYER, INPUT_GRAD, WEIGHT_GRAD, BIAS_GRAD,
                                                           TRANSPOSE)}


def operation(name_or_case: Any) -> Operation:
    """The `Operation` of a name, or of a case (its ``op`` attribute)."""
    name = name_or_case if isinstance(name_or_case, str) else name_or_case.op
    try:
        return OPERATIONS[name]
    except KeyError:
        raise ValueError(f"unknown operation {name!r}; known: {', '.join(OPERATIONS)}") from None
