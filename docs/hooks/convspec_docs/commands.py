"""Shell commands shown on the site, and the files the site tells readers to create.

A page tells the reader to save a file by putting ``<!-- file: NAME -->`` on
the line just above a fenced block; the block's text is the file
(``<!-- file: NAME append -->`` adds the block to the end of it).  A
```` ```console ```` block holds commands, one per line starting with ``$ ``.
Every such command is run, in order, in a fresh folder holding the page's files
(by ``tests/test_docs_commands.py`` and by ``check_site.py --commands``), and
must exit with status 0, unless the line just above the block says otherwise:

* ``<!-- docs-test: skip REASON -->``: not run (installs packages, starts a
  server, or needs the repository checkout); a reason is required;
* ``<!-- docs-test: exit=N -->``: every command of the block must exit with N;
* ``<!-- docs-test: slow -->``: run by ``check_site.py --commands`` only.

Console output that a page shows is generated, never pasted: the marker
``<!-- convspec:console page=PAGE cmd="..." exit=N -->`` runs the command on the
page's files while the site is built, fails the build if the exit status is not
``N``, and shows what the command printed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .registry import MarkerError, marker

DOCS = Path(__file__).resolve().parents[2]
_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$")
_FILE = re.compile(r"<!--\s*file:\s*(?P<name>[\w./-]+)(?P<append>\s+append)?\s*-->")
_DIRECTIVE = re.compile(r"<!--\s*docs-test:\s*(?P<what>skip|exit=\d+|slow)\b(?P<rest>.*?)-->")
SHELLS = ("console", "bash", "sh", "shell")


@dataclass
class Block:
    language: str
    line: int                    # line number of the opening fence (1-based)
    text: str
    above: str                   # the nearest non-blank line above the fence


@dataclass
class Command:
    page: str
    line: int
    command: str
    expect: int = 0
    skip: str | None = None      # the reason, when the block is not run
    slow: bool = False


@dataclass
class PageCommands:
    page: str
    files: dict[str, str] = field(default_factory=dict)
    commands: list[Command] = field(default_factory=list)


def fenced_blocks(text: str) -> list[Block]:
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        match = _OPEN.match(lines[i])
        if not match:
            i += 1
            continue
        fence, indent = match.group("fence"), match.group("indent")
        language = (match.group("info").split() or [""])[0].strip("{}.").lower()
        body, j = [], i + 1
        while j < len(lines) and not re.match(
                rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", lines[j]):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j])
            j += 1
        above = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
        blocks.append(Block(language, i + 1, "\n".join(body) + "\n", above))
        i = j + 1
    return blocks


def page_commands(text: str, page: str = "<page>") -> PageCommands:
    """The files a page asks the reader to save and the commands it shows."""
    found = PageCommands(page)
    for block in fenced_blocks(text):
        name = _FILE.search(block.above)
        if name:
            path = name.group("name")
            if name.group("append"):
                found.files[path] = found.files.get(path, "") + "\n\n" + block.text
            else:
                found.files[path] = block.text
        if block.language not in SHELLS:
            continue
        directive = _DIRECTIVE.search(block.above)
        skip, expect, slow = None, 0, False
        if directive:
            what = directive.group("what")
            if what == "skip":
                skip = directive.group("rest").strip()
                if not skip:
                    raise ValueError(f"{page}:{block.line}: docs-test skip without a reason")
            elif what == "slow":
                slow = True
            else:
                expect = int(what.split("=")[1])
        pending = ""
        for offset, raw in enumerate(block.text.splitlines(), 1):
            line = raw.strip()
            if pending:
                line = pending + " " + line
                pending = ""
            elif not line.startswith("$ "):
                continue                                  # output shown under a command
            else:
                line = line[2:]
            if line.endswith("\\"):
                pending = line[:-1].rstrip()
                continue
            found.commands.append(Command(page, block.line + offset, line, expect, skip, slow))
    return found


def site_pages(docs: Path = DOCS) -> list[Path]:
    return sorted(p for p in docs.rglob("*.md") if "hooks" not in p.parts)


_SHIMS: list[str] = []


def _shim_dir() -> str:
    """A folder of ``pytest`` and ``mkdocs`` scripts that run them with this interpreter.

    An environment need not have their scripts on PATH (a virtual environment
    made without them, say); the module form always is this interpreter's.
    """
    if not _SHIMS:
        folder = Path(tempfile.mkdtemp(prefix="convspec-docs-bin-"))
        for name in ("pytest", "mkdocs"):
            script = folder / name
            script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m {name} "$@"\n')
            script.chmod(0o755)
        _SHIMS.append(str(folder))
    return _SHIMS[0]


def environment() -> dict[str, str]:
    """The reader's shell: this interpreter's scripts come first on PATH."""
    bindir = str(Path(sys.executable).parent)
    path = os.pathsep.join([bindir, _shim_dir(), os.environ.get("PATH", "")])
    env = {**os.environ, "PATH": path,
           "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1", "COLUMNS": "100"}
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    return env


def run(command: str, folder: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], cwd=folder, env=environment(),
                          capture_output=True, text=True, timeout=timeout)


def write_files(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def check_page(found: PageCommands, include_slow: bool = False) -> list[str]:
    """Run a page's commands in a fresh folder; the problems, empty when all behave."""
    problems = []
    todo = [c for c in found.commands if c.skip is None and (include_slow or not c.slow)]
    if not todo:
        return problems
    with tempfile.TemporaryDirectory(prefix="convspec-docs-") as tmp:
        folder = Path(tmp)
        write_files(folder, found.files)
        for command in todo:
            try:
                done = run(command.command, folder)
            except subprocess.TimeoutExpired:
                problems.append(f"{command.page}:{command.line}: `{command.command}` timed out")
                continue
            if done.returncode != command.expect:
                tail = (done.stdout + done.stderr).strip().splitlines()[-6:]
                problems.append(f"{command.page}:{command.line}: `{command.command}` exited "
                                f"with {done.returncode}, expected {command.expect}: "
                                + " / ".join(tail))
    return problems


