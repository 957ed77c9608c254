"""The figures and worked examples of the layer page, computed by the specification.

Every position, pad, output size and value shown comes from the layer's own
code at build time: the window geometry from ``convspec.spec.geometry``
(`Axis`, `same_pads`), the group structure from
``convspec.spec.conv_problem`` (``ConvProblem.channels_of``), and the values
from the exact oracle ``convspec.spec.conv``.  A sum written out term by term
is checked against the oracle before it is published.
"""

from __future__ import annotations

import math
from html import escape

import numpy as np

from convspec.spec import Axis, conv, conv_problem, same_pads

from . import svg
from .examples import K, M
from .registry import MarkerError, figure, marker

PAD_FILL = "#eef2ff"
CROPPED_FILL = "#eef0f2"
HOLE_FILL = "#f5f7fa"
NOTE = "#52606d"

#: The axis of the padding figure: length 7, kernel 4, stride 2 (so SAME pads an odd total).
PAD_AXIS = {"size": 7, "kernel": 4, "stride": 2}
PAD_ROWS = (("VALID", "VALID"), ("explicit (−1, 2)", (-1, 2)),
            ("SAME_UPPER", "SAME_UPPER"), ("SAME_LOWER", "SAME_LOWER"))


def padded_axis(padding, size: int = 7, kernel: int = 4, stride: int = 2,
                dilation: int = 1) -> Axis:
    """The `Axis` of one row: a named padding resolved by CV-PD2, a pair as given."""
    if isinstance(padding, str):
        lo, hi = same_pads(size, kernel, stride, dilation, padding)
    else:
        lo, hi = padding
    return Axis(size, kernel, stride, dilation, lo, hi)


def axis_cells(axis: Axis) -> list[dict]:
    """Every cell the padding figure draws, by the input index ``u`` it stands at.

    ``kind`` is ``pad`` (a zero added by padding, ``u`` outside the input),
    ``input`` (an element the padded axis keeps, at padded position ``u + lo``)
    or ``cropped`` (an input element a negative pad removed).
    """
    cells = []
    for u in range(-max(axis.lo, 0), axis.size + max(axis.hi, 0)):
        if not 0 <= u < axis.size:
            kind = "pad"
        elif u < -axis.lo or u >= axis.size + axis.hi:
            kind = "cropped"
        else:
            kind = "input"
        cells.append({"u": u, "kind": kind})
    return cells


