"""Every shell command shown on the site runs as written, on the files the site asks for.

``convspec_docs.commands`` finds the ```console blocks of each page and the files
the page tells the reader to save (``<!-- file: NAME -->``), and runs each
command in a fresh folder holding those files.  Blocks that install packages or
need the repository checkout say so with ``<!-- docs-test: skip REASON -->``.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "hooks"))
from convspec_docs import commands  # noqa: E402

PAGES = commands.site_pages()


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(commands.DOCS).as_posix() for p in PAGES])
def test_commands_on_the_page_run(page):
    rel = page.relative_to(commands.DOCS).as_posix()
    found = commands.page_commands(page.read_text(encoding="utf-8"), rel)
    problems = commands.check_page(found)
    assert problems == [], "\n".join(problems)


def test_every_skipped_block_gives_a_reason_and_something_runs():
    found = [commands.page_commands(p.read_text(encoding="utf-8"), p.name) for p in PAGES]
    run = [c for f in found for c in f.commands if c.skip is None]
    assert any("--conv-backend my_backend.py:backend" in c.command for c in run)
    assert all(c.skip for f in found for c in f.commands if c.skip is not None)


def test_the_guide_names_the_file_it_asks_for():
    found = commands.page_commands((commands.DOCS / "conformance.md").read_text(), "conformance.md")
    assert "def conv2d" in found.files["my_backend.py"]
    assert "backend = Backend(" in found.files["my_backend.py"]  # the appended block


SAMPLE = textwrap.dedent("""\
    <!-- file: hello.py -->
    ```python
    print("hello")
    ```

    ```console
    $ python hello.py
    hello
    $ python missing.py
    ```

    <!-- docs-test: exit=3 -->
    ```console
    $ python -c "raise SystemExit(3)"
    ```

    <!-- docs-test: skip needs the network -->
    ```console
    $ pip install something
    ```
    """)


def test_a_command_that_does_not_run_is_reported():
    found = commands.page_commands(SAMPLE, "sample.md")
    assert found.files == {"hello.py": 'print("hello")\n'}
    assert [(c.command, c.expect, c.skip) for c in found.commands] == [
        ("python hello.py", 0, None), ("python missing.py", 0, None),
        ('python -c "raise SystemExit(3)"', 3, None), ("pip install something", 0,
                                                       "needs the network")]
    problems = commands.check_page(found)
    assert len(problems) == 1 and "python missing.py" in problems[0], problems


def test_skip_needs_a_reason():
    with pytest.raises(ValueError, match="without a reason"):
        commands.page_commands("<!-- docs-test: skip -->\n```console\n$ ls\n```\n")
