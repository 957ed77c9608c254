"""The layer through ``torch.nn.functional.conv1d`` / ``conv2d`` / ``conv3d`` on the CPU.

How a PyTorch user computes ``conv(X, W, B, stride=s, padding=p, dilation=d, groups=g)``::

    import torch
    import torch.nn.functional as F
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[W.ndim - 2]
    x = torch.from_numpy(X)
    # symmetric non-negative pads go to the convolution, as (p0, p1, ...); 'valid' and
    # 'same' by name; any other pairs are applied first with F.pad (last axis first)
    x = F.pad(x, (lo_last, hi_last, ..., lo_first, hi_first))
    Y = conv(x, torch.from_numpy(W), torch.from_numpy(B), stride=s, padding=0,
             dilation=d, groups=g).numpy()

What PyTorch documents, and so what is claimed
(https://pytorch.org/docs/stable/generated/torch.nn.functional.conv2d.html and
https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html):

* ``padding`` is "a string {'valid', 'same'}, single number or a tuple": one
  non-negative pad per axis, applied on both sides.  A symmetric explicit
  padding is passed so.  The convolution itself refuses a negative pad
  ("negative padding is not supported").
* ``padding='same'`` "doesn't support any stride values other than 1"; with
  stride 1 it pads ``dilation·(k − 1)`` in total, the odd element on the
  right, which is ``SAME_UPPER``.  ``SAME_LOWER`` has no PyTorch spelling;
  the name is passed through, and PyTorch refuses it.
* Asymmetric pads are not a convolution argument; users apply
  ``torch.nn.functional.pad`` first
  (https://pytorch.org/docs/stable/generated/torch.nn.functional.pad.html),
  which with a negative size crops that many elements instead.  That is the
  way a PyTorch user crops, so ``negative`` is claimed through ``F.pad``.
* The function is chosen by the kernel's spatial rank, as a user picks the
  one matching their data; the unbatched forms PyTorch also accepts (an X
  without its batch axis) are therefore reachable.
* Operands and bias must share one dtype (mixed dtypes raise).  On the CPU the
  convolution runs for float16, float32, float64, complex64 and complex128 and
  for int64; int8, int16, int32 and uint8 run only without dilation
  ("slow_conv_dilated<> not implemented"), so they are not claimed; the
  unsigned types beyond uint8 have no kernels at all.
* A window larger than the padded input, and a zero-size spatial axis, are
  refused ("Kernel size can't be greater than actual input size", "Only zero
  batch or zero channel inputs are supported"), so neither empty outputs nor
  zero-size inputs are claimed.

``torch.from_numpy`` shares memory with the array and refuses arrays with
negative strides; the adapter does not copy them, as in the core adapter.

Checked with PyTorch 2.13.0 (CPU build).
The deviations the suite finds are described, each with a reproducer
that uses the library alone, in ``docs/findings/torch-*.md``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from convspec.conformance.backend import Backend, Claims

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_NAMES = {"VALID": "valid", "SAME_UPPER": "same"}


def _conv_function(W):
    try:
        return _CONV[W.ndim - 2]
    except KeyError:
        raise ValueError(f"PyTorch has conv1d, conv2d and conv3d; W.ndim={W.ndim} fits none") from None


def conv(X, W, B=None, *, stride, padding, dilation, groups):
    """The layer through the ``torch.nn.functional`` convolution of W's spatial rank."""
    function = _conv_function(W)
    x = torch.from_numpy(X)
    if isinstance(padding, str):
        pad = _NAMES.get(padding, padding)
    elif all(lo == hi >= 0 for lo, hi in padding):
        pad = tuple(lo for lo, _ in padding)
    else:
        x = F.pad(x, tuple(v for pair in reversed(padding) for v in pair))
        pad = 0
    bias = None if B is None else torch.from_numpy(B)
    return function(x, torch.from_numpy(W), bias, stride=tuple(stride), padding=pad,
                    dilation=tuple(dilation), groups=groups).numpy()


BACKEND = Backend(
    name="torch-layer",
    fn=conv,
    op="conv",
    ops={"conv": conv},
    claims=Claims(
        dtypes=("int64", "float16", "float32", "float64", "complex64", "complex128"),
        mixed_dtypes=False,
        nonfinite=True,
        accuracy="componentwise",
        validates_input=True,
        ranks=(1, 2, 3),
        padding=frozenset({"explicit", "negative", "asymmetric", "VALID", "SAME_UPPER"}),
        dilation=True,
        groups=True,
        bias=True,
        empty_outputs=False,
        zero_size=False,
    ),
    version=torch.__version__,
    description="torch.nn.functional.conv1d/2d/3d(x, w, b, stride, padding, dilation, groups), "
                "asymmetric or negative pads through F.pad",
)
