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
are what was gathered (``STEADY_WAIT_SECONDS``)."""
MAX_BATCH = 256
GATHER_SECONDS = 0.125
MAX_GATHER_SECONDS = 0.35
DELTAS_A_BATCH = 4
STEADY_WAIT_SECONDS = 1 / 64
"""At the pace people read (text waited for ``STEADY_WAIT_SECONDS`` or more twice in a row: 64 tokens a second or
slower), the stream is not read again for a while, and what the server sends meanwhile is read at once and crosses
with the text in hand as one batch, ``STEADY_WAIT_SECONDS`` later (the loop takes a few turns to read it). The
while is the stream's time for the ``DELTAS_A_BATCH - 1`` deltas after the one in hand and half of the next (so one
due at its end falls clearly on one side): ``GATHER_SECONDS`` at 28 tokens a second and faster, ``MAX_GATHER_SECONDS``
at 10 and slower (no text waits longer to cross). A batch then holds about as many words whatever the pace, and
fewer than at 50 tokens a second. Each read of a chunk costs the SDK's and the HTTP client's layers (~0.8 ms of CPU
at 50 tokens a second, where parsing a chunk takes microseconds), and at this pace each batch is a frame in the UI
(a render of the paragraph being written and a screen update): at 10 tokens a second, batches of two tokens every
0.2 s were most of the app's CPU; four every 0.4 s use a third less (``benchmarks/README.md``). What came meanwhile
keeps the stream at that pace (unless it came faster), so the next text waited for is gathered too. The wait for
the first token, after a retry or of a fast stream for a server that fell behind for a moment gathers nothing: a
fast stream is read as it comes."""

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
        self._gathering = GATHER_SECONDS
        self._gathered_at: float | None = None
        """When the last gathering began (``None``: not at the pace people read)."""
        self._since_gathered = 0
        """Events read since then: with the time since, the stream's pace."""

    async def add(self, event: TurnEvent) -> None:
        """Queue ``event``; at the pace people read, then gather: wait a few deltas' time before the next is read."""
        self._batch.append(event)
        if isinstance(event, (Finished, Failed)) or len(self._batch) >= MAX_BATCH:
            self._flush()
        elif self._flush_at is None:
            # Sent when the loop next turns (with the events read with it), or in a batch's time.
            self._flush_at = self._loop.call_at(max(self._loop.time(), self._sent_at + BATCH_SECONDS), self._flush)
        text = isinstance(event, (Delta, ReasoningDelta))
        now = self._loop.time()
        self._since_gathered += 1
        if now - self._read_at < STEADY_WAIT_SECONDS:  # read with the one before it
            if self._meanwhile is not None:
                self._meanwhile += 1
            self._steady = self._meanwhile is not None and self._meanwhile <= self._gathering / STEADY_WAIT_SECONDS
        elif text and self._steady:  # waited for again at that pace: the server's, not a first token or a hiccup
            if self._flush_at is not None:
                self._flush_at.cancel()  # it crosses with what the server sends meanwhile
            self._gathering = self._next_gathering(now)
            await asyncio.sleep(self._gathering)
            self._flush_at = self._loop.call_later(STEADY_WAIT_SECONDS, self._flush)
            self._meanwhile = 0
        else:
            self._steady, self._meanwhile, self._gathered_at = text, None, None
        self._read_at = self._loop.time()

    def _next_gathering(self, now: float) -> float:
        """How long to gather from ``now``: ``DELTAS_A_BATCH - 1/2`` of the stream's intervals between events
        since the last gathering began (the first at this pace gathers ``GATHER_SECONDS``)."""
        began, events = self._gathered_at, self._since_gathered - 1
        self._gathered_at, self._since_gathered = now, 1
        if began is None or events <= 0:
            return GATHER_SECONDS
        return min(MAX_GATHER_SECONDS, max(GATHER_SECONDS, (now - began) * (DELTAS_A_BATCH - 0.5) / events))

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
