"""A correct convolution written the way people write one: numpy.asarray on its inputs, lenient
about their types (lists, bool arrays, an ndarray stride), refusing inputs with no meaning."""

import numpy as np

def conv2d(M, K, *, stride):
    M, K = np.asarray(M), np.asarray(K)
    if M.ndim != 2 or K.ndim != 2 or M.size == 0 or K.size == 0:
        raise ValueError("M and K must be non-empty 2-D arrays")
    sx, sy = (int(s) for s in stride)
    if sx < 1 or sy < 1 or sx != stride[0] or sy != stride[1]:
        raise ValueError("bad stride")
    (m, n), (p, q) = M.shape, K.shape
    if p > m or q > n:
        raise ValueError("kernel larger than input")
    out = np.zeros(((m - p) // sx + 1, (n - q) // sy + 1), np.result_type(M, K))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = (M[i*sx:i*sx+p, j*sy:j*sy+q] * K).sum()
    return out
