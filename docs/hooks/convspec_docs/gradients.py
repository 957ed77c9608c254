"""Figures and worked examples of the gradients page (Part II).

Every number comes from the specification's own operations, called when the
site is built: ``conv_input_grad``, ``conv_weight_grad``, ``conv_bias_grad`` and
``conv_transpose`` from ``convspec.spec``, and the window geometry
(``Axis.feeders``, ``remainder``, ``transposed_size``) from
``convspec.spec.geometry``.  The example is Part I's: the 6 × 6 input M and the
3 × 3 kernel K of ``examples.py`` at stride (2, 2), with the incoming gradient
``DC`` below.  Each formula the page derives (the stride-dilated correlation,
the weight gradient as a correlation, the adjoint identities, the transposed
convolution as an input gradient) is recomputed here from its own recipe and
compared with the specification before anything is published; a disagreement
is a build error.
"""

from __future__ import annotations

from html import escape

import numpy as np

from convspec.spec import (conv2d, conv_bias_grad, conv_input_grad, conv_transpose,
                           conv_weight_grad, transposed_size)
from convspec.spec.geometry import Axis, geometry

from . import svg
from .examples import K, M
from .registry import MarkerError, figure, marker
from .worked import _minus, _tex_int, grids_row, html_grid

STRIDE = (2, 2)
"""The stride of every example on the page: Part I's second worked example."""

DC = np.array([
    [1, 2],
    [-1, 3],
])
"""The incoming gradient dC = ∂L/∂C, one value per output of conv2d(M, K, stride=(2, 2))."""

SCATTER_AT = (2, 2)
"""The input element whose outputs the scatter figure shows."""

SPREAD_FROM = (1, 0)
"""The dC element whose spread over dM the scatter figure shows."""


# --- The example, in the layer's calling form --------------------------------------------

def _valid(stride=STRIDE) -> dict:
    return {"stride": stride, "padding": ((0, 0), (0, 0)), "dilation": (1, 1), "groups": 1}


def input_grad(dC: np.ndarray, shape: tuple[int, int] = M.shape, stride=STRIDE) -> np.ndarray:
    """dM of the core problem (one batch element, one channel), by ``spec.conv_input_grad``."""
    return conv_input_grad(dC[None, None], K[None, None], input_shape=(1, 1, *shape),
                           **_valid(stride))[0, 0]


def weight_grad(dC: np.ndarray = DC, stride=STRIDE) -> np.ndarray:
    """dK of the core problem, by ``spec.conv_weight_grad``."""
    return conv_weight_grad(M[None, None], dC[None, None], kernel_shape=(1, 1, *K.shape),
                            **_valid(stride))[0, 0]


def core_geometry(shape: tuple[int, int] = M.shape, stride=STRIDE):
    """The spec's window geometry of the core problem (no padding, no dilation)."""
    return geometry(shape, K.shape, stride, (1, 1), ((0, 0), (0, 0)))


def stride_dilated(dC: np.ndarray, stride=STRIDE) -> np.ndarray:
    """dC with ``s − 1`` zeros inserted between neighbours on each axis."""
    rows, cols = dC.shape
    D = np.zeros(((rows - 1) * stride[0] + 1, (cols - 1) * stride[1] + 1), dtype=dC.dtype)
    D[::stride[0], ::stride[1]] = dC
    return D


def full_pads(shape: tuple[int, int] = M.shape, stride=STRIDE) -> list[tuple[int, int]]:
    """Per axis, the zeros put around D: ``k_eff − 1 − lo`` before, ``k_eff − 1 − hi + r`` after."""
    return [(ax.k_eff - 1 - ax.lo, ax.k_eff - 1 - ax.hi + ax.remainder)
            for ax in core_geometry(shape, stride).axes]


def unread(shape: tuple[int, int] = M.shape, stride=STRIDE) -> set[tuple[int, int]]:
    """The input elements that no window reads (no feeders), by ``Geometry.feeder_counts``."""
    counts = core_geometry(shape, stride).feeder_counts()
    return {(int(u), int(v)) for u, v in zip(*np.nonzero(counts == 0))}


def _check(what: str, got: np.ndarray, expected: np.ndarray) -> None:
    if got.shape != expected.shape or not np.array_equal(got, expected):
        raise MarkerError(f"{what}: the recipe gives\n{got}\nbut the specification\n{expected}")


