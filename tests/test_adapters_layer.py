"""The layer adapters against the exact oracle, and their claims against the libraries.

Every adapter must agree with ``convspec.spec.conv`` on each small problem
whose features it claims (spatial rank, padding form, dilation, groups, bias,
dtype): exactly when the inputs are small integers, whose sums every claimed
dtype holds exactly, and within the CV-AC1 bound otherwise.  Each feature an
adapter leaves out of its claims is shown to be refused by the library, so
the claims are measured, not assumed.  Each test is skipped only when the
library it needs cannot be imported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from convspec.conformance.backend import PADDING_FORMS
from convspec.spec import conv, conv_problem
from convspec.spec.error_model import layer_bound


@dataclass(frozen=True)
class Problem:
    """One small layer call: shapes and attributes (values are drawn per test)."""

    name: str
    x: tuple[int, ...]
    w: tuple[int, ...]
    bias: bool
    stride: tuple[int, ...]
    padding: object
    dilation: tuple[int, ...]
    groups: int

    @property
    def rank(self) -> int:
        return len(self.x) - 2

    def forms(self) -> set[str]:
        """The padding forms (`Claims.padding`) the call uses."""
        if isinstance(self.padding, str):
            return {self.padding}
        forms = {"explicit"}
        if any(v < 0 for pair in self.padding for v in pair):
            forms.add("negative")
        if any(lo != hi for lo, hi in self.padding):
            forms.add("asymmetric")
        return forms

    def kwargs(self) -> dict:
        return {"stride": self.stride, "padding": self.padding, "dilation": self.dilation,
                "groups": self.groups}


PROBLEMS = (
    Problem("1d-symmetric", (2, 2, 7), (3, 2, 3), False, (1,), ((1, 1),), (1,), 1),
    Problem("1d-same-upper-dilated", (1, 2, 6), (2, 2, 2), True, (1,), "SAME_UPPER", (3,), 1),
    Problem("1d-same-lower-even-kernel", (1, 2, 7), (2, 2, 2), True, (1,), "SAME_LOWER", (1,), 1),
    Problem("1d-same-upper-strided", (1, 1, 7), (1, 1, 3), False, (2,), "SAME_UPPER", (1,), 1),
    Problem("1d-same-lower-strided", (1, 1, 8), (2, 1, 2), True, (3,), "SAME_LOWER", (1,), 1),
    Problem("1d-same-lower-dilated", (1, 1, 6), (1, 1, 2), False, (1,), "SAME_LOWER", (2,), 1),
    Problem("2d-valid-depthwise", (1, 4, 5, 6), (4, 1, 2, 3), False, (1, 2), "VALID", (1, 1), 4),
    Problem("2d-asymmetric-grouped-dilated", (1, 4, 5, 5), (4, 2, 2, 2), True, (2, 1),
            ((1, 0), (0, 2)), (1, 2), 2),
    Problem("2d-asymmetric", (1, 2, 5, 4), (3, 2, 2, 3), True, (2, 1), ((2, 0), (1, 3)), (1, 1), 1),
    Problem("2d-negative", (2, 1, 6, 5), (2, 1, 2, 2), True, (1, 1), ((-1, 1), (2, -1)), (1, 1), 1),
    Problem("2d-negative-symmetric", (1, 2, 6, 6), (1, 2, 3, 2), False, (1, 2), ((-1, -1), (-1, -1)),
            (1, 1), 1),
    Problem("2d-same-upper", (1, 2, 4, 5), (3, 2, 3, 2), True, (1, 1), "SAME_UPPER", (1, 1), 1),
    Problem("3d-grouped-dilated", (1, 2, 4, 5, 4), (2, 1, 2, 2, 2), True, (1, 2, 1),
            ((1, 1), (0, 0), (1, 1)), (2, 1, 1), 2),
    Problem("3d-valid", (1, 1, 3, 3, 4), (2, 1, 2, 1, 2), False, (1, 1, 2), "VALID", (1, 1, 1), 1),
)


# ------------------------------------------------------------------ adapters and their limits

def _backend(name: str, *modules: str):
    for module in modules:
        pytest.importorskip(module)
    from convspec.conformance.adapters import load
    return load(name).for_op("conv")


def _torch_limit(p: Problem) -> str | None:
    # PyTorch documents padding='same' for stride 1 only.
    if p.padding == "SAME_UPPER" and any(s != 1 for s in p.stride):
        return "PyTorch's padding='same' is only for stride 1"
    return None


def _onnxruntime_limit(p: Problem) -> str | None:
    # The CPU kernel refuses auto_pad SAME_* with a dilation ("Dilation not supported").
    if isinstance(p.padding, str) and p.padding != "VALID" and any(d != 1 for d in p.dilation):
        return "ONNX Runtime's CPU Conv refuses auto_pad SAME_* with dilations"
    return None


#: name -> (modules to import, the library's own limit within its claims, if any)
ADAPTERS = {
    "torch-layer": (("torch",), _torch_limit),
    "onnxruntime-layer": (("onnx", "onnxruntime"), _onnxruntime_limit),
    "onnx-reference-layer": (("onnx",), lambda p: None),
    "tensorflow-layer": (("tensorflow",), lambda p: None),
}


def _claimed(claims, p: Problem) -> bool:
    return (p.rank in claims.ranks and p.forms() <= claims.padding
            and (claims.dilation or all(d == 1 for d in p.dilation))
            and (claims.groups or p.groups == 1) and (claims.bias or not p.bias))


def _operands(p: Problem, dtype: str, rng, integers: bool):
    def draw(shape):
        values = rng.integers(-3, 4, size=shape) if integers else rng.standard_normal(shape)
        if np.dtype(dtype).kind == "c":
            values = values + 1j * (rng.integers(-3, 4, size=shape) if integers else rng.standard_normal(shape))
        return values.astype(dtype)
    return draw(p.x), draw(p.w), (draw((p.w[0],)) if p.bias else None)


def _check(result, X, W, B, p: Problem, exact: bool):
    expected = conv(X, W, B, **p.kwargs())
    got = np.asarray(result)
    assert got.shape == expected.shape, p.name
    assert got.dtype == expected.dtype, p.name
    if exact:
        np.testing.assert_array_equal(got, expected, err_msg=p.name)
        return
    bound, unconstrained = layer_bound(conv_problem(X, W, B, **p.kwargs()))
    err = np.abs(got.astype(np.complex128) - expected.astype(np.complex128))
    assert np.all((err <= bound) | unconstrained), (p.name, float(np.max(err - bound)))


def _covered(name):
    modules, limit = ADAPTERS[name]
    claims = _backend(name, *modules).claims
    return [p for p in PROBLEMS if _claimed(claims, p) and limit(p) is None]


@pytest.mark.parametrize("name", list(ADAPTERS))
def test_problems_cover_every_claimed_feature(name):
    modules, _ = ADAPTERS[name]
    claims = _backend(name, *modules).claims
    covered = _covered(name)
    assert {p.rank for p in covered} == set(claims.ranks)
    assert set().union(*(p.forms() for p in covered)) == set(claims.padding)
    assert any(p.groups > 1 for p in covered) == claims.groups
    assert any(d > 1 for p in covered for d in p.dilation) == claims.dilation
    assert any(p.bias for p in covered) == claims.bias


@pytest.mark.parametrize("name", list(ADAPTERS))
def test_adapter_is_exact_on_small_integers_in_every_claimed_dtype(name):
    modules, _ = ADAPTERS[name]
    backend = _backend(name, *modules)
    rng = np.random.default_rng(1)
    for dtype in backend.claims.dtypes:
        for p in _covered(name):
            X, W, B = _operands(p, dtype, rng, integers=True)
            _check(backend(X, W, B, **p.kwargs()), X, W, B, p, exact=True)


@pytest.mark.parametrize("name", list(ADAPTERS))
def test_adapter_is_within_the_error_bound_on_random_floats(name):
    modules, _ = ADAPTERS[name]
    backend = _backend(name, *modules)
    rng = np.random.default_rng(2)
    for dtype in backend.claims.dtypes:
        if np.dtype(dtype).kind not in "fc":
            continue
        for p in _covered(name):
            X, W, B = _operands(p, dtype, rng, integers=False)
            _check(backend(X, W, B, **p.kwargs()), X, W, B, p, exact=False)


#: PyTorch's depthwise CPU path (groups > 1 with one input channel per group) skips the products
#: of padding elements, so an infinite weight over padding gives a number instead of NaN (CV-PD3).
_TORCH_DEPTHWISE = pytest.mark.xfail(strict=True, reason="torch depthwise conv skips padding products")


@pytest.mark.parametrize("name, per_group", [
    (name, per_group) if (name, per_group) != ("torch-layer", 1)
    else pytest.param(name, per_group, marks=_TORCH_DEPTHWISE)
    for name in ADAPTERS for per_group in (2, 1)])
def test_adapter_places_nan_and_infinities_as_the_spec(name, per_group):
    modules, _ = ADAPTERS[name]
    backend = _backend(name, *modules)
    p = Problem("nan-inf", (1, 2 * per_group, 5, 5), (2, per_group, 2, 2), True, (2, 1),
                ((1, 1), (1, 1)), (1, 1), 2)
    X = np.zeros(p.x, "float32")
    X[0, 0, 2, 2] = np.nan
    X[0, per_group, 0, 4] = np.inf
    W = np.ones(p.w, "float32")
    W[1, 0, 0, 0] = np.inf        # meets padding zeros: NaN there (CV-PD3)
    B = np.zeros(2, "float32")
    _check(backend(X, W, B, **p.kwargs()), X, W, B, p, exact=True)


@pytest.mark.parametrize("name", list(ADAPTERS))
def test_library_limits_within_the_claims_are_real(name):
    """The problems a test leaves out as the library's own limit are indeed refused."""
    modules, limit = ADAPTERS[name]
    backend = _backend(name, *modules)
    limited = [p for p in PROBLEMS if _claimed(backend.claims, p) and limit(p) is not None]
    for p in limited:
        X, W, B = _operands(p, backend.claims.dtypes[-1], np.random.default_rng(3), integers=True)
        with pytest.raises(Exception):
            backend(X, W, B, **p.kwargs())


