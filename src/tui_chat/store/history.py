"""History as the app and ``ask --save`` use it: failures switch history off instead of the chat.

A database that cannot be opened or written (read-only directory, full disk, corrupt file) must
not stop anyone from chatting: :class:`History` says why history is off and carries on in memory.
Writes go to a thread of their own (:mod:`.writer`): the caller never waits for SQLite's lock. A message's
and a conversation's ids are set there, so every write reads them when it runs, not when it is asked.
:class:`TurnRecorder` checkpoints a streaming answer about once a second, so a crash or ``kill -9``
loses at most that second.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..chat.conversation import ChatMessage, Conversation
from ..chat.outcome import TurnOutcome
from .database import ConversationSummary, HistoryStore, MissingRow, SearchHit, StoreError
from .writer import Writer

T = TypeVar("T")
CHECKPOINT_SECONDS = 0.5
DATABASE_NAME = "history.sqlite3"


class History:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / DATABASE_NAME
        self.problem = ""
        """Why the history is off; set once, and then nothing is written."""
        self.notice = ""
        """The last thing that could not be done on a healthy database (a row deleted elsewhere)."""
        self.store: HistoryStore | None = None
        self.on_problem: Callable[[], None] | None = None
        """Called, from the writer's thread, when ``problem`` or ``notice`` changed: it must be thread-safe."""
        self._writer = Writer()
        try:
            self.store = HistoryStore.open(self.path)
        except StoreError as exc:
            self.problem = f"history is off: {exc}"

    def verify(self) -> None:
        """Wait for the integrity check of the file (the first write does too); ``problem`` says what it found."""
        self._read(lambda store: store.verify(), None)

    def flush(self) -> None:
        """Wait until every write asked so far is done (then ``problem`` and the ids are up to date)."""
        self._writer.drain()

    @property
    def read_only(self) -> bool:
        """The file can be read but not written (its permissions): listed and exported, nothing saved."""
        return self.store is not None and self.store.read_only

    @property
    def enabled(self) -> bool:
        return self.store is not None

    def _later(self, action: Callable[[HistoryStore], object]) -> None:
        """A write, on the writer thread."""
        if self.store is not None:
            self._writer.put(lambda: self._call(action, None))

    def _read(self, action: Callable[[HistoryStore], T], default: T) -> T:
        """A read (or a write whose result is needed now), after every write asked before it."""
        self._writer.drain()
        return self._call(action, default)

    def _call(self, action: Callable[[HistoryStore], T], default: T) -> T:
        if self.store is None:
            return default
        try:
            return action(self.store)
        except MissingRow as exc:  # one conversation is gone; the database is fine and stays in use
            self.notice = str(exc)
        except StoreError as exc:
            self.problem = f"history is off: {exc}"
            self.store.close()
            self.store = None
        if self.on_problem is not None:
            self.on_problem()
        return default

    def save_message(self, conversation: Conversation, message: ChatMessage) -> None:
        """Create the conversation on its first message, then add the message (committed at once)."""

        def save(store: HistoryStore) -> None:
            if conversation.id is None:
                store.create_conversation(conversation)
            assert conversation.id is not None
            store.add_message(conversation.id, message)

        self._later(save)

    def update_conversation(self, conversation: Conversation, **fields: str) -> None:
        def update(store: HistoryStore) -> None:
            if conversation.id is not None:
                store.update_conversation(conversation.id, **fields)

        self._later(update)

    def delete_messages_from(self, conversation: Conversation, message: ChatMessage) -> None:
        def delete(store: HistoryStore) -> None:
            if conversation.id is not None and message.id is not None:
                store.delete_messages_from(conversation.id, message.id)

        self._later(delete)

    def delete_message(self, message: ChatMessage) -> None:
        def delete(store: HistoryStore) -> None:
            if message.id is not None:
                store.delete_message(message.id)

        self._later(delete)

    def checkpoint(self, message: ChatMessage, content: str, reasoning: str) -> None:
        """The partial answer so far, with its response id when the server named one."""
        response_id = message.response_id

        def checkpoint(store: HistoryStore) -> None:
            if message.id is not None:
                store.checkpoint(message.id, content, reasoning, response_id)

        self._later(checkpoint)

    def finish_message(self, message: ChatMessage) -> None:
        def finish(store: HistoryStore) -> None:
            if message.id is not None:
                store.finish_message(message)

        self._later(finish)

    def list_conversations(self) -> list[ConversationSummary]:
        return self._read(lambda s: s.list_conversations(), [])

    def search(self, query: str) -> list[SearchHit]:
        return self._read(lambda s: s.search(query), [])

    def load(self, conversation_id: int, newest: int | None = None) -> Conversation | None:
        """The conversation; with ``newest``, only that many of its latest messages (see :meth:`read_earlier`)."""
        return self._read(lambda s: s.load_conversation(conversation_id, newest), None)

    def read_earlier(self, conversation: Conversation) -> int:
        """Put the messages a ``newest`` load left in the store in front of the others (the same list, so
        whoever shows it sees them): how many. With history gone meanwhile, the conversation stays as it is."""
        if not conversation.unread or conversation.id is None:
            return 0
        before = conversation.messages[0].id if conversation.messages else None
        conversation_id = conversation.id
        earlier = self._read(lambda s: s.load_messages(conversation_id, before), None)
        if earlier is None:
            return 0
        conversation.messages[:0] = earlier
        conversation.unread = 0
        return len(earlier)

    def last_conversation_id(self) -> int | None:
        return self._read(lambda s: s.last_conversation_id(), None)

    def import_conversation(self, conversation: Conversation) -> int | None:
        """Written now: the caller needs the new conversation's id."""
        return self._read(lambda s: s.import_conversation(conversation), None)

    def rename(self, conversation_id: int, title: str) -> None:
        self._later(lambda s: s.update_conversation(conversation_id, title=title))

    def delete(self, conversation_id: int) -> None:
        self._later(lambda s: s.delete_conversation(conversation_id))

    def close(self) -> None:
        """Every write asked is done first: quitting loses nothing."""
        self._writer.close()
        if self.store is not None:
            self.store.close()
            self.store = None


class TurnRecorder:
    """Persists one answer while it streams: a row at the start, checkpoints of what :class:`TurnOutcome` folded,
    the final state. A checkpoint is written at most every ``interval``, and at once when it must be."""

    def __init__(
        self,
        history: History,
        conversation: Conversation,
        outcome: TurnOutcome,
        clock: Callable[[], float] = time.monotonic,
        interval: float = CHECKPOINT_SECONDS,
    ) -> None:
        self.history = history
        self.outcome = outcome
        self.clock = clock
        self.interval = interval
        self._saved_at = clock()
        self._dirty = False
        history.save_message(conversation, outcome.message)

    def saw(self, urgent: bool = False) -> None:
        """The outcome changed (per delta: a clock read); ``urgent``: write it now."""
        self._dirty = True
        if urgent or self.clock() - self._saved_at >= self.interval:
            self.flush()

    def flush(self) -> None:
        if self._dirty:
            self.history.checkpoint(self.outcome.message, self.outcome.text, self.outcome.reasoning_text)
            self._dirty = False
        self._saved_at = self.clock()

    def finish(self) -> None:
        """Record the final state the outcome holds: text, status, metrics."""
        self.history.finish_message(self.outcome.message)
