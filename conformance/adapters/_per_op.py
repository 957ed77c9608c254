"""A backend whose claims differ from one operation to the next.

A framework provides several operations whose kernels do not cover the same
dtypes (PyTorch's transposed convolution runs for complex and int64 inputs,
its convolution backward does not).  `PerOpBackend` keeps one claim set per
operation and hands the matching one out with the operation (`for_op`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from convspec.conformance.backend import Backend, Claims


@dataclass(frozen=True)
class PerOpBackend(Backend):
    """A `Backend` with ``op_claims[op]`` replacing ``claims`` for the operations named there."""

    op_claims: dict[str, Claims] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.op in self.op_claims:
            object.__setattr__(self, "claims", self.op_claims[self.op])

    def for_op(self, op: str) -> Backend:
        narrowed = super().for_op(op)
        return replace(narrowed, claims=self.op_claims.get(op, narrowed.claims))
