"""The app's backend process: reads the configuration, then runs turns as the UI process asks.

See :mod:`.process` for why it exists, :mod:`.protocol` for what the two processes say, and :mod:`.main`
for how it starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
from multiprocessing.connection import Connection
from typing import Any

from ..config.errors import ConfigError
from ..config.loading import load_config
from ..config.settings import LoadedConfig
from ..engine import ErrorKind, Failed, Metrics
from .connection import ProviderConnection
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
from .turn_batches import TurnBatches

CLOSE_SECONDS = 3.0
"""When the app quits mid-answer, how long its turns may take to stop (and stop what runs on the server)."""
NICENESS = 5
"""Once configured, the child yields the CPU to the UI when both want it: keystrokes and frames come first."""


class BackendServer:
    """One :class:`ProviderConnection` per profile, made on first use (a simulator profile starts its simulator)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.config: LoadedConfig | None = None
        self.problem = "the configuration was not read"
        self.backends: dict[str, ProviderConnection] = {}
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.preparing: asyncio.Task[None] | None = None
        self.closed = asyncio.Event()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_reader(self.conn.fileno(), self._readable)
        await self.closed.wait()
        turns = list(self.tasks.values())
        for task in turns:
            task.cancel()
        if turns:  # a cancelled Responses-API turn stops its background response on the server first
            await asyncio.wait(turns, timeout=CLOSE_SECONDS)
        for backend in self.backends.values():
            await backend.aclose()

    def _readable(self) -> None:
        try:
            while self.conn.poll():
                self._handle(self.conn.recv())
        except (EOFError, OSError):
            asyncio.get_running_loop().remove_reader(self.conn.fileno())
            self.closed.set()

    def _handle(self, request: Request) -> None:
        match request:
            case Configure():
                self._configure(request)
            case ResolveProfile(request_id, name):
                self._answer(request_id, lambda: self._config().resolve_profile(name).view())
            case ListModels(request_id, profile):
                self._start(request_id, self._models(request_id, profile))
            case RunTurn():
                self._start(request.request_id, self._turn(request))
            case Cancel(request_id) if request_id in self.tasks:
                self.tasks[request_id].cancel()

    def _configure(self, request: Configure) -> None:
        try:
            self.config = load_config(request.config_path, {"model": request.model, "api": request.api})
            resolved = self.config.resolve_profile(request.profile, request.model)
        except Exception as exc:  # a ConfigError is already one line; anything else must still answer
            self.problem = (
                str(exc)
                if isinstance(exc, ConfigError)
                else (f"config error: cannot read the configuration: {type(exc).__name__}: {exc}")
            )
            self._send(Refusal(request.request_id, self.problem))
            return
        self._send(Reply(request.request_id, (self.config.app_settings(), resolved.view())))
        try:
            os.nice(NICENESS)
        except OSError:
            pass
        self.preparing = asyncio.create_task(self._prepare(resolved.name))

    async def _prepare(self, profile: str) -> None:
        """With the screen up: the SDK's imports, the simulator when it is the backend, the SDK client (its
        TLS context alone is ~40 ms of CPU) and its transport's backend, before the user's first question waits
        for them. Then what startup made is frozen out of the collector's sight and the collector runs as usual."""
        try:
            from ..engine import turn  # noqa: F401
            from ..engine.client import load_transport

            self._backend(profile).client  # noqa: B018 (made now, not at the first question)
            await load_transport()
        finally:
            gc.collect()
            gc.freeze()
            gc.enable()

    def _config(self) -> LoadedConfig:
        if self.config is None:
            raise ConfigError(self.problem)
        return self.config

    def _backend(self, profile: str) -> ProviderConnection:
        if profile not in self.backends:
            self.backends[profile] = ProviderConnection(self._config(), profile)
        return self.backends[profile]

    def _answer(self, request_id: int, compute: Any) -> None:
        try:
            self._send(Reply(request_id, compute()))
        except ConfigError as exc:
            self._send(Refusal(request_id, str(exc)))

    def _start(self, request_id: int, work: Any) -> None:
        self.tasks[request_id] = task = asyncio.create_task(work)
        task.add_done_callback(lambda _: self.tasks.pop(request_id, None))

    async def _models(self, request_id: int, profile: str) -> None:
        try:
            models = await self._backend(profile).list_models()
        except (ConfigError, BackendError) as exc:
            self._send(Refusal(request_id, str(exc)))
        except Exception as exc:  # a bug, said in one line
            self._send(Refusal(request_id, f"{type(exc).__name__}: {exc}"))
        else:
            self._send(Reply(request_id, models))

    async def _turn(self, request: RunTurn) -> None:
        batches = TurnBatches(lambda events, cancelled: self._send(TurnEvents(request.request_id, events, cancelled)))
        cancelled = False
        try:
            events = self._backend(request.profile).turn(
                request.system_prompt,
                request.history,
                model=request.model,
                asked_at=request.asked_at,
                resume_id=request.resume_id,
            )
            # Closed here when cancelled while gathering (outside the engine): it stops its stream, and a
            # background response on the server, in this task, before the turn says it was cancelled.
            async with contextlib.aclosing(events):
                async for event in events:
                    await batches.add(event)
        except asyncio.CancelledError:
            cancelled = True
        except ConfigError as exc:
            failure = Failed(
                ErrorKind.CLIENT,
                str(exc),
                "fix the configuration and start again",
                "",
                Metrics(0.0, None, 0, None, 0, False),
            )
            await batches.add(failure)
        finally:
            batches.close(cancelled=cancelled)

    def _send(self, message: Answer) -> None:
        try:
            self.conn.send(message)
        except (OSError, ValueError):
            self.closed.set()


def serve(conn: Connection) -> None:
    """Serve the parent until the pipe closes."""
    asyncio.run(BackendServer(conn).run())
