"""``chaos-SEED``: the randomized fault soak's scenario. Every request of a seed gets the same answer, and
the first few requests (0 to 3, chosen by the seed) fail in a way chosen by the seed and the request's
number: 429 with a short Retry-After, 500, a gateway's HTML 502, a connection dropped between events or
inside one (at a random byte), a stall, a malformed chunk, a stream that ends without a finish, an
error event. A client that survives it prints and stores the answer exactly once, byte for byte.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from random import Random

from starlette.responses import JSONResponse, Response, StreamingResponse

from .provider_shapes import HTML_502
from .scenarios import prose_tokens
from .wire import chunk_prefix, error, stream_fault, usage

STREAM_FAULTS = ("429", "500", "html502", "drop", "dropbytes", "stall", "malformed", "truncate", "midstream")
WHOLE_FAULTS = ("429", "500", "html502")
MAX_FAILING_REQUESTS = 3


def chaos_answer(seed: int) -> str:
    """The answer every request of ``seed`` streams (3 to 400 tokens of varied markdown)."""
    return "".join(_tokens(seed))


def _tokens(seed: int) -> list[str]:
    return prose_tokens(Random(seed).randint(3, 400))


def _fault(seed: int, n: int, stream: bool) -> tuple[str, float] | None:
    """Request ``n``'s fault and where it strikes (a fraction of the answer), or None: it succeeds."""
    if n > Random(seed).randint(0, MAX_FAILING_REQUESTS):
        return None
    rng = Random(seed * 7919 + n)
    return rng.choice(STREAM_FAULTS if stream else WHOLE_FAULTS), rng.random()


def respond(model: str, seed: int, n: int, stream: bool, include_usage: bool) -> Response:
    tokens = _tokens(seed)
    fault = _fault(seed, n, stream)
    kind, where = fault if fault else ("", 0.0)
    if kind == "429":
        return error(
            429,
            "Rate limit reached for requests.",
            "requests",
            "rate_limit_exceeded",
            {"retry-after-ms": "20", "retry-after": "1"},
        )
    if kind == "500":
        return error(500, "The server had an error while processing your request.", "server_error")
    if kind == "html502":
        return Response(HTML_502, status_code=502, media_type="text/html")
    if not stream:
        message = {"role": "assistant", "content": "".join(tokens)}
        return JSONResponse(
            {
                "id": "chatcmpl-chaos",
                "object": "chat.completion",
                "created": 0,
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": usage(1, len(tokens)),
            }
        )
    return StreamingResponse(_events(model, tokens, kind, where, include_usage), media_type="text/event-stream")


async def _events(model: str, tokens: list[str], kind: str, where: float, include_usage: bool) -> AsyncIterator[str]:
    prefix = chunk_prefix(model)
    events = [prefix + '{"role":"assistant","content":""},"finish_reason":null}]}']
    events += [prefix + '{"content":' + json.dumps(token) + '},"finish_reason":null}]}' for token in tokens]
    events.append(prefix + '{},"finish_reason":"stop"}]}')
    if include_usage:
        events.append(
            '{"id":"chatcmpl-chaos","object":"chat.completion.chunk","created":0,"model":'
            + json.dumps(model)
            + ',"choices":[],"usage":'
            + json.dumps(usage(1, len(tokens)))
            + "}"
        )
    events.append("[DONE]")
    at = 1 + int(where * len(tokens)) if kind else len(events)  # the fault strikes before event ``at``
    sse = [f"data: {event}\n\n" for event in events]
    for start in range(0, at, 16):  # a few events a write, as servers flush
        yield "".join(sse[start : min(start + 16, at)])
        await asyncio.sleep(0)
    if kind == "dropbytes":  # inside an event, at a random byte
        yield sse[at][: 1 + int(where * 997) % (len(sse[at]) - 1)]
        kind = "drop"
    if kind:
        async for piece in stream_fault(kind):
            yield piece
