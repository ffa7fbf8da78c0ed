"""The typed events a turn yields. Everything the UI and the CLI show about a request comes from these."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ErrorKind(StrEnum):
    """Why an attempt failed; the UI and the CLI map these to words and hints."""

    RATE_LIMITED = "rate_limited"
    QUOTA = "quota"
    SERVER_ERROR = "server_error"
    CONNECTION = "connection"
    TIMEOUT = "timeout"
    STALLED = "stalled"
    DROPPED = "dropped"
    TRUNCATED = "truncated"
    STREAM_ERROR = "stream_error"
    MALFORMED = "malformed"
    STREAM_UNSUPPORTED = "stream_unsupported"
    AUTH = "auth"
    PERMISSION = "permission"
    NOT_FOUND = "not_found"
    BAD_REQUEST = "bad_request"
    CLIENT = "client"


REASONS = {
    ErrorKind.RATE_LIMITED: "rate limited",
    ErrorKind.QUOTA: "quota exceeded",
    ErrorKind.SERVER_ERROR: "server error",
    ErrorKind.CONNECTION: "cannot connect",
    ErrorKind.TIMEOUT: "timed out",
    ErrorKind.STALLED: "stream stalled",
    ErrorKind.DROPPED: "stream dropped",
    ErrorKind.TRUNCATED: "stream ended early",
    ErrorKind.STREAM_ERROR: "error in stream",
    ErrorKind.MALFORMED: "malformed chunk",
    ErrorKind.STREAM_UNSUPPORTED: "streaming rejected",
    ErrorKind.AUTH: "unauthorized",
    ErrorKind.PERMISSION: "forbidden",
    ErrorKind.NOT_FOUND: "not found",
    ErrorKind.BAD_REQUEST: "bad request",
}


def reason_text(kind: ErrorKind, status: int | None = None) -> str:
    """Short words for a status line: ``429 rate limited``, ``stream dropped``."""
    label = REASONS.get(kind, kind.value.replace("_", " "))
    return f"{status} {label}" if status else label


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class Metrics:
    """Measured on every turn that ends, finished or not."""

    total_time: float
    time_to_first_token: float | None
    tokens: int
    tokens_per_second: float | None
    attempts: int
    fell_back: bool
    usage: Usage | None = None

    def describe(self) -> str:
        """``412 tokens · 53.2 tok/s · first token 0.31s`` and, when they apply, attempts, fallback, usage."""
        parts = [f"{self.tokens} tokens"]
        if self.tokens_per_second:
            parts.append(f"{self.tokens_per_second:.1f} tok/s")
        if self.time_to_first_token is not None:
            parts.append(f"first token {self.time_to_first_token:.2f}s")
        if self.attempts > 1:
            parts.append(f"{self.attempts} attempts")
        if self.fell_back:
            parts.append("non-streaming fallback")
        if self.usage and self.usage.total_tokens:
            parts.append(f"{self.usage.total_tokens} tokens used")
        return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class Started:
    """An attempt has begun (before any byte came back)."""

    attempt: int
    max_attempts: int
    streaming: bool


@dataclass(frozen=True, slots=True)
class Delta:
    text: str


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    """``reasoning_content`` (vLLM, llama.cpp, DeepSeek) or ``reasoning`` (OpenRouter, Ollama)."""

    text: str


@dataclass(frozen=True, slots=True)
class UsageReport:
    usage: Usage


@dataclass(frozen=True, slots=True)
class Retrying:
    """The attempt ``attempt`` failed; the next starts after ``delay`` seconds.

    ``discarded`` is True when that attempt had already delivered text: the next attempt starts the
    answer over, so a consumer must drop (or strike out) what it showed, never append to it.
    """

    attempt: int
    max_attempts: int
    delay: float
    reason: str
    kind: ErrorKind
    discarded: bool


@dataclass(frozen=True, slots=True)
class FallingBack:
    """The following attempts use ``stream=False``; the answer will arrive as one delta."""

    reason: str


@dataclass(frozen=True, slots=True)
class Finished:
    finish_reason: str
    text: str
    reasoning: str
    metrics: Metrics


@dataclass(frozen=True, slots=True)
class Failed:
    """The turn is over without an answer. ``partial`` is what the last attempt delivered."""

    kind: ErrorKind
    message: str
    hint: str
    partial: str
    metrics: Metrics
    status: int | None = None

    @property
    def reason(self) -> str:
        return reason_text(self.kind, self.status)


TurnEvent = Started | Delta | ReasoningDelta | UsageReport | Retrying | FallingBack | Finished | Failed


@dataclass
class Quirks:
    """What servers rejected this session, by base URL, so the next turn does not pay for it again."""

    no_stream: set[str] = field(default_factory=set)
    no_stream_options: set[str] = field(default_factory=set)
