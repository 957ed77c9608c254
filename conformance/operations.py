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

from convspec.spec import conv_problem
from convspec.spec.error_model import (componentwise_bound, layer_bound, layer_nonfinite, layer_normwise_bound,
                                       nonfinite_windows, normwise_bound)
from convspec.spec.shape import output_shape

from .oracle import Expected, expected as core_expected, layer_expected


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
            the outputs it skips, for backends declaring that class.
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
    normwise: Callable[[Any, bool], tuple[np.ndarray, np.ndarray]]
    example: Callable[[Any], Any]
    clause: str = ""

    def call_line(self, i: int) -> str:
        """The reproducer line making call ``i`` (operands and attributes suffixed with ``i``)."""
        args = ", ".join(f"{name}{i}" for name in self.operands)
        kwargs = ", ".join(f"{name}={name}{i}" for name in self.attributes)
        return f"C{i} = np.asarray({self.name}({args}, {kwargs}))"

    def raw_call_line(self, i: int) -> str:
        """The call ``i`` keeping the backend's own result object (for the result-type check)."""
        return self.call_line(i).replace("np.asarray(", "", 1)[:-1].replace(f"C{i} = ", f"R{i} = ", 1)

    def clause_id(self, local: str) -> str:
        """The full id of one of this operation's clauses (``EQ1`` -> ``CV-SH1`` style prefixes)."""
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

OPERATIONS: dict[str, Operation] = {op.name: op for op in (CORE, LAYER)}


def operation(name_or_case: Any) -> Operation:
    """The `Operation` of a name, or of a case (its ``op`` attribute)."""
    name = name_or_case if isinstance(name_or_case, str) else name_or_case.op
    try:
        return OPERATIONS[name]
    except KeyError:
        raise ValueError(f"unknown operation {name!r}; known: {', '.join(OPERATIONS)}") from None
