"""Rows drawn once and repeated (the answer's message, the log's scrollbar) show what Textual draws row by row."""

from __future__ import annotations

import pytest

from support import wait_idle
from tui_chat.chat.conversation import ChatMessage, Conversation
from tui_chat.ui.widgets.messages import AssistantMessage
from tui_chat.ui.widgets.same_rows import SameRows, SameRowsScrollBar

SIZE = (80, 24)


def row_by_row(app, monkeypatch) -> str:
    """The screen as Textual draws it, every row on its own."""
    with monkeypatch.context() as patched:
        patched.setattr(SameRows, "_rows_alike", lambda self: False)
        return app.export_screenshot()


@pytest.mark.parametrize("where", ["end", "middle", "top", "cursor"])
async def test_rows_drawn_once_look_as_drawn_row_by_row(make_app, monkeypatch, where):
    answer = "\n\n".join(f"Paragraph {i}: " + "words " * 30 for i in range(40))
    conversation = Conversation(
        title="long", messages=[ChatMessage("user", "a question"), ChatMessage("assistant", answer)]
    )
    app = make_app("echo", conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot, app)
        log = app.log_view
        assert isinstance(log.vertical_scrollbar, SameRowsScrollBar)
        if where == "middle":
            log.scroll_to(y=log.max_scroll_y // 2, animate=False, immediate=True)
        elif where == "top":
            log.scroll_home(animate=False, immediate=True)
        elif where == "cursor":  # the focused log marks the answer: its border and background change
            await pilot.press("tab")
            assert log.cursor is app.query_one(AssistantMessage).message
        app.prompt.cursor_blink = False
        await pilot.pause()
        shown = app.export_screenshot()
        assert shown == row_by_row(app, monkeypatch)
