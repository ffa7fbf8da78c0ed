"""A deadline for a streaming loop that yields to its consumer between reads.

``asyncio.timeout`` cannot span the loop: it would cancel the task wherever it is when the time comes,
inside the consumer's code too, and one ``asyncio.timeout`` per read costs a timer handle per chunk (the
engine's overhead over the raw SDK went from 1.02x to 1.17x). This one keeps a single timer: when it
fires while the loop waits on the socket, it cancels that wait; otherwise it leaves a mark that the loop
checks after the chunk in hand.
"""

from __future__ import annotations

import asyncio


class Watchdog:
    def __init__(self, when: float) -> None:
        self.loop = asyncio.get_running_loop()
        self.task = asyncio.current_task()
        self.fired = False
        self.reading = True
        """True while the loop waits for the next chunk: the only time the watchdog may cancel it."""
        self._handle = self.loop.call_at(when, self._fire)

    def move(self, when: float) -> None:
        """Fire at ``when`` instead (sooner, once the answer's finish arrived)."""
        self._handle.cancel()
        self._handle = self.loop.call_at(when, self._fire)

    def _fire(self) -> None:
        self.fired = True
        if self.reading and self.task is not None:
            self.task.cancel()

    def absorb(self) -> bool:
        """After a ``CancelledError``: True when it was this watchdog's doing (then it is undone)."""
        if self.fired and self.reading and self.task is not None and self.task.cancelling():
            return self.task.uncancel() == 0  # a cancel of the user's own as well still goes through
        return False

    def stop(self) -> None:
        self._handle.cancel()
