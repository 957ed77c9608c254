"""Empty or impossible selections are usage errors of one line, never a run of tracebacks."""

from __future__ import annotations

import pytest

from convspec.conformance import Claims, run
from convspec.conformance.cli import main


ONLY_FLOAT64 = """
from convspec.conformance import Backend, Claims
from convspec.reference import conv2d
BACKEND = Backend("only-float64", conv2d, Claims(dtypes=("float64",)))
"""


@pytest.mark.parametrize("argv, named", [
    (["check", "spec", "--dtypes", ","], "empty"),
    (["check", "{file}:BACKEND", "--dtypes", "int8"], "none of the claimed dtypes (float64)"),
    (["check", "reference", "-k", "no-such-property"], "no-such-property"),
])
def test_a_selection_of_nothing_is_one_line_and_exit_2(argv, named, capsys, tmp_path):
    (tmp_path / "only64.py").write_text(ONLY_FLOAT64)
    argv = [a.replace("{file}", str(tmp_path / "only64.py")) for a in argv]
    assert main(argv + ["--no-cache", "--isolation", "inprocess"]) == 2
    out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1, err
    assert named in err and "Traceback" not in out + err


def test_claims_of_no_dtype_are_refused_by_name():
    with pytest.raises(ValueError, match="no dtypes"):
        Claims(dtypes=())


def test_a_single_dtype_string_is_one_dtype_not_its_characters():
    assert Claims(dtypes="float32").dtypes == ("float32",)
    assert Claims(dtypes=["int8", "float64"]).dtypes == ("int8", "float64")
    report = run("reference", profile="quick", dtypes="int8", select="dtype.dt1", isolation="inprocess")
    assert report.backend["claims"]["dtypes"] == ["int8"]


def test_the_api_refuses_an_empty_dtype_list():
    with pytest.raises(ValueError, match="empty"):
        run("reference", dtypes=[], isolation="inprocess")
