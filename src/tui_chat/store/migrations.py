"""The schema, as append-only named migrations recorded in the database and applied on open.

A migration is never edited once released: each one's SHA-256 is recorded when it is applied, and
opening a database whose recorded hash differs from the code's is refused. Change the schema by
appending a new migration.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple


class Migration(NamedTuple):
    name: str
    sql: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0001_conversations_and_messages",
        """
CREATE TABLE conversations (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL DEFAULT '',
    profile       TEXT NOT NULL DEFAULT '',
    model         TEXT NOT NULL DEFAULT '',
    system_prompt TEXT NOT NULL DEFAULT '',
    created_at    REAL NOT NULL,
    updated_at    REAL NOT NULL
);
CREATE INDEX conversations_by_update ON conversations (updated_at DESC);
CREATE TABLE messages (
    id                INTEGER PRIMARY KEY,
    conversation_id   INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role              TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content           TEXT NOT NULL DEFAULT '',
    reasoning         TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL DEFAULT 'complete'
                      CHECK (status IN ('complete', 'streaming', 'stopped', 'failed', 'interrupted')),
    finish_reason     TEXT,
    model             TEXT,
    error             TEXT,
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    total_tokens      INTEGER,
    tokens            INTEGER,
    time_to_first_token REAL,
    duration          REAL,
    tokens_per_second REAL,
    attempts          INTEGER,
    fell_back         INTEGER,
    owner             TEXT,
    created_at        REAL NOT NULL,
    updated_at        REAL NOT NULL
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, id);
CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming';
""",
    ),
    Migration(
        "0002_full_text_search",
        """
CREATE VIRTUAL TABLE messages_fts USING fts5 (content, tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER messages_fts_forget AFTER DELETE ON messages BEGIN
    DELETE FROM messages_fts WHERE rowid = old.id;
END;
INSERT INTO messages_fts (rowid, content) SELECT id, content FROM messages WHERE status != 'streaming';
""",
    ),
    Migration(
        "0003_response_id",
        """
ALTER TABLE messages ADD COLUMN response_id TEXT;
""",
    ),
    Migration(
        "0004_message_parts",
        """
ALTER TABLE messages ADD COLUMN parts TEXT;
""",
    ),
)
