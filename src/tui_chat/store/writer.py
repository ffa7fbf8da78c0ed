"""The history's writes, on a thread of their own, in the order they were asked for.

A write can wait for SQLite: up to the busy timeout (5 s) while another tui-chat holds the lock, and the
first one for the integrity check. Asked from the app's event loop, that wait would freeze the screen and
the keys; here the loop only puts the write in a bounded queue. Whoever reads waits for the queue to be
empty first (:meth:`drain`), so a read always sees every write asked before it. A ``kill -9`` loses what
is still queued: the last few milliseconds, on top of the last checkpoint's second.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

QUEUE_LIMIT = 256
"""Writes waiting at most; a producer past it waits (a stuck disk then slows the screen, never grows memory)."""


class Writer:
    def __init__(self, limit: int = QUEUE_LIMIT) -> None:
        self._jobs: queue.Queue[Callable[[], object] | None] = queue.Queue(maxsize=limit)
        self._thread: threading.Thread | None = None

    def put(self, job: Callable[[], object]) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="tui-chat-history-writer", daemon=True)
            self._thread.start()
        self._jobs.put(job)

    def drain(self) -> None:
        """Return once every write asked so far is done."""
        if self._thread is not None:
            self._jobs.join()

    def close(self) -> None:
        """Finish every write asked, then stop the thread."""
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                job()
            finally:
                self._jobs.task_done()
