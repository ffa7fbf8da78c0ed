"""The app's main screen: where its prompt gets the focus, how it draws partial updates, its first styling, and
when a key is painted."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.screen import Screen

from .row_cropping_compositor import RowCroppingCompositor


class ChatScreen(Screen[None]):
    """The app's screen. Its prompt is focused as it is composed: focused later, from ``on_mount``, the log
    (which Textual focuses first) and the prompt were each styled twice more before the first frame."""

    AUTO_FOCUS = "#prompt"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._compositor = RowCroppingCompositor()
        self._shown = False
        self._key_to_paint = False

    def key_arrived(self) -> None:
        """A key is on its way: the screen update that shows it is not to wait for Textual's update timer."""
        self._key_to_paint = True

    async def _on_idle(self, event: events.Idle) -> None:
        """Once the focused widget has taken a key and asked to be painted, the screen is updated at once. Textual
        updates it at the next tick of a timer at 60 Hz, and while an answer streams that timer has just ticked
        for its frame: a key waited up to 17 ms more. (Textual's own handler runs after this one: what is left
        to it, the update timer and the callbacks waiting for an update, it does as always.)"""
        if self._key_to_paint and self.focused is not None and self.focused in self._dirty_widgets:
            self._key_to_paint = False
            self._on_timer_update()

    def post_message(self, message: Message) -> bool:
        """When the screen is first shown, Textual styles it and every widget on it again, on the way to the
        first frame, though each was styled as it was mounted with the theme already set (``ChatApp.on_load``):
        that once, it is not. Later (a dialog closed) the screen is styled again as Textual does."""
        if isinstance(message, events.ScreenResume) and not self._shown:
            self._shown = True
            message = events.ScreenResume(refresh_styles=False)
        return super().post_message(message)
