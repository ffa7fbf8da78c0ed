"""The app's backend, in a child process: configuration, profiles and turns, seen from the UI process.

Two costs stay off the UI's core this way. The SDK turns every SSE chunk into pydantic objects, about
0.3 ms of CPU a chunk: on the UI's event loop a fast stream would slow the screen and make keystrokes
wait. And reading the configuration means pydantic-settings (~0.3 s of imports on the benchmark machine):
the child is started before the UI imports Textual, so it validates the configuration on the other core
meanwhile. The UI process gets plain data back (:mod:`tui_chat.config.view`) and never holds the API key.

The child (:mod:`.spawn`) talks over a socketpair, with the typed messages of :mod:`.protocol`.
"""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import time
from collections.abc import AsyncIterator, Sequence
from multiprocessing.connection import Connection
from typing import Any

from ..config.errors import ConfigError
from ..config.view import AppSettings, ProfileView
from ..engine.events import ErrorKind, Failed, Finished, Metrics, TurnEvent
from .errors import BackendError
from .protocol import (
    Answer,
    Cancel,
    Configure,
    ListModels,
    Refusal,
    Reply,
    Request,
    ResolveProfile,
    RunTurn,
    TurnEvents,
)
from .spawn import ChildProcess, Spawned, spawn_backend

STOP_SECONDS = 2.5
"""On quitting mid-answer, how long the child may take to stop its turn (a Responses-API background response is
cancelled on the server, so it stops costing tokens) before it is terminated."""
SETUP_TIMEOUT_SECONDS = 60.0
"""How long the UI waits for the configuration before it gives up (it takes well under a second)."""


