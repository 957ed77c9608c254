"""The layer's metamorphic relations: they hold on correct backends and catch specific bugs.

Each relation ``conv.metamorphic.<name>`` must pass on a correct layer (a
numpy layer below, and the exact oracle ``convspec.spec.conv``) and fail on a
layer with one deliberate bug that the relation exposes.
"""

from __future__ import annotations

import numpy as np
import pytest

from convspec import spec
from convspec.conformance import Backend, Claims, Status, run
from convspec.conformance.properties import layer_metamorphic as lm
from convspec.spec import same_pads

RELATIONS = [rel.name for rel in lm.RELATIONS]


def numpy_layer(bug: str | None = None):
    """A correct numpy layer (per-tap sums in a wide dtype), or one with the bug ``bug``."""

    def conv(X, W, B=None, *, stride, padding, dilation, groups):
        X, W = np.asarray(X), np.asarray(W)
        d = X.ndim - 2
        out = np.result_type(X, W, *([B] if B is not None else []))
        acc = {"f": np.float64, "c": np.complex128}.get(out.kind, np.int64)
        if bug == "flip_high_rank" and d >= 2:
            W = W[(slice(None), slice(None)) + (slice(None, None, -1),) * d]
        if isinstance(padding, str):
            mode = "SAME_UPPER" if bug == "lower_as_upper" and padding == "SAME_LOWER" else padding
            pads = [same_pads(X.shape[2 + t], W.shape[2 + t], stride[t], dilation[t], mode) for t in range(d)]
        else:
            pads = [(hi, lo) if bug == "swap_pads" else (lo, hi) for lo, hi in padding]
        Xa = X.astype(acc)
        if bug == "clip_x":
            Xa = np.clip(Xa.real, -2, 2) + (1j * np.clip(Xa.imag, -2, 2) if acc is np.complex128 else 0)
        Wa = W.astype(acc)
        if bug == "clip_w":
            Wa = np.clip(Wa.real, -2, 2) + (1j * np.clip(Wa.imag, -2, 2) if acc is np.complex128 else 0)
        grow = [(0, 0), (0, 0)] + [(max(lo, 0), max(hi, 0)) for lo, hi in pads]
        Xp = np.pad(Xa, grow, mode="wrap" if bug == "wrap" else "constant")
        Xp = Xp[(slice(None), slice(None)) + tuple(slice(max(-lo, 0), Xp.shape[2 + t] - max(-hi, 0))
                                                   for t, (lo, hi) in enumerate(pads))]
        N, O, Cg, K = X.shape[0], W.shape[0], W.shape[1], W.shape[2:]
        g, Og = groups, O // groups
        k_eff = [(K[t] - 1) * dilation[t] + 1 for t in range(d)]
        S = [(Xp.shape[2 + t] - k_eff[t]) // stride[t] + 1 if Xp.shape[2 + t] >= k_eff[t] else 0 for t in range(d)]
        start = [(Xp.shape[2 + t] - k_eff[t]) % stride[t] if bug == "far_end" and S[t] else 0 for t in range(d)]
        Y = np.zeros((N, g, Og, *S), acc)
        channels = Xp.reshape(N, g, Cg, *Xp.shape[2:])
        if bug == "first_group":
            channels = np.broadcast_to(channels[:, :1], channels.shape)
        if bug == "drop_last_channel" and Cg > 1:
            Wa = Wa.copy()
            Wa[:, -1] = 0
        for tap in np.ndindex(*K):
            step = [1 if bug == "contiguous_taps" else dilation[t] for t in range(d)]
            sl = tuple(slice(start[t] + tap[t] * step[t], start[t] + tap[t] * step[t] + stride[t] * (S[t] - 1) + 1,
                             stride[t]) for t in range(d))
            cols = channels[(slice(None), slice(None), slice(None)) + sl]
            w = Wa[(slice(None), slice(None)) + tap].reshape(g, Og, Cg)
            Y += np.einsum("goc,ngc...->ngo...", w, cols)
        Y = Y.reshape(N, O, *S)
        if B is not None:
            b = np.asarray(B).astype(acc).reshape((1, O) + (1,) * d)
            if bug == "abs_bias":
                b = np.abs(b)
            if bug == "bias_first_item":
                Y[:1] += b
            else:
                Y = Y + b
        return Y.astype(out)

    return conv


def check(fn, select, **claims):
    backend = Backend("layer", fn, Claims(validates_input=False, **claims), op="conv")
    return run(backend, op="conv", select=select, profile="quick", isolation="inprocess")


def test_every_relation_holds_on_a_correct_layer():
    report = check(numpy_layer(), ["conv.metamorphic.*"])
    assert set(report.results) == {f"conv.metamorphic.{name}" for name in RELATIONS}
    for pid, result in report.results.items():
        assert result.status is Status.PASS, (pid, result.failure and result.failure.message, result.reason)
        assert result.examples >= 5, pid


def test_every_relation_holds_on_the_exact_oracle():
    backend = Backend("spec", spec.conv, Claims(validates_input=False, ranks=(1, 2),
                                               dtypes=("int16", "float32", "complex64")), op="conv")
    report = run(backend, op="conv", select=["conv.metamorphic.*"], profile="quick", isolation="inprocess")
    for pid, result in report.results.items():
        assert result.status is Status.PASS, (pid, result.failure and result.failure.message, result.reason)


#: A bug and the relation it breaks.
BUGS = [
    ("clip_x", "linearity_x"),
    ("clip_w", "linearity_w"),
    ("abs_bias", "linearity_b"),
    ("first_group", "groups"),
    ("drop_last_channel", "channels"),
    ("contiguous_taps", "dilation"),
    ("swap_pads", "padding"),
    ("lower_as_upper", "same"),
    ("bias_first_item", "batch"),
    ("far_end", "stride"),
    ("flip_high_rank", "rank"),
    ("wrap", "translation"),
]


def test_every_relation_has_a_bug():
    assert sorted(name for _, name in BUGS) == sorted(RELATIONS)


@pytest.mark.parametrize("bug, relation", BUGS)
def test_a_bug_breaks_its_relation(bug, relation):
    pid = f"conv.metamorphic.{relation}"
    result = check(numpy_layer(bug), [pid]).results[pid]
    assert result.status is Status.FAIL, (bug, result.status, result.reason)
    failure = result.failure
    assert failure.kind == "violation", failure.message
    assert "is broken: out[" in failure.message and "but should be" in failure.message, failure.message


@pytest.mark.parametrize("bug, relation", [("swap_pads", "padding"), ("first_group", "groups"),
                                           ("flip_high_rank", "rank"), ("abs_bias", "linearity_b")])
def test_the_reproducer_asserts_the_relation(bug, relation):
    pid = f"conv.metamorphic.{relation}"
    script = check(numpy_layer(bug), [pid]).results[pid].failure.reproducer
    binding = "conv = ...  # the backend was given as an object: bind your function here"
    assert binding in script
    for fn, raises in ((numpy_layer(bug), True), (numpy_layer(), False)):
        space = {"__name__": "reproducer"}
        code = script.replace(binding, "conv = _layer")
        space["_layer"] = fn
        if raises:
            with pytest.raises(AssertionError, match="is broken"):
                exec(compile(code, "reproducer", "exec"), space)
        else:
            exec(compile(code, "reproducer", "exec"), space)  # the correct layer satisfies the relation


def test_relations_need_their_claims():
    report = check(numpy_layer(), ["conv.metamorphic.*"], groups=False, dilation=False, bias=False,
                   ranks=(2,), padding=frozenset({"VALID"}))
    status = {pid.rsplit(".", 1)[1]: r.status for pid, r in report.results.items()}
    for name in ("groups", "dilation", "linearity_b", "rank", "padding", "same"):
        assert status[name] is Status.NOT_CLAIMED, name
    for name in ("linearity_x", "linearity_w", "channels", "batch", "stride", "translation"):
        assert status[name] is Status.PASS, name


@pytest.mark.parametrize("dtype", ["int8", "uint8", "float16", "float32", "complex64", "float64"])
@pytest.mark.parametrize("terms", [1, 12, 81, 200])
def test_magnitude_keeps_every_partial_sum_exact(dtype, terms):
    dt = np.dtype(dtype)
    c = 2 if dt.kind == "c" else 1
    limit = lm.exact_limit(dt)
    try:
        m = lm.magnitude(terms, dt)
    except ValueError:
        assert c * terms + 2 > limit
        return
    assert c * terms * m * m + 2 * m <= limit
    assert m == lm.MAX_MAGNITUDE or c * terms * (m + 1) ** 2 + 2 * (m + 1) > limit
    if dt.kind == "f":  # the bound is tight: limit + 1 is not a float of this dtype
        assert float(dt.type(limit)) == limit and float(dt.type(limit + 1)) != limit + 1


@pytest.mark.parametrize("dtype", ["int8", "uint16", "float16", "complex128"])
def test_split_is_exact_and_between_zero_and_x(dtype):
    rng = np.random.default_rng(3)
    x = lm.small_integers(rng, (5, 7), dtype, 4)
    a, b = lm.split(x, rng)
    assert a.dtype == b.dtype == x.dtype
    assert np.array_equal(a + b, x)
    for part, whole in ((a.real, x.real), (a.imag, x.imag)) if x.dtype.kind == "c" else ((a, x),):
        assert (np.abs(part) <= np.abs(whole)).all() and (part * whole >= 0).all()


def test_a_normwise_backend_is_compared_on_integer_outputs_only():
    report = check(numpy_layer(), ["conv.metamorphic.batch"], accuracy="normwise", dtypes=("float32",))
    assert report.results["conv.metamorphic.batch"].status is Status.NOT_CLAIMED
    report = check(numpy_layer("bias_first_item"), ["conv.metamorphic.batch"], accuracy="normwise",
                   dtypes=("float32", "int32"), mixed_dtypes=False)
    assert report.results["conv.metamorphic.batch"].status is Status.FAIL


def test_the_rank_relation_finds_the_inserted_axis_among_look_alikes():
    # X0's own axis is also of size 1 with a kernel of 1, but it is padded: only axis 1 was inserted.
    X, W = np.ones((1, 1, 1)), np.ones((1, 1, 1))
    first = lm.LayerCase(X, W, None, (1,), ((1, 1),), (1,), 1)
    second = lm.LayerCase(X[..., None], W[..., None], None, (1, 1), ((1, 1), (0, 0)), (1, 1), 1)
    what, lhs, rhs = lm._relation_rank([first, second])
    assert lhs == "np.squeeze(C1, axis=3)" and rhs == "C0"
