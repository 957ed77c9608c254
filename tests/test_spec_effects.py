"""IN4, MU1, AL1, AL2: layout independence and freedom from side effects.

The oracle is run on one logical problem stored in several memory layouts (C,
Fortran, strided views, negative strides, read-only), and its inputs are
compared byte for byte before and after the call.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from convspec.spec import conv2d
from helpers import assert_identical
from strategies import ADMITTED, LAYOUTS, laid_out, problems, special_floats, with_layout


@given(problem=problems(ADMITTED, magnitude=1e4), data=st.data())
def test_IN4_result_does_not_depend_on_layout(problem, data):
    try:
        expected = conv2d(problem.M, problem.K, stride=problem.stride)
    except OverflowError:
        return  # EX2: outside the specification, no result to compare
    M = data.draw(laid_out(problem.M, label="M layout"), label="M view")
    K = data.draw(laid_out(problem.K, label="K layout"), label="K view")
    assert_identical(conv2d(M, K, stride=problem.stride), expected)


@pytest.mark.parametrize("m_layout", LAYOUTS)
@pytest.mark.parametrize("k_layout", LAYOUTS)
def test_IN4_every_layout_pair_with_special_values(m_layout, k_layout):
    rng = np.random.default_rng(4)
    M = rng.standard_normal((7, 6)).astype(np.float32)
    M[2, 3], M[5, 0], M[0, 5] = np.nan, np.inf, -0.0
    K = np.array([[1.5, -0.25, 0.0], [2.0, 1.0, -1.0]], dtype=np.float32)
    expected = conv2d(M, K, stride=(2, 1))
    out = conv2d(with_layout(M, m_layout), with_layout(K, k_layout), stride=(2, 1))
    assert_identical(out, expected)
    assert out.flags.c_contiguous and out.flags.writeable and out.flags.owndata


def test_IN4_layouts_really_differ():
    """The layouts used above are what they claim to be (otherwise IN4 tests prove nothing)."""
    base = np.arange(12.0).reshape(3, 4)
    views = {name: with_layout(base, name) for name in LAYOUTS}
    assert views["C"].flags.c_contiguous and not views["F"].flags.c_contiguous
    assert views["F"].flags.f_contiguous
    assert not views["strided"].flags.c_contiguous and not views["strided"].flags.f_contiguous
    assert all(step < 0 for step in views["reversed"].strides)
    assert not views["readonly"].flags.writeable
    for view in views.values():
        np.testing.assert_array_equal(view, base)


def _snapshot(x: np.ndarray) -> bytes:
    return np.ascontiguousarray(x).tobytes()


@given(problem=problems(ADMITTED, magnitude=1e4), data=st.data())
def test_MU1_inputs_are_not_modified(problem, data):
    M = data.draw(laid_out(problem.M, label="M layout"), label="M view")
    K = data.draw(laid_out(problem.K, label="K layout"), label="K view")
    before = (_snapshot(M), _snapshot(K), M.strides, K.strides, M.flags.writeable, K.flags.writeable)
    try:
        conv2d(M, K, stride=problem.stride)
    except OverflowError:
        pass  # EX2: even a refused call must leave the inputs alone
    assert (_snapshot(M), _snapshot(K), M.strides, K.strides, M.flags.writeable,
            K.flags.writeable) == before


def test_MU1_special_values_are_not_modified():
    M = special = np.array([[np.nan, -0.0, np.inf], [1.0, -np.inf, 0.0]])
    K = np.array([[-0.0, 1.0]])
    saved = (special.copy(), K.copy())
    M.flags.writeable = False
    conv2d(M, K)
    assert_identical(M, saved[0], name="M")
    assert_identical(K, saved[1], name="K")


@given(problem=problems(ADMITTED, magnitude=1e4), data=st.data())
def test_AL1_result_shares_no_memory_with_inputs(problem, data):
    M = data.draw(laid_out(problem.M, label="M layout"), label="M view")
    K = data.draw(laid_out(problem.K, label="K layout"), label="K view")
    try:
        out = conv2d(M, K, stride=problem.stride)
    except OverflowError:
        return
    for name, x in (("M", M), ("K", K)):
        assert not np.shares_memory(out, x), f"result shares memory with {name}"
        base = x if x.base is None else x.base
        assert not np.shares_memory(out, base), f"result shares memory with {name}'s buffer"


def test_AL1_one_by_one_output_of_equal_shapes_is_a_new_array():
    """The case where returning (a view of) an input would be most tempting."""
    M = np.array([[3.0]])
    K = np.array([[1.0]])
    out = conv2d(M, K)
    assert out is not M and not np.shares_memory(out, M)
    out[0, 0] = 7.0
    assert M[0, 0] == 3.0


@given(data=st.data())
def test_AL2_result_unchanged_by_later_calls(data):
    first_M = data.draw(special_floats(np.float64, (4, 4), label="first M"), label="first M")
    later_M = data.draw(special_floats(np.float64, (4, 4), label="later M"), label="later M")
    K = np.ones((2, 2))
    first = conv2d(first_M, K)
    saved = first.copy()
    conv2d(later_M, K)
    conv2d(first_M, K)
    assert_identical(first, saved, name="first result")
