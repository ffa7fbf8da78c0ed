"""The Responses-API wire (``POST /responses``): typed, numbered events into the shared turn events.

Its stream ends with exactly one of ``response.completed``, ``response.incomplete`` (an answer cut short)
or ``response.failed``; a stream that stops before one of them is truncated. A **background** response
keeps generating on the server when the connection drops, so the next attempt asks for the events after
the last ``sequence_number`` seen (``GET /responses/{id}?stream=true&starting_after=N``) instead of the
whole answer again: the text shown stays, and no token is paid for twice. Events a server sends again
(one that ignores ``starting_after``) are skipped by their number, so nothing is shown twice either.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator
from typing import Any
from urllib.parse import quote

import openai
from openai import AsyncOpenAI

from ..attempt import Attempt
from ..client import whole_timeout
from ..error_body import reason_from_body
from ..errors import AttemptError, error_in_body, took_too_long
from ..events import Delta, ErrorKind, ReasoningDelta, ResponseCreated, TurnEvent, UsageReport
from ..finish import CUT, normalize
from ..policy import TurnPolicy
from ..quirks import Quirks
from ..request import TurnRequest
from ..watchdog import Watchdog
from .base import ChunkStream, WireBase, malformed, usage_of

TEXT_DELTA = "response.output_text.delta"
REASONING_DELTAS = frozenset({"response.reasoning_summary_text.delta", "response.reasoning_text.delta"})
"""OpenAI sends summaries of its reasoning; vLLM, Ollama and LM Studio send the reasoning text itself."""
STARTED = frozenset({"response.created", "response.queued", "response.in_progress"})
REFUSAL_DELTA = "response.refusal.delta"
CANCEL_SECONDS = 2.0
"""How long a cancelled turn waits for the server to take the cancel of its background response."""
NOT_RETRIED = frozenset({"invalid_prompt", "bio_policy", "misalignment_policy_violation", "data_residency_mismatch"})
"""``response.failed`` codes that fail the same way every time: the rest (``server_error``, ...) are retried."""


class ResponsesWire(WireBase):
    end_event = "response.completed (or .incomplete, .failed)"

    def __init__(self, client: AsyncOpenAI, request: TurnRequest, policy: TurnPolicy, quirks: Quirks) -> None:
        super().__init__(client, request, policy, quirks)
        self.response_id: str | None = request.resume_id
        self.last_seq = -1
        """The number of the last event taken in; -1: none yet (a resume then replays from the start)."""
        self.ended = False
        """The response is over on the server (a terminal or error event came): nothing left to resume."""
        self.background = request.resume_id is not None
        """The response runs on the server in the background: it can be resumed, and must be cancelled."""

    @property
    def resume_point(self) -> int | None:
        """The event the next attempt resumes after (-1: from the start), or None when it must start over."""
        if self.response_id is None or self.ended or not self.background:
            return None
        return self.last_seq

    def learn(self, failure: AttemptError, streaming: bool) -> None:
        if failure.kind == ErrorKind.NOT_FOUND and "model" not in failure.message.lower():
            # The path is unknown, not the model: a server that only speaks chat completions.
            failure.message = f"the server does not offer the Responses API ({self.url}responses: {failure.message})"
            failure.hint = 'use chat completions with this server: api = "chat" in its profile, or --api chat'
            return
        self.quirks.learn(failure, self.url, streaming=streaming, background=self.background)

    def cannot_resume(self) -> None:
        """The server no longer has the response (or never streamed it again): the next attempt starts over."""
        self.response_id, self.last_seq, self.background = None, -1, False

    async def abandon(self) -> None:
        """The turn was cancelled: stop a background response on the server, so it stops costing tokens."""
        if self.response_id is None or self.ended or not self.background:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.client.responses.cancel(self.response_id), CANCEL_SECONDS)

    def _kwargs(self, stream: bool) -> dict[str, Any]:
        system = [str(m["content"]) for m in self.request.messages if m["role"] == "system"]
        kwargs: dict[str, Any] = {
            "model": self.request.model,
            "input": [
                {"role": m["role"], "content": m["content"]} for m in self.request.messages if m["role"] != "system"
            ],
        }
        if system:
            kwargs["instructions"] = "\n\n".join(system)
        if self.request.temperature is not None:
            kwargs["temperature"] = self.request.temperature
        if self.request.max_tokens is not None:
            kwargs["max_output_tokens"] = self.request.max_tokens
        self.background = stream and self.request.background and self.url not in self.quirks.no_background
        if stream:
            kwargs["stream"] = True
        # Stored only when it must be (background mode needs it): the conversation is kept here, not there.
        kwargs["store"] = self.background
        if self.background:
            kwargs["background"] = True
        return kwargs

    async def _open(self) -> ChunkStream:
        after = self.resume_point
        if after is None:
            self.last_seq, self.ended = -1, False
            return await self.post_stream("/responses", self._kwargs(True))
        assert self.response_id is not None
        params: dict[str, Any] = {"stream": True} if after < 0 else {"stream": True, "starting_after": after}
        return await self.get_stream(f"/responses/{quote(self.response_id, safe='')}", params)

    async def stream(self, attempt: Attempt, deadline: float) -> AsyncGenerator[TurnEvent, None]:  # noqa: C901, PLR0912 (the hot loop)
        """The hot loop: per event, a number, a type and at most one yield."""
        stream = await self.before(deadline, self._open())
        attempt.streamed = True
        parts, now = attempt.parts, time.monotonic
        watchdog = Watchdog(deadline)
        try:
            async with stream:
                async for event in stream:
                    watchdog.reading = False
                    if type(event) is not dict:
                        raise malformed(event)
                    seq = event.get("sequence_number")
                    if type(seq) is int:
                        if seq <= self.last_seq:  # sent again: it was shown already
                            watchdog.reading = True
                            continue
                        self.last_seq = seq
                    kind = event.get("type")
                    if kind in (TEXT_DELTA, REFUSAL_DELTA):
                        text = event.get("delta")
                        if text and type(text) is str:
                            if attempt.first_token_at is None:
                                attempt.first_token_at = attempt.rate_since = now()
                            parts.append(text)
                            yield Delta(text)
                    elif kind in REASONING_DELTAS:
                        thought = event.get("delta")
                        if thought and type(thought) is str:
                            attempt.reasoning.append(thought)
                            yield ReasoningDelta(thought)
                    elif kind in STARTED:
                        response_id = _object(event.get("response")).get("id")
                        if response_id and self.response_id != response_id:
                            self.response_id = str(response_id)
                            yield ResponseCreated(self.response_id, self.background)
                    else:
                        self._other(attempt, kind, event)
                        if attempt.finish_reason is not None:
                            break
                    if watchdog.fired:
                        break
                    watchdog.reading = True
        except asyncio.CancelledError:
            if not watchdog.absorb():
                raise
        except openai.APIError as exc:
            if not isinstance(exc, (openai.APIConnectionError, openai.APIStatusError)):
                self.ended = True  # an error event: the response failed on the server
            raise
        finally:
            watchdog.stop()
        if watchdog.fired and attempt.finish_reason is None:
            raise took_too_long()
        if attempt.usage is not None:
            yield UsageReport(attempt.usage)

    def _other(self, attempt: Attempt, kind: object, event: dict[str, Any]) -> None:
        """The rarer events: the terminal ones, and ``error``; the rest (item and part bookkeeping) say nothing
        the deltas did not."""
        if kind == "response.completed":
            self._end(attempt, _object(event.get("response")).get("usage"), "stop")
        elif kind == "response.incomplete":
            response = _object(event.get("response"))
            reason = _object(response.get("incomplete_details")).get("reason")
            self._end(attempt, response.get("usage"), _cut_reason(reason))
        elif kind == "response.failed":
            self.ended = True
            raise _failure(_object(event.get("response")).get("error"), "the response failed")
        elif kind == "error":
            self.ended = True
            raise _failure(event, "the server reported an error mid-stream")

    def _end(self, attempt: Attempt, usage: object, reason: str) -> None:
        self.ended = True
        attempt.finish_reason = reason
        if usage:
            attempt.usage = usage_of(usage, "input_tokens", "output_tokens")

    async def whole(self, attempt: Attempt, deadline: float) -> AsyncGenerator[TurnEvent, None]:
        """``stream=false``: the whole response at once (never in the background: nothing to resume)."""
        response = await self.before(
            deadline, self.client.responses.create(**self._kwargs(False), timeout=whole_timeout(self.timeouts))
        )
        attempt.streamed = True
        if isinstance(response, str):
            raise AttemptError(
                ErrorKind.MALFORMED,
                "the server's answer to stream=false is not JSON: " + reason_from_body(response)[:80],
                retryable=True,
            )
        if response.status == "failed":
            raise _failure(response.error.model_dump() if response.error else None, "the response failed")
        thought = "".join(
            s.text for item in response.output or [] if item.type == "reasoning" for s in (item.summary or [])
        )
        if thought:
            attempt.reasoning.append(thought)
            yield ReasoningDelta(thought)
        attempt.first_token_at = time.monotonic()
        text = response.output_text
        if text:
            attempt.parts.append(text)
            yield Delta(text)
        details = response.incomplete_details
        reason = _cut_reason(details.reason if details else None) if response.status == "incomplete" else "stop"
        self._end(attempt, response.usage.model_dump() if response.usage else None, reason)
        if attempt.usage is not None:
            yield UsageReport(attempt.usage)


def _object(value: object) -> dict[str, Any]:
    """A field that holds an object, or an empty one when it is missing; anything else is a malformed event."""
    if value is None:
        return {}
    if type(value) is not dict:
        raise malformed(value)
    return value


def _cut_reason(reason: object) -> str:
    """``max_output_tokens`` is ``length``, ``content_filter`` stays; any other reason is still a cut answer."""
    normal = normalize(str(reason or ""))
    return normal if normal in CUT else "incomplete"


def _failure(error: object, where: str) -> AttemptError:
    """A ``response.failed`` or ``error`` event, judged by its code as an HTTP error would be."""
    fields = _object(error)
    code = fields.get("code")
    body = {"code": code, "message": fields.get("message") or "no message"}
    failure = error_in_body(body, "no message", where)
    if code in NOT_RETRIED:
        failure.retryable = False
    return failure
