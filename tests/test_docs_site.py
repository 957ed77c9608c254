"""The documentation builds strictly, and the built site is sound.

A fresh ``mkdocs build --strict`` goes to a temporary folder; then the static
checks of ``docs/tools/check_site.py`` (links, anchors, images, offline, math)
run on it.  The checker itself and the build helpers in ``docs/hooks`` are
tested on small inputs, so a checker that passes everything would be caught.
Rendering in Chromium is left to ``check_site.py --browser``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from convspec.spec.clauses import CLAUSES

ROOT = Path(__file__).resolve().parents[1]
HOOKS = ROOT / "docs" / "hooks"


def _load_check_site():
    spec = importlib.util.spec_from_file_location("check_site", ROOT / "docs/tools/check_site.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_site"] = module
    spec.loader.exec_module(module)
    return module


check_site = _load_check_site()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(out)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
    return out


@pytest.fixture
def helpers(monkeypatch):
    monkeypatch.syspath_prepend(str(HOOKS))
    from convspec_docs import registry, texmath
    return registry, texmath


# --- The real site ----------------------------------------------------------------------

def test_built_site_passes_static_checks(site):
    problems = check_site.static_checks(site)
    assert problems == [], "\n".join(problems)


def test_equations_are_mathml_with_anchors(site):
    page = check_site.parse_page((site / "mathematics.html").read_text(encoding="utf-8"))
    assert page.math_count >= 20
    assert {"eq-1", "eq-2"} <= page.ids


def _clause_page(site: Path, cid: str) -> str:
    sys.path.insert(0, str(HOOKS))
    try:
        from convspec_docs import catalogue
    finally:
        sys.path.pop(0)
    return (site / "specification" / f"{catalogue.part_of(cid)}.html").read_text(encoding="utf-8")


def test_every_clause_has_an_entry_on_its_page_and_an_anchor_on_the_overview(site):
    overview = check_site.parse_page((site / "specification.html").read_text(encoding="utf-8"))
    assert [cid for cid in CLAUSES if cid not in overview.ids] == []
    pages = sorted(p.name for p in (site / "specification").glob("*.html"))
    assert pages == ["core-inputs.html", "core-results.html", "gradients.html", "layer.html",
                     "transposed.html", "weight-gradients.html"]
    for cid in CLAUSES:
        assert re.search(rf'<h3 id="{re.escape(cid)}"', _clause_page(site, cid)), cid


def test_clause_links_go_to_the_page_holding_the_clause(helpers):
    from convspec_docs import catalogue

    text = ("[VA3](specification.md#VA3) [a](../specification.md#CV-PD2) "
            "[b](specification.md#section-IN) [c](specification.md#ZZ9) "
            '<a href="specification.md#DX-EQ1">d</a> [e](other/specification.md#VA3)')
    assert catalogue.resolve_clause_links(text, "mathematics.md") == (
        "[VA3](specification/core-inputs.md#VA3) [a](../specification.md#CV-PD2) "
        "[b](specification.md#section-IN) [c](specification.md#ZZ9) "
        '<a href="specification/gradients.md#DX-EQ1">d</a> [e](other/specification.md#VA3)')
    assert catalogue.resolve_clause_links("[a](../specification.md#CV-PD2)", "conformance/cli.md") \
        == "[a](../specification/layer.md#CV-PD2)"
    assert catalogue.resolve_clause_links("[a](../specification.md#EQ1)", "specification/layer.md") \
        == "[a](core-results.md#EQ1)"


def test_generated_figures_are_in_the_site(site):
    figures = sorted(p.name for p in (site / "generated/figures").glob("*.svg"))
    assert figures == ["frames-stride-2-narrow.svg", "frames-stride-2.svg", "grad-scatter.svg",
                       "layer-dilation-narrow.svg", "layer-dilation.svg",
                       "layer-groups-narrow.svg", "layer-groups.svg",
                       "layer-padding-narrow.svg", "layer-padding.svg",
                       "output-padding-narrow.svg", "output-padding.svg",
                       "sliding-stride-1-narrow.svg", "sliding-stride-1.svg",
                       "sliding-stride-2-narrow.svg", "sliding-stride-2.svg",
                       "stride-shapes-narrow.svg", "stride-shapes.svg"]
    for name in figures:
        assert check_site.image_problem(site / "generated/figures" / name) is None
    animated = (site / "generated/figures/sliding-stride-2.svg").read_text(encoding="utf-8")
    assert "<animateTransform" in animated and 'repeatCount="indefinite"' in animated


def test_api_reference_is_rendered(site):
    html = (site / "reference.html").read_text(encoding="utf-8")
    assert 'class="doc doc-' in html  # mkdocstrings output, not the raw ::: line
    assert "::: convspec" not in html


# --- The checker finds what it should ---------------------------------------------------

GOOD = """<html><head><link rel="stylesheet" href="../style.css"></head><body>
<h1 id="top">T</h1><a href="#top">self</a><a href="../other/">other</a>
<a href="../other/#sec">section</a><img src="../fig.svg"><a href="https://example.org">ext</a>
<math><mi>x</mi></math><code>$not math$</code></body></html>"""


def _site(tmp_path: Path, page: str) -> Path:
    (tmp_path / "a").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "a/index.html").write_text(page)
    (tmp_path / "other/index.html").write_text('<html><body><h2 id="sec">S</h2></body></html>')
    (tmp_path / "style.css").write_text("body {}")
    (tmp_path / "fig.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" '
                                      'viewBox="0 0 10 10"><rect width="5" height="5"/></svg>')
    return tmp_path


def test_checker_accepts_a_sound_site(tmp_path):
    assert check_site.static_checks(_site(tmp_path, GOOD), ("a/index.html",)) == []


@pytest.mark.parametrize("edit, expected", [
    (("../other/", "../missing/"), "no such file missing/index.html"),
    (("../other/#sec", "../other/#nope"), "no element with id 'nope'"),
    (("#top", "#gone"), "no element with id 'gone'"),
    (('href="../style.css"', 'href="https://cdn.example/x.css"'), "another host"),
    (("<h1 id", '<script src="https://cdn.example/m.js"></script><h1 id'), "another host"),
    (("<h1 id=\"top\">T", "<h1 id=\"top\">$x^2$"), "unconverted TeX"),
    (("<h1 id=\"top\">T", "<h1 id=\"top\">\\frac{a}{b}"), "unconverted TeX"),
    (("<math><mi>x</mi></math>", ""), "found no <math> element"),
    (("../fig.svg", "../style.css"), "not a recognised image format"),
])
def test_checker_reports_each_kind_of_problem(tmp_path, edit, expected):
    old, new = edit
    assert old in GOOD
    problems = check_site.static_checks(_site(tmp_path, GOOD.replace(old, new)),
                                        ("a/index.html",))
    assert any(expected in p for p in problems), problems


def test_checker_reports_a_broken_svg(tmp_path):
    site = _site(tmp_path, GOOD)
    (site / "fig.svg").write_text("<svg><unclosed></svg>")
    assert any("invalid SVG" in p for p in check_site.static_checks(site, ("a/index.html",)))


# --- The build helpers --------------------------------------------------------------------

def test_math_is_found_outside_code_only(helpers):
    _, texmath = helpers
    text = ("Inline $a_i$ and `$code$` and 5$ or 6$.\n\n"
            "```python\nx = '$y$'\n```\n\n"
            "$$\nC = \\sum_a K_a \\tag{2}\n$$\n\n\\$ literal\n")
    protected = texmath.protect(text)
    assert [(f.tex, f.display, f.tag) for f in protected.formulas] == [
        ("a_i", False, None), ("C = \\sum_a K_a", True, "2")]
    assert "`$code$`" in protected.markdown and "x = '$y$'" in protected.markdown
    assert "5$ or 6$" in protected.markdown and "&#36; literal" in protected.markdown
    assert 'id="eq-2"' in protected.markdown


def test_math_restore_gives_mathml(helpers):
    _, texmath = helpers
    protected = texmath.protect("See $x^2$.\n\n$$y \\tag{1}$$\n")
    html = texmath.restore("<p>See CONVSPECMATH00000X.</p>\n<p>CONVSPECMATH00001X</p>",
                           protected.formulas, "page.md")
    assert not texmath.PLACEHOLDER.search(html)
    assert html.count("<math") == 2 and 'display="block"' in html
    assert '<span class="math-tag">(1)</span>' in html


def test_unknown_tex_command_is_an_error(helpers):
    _, texmath = helpers
    with pytest.raises(texmath.MathError, match="unknown TeX command"):
        texmath.to_mathml("\\notacommand x", False, "page.md:3")


def test_markers_expand_outside_code_and_unknown_ones_fail(helpers):
    registry, _ = helpers
    registry.load()
    text = ("<!-- convspec:shape-table size=5 ksize=2 strides=(1,) -->\n\n"
            "```text\n<!-- convspec:no-such-marker -->\n```\n")
    expanded = registry.expand(text, "page.md")
    assert re.search(r"\| 1 \| 4 \| 0, 1, 2, 3 \| none \|", expanded)
    assert "<!-- convspec:no-such-marker -->" in expanded
    with pytest.raises(registry.MarkerError, match="page.md:2: no generator"):
        registry.expand("text\n<!-- convspec:no-such-marker -->\n", "page.md")


def test_marker_arguments(helpers):
    registry, _ = helpers
    assert registry.parse_args('stride=2 at=(1,0) title="a b" name=x') == {
        "stride": 2, "at": (1, 0), "title": "a b", "name": "x"}
    with pytest.raises(registry.MarkerError):
        registry.parse_args("stride")


# --- Generated content agrees with itself ------------------------------------------------

def test_sliding_figures_keep_the_output_highlight_on_C(helpers):
    from convspec_docs import figures
    from convspec.spec.shape import output_shape

    for stride in [(1, 1), (2, 2)]:
        rows, cols = output_shape(figures.M.shape, figures.K.shape, stride)
        frames = figures.sliding_frames(stride)
        held = [f for f in frames if f["output"] is None]
        assert len(held) == figures.HOLD_STEPS
        for f in frames:
            if f["output"] is not None:
                assert 0 <= f["output"][0] < rows and 0 <= f["output"][1] < cols
        for narrow in (False, True):
            drawn = figures.sliding_svg(stride, narrow)
            mark = re.search(r'<g class="output-mark">(.*?)</g>', drawn).group(1)
            moves = re.search(r'type="translate"[^>]*values="([^"]*)"', mark).group(1).split(";")
            shown = re.search(r'attributeName="opacity"[^>]*values="([^"]*)"', mark).group(1)
            cell = 40
            for move, visible in zip(moves, shown.split(";")):
                dx, dy = (float(v) for v in move.split())
                assert 0 <= dx < cols * cell and 0 <= dy < rows * cell, (stride, move)
            assert shown.split(";")[-figures.HOLD_STEPS:] == ["0"] * figures.HOLD_STEPS


def test_shape_table_matches_the_figure(helpers):
    import xml.etree.ElementTree as ET
    from convspec_docs import figures, worked

    table = worked.shape_table()
    drawn = ET.fromstring(figures.stride_shapes_svg())
    ns = "{http://www.w3.org/2000/svg}"
    for group in drawn.iter(f"{ns}g"):
        step = group.get("data-stride")
        if step is None:
            continue
        grey = [r.get("data-cell") for r in group.iter(f"{ns}rect") if r.get("data-read") == "0"]
        row = next(line for line in table.splitlines() if line.startswith(f"| {step} |"))
        assert row.rstrip(" |").split("| ")[-1] == (", ".join(grey) or "none"), (step, row)
    assert re.search(r"^\| 4 \| 2 \| 0, 4 \| 3, 7 \|$", table, re.MULTILINE)


def test_layer_padding_figure_draws_the_spec_pads_and_windows(helpers):
    """Each row's pads, cells and windows are CV-PD1/CV-PD2 and CV-SH1 of its axis."""
    import math
    import xml.etree.ElementTree as ET
    from convspec.spec import same_pads
    from convspec_docs import layer_figures

    ns = "{http://www.w3.org/2000/svg}"
    size, kernel, stride = (layer_figures.PAD_AXIS[k] for k in ("size", "kernel", "stride"))
    for narrow in (False, True):
        drawn = ET.fromstring(layer_figures.padding_svg(narrow))
        rows = {g.get("data-row"): g for g in drawn.iter(f"{ns}g") if g.get("data-row")}
        assert len(rows) == len(layer_figures.PAD_ROWS)
        windows = [r for r in drawn.iter(f"{ns}rect") if r.get("data-window") is not None]
        assert len(windows) == sum(int(g.get("data-out")) for g in rows.values())
        for label, padding in layer_figures.PAD_ROWS:
            g = rows[label]
            lo, hi = int(g.get("data-lo")), int(g.get("data-hi"))
            if isinstance(padding, str):
                assert (lo, hi) == same_pads(size, kernel, stride, 1, padding)
                if padding != "VALID":
                    assert int(g.get("data-out")) == math.ceil(size / stride)
            else:
                assert (lo, hi) == padding
            kinds = [r.get("data-kind") for r in g.iter(f"{ns}rect")]
            assert kinds.count("pad") == max(lo, 0) + max(hi, 0)
            assert kinds.count("cropped") == max(-lo, 0) + max(-hi, 0)
            assert kinds.count("input") == size - kinds.count("cropped")
    upper, lower = same_pads(size, kernel, stride, 1, "SAME_UPPER"), same_pads(
        size, kernel, stride, 1, "SAME_LOWER")
    assert upper != lower, "the figure's axis should pad an odd total"


