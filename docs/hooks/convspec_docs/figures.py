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
from .registry import figure

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


def sliding_svg(stride: tuple[int, int]) -> str:
    """The kernel sliding over M window by window while C fills in (animated)."""
    sx, sy = stride
    C = conv2d(M, K, stride=stride)
    positions = _positions(stride)
    steps = len(positions) + HOLD_STEPS
    total = steps * STEP_SECONDS
    cell, top = 40, 56
    m_x = 24
    k_x = m_x + M.shape[1] * cell + 64
    c_x = k_x + K.shape[1] * cell + 64
    width = c_x + C.shape[1] * cell + 24
    height = top + M.shape[0] * cell + 64

    body = [svg.text(m_x + M.shape[1] * cell / 2, 24, f"M  ({M.shape[0]} × {M.shape[1]})", 16,
                     weight="bold"),
            svg.text(k_x + K.shape[1] * cell / 2, 24, f"K  ({K.shape[0]} × {K.shape[1]})", 16,
                     weight="bold"),
            svg.text(c_x + C.shape[1] * cell / 2, 24, f"C  ({C.shape[0]} × {C.shape[1]})", 16,
                     weight="bold")]
    body += svg.grid(m_x, top, M, cell, 16)
    body += svg.grid(k_x, top, [[svg.fmt(v) for v in row] for row in K], cell, 16,
                     fill=svg.WINDOW_FILL)
    body.append(svg.rect(k_x, top, K.shape[1] * cell, K.shape[0] * cell, stroke=svg.WINDOW,
                         width=3))
    body += [svg.rect(c_x + j * cell, top + i * cell, cell, cell)
             for i in range(C.shape[0]) for j in range(C.shape[1])]

    # The window: a translucent box and the kernel's weights in the cell corners.
    moves = [f"{j * sy * cell} {i * sx * cell}" for i, j in positions]
    moves += [moves[-1]] * HOLD_STEPS
    window = [svg.rect(m_x, top, K.shape[1] * cell, K.shape[0] * cell, fill=svg.WINDOW,
                       stroke=svg.WINDOW, width=3, extra='fill-opacity="0.18"')]
    for a in range(K.shape[0]):
        for b in range(K.shape[1]):
            window.append(svg.text(m_x + (b + 1) * cell - 4, top + (a + 1) * cell - 8,
                                   "×" + svg.fmt(K[a, b]), 10, fill=svg.WINDOW,
                                   anchor="end", weight="bold"))
    body.append("<g>" + "".join(window)
                + _discrete("transform", moves, steps, total, "animateTransform") + "</g>")

    # The output cell being computed, and each value appearing at its step.
    marks = [f"{j * cell} {i * cell}" for i, j in positions] + [f"{-10 * cell} 0"] * HOLD_STEPS
    body.append("<g>" + svg.rect(c_x, top, cell, cell, fill=svg.OUTPUT_FILL, stroke=svg.OUTPUT,
                                 width=3)
                + _discrete("transform", marks, steps, total, "animateTransform") + "</g>")
    for k, (i, j) in enumerate(positions):
        appear = _discrete("opacity", ["0"] * k + ["1"] * (steps - k), steps, total)
        body.append(svg.text(c_x + (j + 0.5) * cell, top + (i + 0.5) * cell, svg.fmt(C[i, j]), 16,
                             fill=svg.OUTPUT, weight="bold", extra='opacity="0"')
                    .replace("</text>", appear + "</text>"))

    # A caption line naming the current sum.
    caption_y = top + M.shape[0] * cell + 32
    for k, (i, j) in enumerate(positions):
        values = ["0"] * k + ["1"] + ["0"] * (steps - k - 1)
        line = (f"C[{i}, {j}] = sum of M[{i * sx}…{i * sx + K.shape[0] - 1}, "
                f"{j * sy}…{j * sy + K.shape[1] - 1}] × K  =  {svg.fmt(C[i, j])}")
        body.append(svg.text(width / 2, caption_y, line, 15, extra='opacity="0"')
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


def frames_svg(stride: tuple[int, int]) -> str:
    """Every window position of one stride side by side (a static frame strip)."""
    sx, sy = stride
    C = conv2d(M, K, stride=stride)
    positions = _positions(stride)
    cell, gap, pad = 24, 28, 16
    frame_w = M.shape[1] * cell
    width = pad * 2 + len(positions) * frame_w + (len(positions) - 1) * gap
    height = pad + 20 + M.shape[0] * cell + 44
    body = []
    for k, (i, j) in enumerate(positions):
        x0 = pad + k * (frame_w + gap)
        y0 = pad + 20
        body.append(svg.text(x0 + frame_w / 2, pad + 4, f"step {k + 1}", 13, fill="#52606d"))
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


def stride_shapes_svg(size: int = 8, ksize: int = 3, strides=(1, 2, 3, 4)) -> str:
    """One axis of length ``size``: where the windows land for each stride (Eq 1)."""
    cell, pad, label_w = 34, 18, 250
    row_gap = 26
    rows = []
    y = pad
    for step in strides:
        count = output_shape((size, 1), (ksize, 1), (step, 1))[0]
        lanes = -(-ksize // step)
        rows.append((step, count, lanes, y))
        y += 22 + lanes * 12 + cell + row_gap
    width = pad * 2 + size * cell + label_w
    height = y - row_gap + pad
    body = []
    for step, count, lanes, y0 in rows:
        covered = {step * k + d for k in range(count) for d in range(ksize)}
        cells_y = y0 + 22 + lanes * 12
        body.append(svg.text(pad, y0 + 6, f"stride {step}", 14, anchor="start", weight="bold"))
        for k in range(count):
            lane = k % lanes
            bar_y = y0 + 18 + lane * 12
            x_start = pad + step * k * cell + 3
            body.append(svg.rect(x_start, bar_y, ksize * cell - 6, 8, fill=svg.WINDOW,
                                 stroke="none", extra='rx="4"'))
        for c in range(size):
            used = c in covered
            body.append(svg.rect(pad + c * cell, cells_y, cell, cell,
                                 fill="#ffffff" if used else "#eef0f2",
                                 stroke=svg.GRID if used else svg.MUTED))
            body.append(svg.text(pad + (c + 0.5) * cell, cells_y + cell / 2, c, 12,
                                 fill=svg.INK if used else "#9aa5b1"))
        unused = size - 1 - max(covered)
        label = f"⌊({size} − {ksize}) / {step}⌋ + 1 = {count} outputs"
        body.append(svg.text(pad + size * cell + 20, cells_y + cell / 2 - 9, label, 14,
                             anchor="start", fill=svg.OUTPUT, weight="bold"))
        note = "every element used" if unused == 0 else \
            f"last {unused} element{'s' if unused > 1 else ''} never read"
        body.append(svg.text(pad + size * cell + 20, cells_y + cell / 2 + 11, note, 13,
                             anchor="start", fill="#52606d"))
    return svg.document(
        width, height, body,
        f"Window positions along an axis of length {size} for a kernel of length {ksize}",
        "For each stride, orange bars mark the windows; grey cells are never read.")


@figure("generated/figures/stride-shapes.svg")
def stride_shapes() -> str:
    return stride_shapes_svg()
