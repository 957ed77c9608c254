"""Timing of ``convspec.reference.conv`` on real CNN layers against torch, onnxruntime and numpy im2col.

Every layer runs at batch 1 and 8, in float32 and float64.  For each the table
gives the reference's time in milliseconds, torch's, onnxruntime's and a plain
NumPy im2col's, the ratio ``reference / torch`` (below 1: the reference is
faster), the reference's rate in GFLOP/s (``2·N·O·∏S_out·(C/g)·∏K``
operations) and its peak extra memory (NumPy allocations traced by
:mod:`tracemalloc` in a separate, untimed call), next to the size of its input
plus weights plus output.  Every time is the fastest of ``--repeat`` calls after one
warm-up, the contenders taking turns call by call.

Peers:

* ``torch``: ``torch.nn.functional.conv{1,2,3}d`` on the CPU, ``torch.set_num_threads(2)``;
* ``ort``: onnxruntime running a one-node ONNX ``Conv`` model built with
  ``onnx.helper``, 2 intra-op threads; ``n/a`` where onnxruntime has no kernel
  for the dtype (its CPU ``Conv`` is float32 only);
* ``im2col``: the whole window matrix formed with ``sliding_window_view`` and
  one batched ``matmul`` over the groups.

Usage::

    python benchmarks/bench_layer.py                      # the full table
    python benchmarks/bench_layer.py --quick              # batch 1, float32, a few rows
    python benchmarks/bench_layer.py --rows stem dw --batch 1 --dtype float32
    python benchmarks/bench_layer.py --markdown benchmarks/results_layer.md

Run it with the BLAS library's own kernel choice: if ``OPENBLAS_CORETYPE`` or
``OPENBLAS_L2_SIZE`` is set in the environment, unset it for this command
(``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python ...``); the header
names the kernel threadpoolctl reports.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import time
import tracemalloc
from dataclasses import dataclass
from typing import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from convspec import reference


@dataclass(frozen=True)
class Layer:
    name: str
    C: int
    O: int
    spatial: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: int = 1
    pad: int = 0
    dilation: int = 1
    groups: int = 1

    @property
    def depthwise(self) -> bool:
        return self.groups == self.C and self.C > 1

    def attributes(self) -> dict:
        d = len(self.spatial)
        return dict(stride=(self.stride,) * d, padding=((self.pad, self.pad),) * d,
                    dilation=(self.dilation,) * d, groups=self.groups)

    def out_spatial(self) -> tuple[int, ...]:
        k_eff = [(k - 1) * self.dilation + 1 for k in self.kernel]
        return tuple((i + 2 * self.pad - k) // self.stride + 1 for i, k in zip(self.spatial, k_eff))

    def flops(self, N: int) -> int:
        return 2 * N * self.O * math.prod(self.out_spatial()) * (self.C // self.groups) * math.prod(self.kernel)


LAYERS = (
    Layer("resnet50 stem 7x7 s2", 3, 64, (224, 224), (7, 7), 2, 3),
    Layer("resnet50 3x3 56^2", 64, 64, (56, 56), (3, 3), 1, 1),
    Layer("resnet50 1x1 56^2", 64, 256, (56, 56), (1, 1)),
    Layer("resnet50 3x3 28^2", 128, 128, (28, 28), (3, 3), 1, 1),
    Layer("resnet50 1x1 28^2", 128, 512, (28, 28), (1, 1)),
    Layer("resnet50 3x3 14^2", 256, 256, (14, 14), (3, 3), 1, 1),
    Layer("resnet50 1x1 14^2", 256, 1024, (14, 14), (1, 1)),
    Layer("resnet50 3x3 7^2", 512, 512, (7, 7), (3, 3), 1, 1),
    Layer("resnet50 1x1 7^2", 512, 2048, (7, 7), (1, 1)),
    Layer("resnet50 3x3 s2 56^2", 128, 128, (56, 56), (3, 3), 2, 1),
    Layer("resnext50 3x3 g32 56^2", 128, 128, (56, 56), (3, 3), 1, 1, groups=32),
    Layer("mobilenetv2 dw 3x3 s1 56^2", 144, 144, (56, 56), (3, 3), 1, 1, groups=144),
    Layer("mobilenetv2 dw 3x3 s2 112^2", 96, 96, (112, 112), (3, 3), 2, 1, groups=96),
    Layer("deeplab 3x3 d2 28^2", 256, 256, (28, 28), (3, 3), 1, 2, 2),
    Layer("deeplab 3x3 d4 28^2", 512, 512, (28, 28), (3, 3), 1, 4, 4),
    Layer("audio 1-D k3 s2 L3199", 512, 512, (3199,), (3,), 2, 1),
    Layer("video 3-D 3x3x3 8x28^2", 64, 64, (8, 28, 28), (3, 3, 3), 1, 1),
)
QUICK = ("resnet50 3x3 56^2", "resnet50 1x1 14^2", "resnext50 3x3 g32 56^2", "mobilenetv2 dw 3x3 s1 56^2")


def peak_extra_bytes(call: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def torch_peer(layer: Layer, X: np.ndarray, W: np.ndarray):
    import torch
    torch.set_num_threads(2)
    fn = {1: torch.nn.functional.conv1d, 2: torch.nn.functional.conv2d, 3: torch.nn.functional.conv3d}
    x, w = torch.from_numpy(X), torch.from_numpy(W)
    f = fn[len(layer.spatial)]
    return lambda: f(x, w, stride=layer.stride, padding=layer.pad, dilation=layer.dilation,
                     groups=layer.groups)


def ort_peer(layer: Layer, X: np.ndarray, W: np.ndarray):
    import onnx
    import onnxruntime as ort
    from onnx import helper
    elem = {np.dtype(np.float32): onnx.TensorProto.FLOAT, np.dtype(np.float64): onnx.TensorProto.DOUBLE}[X.dtype]
    d = len(layer.spatial)
    node = helper.make_node("Conv", ["X", "W"], ["Y"], kernel_shape=list(layer.kernel),
                            strides=[layer.stride] * d, pads=[layer.pad] * (2 * d),
                            dilations=[layer.dilation] * d, group=layer.groups)
    graph = helper.make_graph(
        [node], "conv", [helper.make_tensor_value_info("X", elem, list(X.shape))],
        [helper.make_tensor_value_info("Y", elem, None)],
        initializer=[onnx.numpy_helper.from_array(W, "W")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = 2, 1
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return lambda: session.run(None, {"X": X})


def im2col_peer(layer: Layer, X: np.ndarray, W: np.ndarray):
    d, g = len(layer.spatial), layer.groups
    spatial = tuple(range(2, 2 + d))

    def call():
        Xp = np.pad(X, [(0, 0), (0, 0)] + [(layer.pad, layer.pad)] * d)
        k_eff = tuple((k - 1) * layer.dilation + 1 for k in layer.kernel)
        view = sliding_window_view(Xp, k_eff, axis=spatial)
        view = view[(Ellipsis,) + (slice(None, None, layer.stride),) * 0]
        view = view[(slice(None), slice(None)) + (slice(None, None, layer.stride),) * d
                    + (slice(None, None, layer.dilation),) * d]
        N, S = X.shape[0], view.shape[2:2 + d]
        P, Cg = math.prod(S), X.shape[1] // g
        cols = view.reshape(N, g, Cg, P, -1).transpose(1, 0, 3, 2, 4).reshape(g, N * P, -1)  # the copy
        Wg = W.reshape(g, W.shape[0] // g, -1).transpose(0, 2, 1)
        Y = np.matmul(cols, Wg)  # (g, N*P, O/g)
        return Y.reshape(g, N, P, -1).transpose(1, 0, 3, 2).reshape(N, W.shape[0], *S)
    return call


PEERS = {"torch": torch_peer, "ort": ort_peer, "im2col": im2col_peer}


def available_peers(names) -> dict[str, Callable]:
    peers = {}
    for name in names:
        try:
            __import__({"torch": "torch", "ort": "onnxruntime", "im2col": "numpy"}[name])
            peers[name] = PEERS[name]
        except ImportError:
            pass
    return peers


def fastest(calls: dict[str, Callable[[], object]], repeat: int,
            clock: Callable[[], float] = time.perf_counter) -> dict[str, float]:
    """Each call's fastest time in milliseconds over ``repeat`` rounds in which the calls take turns."""
    best = dict.fromkeys(calls, math.inf)
    for _ in range(repeat):
        for name, call in calls.items():
            start = clock()
            call()
            best[name] = min(best[name], (clock() - start) * 1e3)
    return best