def _written_out(name: str, products: list[str], values: list[str], total: int) -> str:
    """A display formula: the named products, two to a line, then their values and the total."""
    def rows(items: list[str]) -> list[str]:
        return [" + ".join(items[k:k + 2]) for k in range(0, len(items), 2)]
    lines = rows(products) + rows(values)
    split = len(rows(products))
    body = [("= " if k in (0, split) else "+ ") + line for k, line in enumerate(lines)]
    body[-1] += f" = {_tex_int(total)}."
    return ("$$\\begin{array}{rl} " + name + " & " + " \\\\ & ".join(body)
            + " \\end{array}$$")


def _cells(shape) -> set[tuple[int, int]]:
    return {(i, j) for i in range(shape[0]) for j in range(shape[1])}


# --- Markers -----------------------------------------------------------------------------

@marker("grad-gather")
def grad_gather(at=SCATTER_AT) -> str:
    """dM[at] written out over its feeders, checked against conv_input_grad."""
    dM = input_grad(DC)
    geo = core_geometry()
    pairs = geo.feeders(at)
    if not pairs:
        raise MarkerError(f"M{list(at)} is read by no window; choose another element")
    terms = [(int(DC[j]), int(K[a])) for j, a in pairs]
    total = sum(g * k for g, k in terms)
    if total != dM[at]:
        raise MarkerError(f"written-out sum {total} disagrees with conv_input_grad {dM[at]}")
    u, v = at
    per_row = " and ".join(f"$({i}, {a})$" for i, a in geo.axes[0].feeders(u))
    per_col = " and ".join(f"$({j}, {b})$" for j, b in geo.axes[1].feeders(v))
    sum_tex = _written_out(f"dM[{u}, {v}]",
                           [f"dC[{j[0]}, {j[1]}]\\, K[{a[0]}, {a[1]}]" for j, a in pairs],
                           [f"{_tex_int(g)} \\cdot {_tex_int(k)}" for g, k in terms], total)
    grids = grids_row(
        html_grid(DC, "dC, the incoming gradient", {j for j, _ in pairs}, kind="output"),
        html_grid(K, f"K, the taps through which the windows read M[{u}, {v}]",
                  {a for _, a in pairs}),
        html_grid(dM, "dM = conv_input_grad(dC, K, …)", {at}, kind="output"))
    return f"""
For $u = {u}$ the pairs $(i, a)$ with $i s_x + a = u$ are {per_row}; for $v = {v}$ the pairs
$(j, b)$ with $j s_y + b = v$ are {per_col}. So Eq 4 has {len(pairs)} terms:

{sum_tex}

{grids}
"""


@marker("grad-dilated")
def grad_dilated(at=(2, 2)) -> str:
    """dM as the stride-1 correlation of the padded, stride-dilated dC with flip(K)."""
    dM = input_grad(DC)
    D = stride_dilated(DC)
    pads = full_pads()
    Dp = np.pad(D, pads)
    flipped = np.ascontiguousarray(K[::-1, ::-1])
    _check("stride-dilated correlation", conv2d(Dp, flipped), dM)
    (lo0, hi0), _ = pads
    lo1 = pads[1][0]
    classes = {}
    for p, q in _cells(Dp.shape):
        inside = lo0 <= p < lo0 + D.shape[0] and lo1 <= q < lo1 + D.shape[1]
        if not inside:
            kind = "pad"
        elif (p - lo0) % STRIDE[0] or (q - lo1) % STRIDE[1]:
            kind = "inserted"
        else:
            kind = "output"
        in_window = at[0] <= p < at[0] + K.shape[0] and at[1] <= q < at[1] + K.shape[1]
        classes[(p, q)] = kind + (" in-window" if in_window else "")
    ax = core_geometry().axes[0]
    first = grids_row(
        html_grid(DC, "dC"),
        html_grid(D, f"D: dC with {STRIDE[0] - 1} zero inserted between neighbours",
                  {(p, q) for p, q in _cells(D.shape)
                   if p % STRIDE[0] == 0 and q % STRIDE[1] == 0}, kind="output"))
    second = grids_row(
        html_grid(Dp, f"D padded, {lo0} zeros before and {hi0} after; the window of "
                      f"dM[{at[0]}, {at[1]}] outlined", classes=classes),
        html_grid(flipped, "flip(K)"),
        html_grid(dM, "dM = conv2d(padded D, flip(K)), equal to conv_input_grad", {at},
                  kind="output", classes={cell: "unread" for cell in unread()}))
    return f"""
Along the rows, $m' = {ax.kernel}$ and the remainder is
$r = (m - m') \\bmod s_x = ({ax.size} - {ax.kernel}) \\bmod {ax.stride} = {ax.remainder}$,
so $D$ gets $m' - 1 = {lo0}$ zeros before and $m' - 1 + r = {hi0}$ after; the columns are
the same. The numbers below were computed when this site was built: $dM$ by
`conv_input_grad`, and the correlation by `conv2d`, and the two agree.

{first}

{second}
"""


