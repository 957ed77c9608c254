"""Failures name their mistake: classic variants, lower precision, wrong values (EQ2 / CV-EQ1 vs AC1).

Each planted backend below carries one classic mistake; the judge's failure
message must name it and cite the clause the mistake breaks.  Outputs that
meet the specification are never given a variant, and the helpers of
`convspec.conformance.diagnosis` are checked on values worked out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from convspec import reference, spec
from convspec.conformance import Claims, run
from convspec.conformance.backend import Backend
from convspec.conformance.cases import Case, LayerCase
from convspec.conformance.diagnosis import (
    locality_clause, matching_variants, precision_level, round_significand, value_clause,
)
from convspec.conformance.judge import Violation, check_array, check_specials, check_values
from convspec.conformance.operations import CORE, LAYER
from convspec.conformance.results import AccuracySummary
from convspec.spec import CLAUSES
from convspec.spec.error_model import componentwise_bound

CLAIMS = Claims()
RNG = np.random.default_rng(11)


def _fails(value: np.ndarray, case) -> str:
    """The message of the judge's failure on ``value`` (it must fail)."""
    with pytest.raises(Violation) as caught:
        check_values(np.asarray(value), [case], CLAIMS, AccuracySummary())
    return caught.value.message


def _core(M, K, stride=(1, 1)) -> Case:
    return Case(np.asarray(M), np.asarray(K), stride)


def _layer(X, W, B=None, stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1) -> LayerCase:
    return LayerCase(X, W, B, stride, padding, dilation, groups)


def _layer_spec(case: LayerCase, **changes) -> np.ndarray:
    args = dict(X=case.X, W=case.W, B=case.B, stride=case.stride, padding=case.padding,
                dilation=case.dilation, groups=case.groups)
    args.update(changes)
    X, W, B = args.pop("X"), args.pop("W"), args.pop("B")
    return spec.conv(X, W, B, **args)


# --------------------------------------------------------------------------- the clauses cited

def test_the_cited_clauses_exist_for_both_operations():
    for op in (CORE, LAYER):
        for cid in (value_clause(op), locality_clause(op), op.clause_id("AC1"), op.clause_id("EX1")):
            assert cid in CLAUSES, cid
    assert (value_clause(CORE), value_clause(LAYER)) == ("EQ2", "CV-EQ1")
    assert (locality_clause(CORE), locality_clause(LAYER)) == ("NF2", "CV-NF2")


# --------------------------------------------------------------------------- classic variants, core

@pytest.mark.parametrize("dtype", ["float64", "float32", "int32"])
def test_EQ2_a_flipped_kernel_is_named_as_convolution(dtype):
    M = RNG.integers(-9, 9, (5, 6)).astype(dtype)
    K = RNG.integers(-9, 9, (3, 2)).astype(dtype)
    case = _core(M, K, (2, 1))
    message = _fails(spec.conv2d(M, K[::-1, ::-1], stride=(2, 1)), case)
    assert message.startswith("[EQ2]") and "matches correlation with flip(K)" in message, message
    assert "convolution, not cross-correlation" in message and "but should be" in message


def test_EQ2_a_conjugated_kernel_is_named():
    M = RNG.standard_normal((4, 4)) + 1j * RNG.standard_normal((4, 4))
    K = RNG.standard_normal((2, 2)) + 1j * RNG.standard_normal((2, 2))
    message = _fails(spec.conv2d(M, np.conj(K)), _core(M, K))
    assert message.startswith("[EQ2]") and "conj(K)" in message, message


def test_EQ2_a_transposed_output_is_named():
    M, K = RNG.standard_normal((5, 5)), RNG.standard_normal((2, 2))
    message = _fails(spec.conv2d(M, K).T, _core(M, K))
    assert message.startswith("[EQ2]") and "the transpose of Eq 2" in message, message


def test_EQ2_swapped_strides_are_named_when_the_shapes_agree():
    M, K = RNG.standard_normal((5, 5)), RNG.standard_normal((2, 2))  # (5 - 2) // 2 == (5 - 2) // 3
    message = _fails(spec.conv2d(M, K, stride=(3, 2)), _core(M, K, (2, 3)))
    assert message.startswith("[EQ2]") and "strides swapped" in message, message


def test_EX1_an_accumulator_of_an_operand_dtype_is_named_as_wrapping():
    M = np.full((3, 3), 100, np.int8)
    K = np.full((2, 2), 3, np.int16)
    exact = spec.conv2d(M, K)
    message = _fails(exact.astype(np.int8).astype(np.int16), _core(M, K))
    assert message.startswith("[EX1]") and "wrapped to int8" in message, message


