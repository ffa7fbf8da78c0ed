"""Cut a growing Markdown document into settled segments and a live tail.

Re-rendering a whole answer per delta is what makes long answers quadratic. We render each settled
segment once, as its own Markdown widget, and only ever re-render the short tail. A cut is safe only
where Markdown's block structure cannot change with more text: at a blank line followed by a line
that starts a new top-level block (not indented), or right after a code fence closes. A very long
fenced code block is cut too, by closing the fence and reopening it with the same info string, so a
4,000-line code block costs no more per line than prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
MIN_SEGMENT_LINES = 24
MAX_FENCE_LINES = 100


@dataclass(frozen=True)
class Split:
    settled: list[str]
    """Complete Markdown documents, oldest first, each to be rendered once."""
    tail: str
    """What is left: the only part that is re-rendered as more text arrives."""


def split(source: str, *, final: bool = False, min_lines: int = MIN_SEGMENT_LINES,
          max_fence_lines: int = MAX_FENCE_LINES) -> Split:
    """Cut ``source`` at safe places into segments of at least ``min_lines`` lines plus a tail.

    Unless ``final``, the last line (it may still be growing) is never settled.
    """
    lines = source.splitlines(keepends=True)
    scan_until = len(lines) if final or source.endswith("\n") else len(lines) - 1
    settled: list[str] = []
    start = 0  # first line of the current segment
    prefix = ""  # a reopened fence that the current segment starts with
    fence: tuple[str, int] | None = None  # (marker char, length) of the open fence
    opener = ""
    fence_start = 0

    def cut(at: int, close: str = "", reopen: str = "") -> None:
        nonlocal start, prefix
        settled.append(prefix + "".join(lines[start:at]) + close)
        start, prefix = at, reopen

    for i in range(scan_until):
        line = lines[i]
        match = FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= fence[1] and not match.group(2).strip():
                fence = None
                if i == start and prefix:  # the fence closes right where we reopened it: nothing to show
                    start, prefix = i + 1, ""
                elif i + 1 - start >= min_lines:
                    cut(i + 1)
            elif i + 1 - fence_start >= max_fence_lines:
                marker = fence[0] * fence[1]
                cut(i + 1, close=marker + "\n", reopen=opener)
                fence_start = i + 1
            continue
        if match:
            fence = (match.group(1)[0], len(match.group(1)))
            opener = line if line.endswith("\n") else line + "\n"
            fence_start = i + 1
            continue
        if not line.strip() and i + 1 < len(lines) and i + 1 - start >= min_lines:
            following = lines[i + 1]
            if following.strip() and not following[0].isspace():
                cut(i + 1)
    return Split(settled, prefix + "".join(lines[start:]))
