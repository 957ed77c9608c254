"""The figures of the mathematics page, drawn as SVG by plain Python.

Every number in them comes from the specification's own functions
(``convspec.spec.conv2d`` and ``convspec.spec.shape.output_shape``) applied to
the example arrays in ``examples.py``.
"""

from __future__ import annotations

from convspec.spec import conv2d
from convspec.spec.shape import output_shape

from . import svg
from .examples import K, M
from html import escape

from .registry import FIGURES, MarkerError, figure, marker

STEP_SECONDS = 1.2
HOLD_STEPS = 2


def _positions(stride: tuple[int, int]) -> list[tuple[int, int]]:
    rows, cols = output_shape(M.shape, K.shape, stride)
    return [(i, j) for i in range(rows) for j in range(cols)]


def _discrete(attribute: str, values: list[str], steps: int, total: float,
              kind: str = "animate") -> str:
    """A SMIL animation jumping through ``values``, one per step, looping forever."""
    key_times = ";".join(f"{k / steps:.6f}" for k in range(len(values)))
    type_attr = ' type="translate"' if kind == "animateTransform" else ""
    return (f'<{kind} attributeName="{attribute}"{type_attr} calcMode="discrete" '
            f'values="{";".join(values)}" keyTimes="{key_times}" dur="{total:g}s" '
            f'repeatCount="indefinite"/>')


def sliding_frames(stride: tuple[int, int]) -> list[dict]:
    """What the sliding figure shows at each step of its loop.

    One entry per step: ``window`` is the (row, column) of the window's top-left
    corner on M, and ``output`` the output cell being computed, or None during
    the hold steps at the end of the loop, when the finished C is shown alone.
    """
    sx, sy = stride
    positions = _positions(stride)
    frames = [{"window": (i * sx, j * sy), "output": (i, j)} for i, j in positions]
    frames += [{"window": frames[-1]["window"], "output": None}] * HOLD_STEPS
    return frames


def _layout(stride: tuple[int, int], narrow: bool) -> dict:
    """Where M, K and C go: side by side, or M above K and C for narrow screens."""
    rows, cols = output_shape(M.shape, K.shape, stride)
    cell, top, pad, gap = 40, 56, 24, 64
    if not narrow:
        m = (pad, top)
        k = (m[0] + M.shape[1] * cell + gap, top)
        c = (k[0] + K.shape[1] * cell + gap, top)
        width = c[0] + cols * cell + pad
        bottom = top + M.shape[0] * cell
    else:
        gap = 40
        m = (pad, top)
        below = top + M.shape[0] * cell + 56
        k = (pad, below)
        c = (k[0] + K.shape[1] * cell + gap, below)
        width = max(m[0] + M.shape[1] * cell, c[0] + cols * cell) + pad
        bottom = below + max(K.shape[0], rows) * cell
    return {"cell": cell, "M": m, "K": k, "C": c, "width": width, "height": bottom + 64,
            "caption_y": bottom + 32, "title_dy": -32}