# --------------------------------------------------------------------------- classic variants, layer

def test_CV_EQ1_a_flipped_layer_kernel_is_named():
    X = RNG.integers(-5, 5, (1, 2, 6, 5)).astype(np.float64)
    W = RNG.integers(-5, 5, (3, 2, 3, 2)).astype(np.float64)
    case = _layer(X, W)
    message = _fails(_layer_spec(case, W=W[..., ::-1, ::-1]), case)
    assert message.startswith("[CV-EQ1]") and "flip(W)" in message, message


@pytest.mark.parametrize("padding, wrong", [
    (((1, 0), (2, 1)), ((0, 1), (1, 2))),
    ("SAME_UPPER", "SAME_LOWER"),
])
def test_CV_EQ1_padding_on_the_wrong_side_is_named(padding, wrong):
    X = RNG.standard_normal((1, 1, 6, 7))
    W = RNG.standard_normal((2, 1, 2, 2))
    case = _layer(X, W, padding=padding)
    message = _fails(_layer_spec(case, padding=wrong), case)
    assert message.startswith("[CV-EQ1]") and "pads on the wrong side" in message, message


def test_CV_EQ1_swapped_axis_attributes_and_a_missing_bias_are_named():
    X = RNG.standard_normal((1, 2, 5, 5))
    W = RNG.standard_normal((2, 2, 2, 2))
    B = RNG.standard_normal(2)
    case = _layer(X, W, B, stride=(2, 3))  # (5 - 2) // 2 == (5 - 2) // 3
    swapped = _layer_spec(case, stride=(3, 2))
    assert swapped.shape == _layer_spec(case).shape
    assert "spatial axes 0 and 1 swapped" in _fails(swapped, case)
    message = _fails(_layer_spec(case, B=None), case)
    assert message.startswith("[CV-EQ1]") and "without the bias" in message, message


# --------------------------------------------------------------------------- shapes

def test_EQ1_shape_mistakes_are_named():
    M, K = np.ones((7, 6)), np.ones((2, 2))
    cases = {
        "ceil instead of floor": (_core(M, K, (2, 2)), np.ones((4, 3))),
        "strides swapped": (_core(M, K, (1, 2)), np.ones((3, 5))),
        "squeezes": (_core(np.ones((2, 6)), K), np.ones(5)),
        "off by one": (_core(M, K), np.ones((6, 6))),
    }
    for words, (case, value) in cases.items():
        with pytest.raises(Violation) as caught:
            check_array(value, [case])
        message = caught.value.message
        assert message.startswith("[EQ1] out.shape=") and "but should be" in message and words in message, message


def test_CV_SH1_negative_pads_that_pad_instead_of_cropping_are_named():
    X, W = np.ones((1, 1, 6, 6)), np.ones((1, 1, 2, 2))
    case = _layer(X, W, padding=((-1, 0), (0, -2)))
    for wrong, words in ((((0, 0), (0, 0)), "read as 0"), (((1, 0), (0, 2)), "read as positive")):
        with pytest.raises(Violation) as caught:
            check_array(_layer_spec(case, padding=wrong), [case])
        assert words in caught.value.message, caught.value.message


def test_CV_SH1_an_ignored_dilation_is_named():
    X, W = np.ones((1, 1, 9, 9)), np.ones((1, 1, 3, 3))
    case = _layer(X, W, dilation=(2, 2))
    with pytest.raises(Violation) as caught:
        check_array(_layer_spec(case, dilation=(1, 1)), [case])
    message = caught.value.message
    assert message.startswith("[CV-SH1]") and "ignores the dilation" in message, message


# --------------------------------------------------------------------------- precision

def _float32_sum(M, K, stride=(1, 1)):
    (sx, sy), (mk, nk) = stride, K.shape
    rows, cols = spec.output_shape(M.shape, K.shape, stride)
    C = np.zeros((rows, cols), np.float32)
    for a in range(mk):
        for b in range(nk):
            C += M[a:a + sx * (rows - 1) + 1:sx, b:b + sy * (cols - 1) + 1:sy].astype(np.float32) * np.float32(K[a, b])
    return C


def test_AC1_a_float64_result_computed_in_float32_is_named_as_lower_precision():
    M, K = RNG.standard_normal((6, 6)), RNG.standard_normal((3, 3))
    message = _fails(_float32_sum(M, K).astype(np.float64), _core(M, K))
    assert message.startswith("[AC1]") and "level of float32" in message, message
    assert "computes in float32 and converts to float64" in message


