"""Random forward problems and independent literal loops for the gradient tests.

The loops walk the forward layer's products one by one, in the scatter
direction (every output element, every tap), with Python integers, and add each
product to the element of dX, dW or the transposed output it belongs to.  They
share no code with the specification (not its geometry, not its feeders).
"""

from __future__ import annotations

import numpy as np


def random_forward(rng: np.random.Generator, *, dtype=np.int64, max_size: int = 5,
                   pads=(-2, 3)) -> tuple[np.ndarray, np.ndarray, dict]:
    """``(X, W, attributes)`` of a random layer problem: rank 1-3, groups, dilation, any pads."""
    d = int(rng.integers(1, 4))
    groups = int(rng.integers(1, 3))
    C, O = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
    S = tuple(int(v) for v in rng.integers(1, max_size + 1 - d, d))
    K = tuple(int(v) for v in rng.integers(1, 4, d))
    X = rng.integers(-5, 6, (int(rng.integers(1, 3)), C, *S)).astype(dtype)
    W = rng.integers(-5, 6, (O, C // groups, *K)).astype(dtype)
    attrs = dict(stride=tuple(int(v) for v in rng.integers(1, 4, d)),
                 padding=tuple((int(lo), int(hi)) for lo, hi in rng.integers(*pads, (d, 2))),
                 dilation=tuple(int(v) for v in rng.integers(1, 3, d)), groups=groups)
    return X, W, attrs


def _products(out_shape, W_shape, stride, padding, dilation, groups, S):
    """Every forward product as ``(n, o, j, c, a, channel, u)``, u the input index it reads."""
    O, Cg, *K = W_shape
    Og = O // groups
    for n, o, *j in np.ndindex(*out_shape):
        for c in range(Cg):
            for a in np.ndindex(*K):
                u = tuple(j[t] * stride[t] + a[t] * dilation[t] - padding[t][0] for t in range(len(S)))
                if all(0 <= u[t] < S[t] for t in range(len(S))):
                    yield n, o, tuple(j), c, a, o // Og * Cg + c, u


def loop_input_grad(dY, W, input_shape, stride, padding, dilation, groups) -> np.ndarray:
    dX = np.zeros(input_shape, dtype=object)
    for n, o, j, c, a, channel, u in _products(dY.shape, W.shape, stride, padding, dilation, groups,
                                               input_shape[2:]):
        dX[(n, channel, *u)] += int(dY[(n, o, *j)]) * int(W[(o, c, *a)])
    return dX


def loop_weight_grad(X, dY, kernel_shape, stride, padding, dilation, groups) -> np.ndarray:
    dW = np.zeros(kernel_shape, dtype=object)
    for n, o, j, c, a, channel, u in _products(dY.shape, kernel_shape, stride, padding, dilation, groups,
                                               X.shape[2:]):
        dW[(o, c, *a)] += int(dY[(n, o, *j)]) * int(X[(n, channel, *u)])
    return dW


def loop_transpose(X, W, B, stride, padding, output_padding, dilation, groups) -> np.ndarray:
    """The literal scatter: ``Y[n, g·Og + o', j·s + a·d − lo] += X[n, c, j] · W[c, o', a]``, then ``+ B``."""
    N, C, *I = X.shape
    _, Og, *K = W.shape
    Cg = C // groups
    L = [stride[t] * (I[t] - 1) + (K[t] - 1) * dilation[t] + 1 + output_padding[t]
         - padding[t][0] - padding[t][1] for t in range(len(I))]
    Y = np.zeros((N, groups * Og, *L), dtype=object)
    for n, c, *j in np.ndindex(*X.shape):
        for oo in range(Og):
            for a in np.ndindex(*K):
                v = [j[t] * stride[t] + a[t] * dilation[t] - padding[t][0] for t in range(len(I))]
                if all(0 <= v[t] < L[t] for t in range(len(I))):
                    Y[(n, c // Cg * Og + oo, *v)] += int(X[(n, c, *j)]) * int(W[(c, oo, *a)])
    if B is not None:
        Y += np.array([int(b) for b in B], dtype=object).reshape((1, -1) + (1,) * len(I))
    return Y


def inner(a: np.ndarray, b: np.ndarray) -> int:
    """``Σ a · b`` over Python integers."""
    return int(sum(int(x) * int(y) for x, y in zip(a.flat, b.flat)))
