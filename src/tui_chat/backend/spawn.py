"""Starting the app's backend process: a fork of the app's own process as it starts, else a new interpreter.

The app's first screen waits for the child to read the configuration, and both processes start from the same
few imports: an interpreter (~15 ms of CPU here), asyncio (pydantic-settings imports it too) and the pipe's
``Connection``. Forked once this process has imported them (~45 ms in), the child starts with them, ~60 ms of
CPU that a new interpreter would spend again while the UI imports Textual: on a busy machine the two processes
share the cores, so that was the first screen's time too (``benchmarks/README.md``).

A fork copies only the calling thread: another thread's lock held at that moment stays held in the child. So
only a process that still has one thread forks, and only on Linux (macOS's system libraries are not safe to
use after a fork). Every other backend, such as the one that replaces a child that died once the app runs
its threads, is a new interpreter: ``python -m tui_chat.backend.main FD``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from typing import NoReturn


class ForkedProcess:
    """A forked child, with what :class:`~.process.BackendProcess` uses of :class:`subprocess.Popen`."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self._reap(os.WNOHANG)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """As ``Popen.wait``: polled with growing sleeps (at most 50 ms) when there is a timeout."""
        if timeout is None:
            while self.returncode is None:
                self._reap(0)
            return self.returncode
        deadline, delay = time.monotonic() + timeout, 0.0005
        while (code := self.poll()) is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise subprocess.TimeoutExpired(f"backend process {self.pid}", timeout)
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 0.05)
        return code

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _reap(self, options: int) -> None:
        try:
            pid, status = os.waitpid(self.pid, options)
        except ChildProcessError:  # reaped already, as Popen takes it
            self.returncode = 0
            return
        if pid:
            self.returncode = os.waitstatus_to_exitcode(status)

    def _signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)


ChildProcess = subprocess.Popen[bytes] | ForkedProcess
Spawned = tuple[ChildProcess, socket.socket]


def fork_backend() -> Spawned:
    """The app's first backend: forked after the imports both processes need (see the module), when this
    process may fork; spawned otherwise. The parent's end of a socketpair comes back with the child."""
    import asyncio  # noqa: F401 (both processes import these: the child gets them with the fork)
    import threading
    from multiprocessing import connection  # noqa: F401

    if sys.platform != "linux" or threading.active_count() > 1:
        return spawn_backend()
    parent, child = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        _serve_in_fork(parent, child)
    child.close()
    return ForkedProcess(pid), parent


def spawn_backend() -> Spawned:
    """``python -m tui_chat.backend.main FD`` on one end of a socketpair (a plain subprocess: no re-import of
    the parent's ``__main__``), and the parent's end. The child's stderr is discarded so nothing it prints can
    reach the full-screen terminal (``TUI_CHAT_DEBUG=1`` keeps it)."""
    parent, child = socket.socketpair()
    with child:
        process = subprocess.Popen(
            [sys.executable, "-m", "tui_chat.backend.main", str(child.fileno())],
            pass_fds=[child.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=None if os.environ.get("TUI_CHAT_DEBUG") else subprocess.DEVNULL,
        )
    return process, parent


def _serve_in_fork(parent: socket.socket, child: socket.socket) -> NoReturn:
    """The forked child, as :func:`spawn_backend`'s would run: without the parent's end of the pipe (so that it
    sees the parent go), its standard streams on ``/dev/null`` (stderr kept with ``TUI_CHAT_DEBUG=1``), and an
    exit that never returns into the parent's command line nor runs the parent's exit handlers."""
    code = 1
    try:
        parent.close()
        null = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1) if os.environ.get("TUI_CHAT_DEBUG") else (0, 1, 2):
            os.dup2(null, stream)
        os.close(null)
        from .main import run

        run(child.detach())
        code = 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stderr.flush()
        finally:
            os._exit(code)
