"""Run one chat turn and yield typed events: the single place that talks to the chat-completions API.

A turn is a series of attempts under a :class:`~tui_chat.engine.retry.RetryPolicy`. A streaming
attempt only succeeds when a ``finish_reason`` arrives; a stream that breaks, stalls, carries an error
event or a malformed chunk, or just ends early, is a failed attempt. After ``fallback.after_attempts``
such stream failures the turn tries ``stream=False`` once more. Cancelling the consuming task closes
the HTTP stream at once: the ``async with`` around the stream is left by the ``CancelledError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import openai
from openai import AsyncOpenAI

from .client import stream_timeout, whole_timeout
from .error_body import reason_from_body
from .errors import STREAM_PROBLEMS, AttemptError, classify, error_in_body
from .models import redacted
from .finish import cut_note, failure_of, normalize
from .events import (
    Delta,
    ErrorKind,
    Failed,
    FallingBack,
    Finished,
    Metrics,
    Quirks,
    ReasoningDelta,
    Retrying,
    Started,
    TurnEvent,
    Usage,
    UsageReport,
)
from .request import TurnPolicy, TurnRequest
from .retry import RetryPolicy
from .watchdog import Watchdog

REASONING_FIELDS = ("reasoning_content", "reasoning")
TAIL_SECONDS = 2.0
"""After the finish, how long the usage chunk and ``[DONE]`` are waited for before the answer is taken as is."""


async def run_turn(client: AsyncOpenAI, request: TurnRequest, policy: TurnPolicy,
                   quirks: Quirks | None = None) -> AsyncIterator[TurnEvent]:
    """Yield the events of one turn; it ends with exactly one ``Finished`` or ``Failed`` (unless cancelled)."""
    async for event in _Turn(client, request, policy, quirks or Quirks()).run():
        yield event


class _Turn:
    """The state of one turn across its attempts."""

    def __init__(self, client: AsyncOpenAI, request: TurnRequest, policy: TurnPolicy, quirks: Quirks) -> None:
        self.client = client
        self.request = request
        self.policy = policy
        self.quirks = quirks
        self.url = str(client.base_url)
        self.stream_failures = 0
        self.fell_back = False
        self.fallback_owed = False
        self.started_at = request.asked_at if request.asked_at is not None else time.monotonic()
        self.attempts = 0
        self._reset_attempt()

    def _reset_attempt(self) -> None:
        self.parts: list[str] = []
        self.reasoning: list[str] = []
        self.first_token_at: float | None = None
        self.rate_since: float | None = None
        """Tokens per second count from here: the first token, or the request of a non-streamed answer."""
        self.finish_reason: str | None = None
        self.usage: Usage | None = None
        self.streamed = False

    def _streaming(self) -> bool:
        return self.request.stream and not self.fell_back and self.url not in self.quirks.no_stream

    async def run(self) -> AsyncIterator[TurnEvent]:
        retry = RetryPolicy(self.policy.retry, extra_attempt=lambda: self.fallback_owed)
        max_attempts = self.policy.retry.max_attempts
        failure: AttemptError | None = None
        try:
            async for attempt in retry.retrying:
                self.attempts = attempt.retry_state.attempt_number
                if failure is not None:
                    delay = retry.take_delay() or 0.0
                    yield Retrying(self.attempts - 1, max_attempts, delay, failure.reason, failure.kind,
                                   discarded=bool(self.parts or self.reasoning))
                    fallback = self._fallback_reason(failure)
                    if fallback:
                        self.fell_back, self.fallback_owed = True, False
                        yield FallingBack(fallback)
                    if delay:
                        await asyncio.sleep(delay)
                self._reset_attempt()
                failure = None
                streaming = self._streaming()
                try:
                    yield Started(self.attempts, max_attempts, streaming)
                    attempt_events = self._stream_attempt() if streaming else self._whole_attempt()
                    async with contextlib.aclosing(attempt_events) as events:  # closed now, not by the GC
                        async for event in events:
                            yield event
                    self._judge_end()
                except Exception as exc:  # cancellation is a BaseException and goes straight out
                    failure = self._record(exc, streaming)
                with attempt:
                    if failure is not None:
                        raise failure
                if failure is None:
                    yield Finished(self.finish_reason or "stop", "".join(self.parts), "".join(self.reasoning),
                                   self._metrics())
                    return
        except AttemptError as exc:
            message = exc.message
            if exc.retryable and self.attempts > 1:
                message = f"gave up after {self.attempts} attempts: {message}"
            yield Failed(exc.kind, message, exc.hint, "".join(self.parts), self._metrics(), exc.status)

    def _record(self, exc: Exception, streaming: bool) -> AttemptError:
        """Classify a failed attempt and update what the next attempt should do differently."""
        failure = redacted(self.client, classify(exc, streamed=self.streamed, model=self.request.model,
                                                 max_retry_after=self.policy.retry.max_retry_after))
        if failure.kind == ErrorKind.STREAM_UNSUPPORTED:
            if "stream_options" in failure.message and self.url not in self.quirks.no_stream_options:
                self.quirks.no_stream_options.add(self.url)
            elif streaming:
                self.quirks.no_stream.add(self.url)
            else:
                failure.retryable = False
        if streaming and failure.kind in STREAM_PROBLEMS:
            self.stream_failures += 1
            fb = self.policy.fallback
            self.fallback_owed = fb.enabled and self.stream_failures >= fb.after_attempts and not self.fell_back
        return failure

    def _fallback_reason(self, failure: AttemptError) -> str | None:
        if self.fell_back:
            return None
        if failure.kind == ErrorKind.STREAM_UNSUPPORTED and self.url in self.quirks.no_stream:
            return f"the server does not stream ({failure.message})"
        if self.fallback_owed:
            n = self.stream_failures
            return f"streaming failed {n} time{'s' if n != 1 else ''} (last: {failure.reason})"
        return None

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

    def _deadline(self) -> float:
        """An attempt's hard end: ``timeouts.request`` from its start, and never past the turn's ``retry.deadline``
        (a server sending keep-alive comments, or one header byte a second, never trips the idle timeout)."""
        loop_now = asyncio.get_running_loop().time()
        turn_left = self.policy.retry.deadline - (time.monotonic() - self.started_at)
        return loop_now + max(0.0, min(self.policy.timeouts.request, turn_left))

    def _too_long(self) -> AttemptError:
        return AttemptError(ErrorKind.TIMEOUT, "the answer took longer than timeouts.request (or retry.deadline)",
                            retryable=False, hint="raise timeouts.request for very long answers")

    def _judge_end(self) -> None:
        """An attempt that delivered everything it will: is it an answer?"""
        if self.finish_reason is None:
            raise AttemptError(ErrorKind.TRUNCATED, "the stream ended without a finish_reason", retryable=True)
        if not self.parts and not cut_note(self.finish_reason):
            raise AttemptError(ErrorKind.EMPTY, "the model finished without sending any text", retryable=False,
                               hint="ctrl+r (or the same command) asks again; check the model if it keeps happening")

    def _finish(self, choice: Any) -> None:
        """Record a choice's ``finish_reason``; one that stands for a failure ends the attempt at once."""
        reason = normalize(choice.finish_reason)
        extra = choice.model_extra or {}
        failure = failure_of(reason, extra.get("native_finish_reason"))
        if failure is not None:
            raise AttemptError(failure[0], failure[1], retryable=True)
        self.finish_reason = reason

    async def _stream_attempt(self) -> AsyncIterator[TurnEvent]:
        """The hot loop: per chunk, a few attribute reads and at most two yields.

        Content is taken from every choice: with ``n`` unset there is one answer, and some proxies put it
        on index 1 (LiteLLM in front of a model that thinks on index 0). Once a finish arrived, the answer
        is complete: the usage chunk and ``[DONE]`` are waited for ``TAIL_SECONDS`` at most, and a server
        that then goes silent or drops the connection loses nothing.
        """
        deadline = self._deadline()
        try:
            async with asyncio.timeout_at(deadline):
                stream = await self.client.chat.completions.create(**self._kwargs(True),
                                                                   timeout=stream_timeout(self.policy.timeouts))
        except TimeoutError:
            raise self._too_long() from None
        self.streamed = True
        parts, reasoning, now = self.parts, self.reasoning, time.monotonic
        watchdog = Watchdog(deadline)  # one timer for the whole stream: keep-alive comments cannot defer it
        try:
            async with stream:
                async for chunk in stream:
                    watchdog.reading = False
                    if chunk.usage is not None:
                        self.usage = _usage(chunk.usage)
                    for choice in chunk.choices:
                        delta = choice.delta
                        if delta is not None:
                            extra = delta.model_extra
                            if extra:
                                thought = _reasoning(extra)
                                if thought:
                                    reasoning.append(thought)
                                    yield ReasoningDelta(thought)
                            text = delta.content
                            if text:
                                if self.first_token_at is None:
                                    self.first_token_at = self.rate_since = now()
                                parts.append(text)
                                yield Delta(text)
                        if choice.finish_reason:
                            self._finish(choice)
                            watchdog.move(min(deadline, watchdog.loop.time() + TAIL_SECONDS))
                    if watchdog.fired:
                        break
                    watchdog.reading = True
        except asyncio.CancelledError:
            if not watchdog.absorb():
                raise
        except openai.APIConnectionError:
            if self.finish_reason is None:
                raise
        finally:
            watchdog.stop()
        if watchdog.fired and self.finish_reason is None:  # after the finish, silence means the answer is whole
            raise self._too_long()
        if self.usage is not None:
            yield UsageReport(self.usage)

    async def _whole_attempt(self) -> AsyncIterator[TurnEvent]:
        """``stream=False``: the answer arrives whole, and is yielded as one delta."""
        try:
            async with asyncio.timeout_at(self._deadline()):
                response = await self.client.chat.completions.create(**self._kwargs(False),
                                                                     timeout=whole_timeout(self.policy.timeouts))
        except TimeoutError:
            raise self._too_long() from None
        self.streamed = True
        if isinstance(response, str):  # not JSON: the SDK hands the body over as text (an SSE stream, a page)
            raise AttemptError(ErrorKind.MALFORMED, "the server's answer to stream=false is not JSON: "
                               + reason_from_body(response)[:80], retryable=True)
        if not response.choices:
            error = (response.model_extra or {}).get("error")
            if error:
                raise error_in_body(error, "an error without a message", "the server answered 200 with an error")
            raise AttemptError(ErrorKind.MALFORMED, "the server answered with no choices", retryable=True)
        choice = next((c for c in response.choices if c.message and c.message.content), response.choices[0])
        message = choice.message
        thought = _reasoning(message.model_extra or {})
        if thought:
            self.reasoning.append(thought)
            yield ReasoningDelta(thought)
        self.first_token_at = time.monotonic()
        if message.content:
            self.parts.append(message.content)
            yield Delta(message.content)
        if choice.finish_reason:
            self._finish(choice)
        else:
            self.finish_reason = "stop"
        if response.usage is not None:
            self.usage = _usage(response.usage)
            yield UsageReport(self.usage)

    def _metrics(self) -> Metrics:
        end = time.monotonic()
        tokens = len(self.parts)
        if self.usage is not None and self.usage.completion_tokens:
            tokens = self.usage.completion_tokens
        ttft = None if self.first_token_at is None else self.first_token_at - self.started_at
        span = None if self.rate_since is None else end - self.rate_since
        rate = tokens / span if span and span > 0 and tokens else None
        return Metrics(end - self.started_at, ttft, tokens, rate, self.attempts, self.fell_back, self.usage)


def _reasoning(extra: dict[str, Any]) -> str | None:
    for name in REASONING_FIELDS:
        value = extra.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def _usage(usage: Any) -> Usage:
    return Usage(usage.prompt_tokens, usage.completion_tokens, usage.total_tokens)