def test_layer_groups_figure_is_the_problems_channel_map(helpers):
    import xml.etree.ElementTree as ET
    from convspec_docs import layer_figures

    ns = "{http://www.w3.org/2000/svg}"
    drawn = ET.fromstring(layer_figures.groups_svg())
    cells = [r for r in drawn.iter(f"{ns}rect") if r.get("data-read") is not None]
    expected = []
    for C, O, g in layer_figures.GROUP_CASES:
        p = layer_figures.group_problem(C, O, g)
        expected += [(o, c, int(c in p.channels_of(o))) for o in range(O) for c in range(C)]
    got = [(int(r.get("data-o")), int(r.get("data-c")), int(r.get("data-read"))) for r in cells]
    assert got == expected
    assert sum(read for _, _, read in got) == sum(O * C // g for C, O, g in layer_figures.GROUP_CASES)


def test_layer_worked_example_refuses_a_sum_that_disagrees(helpers, monkeypatch):
    """The written-out sum is compared with the oracle before it is published."""
    from convspec_docs import layer_figures
    registry, _ = helpers

    assert "= -2 \\end{array}" in layer_figures.worked_example()
    oracle = layer_figures.conv
    monkeypatch.setattr(layer_figures, "conv", lambda *args, **kwargs: oracle(*args, **kwargs) + 1)
    with pytest.raises(registry.MarkerError, match="disagrees with the oracle"):
        layer_figures.worked_example()


def test_walkthrough_prose_is_the_run_it_describes(site):
    text = re.sub(r"<[^>]+>", "", (site / "conformance" / "reports.html").read_text(encoding="utf-8"))
    described = re.search(r"In the run above,\s+M is (\d+) × (\d+), the kernel (\d+) × (\d+)", text)
    walkthrough = text[re.search(r"kind:    violation\nproblem:", text).start():]  # its output
    printed = re.search(r"problem: m(\d+)x(\d+)_k(\d+)x(\d+)_", walkthrough)
    assert described and printed
    assert described.groups() == printed.groups()


def test_console_summary_lists_the_failures_the_output_shows(site):
    import html as html_lib
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", (site / "conformance.html")
                                    .read_text(encoding="utf-8")))
    start = text.index("When this site was built, that run checked")
    shown = re.findall(r"^\s*(?:\[\s*\d+/\d+\]\s+)?FAIL\s+(\S+)", text[:start], re.MULTILINE)
    summary = text[start:]
    summary = summary[:summary.index("An installed module works")]
    listed = re.findall(r"^\s*(\w+\.\w+) \(",
                        summary, re.MULTILINE)
    assert shown and sorted(set(shown)) == sorted(set(listed))
    failed = int(re.search(r"(\d+) failed", summary).group(1))
    assert failed == len(set(shown))


