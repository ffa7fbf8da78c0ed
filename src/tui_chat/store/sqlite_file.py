"""One SQLite file opened for a store: WAL, short transactions, a busy timeout, append-only hashed
migrations, an integrity check before the first write, and a read-only fallback for a file we may not write.

Several app instances may share one database: every write is one short ``BEGIN IMMEDIATE`` transaction,
readers never block writers (WAL), and a writer waits up to ``BUSY_TIMEOUT_MS`` for another. Every failure
surfaces as :class:`StoreError` with a one-line reason.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from .integrity import IntegrityCheck
from .migrations import MIGRATIONS, Migration

BUSY_TIMEOUT_MS = 5000


class StoreError(Exception):
    """The database cannot be opened, read or written; the message says why, in one line."""


class DamagedDatabase(StoreError):
    """The file failed its integrity check: it is kept as it is, and nothing is written into it."""


class MissingRow(StoreError):
    """A conversation that is not there (another instance deleted it): the database itself is fine."""


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


class SqliteFile:
    def __init__(self, connection: sqlite3.Connection, path: Path, check: IntegrityCheck | None = None) -> None:
        self.db = connection
        self.path = path
        self._check = check
        """Pending until the first write: a file that existed before is checked before anything is written."""
        self._damage = ""
        self.read_only = False

    @classmethod
    def open(cls, path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> Self:
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
            store._opened()
            return store
        except sqlite3.Error as exc:
            if check is not None and ("unable to open" in str(exc) or "readonly" in str(exc)):
                return cls._open_read_only(path, migrations)
            raise StoreError(_describe(exc, path)) from None

    @classmethod
    def _open_read_only(cls, path: Path, migrations: Sequence[Migration]) -> Self:
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

    def _opened(self) -> None:
        """After the migrations, on a writable file: what a store does first (nothing here)."""


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
