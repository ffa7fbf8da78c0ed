"""Cutting a growing Markdown answer into settled segments and a live tail."""

from __future__ import annotations

from tui_chat.ui.markdown_segments import split

PARAGRAPHS = "".join(f"Paragraph {i}, line one\nline two\n\n" for i in range(10))


def test_prose_is_cut_at_blank_lines_and_nothing_is_lost():
    cut = split(PARAGRAPHS, min_lines=3)
    assert len(cut.settled) > 1 and not any(cut.joins)
    assert "".join(cut.settled) + cut.tail == PARAGRAPHS
    assert cut.consumed == len("".join(cut.settled))


def test_a_growing_last_line_is_never_settled():
    cut = split("one\n\ntwo\n\nthree still typ", min_lines=1)
    assert cut.tail.endswith("three still typ") and "three" not in "".join(cut.settled)


def test_a_long_code_block_is_cut_by_closing_and_reopening_its_fence():
    code = "```python\n" + "".join(f"x = {i}\n" for i in range(40)) + "```\n"
    cut = split(code, max_fence_lines=16, min_lines=3)
    assert cut.settled[0].startswith("```python\n") and cut.settled[0].endswith("```\n")
    assert all(segment.startswith("```python\n") for segment in cut.settled[1:])
    assert cut.joins[1:] and all(cut.joins[1:])
    body = "".join(
        line for segment in cut.settled for line in segment.splitlines(keepends=True) if not line.startswith("```")
    )
    assert body + "".join(line for line in cut.tail.splitlines(keepends=True) if not line.startswith("```")) == "".join(
        f"x = {i}\n" for i in range(40)
    )


def test_an_indented_continuation_is_not_a_safe_cut():
    text = "- item\n\n  more of the item\n\n- next\n"
    assert split(text, min_lines=1).settled[0] == "- item\n\n  more of the item\n\n"
