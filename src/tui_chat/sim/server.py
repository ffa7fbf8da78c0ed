"""The OpenAI-compatible simulator: a Starlette app served by uvicorn on loopback.

It speaks the chat-completions wire format (SSE for ``stream=true``) and the Responses API's
(:mod:`.responses`) closely enough that the real
openai SDK is the client, so the engine, the CLI, the app, the tests and the benchmarks all exercise
the same code path they use against a real server.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import socket
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from . import chaos
from .provider_shapes import ESCAPES, LMSTUDIO_CONTEXT, PROVIDER_ERRORS, cut, pings
from .responses import ResponsesApi
from .scenarios import ALWAYS, REASONING, SCENARIOS, Scenario, parse_model, reply_tokens, token_delay, tokenize
from .wire import BATCH, STALL_SECONDS, DroppedConnection, chunk_prefix, error, stream_fault, usage


@dataclass
class Stats:
    """What the simulator saw, per model name; read by tests through ``/sim/stats``."""

    requests: Counter[str] = field(default_factory=Counter)
    completed: Counter[str] = field(default_factory=Counter)
    disconnected: Counter[str] = field(default_factory=Counter)
    last_request: dict[str, dict[str, Any]] = field(default_factory=dict)
    streams: Counter[str] = field(default_factory=Counter)
    """Responses API: streams opened, the first ones and the resumes."""
    resumed: Counter[str] = field(default_factory=Counter)
    resumed_after: dict[str, list[int]] = field(default_factory=dict)
    cancelled: Counter[str] = field(default_factory=Counter)

    async def asked(self, request: Request) -> tuple[dict[str, Any], str, Scenario | None, int] | Response:
        """A request's body, its model, the scenario the model names and how many requests of it came so far;
        or the 400 a body that is not JSON gets."""
        try:
            body = await request.json()
        except ValueError:
            return error(400, "request body is not JSON", "invalid_request_error")
        model = str(body.get("model", ""))
        self.requests[model] += 1
        return body, model, parse_model(model), self.requests[model]

    def reset(self) -> None:
        for counter in (self.requests, self.completed, self.disconnected, self.streams, self.resumed, self.cancelled):
            counter.clear()
        self.last_request.clear()
        self.resumed_after.clear()

    def as_dict(self) -> dict[str, Any]:
        models = set(self.requests) | set(self.disconnected)
        return {
            m: {
                "requests": self.requests[m],
                "completed": self.completed[m],
                "disconnected": self.disconnected[m],
                "last_request": self.last_request.get(m, {}),
                "resumed": self.resumed[m],
                "resumed_after": self.resumed_after.get(m, []),
                "cancelled": self.cancelled[m],
            }
            for m in models
        }


class Simulator:
    """Holds the per-model request counters; one instance per server."""

    def __init__(self) -> None:
        self.stats = Stats()
        responses = ResponsesApi(self.stats)
        self.app = Starlette(
            routes=[
                Route("/v1/models", self.models, methods=["GET"]),
                Route("/v1/chat/completions", self.chat, methods=["POST"]),
                Route("/v1/responses", responses.create, methods=["POST"]),
                Route("/v1/responses/{response_id}", responses.retrieve, methods=["GET"]),
                Route("/v1/responses/{response_id}/cancel", responses.cancel, methods=["POST"]),
                Route("/sim/reset", self.reset, methods=["POST"]),
                Route("/sim/stats", self.stats_view, methods=["GET"]),
            ]
        )

    async def models(self, request: Request) -> Response:
        data = [
            {
                "id": name.split("-")[0] if name != "5xx-K" else "5xx",
                "object": "model",
                "created": 0,
                "owned_by": "tui-chat-sim",
                "description": text,
            }
            for name, text in SCENARIOS.items()
        ]
        return JSONResponse({"object": "list", "data": data})

    async def reset(self, request: Request) -> Response:
        self.stats.reset()
        return JSONResponse({"ok": True})

    async def stats_view(self, request: Request) -> Response:
        return JSONResponse(self.stats.as_dict())

    async def chat(self, request: Request) -> Response:
        asked = await self.stats.asked(request)
        if isinstance(asked, Response):
            return asked
        body, model, scenario, n = asked
        stream = bool(body.get("stream"))
        self.stats.last_request[model] = {k: v for k, v in body.items() if k != "messages"} | {
            "messages": body.get("messages", []),
            "authorization": "present" if request.headers.get("authorization") else "absent",
            "headers": {k: v for k, v in request.headers.items() if k.startswith("x-")},
            "key_header": "present" if request.headers.get("api-key") else "absent",
            "query": dict(request.query_params),
        }
        if scenario is None:
            return error(404, f"The model `{model}` does not exist.", "invalid_request_error", "model_not_found")
        if scenario.name == "chaos":
            return chaos.respond(
                model, scenario.int_arg(0, 0), n, stream, bool((body.get("stream_options") or {}).get("include_usage"))
            )
        early = self._early_response(request, scenario, n, stream, body)
        if early is not None:
            return early
        messages = body.get("messages") or []
        prompt = next((str(m.get("content", "")) for m in reversed(messages) if m.get("role") == "user"), "")
        tokens = reply_tokens(scenario, prompt, n)
        prompt_tokens = sum(len(tokenize(str(m.get("content", "")))) for m in messages)
        if not stream:
            self.stats.completed[model] += 1
            return JSONResponse(self._completion(model, scenario, tokens, prompt_tokens))
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        events = self._events(model, scenario, n, tokens, prompt_tokens, include_usage)
        return StreamingResponse(events, media_type="text/event-stream", headers={"cache-control": "no-cache"})

    def _early_response(
        self, request: Request, scenario: Scenario, n: int, stream: bool, body: dict[str, Any]
    ) -> Response | None:
        """Errors answered before any token: auth, rate limits, server errors, unsupported options."""
        return self._refusal(request, scenario.name, stream) or self._failure(scenario, n, stream, body)

    @staticmethod
    def _refusal(  # noqa: PLR0911 (one answer per scenario)
        request: Request, name: str, stream: bool
    ) -> Response | None:
        """The scenarios that answer every request the same way."""
        if name == "auth":
            return error(
                401, "Incorrect API key provided: sk-…. Check your key.", "invalid_request_error", "invalid_api_key"
            )
        if name == "quota":
            return error(
                429,
                "You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota",
                "insufficient_quota",
            )
        if name == "escapes":
            return error(400, ESCAPES, "invalid_request_error")
        if name == "echokey":
            sent = request.headers.get("authorization", "")
            return error(
                401,
                f"Incorrect API key provided: {sent.removeprefix('Bearer ')} (header: {sent})",
                "invalid_request_error",
                "invalid_api_key",
            )
        if name == "pings" and stream:
            return StreamingResponse(pings(), media_type="text/event-stream")
        if name == "sseforjson" and not stream:
            return Response('data: {"choices": []}\n\ndata: [DONE]\n\n', media_type="text/event-stream")
        if name == "error200":
            return JSONResponse({"error": {"message": "Invalid API key", "code": 401}})
        if name == "huge400":
            return error(400, "This request is wrong because " + "very " * 40_000 + "long.", "invalid_request_error")
        if name == "gzipgarbage":
            return Response(
                b"\x1f\x8b this is not gzip at all", media_type="application/json", headers={"content-encoding": "gzip"}
            )
        if name == "redirect":
            port = request.url.port
            return Response(status_code=307, headers={"location": f"http://localhost:{port}/v1/chat/completions"})
        return None

    @staticmethod
    def _failure(scenario: Scenario, n: int, stream: bool, body: dict[str, Any]) -> Response | None:
        """The scenarios whose first requests fail (or that fail what a request asks for)."""
        name = scenario.name
        if name == "ratelimit" and n <= scenario.int_arg(0, 2):
            seconds = scenario.arg(1, 1.0)
            headers = {"retry-after": str(max(1, math.ceil(seconds))), "retry-after-ms": str(int(seconds * 1000))}
            return error(
                429,
                "Rate limit reached for requests. Please try again later.",
                "requests",
                "rate_limit_exceeded",
                headers,
            )
        if name == "5xx" and n <= scenario.int_arg(0, 2):
            status = 500 if n % 2 else 503
            return error(status, "The server had an error while processing your request.", "server_error")
        if name == "nostream" and stream:
            return error(
                400,
                "Streaming is not supported by this server (stream=true).",
                "invalid_request_error",
                "unsupported_parameter",
            )
        if name == "nostreamopts" and "stream_options" in body:
            return error(
                400,
                "Unrecognized request argument supplied: stream_options",
                "invalid_request_error",
                "unsupported_parameter",
            )
        if name == "dropthen500" and n > 1:
            return error(500, "The server had an error while processing your request.", "server_error")
        if name in PROVIDER_ERRORS and n <= (scenario.int_arg(0, 1) if name in ("gemini429", "html502") else ALWAYS):
            return PROVIDER_ERRORS[name](body)
        return None

    def _completion(self, model: str, scenario: Scenario, tokens: list[str], prompt_tokens: int) -> dict[str, Any]:
        finish, cut_at = cut(scenario, ALWAYS)
        tokens = tokens[:cut_at]
        message: dict[str, Any] = {"role": "assistant", "content": "".join(tokens)}
        if scenario.name == "reasoning":
            message["reasoning_content"] = REASONING
        return {
            "id": "chatcmpl-sim",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": int(scenario.name == "index1"), "message": message, "finish_reason": finish}],
            "usage": usage(prompt_tokens, len(tokens)),
        }

    async def _events(  # noqa: C901, PLR0917 (the scenarios' faults, in stream order)
        self, model: str, scenario: Scenario, n: int, tokens: list[str], prompt_tokens: int, include_usage: bool
    ) -> AsyncIterator[str]:
        """The SSE body. Faults fire after ``N`` tokens on the first ``K`` requests of the model."""
        name = scenario.name
        default_k = ALWAYS if name in ("drop", "stall") else 1
        fault_at = scenario.int_arg(0, 20) if n <= scenario.int_arg(1, default_k) else -1
        if name == "dropthen500":
            name, fault_at = "drop", scenario.int_arg(0, 5)
        elif name not in ("drop", "stall", "midstream", "malformed", "misshapen", "truncate", "reword"):
            fault_at = -1
        delay = token_delay(scenario)
        prefix = chunk_prefix(model)
        finish, cut_at = cut(scenario, n)
        tokens = tokens[:cut_at]
        pending: list[str] = [prefix + '{"role":"assistant","content":""},"finish_reason":null}]}']
        try:
            if name == "ctxevent":
                body = json.dumps({"error": {"message": LMSTUDIO_CONTEXT}, "message": LMSTUDIO_CONTEXT})
                yield f"event: error\ndata: {body}\n\n"
                return
            if name in ("reasoning", "index1"):
                for piece in tokenize(REASONING):
                    pending.append(prefix + '{"reasoning_content":' + json.dumps(piece) + '},"finish_reason":null}]}')
                    yield self._flush(pending)
                    await asyncio.sleep(delay)
            if name == "index1":
                pending.append(prefix + '{},"finish_reason":"stop"}]}')
                prefix = prefix.replace('"index":0', '"index":1')
            for index, token in enumerate(tokens):
                if index == fault_at:
                    if pending:
                        yield self._flush(pending)
                    async for piece in stream_fault("drop" if name == "reword" else name):
                        yield piece
                    return
                pending.append(prefix + '{"content":' + json.dumps(token) + '},"finish_reason":null}]}')
                if delay:
                    yield self._flush(pending)
                    await asyncio.sleep(delay)
                elif len(pending) >= BATCH:
                    yield self._flush(pending)
                    await asyncio.sleep(0)
            native = ',"native_finish_reason":"network_error"' if finish == "error" else ""
            pending.append(prefix + '{},"finish_reason":' + json.dumps(finish) + native + "}]}")
            if include_usage:
                pending.append(
                    '{"id":"chatcmpl-sim","object":"chat.completion.chunk","created":0,"model":'
                    + json.dumps(model)
                    + ',"choices":[],"usage":'
                    + json.dumps(usage(prompt_tokens, len(tokens)))
                    + "}"
                )
            if name == "hangafter":
                yield self._flush(pending)
                await asyncio.sleep(STALL_SECONDS)
            pending.append("[DONE]")
            yield self._flush(pending)
            self.stats.completed[model] += 1
        except (asyncio.CancelledError, GeneratorExit):
            self.stats.disconnected[model] += 1
            raise

    @staticmethod
    def _flush(pending: list[str]) -> str:
        out = "".join(f"data: {item}\n\n" for item in pending)
        pending.clear()
        return out


class _Quiet(logging.Filter):
    """Hide the traceback uvicorn logs for the connections we drop on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection) and "simulated dropped stream" not in record.getMessage()


class SimServer:
    """A simulator running on a loopback port in a background thread; ``stop()`` ends it."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning") -> None:
        self.simulator = Simulator()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host, self.port = self._sock.getsockname()[:2]
        config = uvicorn.Config(
            self.simulator.app, log_level=log_level, access_log=False, lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        logging.getLogger("uvicorn.error").addFilter(_Quiet())

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> SimServer:
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, name="tui-chat-sim", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the simulator did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._sock.close()

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_forever(host: str, port: int) -> None:
    """Run in the foreground (``tui-chat sim``) until interrupted."""
    logging.getLogger("uvicorn.error").addFilter(_Quiet())
    uvicorn.run(Simulator().app, host=host, port=port, log_level="warning", access_log=False, lifespan="off")