@marker("grad-remainder")
def grad_remainder() -> str:
    """Which elements of the example get no terms, and that their dM is exactly +0."""
    dM = input_grad(DC)
    geo = core_geometry()
    ax = geo.axes[0]
    missing = sorted(unread())
    if not missing:
        raise MarkerError("the example has no unread elements; choose another size or stride")
    zeros = [dM[cell] for cell in missing]
    if any(z != 0 or np.signbit(z) for z in zeros):
        raise MarkerError(f"unread elements of dM are not +0: {zeros}")
    last = (geo.out_shape[0] - 1) * ax.stride + ax.k_eff - 1
    rows = [u for u in range(ax.size) if not ax.feeders(u)]
    if len(rows) != ax.remainder:
        raise MarkerError(f"unread rows {rows} are not the remainder {ax.remainder}")
    attempt = ", ".join(f"$i = {i}$ would need $a = {rows[0] - i * ax.stride}$"
                        for i in range(geo.out_shape[0]))
    other = int(np.count_nonzero(dM == 0)) - len(missing)
    plural = "s" if len(rows) != 1 else ""
    return f"""
In the example the last window ends at row $(m'' - 1) s_x + m' - 1 = {last}$, and
$r = {ax.remainder}$ row{plural} ({", ".join(map(str, rows))}) lie past it; the columns are
the same. For row {rows[0]}, {attempt}, but every tap index is below {ax.kernel}: there
is no pair, so Eq 4 is a sum of no terms. The specification returns exactly $+0$ for
each of these {len(missing)} elements (the cells with a dashed border in the last grid
above). The other {other} zeros of $dM$ are of a different kind: sums whose terms
happen to vanish, here because $K$ has zero weights.
"""


@marker("grad-weight")
def grad_weight(at=(0, 0)) -> str:
    """dK written out for one tap, and the whole dK as conv2d(M cropped, D)."""
    dK = weight_grad()
    D = stride_dilated(DC)
    geo = core_geometry()
    keep = tuple(ax.padded - ax.remainder for ax in geo.axes)
    _check("weight gradient as a correlation", conv2d(M[:keep[0], :keep[1]], D), dK)
    a, b = at
    sx, sy = STRIDE
    terms = [((i, j), int(DC[i, j]), int(M[i * sx + a, j * sy + b]))
             for i in range(DC.shape[0]) for j in range(DC.shape[1])]
    total = sum(g * x for _, g, x in terms)
    if total != dK[at]:
        raise MarkerError(f"written-out sum {total} disagrees with conv_weight_grad {dK[at]}")
    sum_tex = _written_out(f"dK[{a}, {b}]",
                           [f"dC[{i}, {j}]\\, M[{i * sx + a}, {j * sy + b}]"
                            for (i, j), _, _ in terms],
                           [f"{_tex_int(g)} \\cdot {_tex_int(x)}" for _, g, x in terms], total)
    read = {(i * sx + a, j * sy + b) for (i, j), _, _ in terms}
    classes = {cell: "unread" for cell in unread()}
    dB = int(conv_bias_grad(DC[None, None])[0])
    if dB != int(DC.sum()):
        raise MarkerError(f"conv_bias_grad gives {dB}, the sum of dC is {DC.sum()}")
    return f"""
For the tap $K[{a}, {b}]$, each of the {len(terms)} outputs contributes the element its
window reads through that tap:

{sum_tex}

{grids_row(html_grid(M, f"M, the elements read through K[{a}, {b}] highlighted", read,
                     classes=classes),
           html_grid(D, "D, the stride-dilated dC", kind="output",
                     highlight={(p, q) for p, q in _cells(D.shape)
                                if p % sx == 0 and q % sy == 0}),
           html_grid(dK, "dK = conv_weight_grad(M, dC, …)", {at}, kind="output"))}

The whole of $dK$ is `conv2d(M[:{keep[0]}, :{keep[1]}], D)`: the correlation of the
part of $M$ that the windows read with $D$ as the kernel, computed at build time and
equal to `conv_weight_grad`. The bias gradient is $dB = \\sum dC = {_minus(dB)}$
(`conv_bias_grad`).
"""


