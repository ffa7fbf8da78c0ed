"""Ask for one line of text (a new title); dismisses with the text, or None when cancelled."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..widgets.keys_in_order import KeysInOrder
from .early_keys import HoldsEarlyKeys


class _Line(KeysInOrder, Input):
    pass


class LinePromptScreen(HoldsEarlyKeys, ModalScreen[str | None]):
    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, value: str) -> None:
        super().__init__()
        self.title_text = title
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="line-prompt-box"):
            yield Static(self.title_text, markup=False, classes="title")
            yield _Line(self.value, id="line-prompt-input")
            yield Static("Enter saves · Esc cancels", markup=False, classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
