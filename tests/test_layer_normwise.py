"""CV-AC2, the layer's normwise (FFT) class: correct FFT layers pass, precision loss and per-channel errors do not."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convspec.conformance.comparison import compare_blocks_normwise
from convspec.conformance.oracle import layer_expected
from convspec.conformance.strategies import LayerFeatures, layer_cases
from convspec.spec.error_model import layer_normwise_bound
from convspec.spec.problem import conv_problem
from zoo.layer_variants import VARIANTS

FFT = VARIANTS["fft"].fn
FLOAT_PAIRS = st.sampled_from([("float64", "float64"), ("float32", "float32"), ("complex128", "complex128"),
                               ("float32", "float64"), ("complex64", "complex64")])


def _problem(case):
    return conv_problem(case.X, case.W, case.B, stride=case.stride, padding=case.padding,
                        dilation=case.dilation, groups=case.groups)


def _judge(value, p):
    exp = layer_expected(p)
    bound, skip = layer_normwise_bound(p)
    return compare_blocks_normwise(value, exp.values, bound, skip, p.out_dtype, exp.residual)


def _call(fn, case):
    return fn(case.X, case.W, case.B, stride=case.stride, padding=case.padding,
              dilation=case.dilation, groups=case.groups)


@settings(max_examples=60, deadline=None)
@given(case=layer_cases(LayerFeatures(), FLOAT_PAIRS, floats="moderate"))
def test_CV_AC2_accepts_an_fft_layer_with_channels_summed_in_the_frequency_domain(case):
    p = _problem(case)
    result = _judge(_call(FFT, case), p)
    assert result.ok, result


def _fft_in(dtype):
    """The FFT variant run on operands rounded to ``dtype``: a float64 result at float32 accuracy."""
    def fn(X, W, B=None, **kw):
        low = [None if a is None else a.astype(dtype) for a in (X, W, B)]
        return FFT(*low, **kw).astype(np.result_type(X, W))
    return fn


@pytest.mark.parametrize("seed", range(3))
def test_CV_AC2_rejects_a_float64_layer_computed_in_float32(seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((2, 4, 12, 10))
    W = rng.standard_normal((6, 2, 3, 3))
    B = rng.standard_normal(6)
    kw = dict(stride=(1, 2), padding=((1, 1), (2, 0)), dilation=(1, 2), groups=2)
    p = conv_problem(X, W, B, **kw)
    assert _judge(FFT(X, W, B, **kw), p).ok
    result = _judge(_fft_in(np.float32)(X, W, B, **kw), p)
    assert not result.ok and result.worst_ratio > 1e3, result


def test_CV_AC2_is_judged_per_batch_item_and_output_channel():
    """An error confined to one (n, o) block fails it, though it is tiny against the whole output's norm."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((2, 3, 16, 16))
    X[1] *= 1e6  # batch item 1 dominates every global norm
    W = rng.standard_normal((4, 3, 3, 3))
    kw = dict(stride=(1, 1), padding=((1, 1), (1, 1)), dilation=(1, 1), groups=1)
    p = conv_problem(X, W, None, **kw)
    Y = FFT(X, W, None, **kw)
    bound, _ = layer_normwise_bound(p)
    wrong = Y.copy()
    wrong[0, 2, 5, 5] += 4 * bound[0, 2]  # beyond block (0, 2)'s bound, far below block (1, *)'s
    assert 4 * bound[0, 2] < 1e-3 * bound[1].min()
    result = _judge(wrong, p)
    assert not result.ok and result.worst_index == (0, 2) and result.violations == 1, result
