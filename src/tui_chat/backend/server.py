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
from ..engine import Delta, ErrorKind, Failed, Finished, Metrics, ReasoningDelta
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

BATCH_SECONDS = 0.04
"""Events read together are sent together, and at most once this long (the last of a turn at once): every event
crossing the pipe on its own woke the UI's loop, its worker and its queue. At the pace people read, the batches
are what was gathered (``GATHER_SECONDS``). The figures are in ``benchmarks/README.md``."""
GATHER_SECONDS = 0.125
STEADY_WAIT_SECONDS = 1 / 64
"""At the pace people read (text waited for ``STEADY_WAIT_SECONDS`` or more twice in a row: 64 tokens a second or
slower), the stream is not read again for ``GATHER_SECONDS``, and what the server sends meanwhile is read at once
and crosses with the text in hand as one batch. Each read of a chunk costs the SDK's and the HTTP client's layers
(~0.8 ms of CPU at 50 tokens a second, where parsing a chunk takes microseconds); the answer's frames come an
eighth of a second apart at that pace anyway, and each batch is then due one. The wait for the first token, after
a retry or of a fast stream for a server that fell behind for a moment gathers nothing: a fast stream is read as
it comes."""
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
        turn_id = request.request_id
        batch: list[Any] = []
        cancelled = False
        loop = asyncio.get_running_loop()
        flush_at: asyncio.TimerHandle | None = None
        sent_at = -BATCH_SECONDS

        def flush() -> None:
            nonlocal flush_at, sent_at
            if flush_at is not None:
                flush_at.cancel()
                flush_at = None
            sent_at = loop.time()
            if batch or cancelled:
                self._send(TurnEvents(turn_id, batch.copy(), cancelled))
                batch.clear()

        try:
            connection = self._backend(request.profile)
            read_at, after_paced = loop.time(), False
            events = connection.turn(
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
                    batch.append(event)
                    if isinstance(event, (Finished, Failed)) or len(batch) >= 256:
                        flush()
                    elif flush_at is None:
                        # Sent when the loop next turns (with the events read with it), or in a batch's time.
                        flush_at = loop.call_at(max(loop.time(), sent_at + BATCH_SECONDS), flush)
                    waited = loop.time() - read_at >= STEADY_WAIT_SECONDS
                    paced = waited and isinstance(event, (Delta, ReasoningDelta))
                    if paced and after_paced:  # twice in a row: the server's pace, not a first token or a hiccup
                        if flush_at is not None:
                            flush_at.cancel()  # it crosses with what the server sends meanwhile
                        await asyncio.sleep(GATHER_SECONDS)
                        flush_at = loop.call_at(loop.time(), flush)  # after the events read at once
                    after_paced, read_at = paced, loop.time()
        except asyncio.CancelledError:
            cancelled = True
        except ConfigError as exc:
            batch.append(
                Failed(
                    ErrorKind.CLIENT,
                    str(exc),
                    "fix the configuration and start again",
                    "",
                    Metrics(0.0, None, 0, None, 0, False),
                )
            )
        finally:
            flush()

    def _send(self, message: Answer) -> None:
        try:
            self.conn.send(message)
        except (OSError, ValueError):
            self.closed.set()


def serve(conn: Connection) -> None:
    """Serve the parent until the pipe closes."""
    asyncio.run(BackendServer(conn).run())
