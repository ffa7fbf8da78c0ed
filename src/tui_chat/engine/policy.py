"""How a turn may retry, wait and fall back: the engine's own plain types (the configuration fills them in;
the engine never reads the configuration). Their defaults are the documented settings' defaults."""

from __future__ import annotations

from typing import NamedTuple

OPENAI_URL = "https://api.openai.com/v1"


class Retries(NamedTuple):
    max_attempts: int = 5
    """Attempts per turn, the first included."""
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    jitter: float = 0.5
    max_retry_after: float = 120.0
    """The longest ``Retry-After`` obeyed; a longer one means give up."""
    deadline: float = 300.0
    """No new attempt starts after this many seconds."""


class Timeouts(NamedTuple):
    connect: float = 10.0
    idle: float = 60.0
    """The longest wait for the next chunk of a stream."""
    request: float = 600.0
    """The longest one attempt may take, end to end."""


class Fallback(NamedTuple):
    enabled: bool = True
    after_attempts: int = 2
    """Failed streaming attempts before a non-streaming try."""


class TurnPolicy(NamedTuple):
    retry: Retries = Retries()
    timeouts: Timeouts = Timeouts()
    fallback: Fallback = Fallback()
