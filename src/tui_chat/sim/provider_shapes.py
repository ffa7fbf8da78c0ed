"""How real providers answer, each shape written from public evidence (provider docs, issues with captured
bodies and streams): the finishes that cut or fail an answer, and error bodies of every shape."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.responses import JSONResponse, Response

from .scenarios import ALWAYS, CUT_SCENARIOS, Scenario
from .wire import error


def cut(scenario: Scenario, n: int) -> tuple[str, int]:
    """The finish_reason of request ``n`` of a scenario and how many tokens come before it."""
    reason = CUT_SCENARIOS.get(scenario.name)
    if reason is None:
        return "stop", ALWAYS
    if reason in ("error", "insufficient_system_resource") and n > scenario.int_arg(1, 1):
        return "stop", ALWAYS
    return reason, scenario.int_arg(0, 10)


ESCAPES = "bad \x1b]0;PWNED\x07 \x1b[2J\x1b[31mRED \x1b]52;c;cHduZWQ=\x07 \u202eevil\u202c [bold]markup[/bold]"


async def pings() -> AsyncIterator[str]:
    for _ in range(150):
        yield ": keep-alive\n\n"
        await asyncio.sleep(0.2)


LMSTUDIO_CONTEXT = (
    "Input does not fit in context length. The input has 31430 tokens, but the context length only "
    "supports 30000 tokens."
)
HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
    "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
PROVIDER_ERRORS: dict[str, Callable[[dict[str, Any]], Response | None]] = {
    "gemini429": lambda body: JSONResponse(
        [
            {
                "error": {
                    "code": 429,
                    "message": "Resource has been exhausted (e.g. check quota).",
                    "status": "RESOURCE_EXHAUSTED",
                }
            }
        ],
        status_code=429,
    ),
    "lmstudio400": lambda body: JSONResponse(
        {
            "error": "The number of tokens to keep from the initial prompt is "
            "greater than the context length (n_keep: 13055>= n_ctx: 4096)."
            " Try to load the model with a larger context length, or "
            "provide a shorter input."
        },
        status_code=400,
    ),
    "html502": lambda body: Response(HTML_502, status_code=502, media_type="text/html"),
    "orprovider": lambda body: JSONResponse(
        {
            "error": {
                "message": "Provider returned error",
                "code": 400,
                "metadata": {
                    "raw": json.dumps(
                        {
                            "error": {
                                "type": "invalid_request_error",
                                "message": "Model 'sim/vision' supports at most 1 image per prompt.",
                            }
                        }
                    ),
                    "provider_name": "Crucible",
                },
            },
            "user_id": "user_sim",
        },
        status_code=400,
    ),
    "mistral422": lambda body: (
        JSONResponse(
            {
                "object": "error",
                "message": {
                    "detail": [
                        {
                            "type": "extra_forbidden",
                            "loc": ["body", "stream_options"],
                            "msg": "Extra inputs are not permitted",
                            "input": body.get("stream_options"),
                        }
                    ]
                },
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            },
            status_code=422,
        )
        if "stream_options" in body
        else None
    ),
    "credits402": lambda body: JSONResponse(
        {
            "error": {
                "message": "Insufficient credits. Add more using https://openrouter.ai/settings/credits",
                "code": 402,
            }
        },
        status_code=402,
    ),
    "balance402": lambda body: error(402, "Insufficient Balance", "unknown_error", "invalid_request_error"),
}
"""Error bodies of every shape providers answer with, by scenario; a lambda may answer None (no error)."""
