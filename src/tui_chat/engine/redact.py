"""Secrets out of server text: some servers and proxies echo the key back in an error
(``Incorrect API key provided: sk-...``, a 400 quoting the ``Authorization`` header). Every message made
from a server's words passes through :func:`redact` before it is shown, stored or exported."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

REDACTED = "[redacted]"
_SECRET_SHAPES = re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{8,}|\bBearer\s+[A-Za-z0-9._\-~+/=]{8,}", re.IGNORECASE)
_SECRET_HEADER = re.compile(r"auth|key|token|secret|cookie", re.IGNORECASE)


def client_secrets(api_key: str | None, headers: Mapping[str, object]) -> tuple[str, ...]:
    """The configured key and the values of headers whose names say they carry a credential."""
    found = [api_key or ""]
    found += [str(v) for k, v in headers.items() if _SECRET_HEADER.search(k) and isinstance(v, str)]
    for value in list(found):
        found.append(value.removeprefix("Bearer ").strip())
    return tuple(sorted({s for s in found if len(s) >= 8}, key=len, reverse=True))


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return _SECRET_SHAPES.sub(REDACTED, text)
