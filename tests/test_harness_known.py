"""Known-deviation files: confirmed entries report ``known``, stale ones fail loudly."""

from __future__ import annotations

from pathlib import Path

import pytest

from convspec.conformance import Status, run
from convspec.conformance.cli import main
from convspec.conformance.known import load_known
from convspec.conformance.properties import PROPERTIES

BACKENDS = Path(__file__).parent / "harness" / "backends.py"

NAN_ENTRY = """
[[deviation]]
property = "special.nf1"
reason = "NaN and infinity become zero"
[deviation.example]
M = [["nan", 1.0], [2.0, "-inf"]]
K = [[1.0]]
stride = [1, 1]
dtype = "float32"
"""

FILTERED_ENTRY = """
[[deviation]]
property = "values.float"
reason = "float16 is computed in float16 throughout"
[deviation.example]
M = [[1.0, 2.0]]
K = [[1.0]]
stride = [1, 1]
dtype = "float16"
[deviation.filter]
dtypes = ["float16"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "known.toml"
    path.write_text(text)
    return path


def test_a_confirmed_deviation_is_known_and_the_run_holds(tmp_path):
    known = write(tmp_path, NAN_ENTRY)
    report = run(f"{BACKENDS}:zeroes_nan", profile="quick", select=["special.nf1"], known=known)
    result = report.results["special.nf1"]
    assert result.status == Status.KNOWN and "zero" in result.reason
    assert report.exit_code == 0


def test_a_deviation_that_no_longer_fails_is_stale_and_fails_loudly(tmp_path, capsys):
    known = write(tmp_path, NAN_ENTRY)
    status = main(["check", f"{BACKENDS}:correct", "--profile", "quick", "--no-cache", "-k", "special.nf1",
                   "--known", str(known)])
    out = capsys.readouterr().out
    assert status == 1
    assert "STALE KNOWN DEVIATION" in out


def test_a_filter_keeps_the_rest_of_the_property_searched(tmp_path):
    known = write(tmp_path, FILTERED_ENTRY)
    stale = run(f"{BACKENDS}:correct", profile="quick", select=["values.float"], known=known)
    assert stale.results["values.float"].failure.kind == "stale known deviation"
    caught = run(f"{BACKENDS}:flipped", profile="quick", select=["values.float"], known=known)
    failure = caught.results["values.float"].failure
    assert failure.kind == "violation" and "float16" not in failure.problem


@pytest.mark.parametrize("text, message", [
    ("[[deviation]]\nproperty = 'values.nope'\nreason = 'x'\n[deviation.example]\nM=[[1]]\nK=[[1]]\n"
     "stride=[1,1]\ndtype='int8'\n", "unknown property"),
    ("[[deviation]]\nproperty = 'values.float'\n", "missing"),
    ("schema = 'convspec-known/9'\n", "unsupported schema"),
    ("this is not toml", "not valid TOML"),
    ("[[deviation]]\nproperty = 'values.float'\nreason = 'x'\n[deviation.example]\nM=[1]\nK=[[1]]\n"
     "stride=[1,1]\ndtype='int8'\n", "list of rows"),
])
def test_malformed_files_are_refused_with_a_reason(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        load_known(write(tmp_path, text), set(PROPERTIES))


def test_exact_values_survive_the_file(tmp_path):
    text = NAN_ENTRY.replace('[["nan", 1.0], [2.0, "-inf"]]', '[["0x1.8p-1", "-0.0"], ["18446744073709551615", 0]]')
    text = text.replace('dtype = "float32"', 'M_dtype = "float64"\nK_dtype = "float64"')
    (entry,) = load_known(write(tmp_path, text.replace("float64\"\nK", "float64\"\nK")), set(PROPERTIES))
    assert entry.case.M[0, 0] == 0.75 and str(entry.case.M[0, 1]) == "-0.0"
    assert entry.case.M[1, 0] == float(2 ** 64 - 1)


def test_a_bad_known_file_is_a_usage_error(tmp_path, capsys):
    known = write(tmp_path, "this is not toml")
    assert main(["check", "reference", "--profile", "quick", "--known", str(known)]) == 2


@pytest.mark.parametrize("path", sorted((Path(__file__).resolve().parents[1] / "conformance" / "adapters")
                                        .glob("*.known.toml")), ids=lambda p: p.name)
def test_every_bundled_known_file_names_current_properties(path):
    """Read without the library it describes, so that a renamed property is caught on any machine,
    not only where that (possibly optional) library is installed."""
    assert load_known(path, set(PROPERTIES))
