"""Turn any failure of an attempt into one :class:`AttemptError`: its kind, whether to retry, and how long.

The rules are the SDK's own (``openai/_base_client.py``) extended to what happens after the stream
started: dropped, stalled, truncated and malformed streams and mid-stream error events are retried too.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Mapping

import httpx2
import openai
import pydantic

from .error_body import clip, code_from_body, is_context_overflow, reason_from_body
from .events import ErrorKind, reason_text

RETRYABLE_STATUS = {408, 409, 429}
STREAM_PROBLEMS = {
    ErrorKind.DROPPED,
    ErrorKind.STALLED,
    ErrorKind.TRUNCATED,
    ErrorKind.STREAM_ERROR,
    ErrorKind.MALFORMED,
}
"""Failures of a stream that had started: these, and only these, count towards the fallback."""


class AttemptError(Exception):
    """One failed attempt, classified."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        retryable: bool,
        status: int | None = None,
        retry_after: float | None = None,
        hint: str = "",
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after
        self.hint = hint

    @property
    def reason(self) -> str:
        return reason_text(self.kind, self.status)


def took_too_long() -> AttemptError:
    return AttemptError(
        ErrorKind.TIMEOUT,
        "the answer took longer than timeouts.request (or retry.deadline)",
        retryable=False,
        hint="raise timeouts.request for very long answers",
    )


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asks us to wait: ``retry-after-ms``, else ``Retry-After`` (seconds or a date)."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        return max(0.0, email.utils.mktime_tz(parsed) - (time.time() if now is None else now))


def classify(  # noqa: PLR0911 (one return per kind of failure)
    exc: BaseException, *, streamed: bool, max_retry_after: float, model: str
) -> AttemptError:
    """Map an exception raised while running one attempt. ``streamed``: the stream had started."""
    if isinstance(exc, AttemptError):
        return exc
    if isinstance(exc, openai.APIStatusError):
        return _from_status(exc, max_retry_after, model)
    if isinstance(exc, openai.APITimeoutError):
        if streamed:
            return AttemptError(
                ErrorKind.STALLED,
                "no data from the server within the idle timeout",
                retryable=True,
                hint="raise timeouts.idle if the server is just slow",
            )
        return AttemptError(
            ErrorKind.TIMEOUT,
            "the server did not answer in time",
            retryable=True,
            hint="raise timeouts.idle or timeouts.connect if the server is just slow",
        )
    if isinstance(exc, openai.APIConnectionError):
        if isinstance(exc.__cause__, httpx2.DecodingError):  # the bytes came, but are not what they claim to be
            return AttemptError(
                ErrorKind.MALFORMED, f"the server's answer cannot be decoded ({exc.__cause__})", retryable=True
            )
        if streamed:
            return AttemptError(ErrorKind.DROPPED, "the connection closed in the middle of the answer", retryable=True)
        cause = exc.__cause__ or exc.__context__
        detail = f" ({type(cause).__name__})" if cause else ""
        return AttemptError(
            ErrorKind.CONNECTION,
            f"cannot reach the server{detail}",
            retryable=True,
            hint="check the base URL and that the server is running",
        )
    if isinstance(exc, openai.APIError):
        return _from_stream_error(exc)
    if isinstance(exc, (json.JSONDecodeError, pydantic.ValidationError, UnicodeDecodeError)):
        return AttemptError(
            ErrorKind.MALFORMED, f"the server sent a malformed chunk ({_first_line(exc)})", retryable=True
        )
    if isinstance(exc, openai.OpenAIError):
        return AttemptError(ErrorKind.CLIENT, _first_line(exc), retryable=False)
    return AttemptError(ErrorKind.CLIENT, f"{type(exc).__name__}: {_first_line(exc)}", retryable=False)


CONTEXT_HINT = "the conversation is longer than the model's context: start a new one (ctrl+n) or use a larger model"
PAYMENT_HINT = "the account is out of credits or balance: top it up with the provider"
QUOTA_HINT = "this is a billing limit, not a rate limit: check the account's plan and credits"
_STREAM_PARAM = re.compile(r"\bstream(?:_options|ing)?\b", re.IGNORECASE)