@marker("grad-adjoint")
def grad_adjoint() -> str:
    """The three inner products of the example, each computed from the spec's own outputs."""
    C = conv2d(M, K, stride=STRIDE)
    dM, dK = input_grad(DC), weight_grad()
    forward, by_input, by_weight = int((C * DC).sum()), int((M * dM).sum()), int((K * dK).sum())
    if not forward == by_input == by_weight:
        raise MarkerError(f"adjoint identities fail: {forward}, {by_input}, {by_weight}")
    return f"""
On the example, with $C$ = `conv2d(M, K, stride=(2, 2))`, $dM$ = `conv_input_grad` and
$dK$ = `conv_weight_grad`, as computed when this site was built:

$$\\begin{{array}}{{rl}} \\langle C, dC \\rangle & = {_tex_int(forward)}, \\\\
\\langle M, dM \\rangle & = {_tex_int(by_input)}, \\\\
\\langle K, dK \\rangle & = {_tex_int(by_weight)}. \\end{{array}}$$
"""


@marker("grad-transpose")
def grad_transpose() -> str:
    """conv_transpose of dC for each output_padding, checked against conv_input_grad."""
    sx, _ = STRIDE
    k = K.shape[0]
    i = DC.shape[0]
    rows = ['<div class="cs-wide" markdown="1">', "", "| `output_padding` | output size $s (i - 1) + k + a$ | forward input size "
            "| its remainder $(m - k) \\bmod s$ | equal to `conv_input_grad` |",
            "|---:|---:|---:|---:|:---|"]
    shown = None
    for op in range(sx):
        size = transposed_size(i, k, sx, 1, 0, 0, op)
        T = conv_transpose(DC[None, None], K[None, None], stride=STRIDE, padding=((0, 0), (0, 0)),
                           output_padding=(op, op), dilation=(1, 1), groups=1)[0, 0]
        dM = input_grad(DC, (size, size))
        _check(f"conv_transpose with output_padding {op}", T, dM)
        remainder = Axis(size, k, sx).remainder
        if remainder != op:
            raise MarkerError(f"size {size}: remainder {remainder}, output_padding {op}")
        rows.append(f"| {op} | {size} | {size} × {size} | {remainder} "
                    f"| yes, all {T.size} values |")
        shown = T
    return "\n".join(rows + ["", "</div>"]) + f"""

{grids_row(html_grid(DC, "X = dC, the input of the transposed convolution"),
           html_grid(shown, f"conv_transpose(X, K, stride=(2, 2), output_padding=({sx - 1}, "
                            f"{sx - 1})): the dM of the 6 × 6 problem",
                     classes={cell: "unread" for cell in unread()}))}
"""


# --- Figures -----------------------------------------------------------------------------

