"""The chat-completions wire (``POST /chat/completions``): request arguments, and chunks into events.

The stream's end is a ``finish_reason`` on a choice; what follows it (the usage chunk, ``[DONE]``) is
waited for ``TAIL_SECONDS`` at most, and a server that then goes silent or drops the connection loses
nothing. Nothing here resumes: a broken stream is asked again from the start.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from typing import Any

import openai

from ..attempt import Attempt
from ..client import whole_timeout
from ..error_body import reason_from_body
from ..errors import AttemptError, error_in_body, took_too_long
from ..events import Delta, ErrorKind, ReasoningDelta, TurnEvent, Usage, UsageReport
from ..finish import failure_of, normalize
from ..watchdog import Watchdog
from .base import WireBase, malformed, usage_of

REASONING_FIELDS = ("reasoning_content", "reasoning")
TAIL_SECONDS = 2.0
"""After the finish, how long the usage chunk and ``[DONE]`` are waited for before the answer is taken as is."""


class ChatCompletionsWire(WireBase):
    end_event = "a finish_reason"
    resume_point: int | None = None
    """Chat completions cannot resume a stream: every retry starts the answer over."""

    def learn(self, failure: AttemptError, streaming: bool) -> None:
        self.quirks.learn(failure, self.url, streaming=streaming, background=False)

    def cannot_resume(self) -> None:
        """Nothing to forget: this wire never resumes."""

    async def abandon(self) -> None:
        """Closing the stream is all it takes to stop a chat completion."""

    def _kwargs(self, stream: bool) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"model": self.request.model, "messages": list(self.request.messages)}
        if self.request.temperature is not None:
            kwargs["temperature"] = self.request.temperature
        if self.request.max_tokens is not None:
            kwargs["max_tokens"] = self.request.max_tokens
        if stream:
            kwargs["stream"] = True
            if self.url not in self.quirks.no_stream_options:
                kwargs["stream_options"] = {"include_usage": True}
        return kwargs

    async def stream(self, attempt: Attempt, deadline: float) -> AsyncGenerator[TurnEvent, None]:  # noqa: C901 (the hot loop, inlined: the engine benchmark)
        """The hot loop: per chunk, a few dictionary reads and at most two yields.

        Content is taken from every choice: with ``n`` unset there is one answer, and some proxies put it
        on index 1 (LiteLLM in front of a model that thinks on index 0).
        """
        stream = await self.before(deadline, self.post_stream("/chat/completions", self._kwargs(True)))
        attempt.streamed = True
        parts, reasoning, now = attempt.parts, attempt.reasoning, time.monotonic
        watchdog = Watchdog(deadline)  # one timer for the whole stream: keep-alive comments cannot defer it
        try:
            async with stream:
                async for chunk in stream:
                    watchdog.reading = False
                    if type(chunk) is not dict:
                        raise malformed(chunk)
                    usage = chunk.get("usage")
                    if usage:
                        attempt.usage = _usage(usage)
                    for choice in chunk.get("choices") or ():
                        if type(choice) is not dict:
                            raise malformed(choice)
                        delta = choice.get("delta")
                        if delta:
                            thought = _reasoning(delta)
                            if thought:
                                reasoning.append(thought)
                                yield ReasoningDelta(thought)
                            text = delta.get("content")
                            if text and type(text) is str:
                                if attempt.first_token_at is None:
                                    attempt.first_token_at = attempt.rate_since = now()
                                parts.append(text)
                                yield Delta(text)
                        if choice.get("finish_reason"):
                            _finish(attempt, choice)
                            watchdog.move(min(deadline, watchdog.loop.time() + TAIL_SECONDS))
                    if watchdog.fired:
                        break
                    watchdog.reading = True
        except asyncio.CancelledError:
            if not watchdog.absorb():
                raise
        except openai.APIConnectionError:
            if attempt.finish_reason is None:
                raise
        finally:
            watchdog.stop()
        if watchdog.fired and attempt.finish_reason is None:  # after the finish, silence means the answer is whole
            raise took_too_long()
        if attempt.usage is not None:
            yield UsageReport(attempt.usage)

    async def whole(self, attempt: Attempt, deadline: float) -> AsyncGenerator[TurnEvent, None]:
        """``stream=False``: the answer arrives whole, and is yielded as one delta."""
        response = await self.before(
            deadline, self.client.chat.completions.create(**self._kwargs(False), timeout=whole_timeout(self.timeouts))
        )
        attempt.streamed = True
        if isinstance(response, str):  # not JSON: the SDK hands the body over as text (an SSE stream, a page)
            raise AttemptError(
                ErrorKind.MALFORMED,
                "the server's answer to stream=false is not JSON: " + reason_from_body(response)[:80],
                retryable=True,
            )
        if not response.choices:
            error = (response.model_extra or {}).get("error")
            if error:
                raise error_in_body(error, "an error without a message", "the server answered 200 with an error")
            raise AttemptError(ErrorKind.MALFORMED, "the server answered with no choices", retryable=True)
        choice = next((c for c in response.choices if c.message and c.message.content), response.choices[0])
        message = choice.message
        thought = _reasoning(message.model_extra or {})
        if thought:
            attempt.reasoning.append(thought)
            yield ReasoningDelta(thought)
        attempt.first_token_at = time.monotonic()
        if message.content:
            attempt.parts.append(message.content)
            yield Delta(message.content)
        if choice.finish_reason:
            _finish(attempt, {**(choice.model_extra or {}), "finish_reason": choice.finish_reason})
        else:
            attempt.finish_reason = "stop"
        if response.usage is not None:
            attempt.usage = _usage(response.usage.model_dump())
            yield UsageReport(attempt.usage)


def _finish(attempt: Attempt, choice: dict[str, Any]) -> None:
    """Record a choice's ``finish_reason``; one that stands for a failure ends the attempt at once."""
    reason = normalize(str(choice["finish_reason"]))
    failure = failure_of(reason, choice.get("native_finish_reason"))
    if failure is not None:
        raise AttemptError(failure[0], failure[1], retryable=True)
    attempt.finish_reason = reason


def _reasoning(fields: dict[str, Any]) -> str | None:
    """The reasoning in a delta or a message, under either of the names servers give it."""
    for name in REASONING_FIELDS:
        value = fields.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def _usage(usage: object) -> Usage:
    return usage_of(usage, "prompt_tokens", "completion_tokens")
