"""Reproducers: standalone scripts that rebuild the exact inputs and re-check the failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from convspec.conformance import run
from convspec.conformance.cases import LAYOUTS, Case
from convspec.conformance.reproducer import case_lines, literal

BACKENDS = Path(__file__).parent / "harness" / "backends.py"


def run_script(path: Path, text: str) -> subprocess.CompletedProcess:
    path.write_text(text)
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name, prop", [("flipped", "values.exhaustive"), ("flipped", "values.float"),
                                        ("zeroes_nan", "special.nf1"), ("wrong_dtype", "dtype.dt1"),
                                        ("returns_wrong_shape", "shape.eq1")])
def test_the_reproducer_of_a_failure_fails_when_run(tmp_path, name, prop):
    report = run(f"{BACKENDS}:{name}", profile="quick", select=[prop])
    failure = report.results[prop].failure
    assert failure is not None
    done = run_script(tmp_path / "repro.py", failure.reproducer)
    assert done.returncode != 0, done.stdout
    assert "AssertionError" in done.stderr
    assert failure.problem in failure.reproducer


def test_the_same_script_passes_once_the_backend_is_fixed(tmp_path):
    report = run(f"{BACKENDS}:flipped", profile="quick", select=["values.exhaustive"])
    script = report.results["values.exhaustive"].failure.reproducer.replace("_module.flipped", "_module.correct")
    done = run_script(tmp_path / "fixed.py", script)
    assert done.returncode == 0, done.stderr
    assert "did not reproduce" in done.stdout


def test_a_crash_reproducer_crashes(tmp_path):
    report = run(f"{BACKENDS}:segfaults", profile="quick", select=["values.integer"])
    done = run_script(tmp_path / "crash.py", report.results["values.integer"].failure.reproducer)
    assert done.returncode < 0


def _roundtrip(value):
    namespace = {"np": np, "base64": __import__("base64")}
    return eval(literal(value), namespace)


@pytest.mark.parametrize("array", [
    np.array([[np.nan, -0.0, np.inf], [-np.inf, 5e-324, 1.7976931348623157e308]]),
    np.array([[6e-8, -65504.0]], dtype=np.float16),
    np.array([[1.4e-45, 3.4028235e38]], dtype=np.float32),
    np.array([[complex(-0.0, np.nan), complex(1e-310, -np.inf)]], dtype=np.complex128),
    np.array([[2 ** 64 - 1, 0]], dtype=np.uint64),
    np.array([[-2 ** 63, 2 ** 63 - 1]], dtype=np.int64),
    np.arange(200, dtype=np.float32).reshape(10, 20) / 7,
])
def test_literals_rebuild_arrays_bit_for_bit(array):
    rebuilt = _roundtrip(array)
    assert rebuilt.dtype == array.dtype and rebuilt.shape == array.shape
    assert rebuilt.tobytes() == array.tobytes()


@pytest.mark.parametrize("value", [[[1, 2]], (1, 2, 3), np.int64(2), np.bool_(True), None, "11",
                                   np.array([[True, False]]), np.array([["a", "b"]]),
                                   np.array([[1]], dtype="datetime64[s]"), np.ma.masked_array([[1.0]]),
                                   np.zeros((1, 2), dtype=[("value", "<f8")])])
def test_literals_rebuild_invalid_operands(value):
    rebuilt = _roundtrip(value)
    assert type(rebuilt) is type(value)
    if isinstance(value, np.ndarray):
        assert rebuilt.dtype == value.dtype and rebuilt.shape == value.shape


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_lines_rebuild_the_memory_layout(layout):
    M = np.arange(12, dtype=np.float32).reshape(3, 4)
    case = Case(M, M[:2, :2].copy(), (1, 1), (layout, "C"))
    namespace = {"np": np}
    exec("\n".join(case_lines(0, case)), namespace)
    built, _, _ = case.build()
    rebuilt = namespace["M0"]
    assert np.array_equal(rebuilt, M)
    assert rebuilt.strides == built.strides and rebuilt.flags.writeable == built.flags.writeable


def test_a_componentwise_reproducer_judges_as_the_harness_does():
    """Once the backend is fixed to within the bound, the reproducer says so: it measures the
    error against the exact value (the rounded value plus its remainder), as the harness does,
    rather than against the rounded value, which is off by up to half an ulp."""
    import numpy as np
    from fractions import Fraction
    from convspec.conformance.backend import Claims
    from convspec.conformance.cases import Case
    from convspec.conformance.judge import Violation, check_values
    from convspec.conformance.oracle import expected
    from convspec.conformance.results import AccuracySummary
    from convspec.spec.error_model import componentwise_bound

    M = np.array([[1.0, 2.0 ** -30, 3.0]])
    K = np.array([[1.0 / 3, 1.0 / 7, 1.0 / 11]])
    exact = sum(Fraction(float(m)) * Fraction(float(k)) for m, k in zip(M[0], K[0]))
    exp = expected(M, K, (1, 1))
    remainder = exact - Fraction(float(exp.values[0, 0]))
    assert remainder != 0
    bound = float(componentwise_bound(M, K, (1, 1), np.float64)[0][0, 0])
    # within the bound of the exact value, on the far side from the rounded one
    side = 1 if remainder > 0 else -1
    fixed = np.array([[float(exact + side * Fraction(0.9 * bound))]])
    assert abs(Fraction(float(fixed[0, 0])) - exact) <= bound
    check_values(fixed, [Case(M, K, (1, 1))], Claims(), AccuracySummary())      # the harness accepts it
    with pytest.raises(Violation) as caught:
        check_values(exp.values * (1 + 2.0 ** -30), [Case(M, K, (1, 1))], Claims(), AccuracySummary())
    check = caught.value.code.split("\n", 1)[1]      # the judgement, after the call
    assert "C0" in caught.value.code.split("\n", 1)[0]
    space = {"np": np, "C0": fixed, **caught.value.data}
    exec(check, space)                                  # raises AssertionError on the old comparison

