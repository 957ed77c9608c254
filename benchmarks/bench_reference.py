"""Timing of ``convspec.reference.conv2d`` against the installed peers.

For every combination of input size, kernel size, stride and dtype the table
gives the reference's time in milliseconds, its rate in GFLOP/s (counting
``2 m''n''m'n'`` operations), its peak extra memory (NumPy allocations traced
by :mod:`tracemalloc` in a separate, untimed call) and, for each peer that is
installed, the peer's time and the ratio ``peer / reference`` from the same run
(above 1: the reference is faster).  Peers compute stride 1 and are then
subsampled, which is how they offer a stride:

* ``scipy``: ``scipy.signal.correlate2d(M, K, "valid")[::sx, ::sy]``;
* ``torch``: ``torch.nn.functional.conv2d`` on the CPU with 2 threads, with the
  stride passed to it;
* ``cv2``: ``cv2.filter2D`` (anchor at the kernel's corner, cropped to the
  valid part) then subsampled; for kernels of 11 x 11 and more OpenCV switches
  to a DFT, outside the componentwise accuracy class.

A peer whose estimated time exceeds ``--budget`` seconds is not run, and a peer
that fails (e.g. runs out of memory) is reported as such; the table says so.

Usage::

    python benchmarks/bench_reference.py                 # the full table
    python benchmarks/bench_reference.py --quick         # a small subset
    python benchmarks/bench_reference.py --sizes 512 2048 --kernels 3 --markdown out.md
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
import tracemalloc
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import scipy
import scipy.signal

from convspec import reference

SIZES = (64, 512, 2048, 4096)
KERNELS = (3, 7, 31)
STRIDES = (1, 2, 4)
DTYPES = ("float32", "float64")
#: Multiply-adds per second scipy's correlate2d reaches here, for estimating its time.
SCIPY_RATE_PROBE = (256, 7)


@dataclass
class Row:
    size: int
    kernel: int
    stride: int
    dtype: str
    ms: float = 0.0
    gflops: float = 0.0
    peak_mib: float = 0.0
    peers: dict[str, str] = field(default_factory=dict)


def best_time(call: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` calls, in seconds (one call when it takes over 2 s)."""
    best = float("inf")
    for attempt in range(repeat):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
        if best > 2.0:
            break
    return best


