"""How one turn's events cross to the UI process: in batches, and at the pace people read, gathered.

The figures behind these numbers are in ``benchmarks/README.md``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ..engine import Delta, Failed, Finished, ReasoningDelta, TurnEvent

BATCH_SECONDS = 0.04
"""Events read together are sent together, and at most once this long (the last of a turn at once): every event
crossing the pipe on its own woke the UI's loop, its worker and its queue. At the pace people read, the batches
are what was gathered (``GATHER_SECONDS``)."""
MAX_BATCH = 256
GATHER_SECONDS = 0.125
STEADY_WAIT_SECONDS = 1 / 64
"""At the pace people read (text waited for ``STEADY_WAIT_SECONDS`` or more twice in a row: 64 tokens a second or
slower), the stream is not read again for ``GATHER_SECONDS``, and what the server sends meanwhile is read at once
and crosses with the text in hand as one batch. Each read of a chunk costs the SDK's and the HTTP client's layers
(~0.8 ms of CPU at 50 tokens a second, where parsing a chunk takes microseconds); the answer's frames come an
eighth of a second apart at that pace anyway, and each batch is then due one. The wait for the first token, after
a retry or of a fast stream for a server that fell behind for a moment gathers nothing: a fast stream is read as
it comes."""

Send = Callable[[list[TurnEvent], bool], None]
"""Sends a batch of events, and whether the turn was cancelled (then the batch is its last)."""


class TurnBatches:
    """The events of one turn on their way to the UI. :meth:`add` each event as the engine yields it, and
    :meth:`close` once the turn ended, however it ended."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._loop = asyncio.get_running_loop()
        self._batch: list[TurnEvent] = []
        self._flush_at: asyncio.TimerHandle | None = None
        self._sent_at = -BATCH_SECONDS
        self._read_at = self._loop.time()
        self._after_paced = False

    async def add(self, event: TurnEvent) -> None:
        """Queue ``event``; at the pace people read, then wait ``GATHER_SECONDS`` before the next is read."""
        self._batch.append(event)
        if isinstance(event, (Finished, Failed)) or len(self._batch) >= MAX_BATCH:
            self._flush()
        elif self._flush_at is None:
            # Sent when the loop next turns (with the events read with it), or in a batch's time.
            self._flush_at = self._loop.call_at(max(self._loop.time(), self._sent_at + BATCH_SECONDS), self._flush)
        waited = self._loop.time() - self._read_at >= STEADY_WAIT_SECONDS
        paced = waited and isinstance(event, (Delta, ReasoningDelta))
        if paced and self._after_paced:  # twice in a row: the server's pace, not a first token or a hiccup
            if self._flush_at is not None:
                self._flush_at.cancel()  # it crosses with what the server sends meanwhile
            await asyncio.sleep(GATHER_SECONDS)
            self._flush_at = self._loop.call_at(self._loop.time(), self._flush)  # after the events read at once
        self._after_paced, self._read_at = paced, self._loop.time()

    def close(self, *, cancelled: bool = False) -> None:
        """Send what is left now (and that the turn was cancelled, if it was)."""
        self._flush(cancelled)

    def _flush(self, cancelled: bool = False) -> None:
        if self._flush_at is not None:
            self._flush_at.cancel()
            self._flush_at = None
        self._sent_at = self._loop.time()
        if self._batch or cancelled:
            self._send(self._batch.copy(), cancelled)
            self._batch.clear()