def check_pages(docs: Path = DOCS, include_slow: bool = False) -> list[str]:
    problems = []
    for path in site_pages(docs):
        rel = path.relative_to(docs).as_posix()
        problems += check_page(page_commands(path.read_text(encoding="utf-8"), rel), include_slow)
    return problems


# --- Console output generated at build time -------------------------------------------

def clean_output(text: str, folder: Path) -> str:
    """Paths of the temporary folder are shown as the reader's own folder."""
    for form in {str(folder.resolve()), str(folder)}:
        text = text.replace(form + os.sep, "").replace(form, ".")
    return text.rstrip()


_RUNS: dict[tuple[str, str], tuple[int, str, dict[str, str]]] = {}


def run_on_page_files(page: str, command: str) -> tuple[int, str, dict[str, str]]:
    """Run ``command`` on the files ``page`` tells the reader to create (cached per build).

    Returns the exit status, the cleaned output (standard output then standard
    error) and the text of every new file the command wrote into the folder.
    """
    key = (page, command)
    if key not in _RUNS:
        found = page_commands((DOCS / page).read_text(encoding="utf-8"), page)
        with tempfile.TemporaryDirectory(prefix="convspec-docs-") as tmp:
            folder = Path(tmp)
            write_files(folder, found.files)
            done = run(command, folder)
            output = clean_output(done.stdout + done.stderr, folder)
            kept = {path.name: clean_output(path.read_text(encoding="utf-8"), folder)
                    for path in folder.iterdir()
                    if path.is_file() and path.name not in found.files
                    and path.suffix in (".json", ".xml")}
        _RUNS[key] = (done.returncode, output, kept)
    return _RUNS[key]


@marker("console")
def console(page: str, cmd: str, exit: int = 0, title: str = "") -> str:
    """A console block with ``cmd`` and what it printed when the site was built."""
    status, output, _ = run_on_page_files(page, cmd)
    if status != exit:
        raise MarkerError(f"`{cmd}` on the files of {page} exited with {status}, "
                          f"expected {exit}:\n{output[-2000:]}")
    head = f' title="{title}"' if title else ""
    return f"```console{head}\n$ {cmd}\n{output}\n```\n"


@marker("console-summary")
def console_summary(page: str, cmd: str) -> str:
    """What the run of ``cmd`` (which writes ``--report-json report.json``) found, in words."""
    import json

    status, _, kept = run_on_page_files(page, cmd)
    if "report.json" not in kept:
        raise MarkerError(f"`{cmd}` wrote no report.json to summarise")
    report = json.loads(kept["report.json"])
    counts = report["summary"]["counts"]
    props = report["properties"]
    parts = [f"{counts[k]} {label}" for k, label in
             (("pass", "passed"), ("fail", "failed"), ("not claimed", "were not claimed"),
              ("known", "are known deviations"), ("error", "could not be evaluated"))
             if counts.get(k)]
    text = (f"When this site was built, that run checked {len(props)} properties: "
            + ", ".join(parts) + f"; the exit status was {status}.")
    failed = [p for p in props if p["status"] == "fail"]
    if not failed:
        return text + "\n"
    rows = []
    for p in failed:
        message = p["failure"]["message"].splitlines()[0]
        clauses = ", ".join(p["clauses"])
        rows.append(f"- `{p['id']}` ({clauses}, kind `{p['failure']['kind']}`): {message}")
    return text + " The failures, in the order the suite ran them:\n\n" + "\n".join(rows) + "\n"


@marker("console-file")
def console_file(page: str, cmd: str, name: str, language: str = "json") -> str:
    """A file that ``cmd`` wrote when the site was built, as a code block."""
    _, _, kept = run_on_page_files(page, cmd)
    if name not in kept:
        raise MarkerError(f"`{cmd}` on the files of {page} wrote no {name}")
    return f"```{language}\n{kept[name]}\n```\n"