def sliding_svg(stride: tuple[int, int], narrow: bool = False) -> str:
    """The kernel sliding over M window by window while C fills in (animated)."""
    sx, sy = stride
    C = conv2d(M, K, stride=stride)
    frames = sliding_frames(stride)
    positions = [f["output"] for f in frames if f["output"] is not None]
    steps = len(frames)
    total = steps * STEP_SECONDS
    box = _layout(stride, narrow)
    cell = box["cell"]
    (m_x, m_y), (k_x, k_y), (c_x, c_y) = box["M"], box["K"], box["C"]
    width, height = box["width"], box["height"]

    body = [svg.text(m_x + M.shape[1] * cell / 2, m_y - 32, f"M  ({M.shape[0]} × {M.shape[1]})",
                     16, weight="bold"),
            svg.text(k_x + K.shape[1] * cell / 2, k_y - 32, f"K  ({K.shape[0]} × {K.shape[1]})",
                     16, weight="bold"),
            svg.text(c_x + C.shape[1] * cell / 2, c_y - 32, f"C  ({C.shape[0]} × {C.shape[1]})",
                     16, weight="bold")]
    body += svg.grid(m_x, m_y, M, cell, 16)
    body += svg.grid(k_x, k_y, [[svg.fmt(v) for v in row] for row in K], cell, 16,
                     fill=svg.WINDOW_FILL)
    body.append(svg.rect(k_x, k_y, K.shape[1] * cell, K.shape[0] * cell, stroke=svg.WINDOW,
                         width=3))
    body += [svg.rect(c_x + j * cell, c_y + i * cell, cell, cell)
             for i in range(C.shape[0]) for j in range(C.shape[1])]

    # The window: a translucent box and the kernel's weights in the cell corners.
    moves = [f"{f['window'][1] * cell} {f['window'][0] * cell}" for f in frames]
    window = [svg.rect(m_x, m_y, K.shape[1] * cell, K.shape[0] * cell, fill=svg.WINDOW,
                       stroke=svg.WINDOW, width=3, extra='fill-opacity="0.18"')]
    for a in range(K.shape[0]):
        for b in range(K.shape[1]):
            window.append(svg.text(m_x + (b + 1) * cell - 3, m_y + (a + 1) * cell - 9,
                                   "×" + svg.fmt(K[a, b]), 12, fill=svg.WINDOW,
                                   anchor="end", weight="bold"))
    body.append('<g class="window">' + "".join(window)
                + _discrete("transform", moves, steps, total, "animateTransform") + "</g>")

    # The output cell being computed: it stays on C, and is hidden while the loop
    # holds on the finished result.
    last = next(f["output"] for f in reversed(frames) if f["output"] is not None)
    marks = [f"{(f['output'] or last)[1] * cell} {(f['output'] or last)[0] * cell}"
             for f in frames]
    shown = ["1" if f["output"] is not None else "0" for f in frames]
    body.append('<g class="output-mark">'
                + svg.rect(c_x, c_y, cell, cell, fill=svg.OUTPUT_FILL, stroke=svg.OUTPUT, width=3)
                + _discrete("transform", marks, steps, total, "animateTransform")
                + _discrete("opacity", shown, steps, total) + "</g>")
    for k, (i, j) in enumerate(positions):
        appear = _discrete("opacity", ["0"] * k + ["1"] * (steps - k), steps, total)
        body.append(svg.text(c_x + (j + 0.5) * cell, c_y + (i + 0.5) * cell, svg.fmt(C[i, j]),
                             16, fill=svg.OUTPUT, weight="bold", extra='opacity="0"')
                    .replace("</text>", appear + "</text>"))

    # A caption line naming the current sum.
    for k, (i, j) in enumerate(positions):
        values = ["0"] * k + ["1"] + ["0"] * (steps - k - 1)
        line = (f"C[{i}, {j}] = sum of M[{i * sx}…{i * sx + K.shape[0] - 1}, "
                f"{j * sy}…{j * sy + K.shape[1] - 1}] × K  =  {svg.fmt(C[i, j])}")
        body.append(svg.text(width / 2, box["caption_y"], line, 15, extra='opacity="0"')
                    .replace("</text>", _discrete("opacity", values, steps, total) + "</text>"))
    return svg.document(
        width, height, body,
        f"A 3 × 3 kernel sliding over a 6 × 6 input with stride ({sx}, {sy})",
        f"The window visits {len(positions)} positions, row by row, moving {sx} row(s) down "
        f"and {sy} column(s) right per step; each position produces one output value.")


@figure("generated/figures/sliding-stride-1.svg")
def sliding_stride_1() -> str:
    return sliding_svg((1, 1))


@figure("generated/figures/sliding-stride-2.svg")
def sliding_stride_2() -> str:
    return sliding_svg((2, 2))


@figure("generated/figures/sliding-stride-1-narrow.svg")
def sliding_stride_1_narrow() -> str:
    return sliding_svg((1, 1), narrow=True)


@figure("generated/figures/sliding-stride-2-narrow.svg")
def sliding_stride_2_narrow() -> str:
    return sliding_svg((2, 2), narrow=True)