# ------------------------------------------------------------------ what is not claimed

def _refuses(backend, X, W, B=None, **kwargs):
    with pytest.raises(Exception):
        backend(X, W, B, **kwargs)


@pytest.mark.parametrize("name", list(ADAPTERS))
def test_unclaimed_padding_forms_are_refused(name):
    modules, _ = ADAPTERS[name]
    backend = _backend(name, *modules)
    unclaimed = PADDING_FORMS - backend.claims.padding
    for p in PROBLEMS:
        if p.forms() & unclaimed:
            X, W, B = _operands(p, "float32", np.random.default_rng(4), integers=True)
            _refuses(backend, X, W, B, **p.kwargs())


#: The dtype each adapter's oversized windows are tried in, where not float32: TensorFlow's float32
#: kernel returns an array of the input's shape instead of refusing
#: (docs/findings/tensorflow-window-larger-than-input.md), its float64 kernel refuses.
_WINDOW_DTYPE = {"tensorflow-layer": "float64"}


@pytest.mark.parametrize("name", list(ADAPTERS))
def test_windows_larger_than_the_padded_input_are_refused(name):
    """No adapter claims empty outputs: each library raises instead of returning one."""
    modules, _ = ADAPTERS[name]
    backend = _backend(name, *modules)
    assert not backend.claims.empty_outputs
    dtype = _WINDOW_DTYPE.get(name, "float32")
    X = np.ones((1, 1, 4), dtype)
    kwargs = {"stride": (1,), "padding": ((0, 0),), "dilation": (1,), "groups": 1}
    assert conv(X, np.ones((1, 1, 6), dtype), **kwargs).shape == (1, 1, 0)
    _refuses(backend, X, np.ones((1, 1, 6), dtype), **kwargs)
    _refuses(backend, X, np.ones((1, 1, 3), dtype), **{**kwargs, "dilation": (3,)})


