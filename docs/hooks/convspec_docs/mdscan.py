"""Split Markdown at fenced code blocks, so that code is never rewritten."""

from __future__ import annotations

import re

_FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})")


def split_fences(markdown: str) -> list[tuple[bool, str, int]]:
    """Cut Markdown into ``(is_code, text, first_line)`` chunks.

    A fence opens with three or more backticks or tildes (possibly indented,
    as inside an admonition) and closes with a line holding only a run of the
    same character at least as long.  An unclosed fence runs to the end.
    """
    chunks: list[tuple[bool, str, int]] = []
    text: list[str] = []
    start = 1
    fence: str | None = None
    for lineno, line in enumerate(markdown.splitlines(keepends=True), 1):
        match = _FENCE.match(line)
        if fence is None and match:
            if text:
                chunks.append((False, "".join(text), start))
            text, start, fence = [line], lineno, match.group(1)
        elif fence is not None:
            text.append(line)
            run = match.group(1) if match else ""
            if run and run[0] == fence[0] and len(run) >= len(fence) \
                    and not line[match.end():].strip():
                chunks.append((True, "".join(text), start))
                text, start, fence = [], lineno + 1, None
        else:
            text.append(line)
    if text:
        chunks.append((fence is not None, "".join(text), start))
    return chunks
