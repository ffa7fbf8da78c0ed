"""The app's main screen: where its prompt gets the focus, how it draws partial updates, and its first styling."""

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

    def post_message(self, message: Message) -> bool:
        """When the screen is first shown, Textual styles it and every widget on it again, on the way to the
        first frame, though each was styled as it was mounted with the theme already set (``ChatApp.on_load``):
        that once, it is not. Later (a dialog closed) the screen is styled again as Textual does."""
        if isinstance(message, events.ScreenResume) and not self._shown:
            self._shown = True
            message = events.ScreenResume(refresh_styles=False)
        return super().post_message(message)