def scatter_svg(at=SCATTER_AT, source=SPREAD_FROM) -> str:
    """Forward: one input element and the outputs it feeds.  Backward: one dC element's spread.

    The output cells fed by ``M[at]`` carry ``data-output`` and ``data-tap``; the
    spread grid's cells carry ``data-value``, so tests can compare the figure with
    the specification.
    """
    geo = core_geometry()
    pairs = geo.feeders(at)
    rows, cols = geo.out_shape
    cell, big, pad = 36, 60, 18
    m_x, top = pad, 58
    c_x = m_x + M.shape[1] * cell + 56
    width = c_x + cols * big + pad
    body = [svg.text(pad, 22, f"Forward: M[{at[0]}, {at[1]}] is read by {len(pairs)} windows",
                     15, anchor="start", weight="bold"),
            svg.text(m_x + M.shape[1] * cell / 2, top - 14, "M", 14, weight="bold"),
            svg.text(c_x + cols * big / 2, top - 14, "C", 14, weight="bold")]
    body += svg.grid(m_x, top, M, cell, 13)
    for (i, j), _ in pairs:
        body.append(svg.rect(m_x + j * STRIDE[1] * cell, top + i * STRIDE[0] * cell,
                             K.shape[1] * cell, K.shape[0] * cell, fill=svg.WINDOW, stroke="none",
                             extra='fill-opacity="0.13"'))
    body.append(svg.rect(m_x + at[1] * cell, top + at[0] * cell, cell, cell, stroke=svg.WINDOW,
                         width=3))
    taps = {j: a for j, a in pairs}
    for i in range(rows):
        for j in range(cols):
            x, y = c_x + j * big, top + i * big
            if (i, j) in taps:
                a = taps[(i, j)]
                body.append(svg.rect(x, y, big, big, fill=svg.OUTPUT_FILL, stroke=svg.OUTPUT,
                                     width=2, extra=f'data-output="{i},{j}" '
                                                    f'data-tap="{a[0]},{a[1]}"'))
                body.append(svg.text(x + big / 2, y + 18, f"K[{a[0]}, {a[1]}]", 12,
                                     fill=svg.OUTPUT, weight="bold"))
                body.append(svg.text(x + big / 2, y + 40, "× " + svg.fmt(K[a]), 13))
            else:
                body.append(svg.rect(x, y, big, big))
    note_y = top + M.shape[0] * cell + 22
    body.append(svg.text(pad, note_y, f"each output reads M[{at[0]}, {at[1]}] through the tap "
                                      "shown", 12, anchor="start", fill="#52606d"))

    # Backward: dC[source] alone, spread over its window by conv_input_grad.
    one = np.zeros_like(DC)
    one[source] = DC[source]
    spread = input_grad(one)
    y0 = note_y + 44
    g_top = y0 + 36
    body += [svg.text(pad, y0, f"Backward: dC[{source[0]}, {source[1]}] spreads over its window", 15, anchor="start", weight="bold"),
             svg.text(pad + cols * cell / 2, g_top - 14, "dC", 14, weight="bold")]
    d_x = pad + cols * cell + 40
    body.append(svg.text(d_x + M.shape[1] * cell / 2, g_top - 14,
                         f"dM from dC[{source[0]}, {source[1]}] alone", 14, weight="bold"))
    for i in range(rows):
        for j in range(cols):
            hit = (i, j) == source
            body.append(svg.rect(pad + j * cell, g_top + i * cell, cell, cell,
                                 fill=svg.OUTPUT_FILL if hit else "#ffffff",
                                 stroke=svg.OUTPUT if hit else svg.GRID, width=2 if hit else 1))
            body.append(svg.text(pad + (j + 0.5) * cell, g_top + (i + 0.5) * cell,
                                 svg.fmt(DC[i, j]), 13, fill=svg.INK if hit else "#7b8794"))
    window = {(source[0] * STRIDE[0] + a, source[1] * STRIDE[1] + b)
              for a in range(K.shape[0]) for b in range(K.shape[1])}
    for u in range(M.shape[0]):
        for v in range(M.shape[1]):
            inside = (u, v) in window
            body.append(svg.rect(d_x + v * cell, g_top + u * cell, cell, cell,
                                 fill=svg.WINDOW_FILL if inside else "#ffffff",
                                 extra=f'data-cell="{u},{v}" data-value="{int(spread[u, v])}"'))
            if inside:
                body.append(svg.text(d_x + (v + 0.5) * cell, g_top + (u + 0.5) * cell,
                                     svg.fmt(spread[u, v]), 13, weight="bold"))
    x0, y1 = d_x + source[1] * STRIDE[1] * cell, g_top + source[0] * STRIDE[0] * cell
    body.append(svg.rect(x0, y1, K.shape[1] * cell, K.shape[0] * cell, stroke=svg.WINDOW, width=3))
    bottom = g_top + M.shape[0] * cell + 22
    body.append(svg.text(pad, bottom, f"dC[{source[0]}, {source[1]}] × K = {svg.fmt(DC[source])} × K, on the "
                                      f"window of C[{source[0]}, {source[1]}]", 12, anchor="start",
                         fill="#52606d"))
    width = max(width, d_x + M.shape[1] * cell + pad)
    return svg.document(
        width, bottom + 18, body,
        "One input element feeds several outputs; one gradient element spreads over a window",
        f"Top: with stride {STRIDE}, M[{at[0]}, {at[1]}] lies in {len(pairs)} windows, each "
        "reading it through a different kernel tap. Bottom: the gradient of one output, "
        "multiplied by the kernel, lands on that output's window of dM.")