def run_row(layer: Layer, N: int, dtype: str, peers: dict, repeat: int) -> dict:
    """Time the reference and every peer in interleaved rounds (a busy moment of the machine then
    costs every contender alike), keeping each one's fastest call."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, layer.C, *layer.spatial)).astype(dtype)
    W = rng.standard_normal((layer.O, layer.C // layer.groups, *layer.kernel)).astype(dtype)
    attrs = layer.attributes()
    calls = {"ref": lambda: reference.conv(X, W, **attrs)}
    row = {"layer": layer.name, "N": N, "dtype": dtype}
    for name, make in peers.items():
        try:
            calls[name] = make(layer, X, W)
            calls[name]()  # warm-up
        except Exception as error:  # a peer without a kernel for this dtype, or out of memory
            calls.pop(name, None)
            row[name] = None
            row[name + " error"] = type(error).__name__
    calls["ref"]()
    row.update(fastest(calls, repeat))
    row["gflops"] = layer.flops(N) / row["ref"] / 1e6
    row["peak"] = peak_extra_bytes(calls["ref"]) / 2 ** 20
    out_bytes = N * layer.O * math.prod(layer.out_spatial()) * X.itemsize
    row["io"] = (X.nbytes + W.nbytes + out_bytes) / 2 ** 20
    return row


def blas_kernel() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    blas = [f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}, {i.get('num_threads')} threads"
            for i in threadpool_info() if i.get("user_api") == "blas"]
    return "; ".join(blas) or "none found"


def environment() -> str:
    versions = [f"numpy {np.__version__}"]
    for module in ("torch", "onnxruntime"):
        try:
            versions.append(f"{module} {__import__(module).__version__}")
        except ImportError:
            pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{', '.join(versions)}; BLAS: {blas_kernel()}; "
            f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; "
            f"load average at start {load:.2f}; {datetime.date.today().isoformat()}")


def _ms(value) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def table(rows: list[dict], peers) -> str:
    head = ["layer", "N", "dtype", "reference ms"] + [f"{p} ms" for p in peers] + \
           ["ref/torch", "GFLOP/s", "peak MiB", "X+W+Y MiB"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        ratio = f"{r['ref'] / r['torch']:.2f}" if r.get("torch") else "n/a"
        cells = [r["layer"], str(r["N"]), r["dtype"], _ms(r["ref"])] + [_ms(r.get(p)) for p in peers] + \
                [ratio, f"{r['gflops']:.1f}", f"{r['peak']:.1f}", f"{r['io']:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="batch 1, float32, a few rows")
    parser.add_argument("--rows", nargs="*", default=None, help="run the layers whose name contains one of these")
    parser.add_argument("--batch", nargs="*", type=int, default=[1, 8])
    parser.add_argument("--dtype", nargs="*", default=["float32", "float64"])
    parser.add_argument("--peers", nargs="*", default=list(PEERS))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args(argv)
    layers = list(LAYERS)
    if args.quick:
        layers, args.batch, args.dtype = [l for l in layers if l.name in QUICK], [1], ["float32"]
    if args.rows:
        layers = [l for l in layers if any(key in l.name for key in args.rows)]
    peers = available_peers(args.peers)
    env = environment()
    print(env, flush=True)
    rows = []
    for dtype in args.dtype:
        for N in args.batch:
            for layer in layers:
                rows.append(run_row(layer, N, dtype, peers, args.repeat))
                r = rows[-1]
                print(f"  {r['layer']:<30} N={N} {dtype}: ref {r['ref']:.2f} ms, "
                      + ", ".join(f"{p} {_ms(r.get(p))}" for p in peers), flush=True)
    text = table(rows, peers)
    print(text)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(f"Machine: {env}\n\n{text}\n")


if __name__ == "__main__":
    main()
