"""Rows as the store returns them: conversation summaries, search hits, and messages read from plain tuples."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, NamedTuple

from ..chat import parts
from ..chat.conversation import ChatMessage, MessageStatus
from ..engine.events import Metrics, Usage


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


MESSAGE_COLUMNS = (
    "id, role, content, status, reasoning, finish_reason, model, error, created_at, duration, "
    "time_to_first_token, tokens, tokens_per_second, attempts, fell_back, prompt_tokens, "
    "completion_tokens, total_tokens, response_id, parts"
)
"""What :func:`message_from_row` takes, in its order."""
_STATUS = {status.value: status for status in MessageStatus}


def message_from_row(row: Sequence[Any]) -> ChatMessage:
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
        other_parts,
    ) = row
    metrics = None
    if duration is not None:
        usage = None
        if total_tokens is not None or completion_tokens is not None:
            usage = Usage(prompt_tokens, completion_tokens, total_tokens)
        metrics = Metrics(
            duration, time_to_first_token, tokens or 0, tokens_per_second, attempts or 1, bool(fell_back), usage
        )
    message = ChatMessage(
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
    if other_parts:  # what the columns do not hold, after what they do
        message.parts += parts.loads(other_parts)
    return message


def row_id(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just made."""
    assert cursor.lastrowid is not None
    return cursor.lastrowid
