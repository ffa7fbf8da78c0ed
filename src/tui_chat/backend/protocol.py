"""The messages the app's UI process and its backend process exchange, typed, in both directions.

They are named tuples, pickled and framed by ``multiprocessing.connection`` over a socketpair: cheap to
make and to send (a fast stream sends a batch of events every few milliseconds), and each end tells them
apart with ``match`` on the class. Every request carries the id its replies come back with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from ..engine.events import TurnEvent

# -- the UI asks ---------------------------------------------------------------------------------------


class Configure(NamedTuple):
    """Read and validate the configuration; the reply is ``(AppSettings, ProfileView)``."""

    request_id: int
    config_path: str | None
    profile: str | None
    model: str | None
    api: str | None


class ResolveProfile(NamedTuple):
    """The ``ProfileView`` of profile ``name``."""

    request_id: int
    name: str


class ListModels(NamedTuple):
    """``[(model id, description)]`` of the profile's server."""

    request_id: int
    profile: str


class RunTurn(NamedTuple):
    """Answer the conversation; the replies are :class:`TurnEvents` until the turn's ``Finished`` or ``Failed``.

    The conversation goes as ``(role, content)`` pairs and its system prompt: the wire's messages are built
    by the engine's side, for whichever protocol the profile speaks."""

    request_id: int
    profile: str
    model: str
    system_prompt: str
    history: Sequence[tuple[str, str]]
    asked_at: float | None
    resume_id: str | None = None


class Cancel(NamedTuple):
    """Stop turn ``request_id``; its last :class:`TurnEvents` then says ``cancelled``."""

    request_id: int


Request = Configure | ResolveProfile | ListModels | RunTurn | Cancel


# -- the backend answers -------------------------------------------------------------------------------


class Reply(NamedTuple):
    request_id: int
    value: Any


class Refusal(NamedTuple):
    """The request failed; ``line`` is what the user reads."""

    request_id: int
    line: str


class TurnEvents(NamedTuple):
    """A batch of a turn's events, sent a few milliseconds apart at most."""

    request_id: int
    events: list[TurnEvent]
    cancelled: bool = False


Answer = Reply | Refusal | TurnEvents
