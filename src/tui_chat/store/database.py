"""SQLite persistence of conversations (WAL, short transactions, a busy timeout).

Several app instances may share one database: every write is one short ``BEGIN IMMEDIATE``
transaction, readers never block writers (WAL), and a writer waits up to ``BUSY_TIMEOUT_MS`` for
another. Every failure surfaces as :class:`StoreError` with a one-line reason.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from ..chat.conversation import ChatMessage, Conversation, MessageStatus
from ..engine.events import Metrics, Usage
from .integrity import IntegrityCheck
from .migrations import MIGRATIONS, Migration

BUSY_TIMEOUT_MS = 5000
OWNER = f"{socket.gethostname()}:{os.getpid()}"
"""Which process streams a message: only that process's death makes the message 'interrupted'."""


class StoreError(Exception):
    """The database cannot be opened, read or written; the message says why, in one line."""


class DamagedDatabase(StoreError):
    """The file failed its integrity check: it is kept as it is, and nothing is written into it."""


class MissingRow(StoreError):
    """A conversation that is not there (another instance deleted it): the database itself is fine."""


class ConversationSummary(NamedTuple):
    id: int
    title: str
    model: str
    updated_at: float
    message_count: int


class SearchHit(NamedTuple):
    conversation_id: int
    message_id: int
    title: str
    role: str
    snippet: str


def _describe(exc: sqlite3.Error, path: Path) -> str:
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return f"{path} is not a readable tui-chat database (corrupt?): {text}"
    if "readonly" in text or "read-only" in text:
        return f"{path} is read-only: {text}"
    if "disk is full" in text or "disk I/O" in text:
        return f"cannot write {path}: {text}"
    if "unable to open" in text:
        return f"cannot open {path}: {text} (is the directory writable?)"
    return f"{path}: {text}"


