"""What a backend is, what it claims, and how a target string names one.

A backend is a callable ``conv2d(M, K, *, stride)`` taking numpy arrays and
returning anything ``numpy.asarray`` accepts.  Wrapping it in `Backend`
adds a name and its `Claims`: the dtypes it supports, whether it handles
NaN and infinities, its accuracy class and its largest sizes.  The harness tests
every claimed property and reports the others as *not claimed*; a claim is a
promise to be verified, never a reason to skip a check.

Targets (`load_backend`):

* ``package.module:attribute``: an importable object;
* ``path/to/file.py:attribute``: an object in a Python file;
* a bundled name: ``reference``, ``spec``, or an adapter name such as
  ``scipy`` or ``numpy`` (see `convspec.conformance.adapters`).

The attribute may be a `Backend` or a plain callable (which then claims
everything the specification admits).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Literal

from convspec.spec.validation import ADMITTED_DTYPES

AccuracyClass = Literal["componentwise", "normwise"]
#: The padding forms a layer backend may claim (see `Claims.padding`).
PADDING_FORMS = frozenset({"explicit", "negative", "asymmetric", "VALID", "SAME_UPPER", "SAME_LOWER"})


#: The operations of the specification, by the name a backend provides them under.
OPERATION_NAMES = ("conv2d", "conv", "conv_input_grad", "conv_weight_grad", "conv_bias_grad",
                   "conv_transpose")


class BackendLoadError(Exception):
    """A target could not be resolved to a backend (the CLI exits with status 2)."""


@dataclass(frozen=True)
class Claims:
    """What a backend promises; every field narrows or widens what is tested.

    Attributes:
        dtypes: names of the dtypes it supports when M and K share that dtype.
        mixed_dtypes: whether it supports M and K of different claimed dtypes
            (the output dtype then follows DT1).
        nonfinite: whether NaN and infinities follow NF1-NF3.
        accuracy: ``"componentwise"`` (AC1: direct sums, GEMM, any order) or
            ``"normwise"`` (AC2, and CV-AC2 for the layer: FFT-based algorithms).
        flushes_subnormals: whether it flushes subnormal numbers to zero (AC3
            then uses the smallest normal number).
        max_input_side: the largest m or n it supports, or None for no limit.
        max_kernel_side: the largest m' or n' it supports, or None.
        validates_input: whether it refuses inputs with no meaning by raising
            (a wrong rank, an empty core input, a kernel larger than the input,
            a stride that is not a positive integer, channels that don't divide).
        strict_representation: whether it also refuses inputs that have a
            numeric meaning in another representation (RP1: lists, masked and
            bool arrays, an ndarray stride, integral float strides); a backend
            that does not claim it may accept them, and must then compute the
            converted input's result.
        timeout: seconds one call may take before it counts as hung.
        ranks: the spatial ranks (1, 2, 3) it supports (layer operations).
        padding: the padding forms it supports: ``explicit`` (non-negative
            pairs), ``negative`` (cropping pairs), ``asymmetric`` (lo != hi),
            ``VALID``, ``SAME_UPPER``, ``SAME_LOWER``.
        dilation: whether it supports a dilation other than 1.
        groups: whether it supports more than one group.
        bias: whether it supports a bias.
        empty_outputs: whether an output with a zero-size axis is returned
            (rather than refused) when the window does not fit.
        zero_size: whether zero-size inputs (N = 0, C = 0, a zero-size
            spatial axis) are supported.
        output_padding_below_stride: whether the transposed convolution
            follows ONNX's stricter rule ``output_padding < stride`` (TC-CL1):
            it is then not asked for ``stride <= output_padding < dilation``,
            which the specification (PyTorch's rule) admits.
    """

    dtypes: tuple[str, ...] = ADMITTED_DTYPES
    mixed_dtypes: bool = True
    nonfinite: bool = True
    accuracy: AccuracyClass = "componentwise"
    flushes_subnormals: bool = False
    max_input_side: int | None = None
    max_kernel_side: int | None = None
    validates_input: bool = True
    strict_representation: bool = False
    timeout: float = 20.0
    ranks: tuple[int, ...] = (1, 2, 3)
    padding: frozenset[str] = PADDING_FORMS
    dilation: bool = True
    groups: bool = True
    bias: bool = True
    empty_outputs: bool = True
    zero_size: bool = True
    output_padding_below_stride: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.dtypes, str):  # one name, not a sequence of characters
            object.__setattr__(self, "dtypes", (self.dtypes,))
        elif not isinstance(self.dtypes, tuple):
            object.__setattr__(self, "dtypes", tuple(self.dtypes))
        if not self.dtypes:
            raise ValueError("claims name no dtypes: a backend must claim at least one, e.g. "
                             "Claims(dtypes=('float64',))")
        object.__setattr__(self, "padding", frozenset(self.padding))
        unknown_forms = sorted(set(self.padding) - PADDING_FORMS)
        if unknown_forms:
            raise ValueError(f"claims name unknown padding forms {unknown_forms}; "
                             f"known: {', '.join(sorted(PADDING_FORMS))}")
        if not set(self.ranks) <= {1, 2, 3}:
            raise ValueError(f"claimed ranks must be among 1, 2, 3, got {self.ranks}")
        unknown = [d for d in self.dtypes if d not in ADMITTED_DTYPES]
        if unknown:
            raise ValueError(f"claims name dtypes the specification does not admit: {unknown}")
        if self.accuracy not in ("componentwise", "normwise"):
            raise ValueError(f"accuracy must be 'componentwise' or 'normwise', got {self.accuracy!r}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "dtypes": list(self.dtypes), "mixed_dtypes": self.mixed_dtypes,
            "nonfinite": self.nonfinite, "accuracy": self.accuracy,
            "flushes_subnormals": self.flushes_subnormals,
            "max_input_side": self.max_input_side, "max_kernel_side": self.max_kernel_side,
            "validates_input": self.validates_input,
            "strict_representation": self.strict_representation, "timeout": self.timeout,
            "ranks": list(self.ranks), "padding": sorted(self.padding),
            "dilation": self.dilation, "groups": self.groups, "bias": self.bias,
            "empty_outputs": self.empty_outputs, "zero_size": self.zero_size,
            "output_padding_below_stride": self.output_padding_below_stride,
        }


@dataclass(frozen=True)
class Backend:
    """A named backend: one callable per operation it provides, and its claims.

    Attributes:
        name: a short human-readable name.
        fn: the callable of the operation ``op`` (for the core,
            ``fn(M, K, *, stride=(sx, sy))``).
        claims: what it promises (`Claims`).
        version: the version of the library it wraps, if any.
        description: one line on how it computes.
        known_deviations: path of a known-deviation file, if any.
        target: the string it was loaded from; a worker process reloads the
            backend from it (filled in by `load_backend`).
        op: the operation ``fn`` computes (``conv2d``, the core, by default).
        ops: further operations it provides, by name (a framework adapter
            usually provides several); ``fn`` is added under ``op``.
    """

    name: str
    fn: Callable[..., Any]
    claims: Claims = field(default_factory=Claims)
    version: str | None = None
    description: str = ""
    known_deviations: str | None = None
    target: str | None = None
    op: str = "conv2d"
    ops: dict[str, Callable[..., Any]] = field(default_factory=dict)
    plain: bool = False
    """True for a bare callable: it is checked as whichever operation is asked for."""

    def __post_init__(self) -> None:
        if self.fn is not None:
            self.ops.setdefault(self.op, self.fn)

    @property
    def operations(self) -> tuple[str, ...]:
        """The operations it provides."""
        return tuple(self.ops)

    def for_op(self, op: str) -> "Backend":
        """This backend narrowed to ``op``: ``fn`` computes it.

        Raises:
            BackendLoadError: the backend does not provide ``op``.
        """
        if op == self.op and self.fn is not None:
            return self
        if self.plain:
            return replace(self, op=op, ops={op: self.fn})
        if op not in self.ops:
            raise BackendLoadError(f"backend {self.name!r} does not provide the operation {op!r}; "
                                   f"it provides: {', '.join(self.ops) or 'none'}")
        return replace(self, fn=self.ops[op], op=op)

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)


def bundled_names() -> tuple[str, ...]:
    """Every bundled target name: ``reference``, ``spec`` and the adapters."""
    try:
        from convspec.conformance.adapters import NAMES
    except ImportError:
        NAMES = ()
    return ("reference", "spec", *NAMES)


def _did_you_mean(word: str, candidates) -> str:
    """`` (did you mean 'x'?)`` for the closest candidates, or ""."""
    import difflib
    close = difflib.get_close_matches(word, list(candidates), n=3, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"


def _bundled(name: str) -> Backend | None:
    if name == "reference":
        from convspec import reference
        ops = {op: getattr(reference, op) for op in OPERATION_NAMES if hasattr(reference, op)}
        return Backend("reference", reference.conv2d, ops=ops,
                       description="convspec's fast reference implementation")
    if name == "spec":
        from convspec import spec
        ops = {op: getattr(spec, op) for op in OPERATION_NAMES if hasattr(spec, op)}
        return Backend("spec", spec.conv2d, Claims(max_input_side=24, max_kernel_side=8), ops=ops,
                       description="the exact oracle (slow by design; small sizes only)")
    try:
        from convspec.conformance import adapters
    except ImportError:
        return None
    return adapters.load(name) if name in adapters.NAMES else None


def _load_file(path: Path) -> Any:
    """Import a Python file, with its folder put first on ``sys.path`` (as pytest does).

    So ``from helper import ...`` inside the file finds its neighbours, in the
    harness and in the worker process alike (both load through here).
    """
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    module_name = f"convspec_backend_{abs(hash(path.resolve()))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise BackendLoadError(f"cannot load Python file {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def _resolve(target: str) -> Any:
    bundled = _bundled(target)
    if bundled is not None:
        return bundled
    if ":" not in target:
        raise BackendLoadError(
            f"{target!r} is not a bundled name{_did_you_mean(target, bundled_names())}, nor of the form "
            "'package.module:attribute' or 'path/to/file.py:attribute' (convspec targets lists the "
            "bundled names)"
        )
    where, attr = target.rsplit(":", 1)
    try:
        if where.endswith(".py") or "/" in where or "\\" in where:
            path = Path(where)
            if not path.is_file():
                raise BackendLoadError(f"backend file {where!r} does not exist")
            module = _load_file(path)
        else:
            module = importlib.import_module(where)
    except BackendLoadError:
        raise
    except Exception as exc:  # a broken backend module must not crash the harness
        raise BackendLoadError(f"importing {where!r} failed: {type(exc).__name__}: {exc}") from exc
    try:
        obj = module
        for part in attr.split("."):
            obj = getattr(obj, part)
    except AttributeError as exc:
        names = [n for n in dir(obj) if not n.startswith("_")]
        raise BackendLoadError(f"{where!r} has no attribute {attr!r}"
                               f"{_did_you_mean(part, names)}") from exc
    return obj


def load_backend(target: str) -> Backend:
    """Resolve a target string to a `Backend` (see the module docstring)."""
    obj = _resolve(target)
    if isinstance(obj, Backend):
        return replace(obj, target=target)
    if callable(obj):
        return Backend(name=target, fn=obj, target=target, plain=True)
    raise BackendLoadError(f"{target!r} is neither a Backend nor callable: {type(obj).__name__}")
