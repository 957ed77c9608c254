"""Progress on a terminal (live line, colour, NO_COLOR), plain lines otherwise; the accuracy column."""

from __future__ import annotations

import io

import pytest

from convspec.conformance import AccuracySummary, PropertyResult, Report, Status, run
from convspec.conformance.console import Progress, accuracy_text, summary_text
from convspec.conformance.report import to_dict


class Terminal(io.StringIO):
    encoding = "utf-8"

    def isatty(self) -> bool:
        return True


def _result(pid="values.float", seconds=0.5, examples=40):
    acc = AccuracySummary()
    acc.add(0.03, 10, 0, {"0": 6, "<=1": 3, "<=2^1": 1}, dtype="float32")
    acc.add(0.5, 5, 0, {"<=2^3": 5}, dtype="float16")
    return PropertyResult(pid, "t", ("AC1",), Status.PASS, examples=examples, seconds=seconds, accuracy=acc)


def test_a_terminal_gets_a_live_line_and_colour(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    out = Terminal()
    progress = Progress(out, total=2)
    progress.start("values.float")
    assert "[1/2] values.float" in out.getvalue() and "\r" not in out.getvalue()
    progress.finish(_result())
    text = out.getvalue()
    assert "\r\033[2K" in text and "\033[32m" in text  # the live line is erased, the status is green
    assert "[1/2]" in text.splitlines()[-1]


def test_no_color_and_pipes_get_plain_lines(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    for out in (Terminal(), io.StringIO()):
        progress = Progress(out, total=1)
        progress.start("values.float")
        progress.finish(_result())
        progress.close()
        assert "\033" not in out.getvalue() and "\r" not in out.getvalue()
        assert out.getvalue().count("\n") == 1


def test_the_accuracy_column_gives_each_dtype_as_a_fraction_of_the_bound_and_in_ulps():
    text = accuracy_text(_result().accuracy)
    assert text == "float16 0.5× bound, ≤8 ulp; float32 0.03× bound, ≤2 ulp"
    plain = AccuracySummary()
    plain.add(0.25, 3, 0, {"<=1": 3})  # the dtype is optional
    assert accuracy_text(plain, fancy=False) == "0.25x bound, <=1 ulp"
    assert not plain.by_dtype


def test_the_summary_names_the_slowest_properties_and_json_keeps_per_dtype_numbers():
    results = {pid: _result(pid, seconds) for pid, seconds in
               [("values.float", 0.1), ("values.large", 3.0), ("special.nf1", 1.0), ("shape.eq1", 0.2)]}
    report = Report({"target": "x"}, results, {"profile": "quick", "seed": 0, "examples": 160,
                                               "isolation": "inprocess", "seconds": 4.3})
    text = summary_text(report)
    slow = next(line for line in text.splitlines() if line.startswith("slowest:"))
    assert slow.index("values.large") < slow.index("special.nf1") < slow.index("shape.eq1")
    assert "values.float" not in slow and "(40 ex)" in slow
    by_dtype = to_dict(report)["properties"][0]["accuracy"]["by_dtype"]
    assert by_dtype["float16"]["worst_ratio"] == 0.5 and by_dtype["float32"]["compared"] == 10


@pytest.mark.parametrize(("op", "pid"), [("conv2d", "values.complex"), ("conv", "conv.covering")])
def test_a_real_run_feeds_the_accuracy_column_per_dtype(op, pid):
    report = run("reference", op=op, profile="quick", select=[pid], isolation="inprocess",
                 dtypes=["float32", "complex128"])
    accuracy = report.results[pid].accuracy
    assert accuracy is not None and set(accuracy.by_dtype) >= {"complex128"}
    assert sum(one.compared for one in accuracy.by_dtype.values()) == accuracy.compared
    assert "complex128" in accuracy_text(accuracy)


def test_huge_ulp_counts_are_written_as_powers_and_ranked_without_overflow():
    """An error against an exact zero is counted in subnormal ULPs: 2^1000 and more must not crash."""
    from convspec.conformance.console import ulp_text
    from convspec.conformance.results import worst_ulp_label
    assert worst_ulp_label({"0": 5, "<=1": 2, "<=2^1100": 1, "<=2^3": 4}) == "<=2^1100"
    assert worst_ulp_label({"<=1": 1, "<=2^1": 1}) == "<=2^1" and worst_ulp_label({"0": 1}) == "0"
    assert ulp_text("<=2^1100", fancy=False) == "<=2^1100 ulp" and ulp_text("<=2^3") == "≤8 ulp"
    summary = AccuracySummary()
    summary.add(0.5, 10, 0, {"<=2^1100": 1}, dtype="float32")
    assert "2^1100" in accuracy_text(summary, fancy=False)
