"""Standalone reproducers: a failure written as a Python script needing only numpy and the backend.

Values are written so that the script rebuilds the very same bits:

* small numeric arrays as nested lists with an explicit dtype; a float element
  is the ``repr`` of its value as a Python float, which round-trips exactly
  (every float16 and float32 value is a float64 value), with ``float('nan')``,
  ``float('inf')`` and ``-0.0`` spelled out; complex elements as
  ``complex(re, im)``;
* arrays of more than `INLINE_LIMIT` elements as base64 of their
  little-endian bytes, decoded with ``numpy.frombuffer``;
* invalid operands (lists, masked arrays, strings, datetimes...) as the
  expressions that build them.

The memory layout of each operand (C, F, strided, reversed, read-only) is
rebuilt with the same numpy calls the harness uses.
"""

from __future__ import annotations

import base64
import math
from typing import Any, Sequence

import numpy as np

from .cases import FILLER, Case

#: Arrays with more elements than this are written as base64 bytes.
INLINE_LIMIT = 64


def float_literal(value: float) -> str:
    """An exact Python expression for a float."""
    if math.isnan(value):
        return "float('nan')"
    if math.isinf(value):
        return "float('inf')" if value > 0 else "-float('inf')"
    return repr(float(value))


def _element(value: Any) -> str:
    if isinstance(value, complex):
        return f"complex({float_literal(value.real)}, {float_literal(value.imag)})"
    if isinstance(value, float):
        return float_literal(value)
    return repr(value)


def _nested(values: Any) -> str:
    if isinstance(values, list):
        return "[" + ", ".join(_nested(v) for v in values) + "]"
    return _element(values)


def array_literal(x: np.ndarray) -> str:
    """A Python expression that rebuilds ``x`` exactly (values, dtype and shape)."""
    if isinstance(x, np.ma.MaskedArray):
        return f"np.ma.masked_array({array_literal(np.asarray(x.data))}, mask={_nested(np.ma.getmaskarray(x).tolist())})"
    dtype = x.dtype
    if dtype.kind in "iufc" and dtype.itemsize <= 16 and dtype.char not in "gG":
        if x.size > INLINE_LIMIT:
            data = base64.b64encode(np.ascontiguousarray(x).astype(dtype.newbyteorder("<")).tobytes()).decode()
            return (f"np.frombuffer(base64.b64decode('{data}'), dtype='{dtype.newbyteorder('<').str}')"
                    f".reshape({tuple(x.shape)!r}).astype(np.{dtype.name})")
        if x.ndim == 0:
            return f"np.array({_element(x.item())}, dtype=np.{dtype.name})"
        return f"np.array({_nested(x.tolist())}, dtype=np.{dtype.name}).reshape({tuple(x.shape)!r})"
    if dtype.char in "gG":
        wide = x.astype(np.complex128 if dtype.kind == "c" else np.float64)
        return f"np.array({_nested(wide.tolist())}, dtype=np.dtype({dtype.str!r})).reshape({tuple(x.shape)!r})"
    if dtype.kind in "mM":
        return f"np.array({x.astype(str).tolist()!r}, dtype={dtype.str!r}).reshape({tuple(x.shape)!r})"
    if dtype.kind == "V":
        return f"np.zeros({tuple(x.shape)!r}, dtype=np.dtype({dtype.descr!r}))"
    if dtype.kind == "O":
        return f"np.array({_nested(x.tolist())}, dtype=object).reshape({tuple(x.shape)!r})"
    return f"np.array({x.tolist()!r}, dtype={dtype.str!r}).reshape({tuple(x.shape)!r})"


def literal(value: Any) -> str:
    """A Python expression that rebuilds ``value`` (an operand, stride or datum)."""
    if isinstance(value, np.ndarray):
        return array_literal(value)
    if isinstance(value, (bool, np.bool_)):
        return f"np.bool_({bool(value)})" if isinstance(value, np.bool_) else repr(value)
    if isinstance(value, np.generic):
        return f"np.{type(value).__name__}({_element(value.item())})"
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, float):
        return float_literal(value)
    if isinstance(value, complex):
        return _element(value)
    return repr(value)


def layout_lines(name: str, layout: str, ndim: int = 2) -> list[str]:
    """Lines that give ``name`` (a C-ordered array of rank ``ndim``) the memory layout ``layout``."""
    if ndim != 2 and layout == "strided":
        every = ", ".join(["1::2"] * ndim)
        return [f"_base = np.full(tuple(2 * s + 1 for s in {name}.shape), {FILLER}, dtype={name}.dtype)",
                f"_base[{every}] = {name}",
                f"{name} = _base[{every}]  # non-contiguous view"]
    if ndim != 2 and layout == "reversed":
        flip = ", ".join(["::-1"] * ndim)
        return [f"{name} = {name}[{flip}].copy()[{flip}]  # negative strides"]
    if layout == "F":
        return [f"{name} = np.asfortranarray({name})"]
    if layout == "strided":
        return [f"_base = np.full((2 * {name}.shape[0] + 1, 3 * {name}.shape[1] + 2), {FILLER}, dtype={name}.dtype)",
                f"_base[1::2, 2::3] = {name}",
                f"{name} = _base[1::2, 2::3]  # non-contiguous view"]
    if layout == "reversed":
        return [f"{name} = {name}[::-1, ::-1].copy()[::-1, ::-1]  # negative strides"]
    if layout == "readonly":
        return [f"{name}.flags.writeable = False"]
    return []


