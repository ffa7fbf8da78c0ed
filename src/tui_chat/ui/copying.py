"""Copying to the clipboard: the last answer, one of its code blocks (a picker when there are several), or
the message under the log's cursor; the toast says whether the terminal confirmed it."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import SimpleCommand

if TYPE_CHECKING:
    from .app import ChatApp


class Copying:
    def __init__(self, app: ChatApp) -> None:
        self.app = app

    def last_answer(self) -> None:
        text = self._last_answer()
        if text is not None:
            self.text(text)

    def last_answer_code(self) -> None:
        text = self._last_answer()
        if text is not None:
            self.code(text, "The last answer")

    def _last_answer(self) -> str | None:
        answer = self.app.conversation.last("assistant")
        if answer is None or not answer.content:
            self.app.notify("There is no answer to copy yet.")
            return None
        return answer.content

    def code(self, text: str, whose: str) -> None:
        from .code_blocks import code_blocks  # actions import what they use: startup stays short

        blocks = code_blocks(text)
        if not blocks:
            self.app.notify(f"{whose} has no code block.")
        elif len(blocks) == 1:
            self.text(blocks[0].code)
        else:
            self.app.search_commands(
                [SimpleCommand(f"{i}. {b.label}", partial(self.text, b.code)) for i, b in enumerate(blocks, 1)],
                placeholder="Copy which code block?",
            )

    def text(self, text: str) -> None:
        from .clipboard import copy_text

        result = copy_text(text, self.app.copy_to_clipboard)
        self.app.notify(
            result.message,
            title="Copied" if result.confirmed else "Clipboard",
            severity="information" if result.confirmed else "warning",
            timeout=6,
        )
