"""Talking to the API: the client factory, the retry policy and the turn generator. No Textual here."""

from .client import make_client
from .events import (
    Delta,
    ErrorKind,
    Failed,
    FallingBack,
    Finished,
    Metrics,
    Quirks,
    ReasoningDelta,
    Retrying,
    Started,
    TurnEvent,
    Usage,
    UsageReport,
)
from .turn import TurnPolicy, TurnRequest, build_messages, run_turn

__all__ = [
    "Delta", "ErrorKind", "Failed", "FallingBack", "Finished", "Metrics", "Quirks", "ReasoningDelta",
    "Retrying", "Started", "TurnEvent", "TurnPolicy", "TurnRequest", "Usage", "UsageReport",
    "build_messages", "make_client", "run_turn",
]
