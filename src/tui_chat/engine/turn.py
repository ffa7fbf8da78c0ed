"""Run one turn and yield typed events: the attempt loop, the same for every wire protocol.

A turn is a series of attempts under a :class:`~tui_chat.engine.retry.RetryPolicy`; what an attempt
sends and how its chunks become events is the wire adapter's (:mod:`tui_chat.engine.wire`). A streaming
attempt only succeeds when the wire's end arrives; a stream that breaks, stalls, carries an error event
or a malformed chunk, or just ends early, is a failed attempt. The next attempt resumes the answer when
the wire can (a Responses-API background response), else starts it over. After ``fallback.after_attempts``
stream failures that could not be resumed, the turn tries ``stream=False`` once more. Cancelling the
consuming task closes the HTTP stream at once (the ``async with`` around it is left by the
``CancelledError``) and stops a background response on the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator

from openai import AsyncOpenAI

from .attempt import Attempt
from .errors import STREAM_PROBLEMS, AttemptError, classify
from .events import ErrorKind, Failed, FallingBack, Finished, Metrics, Retrying, Started, TurnEvent
from .models import redacted
from .policy import TurnPolicy
from .quirks import Quirks
from .request import TurnRequest
from .retry import RetryPolicy
from .wire import Wire, wire_for

GONE = (ErrorKind.NOT_FOUND, ErrorKind.BAD_REQUEST)
"""A resume refused this way will never work: the server forgot the response, or cannot stream it again."""


async def run_turn(
    client: AsyncOpenAI, request: TurnRequest, policy: TurnPolicy, quirks: Quirks | None = None
) -> AsyncGenerator[TurnEvent, None]:
    """Yield the events of one turn; it ends with exactly one ``Finished`` or ``Failed`` (unless cancelled)."""
    wire = wire_for(client, request, policy, quirks or Quirks())
    try:
        async for event in _Turn(client, request, policy, wire).run():
            yield event
    except (asyncio.CancelledError, GeneratorExit):
        await wire.abandon()
        raise


class _Turn:
    """The state of one turn across its attempts."""

    def __init__(self, client: AsyncOpenAI, request: TurnRequest, policy: TurnPolicy, wire: Wire) -> None:
        self.client = client
        self.request = request
        self.policy = policy
        self.wire = wire
        self.url = str(client.base_url)
        self.stream_failures = 0
        self.fell_back = False
        self.fallback_owed = False
        self.started_at = request.asked_at if request.asked_at is not None else time.monotonic()
        self.attempts = 0
        self.attempt = Attempt()

    def _streaming(self) -> bool:
        quirks = self.wire.quirks
        return self.request.stream and not self.fell_back and self.url not in quirks.no_stream

    async def run(self) -> AsyncGenerator[TurnEvent, None]:
        retry = RetryPolicy(self.policy.retry, extra_attempt=lambda: self.fallback_owed)
        max_attempts = self.policy.retry.max_attempts
        failure: AttemptError | None = None
        try:
            async for attempt in retry.retrying:
                self.attempts = attempt.retry_state.attempt_number
                resume_after = self.wire.resume_point if self._streaming() else None
                if failure is not None:
                    delay = retry.take_delay() or 0.0
                    discarded = resume_after is None and self.attempt.delivered
                    yield Retrying(
                        self.attempts - 1, max_attempts, delay, failure.reason, failure.kind, discarded, resume_after
                    )
                    fallback = self._fallback_reason(failure)
                    if fallback:
                        self.fell_back, self.fallback_owed = True, False
                        yield FallingBack(fallback)
                    if delay:
                        await asyncio.sleep(delay)
                if resume_after is None:
                    self.attempt = Attempt()
                failure = None
                streaming = self._streaming()
                try:
                    yield Started(self.attempts, max_attempts, streaming, resume_after)
                    run = self.wire.stream if streaming else self.wire.whole
                    deadline = self._deadline()
                    async with contextlib.aclosing(run(self.attempt, deadline)) as events:  # closed now, not by the GC
                        async for event in events:
                            yield event
                    self.attempt.judge_end(self.wire.end_event)
                except Exception as exc:  # cancellation is a BaseException and goes straight out
                    failure = self._record(exc, streaming, resumed=resume_after is not None)
                with attempt:
                    if failure is not None:
                        raise failure
                if failure is None:
                    done = self.attempt
                    yield Finished(
                        done.finish_reason or "stop", "".join(done.parts), "".join(done.reasoning), self._metrics()
                    )
                    return
        except AttemptError as exc:
            message = exc.message
            if exc.retryable and self.attempts > 1:
                message = f"gave up after {self.attempts} attempts: {message}"
            yield Failed(exc.kind, message, exc.hint, "".join(self.attempt.parts), self._metrics(), exc.status)

    def _record(self, exc: Exception, streaming: bool, resumed: bool) -> AttemptError:
        """Classify a failed attempt and update what the next attempt should do differently."""
        failure = redacted(
            self.client,
            classify(
                exc,
                streamed=self.attempt.streamed,
                model=self.request.model,
                max_retry_after=self.policy.retry.max_retry_after,
            ),
        )
        if resumed and failure.kind in GONE:
            self.wire.cannot_resume()
            failure.message = f"the answer cannot be resumed ({failure.message}); it starts over"
            failure.retryable, failure.retry_after = True, 0.0
            return failure
        self.wire.learn(failure, streaming)
        if streaming and failure.kind in STREAM_PROBLEMS and self.wire.resume_point is None:
            self.stream_failures += 1
            fb = self.policy.fallback
            self.fallback_owed = fb.enabled and self.stream_failures >= fb.after_attempts and not self.fell_back
        return failure

    def _fallback_reason(self, failure: AttemptError) -> str | None:
        if self.fell_back:
            return None
        if failure.kind == ErrorKind.STREAM_UNSUPPORTED and self.url in self.wire.quirks.no_stream:
            return f"the server does not stream ({failure.message})"
        if self.fallback_owed:
            n = self.stream_failures
            return f"streaming failed {n} time{'s' if n != 1 else ''} (last: {failure.reason})"
        return None

    def _deadline(self) -> float:
        """An attempt's hard end: ``timeouts.request`` from its start, and never past the turn's ``retry.deadline``
        (a server sending keep-alive comments, or one header byte a second, never trips the idle timeout)."""
        loop_now = asyncio.get_running_loop().time()
        turn_left = self.policy.retry.deadline - (time.monotonic() - self.started_at)
        return loop_now + max(0.0, min(self.policy.timeouts.request, turn_left))

    def _metrics(self) -> Metrics:
        end = time.monotonic()
        done = self.attempt
        tokens = len(done.parts)
        if done.usage is not None and done.usage.completion_tokens:
            tokens = done.usage.completion_tokens
        ttft = None if done.first_token_at is None else done.first_token_at - self.started_at
        span = None if done.rate_since is None else end - done.rate_since
        rate = tokens / span if span and span > 0 and tokens else None
        return Metrics(end - self.started_at, ttft, tokens, rate, self.attempts, self.fell_back, done.usage)
