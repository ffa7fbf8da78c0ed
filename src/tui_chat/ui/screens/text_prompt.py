"""A modal editor for one piece of text (the system prompt)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea


class TextPromptScreen(ModalScreen[str | None]):
    """Ctrl+S saves, Esc cancels: dismisses with the text, or None."""

    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("ctrl+s", "save", "Save"), Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="text-prompt-box"):
            yield Static(self.title_text, markup=False, classes="title")
            yield TextArea(self.text, soft_wrap=True, id="text-prompt-editor")
            yield Static("Ctrl+S saves · Esc cancels", markup=False, classes="hint")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
