"""Backends with one deliberate defect each, for the harness's own tests.

Loaded by file path (``tests/harness/backends.py:NAME``) in worker processes,
so this module imports only numpy and convspec.
"""

from __future__ import annotations

import os
import sys
import time
import warnings

import numpy as np

from convspec import reference
from convspec.conformance.backend import Backend, Claims


def correct(M, K, *, stride=(1, 1)):
    """The reference, unchanged."""
    return reference.conv2d(M, K, stride=stride)


def flipped(M, K, *, stride=(1, 1)):
    """Convolution instead of cross-correlation: the kernel is flipped."""
    return reference.conv2d(M, np.ascontiguousarray(np.asarray(K)[::-1, ::-1]), stride=stride)


def exits(M, K, *, stride=(1, 1)):
    """Ends its process as soon as it is called."""
    os._exit(3)


def segfaults(M, K, *, stride=(1, 1)):
    """Reads address 0 when M has more than 4 elements."""
    if np.asarray(M).size > 4:
        import ctypes
        ctypes.string_at(0)
    return reference.conv2d(M, K, stride=stride)


def hangs(M, K, *, stride=(1, 1)):
    """Never returns when M has more than 4 elements."""
    if np.asarray(M).size > 4:
        time.sleep(3600)
    return reference.conv2d(M, K, stride=stride)


def always_hangs(M, K, *, stride=(1, 1)):
    """Never returns, whatever the input."""
    time.sleep(3600)


def exits_on_float16(M, K, *, stride=(1, 1)):
    """Ends its process on float16 operands, computes everything else correctly."""
    if np.asarray(M).dtype == np.float16 or np.asarray(K).dtype == np.float16:
        os._exit(5)
    return reference.conv2d(M, K, stride=stride)


#: Text the chatty backends write; tests look for it.
CHATTER = "chatty-backend-says-hello"


def _chatter() -> None:
    print(f"{CHATTER} on stdout")
    sys.stderr.write(f"{CHATTER} on stderr\n")
    os.write(2, f"{CHATTER} on file descriptor 2\n".encode())  # as native code would
    warnings.warn(f"{CHATTER} as a warning", RuntimeWarning)


def chatty(M, K, *, stride=(1, 1)):
    """Correct, but prints, writes to file descriptor 2 and warns on every call."""
    _chatter()
    return reference.conv2d(M, K, stride=stride)


def chatty_flipped(M, K, *, stride=(1, 1)):
    """Flips the kernel, and prints, writes to file descriptor 2 and warns on every call."""
    _chatter()
    return flipped(M, K, stride=stride)


def raises(M, K, *, stride=(1, 1)):
    """Refuses every call, valid or not."""
    raise RuntimeError("not implemented")


def returns_text(M, K, *, stride=(1, 1)):
    """Returns a string instead of an array."""
    return "no result"


def returns_wrong_shape(M, K, *, stride=(1, 1)):
    """Drops the last output row."""
    out = reference.conv2d(M, K, stride=stride)
    return out[:-1] if out.shape[0] > 1 else np.zeros((2, 2, 2))


def wrong_dtype(M, K, *, stride=(1, 1)):
    """Always returns float64."""
    return reference.conv2d(M, K, stride=stride).astype(np.float64)


def zeroes_nan(M, K, *, stride=(1, 1)):
    """Replaces NaN and infinities by zero before computing."""
    return reference.conv2d(np.nan_to_num(M), np.nan_to_num(K), stride=stride)


#: A backend declaring narrow claims: float32 only, no NaN, no validation.
narrow = Backend("narrow", correct, Claims(dtypes=("float32",), mixed_dtypes=False, nonfinite=False,
                                           validates_input=False))
