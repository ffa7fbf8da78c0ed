"""The conversation list (newest first) with full-text search over every message.

It shows what it is given and posts what the user chose; the app does the loading, renaming and
deleting through the history store.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from ...chat.text_safety import visible_text

if TYPE_CHECKING:
    from ...store import ConversationSummary, SearchHit


class Sidebar(Vertical):
    DEFAULT_CSS = """
    Sidebar { dock: left; width: 38; display: none; border-right: tall $primary 30%; background: $surface; }
    Sidebar Input { margin: 0; }
    Sidebar OptionList, Sidebar OptionList:focus { height: 1fr; border: none; }
    """

    class _AboutConversation(Message):
        def __init__(self, conversation_id: int) -> None:
            super().__init__()
            self.conversation_id = conversation_id

    class Open(_AboutConversation):
        """Enter on a conversation, or on a search hit: then ``message_id`` is the hit and ``query`` the search."""

        def __init__(self, conversation_id: int, message_id: int | None = None, query: str = "") -> None:
            super().__init__(conversation_id)
            self.message_id = message_id
            self.query = query

    class SearchChanged(Message):
        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search all messages…", id="history-search")
        yield OptionList(id="history-list")

    @property
    def options(self) -> OptionList:
        return self.query_one(OptionList)

    def show_conversations(self, conversations: list[ConversationSummary], current: int | None) -> None:
        options = self.options
        options.clear_options()
        for c in conversations:
            when = dt.datetime.fromtimestamp(c.updated_at).strftime("%Y-%m-%d %H:%M")
            label = Content.assemble(
                visible_text(c.title or "(untitled)"), "\n", (f"{when} · {c.message_count} msgs", "dim")
            )
            options.add_option(Option(label, id=str(c.id)))
        ids = [c.id for c in conversations]
        if ids:
            options.highlighted = ids.index(current) if current in ids else 0

    def show_hits(self, hits: list[SearchHit]) -> None:
        options = self.options
        options.clear_options()
        for index, hit in enumerate(hits):
            who = "you" if hit.role == "user" else "ai"
            label = Content.assemble(
                (visible_text(hit.title or "(untitled)"), "bold"), "\n", (f"{who}: {visible_text(hit.snippet)}", "dim")
            )
            options.add_option(Option(label, id=f"{hit.conversation_id}:{hit.message_id}:{index}"))
        if hits:
            options.highlighted = 0

    def focus_search(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed, "#history-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.post_message(self.SearchChanged(event.value))

    @on(Input.Submitted, "#history-search")
    def _search_submitted(self) -> None:
        self.options.focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        conversation, *hit = str(event.option.id).split(":")
        query = self.query_one(Input).value if hit else ""
        self.post_message(self.Open(int(conversation), int(hit[0]) if hit else None, query))

    def highlighted_id(self) -> int | None:
        """The conversation under the list's cursor (renamed by Ctrl+E, deleted by Delete: the app's keys)."""
        options = self.options
        if options.highlighted is None:
            return None
        return int(str(options.get_option_at_index(options.highlighted).id).split(":")[0])
