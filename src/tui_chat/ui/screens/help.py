"""F1: every key binding with its id (the name to use in the config's ``[keymap]`` table)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close")]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        """``rows``: (keys, binding id, what it does)."""
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(
                'Keys · remap any of them in the config file: [keymap] id = "keys"', markup=False, classes="title"
            )
            table: DataTable[str] = DataTable(zebra_stripes=True, cursor_type="row")
            table.add_columns("keys", "id", "action")
            for row in self.rows:
                table.add_row(*row)
            yield table
            yield Static(
                "Esc closes · Ctrl+P opens the command palette, where every action is listed too",
                markup=False,
                classes="hint",
            )
