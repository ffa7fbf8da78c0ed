"""The provider's own reason for a failure, read from an error body of whatever shape it came in.

The SDK puts into its exception text only a string at ``error.message``; providers send much else:
Gemini a JSON array of error objects, LM Studio a bare string at ``error``, Mistral pydantic's
``detail`` list (sometimes as ``message``), OpenRouter a generic "Provider returned error" with the
upstream's words in ``error.metadata.raw`` (a JSON string, or plain text), gateways an HTML page.
One reader for all of them, so the message the user reads is the most specific one in the body.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any

MAX_REASON = 300
"""Characters of a server's reason that are shown: a 200 KB error page is not a message."""

_GENERIC = re.compile(
    r"^(provider returned error|an error occurred during streaming|error|internal server error)\.?$", re.IGNORECASE
)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_CONTEXT_OVERFLOW = re.compile(
    r"context[ _-]?(length|window|size)|maximum context|n_ctx|too many tokens|prompt is too long"
    r"|input (is )?too long|exceeds? the (model'?s? )?(maximum|max)|reduce the length|tokens? > \d+",
    re.IGNORECASE,
)


def reason_from_body(body: object) -> str:
    """The most specific human-readable reason in ``body``, on one line and capped; '' when there is none."""
    return clip(_reason(body, depth=0))


def code_from_body(body: object) -> str | None:
    """The body's machine-readable code (``insufficient_quota``, ``context_length_exceeded``, ``429``)."""
    error = _error_object(body)
    if error is None:
        return None
    for key in ("code", "type", "status"):
        value = error.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
            return str(value)
    return None


def is_context_overflow(text: str, code: str | None = None) -> bool:
    """A request too long for the model's context window, however the server words it."""
    return code == "context_length_exceeded" or bool(_CONTEXT_OVERFLOW.search(text))


def _error_object(body: object) -> Mapping[str, Any] | None:
    if isinstance(body, list) and body:
        return _error_object(body[0])
    if isinstance(body, Mapping):
        inner = body.get("error")
        return inner if isinstance(inner, Mapping) else body
    return None


def _reason(value: object, depth: int) -> str:
    """Depth-first: a nested, specific reason beats the generic words around it."""
    if depth > 6 or value is None:
        return ""
    if isinstance(value, str):
        return _from_text(value, depth)
    if isinstance(value, list):
        found = [r for r in (_reason(item, depth + 1) for item in value[:5]) if r]
        return "; ".join(dict.fromkeys(found))
    if not isinstance(value, Mapping):
        return str(value)
    if "loc" in value and "msg" in value:  # one item of pydantic's "detail" list (Mistral, FastAPI servers)
        loc = ".".join(str(part) for part in value.get("loc") or ())
        return f"{loc}: {value['msg']}" if loc else str(value["msg"])
    metadata = value.get("metadata")
    raw = _reason(metadata.get("raw"), depth + 1) if isinstance(metadata, Mapping) else ""
    own = ""
    for key in ("error", "message", "detail", "details", "msg", "error_message"):
        if key in value:
            own = _reason(value[key], depth + 1)
            if own:
                break
    if raw and (not own or _GENERIC.match(own)):
        provider = metadata.get("provider_name") if isinstance(metadata, Mapping) else None
        return f"{raw} ({provider})" if isinstance(provider, str) and provider else raw
    return own


def _from_text(text: str, depth: int) -> str:
    stripped = text.strip()
    if stripped[:1] in "[{":
        try:
            return _reason(json.loads(stripped), depth + 1) or stripped
        except ValueError:
            pass
    if "<" in stripped and re.search(r"<(html|body|head|title|h1)\b", stripped, re.IGNORECASE):
        title = _HTML_TITLE.search(stripped)
        page = title.group(1) if title else _TAG.sub(" ", stripped)
        return "HTML page: " + html.unescape(page)
    return stripped


def clip(text: str) -> str:
    """One line of at most ``MAX_REASON`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_REASON else line[: MAX_REASON - 1] + "…"
