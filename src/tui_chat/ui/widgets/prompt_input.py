"""The multi-line prompt: Enter sends; Ctrl+J or Alt+Enter insert a newline (Shift+Enter is unreliable
across terminals); Up in an empty prompt asks to edit the last message."""

from __future__ import annotations

from typing import cast

from textual import events
from textual.message import Message
from textual.widgets import TextArea

from .keys_in_order import KeysInOrder


class PromptInput(KeysInOrder, TextArea):
    DEFAULT_CSS = """
    PromptInput { height: auto; min-height: 3; max-height: 12; }
    """

    class Submitted(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class EditLast(Message):
        """Up was pressed in an empty prompt."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder="Ask anything · Enter sends · Ctrl+J newline · F1 help",
        )

    async def _own_key(self, event: events.Key) -> bool:
        if event.key == "enter":
            if self.text.strip():
                self.post_message(self.Submitted(self.text))
                self.clear()  # now: keys typed right after Enter, in the same burst, land in the empty prompt
            return True
        if event.key in ("ctrl+j", "alt+enter"):
            self.insert("\n")
            return True
        if event.key == "up" and not self.text:
            self.post_message(self.EditLast())
            return True
        return False


def read_alt_enter_as_newline() -> None:
    """Alt+Enter reaches an app as ESC CR under tmux and screen (and in terminals without the kitty keyboard
    protocol), and Textual's parser drops the ESC: the key arrived as Enter and sent the prompt. Textual's
    sequence table (to which terminal sequences the parser maps which keys) gets that one sequence, mapped to
    Ctrl+J, the newline key that works everywhere. Pressing Esc and then Enter within Textual's escape delay
    (~0.1 s) reads the same way, as it always did in terminals: there is no telling them apart."""
    from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
    from textual.keys import Keys

    table = cast("dict[str, tuple[Keys, ...] | str]", ANSI_SEQUENCES_KEYS)  # a dict, typed read-only
    table.setdefault("\x1b\r", (Keys.ControlJ,))
