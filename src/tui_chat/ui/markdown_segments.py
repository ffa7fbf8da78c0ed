"""Cut a growing Markdown document into settled segments and a live tail.

Re-rendering a whole answer per delta is what makes long answers quadratic. We render each settled
segment once and only ever re-render the short tail. A cut is safe only where Markdown's block
structure cannot change with more text: at a blank line followed by a line that starts a new
top-level block (not indented), or right after a code fence closes. A long fenced code block is cut
too, by closing the fence and reopening it with the same info string, so a 4,000-line code block
costs no more per line than prose.

A cut between two items of one list (a "loose" list, its items apart by blank lines, as models write them)
is safe too, but the items are drawn without the blank row that separates segments: Rich draws a list's items
row after row, so a gap there showed where the cuts fell.

``split`` works on the raw text: the synthetic closing and reopening fences exist only in the
rendered segments; ``open_fence`` carries "we are inside a code block we cut" to the next call, and
``open_list`` "the settled text ends inside this list".
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import NamedTuple

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
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
    open_list: str
    """The kind of list (its marker) the settled text ends in, or "": pass it back with the rest next time."""
    tail_joins: bool
    """Does the rest continue the last settled segment (so draw it without a gap)?"""


def ends_with_rule(segment: str) -> bool:
    """Does this settled segment end with a thematic break (``---``; after text, without a blank line between,
    ``---`` underlines a heading)?"""
    lines = segment.rstrip().splitlines()
    return bool(lines and RULE.match(lines[-1]) and (len(lines) == 1 or not lines[-2].strip()))


def _list_kind(line: str) -> str:
    """A top-level list item's kind: its bullet, or the delimiter after its number ("" for any other line)."""
    match = LIST_ITEM.match(line)
    return match.group(0).rstrip()[-1] if match and not RULE.match(line) else ""


def _closes(match: re.Match[str] | None, fence: tuple[str, int]) -> bool:
    return bool(
        match and match.group(1)[0] == fence[0] and len(match.group(1)) >= fence[1] and not match.group(2).strip()
    )


def split(
    source: str,
    *,
    open_fence: str = "",
    open_list: str = "",
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
    in_list = open_list  # the kind of the top-level list the text at line i is in
    # Does the segment being gathered continue the one before it?
    joined = bool(prefix) or bool(in_list and lines and _list_kind(lines[0]) == in_list)
    list_before = open_list  # the list the settled text ends in

    def cut(at: int, close: str = "", reopen: str = "", continues: bool = False) -> None:
        nonlocal start, prefix, joined, list_before
        settled.append(prefix + "".join(lines[start:at]) + close)
        joins.append(joined)
        start, prefix, joined, list_before = at, reopen, bool(reopen) or continues, in_list

    for i in range(scan_until):
        line = lines[i]
        match = FENCE.match(line)
        if fence is not None:
            if _closes(match, fence):
                fence = None
                if i == start and prefix:  # the fence closes right where we reopened it: nothing to show
                    start, prefix, joined = i + 1, "", False
                elif i + 1 - start >= min_lines:
                    cut(i + 1)
            elif i + 1 - fence_start >= max_fence_lines:
                cut(i + 1, close=fence[0] * fence[1] + "\n", reopen=opener)
                fence_start = i + 1
            continue
        if line[:1].strip():  # a line at the left margin
            if kind := _list_kind(line):
                in_list = kind
            elif i == 0 or not lines[i - 1].strip():
                in_list = ""  # a new block that is not an item ends the list (a line right after text continues it)
        if match:
            fence = (match.group(1)[0], len(match.group(1)))
            opener = line if line.endswith("\n") else line + "\n"
            fence_start = i + 1
            continue
        if not line.strip() and i + 1 < len(lines) and i + 1 - start >= min_lines:
            following = lines[i + 1]
            if following.strip() and not following[0].isspace() and "".join(lines[start:i]).strip():
                cut(i + 1, continues=bool(in_list) and _list_kind(following) == in_list)
    return Split(settled, joins, offsets[start], prefix + "".join(lines[start:]), prefix, list_before, joined)
