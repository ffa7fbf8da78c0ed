"""The status bar: the turn's state, redrawn on a fixed tick (about 10 Hz), never per delta.

It has a fixed height of one line, so a tick only repaints that line: no layout (``Static.update``
would ask for one, and a layout of the whole screen ten times a second is what a stream can't afford).
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from ...chat.text_safety import visible_line
from ..turn_status import Phase, TurnStatus

TICK_SECONDS = 0.1


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
        self.label = label
        self.notice = ""
        self.text = ""

    def on_mount(self) -> None:
        self.set_interval(TICK_SECONDS, self.tick)
        self.tick()

    def tick(self) -> None:
        status = self.status
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
