"""Run turns in a child process and hand their events to the caller's event loop in batches.

The SDK turns every SSE chunk into pydantic objects, about 0.3 ms of CPU a chunk. In the app that
work would share one event loop (and one core) with rendering and key handling: a fast stream then
both slows the screen down and makes keystrokes wait. Here the chunks are parsed in a child process
(on another core) and only the typed events cross over, a few milliseconds' worth per message.

The child is ``python -m tui_chat.engine.process FD`` on one end of a socketpair (a plain subprocess: no
re-import of the parent's ``__main__``), with pickled messages framed by ``multiprocessing.connection``.
Its stderr is discarded so nothing it prints can reach the full-screen terminal. Protocol: Parent to child: ``("turn", id, ClientSpec, TurnRequest,
TurnPolicy)`` and ``("cancel", id)``. Child to parent: ``(id, [event, ...])``; a turn's last batch ends
with its ``Finished`` or ``Failed``, or, after a cancel, with :data:`CANCELLED`.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from .events import ErrorKind, Failed, Finished, Metrics, Quirks, TurnEvent
from .request import TurnPolicy, TurnRequest

BATCH_SECONDS = 0.004
"""The longest an event waits in the child before it is sent: well under a frame."""
CANCELLED = "cancelled"


@dataclass(frozen=True)
class ClientSpec:
    """What the child needs to build the SDK client (the key stays in memory, never on disk or in logs)."""

    base_url: str | None
    api_key: str | None = field(repr=False)
    headers: tuple[tuple[str, str], ...] = ()


class EngineProcess:
    """A child process running turns; one at a time, like the app's exclusive turn worker."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._conn: Connection | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._inbox: asyncio.Queue[tuple[int, list[Any]] | None] | None = None

    def start(self) -> None:
        """Start the child (it imports the SDK in parallel with whatever the parent does next)."""
        if self._process is not None and self._process.poll() is None:
            return
        self.close()
        parent, child = socket.socketpair()
        with child:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "tui_chat.engine.process", str(child.fileno())], pass_fds=[child.fileno()],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=None if os.environ.get("TUI_CHAT_DEBUG") else subprocess.DEVNULL)
        self._conn = Connection(parent.detach())
        self._inbox = None

    async def turn(self, spec: ClientSpec, request: TurnRequest, policy: TurnPolicy) -> AsyncIterator[TurnEvent]:
        """The events of one turn, as :func:`run_turn` yields them. Cancelling the consumer cancels the turn."""
        self.start()
        assert self._conn is not None
        inbox = self._listen()
        turn_id = next(self._ids)
        started = time.monotonic()
        self._conn.send(("turn", turn_id, spec, request, policy))
        done = False
        try:
            while not done:
                message = await inbox.get()
                if message is None:
                    done = True
                    yield _engine_died(started)
                    return
                batch_id, events = message
                if batch_id != turn_id:
                    continue  # the tail of a turn cancelled earlier
                for event in events:
                    if event == CANCELLED:
                        done = True
                        return
                    done = isinstance(event, (Finished, Failed))
                    yield event
        finally:
            if not done and self._conn is not None:
                self._send(("cancel", turn_id))

    def _listen(self) -> asyncio.Queue[tuple[int, list[Any]] | None]:
        """Route the child's messages into a queue on this loop (once per loop)."""
        if self._inbox is None:
            assert self._conn is not None
            loop = asyncio.get_running_loop()
            inbox: asyncio.Queue[tuple[int, list[Any]] | None] = asyncio.Queue()
            conn = self._conn

            def readable() -> None:
                try:
                    while conn.poll():
                        inbox.put_nowait(conn.recv())
                except (EOFError, OSError):
                    loop.remove_reader(conn.fileno())
                    inbox.put_nowait(None)
                    self.close()  # the next turn starts a new child

            loop.add_reader(conn.fileno(), readable)
            self._inbox = inbox
        return self._inbox

    def _send(self, message: tuple[Any, ...]) -> None:
        try:
            assert self._conn is not None
            self._conn.send(message)
        except (OSError, ValueError):
            pass  # the child is gone; its turn is over anyway

    def close(self) -> None:
        if self._conn is not None:
            try:
                asyncio.get_running_loop().remove_reader(self._conn.fileno())
            except (RuntimeError, ValueError, OSError):
                pass
            self._conn.close()
            self._conn = None
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    self._process.kill()
            self._process = None


def _engine_died(started: float) -> Failed:
    metrics = Metrics(time.monotonic() - started, None, 0, None, 0, False)
    return Failed(ErrorKind.CLIENT, "the engine process stopped unexpectedly", "send the message again", "",
                  metrics)


CHILD_NICENESS = 5
"""The child yields the CPU to the UI when both want it: keystrokes and frames come first."""


def _serve(conn: Connection) -> None:
    """The child: run turns as the parent asks, until the pipe closes."""
    try:
        os.nice(CHILD_NICENESS)
    except OSError:
        pass
    from . import turn  # noqa: F401  the SDK's imports now, not when the user's first question waits

    asyncio.run(_Child(conn).run())



class _Child:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.quirks = Quirks()
        self.clients: dict[ClientSpec, Any] = {}
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.closed = asyncio.Event()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_reader(self.conn.fileno(), self._readable)
        await self.closed.wait()
        for task in self.tasks.values():
            task.cancel()
        for client in self.clients.values():
            await client.close()

    def _readable(self) -> None:
        try:
            while self.conn.poll():
                message = self.conn.recv()
                if message[0] == "turn":
                    _, turn_id, spec, request, policy = message
                    self.tasks[turn_id] = asyncio.create_task(self._turn(turn_id, spec, request, policy))
                elif message[0] == "cancel" and message[1] in self.tasks:
                    self.tasks[message[1]].cancel()
        except (EOFError, OSError):
            asyncio.get_running_loop().remove_reader(self.conn.fileno())
            self.closed.set()

    def _client(self, spec: ClientSpec, policy: TurnPolicy) -> Any:
        from .client import make_client

        if spec not in self.clients:
            self.clients[spec] = make_client(spec.base_url, spec.api_key, policy.timeouts, dict(spec.headers))
        return self.clients[spec]

    async def _turn(self, turn_id: int, spec: ClientSpec, request: TurnRequest, policy: TurnPolicy) -> None:
        from .turn import run_turn

        batch: list[Any] = []
        loop = asyncio.get_running_loop()
        flush_at: asyncio.TimerHandle | None = None

        def flush() -> None:
            nonlocal flush_at
            if flush_at is not None:
                flush_at.cancel()
                flush_at = None
            if batch:
                self._send((turn_id, batch.copy()))
                batch.clear()

        try:
            async for event in run_turn(self._client(spec, policy), request, policy, self.quirks):
                batch.append(event)
                if isinstance(event, (Finished, Failed)) or len(batch) >= 256:
                    flush()
                elif flush_at is None:
                    flush_at = loop.call_later(BATCH_SECONDS, flush)
        except asyncio.CancelledError:
            batch.append(CANCELLED)
        finally:
            flush()
            self.tasks.pop(turn_id, None)

    def _send(self, message: tuple[int, list[Any]]) -> None:
        try:
            self.conn.send(message)
        except (OSError, ValueError):
            self.closed.set()


if __name__ == "__main__":
    # Run the server from the module under its real name, so the classes the parent pickles are the same.
    from tui_chat.engine.process import _serve as serve

    serve(Connection(int(sys.argv[1])))
