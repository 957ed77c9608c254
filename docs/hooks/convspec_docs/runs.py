"""Output of a page's own Python examples, captured while the site is built.

A page marks one of its ```python blocks by putting ``<!-- example: NAME -->``
on a line of its own somewhere above it (the nearest block below the comment
is the one named).  ``<!-- convspec:example-output page=PAGE name=NAME -->``
then runs every ```python block of ``PAGE`` up to and including that one, in
order and in one namespace (as ``tests/test_docs_examples.py`` does), inside an
empty temporary folder, and shows what the named block printed.  The folder's
path is shown as ``.``, since it is the reader's working folder.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from pathlib import Path

from .registry import MarkerError, marker

DOCS = Path(__file__).resolve().parents[2]
_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_NAME = re.compile(r"^<!--\s*example:\s*([\w-]+)\s*-->[ \t]*$", re.MULTILINE)


def named_blocks(text: str) -> list[tuple[str | None, str]]:
    """The page's python blocks in order, each with the example name above it (or None)."""
    names = [(m.end(), m.group(1)) for m in _NAME.finditer(text)]
    blocks, last = [], 0
    for match in _BLOCK.finditer(text):
        name = next((n for at, n in names if last <= at <= match.start()), None)
        blocks.append((name, match.group(1)))
        last = match.end()
    return blocks


_CACHE: dict[tuple[str, str], tuple[str, dict]] = {}


def run_until(page: str, name: str) -> str:
    """Run the blocks of ``page`` up to the one named ``name``; return what that one printed."""
    return run_with_namespace(page, name)[0]


def run_with_namespace(page: str, name: str) -> tuple[str, dict]:
    """Like :func:`run_until`, also returning the namespace; one run per build."""
    if (page, name) not in _CACHE:
        _CACHE[(page, name)] = _run(page, name)
    return _CACHE[(page, name)]


def _run(page: str, name: str) -> tuple[str, dict]:
    blocks = named_blocks((DOCS / page).read_text(encoding="utf-8"))
    if name not in [n for n, _ in blocks]:
        raise MarkerError(f"{page} has no python block marked '<!-- example: {name} -->'")
    namespace: dict = {"__name__": "__docs_example__"}
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            for block_name, source in blocks:
                out = io.StringIO()
                with contextlib.redirect_stdout(out):
                    exec(compile(source, f"{page}:{block_name}", "exec"), namespace)
                if block_name == name:
                    real = os.path.realpath(folder)
                    return out.getvalue().replace(real, ".").replace(folder, "."), namespace
        finally:
            os.chdir(here)
    raise AssertionError("unreachable")


@marker("example-output")
def example_output(page: str, name: str, language: str = "text") -> str:
    """A code block holding what the named example printed."""
    return f"```{language}\n{run_until(page, name).rstrip()}\n```\n"


def _shape(array: dict) -> str:
    shape = array.get("shape") or []
    return " × ".join(str(v) for v in shape) if shape else "a scalar"


def describe_case(case: dict) -> str:
    """A failure's first call in words: shapes, stride, dtypes and layouts."""
    M, K = case.get("M", {}), case.get("K", {})
    dtypes = {M.get("dtype"), K.get("dtype")}
    dtype = (f"the dtype `{M.get('dtype')}`" if len(dtypes) == 1
             else f"the dtypes `{M.get('dtype')}` and `{K.get('dtype')}`")
    layouts = case.get("layouts") or []
    order = {"C": "C-ordered", "F": "Fortran-ordered"}
    if len(set(layouts)) == 1 and layouts[0] in order:
        layout = f"both arrays are {order[layouts[0]]}"
    else:
        layout = "the layouts are " + " and ".join(f"`{v}`" for v in layouts)
    return (f"`M` is {_shape(M)}, the kernel {_shape(K)}, the stride {case.get('stride')}, "
            f"{dtype}, and {layout}")


@marker("example-failure-case")
def example_failure_case(page: str, name: str, variable: str = "failure") -> str:
    """The failure a named example found, described from that same run."""
    _, namespace = run_with_namespace(page, name)
    failure = namespace.get(variable)
    if failure is None or not getattr(failure, "case", None):
        raise MarkerError(f"the example {name!r} of {page} has no failure {variable!r} with a case")
    return describe_case(failure.case) + "."
