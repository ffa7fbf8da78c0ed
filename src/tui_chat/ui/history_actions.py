"""The conversation list and searches: the sidebar (mounted when first opened), opening a conversation or
a search hit, going through a hit's matches, renaming, deleting, and branching from an earlier question."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..chat.conversation import ChatMessage, Conversation
from .conversation_find import ConversationFind
from .widgets.sidebar import Sidebar

if TYPE_CHECKING:
    from .app import ChatApp


class HistoryActions:
    def __init__(self, app: ChatApp) -> None:
        self.app = app
        self.find: ConversationFind | None = None
        """The search a hit was opened from: Ctrl+F goes to its next match in this conversation."""

    @property
    def sidebar(self) -> Sidebar:
        return self.app.query_one(Sidebar)

    async def show_sidebar(self) -> Sidebar:
        """Mounted the first time it is asked for: most sessions never open it, and the first screen
        comes sooner without it."""
        found = self.app.query(Sidebar)
        sidebar = found.first() if found else Sidebar(id="sidebar")
        if not found:
            await self.app.mount(sidebar, before=self.app.log_view)
        sidebar.display = True
        self.refresh()
        return sidebar

    async def toggle_sidebar(self) -> None:
        found = self.app.query(Sidebar)
        if found and found.first().display:
            found.first().display = False
            self.app.prompt.focus()
        else:
            (await self.show_sidebar()).options.focus()

    async def search(self) -> None:
        """The next message of this conversation matching the search a hit was opened from; without one, the
        search box over every conversation."""
        if self.find is not None:
            await self.find.next()
        else:
            (await self.show_sidebar()).focus_search()

    def end_find(self) -> None:
        if self.find is not None:
            self.find.clear_mark()
        self.find = None

    def refresh(self, query: str = "") -> None:
        app = self.app
        if not app.history.enabled:
            app.notify(app.history.problem or "history is off", severity="warning")
        if query.strip():
            self.sidebar.show_hits(app.history.search(query))
        else:
            self.sidebar.show_conversations(app.history.list_conversations(), app.conversation.id)

    async def open_hit(self, event: Sidebar.Open) -> None:
        app = self.app
        conversation = app.history.load(event.conversation_id)
        if conversation is None:
            app.notify(app.history.problem or "That conversation is gone.", severity="error")
            return
        await app.open_conversation(conversation)
        if conversation.model:
            app.use_model(conversation.model, quiet=True)
        hit = next((m for m in conversation.messages if m.id == event.message_id), None)
        if hit is not None:
            self.sidebar.display = False
            self.find = self._find_in(event.query)
            await self.find.show(hit)

    def _find_in(self, query: str) -> ConversationFind:
        app = self.app

        def say(where: str) -> None:
            app.notify(
                f"{where} · {app.key_for('search_history')} next · {app.key_for('stop')} ends the search",
                title="Search",
            )

        return ConversationFind(query, app.log_view, app.conversation.messages, say)

    def rename(self) -> None:
        """Pushes its box at once: the keys typed right after Ctrl+E go into it (see :class:`HoldsEarlyKeys`)."""
        from .screens.line_prompt import LinePromptScreen

        app = self.app
        conversation_id = self.sidebar.highlighted_id()
        if conversation_id is None:
            return
        current = next((c.title for c in app.history.list_conversations() if c.id == conversation_id), "")

        def rename(title: str | None) -> None:
            if title is None or not title.strip():
                return
            app.history.rename(conversation_id, title.strip())
            if app.conversation.id == conversation_id:
                app.conversation.title = title.strip()
                app.conversation_settings.show_titles()
            self.refresh()

        app.push_screen(LinePromptScreen("Rename the conversation", current), rename)

    def delete(self) -> None:
        from .screens.confirm import ConfirmScreen

        app = self.app
        conversation_id = self.sidebar.highlighted_id()
        if conversation_id is None:
            return
        title = next((c.title for c in app.history.list_conversations() if c.id == conversation_id), "")

        async def delete(yes: bool | None) -> None:
            if not yes:
                return
            app.history.delete(conversation_id)
            if app.conversation.id == conversation_id:
                await app.action_new_conversation()
            self.refresh()
            app.notify(f"Deleted “{title}”.")

        app.push_screen(ConfirmScreen(f"Delete “{title}” and all its messages? This cannot be undone."), delete)

    async def branch_before(self, question: ChatMessage) -> None:
        """Open a new conversation holding this one up to ``question`` (copied, stored as a conversation of
        its own): the edited question is asked there, and nothing of the original is lost."""
        app = self.app
        app.read_earlier_messages()
        old = app.conversation
        kept = old.messages[: old.messages.index(question)]
        branch = Conversation(
            title=f"{old.title} (branch)",
            profile=old.profile,
            model=old.model,
            system_prompt=old.system_prompt,
            messages=[replace(m, id=None) for m in kept],
        )
        app.history.import_conversation(branch)
        await app.open_conversation(branch)
        app.notify(f"Branched: “{old.title}” stays in the history with its later messages.", title="Branch")