def test_gradient_walkthrough_fails_where_its_prose_says(site):
    """The guide explains the gradient run's failures by the inserted zeros and validation."""
    import html as html_lib
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", (site / "conformance/gradients.html")
                                    .read_text(encoding="utf-8")))
    section = text[text.index("Checking gradient backends"):]
    run = section[section.index("$ convspec check my_grads.py:conv_input_grad"):]
    run = run[:run.index("When this site was built")]
    failed = set(re.findall(r"FAIL\s+(\S+)", run))
    assert failed == {"conv_input_grad.specials", "conv_input_grad.remainder",
                      "conv_input_grad.invalid.sh1"}, failed
    passing = section[section.index("$ convspec check my_grads.py:backend --op conv_input_grad"):]
    assert "every claimed property held" in passing[:passing.index("The same backend")]


def test_clauses_with_and_without_a_typeset_statement(site, helpers):
    """Lists the clauses shown as plain text only; fails only if a typeset one is not shown."""
    import warnings
    from convspec_docs import clause_math

    state = clause_math.status(CLAUSES.values())
    if state["missing"] or state["stale"]:
        warnings.warn(f"clauses shown as plain text only: no typeset form for "
                      f"{state['missing']}, outdated typeset form for {state['stale']}")
    for cid in clause_math.TYPESET:
        if cid in CLAUSES and cid not in state["stale"]:
            page = _clause_page(site, cid)
            entry = page[page.index(f'id="{cid}"'):]
            entry = entry[:entry.index("<h3", 10)] if "<h3" in entry[10:] else entry
            assert "<math" in entry and "Catalogue text" in entry, cid


