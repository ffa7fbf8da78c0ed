"""The scrolling list of messages, pinned to the bottom while the user is there (``anchor()``)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.containers import VerticalScroll
from textual.widget import Widget

from ...conversation import ChatMessage
from .messages import AssistantMessage, UserMessage


def message_widget(message: ChatMessage) -> Widget:
    return UserMessage(message) if message.role == "user" else AssistantMessage(message)


class MessageLog(VerticalScroll, can_focus=True):
    def on_mount(self) -> None:
        self.anchor()

    async def show(self, messages: Iterable[ChatMessage]) -> None:
        """Replace everything with ``messages``."""
        await self.remove_children()
        await self.mount_all([message_widget(m) for m in messages])
        self.call_after_refresh(self.scroll_end, animate=False)

    async def add(self, message: ChatMessage) -> Widget:
        widget = message_widget(message)
        await self.mount(widget)
        return widget

    def last_assistant(self) -> AssistantMessage | None:
        found = self.query(AssistantMessage)
        return found.last() if found else None

    async def remove_from(self, message: ChatMessage) -> None:
        """Remove the widget of ``message`` and every one after it."""
        doomed, seen = [], False
        for child in self.children:
            seen = seen or getattr(child, "message", None) is message
            if seen:
                doomed.append(child)
        await self.remove_children(doomed)
