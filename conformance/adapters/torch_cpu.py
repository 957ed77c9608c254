"""``torch.nn.functional.conv2d`` on the CPU.

How a PyTorch user computes Eq 2 for one 2-D array::

    import torch
    x = torch.from_numpy(M)[None, None]        # NCHW with N = C = 1
    w = torch.from_numpy(K)[None, None]        # (out, in, m', n')
    C = torch.nn.functional.conv2d(x, w, stride=(sx, sy))[0, 0].numpy()

PyTorch's "convolution" is cross-correlation, so the kernel is not flipped.
``torch.from_numpy`` shares memory with the array and refuses arrays with
negative strides (a documented limitation: PyTorch tensors cannot have them);
the adapter does not copy such arrays, so that limitation stays visible.
Both operands must have the same dtype (no promotion), and the CPU kernels
exist for int8-int64, uint8, float16, float32, float64 and the complex types,
but not for uint16, uint32 or uint64.  The intra-op thread count is PyTorch's
default (the number of cores; 2 on the reference machine).  PyTorch checks
kernel size and stride itself and raises on invalid arguments.

The deviations the conformance suite finds are declared, each pinned to one
example, in ``torch_cpu.known.toml`` next to this module.

Checked with PyTorch 2.13.0 (CPU build).
"""

from __future__ import annotations

from pathlib import Path

import torch

from convspec.conformance.backend import Backend, Claims


def conv2d(M, K, *, stride=(1, 1)):
    """Eq 2 through ``torch.nn.functional.conv2d`` on 1x1-channel NCHW tensors."""
    x = torch.from_numpy(M)[None, None]
    w = torch.from_numpy(K)[None, None]
    return torch.nn.functional.conv2d(x, w, stride=stride)[0, 0].numpy()


BACKEND = Backend(
    name="torch",
    fn=conv2d,
    claims=Claims(
        dtypes=("int8", "int16", "int32", "int64", "uint8", "float16", "float32", "float64",
                "complex64", "complex128"),
        mixed_dtypes=False,
        nonfinite=True,
        accuracy="componentwise",
        validates_input=True,
    ),
    version=torch.__version__,
    description="torch.nn.functional.conv2d(from_numpy(M)[None, None], from_numpy(K)[None, None], stride)",
    known_deviations=str(Path(__file__).with_name("torch_cpu.known.toml")),
)
