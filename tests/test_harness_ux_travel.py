"""File targets import their neighbours, in the run and in reproducers that run from anywhere."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

from convspec.conformance import Status, run

HELPER = textwrap.dedent("""
    import numpy as np
    from convspec import reference

    def flipped_conv(M, K, stride):
        return reference.conv2d(M, np.ascontiguousarray(np.asarray(K)[::-1, ::-1]), stride=stride)
""")
BACKEND = textwrap.dedent("""
    from helper_of_backend import flipped_conv

    def conv2d(M, K, *, stride):
        return flipped_conv(M, K, stride)
""")


def test_a_file_target_imports_its_neighbours_and_its_reproducer_travels(tmp_path):
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir()
    elsewhere.mkdir()
    (project / "helper_of_backend.py").write_text(HELPER)
    (project / "mybackend.py").write_text(BACKEND)
    # subprocess isolation: the worker process loads the file through the same path
    report = run(f"{project}/mybackend.py:conv2d", profile="quick", select="values.float",
                 isolation="subprocess")
    result = report.results["values.float"]
    assert result.status == Status.FAIL, result.reason
    script = elsewhere / "repro.py"
    script.write_text(result.failure.reproducer)
    assert "BACKEND_FILE = pathlib.Path(" in result.failure.reproducer

    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=elsewhere,
                          timeout=60)
    assert done.returncode == 1 and "AssertionError" in done.stderr, done.stderr
    assert "out[0, 0]=" in done.stderr and "but should be" in done.stderr  # the assertion shows got vs expected

    shutil.move(project, tmp_path / "moved")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=elsewhere,
                          timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "set BACKEND_FILE at the top of this script" in done.stderr
