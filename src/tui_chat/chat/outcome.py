"""The one fold from a turn's events to its answer: the app, ``ask --save`` and the store all read this.

The answer's text and reasoning so far, its response id, and at the end its state: complete (with its
finish reason and metrics), failed (with the reason, the provider's words and a hint), stopped by the
user, or broken by a bug. A discarded attempt's text is dropped here once, for everyone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import assert_never

from ..engine.events import (
    Delta,
    Failed,
    FallingBack,
    Finished,
    ReasoningDelta,
    ResponseCreated,
    Retrying,
    Started,
    TurnEvent,
    UsageReport,
)
from .conversation import ChatMessage, MessageStatus


def failure_text(failed: Failed, hint: str) -> str:
    """How a failed answer says why: ``429 rate limited: <the provider's words> · hint: <what to do>``."""
    return f"{failed.reason}: {failed.message}" + (f" · hint: {hint}" if hint else "")


class TurnOutcome:
    """Folds the events of one turn into ``message`` (the answer being written)."""

    __slots__ = ("_hint", "ended", "message", "parts", "reasoning")

    def __init__(self, message: ChatMessage, hint: Callable[[Failed], str] | None = None) -> None:
        self.message = message
        self.parts: list[str] = []
        self.reasoning: list[str] = []
        self.ended = False
        """A ``Finished`` or ``Failed`` came: the message holds its final state."""
        self._hint = hint or (lambda failed: failed.hint)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def reasoning_text(self) -> str:
        return "".join(self.reasoning)

    def apply(self, event: TurnEvent) -> bool:
        """Take one event in; True when what is stored must be written now (the text restarted, or the server
        named the response), not at the next checkpoint."""
        if type(event) is Delta:  # nearly every event: one type check and an append
            self.parts.append(event.text)
            return False
        match event:
            case Delta(text):
                self.parts.append(text)
            case ReasoningDelta(text):
                self.reasoning.append(text)
            case Retrying(discarded=True):
                self.parts.clear()
                self.reasoning.clear()
                return True
            case ResponseCreated(response_id):
                self.message.response_id = response_id
                return True
            case Finished():
                self._end(MessageStatus.COMPLETE, event.text, event.reasoning)
                self.message.finish_reason, self.message.metrics = event.finish_reason, event.metrics
            case Failed():
                self._end(MessageStatus.FAILED, event.partial, self.reasoning_text)
                self.message.metrics = event.metrics
                self.message.error = failure_text(event, self._hint(event))
            case Started() | Retrying() | UsageReport() | FallingBack():
                pass
            case _:
                assert_never(event)
        return False

    def stopped(self) -> None:
        """The user stopped the turn: every token received is kept."""
        self._end(MessageStatus.STOPPED, self.text, self.reasoning_text)

    def broken(self, error: BaseException) -> None:
        """The turn broke outside the engine's typed failures (a bug): what came is kept, and the bug named."""
        self._end(MessageStatus.FAILED, self.text, self.reasoning_text)
        self.message.error = f"internal error: {type(error).__name__}: {error}"

    def _end(self, status: MessageStatus, text: str, reasoning: str) -> None:
        self.ended = True
        self.message.status, self.message.content, self.message.reasoning = status, text, reasoning
