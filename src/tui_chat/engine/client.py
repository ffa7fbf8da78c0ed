"""The SDK client factory: one ``AsyncOpenAI`` per base URL and key, never retrying on its own."""

from __future__ import annotations

from collections.abc import Mapping

import httpx2
from openai import AsyncOpenAI

from ..config import OPENAI_URL, TimeoutSettings

NO_KEY = "not-needed"
"""Sent to servers configured without a key (Ollama, llama.cpp): the SDK refuses to start without one."""


def make_client(base_url: str | None, api_key: str | None, timeouts: TimeoutSettings,
                headers: Mapping[str, str] | None = None) -> AsyncOpenAI:
    """``max_retries=0``: tenacity owns retries. The read timeout is the stream's idle timeout."""
    return AsyncOpenAI(
        base_url=base_url or OPENAI_URL,
        api_key=api_key or NO_KEY,
        max_retries=0,
        timeout=stream_timeout(timeouts),
        default_headers=dict(headers or {}),
    )


def stream_timeout(timeouts: TimeoutSettings) -> httpx2.Timeout:
    """For streaming: ``read`` is the longest silence between two chunks."""
    return httpx2.Timeout(timeouts.request, connect=timeouts.connect, read=timeouts.idle,
                          write=timeouts.connect, pool=timeouts.connect)


def whole_timeout(timeouts: TimeoutSettings) -> httpx2.Timeout:
    """For a non-streaming call the server is silent until the whole answer is ready."""
    return httpx2.Timeout(timeouts.request, connect=timeouts.connect, read=timeouts.request,
                          write=timeouts.connect, pool=timeouts.connect)
