"""The conversation as the app holds it in memory: what the store persists and the UI renders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from ..engine.events import Metrics
from ..engine.finish import cut_note
from .parts import Part, Reasoning, ResponseRef, Text, joined, with_text


class MessageStatus(StrEnum):
    COMPLETE = "complete"
    STREAMING = "streaming"
    STOPPED = "stopped"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


@dataclass(init=False)
class ChatMessage:
    """One message, made of typed parts (:mod:`.parts`); ``content``, ``reasoning`` and ``response_id`` are views
    of them (and set them)."""

    role: str
    parts: list[Part]
    status: MessageStatus
    finish_reason: str | None
    model: str | None
    metrics: Metrics | None
    error: str | None
    id: int | None
    """The store's row id, once persisted."""
    created_at: float | None

    def __init__(
        self,
        role: str,
        content: str = "",
        *,
        status: MessageStatus = MessageStatus.COMPLETE,
        reasoning: str = "",
        finish_reason: str | None = None,
        model: str | None = None,
        metrics: Metrics | None = None,
        error: str | None = None,
        id: int | None = None,
        created_at: float | None = None,
        response_id: str | None = None,
        parts: Sequence[Part] | None = None,
    ) -> None:
        self.role, self.status, self.finish_reason, self.model = role, status, finish_reason, model
        self.metrics, self.error, self.id, self.created_at = metrics, error, id, created_at
        if parts is not None:
            self.parts = list(parts)
        else:
            self.parts = [Text(content)] if content else []
            if reasoning:
                self.parts.append(Reasoning(reasoning))
            if response_id:
                self.parts.append(ResponseRef(response_id))

    @property
    def content(self) -> str:
        parts = self.parts
        if len(parts) == 1 and type(parts[0]) is Text:  # most messages: one text
            return parts[0].text
        return joined(parts, Text)

    @content.setter
    def content(self, text: str) -> None:
        self.parts = with_text(self.parts, Text, text)

    @property
    def reasoning(self) -> str:
        return joined(self.parts, Reasoning)

    @reasoning.setter
    def reasoning(self, text: str) -> None:
        self.parts = with_text(self.parts, Reasoning, text)

    @property
    def response_id(self) -> str | None:
        """A Responses-API answer's id on the server: an answer a crash cut off is picked up from there."""
        return next((part.response_id for part in self.parts if type(part) is ResponseRef), None)

    @response_id.setter
    def response_id(self, response_id: str | None) -> None:
        self.parts = [part for part in self.parts if type(part) is not ResponseRef]
        if response_id:
            self.parts.append(ResponseRef(response_id))

    @property
    def resumable(self) -> bool:
        """An answer that did not end, with a response on the server that may still hold the rest."""
        return self.response_id is not None and self.status in (MessageStatus.INTERRUPTED, MessageStatus.FAILED)

    @property
    def cut(self) -> str:
        """Why a finished answer is incomplete (``cut off: max tokens reached``); '' when it is whole."""
        return cut_note(self.finish_reason) if self.status is MessageStatus.COMPLETE else ""

    @property
    def in_context(self) -> bool:
        """Sent back to the model on the next turn: user messages, and answers with text in them."""
        return self.role == "user" or (
            self.role == "assistant" and bool(self.content) and self.status != MessageStatus.FAILED
        )


@dataclass
class Conversation:
    title: str = ""
    profile: str = ""
    model: str = ""
    system_prompt: str = ""
    messages: list[ChatMessage] = field(default_factory=list)
    id: int | None = None
    created_at: float | None = None
    updated_at: float | None = None
    unread: int = 0
    """Older messages still in the store only: a long conversation opens with its newest messages, and the
    rest are read (see ``History.read_earlier``) before any turn is sent."""

    def history(self, leaving_out: Sequence[ChatMessage] = ()) -> list[tuple[str, str]]:
        """What the next turn sends; ``leaving_out``: the answers a regeneration will replace. A question whose
        every answer failed, asked again after, is sent once: the failed try stays in the log, not in context."""
        kept = [m for m in self.messages if m not in leaving_out]
        return [(m.role, m.content) for i, m in enumerate(kept) if m.in_context and not _unanswered(kept, i)]

    def last_answers(self) -> list[ChatMessage]:
        """The answers after the last question: what regenerating replaces (an answer, and any failed or
        stopped tries at replacing it)."""
        answers: list[ChatMessage] = []
        for message in reversed(self.messages):
            if message.role != "assistant":
                break
            answers.append(message)
        return answers[::-1]

    def last(self, role: str) -> ChatMessage | None:
        return next((m for m in reversed(self.messages) if m.role == role), None)


def _unanswered(messages: Sequence[ChatMessage], index: int) -> bool:
    """A question followed by failed answers only, and then by another question."""
    if messages[index].role != "user":
        return False
    after = index + 1
    while after < len(messages) and messages[after].role == "assistant":
        if messages[after].in_context:
            return False
        after += 1
    return index + 1 < after < len(messages)


def title_from_prompt(prompt: str, limit: int = 60) -> str:
    """A conversation's default title: the first prompt on one line, trimmed at a word."""
    line = " ".join(prompt.split())
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0] or line[:limit]
    return cut + "…"
