"""Talking to the API: the client factory, the retry policy and the turn generator. No Textual here.

The events and the request types import nothing heavy; ``make_client`` and ``run_turn`` bring in the
openai SDK (close to a second of imports), so they load on first use: the app's UI process never
needs them, its backend process does.
"""

from typing import Any

from .events import (
    Delta,
    ErrorKind,
    Failed,
    FallingBack,
    Finished,
    Metrics,
    ReasoningDelta,
    ResponseCreated,
    Retrying,
    Started,
    TurnEvent,
    Usage,
    UsageReport,
)
from .policy import Fallback, Retries, Timeouts, TurnPolicy
from .quirks import Quirks
from .request import TurnRequest, build_messages

__all__ = [
    "Delta",
    "ErrorKind",
    "Failed",
    "Fallback",
    "FallingBack",
    "Finished",
    "Metrics",
    "Quirks",
    "ReasoningDelta",
    "ResponseCreated",
    "Retries",
    "Retrying",
    "Started",
    "Timeouts",
    "TurnEvent",
    "TurnPolicy",
    "TurnRequest",
    "Usage",
    "UsageReport",
    "build_messages",
    "make_client",
    "run_turn",
]


def __getattr__(name: str) -> Any:
    if name == "make_client":
        from .client import make_client

        return make_client
    if name == "run_turn":
        from .turn import run_turn

        return run_turn
    raise AttributeError(name)
