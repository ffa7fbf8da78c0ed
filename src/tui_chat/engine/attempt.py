"""What one attempt of a turn delivered: the wire adapters fill it in, the turn's loop judges it.

A resumed attempt (a Responses-API background response picked up after a drop) keeps the one before it:
its text continues, so the loop only makes a new one for an attempt that starts the answer over.
"""

from __future__ import annotations

from .errors import AttemptError
from .events import ErrorKind, Usage
from .finish import cut_note


class Attempt:
    __slots__ = ("finish_reason", "first_token_at", "parts", "rate_since", "reasoning", "streamed", "usage")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.reasoning: list[str] = []
        self.first_token_at: float | None = None
        self.rate_since: float | None = None
        """Tokens per second count from here: the first token, or the request of a non-streamed answer."""
        self.finish_reason: str | None = None
        self.usage: Usage | None = None
        self.streamed = False
        """The server answered (its headers came): a failure from here on is a broken stream, not a refusal."""

    @property
    def delivered(self) -> bool:
        return bool(self.parts or self.reasoning)

    def judge_end(self, end_event: str) -> None:
        """An attempt that delivered everything it will: is it an answer? ``end_event``: what a whole answer
        ends with on this wire, named in the failure."""
        if self.finish_reason is None:
            raise AttemptError(ErrorKind.TRUNCATED, f"the stream ended without {end_event}", retryable=True)
        if not self.parts and not cut_note(self.finish_reason):
            raise AttemptError(
                ErrorKind.EMPTY,
                "the model finished without sending any text",
                retryable=False,
                hint="ctrl+r (or the same command) asks again; check the model if it keeps happening",
            )
