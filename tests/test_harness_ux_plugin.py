"""The pytest plugin refuses to go green without a backend, and a bad target is one usage error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def pytest_run(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                           *args], capture_output=True, text=True, cwd=cwd, timeout=300,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize("extra", [[], ["-n", "2"]])
def test_the_suite_without_a_backend_is_a_usage_error(tmp_path, extra):
    done = pytest_run(tmp_path, "--pyargs", "convspec.conformance", *extra, env={"CONVSPEC_ALLOW_SKIP": ""})
    assert done.returncode == 4, done.stdout[-2000:] + done.stderr[-2000:]
    assert "--conv-backend" in done.stderr and "skipped" not in done.stdout


def test_a_bad_target_is_one_usage_error_not_one_error_per_test(tmp_path):
    done = pytest_run(tmp_path, "--pyargs", "convspec.conformance", "--conv-backend", "refrence")
    assert done.returncode == 4, done.stdout[-2000:]
    assert done.stderr.count("ERROR") == 1 and "did you mean 'reference'" in done.stderr
    assert "error" not in done.stdout.lower()


def test_other_test_runs_are_untouched(tmp_path):
    (tmp_path / "test_mine.py").write_text("def test_mine():\n    assert True\n")
    done = pytest_run(tmp_path, "test_mine.py")
    assert done.returncode == 0 and "1 passed" in done.stdout
