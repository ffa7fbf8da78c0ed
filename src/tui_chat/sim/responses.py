"""The simulator's Responses API: ``POST /v1/responses`` (streamed or not, in the background or not),
``GET /v1/responses/{id}`` (with ``stream=true&starting_after=N``, a resume) and ``.../{id}/cancel``.

A response is produced by a task of its own into an event log; a stream follows the log. So a background
response keeps going when its stream is dropped, and a resume reads the same log after event N, as the
real service does. The wire is what the SDK parses: ``event:`` and ``data:`` lines, a ``sequence_number``
on every event, no ``[DONE]``. Scenarios are the chat simulator's, read the Responses way (``drop-N-K``
drops every stream, resumed ones too, after N more events, the first K streams of the model).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from .provider_shapes import cut
from .response_log import ResponseLog
from .scenarios import ALWAYS, REASONING, Scenario, parse_model, reply_tokens, token_delay, tokenize
from .wire import BATCH, STALL_SECONDS, DroppedConnection, error

FAULTS_AFTER = {"drop": 20, "stall": 20, "midstream": 10, "failed": 5}
"""Events (for drop and stall: of each stream) before the fault, when the model name gives no N."""


class ResponsesApi:
    """The routes of the Responses API, on the chat simulator's :class:`Stats`."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats
        self.logs: dict[str, ResponseLog] = {}
        self._ids = itertools.count(1)

    async def create(self, request: Request) -> Response:
        asked = await self.stats.asked(request)
        if isinstance(asked, Response):
            return asked
        body, model, scenario, n = asked
        self.stats.last_request[model] = {**body, "endpoint": "responses"}
        early = self._early(scenario, model, n, body)
        if early is not None:
            return early
        assert scenario is not None
        background = bool(body.get("background"))
        log = ResponseLog(f"resp_sim{next(self._ids)}", model, background, body.get("instructions"))
        self.logs[log.id] = log
        log.start(self._produce(log, scenario, n, body))
        if not body.get("stream"):
            await log.finished()
            self.stats.completed[model] += 1
            return JSONResponse(log.response())
        return self._stream(log, scenario, after=-1)

    def _early(self, scenario: Scenario | None, model: str, n: int, body: dict[str, Any]) -> Response | None:
        if scenario is None:
            return error(404, f"The model `{model}` does not exist.", "invalid_request_error", "model_not_found")
        name = scenario.name
        if name == "noresponses":
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        if name == "nobackground" and body.get("background"):
            return error(
                400,
                "Background mode is not supported by this server.",
                "invalid_request_error",
                "unsupported_parameter",
            )
        if name == "ratelimit" and n <= scenario.int_arg(0, 2):
            seconds = scenario.arg(1, 1.0)
            return error(
                429,
                "Rate limit reached for requests. Please try again later.",
                "requests",
                "rate_limit_exceeded",
                {"retry-after-ms": str(int(seconds * 1000))},
            )
        if name == "5xx" and n <= scenario.int_arg(0, 2):
            return error(500, "The server had an error while processing your request.", "server_error")
        if name == "auth":
            return error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
        return None

    async def retrieve(self, request: Request) -> Response:
        log = self.logs.get(request.path_params["response_id"])
        if log is None:
            return error(404, "No response found with that id.", "invalid_request_error", "not_found")
        if request.query_params.get("stream") not in ("true", "1"):
            return JSONResponse(log.response())
        if not log.background:
            return error(
                400, "Only responses created with background=true can be streamed again.", "invalid_request_error"
            )
        after = int(request.query_params.get("starting_after", "-1"))
        self.stats.resumed[log.model] += 1
        self.stats.resumed_after.setdefault(log.model, []).append(after)
        return self._stream(log, parse_model(log.model) or Scenario("normal", ()), after)

    async def cancel(self, request: Request) -> Response:
        log = self.logs.get(request.path_params["response_id"])
        if log is None:
            return error(404, "No response found with that id.", "invalid_request_error", "not_found")
        if not log.background:
            return error(400, "Only background responses can be cancelled.", "invalid_request_error")
        self.stats.cancelled[log.model] += 1
        log.cancel()
        return JSONResponse(log.response())

    def _stream(self, log: ResponseLog, scenario: Scenario, after: int) -> Response:
        self.stats.streams[log.model] += 1
        fault, at = self._stream_fault(scenario, self.stats.streams[log.model])
        return StreamingResponse(
            self._follow(log, after, fault, at), media_type="text/event-stream", headers={"cache-control": "no-cache"}
        )

    @staticmethod
    def _stream_fault(scenario: Scenario, streams: int) -> tuple[str, int]:
        """How the ``streams``-th stream of a model goes wrong, and after how many of its events."""
        if scenario.name in ("drop", "stall") and streams <= scenario.int_arg(1, ALWAYS):
            return scenario.name, scenario.int_arg(0, FAULTS_AFTER[scenario.name])
        return "", ALWAYS

    async def _follow(self, log: ResponseLog, after: int, fault: str, at: int) -> AsyncIterator[str]:
        sent = 0
        try:
            async for events in log.follow(after):
                if sent + len(events) >= at:
                    yield "".join(events[: at - sent])
                    if fault == "stall":
                        await asyncio.sleep(STALL_SECONDS)
                    raise DroppedConnection("simulated dropped stream")
                sent += len(events)
                yield "".join(events)
            if log.status != "cancelled":
                self.stats.completed[log.model] += 1
        except (asyncio.CancelledError, GeneratorExit, DroppedConnection):
            self.stats.disconnected[log.model] += 1
            if not log.background:
                log.cancel()  # nobody can come back for it
            raise

    async def _produce(self, log: ResponseLog, scenario: Scenario, n: int, body: dict[str, Any]) -> None:
        """The response's events, at the scenario's pace, ending in exactly one terminal event."""
        name = scenario.name
        prompt = _last_user_text(body.get("input"))
        tokens = reply_tokens(scenario, prompt, n)
        reason, cut_at = cut(scenario, n)
        limit = body.get("max_output_tokens")
        if isinstance(limit, int) and limit < min(cut_at, len(tokens)):
            reason, cut_at = "length", limit
        tokens = tokens[:cut_at]
        delay = token_delay(scenario)
        fail_at = (
            scenario.int_arg(0, FAULTS_AFTER[name])
            if name in ("midstream", "failed") and n <= scenario.int_arg(1, 1)
            else ALWAYS
        )
        log.emit("response.created", {"response": log.response("queued" if log.background else "in_progress")})
        log.emit("response.in_progress", {"response": log.response("in_progress")})
        if name == "reasoning":
            await log.reasoning(tokenize(REASONING), delay)
        log.open_message()
        for index, token in enumerate(tokens):
            if index == fail_at:
                if name == "failed":
                    log.end("failed", error={"code": "server_error", "message": "The model failed to finish."})
                else:
                    log.emit(
                        "error",
                        {"code": "server_error", "message": "The server had an error while streaming.", "param": None},
                    )
                    log.close(status="failed")
                return
            log.text_delta(token)
            if delay:
                await asyncio.sleep(delay)
            elif index % BATCH == BATCH - 1:
                await asyncio.sleep(0)
        log.close_message()
        prompt_tokens = sum(
            len(tokenize(str(item.get("content", "")))) for item in body.get("input") or [] if isinstance(item, dict)
        )
        log.usage = {
            "input_tokens": prompt_tokens,
            "output_tokens": len(tokens),
            "total_tokens": prompt_tokens + len(tokens),
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        }
        if reason == "stop":
            log.end("completed")
        else:
            log.end("incomplete", incomplete={"reason": {"length": "max_output_tokens"}.get(reason, reason)})


def _last_user_text(items: Any) -> str:
    if isinstance(items, str):
        return items
    for item in reversed(items or []):
        if isinstance(item, dict) and item.get("role") == "user":
            content = item.get("content")
            if isinstance(content, list):
                return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
            return str(content or "")
    return ""