class HistoryStore:
    """Conversations and messages. The UI reaches it only through this class (it never writes SQL)."""

    def __init__(self, connection: sqlite3.Connection, path: Path, check: IntegrityCheck | None = None) -> None:
        self.db = connection
        self.path = path
        self._check = check
        """Pending until the first write: a file that existed before is checked before anything is written."""
        self._damage = ""
        self.read_only = False

    @classmethod
    def open(cls, path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> HistoryStore:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
        check = IntegrityCheck(path) if path.exists() and path.stat().st_size else None
        try:
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
            db.row_factory = sqlite3.Row
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if db.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
                raise StoreError(f"{path}: cannot switch to WAL mode")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            store = cls(db, path, check)
            store._migrate(migrations)
            store._recover_interrupted()
            return store
        except sqlite3.Error as exc:
            if check is not None and ("unable to open" in str(exc) or "readonly" in str(exc)):
                return cls._open_read_only(path, migrations)
            raise StoreError(_describe(exc, path)) from None

    @classmethod
    def _open_read_only(cls, path: Path, migrations: Sequence[Migration]) -> HistoryStore:
        """A file (or a folder) we may not write: still listed, searched and exported; every write is refused."""
        try:
            db = sqlite3.connect(
                f"{path.resolve().as_uri()}?immutable=1", uri=True, isolation_level=None, check_same_thread=False
            )
            db.row_factory = sqlite3.Row
            store = cls(db, path)
            store.read_only = True
            applied = {row["name"] for row in store._read("SELECT name FROM schema_migrations")}
        except sqlite3.Error as exc:
            raise StoreError(_describe(exc, path)) from None
        if applied != {m.name for m in migrations}:
            raise StoreError(f"{path} is read-only and was written by another version of tui-chat")
        return store

    def close(self) -> None:
        self.db.close()

    def verify(self) -> None:
        """Wait for the integrity check, if one is pending; raises :class:`DamagedDatabase`."""
        if self._check is not None:
            self._damage, self._check = self._check.problem(), None
        if self._damage:
            raise DamagedDatabase(
                f"{self.path} is damaged ({self._damage}): it is kept as it is and nothing is "
                "written to it; move it aside (or restore a copy) to start a new history"
            )

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        if self.read_only:
            raise StoreError(f"{self.path} is read-only: it can be listed and exported, but nothing new is saved")
        self.verify()
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        except sqlite3.IntegrityError as exc:  # a row another instance deleted (FOREIGN KEY)
            raise MissingRow(f"the conversation was deleted elsewhere ({exc})") from None
        except sqlite3.Error as exc:
            raise StoreError(_describe(exc, self.path)) from None

    def _read(self, sql: str, args: Sequence[Any] = (), *, tuples: bool = False) -> list[Any]:
        """The rows of a query; ``tuples``: plain tuples, cheaper than named rows when there are thousands."""
        try:
            cursor = self.db.cursor()
            if tuples:
                cursor.row_factory = None
            return cursor.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(_describe(exc, self.path)) from None

    # -- schema ------------------------------------------------------------------------------------

    def _migrate(self, migrations: Sequence[Migration]) -> None:
        """Apply what is missing. An up-to-date database is only read, so opening it waits for no check."""
        if not self._read("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'"):
            with self._write() as db:
                db.execute(
                    "CREATE TABLE schema_migrations "
                    "(name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, applied_at REAL NOT NULL)"
                )
        applied = {row["name"]: row["sha256"] for row in self._read("SELECT name, sha256 FROM schema_migrations")}
        unknown = sorted(set(applied) - {m.name for m in migrations})
        if unknown:
            raise StoreError(f"{self.path} was written by a newer tui-chat (migration {unknown[0]})")
        for migration in migrations:
            if migration.name in applied and applied[migration.name] != migration.digest:
                raise StoreError(
                    f"migration {migration.name} differs from the one applied to "
                    f"{self.path}: released migrations must never be edited"
                )
        pending = [m for m in migrations if m.name not in applied]
        if pending:
            with self._write() as db:
                for migration in pending:
                    for statement in _statements(migration.sql):
                        db.execute(statement)
                    db.execute(
                        "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        (migration.name, migration.digest, time.time()),
                    )

    def applied_migrations(self) -> list[str]:
        return [row["name"] for row in self._read("SELECT name FROM schema_migrations ORDER BY name")]

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
        conversation.id = _row_id(cursor)
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
                _message(row)
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
            _message(row)
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
            conversation.id = new_id = _row_id(cursor)
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
                "INSERT INTO messages (conversation_id, role, content, reasoning, status, model, response_id, owner, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    conversation_id,
                    message.role,
                    message.content,
                    message.reasoning,
                    message.status.value,
                    message.model,
                    message.response_id,
                    owner,
                    now,
                    now,
                ),
            )
            message.id = new_id = _row_id(cursor)
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
            "response_id = ?, owner = NULL, updated_at = ? WHERE id = ?",
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


MESSAGE_COLUMNS = (
    "id, role, content, status, reasoning, finish_reason, model, error, created_at, duration, "
    "time_to_first_token, tokens, tokens_per_second, attempts, fell_back, prompt_tokens, "
    "completion_tokens, total_tokens, response_id"
)
"""What :func:`_message` takes, in its order."""
_STATUS = {status.value: status for status in MessageStatus}


def _message(row: Sequence[Any]) -> ChatMessage:
    """A message from a row of :data:`MESSAGE_COLUMNS` (plain tuples: thousands are read at once)."""
    (
        id,
        role,
        content,
        status,
        reasoning,
        finish_reason,
        model,
        error,
        created_at,
        duration,
        time_to_first_token,
        tokens,
        tokens_per_second,
        attempts,
        fell_back,
        prompt_tokens,
        completion_tokens,
        total_tokens,
        response_id,
    ) = row
    metrics = None
    if duration is not None:
        usage = None
        if total_tokens is not None or completion_tokens is not None:
            usage = Usage(prompt_tokens, completion_tokens, total_tokens)
        metrics = Metrics(
            duration, time_to_first_token, tokens or 0, tokens_per_second, attempts or 1, bool(fell_back), usage
        )
    return ChatMessage(
        role=role,
        content=content,
        status=_STATUS[status],
        reasoning=reasoning,
        finish_reason=finish_reason,
        model=model,
        metrics=metrics,
        error=error,
        id=id,
        created_at=created_at,
        response_id=response_id,
    )


def _row_id(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just made."""
    assert cursor.lastrowid is not None
    return cursor.lastrowid


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


def _statements(sql: str) -> list[str]:
    """Split a migration into statements; ``sqlite3.complete_statement`` keeps triggers whole."""
    statements, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements
