"""Observe mode: every feature is probed, the outcome is classified, and the verdicts do not change."""

from __future__ import annotations

import numpy as np
import pytest

from convspec.conformance import run
from convspec.conformance.backend import Backend, Claims
from convspec.conformance.observe import (CRASHES, DEVIATES, HOLDS, NOT_AVAILABLE, REFUSES, feature_names,
                                          observation, plain_claims)
from convspec.conformance.results import Failure, PropertyResult, Status
from convspec.reference import conv


def _layer_without_negative_pads(X, W, B=None, *, stride, padding, dilation, groups):
    """The reference layer, refusing negative pads and dropping NaN (two observable deviations)."""
    if not isinstance(padding, str) and any(v < 0 for pair in padding for v in pair):
        raise ValueError("negative pads are not supported")
    return np.nan_to_num(conv(X, W, B, stride=stride, padding=padding, dilation=dilation, groups=groups))


def test_an_unclaimed_feature_is_observed_and_the_verdicts_stay_those_of_the_claims(monkeypatch):
    from convspec.conformance import observe
    kept = ("explicit padding", "negative padding", "mixed dtypes", "non-finite locality")
    monkeypatch.setitem(observe.FEATURES, "conv", tuple(f for f in observe.FEATURES["conv"] if f.name in kept))
    claims = Claims(dtypes=("float64",), mixed_dtypes=False, nonfinite=False, validates_input=False,
                    padding=frozenset({"explicit", "VALID"}), ranks=(1, 2))
    backend = Backend("no-negative", _layer_without_negative_pads, claims, op="conv")
    report = run(backend, op="conv", profile="quick", seed=0, isolation="inprocess", observe=True,
                 select=["conv.result_type"])
    assert report.ok and report.exit_code == 0          # the claims exclude both deviations
    observed = {item["feature"]: item for item in report.observed}
    assert list(observed) == list(kept) == [n for n in feature_names("conv") if n in kept]
    assert observed["negative padding"]["status"] == REFUSES
    assert "negative pads" in observed["negative padding"]["message"]
    assert observed["non-finite locality"]["status"] == DEVIATES
    assert observed["non-finite locality"]["reproducer"]
    assert observed["explicit padding"]["status"] == HOLDS
    assert observed["mixed dtypes"]["status"] == NOT_AVAILABLE  # one claimed dtype: nothing to mix


def test_without_observe_the_report_has_no_observations():
    report = run("spec", op="conv", profile="quick", seed=0, select=["conv.result_type"], isolation="inprocess")
    assert report.observed is None


def _result(status, kind=None):
    failure = Failure(kind, "m", "p", "script") if kind else None
    return PropertyResult("conv.values", "t", ("CV-EQ1",), status, failure=failure, reason="r")


@pytest.mark.parametrize("results, expected", [
    ([_result(Status.PASS)], HOLDS),
    ([_result(Status.PASS), _result(Status.FAIL, "raised")], REFUSES),
    ([_result(Status.FAIL, "raised"), _result(Status.FAIL, "violation")], DEVIATES),
    ([_result(Status.FAIL, "accepted")], DEVIATES),
    ([_result(Status.FAIL, "violation"), _result(Status.FAIL, "timeout")], CRASHES),
    ([_result(Status.NOT_CLAIMED)], NOT_AVAILABLE),
    ([], NOT_AVAILABLE),
])
def test_the_most_telling_outcome_names_the_probe(results, expected):
    assert observation("f", results, None)["status"] == expected


def test_the_plain_problem_keeps_one_claimed_form_rank_and_dtype():
    claims = Claims(dtypes=("int64", "float16"), ranks=(1, 3), padding=frozenset({"SAME_UPPER", "VALID"}))
    plain = plain_claims(claims, "conv")
    assert plain.ranks == (1,) and plain.padding == {"VALID"} and plain.dtypes == ("float16",)
    assert not (plain.dilation or plain.groups or plain.bias or plain.nonfinite or plain.validates_input)


def test_the_console_lines_keep_their_columns_for_long_feature_names():
    from convspec.conformance.observe import observed_text
    observed = [{"feature": "output_padding >= stride", "status": "refuses", "property": "p.x", "problem": "tc_1"},
                {"feature": "bias", "status": "holds", "property": None, "problem": None},
                {"feature": "rank 1", "status": "crashes or hangs", "property": "p.y", "problem": "tc_2"}]
    lines = observed_text(observed).splitlines()[1:]
    starts = {line.index(item["status"]) for line, item in zip(lines, observed)}
    assert len(starts) == 1, lines
    details = [line.index(item["property"]) for line, item in zip(lines, observed) if item["property"]]
    assert len(set(details)) == 1, lines
    assert all(line == line.rstrip() for line in lines)