def test_spec_page_links_equations_and_names_source_lines(site):
    """EQ1 and EQ2 link to the equations; source lines are paths, not links to a host."""
    page = (site / "specification/core-results.html").read_text(encoding="utf-8")
    assert 'href="../mathematics.html#eq-1"' in page and 'href="../mathematics.html#eq-2"' in page
    assert re.search(r"<code>spec/clauses\.py:\d+</code>", page)
    for html in site.rglob("*.html"):
        assert not re.search(r'href="https?://[^"]*/blob/', html.read_text(encoding="utf-8")), html


# --- The checker catches the defects it was written for ----------------------------------

def test_checker_catches_bare_bars_reintroduced_into_the_real_page(site, tmp_path):
    import shutil
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    page = copy / "error-model.html"
    text = page.read_text(encoding="utf-8")
    assert 'form="prefix"' in text
    page.write_text(re.sub(r' form="(?:prefix|postfix)"', "", text), encoding="utf-8")
    problems = check_site.static_checks(copy)
    assert any("error-model.html: a bar in" in p and "infix" in p for p in problems), problems


def test_checker_catches_the_old_pytest_command(helpers):
    from convspec_docs import commands

    text = (ROOT / "docs/conformance.md").read_text(encoding="utf-8")
    old = text.replace("--conv-backend my_backend.py:backend --conv-profile quick",
                       "--conv-backend path/to/my_backend.py:backend --conv-profile quick")
    assert old != text
    found = commands.page_commands(old, "conformance.md")
    found.commands = [c for c in found.commands if "path/to/" in c.command]
    problems = commands.check_page(found)
    assert len(problems) == 1 and "path/to/my_backend.py" in problems[0]


