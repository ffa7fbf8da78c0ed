"""The simulator's wire format: OpenAI's error body, the chunk prefix, usage, and how a stream is cut."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from starlette.responses import JSONResponse, Response

BATCH = 32
"""Events written per send at full speed: fewer, larger writes keep the simulator off the profile."""
STALL_SECONDS = 30.0


class DroppedConnection(Exception):
    """Raised inside the response body to make uvicorn cut the connection mid-stream."""


def error(
    status: int, message: str, kind: str, code: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    body = {"error": {"message": message, "type": kind, "code": code, "param": None}}
    return JSONResponse(body, status_code=status, headers=headers)


def chunk_prefix(model: str) -> str:
    return (
        '{"id":"chatcmpl-sim","object":"chat.completion.chunk","created":0,"model":'
        + json.dumps(model)
        + ',"choices":[{"index":0,"delta":'
    )


def usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


async def stream_fault(kind: str) -> AsyncIterator[str]:
    """How a stream goes wrong after its last good event: dropped, stalled, a malformed chunk, an error event,
    or (``truncate``, anything else) simply ending without a finish and without ``[DONE]``."""
    if kind == "drop":
        raise DroppedConnection("simulated dropped stream")
    if kind == "stall":
        await asyncio.sleep(STALL_SECONDS)
    elif kind == "malformed":
        yield "data: {this is not json\n\n"
    elif kind == "misshapen":
        yield 'data: [{"choices": []}]\n\n'
    elif kind == "midstream":
        yield 'data: {"error": {"message": "The server had an error while streaming.", "type": "server_error"}}\n\n'