def test_AC1_TF32_operands_are_named():
    M = RNG.standard_normal((6, 6)).astype(np.float32)
    K = RNG.standard_normal((3, 3)).astype(np.float32)
    rounded = spec.conv2d(round_significand(M, 11), round_significand(K, 11))
    message = _fails(rounded, _core(M, K))
    assert message.startswith("[AC1]") and "TF32" in message, message


def test_CV_AC1_lower_precision_in_the_layer():
    X, W = RNG.standard_normal((1, 2, 6, 6)), RNG.standard_normal((2, 2, 2, 2))
    case = _layer(X, W)
    low = _layer_spec(_layer(X.astype(np.float32), W.astype(np.float32))).astype(np.float64)
    message = _fails(low, case)
    assert message.startswith("[CV-AC1]") and "float32" in message, message


def test_AC1_an_error_a_little_above_the_bound_is_named_nothing():
    M, K = RNG.standard_normal((4, 4)), RNG.standard_normal((2, 2))
    exact = spec.conv2d(M, K)
    bound, _ = componentwise_bound(M, K, (1, 1), np.float64)
    message = _fails(exact + 3 * bound, _core(M, K))
    assert message.startswith("[AC1]") and "level" not in message and "matches" not in message, message


def test_EQ2_an_error_beyond_any_rounding_is_a_wrong_value():
    M, K = RNG.standard_normal((4, 4)).astype(np.float32), RNG.standard_normal((2, 2)).astype(np.float32)
    value = spec.conv2d(M, K)
    value[1, 2] += 1
    message = _fails(value, _core(M, K))
    assert message.startswith("[EQ2]") and "wrong values" in message and "beyond" in message, message


def test_NF2_a_nan_from_finite_terms_is_a_locality_failure():
    M, K = RNG.standard_normal((4, 4)), RNG.standard_normal((2, 2))
    value = spec.conv2d(M, K)
    value[0, 1] = np.nan
    message = _fails(value, _core(M, K))
    assert message.startswith("[NF2]") and "out[0, 1]=nan, but should be" in message, message
    X, W = RNG.standard_normal((1, 1, 4, 4)), RNG.standard_normal((1, 1, 2, 2))
    case = _layer(X, W)
    value = _layer_spec(case)
    value[0, 0, 2, 2] = np.inf
    assert _fails(value, case).startswith("[CV-NF2]")


# --------------------------------------------------------------------------- no false diagnosis

@pytest.mark.parametrize("seed", range(6))
def test_an_output_that_meets_the_specification_is_never_given_a_variant(seed):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((5, 5)).astype(np.float32)
    K = rng.standard_normal((2, 2)).astype(np.float32)
    case = _core(M, K)
    exp = CORE.expected(case)
    for value in (spec.conv2d(M, K), _float32_sum(M, K)):  # correctly rounded; another correct order
        check_values(value, [case], CLAIMS, AccuracySummary())
        assert matching_variants(CORE, value, case, CLAIMS, exp) == []
    sym = _core(M, np.ones((2, 2), np.float32))  # flip(K) == K: the variant cannot show
    assert matching_variants(CORE, spec.conv2d(M, sym.K), sym, CLAIMS, CORE.expected(sym)) == []


def test_the_diagnosis_is_made_once_and_only_when_the_message_is_read():
    calls = []
    violation = Violation("violation", "[AC1] plain", [], "", explain=lambda: calls.append(1) or "[EQ2] named")
    assert str(violation) == "[AC1] plain" and not calls  # hypothesis formats every failing example
    assert violation.message == "[EQ2] named" and str(violation) == "[EQ2] named"
    assert violation.message == "[EQ2] named" and calls == [1]


# --------------------------------------------------------------------------- helpers

def test_round_significand_rounds_to_nearest_even():
    x = np.array([1 + 2 ** -11, 1 + 3 * 2 ** -11, -(1 + 2 ** -10), 3.0, np.inf, np.nan])
    got = round_significand(x, 11)
    assert got[0] == 1.0 and got[1] == 1 + 2 ** -9 and got[2] == -(1 + 2 ** -10) and got[3] == 3.0
    assert np.isinf(got[4]) and np.isnan(got[5])
    ints = np.array([3, 5])
    assert round_significand(ints, 2) is ints


