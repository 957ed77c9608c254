"""Every ```python block in the documentation pages runs, page by page, in order.

The blocks of one page share a namespace, like a reader typing them into one
session.  A block opts out only with ``<!-- docs-test: skip REASON -->`` on the
line above it (a reason is required); shell commands belong in ```console or
```bash blocks, which are not run.  The documentation's build helpers
(``docs/hooks``) are importable, so pages about them can show working code.
"""

from __future__ import annotations

import re
import textwrap
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
HOOKS = DOCS / "hooks"

_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$")
_SKIP = re.compile(r"<!--\s*docs-test:\s*skip\b(?P<reason>.*?)-->")


@dataclass
class Block:
    page: str
    line: int
    source: str
    skip_reason: str | None = None


def python_blocks(text: str, page: str = "<page>") -> list[Block]:
    """The ```python blocks of a Markdown text, with their first line numbers."""
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = _OPEN.match(lines[i])
        if not match:
            i += 1
            continue
        fence, indent = match.group("fence"), match.group("indent")
        language = (match.group("info").split() or [""])[0].strip("{}.").lower()
        body, j = [], i + 1
        while j < len(lines):
            close = re.match(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", lines[j])
            if close:
                break
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j])
            j += 1
        if language in ("python", "py"):
            previous = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
            skip = _SKIP.search(previous)
            reason = None
            if skip:
                reason = skip.group("reason").strip()
                if not reason:
                    raise ValueError(f"{page}:{i}: docs-test skip marker without a reason")
            blocks.append(Block(page, i + 2, textwrap.dedent("\n".join(body)) + "\n", reason))
        i = j + 1
    return blocks


PAGES = sorted([*DOCS.glob("*.md"), *DOCS.glob("conformance/*.md")])


def run_blocks(blocks: list[Block]) -> dict:
    namespace: dict = {"__name__": "__docs_example__"}
    for block in blocks:
        if block.skip_reason is not None:
            continue
        code = compile(block.source, f"{block.page}:{block.line}", "exec")
        try:
            exec(code, namespace)
        except Exception:
            pytest.fail(f"the python block at {block.page}:{block.line} failed:\n"
                        f"{traceback.format_exc()}", pytrace=False)
    return namespace


@pytest.fixture
def docs_env(tmp_path, monkeypatch):
    """Examples run in an empty folder with the docs build helpers importable."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(HOOKS))
    return tmp_path


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_python_blocks_run(page, docs_env):
    blocks = python_blocks(page.read_text(encoding="utf-8"), f"docs/{page.relative_to(DOCS)}")
    run_blocks(blocks)


def test_the_examples_are_found():
    counts = {str(p.relative_to(DOCS)): len(python_blocks(p.read_text(encoding="utf-8"))) for p in PAGES}
    assert counts["mathematics.md"] >= 4, counts
    assert counts["index.md"] >= 1, counts
    assert counts["conformance/reports.md"] >= 4, counts


def test_mathematics_page_shows_the_arrays_the_figures_use(docs_env):
    """The M and K typed on the page are the ones the generated numbers come from."""
    from convspec_docs import examples

    page = DOCS / "mathematics.md"
    blocks = [b for b in python_blocks(page.read_text(encoding="utf-8"), page.name)
              if "M = np.array([" in b.source]
    assert blocks, "the worked example's code block is missing from mathematics.md"
    namespace = run_blocks(blocks[:1])
    np.testing.assert_array_equal(namespace["M"], examples.M)
    np.testing.assert_array_equal(namespace["K"], examples.K)


def test_extractor_rules():
    text = textwrap.dedent("""\
        ```python
        a = 1
        ```

        ```console
        $ not python
        ```

        !!! note
            ```python
            b = a + 1
            ```

        <!-- docs-test: skip needs a GPU -->
        ```python
        import cupy
        ```
        """)
    blocks = python_blocks(text)
    assert [b.source for b in blocks] == ["a = 1\n", "b = a + 1\n", "import cupy\n"]
    assert [b.line for b in blocks] == [2, 11, 16]  # first line of each block's code
    assert [b.skip_reason for b in blocks] == [None, None, "needs a GPU"]
    with pytest.raises(ValueError, match="without a reason"):
        python_blocks("<!-- docs-test: skip -->\n```python\nx = 1\n```\n")


def test_a_failing_block_fails_with_its_location():
    blocks = python_blocks("```python\nx = 1\n```\n\n```python\nassert x == 2\n```\n", "p.md")
    with pytest.raises(pytest.fail.Exception, match=r"p\.md:6"):
        run_blocks(blocks)