@pytest.mark.parametrize("name", list(ADAPTERS))
def test_mixed_dtypes_are_not_computed_as_the_spec_says(name):
    """No adapter claims mixed dtypes: the library raises, or returns another dtype."""
    modules, _ = ADAPTERS[name]
    backend = _backend(name, *modules)
    assert not backend.claims.mixed_dtypes
    X = np.ones((1, 1, 4), "float16")
    W = np.ones((1, 1, 2), "float32")
    kwargs = {"stride": (1,), "padding": "VALID", "dilation": (1,), "groups": 1}
    try:
        result = np.asarray(backend(X, W, None, **kwargs))
    except Exception:
        return
    assert result.dtype != conv(X, W, None, **kwargs).dtype


@pytest.mark.parametrize("name", ["onnxruntime-layer", "onnx-reference-layer"])
def test_zero_size_inputs_are_computed(name):
    modules, _ = ADAPTERS[name]
    backend = _backend(name, *modules)
    assert backend.claims.zero_size
    kwargs = {"stride": (1,), "padding": ((1, 1),), "dilation": (1,), "groups": 1}
    cases = [
        (np.ones((0, 1, 4)), np.ones((2, 1, 2)), None),      # N = 0
        (np.ones((1, 0, 4)), np.ones((2, 0, 2)), np.array([1.0, 2.0])),  # C = 0: the bias
        (np.ones((1, 1, 4)), np.ones((0, 1, 2)), None),      # O = 0
        (np.ones((1, 1, 0)), np.ones((2, 1, 2)), None),      # a zero-size axis, padded
    ]
    for X, W, B in cases:
        X, W = X.astype("float32"), W.astype("float32")
        B = None if B is None else B.astype("float32")
        _check(backend(X, W, B, **kwargs), X, W, B, Problem("zero", X.shape, W.shape, B is not None,
                                                            **kwargs), exact=True)