def test_checker_catches_tiny_figure_text_overflow_and_overlap(site):
    """What the browser probe measures, judged: the values are those of the old defects."""
    base = {"images": [], "math": 1, "flatMath": [], "mathml": True, "height": 5000,
            "width": 390, "scrollWidth": 390, "overflow": [], "clipped": [], "overlaps": []}
    assert check_site.judge("mathematics.html", base, 390, site) == []
    # The wide sliding figure squeezed into a phone's column (what the page showed before
    # it offered a narrow variant): its kernel labels end up far below the minimum.
    wide = "generated/figures/sliding-stride-1.svg"
    natural = float(re.search(r'width="([0-9.]+)"', (site / wide).read_text()).group(1))
    squeezed = {**base, "images": [{"src": wide, "current": wide, "ok": True,
                                    "width": 358, "natural": natural}]}
    assert any("is drawn at" in p for p in check_site.judge("mathematics.html", squeezed, 390, site))
    narrow = "generated/figures/sliding-stride-1-narrow.svg"
    natural = float(re.search(r'width="([0-9.]+)"', (site / narrow).read_text()).group(1))
    fitted = {**base, "images": [{"src": narrow, "current": narrow, "ok": True,
                                  "width": 358, "natural": natural}]}
    assert check_site.judge("mathematics.html", fitted, 390, site) == []
    # Equation numbers drawn over the equation, a page scrolling sideways, a clipped
    # table, and a page too long for one screenshot.
    bad = {**base, "overlaps": [["math “m″=…”", "span.math-tag “(1)”"]], "scrollWidth": 520,
           "overflow": ["table “field type default meaning”"], "height": 16026,
           "clipped": [{"what": "div.md-typeset__scrollwrap", "math": False, "by": 60}]}
    problems = check_site.judge("results.html", bad, 1280, site)
    for expected in ("text drawn over text", "scrolls sideways", "wider than its column",
                     "16026 px tall"):
        assert any(expected in p for p in problems), (expected, problems)


def test_dark_screenshots_do_not_share_the_light_browser_profile(tmp_path, monkeypatch):
    """The theme stores a chosen palette in the browser profile: light shots must not inherit it."""
    import json

    (tmp_path / "site").mkdir()
    site = _site(tmp_path / "site", GOOD)
    measured = {"images": [], "math": 1, "flatMath": [], "mathml": True, "height": 800,
                "width": 1280, "scrollWidth": 1280, "overflow": [], "clipped": [], "overlaps": []}
    calls = []

    def fake_chromium(args, profile, timeout=90):
        calls.append((args, profile))
        out = f'<pre id="convspec-check-result">{json.dumps(measured)}</pre>'
        return subprocess.CompletedProcess(args, 0, stdout=out, stderr="")

    monkeypatch.setattr(check_site, "chromium", fake_chromium)
    assert check_site.browser_checks(site, tmp_path / "shots", widths=(1280,), dark=True) == []
    shots = [(args[-1], profile) for args, profile in calls if any("--screenshot" in a for a in args)]
    dark = {profile for url, profile in shots if "?dark" in url}
    light = {profile for url, profile in shots if "?dark" not in url}
    assert len(shots) == 2 * len(list(site.rglob("*.html"))) and dark and light
    assert not dark & light
