"""The status bar: the turn's state, redrawn on a tick, never per delta.

It has a fixed height of one line, so a tick only repaints that line: no layout (``Static.update``
would ask for one, and a layout of the whole screen ten times a second is what a stream can't afford).
It ticks only while what it shows moves with the clock: 10 times a second while a countdown or a wait is
shown, never at rest, where only an event changes it (:meth:`tick` is then called by whoever changed it).
While an answer streams (a token count and a rate) it is drawn with the answer's frames (:meth:`framed`), at
most 4 times a second, so that both take one screen update: ticking on a clock of its own, it took a screen
update of its own 4 times a second, a third of the updates at reading pace. Its own clock then only covers
the stretches without frames (reasoning, a pause).
"""

from __future__ import annotations

import time

from textual.content import Content
from textual.timer import Timer
from textual.widget import Widget

from ...chat.text_safety import visible_line
from ..turn_status import Phase, TurnStatus

TICK_SECONDS = 0.1
STREAMING_TICK_SECONDS = 0.5
FRAMED_TICK_SECONDS = 0.25


class StatusBar(Widget):
    DEFAULT_CSS = """
    StatusBar { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    StatusBar.-busy { color: $text; }
    StatusBar.-retrying { background: $warning-muted; color: $text; }
    StatusBar.-failed { background: $error-muted; color: $text; }
    """

    def __init__(self, status: TurnStatus, *, label: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.status = status
        self._label = label
        self._notice = ""
        self.text = ""
        self._ticker: Timer | None = None
        self._every = 0.0
        self._drawn_at = 0.0

    def on_mount(self) -> None:
        self.tick()

    @property
    def label(self) -> str:
        return self._label

    @label.setter
    def label(self, label: str) -> None:
        self._label = label
        if self.is_mounted:
            self.tick()

    @property
    def notice(self) -> str:
        return self._notice

    @notice.setter
    def notice(self, notice: str) -> None:
        self._notice = notice
        if self.is_mounted:
            self.tick()

    def framed(self) -> None:
        """The answer just showed a frame: draw with it, unless drawn in the last ``FRAMED_TICK_SECONDS``."""
        if self.status.phase is Phase.STREAMING and time.monotonic() - self._drawn_at >= FRAMED_TICK_SECONDS:
            self.tick()

    def _on_clock(self) -> None:
        if self.status.phase is not Phase.STREAMING or time.monotonic() - self._drawn_at >= STREAMING_TICK_SECONDS:
            self.tick()

    def tick(self) -> None:
        """Draw what the status says now, and keep ticking only while that moves with the clock."""
        status = self.status
        every = 0.0 if not status.busy else STREAMING_TICK_SECONDS if status.phase is Phase.STREAMING else TICK_SECONDS
        if every != self._every:
            if self._ticker is not None:
                self._ticker.stop()
            self._ticker = self.set_interval(every, self._on_clock) if every else None
            self._every = every
        self._drawn_at = time.monotonic()
        parts = [status.text()]
        if status.fallback_text and status.busy:
            parts.append(status.fallback_text)
        if self.notice:
            parts.append(self.notice)
        if self.label:
            parts.append(self.label)
        text = " │ ".join(parts)
        if text != self.text:
            self.text = text
            self.refresh()
        self.set_class(status.busy, "-busy")
        self.set_class(status.phase is Phase.RETRYING, "-retrying")
        self.set_class(status.phase is Phase.FAILED, "-failed")

    def render(self) -> Content:
        return Content(visible_line(self.text))
