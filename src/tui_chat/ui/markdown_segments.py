"""Cut a growing Markdown document into settled segments and a live tail.

Re-rendering a whole answer per delta is what makes long answers quadratic. We render each settled
segment once and only ever re-render the short tail. A cut is safe only where Markdown's block
structure cannot change with more text: at a blank line followed by a line that starts a new
top-level block (not indented), or right after a code fence closes. A long fenced code block is cut
too, by closing the fence and reopening it with the same info string, so a 4,000-line code block
costs no more per line than prose.

``split`` works on the raw text: the synthetic closing and reopening fences exist only in the
rendered segments, and ``open_fence`` carries "we are inside a code block we cut" to the next call.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import NamedTuple

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
MIN_SEGMENT_LINES = 6
"""Settled text costs nothing per frame, so settle early: the live tail is what each frame re-renders."""
MAX_FENCE_LINES = 16
"""Code is the costly thing to render (syntax highlighting): keep the live tail of a code block short."""


class Split(NamedTuple):
    settled: list[str]
    """Complete Markdown documents, oldest first, each to be rendered once."""
    joins: list[bool]
    """Per settled segment: does it continue a code block cut just before it (so draw it without a gap)?"""
    consumed: int
    """How many characters of the input the settled segments cover."""
    tail: str
    """The rest, as rendered: the only part that is re-rendered as more text arrives."""
    open_fence: str
    """Non-empty when the rest is inside a cut code block: pass it back with the rest next time."""

    @property
    def tail_joins(self) -> bool:
        return bool(self.open_fence)


def _closes(match: re.Match[str] | None, fence: tuple[str, int]) -> bool:
    return bool(
        match and match.group(1)[0] == fence[0] and len(match.group(1)) >= fence[1] and not match.group(2).strip()
    )


def split(
    source: str,
    *,
    open_fence: str = "",
    final: bool = False,
    min_lines: int = MIN_SEGMENT_LINES,
    max_fence_lines: int = MAX_FENCE_LINES,
) -> Split:
    """Cut ``source`` at safe places into segments of at least ``min_lines`` lines plus a tail.

    Unless ``final``, the last line (it may still be growing) is never settled.
    """
    lines = source.splitlines(keepends=True)
    offsets = [0, *accumulate(len(line) for line in lines)]
    scan_until = len(lines) if final or source.endswith("\n") else len(lines) - 1
    settled: list[str] = []
    joins: list[bool] = []
    start = 0  # first line of the current segment
    prefix = open_fence  # a reopened fence the current segment starts with
    opener = open_fence
    opened = FENCE.match(open_fence) if open_fence else None
    fence = (opened.group(1)[0], len(opened.group(1))) if opened else None
    fence_start = 0

    def cut(at: int, close: str = "", reopen: str = "") -> None:
        nonlocal start, prefix
        settled.append(prefix + "".join(lines[start:at]) + close)
        joins.append(bool(prefix))
        start, prefix = at, reopen

    for i in range(scan_until):
        line = lines[i]
        match = FENCE.match(line)
        if fence is not None:
            if _closes(match, fence):
                fence = None
                if i == start and prefix:  # the fence closes right where we reopened it: nothing to show
                    start, prefix = i + 1, ""
                elif i + 1 - start >= min_lines:
                    cut(i + 1)
            elif i + 1 - fence_start >= max_fence_lines:
                cut(i + 1, close=fence[0] * fence[1] + "\n", reopen=opener)
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
    return Split(settled, joins, offsets[start], prefix + "".join(lines[start:]), prefix)
