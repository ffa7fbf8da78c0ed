"""What every wire adapter has: the client, the request, the timeouts and the quirks of its server, the one
way an attempt's request is opened under the attempt's deadline, and streams of plain chunks.

A stream is read as the JSON the server sent (the SDK's documented ``client.post``/``client.get`` with
``cast_to=object``), not as the SDK's typed chunk models: the SDK still parses the SSE, raises its errors
(an HTTP status, a ``data: {"error": ...}`` event) and ends at ``[DONE]``, but building a pydantic model per
chunk was nine tenths of the SDK's CPU per chunk (``benchmarks/README.md``), and a wire reads three fields.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from openai import AsyncOpenAI, AsyncStream

from ..client import stream_timeout
from ..errors import AttemptError, took_too_long
from ..events import ErrorKind, Usage
from ..policy import TurnPolicy
from ..quirks import Quirks
from ..request import TurnRequest

ChunkStream = AsyncStream[object]
"""Chunks as the JSON the server sent: the SDK hands them over untouched when they are typed ``object``."""

T = TypeVar("T")


class WireBase:
    def __init__(self, client: AsyncOpenAI, request: TurnRequest, policy: TurnPolicy, quirks: Quirks) -> None:
        self.client = client
        self.request = request
        self.timeouts = policy.timeouts
        self.quirks = quirks
        self.url = str(client.base_url)

    @staticmethod
    async def before(deadline: float, opening: Awaitable[T]) -> T:
        """``opening`` (the request, until its headers), failed as too long past the attempt's ``deadline``."""
        try:
            async with asyncio.timeout_at(deadline):
                return await opening
        except TimeoutError:
            raise took_too_long() from None

    async def post_stream(self, path: str, body: dict[str, Any]) -> ChunkStream:
        """``POST path`` with ``stream: true``: its events as the server's JSON objects."""
        options: Any = {"timeout": stream_timeout(self.timeouts)}
        return await self.client.post(
            path, cast_to=object, body=body, options=options, stream=True, stream_cls=ChunkStream
        )

    async def get_stream(self, path: str, params: dict[str, Any]) -> ChunkStream:
        """``GET path?params``, streamed: its events as the server's JSON objects."""
        options: Any = {"timeout": stream_timeout(self.timeouts), "params": params}
        return await self.client.get(path, cast_to=object, options=options, stream=True, stream_cls=ChunkStream)


def malformed(what: object) -> AttemptError:
    """A chunk that is JSON but not the shape of one (an object, its lists of objects)."""
    return AttemptError(
        ErrorKind.MALFORMED,
        f"the server sent a malformed chunk ({type(what).__name__} where an object belongs)",
        retryable=True,
    )


def usage_of(usage: object, prompt: str, completion: str) -> Usage:
    """A usage object's token counts (a count that is not a whole number is unknown)."""
    if type(usage) is not dict:
        raise malformed(usage)
    counts = [usage.get(name) for name in (prompt, completion, "total_tokens")]
    return Usage(*(n if type(n) is int else None for n in counts))