@figure("generated/figures/grad-scatter.svg")
def grad_scatter() -> str:
    return scatter_svg()


def output_padding_svg(i: int = DC.shape[0], k: int = K.shape[0], s: int = STRIDE[0],
                       narrow: bool = False) -> str:
    """One axis: the ``s`` forward input sizes whose output has ``i`` elements.

    Each size is a ``<g data-size=... data-output-padding=...>`` whose cells carry
    ``data-read``; the sizes come from ``transposed_size`` and the coverage from
    ``Axis.feeders``.
    """
    cell, pad, row_gap = 34, 18, 30
    sizes = [transposed_size(i, k, s, 1, 0, 0, op) for op in range(s)]
    label_w = 0 if narrow else 300
    label_h = 46 if narrow else 0
    # The narrow variant keeps room for its labels, which are wider than the cells.
    width = max(pad * 2 + max(sizes) * cell + label_w, 330 if narrow else 0)
    body, y = [], pad
    for op, size in enumerate(sizes):
        ax = Axis(size, k, s)
        if ax.out != i or ax.remainder != op:
            raise MarkerError(f"size {size} gives {ax.out} outputs, remainder {ax.remainder}")
        body.append(svg.text(pad, y + 8, f"output_padding = {op}: length {size}", 14,
                             anchor="start", weight="bold"))
        bars_y = y + 22
        for j in range(ax.out):
            body.append(svg.rect(pad + j * s * cell + 3, bars_y + (j % 2) * 12, k * cell - 6, 8,
                                 fill=svg.WINDOW, stroke="none", extra='rx="4"'))
        cells_y = bars_y + 30
        cells = []
        for u in range(size):
            used = bool(ax.feeders(u))
            cells.append(svg.rect(pad + u * cell, cells_y, cell, cell,
                                  fill="#ffffff" if used else "#eef0f2",
                                  stroke=svg.GRID if used else svg.MUTED,
                                  extra=f'data-cell="{u}" data-read="{int(used)}"'))
            cells.append(svg.text(pad + (u + 0.5) * cell, cells_y + cell / 2, u, 12,
                                  fill=svg.INK if used else "#7b8794"))
        body.append(f'<g data-size="{size}" data-output-padding="{op}">' + "".join(cells) + "</g>")
        first = f"⌊({size} − {k}) / {s}⌋ + 1 = {ax.out} outputs"
        second = f"remainder ({size} − {k}) mod {s} = {ax.remainder}"
        if narrow:
            lx, ly = pad, cells_y + cell + 14
        else:
            lx, ly = pad + max(sizes) * cell + 20, cells_y + cell / 2 - 9
        body.append(svg.text(lx, ly, first, 14, anchor="start", fill=svg.OUTPUT, weight="bold"))
        body.append(svg.text(lx, ly + 20, second, 13, anchor="start", fill="#52606d"))
        y = cells_y + cell + label_h + row_gap
    return svg.document(
        width, y - row_gap + pad, body,
        f"The {s} input lengths that give {i} outputs for a kernel of length {k} at stride {s}",
        "Orange bars mark the windows; a grey cell is read by no window. The remainder of each "
        "length is the output_padding that selects it.")


@figure("generated/figures/output-padding.svg")
def output_padding() -> str:
    return output_padding_svg()


@figure("generated/figures/output-padding-narrow.svg")
def output_padding_narrow() -> str:
    return output_padding_svg(narrow=True)


# --- The conformance guide ---------------------------------------------------------------

GRADIENT_OPERATIONS = ("conv_input_grad", "conv_weight_grad", "conv_bias_grad", "conv_transpose")


@marker("gradient-operations")
def gradient_operations() -> str:
    """The Part II operations of the harness: the call each one checks, and its property count."""
    from convspec.conformance.operations import OPERATIONS
    from convspec.conformance.properties import of_op

    items = [f"<dt><code>--op {name}</code> ({len(of_op(name))} properties)</dt>\n"
             f"<dd><code>{escape(OPERATIONS[name].signature)}</code></dd>"
             for name in GRADIENT_OPERATIONS]
    return '<dl class="cs-fields">\n' + "\n".join(items) + "\n</dl>\n"
