"""What a turn is asked to do: plain data, cheap to import (named tuples, as the events are)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple


class TurnRequest(NamedTuple):
    model: str
    messages: Sequence[dict[str, Any]]
    temperature: float | None = None
    max_tokens: int | None = None
    stream: bool = True
    """False when the profile declares ``stream = false``."""
    asked_at: float | None = None
    """``time.monotonic()`` when the user asked (Enter): the time to the first token and the turn's total time
    count from here, in the engine and in the app's live status alike. None: from the engine's start."""
    api: str = "chat"
    """The wire protocol: ``chat`` (chat completions) or ``responses`` (the Responses API)."""
    background: bool = False
    """Responses API: run the response in the background, so a dropped stream resumes instead of restarting."""
    resume_id: str | None = None
    """Responses API: pick up this earlier response (an answer a crash cut off) before asking anew."""


def build_messages(system_prompt: str, history: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    """The request's messages from ``(role, content)`` pairs; an empty system prompt is not sent."""
    messages = [{"role": "system", "content": system_prompt}] if system_prompt.strip() else []
    messages.extend({"role": role, "content": content} for role, content in history)
    return messages