# ------------------------------------------------------------------ library-specific claims

def test_torch_refuses_the_dtypes_it_does_not_claim():
    backend = _backend("torch-layer", "torch")
    p = PROBLEMS[7]  # grouped and dilated
    for dtype in ("int32", "int16", "int8", "uint8", "uint16"):
        assert dtype not in backend.claims.dtypes
        X, W, B = _operands(p, dtype, np.random.default_rng(5), integers=True)
        X, W, B = np.abs(X), np.abs(W), np.abs(B)
        _refuses(backend, X, W, B, **p.kwargs())


def test_torch_refuses_zero_size_spatial_axes():
    backend = _backend("torch-layer", "torch")
    assert not backend.claims.zero_size
    _refuses(backend, np.ones((1, 1, 0), "float32"), np.ones((1, 1, 1), "float32"),
             stride=(1,), padding=((1, 1),), dilation=(1,), groups=1)


def test_onnxruntime_refuses_float64():
    backend = _backend("onnxruntime-layer", "onnx", "onnxruntime")
    assert "float64" not in backend.claims.dtypes
    _refuses(backend, np.ones((1, 1, 4)), np.ones((1, 1, 2)),
             stride=(1,), padding="VALID", dilation=(1,), groups=1)


# ------------------------------------------------------------------ JAX (not installed by CI)

def test_jax_crops_negative_pads_and_returns_empty_and_zero_size_results():
    """What JAX computes where the other libraries refuse (CV-PD1, CV-SH1, CV-SH2), as its claims say."""
    backend = _backend("jax-layer", "jax")
    assert backend.claims.empty_outputs and backend.claims.zero_size and "negative" in backend.claims.padding
    one = {"stride": (1,), "dilation": (1,), "groups": 1}
    cases = [
        (np.arange(6.0).reshape(1, 1, 6), np.ones((1, 1, 2)), None, {**one, "padding": ((-1, -2),)}),
        (np.ones((1, 1, 4)), np.ones((1, 1, 6)), None, {**one, "padding": ((0, 0),)}),          # empty output
        (np.ones((1, 1, 4)), np.ones((1, 1, 6)), None, {**one, "padding": ((0, 0),), "stride": (3,)}),
        (np.ones((1, 1, 0)), np.ones((1, 1, 1)), None, {**one, "padding": ((1, 1),)}),          # padded empty axis
        (np.ones((1, 0, 4)), np.ones((2, 0, 2)), np.array([1.0, 2.0]), {**one, "padding": ((0, 0),)}),  # C = 0
        (np.ones((1, 1, 4)), np.ones((0, 1, 2)), None, {**one, "padding": ((0, 0),)}),          # O = 0
    ]
    for X, W, B, kwargs in cases:
        _check(backend(X, W, B, **kwargs), X, W, B, Problem("jax", X.shape, W.shape, B is not None, **kwargs),
               exact=True)
