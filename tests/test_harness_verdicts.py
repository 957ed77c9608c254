"""Verdicts a user can act on: a lenient correct backend passes, wrong result types fail (OU1, RP1)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from convspec.conformance import Status, run
from convspec.conformance.backend import Backend, Claims

HERE = Path(__file__).parent / "harness"


def test_a_correct_lenient_backend_passes_by_default():
    report = run(f"{HERE / 'lenient.py'}:conv2d", profile="quick", seed=0)
    assert report.exit_code == 0, report.failed
    assert report.results["invalid.representation"].status == Status.PASS


def _wrapped(kind: str):
    from convspec.reference import conv2d

    def backend(M, K, *, stride):
        C = conv2d(M, K, stride=stride)
        return {"list": C.tolist, "matrix": lambda: np.asmatrix(C),
                "masked": lambda: np.ma.masked_array(C)}[kind]()
    return backend


@pytest.mark.parametrize("kind, shown", [("list", "list"), ("matrix", "numpy.matrix"),
                                         ("masked", "MaskedArray")])
def test_OU1_a_result_that_is_not_an_ndarray_fails(kind, shown):
    report = run(_wrapped(kind), profile="quick", select=["shape.eq1", "values.integer"],
                 isolation="inprocess")
    for pid in ("shape.eq1", "values.integer"):
        result = report.results[pid]
        assert result.status == Status.FAIL, pid
        assert "[OU1]" in result.failure.message and shown in result.failure.message


def test_RP1_a_backend_that_accepts_a_list_must_compute_it(tmp_path):
    def wrong_on_lists(M, K, *, stride):
        from convspec.reference import conv2d
        if isinstance(M, list):
            return np.zeros((1, 1))  # accepted, but not the converted input's result
        return conv2d(M, K, stride=stride)
    report = run(Backend("x", wrong_on_lists, Claims(dtypes=("int16",))), profile="default",
                 select=["invalid.representation"], isolation="inprocess")
    result = report.results["invalid.representation"]
    assert result.status == Status.FAIL and "RP1" in result.failure.message


def test_RP1_strict_backends_must_refuse_representations():
    from convspec.reference import conv2d
    lenient = Backend("lenient", lambda M, K, *, stride: conv2d(np.asarray(M).astype(np.int16),
                                                                  np.asarray(K).astype(np.int16),
                                                                  stride=tuple(int(s) for s in stride)),
                      Claims(dtypes=("int16",), strict_representation=True))
    report = run(lenient, profile="quick", select=["invalid.representation"], isolation="inprocess")
    assert report.results["invalid.representation"].status == Status.FAIL
