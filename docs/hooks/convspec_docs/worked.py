"""Worked numeric examples for the mathematics page.

Every number shown is computed here, at build time, by the specification
itself: the shape by ``convspec.spec.shape.output_shape`` (Eq 1) and the values
by ``convspec.spec.conv2d`` (Eq 2).  The one sum written out term by term is
checked against ``conv2d`` before it is published.
"""

from __future__ import annotations

from html import escape

import numpy as np

from convspec.spec import conv2d
from convspec.spec.shape import output_shape

from .examples import K, M, stride_pair
from .registry import MarkerError, marker


def _tex_int(value) -> str:
    value = int(value)
    return f"({{{value}}})" if value < 0 else str(value)  # braces: a unary minus


def html_grid(values, caption: str, highlight=frozenset(), kind: str = "window",
              indices: bool = True, classes=None) -> str:
    """A matrix as an HTML table; cells in ``highlight`` get the class ``kind``.

    ``classes`` optionally maps more cells ``(i, j)`` to class names of their own.
    """
    values = np.asarray(values)
    classes = classes or {}
    rows = []
    if indices:
        head = "".join(f"<th>{j}</th>" for j in range(values.shape[1]))
        rows.append(f'<tr><th class="corner"></th>{head}</tr>')

    def cell(i: int, j: int) -> str:
        names = " ".join(([kind] if (i, j) in highlight else []) + [classes.get((i, j), "")]).strip()
        attr = f' class="{names}"' if names else ""
        return f"<td{attr}>{escape(_minus(values[i, j]))}</td>"

    for i in range(values.shape[0]):
        cells = "".join(cell(i, j) for j in range(values.shape[1]))
        rows.append(f"<tr><th>{i}</th>{cells}</tr>" if indices else f"<tr>{cells}</tr>")
    return (f'<figure class="cs-matrix"><table class="cs-grid">{"".join(rows)}</table>'
            f"<figcaption>{caption}</figcaption></figure>")


def _minus(value) -> str:
    return str(value).replace("-", "\u2212")


def grids_row(*grids: str) -> str:
    return '<div class="cs-matrices">' + "".join(grids) + "</div>"


def window_cells(i: int, j: int, stride: tuple[int, int]) -> set[tuple[int, int]]:
    sx, sy = stride
    return {(i * sx + a, j * sy + b) for a in range(K.shape[0]) for b in range(K.shape[1])}


@marker("worked-example")
def worked_example(stride=1, at=(1, 1)) -> str:
    """Eq 1 and Eq 2 evaluated on the example input at one stride."""
    stride = stride_pair(stride)
    sx, sy = stride
    (m, n), (mk, nk) = M.shape, K.shape
    rows, cols = output_shape(M.shape, K.shape, stride)
    C = conv2d(M, K, stride=stride)
    i, j = at
    if not (0 <= i < rows and 0 <= j < cols):
        raise MarkerError(f"at={at} is outside the {rows} x {cols} output")

    terms = [(int(M[i * sx + a, j * sy + b]), int(K[a, b]))
             for a in range(mk) for b in range(nk)]
    total = sum(x * k for x, k in terms)
    if total != C[i, j]:
        raise MarkerError(f"written-out sum {total} disagrees with conv2d {C[i, j]}")
    lines = []
    partials = []
    for a in range(mk):
        row = terms[a * nk:(a + 1) * nk]
        partials.append(sum(x * k for x, k in row))
        products = " + ".join(f"{_tex_int(x)} \\cdot {_tex_int(k)}" for x, k in row)
        lines.append(("=" if a == 0 else "+") + f" \\left( {products} \\right)")
    lines.append("= " + " + ".join(_tex_int(p) for p in partials) + f" = {total}")
    written_out = (f"\\begin{{array}}{{rl}} C[{i}, {j}] & " + " \\\\ & ".join(lines)
                   + " \\end{array}")

    shape = (
        f"$$m'' = \\left\\lfloor \\frac{{{m} - {mk}}}{{{sx}}} \\right\\rfloor + 1 = {rows},"
        f"\\qquad n'' = \\left\\lfloor \\frac{{{n} - {nk}}}{{{sy}}} \\right\\rfloor + 1 = {cols}$$"
    )
    top, left = i * sx, j * sy
    grids = grids_row(
        html_grid(M, f"M, window of C[{i}, {j}] highlighted", window_cells(i, j, stride)),
        html_grid(K, "K"),
        html_grid(C, f"C = conv2d(M, K, stride=({sx}, {sy}))", {(i, j)}, kind="output"),
    )
    return f"""
**Shape (Eq 1).** With $m = {m}$, $n = {n}$, $m' = {mk}$, $n' = {nk}$ and stride $({sx}, {sy})$:

{shape}

so $C$ has {rows} rows and {cols} columns, {rows * cols} values in all.

**Values (Eq 2).** The output $C[{i}, {j}]$ reads the window whose top-left corner is
$M[{i} \\cdot {sx}, {j} \\cdot {sy}] = M[{top}, {left}]$: rows {top} to {top + mk - 1} and
columns {left} to {left + nk - 1}. Multiply each element of the window by the kernel
element in the same position and add, one kernel row at a time:

$${written_out}$$

{grids}
"""


@marker("flip-example")
def flip_example() -> str:
    """Cross-correlation versus true convolution on the example input."""
    flipped = K[::-1, ::-1]
    corr = conv2d(M, K)
    conv = conv2d(M, np.ascontiguousarray(flipped))
    differ = int(np.count_nonzero(corr != conv))
    if differ == 0:
        raise MarkerError("the example kernel does not show the flip; choose another kernel")
    kernels = grids_row(html_grid(K, "K"), html_grid(flipped, "flip(K): K rotated by 180°"))
    results = grids_row(
        html_grid(corr, "cross-correlation with K, as convspec computes", indices=False),
        html_grid(conv, "true convolution: cross-correlation with flip(K)", indices=False),
    )
    return f"""
{kernels}

On the example input $M$ from above, at stride $(1, 1)$:

{results}

The two results differ in {differ} of their {corr.size} values. The top-left values
are $C[0, 0] = {corr[0, 0]}$ for cross-correlation and {_minus(conv[0, 0])} for true
convolution.
"""


@marker("shape-table")
def shape_table(size: int = 8, ksize: int = 3, strides=(1, 2, 3, 4)) -> str:
    """Eq 1 along one axis for a few strides, as a Markdown table.

    The columns come from ``figures.axis_coverage``, the same data the figure
    ``stride-shapes.svg`` is drawn from.
    """
    from .figures import axis_coverage

    lines = ["| stride $s$ | outputs | windows start at | never read |",
             "|---:|---:|:---|:---|"]
    for step in strides:
        cover = axis_coverage(size, ksize, step)
        starts = ", ".join(str(v) for v in cover["starts"])
        unread = ", ".join(str(v) for v in cover["unread"]) or "none"
        lines.append(f"| {step} | {cover['count']} | {starts} | {unread} |")
    return f"With $n = {size}$ and $n' = {ksize}$:\n\n" + "\n".join(lines)