def test_precision_level_names_the_band_of_the_error():
    assert precision_level(3.0, 53) is None                         # a little above the float64 bound
    assert precision_level(0.5 * 2 ** 29, 53)[1] == "float32"        # half of float32's bound
    assert precision_level(2 ** 13, 53) is None                      # lower half of float32's band
    assert "TF32" in precision_level(0.5 * 2 ** 13, 24)[1]           # float32 output at 11 bits
    assert precision_level(2 ** 20, 24) == "wrong"                   # beyond bfloat16's level
    assert precision_level(float("inf"), 11) == "wrong"
    assert precision_level(2 ** 34, 53) is None and precision_level(2 ** 34, 53, 24) == "wrong"  # integer sums


def test_EQ2_a_dropped_kernel_row_in_integers_is_a_wrong_value():
    M = RNG.integers(-3, 3, (20, 20)).astype(np.int32)
    K = RNG.integers(-3, 3, (11, 11)).astype(np.int32)
    value = spec.conv2d(M, K[:-1])[:10]
    message = _fails(value, _core(M, K))
    assert message.startswith("[EQ2]") and "beyond" in message and "float32" in message, message


def test_every_matching_mistake_is_named():
    M, K = np.ones((1, 3)), np.ones((1, 2))  # (1, 2) is both the ceil shape and the swapped-stride shape
    with pytest.raises(Violation) as caught:
        check_array(np.ones((1, 2)), [_core(M, K, (1, 2))])
    message = caught.value.message
    assert "ceil instead of floor" in message and "strides swapped" in message, message


# --------------------------------------------------------------------------- planted backends, whole runs

def flipped_layer(X, W, B=None, *, stride, padding, dilation, groups):
    return reference.conv(X, W[(slice(None), slice(None), *(slice(None, None, -1),) * (W.ndim - 2))], B,
                     stride=stride, padding=padding, dilation=dilation, groups=groups)


def float32_core(M, K, *, stride=(1, 1)):
    ops = spec.validate(M, K, stride)
    if ops.out_dtype != np.float64:
        return spec.conv2d(M, K, stride=stride)
    return _float32_sum(ops.M, ops.K, ops.stride).astype(np.float64)


def test_whole_runs_name_the_mistake(monkeypatch):
    from convspec.conformance import diagnosis
    calls = []
    real = diagnosis.diagnose_values
    monkeypatch.setattr(diagnosis, "diagnose_values", lambda *a, **k: calls.append(1) or real(*a, **k))
    core = run(Backend("f32", float32_core, Claims(dtypes=("float64",))), profile="quick",
               select=["values.float"], isolation="inprocess")
    failure = core.results["values.float"].failure
    assert failure is not None and failure.message.startswith("[AC1]") and "float32" in failure.message
    assert len(calls) == 1  # once for the reported failure, not for every example the search shrank
    layer = run(Backend("flip", flipped_layer, Claims(dtypes=("float64",), ranks=(1, 2)), op="conv"), op="conv",
                profile="quick", select=["conv.covering"], isolation="inprocess")
    failure = layer.results["conv.covering"].failure
    assert failure is not None and failure.message.startswith("[CV-EQ1]") and "flip(W)" in failure.message


def test_EQ2_a_flipped_kernel_is_named_from_wrong_special_values():
    M = np.array([[1.0, np.inf, 2.0]])
    K = np.array([[0.0, 1.0]])  # inf * 0 is NaN in the first window; the flipped kernel makes it inf
    case = _core(M, K)
    with pytest.raises(Violation) as caught:
        check_specials(spec.conv2d(M, K[:, ::-1]), [case])
    message = caught.value.message
    assert message.startswith("[EQ2]") and "flip(K)" in message and "(IEEE)" in message, message
    with pytest.raises(Violation) as caught:  # a NaN scrubbed to zero is no variant: NF1
        check_specials(np.zeros((1, 2)), [case])
    assert caught.value.message.startswith("[NF1]")


def test_AC1_one_stray_output_is_not_blamed_on_a_format():
    M, K = RNG.standard_normal((8, 9)), RNG.standard_normal((3, 3))
    value = spec.conv2d(M, K)
    value[0, 0] *= 1 + 1e-9  # within float32's band, but one output of 42
    message = _fails(value, _core(M, K))
    assert message.startswith("[AC1]") and "level" not in message, message


def test_EQ2_a_transposed_input_is_named():
    M, K = RNG.standard_normal((5, 5)), RNG.standard_normal((2, 3))
    message = _fails(spec.conv2d(M.T, K), _core(M, K))
    assert message.startswith("[EQ2]") and "M transposed" in message, message
