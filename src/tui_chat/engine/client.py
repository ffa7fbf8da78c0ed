"""The SDK client factory: one ``AsyncOpenAI`` per base URL and key, never retrying on its own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import httpx2
from openai import AsyncOpenAI, DefaultAsyncHttpxClient

from .policy import OPENAI_URL, Timeouts

NO_KEY = "not-needed"
"""Sent to servers configured without a key (Ollama, llama.cpp): the SDK refuses to start without one."""


def make_client(
    base_url: str | None,
    api_key: str | None,
    timeouts: Timeouts,
    headers: Mapping[str, str] | None = None,
    *,
    key_header: str | None = None,
    query: Mapping[str, str] | None = None,
) -> AsyncOpenAI:
    """``max_retries=0``: tenacity owns retries. The read timeout is the stream's idle timeout.

    Redirects are not followed: a 307 or 308 would send the conversation, the key and every configured
    header to wherever the ``Location`` points, another origin included; the failure names the target
    so the user can make it the base URL. ``key_header`` (Azure's ``api-key``) carries the key instead
    of ``Authorization: Bearer``, which is then not sent: a server that reads both may refuse the key.
    """
    hooks = {"request": [_key_in_header(key_header)]} if key_header and api_key else {}
    return AsyncOpenAI(
        base_url=base_url or OPENAI_URL,
        api_key=api_key or NO_KEY,
        max_retries=0,
        timeout=stream_timeout(timeouts),
        default_headers=dict(headers or {}),
        default_query=dict(query or {}),
        http_client=DefaultAsyncHttpxClient(follow_redirects=False, event_hooks=hooks),
    )


async def load_transport() -> None:
    """Load what the first request would otherwise load while the user waits for its answer: the HTTP transport
    runs on anyio, whose asyncio backend is imported by the first connection (~20 ms of CPU here)."""
    import anyio.lowlevel

    await anyio.lowlevel.checkpoint()


def _key_in_header(name: str) -> Callable[[httpx2.Request], Awaitable[None]]:
    async def move_key(request: httpx2.Request) -> None:
        bearer = request.headers.pop("authorization", "")
        request.headers[name] = bearer.removeprefix("Bearer ")

    return move_key


def stream_timeout(timeouts: Timeouts) -> httpx2.Timeout:
    """For streaming: ``read`` is the longest silence between two chunks."""
    return httpx2.Timeout(
        timeouts.request, connect=timeouts.connect, read=timeouts.idle, write=timeouts.connect, pool=timeouts.connect
    )


def whole_timeout(timeouts: Timeouts) -> httpx2.Timeout:
    """For a non-streaming call the server is silent until the whole answer is ready."""
    return httpx2.Timeout(
        timeouts.request, connect=timeouts.connect, read=timeouts.request, write=timeouts.connect, pool=timeouts.connect
    )
