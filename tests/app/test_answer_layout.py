"""An answer drawn segment by segment shows the rows Rich draws for the whole document, streamed or opened."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.style import Style
from rich.syntax import Syntax
from textual.app import App, ComposeResult
from textual.strip import Strip

from support import wait_for
from tui_chat.ui.markdown_render import load_lexer, render_markdown
from tui_chat.ui.widgets.streaming_markdown import StreamingMarkdown

WIDTH = 60
DOCUMENTS = {
    "loose list": "Steps:\n\n" + "".join(f"{i}. **Step {i}**: do thing {i}\n\n" for i in range(1, 8)) + "Done.\n",
    "bullets": "".join(f"- point {i}, which\n  goes on\n\n" for i in range(12)) + "* another list\n\n* of two\n",
    "blocks": "Intro.\n\n> a quote\n\nText.\n\n---\n\nAfter the rule.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    "```python\nx = 1\n```\n\n# Heading\n\nLast.\n",
}
"""(An ordered list of fewer than nine items: Rich sizes its numbers' column from the count of its items, which a
list cut as it streams cannot know.)"""


class OneAnswer(App[None]):
    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield StreamingMarkdown(self.text)


def whole(source: str, app: App) -> list[str]:
    lines, _ = render_markdown(app.console, source, WIDTH, Style(), app.current_theme.dark)
    return [line.text.rstrip() for line in lines]


def shown(answer: StreamingMarkdown) -> list[str]:
    return [line.text.rstrip() for line in (*answer._settled_lines, *answer._tail_lines)]


@pytest.mark.parametrize("name", DOCUMENTS)
async def test_an_answer_opened_whole_is_drawn_as_one_document(name):
    source = DOCUMENTS[name]
    app = OneAnswer(source)
    async with app.run_test(size=(WIDTH, 40)) as pilot:
        answer = app.query_one(StreamingMarkdown)
        await pilot.pause()
        assert shown(answer) == whole(source, app)


@pytest.mark.parametrize("name", DOCUMENTS)
async def test_an_answer_streamed_at_reading_pace_is_drawn_as_one_document(name):
    source = DOCUMENTS[name]
    app = OneAnswer()
    async with app.run_test(size=(WIDTH, 40)) as pilot:
        answer = app.query_one(StreamingMarkdown)
        for start in range(0, len(source), 9):  # a few words a frame
            answer.write(source[start : start + 9])
            await wait_for(pilot, lambda: not answer._pending)
        assert shown(answer) == whole(source, app)  # as it streamed, its last line included
        answer.finish(source)
        assert shown(answer) == whole(source, app)


async def test_at_reading_pace_the_tail_is_the_block_being_written():
    """Each frame renders the tail again for a word or two: at the pace people read, a finished block settles
    as soon as the next one starts."""
    app = OneAnswer()
    async with app.run_test(size=(WIDTH, 40)) as pilot:
        answer = app.query_one(StreamingMarkdown)
        for delta in ["First paragraph.", "\n\nSecond", " paragraph."]:
            answer.write(delta)
            await wait_for(pilot, lambda: not answer._pending)
        assert answer._tail == "Second paragraph."


def test_code_that_fits_is_drawn_as_with_rich_word_wrap_and_a_longer_line_still_wraps():
    """Code whose lines all fit is drawn without Rich's word wrap (a cheaper path): the same rows, styles
    included, a tab and wide characters among them. A line too long for the width wraps: nothing is cropped."""
    load_lexer("python")
    console = Console(width=WIDTH, color_system="truecolor", force_terminal=True, legacy_windows=False)
    fits = "def f(a, b):\n\treturn a + b\n" + "".join(f"    x_{i} = {i}  # 世界\n" for i in range(3)) + "#" * 58 + "\n"
    with_wrap = Syntax(fits.rstrip("\n"), "python", theme="monokai", word_wrap=True, padding=(0, 1))
    rich_rows = console.render_lines(with_wrap, console.options.update(width=WIDTH), style=Style(), pad=True)
    drawn, _ = render_markdown(console, f"```python\n{fits}```\n", WIDTH, Style(), True)
    assert drawn == [Strip(row, WIDTH) for row in rich_rows]
    for long in ("total = " + " + ".join(f"value_{i}" for i in range(20)), "#" * 59):
        drawn, _ = render_markdown(console, f"```python\n{long}\n```\n", WIDTH, Style(), True)
        assert len(drawn) > 1 and "".join(row.text for row in drawn).replace(" ", "") == long.replace(" ", "")
