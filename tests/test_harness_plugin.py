"""The pytest plugin: the same suite as ``pytest --pyargs convspec.conformance --conv-backend TARGET``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


BACKENDS = Path(__file__).parent / "harness" / "backends.py"


def pytest_run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "--pyargs", "convspec.conformance", "-q",
                           "-p", "no:cacheprovider", "-p", "no:randomly", *args],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)


def test_the_suite_passes_for_the_reference_split_over_xdist_workers(tmp_path):
    done = pytest_run(tmp_path, "--conv-backend", "reference", "--conv-profile", "quick", "-n", "2")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "30 passed" in done.stdout


def test_one_failing_property_fails_its_test_with_a_reproducer(tmp_path):
    done = pytest_run(tmp_path, "--conv-backend", f"{BACKENDS}:flipped", "--conv-profile", "quick",
                      "-k", "exhaustive or dt1", "--conv-cache-dir", "none")
    assert done.returncode == 1
    assert "1 failed, 1 passed" in done.stdout
    assert "values.exhaustive" in done.stdout and "conv2d(M0, K0" in done.stdout


def test_the_plugin_skips_the_suite_without_a_backend_only_when_asked(tmp_path):
    (tmp_path / "test_other.py").write_text("def test_nothing():\n    assert True\n")
    done = pytest_run(tmp_path, "test_other.py", "-k", "eq1 or nothing", "--conv-allow-skip")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "1 passed, 1 skipped" in done.stdout