def _from_status(exc: openai.APIStatusError, max_retry_after: float, model: str) -> AttemptError:
    status = exc.status_code
    headers = exc.response.headers
    message = reason_from_body(exc.body) or _first_line(exc.message)
    code = _error_code(exc)
    retry_after = parse_retry_after(headers)
    if status == 429 and code == "insufficient_quota":
        return AttemptError(ErrorKind.QUOTA, message, retryable=False, status=status, hint=QUOTA_HINT)
    if 300 <= status < 400:
        target = headers.get("location", "another address")
        return AttemptError(
            ErrorKind.BAD_REQUEST,
            f"the server redirects to {target}",
            retryable=False,
            status=status,
            hint="make that the profile's base_url (API redirects are not followed, "
            "so the key and the conversation only go where you configured)",
        )
    if status == 402:
        return AttemptError(ErrorKind.PAYMENT, message, retryable=False, status=status, hint=PAYMENT_HINT)
    if 400 <= status < 500 and status != 429 and is_context_overflow(message, code):
        return AttemptError(ErrorKind.CONTEXT_TOO_LONG, message, retryable=False, status=status, hint=CONTEXT_HINT)
    if status in (400, 422) and (_STREAM_PARAM.search(message) or exc.param in ("stream", "stream_options")):
        return AttemptError(ErrorKind.STREAM_UNSUPPORTED, message, retryable=True, status=status)
    kind = {
        401: ErrorKind.AUTH,
        403: ErrorKind.PERMISSION,
        404: ErrorKind.NOT_FOUND,
        429: ErrorKind.RATE_LIMITED,
    }.get(status, ErrorKind.SERVER_ERROR if status >= 500 else ErrorKind.BAD_REQUEST)
    retryable = status in RETRYABLE_STATUS or status >= 500
    should_retry = headers.get("x-should-retry")
    if should_retry in ("true", "false"):
        retryable = should_retry == "true"
    hint = {
        ErrorKind.AUTH: "the API key was refused: check OPENAI_API_KEY or the profile's api_key / api_key_env",
        ErrorKind.PERMISSION: "the key has no access to this model or endpoint",
        ErrorKind.NOT_FOUND: f"is {model!r} a model this server has? `tui-chat models` lists them",
    }.get(kind, "")
    if retryable and retry_after is not None and retry_after > max_retry_after:
        retryable = False
        hint = f"the server asked to wait {retry_after:.0f}s, more than retry.max_retry_after"
    return AttemptError(kind, message, retryable=retryable, status=status, retry_after=retry_after, hint=hint)


def _from_stream_error(exc: openai.APIError) -> AttemptError:
    return error_in_body(exc.body, _first_line(exc.message), "the server reported an error mid-stream")


def error_in_body(body: object, fallback: str, where: str) -> AttemptError:
    """An error object inside a 200 (a stream's error event, or a non-streamed body): judged by its code and
    words as an HTTP error would be, so a context overflow, a refused key or a spent quota is not retried."""
    message = reason_from_body(body) or fallback
    code = (code_from_body(body) or "").lower()
    said = f"{where}: {message}"
    if is_context_overflow(message, code):
        return AttemptError(ErrorKind.CONTEXT_TOO_LONG, message, retryable=False, hint=CONTEXT_HINT)
    if code in ("401", "invalid_api_key", "authentication_error", "unauthorized"):
        return AttemptError(ErrorKind.AUTH, said, retryable=False)
    if code in ("402", "insufficient_balance", "payment_required"):
        return AttemptError(ErrorKind.PAYMENT, said, retryable=False, hint=PAYMENT_HINT)
    if code == "insufficient_quota":
        return AttemptError(ErrorKind.QUOTA, said, retryable=False, hint=QUOTA_HINT)
    if code in ("429", "rate_limit_exceeded", "resource_exhausted"):
        return AttemptError(ErrorKind.RATE_LIMITED, said, retryable=True)
    return AttemptError(ErrorKind.STREAM_ERROR, said, retryable=True)


def _error_code(exc: openai.APIStatusError) -> str | None:
    code = getattr(exc, "code", None)
    return str(code) if code else code_from_body(exc.body)


def _first_line(exc: object) -> str:
    text = str(exc).strip()
    return clip(text.splitlines()[0]) if text else type(exc).__name__
