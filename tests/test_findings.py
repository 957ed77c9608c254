"""Every finding page's reproducer runs against its library alone, and prints what the page says.

A finding (``docs/findings/*.md``, see ``docs/hooks/convspec_docs/findings.py``)
holds one ```python block, the reproducer, and the ```text block of what it
printed.  The reproducer runs wherever the modules it names are installed (the
test of that one page is skipped, naming the module, where one is missing); when
the installed version of the first module is the one the page records, its
standard output must equal the recorded one, so a page cannot show output the
code does not print, and a library upgrade that changes the behaviour shows up
as this test failing on the machine that has the recorded version.
"""

from __future__ import annotations

import contextlib
import json
import importlib
import io
import re
import sys
from pathlib import Path

import pytest

from test_docs_examples import python_blocks

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "docs" / "findings"
sys.path.insert(0, str(ROOT / "docs" / "hooks"))
from convspec_docs.findings import all_findings, cell_links, parse  # noqa: E402

PAGES = sorted(p for p in FOLDER.glob("*.md") if p.name != "index.md")
_PRINTED = re.compile(r"^It prints:\n\n```text\n(?P<out>.*?)\n```$", re.MULTILINE | re.DOTALL)


def _reproducer_and_output(text: str, name: str) -> tuple[str, str]:
    blocks = [b for b in python_blocks(text, name) if b.skip_reason is None]
    assert len(blocks) == 1, f"{name}: a finding has exactly one python block (its reproducer)"
    printed = _PRINTED.search(text)
    assert printed, f"{name}: the reproducer's output follows it under 'It prints:'"
    return blocks[0].source, printed.group("out")


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_reproducer_runs_and_prints_the_recorded_output(page, tmp_path, monkeypatch):
    meta = parse(page)
    modules = []
    for name in meta["requires"]:
        modules.append(pytest.importorskip(name, reason=f"{page.name} needs the library {name!r}"))
    source, recorded = _reproducer_and_output(page.read_text(encoding="utf-8"), page.name)
    assert "convspec" not in source, "a finding's reproducer uses the library alone"
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, str(page), "exec"), {"__name__": "__finding__"})
    if getattr(modules[0], "__version__", None) == meta["version"]:
        assert out.getvalue().rstrip("\n") == recorded, f"{page.name}: the printed output differs from the page's"


def test_every_finding_is_complete_and_explains_a_cell():
    from convspec.conformance.adapters import REGISTRY
    findings = all_findings()
    assert len(findings) == len(PAGES) > 0
    for item in findings:
        assert item["adapter"] in REGISTRY, item["file"]
        assert item["classification"] in ("bug", "documented difference", "undocumented difference"), item
        assert item["upstream"], item["file"]
    links = cell_links()
    assert all(files for files in links.values())
    features = json.loads((ROOT / "docs" / "data" / "results-matrix.json").read_text(encoding="utf-8"))["features"]
    for adapter, op, feature in links:
        assert op in REGISTRY[adapter].ops, (adapter, op)
        assert feature in features.get(op, []), (adapter, op, feature)


def test_a_finding_may_explain_cells_of_other_rows(tmp_path):
    page = tmp_path / "x.md"
    page.write_text('# L: t\n\n<!-- finding: requires=torch version=1 adapter=torch-layer features="bias" '
                    'also="torch-grad:conv_transpose:bias" -->\n\n| Library | L |\n| Classification | bug |\n'
                    '| Upstream | none |\n')
    assert set(cell_links(tmp_path)) == {("torch-layer", "conv", "bias"), ("torch-grad", "conv_transpose", "bias")}
    page.write_text(page.read_text().replace("torch-grad:conv_transpose:bias", "torch-grad:bias"))
    with pytest.raises(ValueError, match="adapter:op:feature"):
        parse(page)


def test_pages_without_metadata_are_refused(tmp_path):
    page = tmp_path / "x.md"
    page.write_text("# A title\n\nno metadata\n")
    with pytest.raises(ValueError, match="finding"):
        parse(page)
    page.write_text('# T\n<!-- finding: requires=numpy version=1 adapter=numpy features="a" -->\n'
                    "| Library | numpy |\n")
    with pytest.raises(ValueError, match="Classification"):
        parse(page)


def test_the_index_lists_every_finding_under_its_adapter_without_a_table():
    from convspec_docs import registry
    index = registry.expand("<!-- convspec:findings-index -->\n")
    assert "|" not in index.replace("\\|", ""), "a table of four columns does not fit a phone's width"
    sections = re.split(r"^### ", index, flags=re.MULTILINE)[1:]
    for item in all_findings():
        section = next(s for s in sections if s.startswith(f"`{item['adapter']}`"))
        assert re.search(rf"^- \[[^\]]+\]\({re.escape(item['file'])}\): \*\*{item['classification']}\*\*",
                         section, re.MULTILINE), item["file"]


def test_every_finding_is_in_the_site_navigation():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    missing = [p.name for p in PAGES if f"- findings/{p.name}\n" not in nav]
    assert missing == [], f"add to the Findings section of mkdocs.yml's nav: {missing}"
