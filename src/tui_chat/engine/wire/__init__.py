"""One adapter per wire protocol, each turning its chunks into the shared turn events.

An adapter builds the request, runs one streamed or one whole attempt into an :class:`~..attempt.Attempt`,
learns the server's quirks from a failure, and says whether the next attempt can resume the answer
(the Responses API's background mode) or must start it over. The attempt loop (:mod:`..turn`) holds
everything else (retries, fallback, metrics, cancellation), the same for every protocol.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Protocol

from openai import AsyncOpenAI

from ..attempt import Attempt
from ..errors import AttemptError
from ..events import TurnEvent
from ..policy import TurnPolicy
from ..quirks import Quirks
from ..request import TurnRequest
from .chat_completions import ChatCompletionsWire
from .responses import ResponsesWire


class Wire(Protocol):
    quirks: Quirks
    end_event: str
    """What a whole answer ends with on this wire, named when a stream stops short of it."""

    @property
    def resume_point(self) -> int | None:
        """The event the next attempt resumes after (-1: from the start); None: it starts the answer over."""

    def stream(self, attempt: Attempt, deadline: float) -> AsyncGenerator[TurnEvent, None]: ...

    def whole(self, attempt: Attempt, deadline: float) -> AsyncGenerator[TurnEvent, None]: ...

    def learn(self, failure: AttemptError, streaming: bool) -> None: ...

    def cannot_resume(self) -> None: ...

    async def abandon(self) -> None: ...


WIRES: dict[str, type[ChatCompletionsWire] | type[ResponsesWire]] = {
    "chat": ChatCompletionsWire,
    "responses": ResponsesWire,
}


def wire_for(client: AsyncOpenAI, request: TurnRequest, policy: TurnPolicy, quirks: Quirks) -> Wire:
    return WIRES[request.api](client, request, policy, quirks)