def peak_extra_bytes(call: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def scipy_peer(M, K, s):
    return lambda: scipy.signal.correlate2d(M, K, mode="valid")[::s, ::s]


def torch_peer(M, K, s):
    import torch
    torch.set_num_threads(2)
    tm, tk = torch.from_numpy(M)[None, None], torch.from_numpy(K)[None, None]

    def call():
        with torch.no_grad():
            return torch.nn.functional.conv2d(tm, tk, stride=s).numpy()
    return call


def cv2_peer(M, K, s):
    import cv2
    rows, cols = M.shape[0] - K.shape[0] + 1, M.shape[1] - K.shape[1] + 1
    return lambda: cv2.filter2D(M, -1, K, anchor=(0, 0),
                                borderType=cv2.BORDER_CONSTANT)[:rows:s, :cols:s]


def installed_peers() -> dict[str, Callable]:
    peers = {"scipy": scipy_peer}
    for name, make in (("torch", torch_peer), ("cv2", cv2_peer)):
        try:
            __import__(name)
        except ImportError:
            continue
        peers[name] = make
    return peers


def scipy_rate() -> float:
    """Multiply-adds per second of scipy's correlate2d on a small probe."""
    size, k = SCIPY_RATE_PROBE
    M, K = np.ones((size, size)), np.ones((k, k))
    seconds = best_time(lambda: scipy.signal.correlate2d(M, K, mode="valid"), 3)
    return (size - k + 1) ** 2 * k * k / seconds


def measure(row: Row, peers: dict[str, Callable], repeat: int, budget: float, rate: float) -> Row:
    rng = np.random.default_rng(0)
    M = rng.standard_normal((row.size, row.size)).astype(row.dtype)
    K = rng.standard_normal((row.kernel, row.kernel)).astype(row.dtype)
    stride = (row.stride, row.stride)
    out = (row.size - row.kernel) // row.stride + 1
    seconds = best_time(lambda: reference.conv2d(M, K, stride=stride), repeat)
    row.ms = seconds * 1e3
    row.gflops = 2 * out * out * K.size / seconds / 1e9
    row.peak_mib = peak_extra_bytes(lambda: reference.conv2d(M, K, stride=stride)) / 2 ** 20
    full = (row.size - row.kernel + 1) ** 2 * K.size
    for name, make in peers.items():
        if name == "scipy" and full / rate > budget:
            row.peers[name] = f"skipped (est. {full / rate:.0f} s)"
            continue
        try:
            peer_seconds = best_time(make(M, K, row.stride), repeat)
        except (RuntimeError, MemoryError) as error:
            row.peers[name] = f"failed ({type(error).__name__}: {str(error).splitlines()[0][:40]})"
            continue
        row.peers[name] = f"{peer_seconds * 1e3:.1f} ({peer_seconds / seconds:.2f}x)"
    return row


def header(peers) -> list[str]:
    return (["size", "kernel", "stride", "dtype", "reference ms", "GFLOP/s", "peak MiB"]
            + [f"{name} ms (ratio)" for name in peers])


def cells(row: Row, peers) -> list[str]:
    return ([f"{row.size}^2", f"{row.kernel}x{row.kernel}", str(row.stride), row.dtype,
             f"{row.ms:.2f}", f"{row.gflops:.1f}", f"{row.peak_mib:.1f}"]
            + [row.peers.get(name, "") for name in peers])


def environment() -> str:
    versions = [f"numpy {np.__version__}", f"scipy {scipy.__version__}"]
    for name in ("torch", "cv2"):
        try:
            versions.append(f"{name} {__import__(name).__version__}")
        except ImportError:
            pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, {', '.join(versions)}; "
            f"load average at start {load:.2f}; {datetime.date.today().isoformat()}")


def markdown(rows: list[Row], peers, note: str) -> str:
    lines = [f"Machine: {note}", "",
             "Ratios are peer time / reference time from the same run (above 1: the reference "
             "is faster). Peers compute every stride-1 position and are subsampled (torch takes "
             "the stride itself).", "",
             "| " + " | ".join(header(peers)) + " |",
             "|" + "---|" * len(header(peers))]
    lines += ["| " + " | ".join(cells(row, peers)) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes 64 and 512, kernels 3 and 7, stride 1 and 2")
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES)
    parser.add_argument("--kernels", type=int, nargs="+", default=KERNELS)
    parser.add_argument("--strides", type=int, nargs="+", default=STRIDES)
    parser.add_argument("--dtypes", nargs="+", default=DTYPES, choices=DTYPES)
    parser.add_argument("--repeat", type=int, default=3, help="timed calls per entry (the fastest counts)")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds a peer may take, estimated")
    parser.add_argument("--markdown", metavar="OUT", help="also write the table as Markdown to OUT")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.kernels, args.strides = (64, 512), (3, 7), (1, 2)
    peers = installed_peers()
    note = environment()
    print(note)
    rate = scipy_rate()
    print(" | ".join(header(peers)), flush=True)
    rows = []
    for size in args.sizes:
        for kernel in args.kernels:
            for stride in args.strides:
                for dtype in args.dtypes:
                    row = measure(Row(size, kernel, stride, dtype), peers, args.repeat, args.budget, rate)
                    rows.append(row)
                    print(" | ".join(cells(row, peers)), flush=True)
    if args.markdown:
        with open(args.markdown, "w") as handle:
            handle.write(markdown(rows, peers, note))


if __name__ == "__main__":
    main()