def _file_backend_lines(where: str, attr: str) -> list[str]:
    """Load ``attr`` of a Python file named by an absolute path the user can edit.

    The file's folder goes first on ``sys.path`` (as in the run), so imports of
    its neighbours work; a missing file stops the script with a message saying
    which variable to change.
    """
    from pathlib import Path
    path = str(Path(where).resolve())
    return ["import importlib.util",
            "import pathlib",
            "import sys",
            "",
            "# The backend file: edit this path when running the script elsewhere.",
            f"BACKEND_FILE = pathlib.Path({path!r})",
            "if not BACKEND_FILE.is_file():",
            "    sys.exit(f'backend file {BACKEND_FILE} not found: set BACKEND_FILE at the top of this script '",
            "             'to where the file is on this machine')",
            "sys.path.insert(0, str(BACKEND_FILE.parent))",
            "_spec = importlib.util.spec_from_file_location('backend_under_test', BACKEND_FILE)",
            "_module = importlib.util.module_from_spec(_spec)",
            "_spec.loader.exec_module(_module)",
            f"conv2d = _module.{attr}"]


def backend_lines(target: str | None, fn: Any = None, op: str | Sequence[str] = "conv2d") -> list[str]:
    """Lines that bind the backend's callable of each operation in ``op`` to the operation's name.

    The core binds ``conv2d`` to the target itself.  Other operations go
    through ``_backend``, narrowed with ``for_op`` when it is a `Backend`
    (which may provide several operations; calling it calls only its own).
    """
    ops = [op] if isinstance(op, str) else list(dict.fromkeys(op))
    lines = _backend_lines(target, fn)
    if ops == ["conv2d"]:
        return lines
    if target in ("reference", "spec"):
        return [f"from convspec.{target} import {', '.join(ops)}"]
    if not target and lines[-1].startswith("conv2d = ..."):
        return [f"{name} = ...  # the backend was given as an object: bind your function here" for name in ops]
    lines[-1] = lines[-1].replace("conv2d = ", "_backend = ", 1)
    return lines + [f"{name} = _backend.for_op({name!r}) if hasattr(_backend, 'for_op') else _backend"
                    for name in ops]


def _backend_lines(target: str | None, fn: Any = None) -> list[str]:
    if target in ("reference", "spec"):
        return [f"from convspec.{target} import conv2d"]
    if target and ":" in target:
        where, attr = target.rsplit(":", 1)
        if where.endswith(".py") or "/" in where or "\\" in where:
            return _file_backend_lines(where, attr)
        return [f"import {where} as _module", f"conv2d = _module.{attr}"]
    if target:
        return ["from convspec.conformance.backend import load_backend",
                f"conv2d = load_backend({target!r})"]
    module = getattr(fn, "__module__", None)
    qualname = getattr(fn, "__qualname__", None)
    if module and qualname and "<" not in qualname and module != "__main__":
        return [f"import {module} as _module", f"conv2d = _module.{qualname}"]
    return ["conv2d = ...  # the backend was given as an object: bind your function here"]


def case_lines(i: int, case: Case) -> list[str]:
    """Lines defining the operands and attributes of call ``i`` exactly as the harness passed them."""
    if case.op == "conv2d":
        lines = [f"M{i} = {literal(case.M)}", f"K{i} = {literal(case.K)}", f"stride{i} = {literal(case.stride)}"]
        if case.valid_arrays:
            lines += layout_lines(f"M{i}", case.layouts[0]) + layout_lines(f"K{i}", case.layouts[1])
        return lines
    (operands, attributes) = (dict(zip(case.operand_names, case.operands())), case.attributes())
    lines = [f"{name}{i} = {literal(value)}" for name, value in {**operands, **attributes}.items()]
    for (name, value), layout in zip(operands.items(), case.layouts):
        if isinstance(value, np.ndarray) and type(value) is np.ndarray:
            lines += layout_lines(f"{name}{i}", layout, value.ndim)
    return lines


def render(*, property_id: str, clauses: Sequence[str], kind: str, message: str,
           cases: Sequence[Case], code: str, data: dict[str, Any], target: str | None,
           fn: Any = None, seed: int | None = None, blob: str | None = None) -> str:
    """The complete reproducer script for one failure."""
    body = []
    for i, case in enumerate(cases):
        body += case_lines(i, case)
    body += [f"{name} = {literal(value)}" for name, value in data.items()]
    text = "\n".join(body)
    header = [
        '"""Reproducer of a convspec conformance failure.', "",
        f"backend:  {target or getattr(fn, '__qualname__', 'object')}",
        f"property: {property_id} (clauses {', '.join(clauses)})",
        f"problem:  {cases[0].descriptor() if cases else '-'}",
        f"kind:     {kind}",
        f"seed:     {seed}",
    ]
    if blob:
        header.append(f"replay in hypothesis with: {blob}")
    header += ["", "What failed:", *("    " + line for line in message.splitlines()), "",
               "Running this script raises AssertionError (or the backend's own error, or",
               "crashes / hangs, as the run reported) while the failure persists.", '"""']
    imports = (["import base64"] if "base64." in text else []) + ["", "import numpy as np", ""]
    ops = [case.op for case in cases] or ["conv2d"]
    lines = header + imports + backend_lines(target, fn, ops) + [""] + body + [""] + code.splitlines() + [
        "", "print('the failure did not reproduce: the property holds for this example')", ""]
    return "\n".join(lines)
