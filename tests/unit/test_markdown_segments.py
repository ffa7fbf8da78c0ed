"""Cutting a growing Markdown answer into settled segments and a live tail."""

from __future__ import annotations

from tui_chat.ui.markdown_segments import ends_with_rule, split

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


def test_items_of_one_loose_list_cut_apart_continue_each_other():
    """Rich draws a list's items row after row: cut between two items, the second piece is drawn without the
    gap between segments; a list that follows other text is not."""
    cut = split("Steps:\n\n1. one\n\n2. two\n\n- other\n\n- list\n\nText.\n\n- c\n\n- d\n", min_lines=1, final=True)
    assert cut.settled == [
        "Steps:\n\n",
        "1. one\n\n",
        "2. two\n\n",
        "- other\n\n",
        "- list\n\n",
        "Text.\n\n",
        "- c\n\n",
    ]
    assert cut.joins == [False, False, True, False, True, False, False]
    assert cut.tail == "- d\n" and cut.tail_joins


def test_a_list_cut_in_an_earlier_call_is_continued_by_the_next():
    first = split("- a\n\n- b\n\n- c", min_lines=1)
    assert first.tail == "- c" and first.open_list == "-" and first.tail_joins
    rest = split(first.tail + "\n\n- d\n\nText", open_list=first.open_list, min_lines=1)
    assert rest.settled == ["- c\n\n", "- d\n\n"] and rest.joins == [True, True]
    assert not rest.tail_joins and rest.open_list == "-"


def test_a_rule_is_told_from_a_heading_underline():
    assert ends_with_rule("Text.\n\n---\n\n") and ends_with_rule("* * *\n")
    assert not ends_with_rule("Heading\n---\n\n") and not ends_with_rule("- item\n\n")
