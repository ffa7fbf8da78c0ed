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
and crosses with the text in hand as one batch, ``STEADY_WAIT_SECONDS`` later (the loop takes a few turns to read
it). Each read of a chunk costs the SDK's and the HTTP client's layers (~0.8 ms of CPU at 50 tokens a second,
where parsing a chunk takes microseconds); the answer's frames come an eighth of a second apart at that pace
anyway, and each batch is then due one: at 10 tokens a second, a batch and a frame every other token. What came
meanwhile keeps the stream at that pace (unless it came faster), so the next text waited for is gathered too.
The wait for the first token, after a retry or of a fast stream for a server that fell behind for a moment
gathers nothing: a fast stream is read as it comes."""

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
        self._steady = False
        """The text read last came at the pace people read."""
        self._meanwhile: int | None = None
        """How many events were read at once after the last gathering (``None``: text was waited for since)."""

    async def add(self, event: TurnEvent) -> None:
        """Queue ``event``; at the pace people read, then wait ``GATHER_SECONDS`` before the next is read."""
        self._batch.append(event)
        if isinstance(event, (Finished, Failed)) or len(self._batch) >= MAX_BATCH:
            self._flush()
        elif self._flush_at is None:
            # Sent when the loop next turns (with the events read with it), or in a batch's time.
            self._flush_at = self._loop.call_at(max(self._loop.time(), self._sent_at + BATCH_SECONDS), self._flush)
        text = isinstance(event, (Delta, ReasoningDelta))
        if self._loop.time() - self._read_at < STEADY_WAIT_SECONDS:  # read with the one before it
            if self._meanwhile is not None:
                self._meanwhile += 1
            self._steady = self._meanwhile is not None and self._meanwhile <= GATHER_SECONDS / STEADY_WAIT_SECONDS
        elif text and self._steady:  # waited for again at that pace: the server's, not a first token or a hiccup
            if self._flush_at is not None:
                self._flush_at.cancel()  # it crosses with what the server sends meanwhile
            await asyncio.sleep(GATHER_SECONDS)
            self._flush_at = self._loop.call_later(STEADY_WAIT_SECONDS, self._flush)
            self._meanwhile = 0
        else:
            self._steady, self._meanwhile = text, None
        self._read_at = self._loop.time()

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