class BackendProcess:
    """The child process and what the screen knows of it: the settings, the profile and model in use.

    ``start`` spawns the child and asks it to read the configuration; ``setup`` waits for the answer
    (raising :class:`ConfigError` with the user's one line). A child that dies is replaced on the next
    turn, configured with the same arguments."""

    def __init__(
        self,
        config_path: str | None = None,
        profile: str | None = None,
        model: str | None = None,
        api: str | None = None,
    ) -> None:
        self._configure = (config_path, profile, model, api)
        self._ids = itertools.count(1)
        self._conn: Connection | None = None
        self._process: ChildProcess | None = None
        self._setup_id = 0
        self._replies: dict[int, asyncio.Queue[Answer | None]] = {}
        self._listening = False
        self._stopping = False
        """A turn was cancelled and its child has not confirmed yet."""
        self.settings: AppSettings | None = None
        self.profile: ProfileView | None = None
        self.model = ""

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self, spawned: Spawned | None = None) -> BackendProcess:
        """Start the child (or adopt the one ``tui-chat`` forked first), and ask it to read the configuration;
        then it imports the SDK, in parallel with the UI."""
        if self._process is not None and self._process.poll() is None:
            return self
        self.close()
        self._process, parent = spawned or spawn_backend()
        self._conn = Connection(parent.detach())
        self._setup_id = next(self._ids)
        self._conn.send(Configure(self._setup_id, *self._configure))
        return self

    def setup(self) -> tuple[AppSettings, ProfileView]:
        """Wait for the configuration (blocking: the app's screen needs it, and its loop has nothing else to
        do yet). Raises :class:`ConfigError`."""
        if self.settings is None or self.profile is None:
            self.start()
            self.settings, self.profile = self._expect(self._setup_id)
            self.model = self.profile.model
        return self.settings, self.profile

    def choose(self, profile: str | None, model: str | None) -> None:
        """Before the app runs: use ``profile`` and ``model`` (a resumed conversation's) instead of the
        configured ones. Raises :class:`ConfigError` for an unknown profile."""
        _, current = self.setup()
        if profile is not None and profile != current.name:
            assert self._conn is not None
            request_id = next(self._ids)
            self._conn.send(ResolveProfile(request_id, profile))
            self.profile = current = self._expect(request_id)
        self.model = model or current.model

    def _expect(self, request_id: int) -> Any:
        """The value of one request's reply, waited for without an event loop."""
        assert self._conn is not None
        try:
            while True:
                if not self._conn.poll(SETUP_TIMEOUT_SECONDS):
                    raise BackendError("the backend process did not answer in time")
                answer: Answer = self._conn.recv()
                if answer.request_id == request_id:
                    break
        except (EOFError, OSError):
            raise BackendError("the backend process stopped before it answered (TUI_CHAT_DEBUG=1 shows why)") from None
        if isinstance(answer, Refusal):
            raise ConfigError(answer.line)
        assert isinstance(answer, Reply)
        return answer.value

    def close(self) -> None:
        if self._conn is not None:
            if self._listening:
                try:
                    asyncio.get_running_loop().remove_reader(self._conn.fileno())
                except (RuntimeError, ValueError, OSError):
                    pass
            self._conn.close()
            self._conn = None
        self._listening = False
        busy = bool(self._replies)
        for queue in self._replies.values():
            queue.put_nowait(None)
        self._replies.clear()
        if self._process is not None:
            if busy or self._stopping:  # a turn was stopping: let the child stop its background response too
                try:
                    self._process.wait(timeout=STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    pass
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    self._process.kill()
            self._process = None

    # -- what the app asks -------------------------------------------------------------------------

    @property
    def is_demo(self) -> bool:
        return self.profile is not None and self.profile.is_simulator

    async def use_profile(self, name: str) -> ProfileView:
        """Switch to profile ``name`` (its own model). Raises :class:`ConfigError` for an unknown one."""
        try:
            profile: ProfileView = await self._request(ResolveProfile(next(self._ids), name))
        except BackendError as exc:
            raise ConfigError(str(exc)) from None
        self.profile, self.model = profile, profile.model
        return profile

    async def list_models(self) -> list[tuple[str, str]]:
        """The models the current profile's server lists. Raises :class:`BackendError`."""
        assert self.profile is not None
        models: list[tuple[str, str]] = await self._request(ListModels(next(self._ids), self.profile.name))
        return models

    async def turn(
        self,
        system_prompt: str,
        history: Sequence[tuple[str, str]],
        asked_at: float | None = None,
        resume_id: str | None = None,
    ) -> AsyncIterator[TurnEvent]:
        """The events of one turn, as :func:`run_turn` yields them. Cancelling the consumer cancels the turn.
        ``history``: the conversation as ``(role, content)`` pairs; ``asked_at``: when the user asked
        (``time.monotonic()``, one clock for both processes); ``resume_id``: a Responses-API answer to pick up."""
        assert self.profile is not None
        self.start()
        turn_id = next(self._ids)
        replies = self._open(turn_id)
        started = time.monotonic()
        self._send(RunTurn(turn_id, self.profile.name, self.model, system_prompt, list(history), asked_at, resume_id))
        done = False
        try:
            while not done:
                batch = await replies.get()
                if batch is None:
                    done = True
                    yield _backend_died(started)
                    return
                assert isinstance(batch, TurnEvents)
                for event in batch.events:
                    done = isinstance(event, (Finished, Failed))
                    yield event
                if batch.cancelled:
                    done, self._stopping = True, False
        finally:
            self._replies.pop(turn_id, None)
            if not done:
                self._stopping = True
                self._send(Cancel(turn_id))

    # -- plumbing ----------------------------------------------------------------------------------

    async def _request(self, request: ResolveProfile | ListModels) -> Any:
        self.start()
        replies = self._open(request.request_id)
        try:
            self._send(request)
            reply = await replies.get()
        finally:
            self._replies.pop(request.request_id, None)
        if reply is None:
            raise BackendError("the backend process stopped unexpectedly")
        if isinstance(reply, Refusal):
            raise BackendError(reply.line)
        assert isinstance(reply, Reply)
        return reply.value

    def _open(self, request_id: int) -> asyncio.Queue[Answer | None]:
        """The queue a request's replies arrive on (``None``: the child is gone)."""
        self._listen()
        queue: asyncio.Queue[Answer | None] = asyncio.Queue()
        self._replies[request_id] = queue
        return queue

    def _listen(self) -> None:
        """Route the child's replies to their requests' queues, on this loop."""
        if self._listening:
            return
        assert self._conn is not None
        loop = asyncio.get_running_loop()
        conn = self._conn

        def readable() -> None:
            try:
                while conn.poll():
                    answer: Answer = conn.recv()
                    if answer.request_id in self._replies:
                        self._replies[answer.request_id].put_nowait(answer)
            except (EOFError, OSError):
                self.close()  # every waiting request learns it; the next turn starts a new child

        loop.add_reader(conn.fileno(), readable)
        self._listening = True

    def _send(self, message: Request) -> None:
        if self._conn is not None:
            try:
                self._conn.send(message)
                return
            except (OSError, ValueError):
                pass
        self.close()  # the child is gone; whoever waits is told


def _backend_died(started: float) -> Failed:
    metrics = Metrics(time.monotonic() - started, None, 0, None, 0, False)
    return Failed(ErrorKind.CLIENT, "the backend process stopped unexpectedly", "send the message again", "", metrics)
