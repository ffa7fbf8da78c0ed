"""The typed events a turn yields. Everything the UI and the CLI show about a request comes from these.

They are named tuples: immutable, cheap to make and to pickle (the app's backend process sends every
one of them to the UI process), and a class costs ~0.2 ms to define where a frozen dataclass costs
~1.4 ms; the UI process defines them all before its first frame. Tell them apart by type, never by
``==``: two events of different types with equal fields compare equal, as tuples do.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


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
    ABORTED = "aborted"
    EMPTY = "empty"
    CONTEXT_TOO_LONG = "context_too_long"
    PAYMENT = "payment"
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
    ErrorKind.ABORTED: "answer aborted by the provider",
    ErrorKind.EMPTY: "empty answer",
    ErrorKind.CONTEXT_TOO_LONG: "context too long",
    ErrorKind.PAYMENT: "payment required",
    ErrorKind.AUTH: "unauthorized",
    ErrorKind.PERMISSION: "forbidden",
    ErrorKind.NOT_FOUND: "not found",
    ErrorKind.BAD_REQUEST: "bad request",
}


def reason_text(kind: ErrorKind, status: int | None = None) -> str:
    """Short words for a status line: ``429 rate limited``, ``stream dropped``."""
    label = REASONS.get(kind, kind.value.replace("_", " "))
    return f"{status} {label}" if status else label


class Usage(NamedTuple):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None


class Metrics(NamedTuple):
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


class Started(NamedTuple):
    """An attempt has begun (before any byte came back)."""

    attempt: int
    max_attempts: int
    streaming: bool
    resume_after: int | None = None
    """Not None: this attempt picks the answer up after that event (-1: replays it), keeping what was shown."""


class Delta(NamedTuple):
    text: str


class ReasoningDelta(NamedTuple):
    """``reasoning_content`` (vLLM, llama.cpp, DeepSeek) or ``reasoning`` (OpenRouter, Ollama)."""

    text: str


class UsageReport(NamedTuple):
    usage: Usage


class Retrying(NamedTuple):
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
    resume_after: int | None = None
    """Not None: the next attempt resumes the answer after that event instead of starting it over."""


class ResponseCreated(NamedTuple):
    """A Responses-API turn has its response's id; ``background``: it can be resumed after a drop, or later."""

    response_id: str
    background: bool


class FallingBack(NamedTuple):
    """The following attempts use ``stream=False``; the answer will arrive as one delta."""

    reason: str


class Finished(NamedTuple):
    finish_reason: str
    text: str
    reasoning: str
    metrics: Metrics


class Failed(NamedTuple):
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


TurnEvent = (
    Started | Delta | ReasoningDelta | UsageReport | Retrying | FallingBack | ResponseCreated | Finished | Failed
)
