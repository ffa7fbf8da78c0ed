"""Conversations and messages in SQLite: the one class the rest of the app reaches the database through (nothing
outside this package writes SQL). The file itself (WAL, migrations, checks) is :mod:`.sqlite_file`'s."""

from __future__ import annotations

import os
import socket
import sqlite3
import time

from ..chat import parts
from ..chat.conversation import ChatMessage, Conversation, MessageStatus
from ..engine.events import Usage
from .rows import MESSAGE_COLUMNS, ConversationSummary, SearchHit, message_from_row, row_id
from .sqlite_file import BUSY_TIMEOUT_MS, DamagedDatabase, MissingRow, SqliteFile, StoreError

__all__ = [
    "BUSY_TIMEOUT_MS",
    "ConversationSummary",
    "DamagedDatabase",
    "HistoryStore",
    "MissingRow",
    "SearchHit",
    "StoreError",
]

OWNER = f"{socket.gethostname()}:{os.getpid()}"
"""Which process streams a message: only that process's death makes the message 'interrupted'."""


class HistoryStore(SqliteFile):
    """Conversations and messages. The UI reaches it only through this class (it never writes SQL)."""

    def _opened(self) -> None:
        self._recover_interrupted()

    def _recover_interrupted(self) -> None:
        """Answers left 'streaming' by a process that is gone (kill -9, crash, power loss)."""
        rows = self._read("SELECT id, owner FROM messages WHERE status = 'streaming'")
        dead = [row["id"] for row in rows if not _owner_alive(row["owner"])]
        if dead:
            with self._write() as db:
                db.executemany(
                    "UPDATE messages SET status = 'interrupted', owner = NULL WHERE id = ?", [(i,) for i in dead]
                )
                db.executemany(
                    "INSERT INTO messages_fts (rowid, content) SELECT id, content FROM messages WHERE id = ?",
                    [(i,) for i in dead],
                )

    # -- conversations -----------------------------------------------------------------------------

    def create_conversation(self, conversation: Conversation) -> int:
        now = time.time()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO conversations (title, profile, model, system_prompt, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (conversation.title, conversation.profile, conversation.model, conversation.system_prompt, now, now),
            )
        conversation.id = row_id(cursor)
        return conversation.id

    def update_conversation(self, conversation_id: int, **fields: str) -> None:
        allowed = {"title", "profile", "model", "system_prompt"}
        if not fields or set(fields) - allowed:
            raise ValueError(f"can only update {sorted(allowed)}")
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self._write() as db:
            db.execute(
                f"UPDATE conversations SET {assignments}, updated_at = ? WHERE id = ?",
                (*fields.values(), time.time(), conversation_id),
            )

    def delete_conversation(self, conversation_id: int) -> None:
        with self._write() as db:
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def list_conversations(self, limit: int = 500) -> list[ConversationSummary]:
        rows = self._read(
            "SELECT c.id, c.title, c.model, c.updated_at, "
            "(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS n "
            "FROM conversations c ORDER BY c.updated_at DESC, c.id DESC LIMIT ?",
            (limit,),
        )
        return [ConversationSummary(r["id"], r["title"], r["model"], r["updated_at"], r["n"]) for r in rows]

    def last_conversation_id(self) -> int | None:
        rows = self._read("SELECT id FROM conversations ORDER BY updated_at DESC, id DESC LIMIT 1")
        return rows[0]["id"] if rows else None

    def load_conversation(self, conversation_id: int, newest: int | None = None) -> Conversation:
        """The conversation, with all its messages or only the ``newest`` ones (``unread`` counts the rest)."""
        rows = self._read("SELECT * FROM conversations WHERE id = ?", (conversation_id,))
        if not rows:
            raise MissingRow(f"there is no conversation {conversation_id} (deleted elsewhere?)")
        c = rows[0]
        if newest is None:
            messages, unread = self.load_messages(conversation_id), 0
        else:
            messages = [
                message_from_row(row)
                for row in reversed(
                    self._read(
                        f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT ?",
                        (conversation_id, newest),
                        tuples=True,
                    )
                )
            ]
            before = messages[0].id if messages else None
            unread = (
                self._read(
                    "SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND id < ?",
                    (conversation_id, before),
                    tuples=True,
                )[0][0]
                if before is not None
                else 0
            )
        return Conversation(
            title=c["title"],
            profile=c["profile"],
            model=c["model"],
            system_prompt=c["system_prompt"],
            messages=messages,
            id=c["id"],
            created_at=c["created_at"],
            updated_at=c["updated_at"],
            unread=unread,
        )

    def load_messages(self, conversation_id: int, before: int | None = None) -> list[ChatMessage]:
        """The messages of a conversation in order, or those older than message id ``before``."""
        where, args = ("AND id < ?", (conversation_id, before)) if before is not None else ("", (conversation_id,))
        return [
            message_from_row(row)
            for row in self._read(  # 10,000 messages: 70 ms (named rows: 120 ms)
                f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? {where} ORDER BY id",
                args,
                tuples=True,
            )
        ]

    def import_conversation(self, conversation: Conversation) -> int:
        """Write a whole conversation (from an export) in one transaction, timestamps included."""
        now = time.time()
        created = conversation.created_at or now
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO conversations (title, profile, model, system_prompt, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    conversation.title,
                    conversation.profile,
                    conversation.model,
                    conversation.system_prompt,
                    created,
                    conversation.updated_at or created,
                ),
            )
            conversation.id = new_id = row_id(cursor)
            for message in conversation.messages:
                if message.status is MessageStatus.STREAMING:
                    message.status = MessageStatus.INTERRUPTED
                stamp = message.created_at or created
                message.id = db.execute(
                    "INSERT INTO messages (conversation_id, role, created_at, updated_at) VALUES (?, ?, ?, ?)",
                    (conversation.id, message.role, stamp, stamp),
                ).lastrowid
                self._write_final(db, message, stamp)
        return new_id

    # -- messages ----------------------------------------------------------------------------------

    def add_message(self, conversation_id: int, message: ChatMessage) -> int:
        """Insert and commit (the user's prompt is saved before the request is sent)."""
        now = time.time()
        owner = OWNER if message.status is MessageStatus.STREAMING else None
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO messages (conversation_id, role, content, reasoning, status, model, response_id, parts, "
                "owner, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    conversation_id,
                    message.role,
                    message.content,
                    message.reasoning,
                    message.status.value,
                    message.model,
                    message.response_id,
                    parts.dumps(parts.extra_parts(message.parts)),
                    owner,
                    now,
                    now,
                ),
            )
            message.id = new_id = row_id(cursor)
            self._finalise(db, message, now)
            db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id))
        return new_id

    def checkpoint(self, message_id: int, content: str, reasoning: str, response_id: str | None = None) -> None:
        """The partial answer so far; called about once a second while it streams, not per delta, and at once
        when the server names its response (so that a crash right after can still pick the answer up)."""
        with self._write() as db:
            db.execute(
                "UPDATE messages SET content = ?, reasoning = ?, response_id = ?, updated_at = ? WHERE id = ?",
                (content, reasoning, response_id, time.time(), message_id),
            )

    def finish_message(self, message: ChatMessage) -> None:
        """Write the final text, state and metrics of a message, and index it for search."""
        if message.id is None:
            raise ValueError("the message was never added")
        with self._write() as db:
            self._write_final(db, message, time.time())

    def _write_final(self, db: sqlite3.Connection, message: ChatMessage, now: float) -> None:
        m = message.metrics
        usage = m.usage if m and m.usage else Usage()
        db.execute(
            "UPDATE messages SET content = ?, reasoning = ?, status = ?, finish_reason = ?, model = ?, "
            "error = ?, prompt_tokens = ?, completion_tokens = ?, total_tokens = ?, tokens = ?, "
            "time_to_first_token = ?, duration = ?, tokens_per_second = ?, attempts = ?, fell_back = ?, "
            "response_id = ?, parts = ?, owner = NULL, updated_at = ? WHERE id = ?",
            (
                message.content,
                message.reasoning,
                message.status.value,
                message.finish_reason,
                message.model,
                message.error,
                usage.prompt_tokens,
                usage.completion_tokens,
                usage.total_tokens,
                m.tokens if m else None,
                m.time_to_first_token if m else None,
                m.total_time if m else None,
                m.tokens_per_second if m else None,
                m.attempts if m else None,
                int(m.fell_back) if m else None,
                message.response_id,
                parts.dumps(parts.extra_parts(message.parts)),
                now,
                message.id,
            ),
        )
        self._finalise(db, message, now)

    def _finalise(self, db: sqlite3.Connection, message: ChatMessage, now: float) -> None:
        if message.status is MessageStatus.STREAMING:
            return
        db.execute("DELETE FROM messages_fts WHERE rowid = ?", (message.id,))
        db.execute("INSERT INTO messages_fts (rowid, content) VALUES (?, ?)", (message.id, message.content))
        db.execute(
            "UPDATE conversations SET updated_at = max(updated_at, ?) WHERE id = "
            "(SELECT conversation_id FROM messages WHERE id = ?)",
            (now, message.id),
        )

    def delete_messages_from(self, conversation_id: int, message_id: int) -> None:
        """Delete a message and every later one (regenerate, edit and resend)."""
        with self._write() as db:
            db.execute("DELETE FROM messages WHERE conversation_id = ? AND id >= ?", (conversation_id, message_id))

    def delete_message(self, message_id: int) -> None:
        """Delete one message (an answer replaced by its regeneration)."""
        with self._write() as db:
            db.execute("DELETE FROM messages WHERE id = ?", (message_id,))

    def search(self, query: str, limit: int = 100) -> list[SearchHit]:
        """Full-text search over every message; the query is taken as words, not FTS syntax."""
        words = ['"' + word.replace('"', '""') + '"' for word in query.split()]
        if not words:
            return []
        rows = self._read(
            "SELECT m.conversation_id, m.id, c.title, m.role, "
            "snippet(messages_fts, 0, '«', '»', '…', 12) AS snippet "
            "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid "
            "JOIN conversations c ON c.id = m.conversation_id "
            "WHERE messages_fts MATCH ? ORDER BY rank LIMIT ?",
            (" ".join(words), limit),
        )
        return [SearchHit(r[0], r[1], r[2], r[3], " ".join(r[4].split())) for r in rows]


def _owner_alive(owner: str | None) -> bool:
    if not owner:
        return False
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return int(pid) != os.getpid()  # our own pid at open time: a dead predecessor's row, pid reused
