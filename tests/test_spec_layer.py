"""The layer's exact oracle: negative tests per input clause, the core as a special case,
the shape rule, padding forms and agreement with an independent loop."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from convspec.spec import SpecTypeError, SpecValueError, conv, conv2d, conv_problem, same_pads

ATTRS = dict(stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1)


def _xw(N=1, C=2, O=2, S=(4, 4), K=(2, 2), dtype=np.int64, groups=1):
    rng = np.random.default_rng(0)
    X = rng.integers(-3, 4, (N, C, *S)).astype(dtype)
    W = rng.integers(-3, 4, (O, C // groups, *K)).astype(dtype)
    return X, W


def assert_refused(clause, exc, *args, **kwargs):
    with pytest.raises(exc, match=rf"^\[{clause}\]"):
        conv(*args, **{**ATTRS, **kwargs})


def test_CV_IN1_refuses_wrong_rank_and_non_arrays():
    X, W = _xw()
    assert_refused("CV-IN1", SpecValueError, X[0, 0], W[0, 0])
    assert_refused("CV-IN1", SpecValueError, X[None, None, None], W)
    assert_refused("CV-IN1", SpecTypeError, X.tolist(), W)
    assert_refused("CV-IN1", SpecTypeError, np.ma.masked_array(X), W)


def test_CV_IN2_refuses_mismatched_rank_and_empty_kernel():
    X, W = _xw()
    assert_refused("CV-IN2", SpecValueError, X, W[0])
    assert_refused("CV-IN2", SpecValueError, X, W[:, :, :0])
    assert_refused("CV-IN2", SpecTypeError, X, W.tolist())


def test_CV_IN3_refuses_inadmissible_dtypes():
    X, W = _xw()
    assert_refused("CV-IN3", SpecTypeError, X.astype(bool), W)
    assert_refused("CV-IN3", SpecTypeError, X, W.astype(object))
    assert_refused("CV-IN3", SpecTypeError, X, W, np.zeros(2, dtype="datetime64[s]"))


def test_CV_IN4_refuses_bias_of_wrong_shape():
    X, W = _xw()
    assert_refused("CV-IN4", SpecValueError, X, W, np.zeros(3, np.int64))
    assert_refused("CV-IN4", SpecValueError, X, W, np.zeros((2, 1), np.int64))
    assert_refused("CV-IN4", SpecTypeError, X, W, [0, 0])


def test_CV_AT1_refuses_bad_strides():
    X, W = _xw()
    for bad, exc in [((1,), SpecTypeError), ((0, 1), SpecValueError), ((1, -2), SpecValueError),
                     ((1.0, 1), SpecTypeError), ((True, 1), SpecTypeError), (2, SpecTypeError)]:
        assert_refused("CV-AT1", exc, X, W, stride=bad)


def test_CV_AT2_refuses_bad_dilations():
    X, W = _xw()
    for bad, exc in [((1, 1, 1), SpecTypeError), ((0, 1), SpecValueError), ((1, "2"), SpecTypeError)]:
        assert_refused("CV-AT2", exc, X, W, dilation=bad)


def test_CV_AT3_refuses_groups_that_do_not_divide():
    X, W = _xw(C=4, O=6, groups=2)
    assert_refused("CV-AT3", SpecValueError, X, W, groups=4)
    assert_refused("CV-AT3", SpecValueError, X, W, groups=0)
    assert_refused("CV-AT3", SpecTypeError, X, W, groups=2.0)
    assert_refused("CV-AT3", SpecTypeError, X, W, groups=True)


def test_CV_AT4_refuses_wrong_channels_per_group():
    X, W = _xw(C=4, O=4, groups=1)
    assert_refused("CV-AT4", SpecValueError, X, W, groups=2)


def test_CV_PD1_refuses_malformed_explicit_padding():
    X, W = _xw()
    for bad in [((0, 0),), ((0, 0), (0,)), ((0, 0), (0, 1.5)), [[0, 0], [0, None]], 1]:
        assert_refused("CV-PD1", SpecTypeError, X, W, padding=bad)


def test_CV_PD2_refuses_unknown_padding_names():
    X, W = _xw()
    for bad in ["SAME", "same_upper", "FULL", ""]:
        assert_refused("CV-PD2", SpecValueError, X, W, padding=bad)


@pytest.mark.parametrize("size,k,s,d", list(itertools.product(range(1, 8), range(1, 4), range(1, 4), (1, 2))))
def test_CV_PD2_same_padding_gives_ceil_outputs(size, k, s, d):
    for mode in ("SAME_UPPER", "SAME_LOWER"):
        lo, hi = same_pads(size, k, s, d, mode)
        p = conv_problem(np.zeros((1, 1, size)), np.zeros((1, 1, k)), stride=(s,), padding=mode,
                         dilation=(d,), groups=1)
        assert p.padding == ((lo, hi),)
        assert abs(lo - hi) <= 1 and (hi >= lo if mode == "SAME_UPPER" else lo >= hi)
        if (size - 1) // s * s + (k - 1) * d + 1 > size:  # some padding needed
            assert p.out_shape[2] == -(-size // s)


def _loop(X, W, B, stride, padding, dilation, groups):
    """An independent literal evaluation of CV-EQ1 from the source-index form."""
    N, C, *S = X.shape
    O, Cg, *K = W.shape
    Og = O // groups
    out = []
    for t in range(len(S)):
        padded = padding[t][0] + S[t] + padding[t][1]
        k_eff = (K[t] - 1) * dilation[t] + 1
        out.append(0 if padded <= 0 or k_eff > padded else (padded - k_eff) // stride[t] + 1)
    Y = np.zeros((N, O, *out), dtype=object)
    for n, o, *j in np.ndindex(*Y.shape):
        total = 0 if B is None else int(B[o])
        for c in range(Cg):
            for a in np.ndindex(*K):
                src = [j[t] * stride[t] + a[t] * dilation[t] - padding[t][0] for t in range(len(S))]
                if all(0 <= src[t] < S[t] for t in range(len(S))):
                    total += int(X[(n, o // Og * Cg + c, *src)]) * int(W[(o, c, *a)])
        Y[(n, o, *j)] = total
    return Y


@pytest.mark.parametrize("seed", range(40))
def test_CV_EQ1_matches_an_independent_loop(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 4))
    groups = int(rng.integers(1, 3))
    C, O = groups * int(rng.integers(0, 3)), groups * int(rng.integers(1, 3))
    S = tuple(int(v) for v in rng.integers(0, 6, d))
    K = tuple(int(v) for v in rng.integers(1, 4, d))
    X = rng.integers(-5, 6, (int(rng.integers(0, 3)), C, *S)).astype(np.int64)
    W = rng.integers(-5, 6, (O, C // groups, *K)).astype(np.int64)
    B = rng.integers(-5, 6, O).astype(np.int64) if rng.random() < 0.5 else None
    stride = tuple(int(v) for v in rng.integers(1, 4, d))
    dilation = tuple(int(v) for v in rng.integers(1, 3, d))
    padding = tuple((int(lo), int(hi)) for lo, hi in rng.integers(-2, 3, (d, 2)))
    Y = conv(X, W, B, stride=stride, padding=padding, dilation=dilation, groups=groups)
    want = _loop(X, W, B, stride, padding, dilation, groups)
    assert Y.shape == want.shape and Y.dtype == np.int64
    assert (Y.astype(object) == want).all()


def test_CV_CO1_core_is_a_special_case():
    rng = np.random.default_rng(1)
    for _ in range(30):
        m, n = rng.integers(1, 7, 2)
        mk, nk = rng.integers(1, m + 1), rng.integers(1, n + 1)
        M = rng.standard_normal((m, n)).astype(np.float32)
        K = rng.standard_normal((mk, nk)).astype(np.float32)
        stride = tuple(int(v) for v in rng.integers(1, 4, 2))
        layer = conv(M[None, None], K[None, None], stride=stride, padding=((0, 0), (0, 0)),
                     dilation=(1, 1), groups=1)[0, 0]
        core = conv2d(M, K, stride=stride)
        assert layer.dtype == core.dtype and np.array_equal(layer, core)


def test_CV_SH2_empty_and_zero_size_problems():
    X, W = _xw(C=2, O=3, S=(3, 3), K=(2, 2))
    assert conv(X[:0], W, **ATTRS).shape == (0, 3, 2, 2)
    assert conv(X, W, **{**ATTRS, "padding": ((-2, 0), (0, 0))}).shape == (1, 3, 0, 2)
    assert conv(X, W, **{**ATTRS, "dilation": (3, 1)}).shape == (1, 3, 0, 2)
    zero = conv(X[:, :, :0], W, **{**ATTRS, "padding": ((1, 1), (0, 0))})
    assert zero.shape == (1, 3, 1, 2) and not zero.any()
    B = np.array([1, -2, 3])
    bias_only = conv(X[:, :0], W[:, :0], B, **ATTRS)
    assert (bias_only == B.reshape(1, 3, 1, 1)).all()


def test_CV_PD3_padded_tap_times_infinity_is_nan():
    X = np.ones((1, 1, 2))
    W = np.array([[[np.inf, 1.0]]])
    Y = conv(X, W, stride=(1,), padding=((1, 0),), dilation=(1,), groups=1)
    assert np.isnan(Y[0, 0, 0]) and Y[0, 0, 1] == np.inf


def test_CV_NF2_nonfinite_weight_reaches_only_its_output_channel():
    X, W = _xw(C=2, O=4, groups=2, dtype=np.float64)
    W[1, 0, 0, 0] = np.nan
    Y = conv(X, W, **{**ATTRS, "groups": 2})
    assert np.isnan(Y[:, 1]).all() and np.isfinite(np.delete(Y, 1, axis=1)).all()


def test_CV_DT1_and_CV_RD1_bias_is_one_more_term():
    X = np.array([[[1.0]]], dtype=np.float16)
    W = np.array([[[2.0 ** -11]]], dtype=np.float16)
    B = np.array([1.0], dtype=np.float16)
    Y = conv(X, W, B, stride=(1,), padding=((0, 0),), dilation=(1,), groups=1)
    assert Y.dtype == np.float16 and Y[0, 0, 0] == np.float16(1.0)  # 1 + 2**-11 rounds to even: 1
    Y32 = conv(X, W, B.astype(np.float32), stride=(1,), padding=((0, 0),), dilation=(1,), groups=1)
    assert Y32.dtype == np.float32 and Y32[0, 0, 0] == np.float32(1 + 2.0 ** -11)


@pytest.mark.clause("CV-OU1")
def test_OU1_spec_results_are_plain_ndarrays():
    X, W = _xw()
    assert type(conv(X, W, **ATTRS)) is np.ndarray
    assert type(conv2d(X[0, 0], W[0, 0], stride=(1, 1))) is np.ndarray


def test_CV_IN5_result_does_not_depend_on_layout():
    X, W = _xw(C=2, O=2, S=(5, 4), K=(2, 3), dtype=np.float64)
    B = np.array([0.5, -1.5])
    want = conv(X, W, B, **ATTRS)
    for x, w, b in [(np.asfortranarray(X), np.asfortranarray(W), B),
                    (X[::-1, ::-1, ::-1, ::-1].copy()[::-1, ::-1, ::-1, ::-1], W, B[::-1].copy()[::-1])]:
        assert np.array_equal(conv(x, w, b, **ATTRS), want)


def test_CV_MU1_inputs_unchanged_and_result_fresh():
    X, W = _xw(dtype=np.float32)
    B = np.ones(2, np.float32)
    copies = [a.copy() for a in (X, W, B)]
    Y = conv(X, W, B, **ATTRS)
    assert all(np.array_equal(a, c) for a, c in zip((X, W, B), copies))
    assert not any(np.shares_memory(Y, a) for a in (X, W, B))
