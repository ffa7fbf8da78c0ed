"""The server's model list (``GET /models``), failing as a turn fails: classified, in the server's own words,
with the key redacted."""

from __future__ import annotations

import openai
from openai import AsyncOpenAI

from .errors import AttemptError, classify
from .redact import client_secrets, redact


async def list_models(client: AsyncOpenAI) -> list[tuple[str, str]]:
    """(model id, the server's description of it, or ''), sorted by id. Raises :class:`AttemptError`."""
    try:
        page = await client.models.list()
    except openai.OpenAIError as exc:
        raise redacted(client, classify(exc, streamed=False, max_retry_after=0, model="")) from None
    described = ((model.id, (model.model_extra or {}).get("description")) for model in page.data)
    return sorted((name, text if isinstance(text, str) else "") for name, text in described)


def redacted(client: AsyncOpenAI, failure: AttemptError) -> AttemptError:
    """``failure`` with the client's key, and anything shaped like a credential, out of its message."""
    failure.message = redact(failure.message, client_secrets(client.api_key, client.default_headers))
    return failure
