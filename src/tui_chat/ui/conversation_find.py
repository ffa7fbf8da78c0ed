"""Going through the matches of a search in the open conversation: a search hit opens its conversation at the
hit, and Ctrl+F goes on to the next match (wrapping round) until Esc ends the search."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..chat.conversation import ChatMessage
from .widgets.message_log import MessageLog

HIT = "-hit"
"""The class of the message widget the search shows (styled in app.tcss)."""


class ConversationFind:
    def __init__(
        self, query: str, log: MessageLog, messages: Sequence[ChatMessage], say: Callable[[str], None]
    ) -> None:
        self.query = query
        self.log = log
        self.messages = messages
        self.say = say
        """Tells the user where the search is (``match 2 of 5``); the caller adds how to go on."""
        self.shown: ChatMessage | None = None

    def matches(self) -> list[ChatMessage]:
        words = self.query.lower().split()
        return [m for m in self.messages if words and all(w in m.content.lower() for w in words)]

    async def show(self, message: ChatMessage) -> None:
        """Scroll to ``message`` (mounting the batches above the window if need be) and mark it."""
        self.clear_mark()
        widget = await self.log.reveal(message)
        if widget is not None:
            widget.add_class(HIT)
        self.shown = message
        matches = self.matches()
        where = f"{matches.index(message) + 1} of {len(matches)}" if message in matches else "the hit"
        self.say(f"“{self.query}”: {where} in this conversation")

    async def next(self) -> None:
        matches = self.matches()
        if not matches:
            self.say(f"“{self.query}” is not in this conversation")
            return
        order = list(self.messages)
        after = order.index(self.shown) if self.shown in order else -1
        later = [m for m in matches if order.index(m) > after]
        await self.show(later[0] if later else matches[0])

    def clear_mark(self) -> None:
        for widget in self.log.query(f".{HIT}"):
            widget.remove_class(HIT)