def padding_svg(narrow: bool = False) -> str:
    """One axis padded four ways: the cells, the windows, and the output count (CV-PD1, CV-PD2, CV-SH1)."""
    size, kernel, stride = PAD_AXIS["size"], PAD_AXIS["kernel"], PAD_AXIS["stride"]
    axes = [(label, padding, padded_axis(padding, size, kernel, stride)) for label, padding in PAD_ROWS]
    left = max(max(a.lo, 0) for _, _, a in axes)
    right = max(max(a.hi, 0) for _, _, a in axes)
    cell, pad = 34, 18
    label_w = 0 if narrow else 300
    label_h = 44 if narrow else 0
    width = pad * 2 + (left + size + right) * cell + label_w
    rows, y = [], pad
    for label, padding, axis in axes:
        lanes = max(1, -(-axis.k_eff // axis.stride))
        rows.append((label, padding, axis, lanes, y))
        y += 24 + lanes * 12 + cell + label_h + 28
    height = y - 28 + pad
    body = []
    for label, padding, axis, lanes, y0 in rows:
        cells_y = y0 + 24 + lanes * 12

        def x_of(u: int) -> float:
            return pad + (u + left) * cell

        body.append(svg.text(pad, y0 + 6, label, 14, anchor="start", weight="bold"))
        for j in range(axis.out):
            start_u = j * axis.stride - axis.lo
            bar_y = y0 + 20 + (j % lanes) * 12
            body.append(svg.rect(x_of(start_u) + 3, bar_y, axis.k_eff * cell - 6, 8,
                                 fill=svg.WINDOW, stroke="none", extra=f'rx="4" data-window="{j}"'))
        group = []
        for c in axis_cells(axis):
            x = x_of(c["u"])
            kind = c["kind"]
            fill = {"pad": PAD_FILL, "input": "#ffffff", "cropped": CROPPED_FILL}[kind]
            stroke = svg.OUTPUT if kind == "pad" else (svg.GRID if kind == "input" else svg.MUTED)
            dash = ' stroke-dasharray="4 3"' if kind == "pad" else ""
            group.append(svg.rect(x, cells_y, cell, cell, fill=fill, stroke=stroke,
                                  extra=f'data-kind="{kind}" data-u="{c["u"]}"{dash}'))
            if kind == "pad":
                group.append(svg.text(x + cell / 2, cells_y + cell / 2, "0", 12, fill=svg.OUTPUT))
            elif kind == "input":
                group.append(svg.text(x + cell / 2, cells_y + cell / 2, c["u"], 12))
            else:
                group.append(svg.text(x + cell / 2, cells_y + cell / 2, c["u"], 12, fill="#7b8794"))
                group.append(f'<line x1="{x + 6:g}" y1="{cells_y + cell - 6:g}" x2="{x + cell - 6:g}" '
                             f'y2="{cells_y + 6:g}" stroke="#7b8794" stroke-width="1.5"/>')
        body.append(f'<g data-row="{escape(label)}" data-lo="{axis.lo}" data-hi="{axis.hi}" '
                    f'data-out="{axis.out}">' + "".join(group) + "</g>")
        first = f"(lo, hi) = ({svg.fmt(axis.lo)}, {svg.fmt(axis.hi)}), padded = {axis.padded}"
        second = (f"⌊({axis.padded} − {axis.k_eff}) / {axis.stride}⌋ + 1 = {axis.out} outputs"
                  if axis.out else "no window fits: 0 outputs")
        if narrow:
            lx, ly = pad, cells_y + cell + 14
        else:
            lx, ly = pad + (left + size + right) * cell + 20, cells_y + cell / 2 - 9
        body.append(svg.text(lx, ly, first, 13, anchor="start", fill=NOTE))
        body.append(svg.text(lx, ly + 20, second, 14, anchor="start", fill=svg.OUTPUT, weight="bold"))
    return svg.document(
        width, height, body,
        f"One axis of length {size}, kernel {kernel}, stride {stride}, padded four ways",
        "Dashed blue cells are padding zeros, struck grey cells are cropped, orange bars are windows.")


@figure("generated/figures/layer-padding.svg")
def layer_padding() -> str:
    return padding_svg()


@figure("generated/figures/layer-padding-narrow.svg")
def layer_padding_narrow() -> str:
    return padding_svg(narrow=True)


#: The output whose window the dilation figure shows, (row, column) of Y[0, 0].
DILATION_AT = (0, 1)


def dilated_value(dilation: tuple[int, int], at=DILATION_AT):
    """Y[0, 0, at] for the example M and K at this dilation, by the exact oracle."""
    Y = conv(M[None, None], K[None, None], stride=(1, 1), padding="VALID", dilation=dilation,
             groups=1)
    return Y[(0, 0, *at)], Y.shape[2:]


def dilation_svg(narrow: bool = False) -> str:
    """The taps of one output's window at dilation 1 and 2 (CV-AT2, CV-EQ1)."""
    cell, pad, gap = 40, 20, 56
    panels = []
    for d in (1, 2):
        axes = [Axis(M.shape[t], K.shape[t], 1, d) for t in range(2)]
        value, out_shape = dilated_value((d, d))
        panels.append((d, axes, value, out_shape))
    grid_w, grid_h = M.shape[1] * cell, M.shape[0] * cell
    panel_h = 40 + grid_h + 64
    if narrow:
        width, height = pad * 2 + grid_w, pad + 2 * panel_h
    else:
        width, height = pad * 2 + 2 * grid_w + gap, pad + panel_h
    body = []
    i, j = DILATION_AT
    for n, (d, axes, value, out_shape) in enumerate(panels):
        x0 = pad + (0 if narrow else n * (grid_w + gap))
        y0 = pad + 36 + (n * panel_h if narrow else 0)
        k_eff = axes[0].k_eff
        body.append(svg.text(x0 + grid_w / 2, y0 - 22,
                             f"dilation ({d}, {d}), k_eff = {k_eff}",
                             15, weight="bold"))
        taps = {(i + a * d, j + b * d): (a, b) for a in range(K.shape[0]) for b in range(K.shape[1])}
        span = {(r, c) for r in range(i, i + k_eff) for c in range(j, j + k_eff)}
        for r in range(M.shape[0]):
            for c in range(M.shape[1]):
                if (r, c) in taps:
                    fill, ink, kind = svg.WINDOW_FILL, svg.INK, "tap"
                elif (r, c) in span:
                    fill, ink, kind = HOLE_FILL, "#7b8794", "hole"
                else:
                    fill, ink, kind = "#ffffff", "#7b8794", "outside"
                body.append(svg.rect(x0 + c * cell, y0 + r * cell, cell, cell, fill=fill,
                                     extra=f'data-kind="{kind}"'))
                body.append(svg.text(x0 + (c + 0.5) * cell, y0 + (r + 0.5) * cell, M[r, c], 15,
                                     fill=ink))
                if (r, c) in taps:
                    a, b = taps[(r, c)]
                    body.append(svg.text(x0 + (c + 1) * cell - 3, y0 + (r + 1) * cell - 9,
                                         "×" + svg.fmt(K[a, b]), 12, fill=svg.WINDOW,
                                         anchor="end", weight="bold"))
        body.append(svg.rect(x0 + j * cell, y0 + i * cell, k_eff * cell, k_eff * cell,
                             stroke=svg.WINDOW, width=3))
        body.append(svg.text(x0 + grid_w / 2, y0 + grid_h + 22,
                             f"Y[0, 0, {i}, {j}] = {svg.fmt(value)}", 15, fill=svg.OUTPUT,
                             weight="bold"))
        body.append(svg.text(x0 + grid_w / 2, y0 + grid_h + 44,
                             f"output {out_shape[0]} × {out_shape[1]}, "
                             f"{K.size} products per output", 13, fill=NOTE))
    return svg.document(
        width, height, body,
        "The window of one output at dilation 1 and at dilation 2",
        "Orange cells are the kernel taps with their weights; pale cells inside the window are "
        "the holes of the dilated kernel, which are not products.")


@figure("generated/figures/layer-dilation.svg")
def layer_dilation() -> str:
    return dilation_svg()


@figure("generated/figures/layer-dilation-narrow.svg")
def layer_dilation_narrow() -> str:
    return dilation_svg(narrow=True)


#: (C, O, groups) of the group figure's two panels: two groups, and depthwise.
GROUP_CASES = ((4, 6, 2), (4, 4, 4))
GROUP_FILLS = ("#ffe8d9", "#dbe4ff", "#d3f9d8", "#fff3bf")
GROUP_STROKES = ("#e8590c", "#3b5bdb", "#2f9e44", "#f08c00")


def group_problem(C: int, O: int, groups: int):
    """A validated problem of this channel structure (1-D, kernel 1), for its group map."""
    return conv_problem(np.zeros((1, C, 1)), np.zeros((O, C // groups, 1)), stride=(1,),
                        padding="VALID", dilation=(1,), groups=groups)


def groups_svg(narrow: bool = False) -> str:
    """Which input channels each output channel reads: the block structure of W (CV-AT3, CV-AT4)."""
    cell, pad, gap, head = 40, 20, 60, 28
    panels = []
    for C, O, g in GROUP_CASES:
        p = group_problem(C, O, g)
        panels.append((C, O, g, p))
    panel_w = head + max(C for C, _, _ in GROUP_CASES) * cell
    panel_h = 44 + head + max(O for _, O, _ in GROUP_CASES) * cell + 52
    if narrow:
        width, height = pad * 2 + panel_w + 70, pad + 2 * panel_h
    else:
        width, height = pad * 2 + 2 * (panel_w + 70) + gap, pad + panel_h
    body = []
    for n, (C, O, g, p) in enumerate(panels):
        x0 = pad + (0 if narrow else n * (panel_w + 70 + gap))
        y0 = pad + (n * panel_h if narrow else 0)
        title = f"groups = {g}" + (" (depthwise)" if g == C else "")
        body.append(svg.text(x0 + head + C * cell / 2, y0 + 12, title, 15, weight="bold"))
        body.append(svg.text(x0 + head + C * cell / 2, y0 + 34, "input channel c", 12, fill=NOTE))
        gx, gy = x0 + head, y0 + 44 + head
        for c in range(C):
            body.append(svg.text(gx + (c + 0.5) * cell, gy - 12, c, 13, fill=NOTE))
        for o in range(O):
            body.append(svg.text(gx - 14, gy + (o + 0.5) * cell, o, 13, fill=NOTE))
            reads = p.channels_of(o)
            group = p.group_of(o)
            for c in range(C):
                inside = c in reads
                fill = GROUP_FILLS[group % len(GROUP_FILLS)] if inside else "#ffffff"
                body.append(svg.rect(gx + c * cell, gy + o * cell, cell, cell, fill=fill,
                                     extra=f'data-o="{o}" data-c="{c}" data-read="{int(inside)}"'))
                if inside:
                    body.append(svg.text(gx + (c + 0.5) * cell, gy + (o + 0.5) * cell,
                                         c - reads.start, 13))
        for k in range(g):
            rows, cols = p.out_per_group, p.in_per_group
            body.append(svg.rect(gx + k * cols * cell, gy + k * rows * cell, cols * cell,
                                 rows * cell, stroke=GROUP_STROKES[k % len(GROUP_STROKES)], width=3))
            body.append(svg.text(gx + C * cell + 8, gy + (k + 0.5) * rows * cell,
                                 f"group {k}", 12, anchor="start",
                                 fill=GROUP_STROKES[k % len(GROUP_STROKES)], weight="bold"))
        body.append(svg.text(gx - 14, gy - 12, "o", 12, fill=NOTE))
        body.append(svg.text(x0 + head + C * cell / 2, gy + O * cell + 22,
                             f"W has shape ({O}, {p.in_per_group}, …): C/g = {p.in_per_group}",
                             13, fill=NOTE))
    return svg.document(
        width, height, body,
        "The input channels each output channel reads, for two group counts",
        "Rows are output channels, columns input channels; a coloured cell is read, and its "
        "number is the index c' of W[o, c'] that weighs it.")


@figure("generated/figures/layer-groups.svg")
def layer_groups() -> str:
    return groups_svg()


@figure("generated/figures/layer-groups-narrow.svg")
def layer_groups_narrow() -> str:
    return groups_svg(narrow=True)


# ----------------------------------------------------------------- tables and the worked example

@marker("layer-same-table")
def same_table() -> str:
    """SAME_UPPER and SAME_LOWER pads for a few axes, each checked to give ⌈i/s⌉ outputs."""
    cases = ((7, 4, 2, 1), (8, 3, 3, 1), (6, 3, 1, 2), (5, 2, 1, 1), (5, 3, 4, 1), (4, 1, 2, 1))
    lines = ["| $i, k, s, \\delta$ | $k_\\mathrm{eff}$ | outputs | total "
             "| SAME_UPPER | SAME_LOWER |", "|:---|---:|---:|---:|:---|:---|"]
    for i, k, s, d in cases:
        upper, lower = same_pads(i, k, s, d, "SAME_UPPER"), same_pads(i, k, s, d, "SAME_LOWER")
        for lo, hi in (upper, lower):
            if Axis(i, k, s, d, lo, hi).out != math.ceil(i / s):
                raise MarkerError(f"SAME pads {(lo, hi)} of {(i, k, s, d)} do not give ceil(i/s)")
        lines.append(f"| {i}, {k}, {s}, {d} | {(k - 1) * d + 1} | {math.ceil(i / s)} "
                     f"| {sum(upper)} | ({upper[0]}, {upper[1]}) | ({lower[0]}, {lower[1]}) |")
    return "\n".join(lines)


@marker("layer-shape-table")
def shape_table() -> str:
    """CV-SH1 along one axis for cases a reader meets, each confirmed by the oracle's shape.

    "Never read" lists the input elements no window tap reaches (`Axis.feeder_counts`).
    """
    cases = ((8, 3, 2, 1, (0, 0), "a remainder"),
             (7, 3, 2, 2, (1, 1), "stride and dilation 2"),
             (5, 2, 3, 1, (-1, 0), "a negative pad crops"),
             (4, 6, 1, 1, (0, 0), "window larger than the input"),
             (3, 1, 1, 1, (-2, -2), "cropped to nothing"),
             (0, 2, 1, 1, (1, 1), "zero-size input, padded"))
    lines = ["| case | $i, k, s, \\delta$ | $(lo, hi)$ | $\\mathit{padded}$ | $k_\\mathrm{eff}$ "
             "| outputs | never read |", "|:---|:---|:---|---:|---:|---:|:---|"]
    for i, k, s, d, (lo, hi), note in cases:
        axis = Axis(i, k, s, d, lo, hi)
        shape = conv(np.zeros((1, 1, i)), np.zeros((1, 1, k)), stride=(s,), padding=((lo, hi),),
                     dilation=(d,), groups=1).shape
        if shape != (1, 1, axis.out):
            raise MarkerError(f"the oracle's shape {shape} disagrees with Axis.out={axis.out}")
        unread = [str(u) for u, count in enumerate(axis.feeder_counts()) if count == 0]
        lines.append(f"| {note} | {i}, {k}, {s}, {d} | $({lo}, {hi})$ | {svg.fmt(axis.padded)} "
                     f"| {axis.k_eff} | {axis.out} | {', '.join(unread) or 'none'} |")
    return "\n".join(lines)


#: The worked example: 1-D, C = 4, O = 2, groups = 2, stride 2, dilation 2, SAME_LOWER, a bias.
EXAMPLE_X = np.array([[[3, 1, 4, 1, 5, 9, 2, 6],
                       [5, 3, 5, 8, 9, 7, 9, 3],
                       [2, 3, 8, 4, 6, 2, 6, 4],
                       [3, 3, 8, 3, 2, 7, 9, 5]]])
EXAMPLE_W = np.array([[[1, 0, -1], [2, 1, 0]],
                      [[0, -1, 1], [1, 2, -1]]])
EXAMPLE_B = np.array([10, -5])
EXAMPLE_ATTRS = {"stride": (2,), "padding": "SAME_LOWER", "dilation": (2,), "groups": 2}
EXAMPLE_AT = (0, 1, 2)


def _cell(value) -> str:
    return escape(str(value).replace("-", "\u2212"))


def _table(values, caption: str, classes=None, columns=None, rows=None) -> str:
    """A small matrix as an HTML table; ``classes`` maps (row, column) to a CSS class."""
    values = np.asarray(values)
    classes = classes or {}
    columns = columns if columns is not None else list(range(values.shape[1]))
    rows = rows if rows is not None else list(range(values.shape[0]))
    head = "".join(f"<th>{escape(str(c))}</th>" for c in columns)
    body = [f'<tr><th class="corner"></th>{head}</tr>']
    for r in range(values.shape[0]):
        cells = "".join(
            (f'<td class="{classes[(r, c)]}">' if (r, c) in classes else "<td>")
            + _cell(values[r, c]) + "</td>" for c in range(values.shape[1]))
        body.append(f"<tr><th>{escape(str(rows[r]))}</th>{cells}</tr>")
    return (f'<figure class="cs-matrix"><table class="cs-grid">{"".join(body)}</table>'
            f"<figcaption>{caption}</figcaption></figure>")


def _tex(value) -> str:
    value = int(value)
    return f"({{{value}}})" if value < 0 else str(value)


@marker("layer-worked-example")
def worked_example() -> str:
    """The layer on a small 1-D problem: pads, padded input, result, and one output term by term."""
    X, W, B, attrs = EXAMPLE_X, EXAMPLE_W, EXAMPLE_B, EXAMPLE_ATTRS
    p = conv_problem(X, W, B, **attrs)
    Y = conv(X, W, B, **attrs)
    (axis,), Xp = p.geometry.axes, p.geometry.pad(X)
    n, o, j = EXAMPLE_AT
    channels = p.channels_of(o)
    taps = [j * axis.stride + a * axis.dilation for a in range(axis.kernel)]
    terms = [(int(Xp[n, c, q]), int(W[o, c - channels.start, a]))
             for c in channels for a, q in enumerate(taps)]
    total = int(B[o]) + sum(x * w for x, w in terms)
    if total != Y[n, o, j]:
        raise MarkerError(f"written-out sum {total} disagrees with the oracle's {Y[n, o, j]}")

    pad_cols = {(c, q): "pad" for c in range(Xp.shape[1]) for q in range(Xp.shape[2])
                if not 0 <= q - axis.lo < axis.size}
    marks = {**pad_cols, **{(c, q): "window" for c in channels for q in taps}}
    columns = [f"{q}" for q in range(Xp.shape[2])]
    lines = []
    for c in channels:
        row = [(int(Xp[n, c, q]), int(W[o, c - channels.start, a])) for a, q in enumerate(taps)]
        products = " + ".join(f"{_tex(x)} \\cdot {_tex(w)}" for x, w in row)
        lines.append(f"+ \\left( {products} \\right)")
    partials = [sum(int(Xp[n, c, q]) * int(W[o, c - channels.start, a]) for a, q in enumerate(taps))
                for c in channels]
    written = (f"\\begin{{array}}{{rl}} Y[{n}, {o}, {j}] & = B[{o}] " + " \\\\ & ".join(lines)
               + f" \\\\ & = {_tex(B[o])} + " + " + ".join(_tex(v) for v in partials)
               + f" = {total} \\end{{array}}")
    per_group = p.out_per_group
    grids = ('<div class="cs-matrices cs-long">'
             + _table(Xp[0], f"X padded: Xp[0, c, q] (pads shaded, the window of "
                             f"Y[{n}, {o}, {j}] in orange)", marks, columns)
             + "</div>"
             + '<div class="cs-matrices">'
             + _table(W.reshape(W.shape[0], -1),
                      "W[o, c′, a], columns (c′, a)",
                      {(o, k): "window" for k in range(W.shape[1] * W.shape[2])},
                      [f"{c},{a}" for c in range(W.shape[1]) for a in range(W.shape[2])])
             + _table(B[:, None], "B", {(o, 0): "window"}, [""])
             + _table(Y[0], f"Y[0, o, j] = conv(X, W, B, …)", {(o, j): "output"})
             + "</div>")
    size = axis.size
    return f"""
The input $X$ has shape {X.shape}: $N = 1$, $C = {X.shape[1]}$ and one spatial axis of
length $i = {size}$. The weights $W$ have shape {W.shape}, so $O = {W.shape[0]}$, and
with {attrs['groups']} groups each output channel reads $C/g = {p.in_per_group}$ input
channels. The call is

```python
conv(X, W, B, stride=(2,), padding="SAME_LOWER", dilation=(2,), groups=2)
```

**Pads ([CV-PD2](specification.md#CV-PD2)).** The dilated kernel spans
$k_\\mathrm{{eff}} = ({axis.kernel} - 1) \\cdot {axis.dilation} + 1 = {axis.k_eff}$.
SAME asks for $\\lceil {size} / {axis.stride} \\rceil = {axis.out}$ outputs, which need
$\\text{{total}} = ({axis.out} - 1) \\cdot {axis.stride} + {axis.k_eff} - {size}
= {axis.lo + axis.hi}$ padding elements. SAME_LOWER puts the odd one at the start:
$(lo, hi) = ({axis.lo}, {axis.hi})$, and the padded axis has
${axis.lo} + {size} + {axis.hi} = {axis.padded}$ elements.

**Shape ([CV-SH1](specification.md#CV-SH1)).**
$\\lfloor ({axis.padded} - {axis.k_eff}) / {axis.stride} \\rfloor + 1 = {axis.out}$, so $Y$
has shape {Y.shape}.

**Values ([CV-EQ1](specification.md#CV-EQ1)).** Output channel $o = {o}$ is in group
$\\lfloor {o} / (O/g) \\rfloor = {o // per_group}$ and reads input channels
{channels.start} and {channels.stop - 1}. Output $j = {j}$ starts at padded position
$j \\cdot s = {j * axis.stride}$, and its taps lie at
${j * axis.stride} + a \\cdot {axis.dilation}$ for $a = 0, 1, 2$: padded positions
{", ".join(str(q) for q in taps)}. The bias is one more term:

$${written}$$

{grids}
"""


@marker("layer-adapter-claims")
def adapter_claims() -> str:
    """What each bundled layer adapter claims, read from its `Backend` (measured by the adapter tests)."""
    from convspec.conformance.adapters import REGISTRY, load

    names = [name for name, entry in REGISTRY.items() if entry.op == "conv"]
    lines = ["| adapter | dtypes | padding forms | not claimed |", "|:---|:---|:---|:---|"]
    order = ("explicit", "asymmetric", "negative", "VALID", "SAME_UPPER", "SAME_LOWER")
    for name in names:
        try:
            claims = load(name).for_op("conv").claims
        except Exception as exc:  # a library missing on the build machine
            lines.append(f"| `{name}` | not installed here ({type(exc).__name__}) | | |")
            continue
        forms = ", ".join(f for f in order if f in claims.padding)
        features = {"dilation": claims.dilation, "groups": claims.groups, "a bias": claims.bias,
                    "empty outputs": claims.empty_outputs, "zero-size inputs": claims.zero_size,
                    "mixed dtypes": claims.mixed_dtypes}
        missing = [f for f in order if f not in claims.padding]
        missing += [name for name, claimed in features.items() if not claimed]
        lines.append(f"| `{name}` | {', '.join(claims.dtypes)} | {forms} "
                     f"| {', '.join(missing) or 'nothing'} |")
    return "\n".join(lines)