def frames_svg(stride: tuple[int, int], per_row: int | None = None) -> str:
    """Every window position of one stride, a frame each (a static strip, or a grid)."""
    sx, sy = stride
    C = conv2d(M, K, stride=stride)
    positions = _positions(stride)
    cell, gap, pad = 24, 28, 16
    per_row = per_row or len(positions)
    frame_w = M.shape[1] * cell
    frame_h = 20 + M.shape[0] * cell + 44
    rows = -(-len(positions) // per_row)
    width = pad * 2 + per_row * frame_w + (per_row - 1) * gap
    height = pad + rows * frame_h + (rows - 1) * 12
    body = []
    for k, (i, j) in enumerate(positions):
        x0 = pad + (k % per_row) * (frame_w + gap)
        y0 = pad + 20 + (k // per_row) * (frame_h + 12)
        body.append(svg.text(x0 + frame_w / 2, y0 - 16, f"step {k + 1}", 13, fill="#52606d"))
        for r in range(M.shape[0]):
            for c in range(M.shape[1]):
                inside = (i * sx <= r < i * sx + K.shape[0]) and (j * sy <= c < j * sy + K.shape[1])
                body.append(svg.rect(x0 + c * cell, y0 + r * cell, cell, cell,
                                     fill=svg.WINDOW_FILL if inside else "#ffffff"))
                body.append(svg.text(x0 + (c + 0.5) * cell, y0 + (r + 0.5) * cell, M[r, c], 12,
                                     fill=svg.INK if inside else "#7b8794"))
        body.append(svg.rect(x0 + j * sy * cell, y0 + i * sx * cell, K.shape[1] * cell,
                             K.shape[0] * cell, stroke=svg.WINDOW, width=3))
        body.append(svg.text(x0 + frame_w / 2, y0 + M.shape[0] * cell + 22,
                             f"C[{i}, {j}] = {svg.fmt(C[i, j])}", 15, fill=svg.OUTPUT,
                             weight="bold"))
    return svg.document(
        width, height, body,
        f"Every window of a 3 × 3 kernel over a 6 × 6 input at stride ({sx}, {sy})",
        "One frame per output value, in row-major order, with the window highlighted.")


@figure("generated/figures/frames-stride-2.svg")
def frames_stride_2() -> str:
    return frames_svg((2, 2))


@figure("generated/figures/frames-stride-2-narrow.svg")
def frames_stride_2_narrow() -> str:
    return frames_svg((2, 2), per_row=2)


def axis_coverage(size: int, ksize: int, step: int) -> dict:
    """One axis under Eq 1: where the windows start and which elements none reads."""
    count = output_shape((size, 1), (ksize, 1), (step, 1))[0]
    starts = [step * k for k in range(count)]
    read = {start + d for start in starts for d in range(ksize)}
    return {"count": count, "starts": starts,
            "unread": [c for c in range(size) if c not in read]}


def describe_unread(unread: list[int], size: int) -> str:
    """'every element read', 'element 7 never read', 'elements 3 and 7 never read'."""
    if not unread:
        return "every element read"
    names = [str(c) for c in unread]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"element{'s' if len(names) > 1 else ''} {listed} never read"


def stride_shapes_svg(size: int = 8, ksize: int = 3, strides=(1, 2, 3, 4),
                      narrow: bool = False) -> str:
    """One axis of length ``size``: where the windows land for each stride (Eq 1).

    Each stride's cells are a ``<g data-stride=...>`` whose ``rect`` elements carry
    ``data-cell`` and ``data-read``, so tests can compare the figure with the table.
    """
    cell, pad = 34, 18
    label_w = 0 if narrow else 250
    label_h = 44 if narrow else 0
    row_gap = 26
    rows = []
    y = pad
    for step in strides:
        lanes = -(-ksize // step)
        rows.append((step, axis_coverage(size, ksize, step), lanes, y))
        y += 22 + lanes * 12 + cell + label_h + row_gap
    width = pad * 2 + size * cell + label_w
    height = y - row_gap + pad
    body = []
    for step, cover, lanes, y0 in rows:
        cells_y = y0 + 22 + lanes * 12
        body.append(svg.text(pad, y0 + 6, f"stride {step}", 14, anchor="start", weight="bold"))
        for k, start in enumerate(cover["starts"]):
            bar_y = y0 + 18 + (k % lanes) * 12
            body.append(svg.rect(pad + start * cell + 3, bar_y, ksize * cell - 6, 8,
                                 fill=svg.WINDOW, stroke="none", extra='rx="4"'))
        cells = []
        for c in range(size):
            used = c not in cover["unread"]
            cells.append(svg.rect(pad + c * cell, cells_y, cell, cell,
                                  fill="#ffffff" if used else "#eef0f2",
                                  stroke=svg.GRID if used else svg.MUTED,
                                  extra=f'data-cell="{c}" data-read="{int(used)}"'))
            cells.append(svg.text(pad + (c + 0.5) * cell, cells_y + cell / 2, c, 12,
                                  fill=svg.INK if used else "#7b8794"))
        body.append(f'<g data-stride="{step}">' + "".join(cells) + "</g>")
        label = f"⌊({size} − {ksize}) / {step}⌋ + 1 = {cover['count']} outputs"
        note = describe_unread(cover["unread"], size)
        if narrow:
            lx, ly, anchor = pad, cells_y + cell + 14, "start"
        else:
            lx, ly, anchor = pad + size * cell + 20, cells_y + cell / 2 - 9, "start"
        body.append(svg.text(lx, ly, label, 14, anchor=anchor, fill=svg.OUTPUT, weight="bold"))
        body.append(svg.text(lx, ly + 20, note, 13, anchor=anchor, fill="#52606d"))
    return svg.document(
        width, height, body,
        f"Window positions along an axis of length {size} for a kernel of length {ksize}",
        "For each stride, orange bars mark the windows; grey cells are never read.")


@figure("generated/figures/stride-shapes.svg")
def stride_shapes() -> str:
    return stride_shapes_svg()


@figure("generated/figures/stride-shapes-narrow.svg")
def stride_shapes_narrow() -> str:
    return stride_shapes_svg(narrow=True)


@marker("figure")
def figure_html(name: str, alt: str, caption: str = "") -> str:
    """A generated figure, with its narrow variant (if drawn) for screens under 600 px."""
    wide = f"generated/figures/{name}.svg"
    narrow = f"generated/figures/{name}-narrow.svg"
    if wide not in FIGURES:
        raise MarkerError(f"no figure is registered at {wide}")
    source = (f'<source media="(max-width: 600px)" srcset="{narrow}">'
              if narrow in FIGURES else "")
    text = escape(alt, quote=True)
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return (f'<figure class="cs-figure"><picture>{source}<img src="{wide}" alt="{text}">'
            f"</picture>{cap}</figure>")
