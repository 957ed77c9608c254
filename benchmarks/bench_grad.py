"""Timing of the reference's input and weight gradients on real CNN layers against torch.

The rows are the layer table of ``bench_layer.py`` (its `LAYERS`), at batch 1
and 8, in float32 and float64.  For each row and each gradient the table gives
the reference's time in milliseconds (``convspec.reference.conv_input_grad``,
``conv_weight_grad``), torch's two ways to the same gradient, and the ratio
``reference / torch`` against the faster of the two (below 1: the reference is
faster), plus the reference's peak extra memory for each (NumPy allocations
traced by :mod:`tracemalloc` in a separate, untimed call).  Every time is the
fastest of ``--repeat`` calls after one warm-up, the contenders taking turns
call by call (`bench_layer.fastest`).

Peers (``torch.set_num_threads(2)``):

* ``autograd``: the backward pass of ``torch.nn.functional.conv{1,2,3}d``
  through ``torch.autograd.grad`` on a graph kept from one forward call, with
  only the operand of interest requiring a gradient;
* ``nn.grad``: ``torch.nn.grad.conv{1,2,3}d_input`` and ``conv{1,2,3}d_weight``.

Usage::

    python benchmarks/bench_grad.py                      # the full table
    python benchmarks/bench_grad.py --quick              # batch 1, float32, a few rows
    python benchmarks/bench_grad.py --rows stem dw --batch 1 --dtype float32
    python benchmarks/bench_grad.py --markdown benchmarks/results_grad.md

``--cpu`` measures instead the processor time of one thread per contender
(``time.process_time``; BLAS, torch and the reference each held to one
thread): a comparison of the work each does that a busy machine disturbs far
less than wall-clock times.

As for ``bench_layer.py``, run it with the BLAS library's own kernel choice
(``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python ...``).  The header gives
the load average at the start and the table's last line the load average at the
end: the machine may be shared.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from contextlib import ExitStack
from unittest import mock

import numpy as np

from bench_layer import LAYERS, QUICK, Layer, _ms, environment, fastest, peak_extra_bytes

from convspec import reference

GRADIENTS = ("dX", "dW")
PEERS = ("autograd", "nn.grad")


def torch_calls(layer: Layer, X: np.ndarray, W: np.ndarray, dY: np.ndarray, threads: int) -> dict[str, dict]:
    """``{gradient: {peer: call}}`` for torch, on tensors made once."""
    import torch
    torch.set_num_threads(threads)
    d = len(layer.spatial)
    conv = getattr(torch.nn.functional, f"conv{d}d")
    grad_input, grad_weight = getattr(torch.nn.grad, f"conv{d}d_input"), getattr(torch.nn.grad, f"conv{d}d_weight")
    keys = dict(stride=layer.stride, padding=layer.pad, dilation=layer.dilation, groups=layer.groups)
    x, w, dy = torch.from_numpy(X), torch.from_numpy(W), torch.from_numpy(dY)
    xg, wg = x.clone().requires_grad_(), w.clone().requires_grad_()
    y_dx, y_dw = conv(xg, w, **keys), conv(x, wg, **keys)
    return {
        "dX": {"autograd": lambda: torch.autograd.grad(y_dx, xg, dy, retain_graph=True),
               "nn.grad": lambda: grad_input(X.shape, w, dy, **keys)},
        "dW": {"autograd": lambda: torch.autograd.grad(y_dw, wg, dy, retain_graph=True),
               "nn.grad": lambda: grad_weight(x, W.shape, dy, **keys)},
    }


def run_row(layer: Layer, N: int, dtype: str, repeat: int, with_torch: bool, cpu: bool) -> dict:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, layer.C, *layer.spatial)).astype(dtype)
    W = rng.standard_normal((layer.O, layer.C // layer.groups, *layer.kernel)).astype(dtype)
    dY = rng.standard_normal((N, layer.O, *layer.out_spatial())).astype(dtype)
    attrs = layer.attributes()
    ours = {"dX": lambda: reference.conv_input_grad(dY, W, input_shape=X.shape, **attrs),
            "dW": lambda: reference.conv_weight_grad(X, dY, kernel_shape=W.shape, **attrs)}
    theirs = torch_calls(layer, X, W, dY, 1 if cpu else 2) if with_torch else {g: {} for g in GRADIENTS}
    row = {"layer": layer.name, "N": N, "dtype": dtype}
    for gradient in GRADIENTS:
        calls = {"ref": ours[gradient], **theirs[gradient]}
        for call in calls.values():
            call()  # warm-up
        times = fastest(calls, repeat, time.process_time if cpu else time.perf_counter)
        row.update({f"{gradient} {name}": ms for name, ms in times.items()})
        row[f"{gradient} peak"] = peak_extra_bytes(ours[gradient]) / 2 ** 20
    return row


def _ratio(row: dict, gradient: str) -> str:
    peers = [row[f"{gradient} {p}"] for p in PEERS if f"{gradient} {p}" in row]
    return f"{row[f'{gradient} ref'] / min(peers):.2f}" if peers else "n/a"


def table(rows: list[dict]) -> str:
    head = ["layer", "N", "dtype"]
    for gradient in GRADIENTS:
        head += [f"{gradient} ref ms"] + [f"{gradient} {p} ms" for p in PEERS] + \
                [f"{gradient} ref/torch", f"{gradient} peak MiB"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["layer"], str(r["N"]), r["dtype"]]
        for gradient in GRADIENTS:
            cells += [_ms(r[f"{gradient} ref"])] + [_ms(r.get(f"{gradient} {p}")) for p in PEERS] + \
                     [_ratio(r, gradient), f"{r[f'{gradient} peak']:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="batch 1, float32, a few rows")
    parser.add_argument("--rows", nargs="*", default=None, help="run the layers whose name contains one of these")
    parser.add_argument("--batch", nargs="*", type=int, default=[1, 8])
    parser.add_argument("--dtype", nargs="*", default=["float32", "float64"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-torch", action="store_true", help="time the reference alone")
    parser.add_argument("--cpu", action="store_true", help="processor time of one thread per contender")
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args(argv)
    layers = list(LAYERS)
    if args.quick:
        layers, args.batch, args.dtype = [l for l in layers if l.name in QUICK], [1], ["float32"]
    if args.rows:
        layers = [l for l in layers if any(key in l.name for key in args.rows)]
    with_torch = not args.no_torch
    if with_torch:
        try:
            import torch  # noqa: F401
        except ImportError:
            with_torch = False
    env = environment()
    print(env, flush=True)
    with ExitStack() as single:
        if args.cpu:
            from threadpoolctl import threadpool_limits
            from convspec.reference import layer_threads
            single.enter_context(threadpool_limits(1))
            single.enter_context(mock.patch.object(layer_threads, "WORKERS", 1))
            print("processor time, one thread per contender", flush=True)
        rows = measure(layers, args, with_torch)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else math.nan
    text = f"{table(rows)}\n\nLoad average at the end: {load:.2f}"
    print(text)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(f"Machine: {env}\n\n{text}\n")


def measure(layers, args, with_torch: bool) -> list[dict]:
    """Every row of the table, printed as it is measured."""
    rows = []
    for dtype in args.dtype:
        for N in args.batch:
            for layer in layers:
                r = run_row(layer, N, dtype, args.repeat, with_torch, args.cpu)
                rows.append(r)
                print(f"  {r['layer']:<30} N={N} {dtype}: " + "; ".join(
                    f"{g} ref {r[f'{g} ref']:.2f} ms, ratio {_ratio(r, g)}" for g in GRADIENTS), flush=True)
    return rows


if __name__ == "__main__":
    main()
