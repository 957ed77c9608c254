"""Reproducibility: the hypothesis pin covers the installed version, and every report records versions."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import hypothesis
import numpy as np

from convspec.conformance import run
from convspec.conformance.cli import build_parser

PYPROJECT = Path(__file__).parents[1] / "pyproject.toml"


def _in_range(installed: str, spec: str) -> bool:
    parts = dict(re.findall(r"(>=|<)\s*([\d.]+)", spec))
    as_tuple = lambda text: tuple(int(x) for x in text.split("."))
    return as_tuple(parts[">="]) <= as_tuple(installed) < as_tuple(parts["<"])


def test_hypothesis_is_pinned_to_a_range_holding_the_installed_version():
    deps = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    spec = next(d for d in deps if d.startswith("hypothesis"))
    assert ">=" in spec and "<" in spec.replace("<=", ""), spec
    assert _in_range(hypothesis.__version__, spec), (hypothesis.__version__, spec)


def test_every_report_records_the_versions_that_decide_the_examples():
    report = run("reference", profile="quick", select="invalid.va3", isolation="inprocess")
    versions = report.run["versions"]
    assert versions["hypothesis"] == hypothesis.__version__ and versions["numpy"] == np.__version__
    assert versions["convspec"] == version("convspec")


def test_the_check_help_states_the_version_caveat():
    check = next(a for a in build_parser()._actions if a.dest == "command").choices["check"]
    assert "hypothesis version may draw other examples" in check.format_help().replace("\n", " ").replace("  ", " ")
