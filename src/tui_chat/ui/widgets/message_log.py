"""The scrolling list of messages, pinned to the bottom while the user is there (``anchor()``).

Only a window of the conversation is mounted: the last ``FIRST_SCREEN`` messages when it opens (about a
screenful: each mounted answer is rendered before the first frame), the ``BATCH`` before them right after
that frame, earlier batches as the user scrolls to the top, and widgets far above the view are pruned as
new messages arrive, so a 10,000-message conversation opens at once and a long session's memory stays bounded.
The window always reaches the end of the conversation, where new messages are added.
"""

from __future__ import annotations

import asyncio

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.scrollbar import ScrollBar
from textual.widget import Widget

from ...chat.conversation import ChatMessage
from .keys_in_order import KeysInOrder
from .messages import AssistantMessage, UserMessage
from .one_reflow import OneReflow
from .same_rows import SameRowsScrollBar

FIRST_SCREEN = 12
BATCH = 24
MAX_MOUNTED = 160
NEEDED_TO_OPEN = FIRST_SCREEN + BATCH
"""The newest messages a conversation must have in memory to open; the rest can follow after the first frame."""


def message_widget(message: ChatMessage) -> Widget:
    return UserMessage(message) if message.role == "user" else AssistantMessage(message)


class MessageLog(KeysInOrder, OneReflow, VerticalScroll, can_focus=True):
    """With the focus (Tab from the prompt), a cursor marks one message: Up/Down move it, and the app copies
    the message (c), one of its code blocks (g), or takes a question back to edit and resend (e)."""

    BINDINGS = [
        Binding("up,k", "move_cursor(-1)", "Previous message", show=False),
        Binding("down,j", "move_cursor(1)", "Next message", show=False),
        Binding("c,y", "choose('copy')", "Copy message"),
        Binding("g", "choose('code')", "Copy code"),
        Binding("e", "choose('edit')", "Edit and resend"),
    ]

    class Chosen(Message):
        """The user asked for ``what`` (copy, code, edit) on ``message``."""

        def __init__(self, message: ChatMessage, what: str) -> None:
            super().__init__()
            self.message = message
            self.what = what

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.messages: list[ChatMessage] = []
        self.first = 0
        """Index in ``messages`` of the first mounted message."""
        self._loading = False
        self._cursor: Widget | None = None

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """Textual's, made as Textual makes it, but a scrollbar that draws its track and its thumb once a frame
        (:mod:`.same_rows`): a frame that scrolls the log moves the thumb, and every cell of it was drawn."""
        if self._vertical_scrollbar is None:
            bar = SameRowsScrollBar(vertical=True, name="vertical", thickness=self.scrollbar_size_vertical)
            bar.display = False
            self._vertical_scrollbar = bar
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar

    # -- the message cursor ------------------------------------------------------------------------

    @property
    def cursor(self) -> ChatMessage | None:
        """The message the cursor marks (while the log has the focus)."""
        return getattr(self._cursor, "message", None) if self._cursor is not None and self._cursor.parent else None

    def on_focus(self) -> None:
        if self.cursor is None and self.children:
            self._put_cursor(self.children[-1])

    def _put_cursor(self, widget: Widget) -> None:
        if self._cursor is not None:
            self._cursor.remove_class("-cursor")
        self._cursor = widget
        widget.add_class("-cursor")
        self.scroll_to_widget(widget, animate=False, top=widget.outer_size.height > self.size.height)

    async def action_move_cursor(self, step: int) -> None:
        widgets = list(self.children)
        if not widgets:
            return
        index = widgets.index(self._cursor) if self._cursor in widgets else len(widgets) - 1
        if index + step < 0 and self.first > 0 and not self._loading:  # the earlier messages, then one more step
            self._loading = True
            await self._load_earlier()
            widgets = list(self.children)
            index = widgets.index(self._cursor) if self._cursor in widgets else 0
        self._put_cursor(widgets[max(0, min(len(widgets) - 1, index + step))])

    def action_choose(self, what: str) -> None:
        if self.cursor is not None:
            self.post_message(self.Chosen(self.cursor, what))

    async def reveal(self, message: ChatMessage) -> Widget | None:
        """Mount the batches down to ``message`` if it is above the window, and scroll it into view."""
        if message not in self.messages:
            return None
        index = self.messages.index(message)
        for _ in range(500):  # bounded: a batch being mounted (after the first frame, on scrolling) ends soon
            if not self._loading:
                break
            await asyncio.sleep(0.01)
        while index < self.first and not self._loading:  # each batch moves ``first`` up
            self._loading = True
            await self._load_earlier()
            self._loading = False
        widget = next((c for c in self.children if getattr(c, "message", None) is message), None)
        if widget is not None:  # after the batches' own position fix-ups, which were queued first
            self.call_after_refresh(self.scroll_to_widget, widget, animate=False, top=True)
        return widget

    def on_mount(self) -> None:
        self.anchor()

    async def show(self, messages: list[ChatMessage]) -> None:
        """Show ``messages`` (the conversation's own list: later appends are added with :meth:`add`)."""
        self.messages = messages
        self.first = max(0, len(messages) - FIRST_SCREEN)
        self._loading = True  # scrolling while the window is replaced must not load a batch
        await self.remove_children()
        await self.mount_all([message_widget(m) for m in messages[self.first :]])
        self.anchor()
        if self.first > 0:
            self.call_after_refresh(self._load_earlier)  # so that scrolling up finds more at once
        else:
            self._loading = False

    def prepended(self, count: int) -> None:
        """``count`` older messages were put in front of the list being shown (read after the first frame)."""
        self.first += count

    async def add(self, message: ChatMessage) -> Widget:
        """Mount the widget of ``message``, already appended to the conversation's list, and follow the end
        (a question sent or an answer begun is where the user looks next), so the oldest above can go."""
        self.anchor()
        widget = message_widget(message)
        await self.mount(widget)
        excess = len(self.children) - MAX_MOUNTED
        if excess > 0:
            await self.remove_children(list(self.children[:excess]))
            self.first += excess
        return widget

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new <= 1 and self.first > 0 and not self._loading:
            self._loading = True
            self.call_later(self._load_earlier)

    async def _load_earlier(self) -> None:
        """Mount the previous batch above, keeping what the user is looking at in place. Loading stays
        marked until the position is restored, or the top would ask for the batch before it at once."""
        try:
            start = max(0, self.first - BATCH)
            widgets = [message_widget(m) for m in self.messages[start : self.first]]
            keep = self.children[0] if self.children else None
            following = self.is_vertical_scroll_end
            before = keep.virtual_region.y if keep else 0
            await self.mount_all(widgets, before=0)
            self.first = start
        except BaseException:
            self._loading = False
            raise
        if keep is None or following:  # the anchor keeps the end in view; a scroll would release it
            self._loading = False
        else:
            self.call_after_refresh(self._restore_position, keep, before)

    def _restore_position(self, keep: Widget, before: int) -> None:
        self._loading = False
        shift = keep.virtual_region.y - before
        if shift > 0:
            self.scroll_to(y=self.scroll_y + shift, animate=False, immediate=True)

    def hold_frames(self) -> None:
        """A key arrived: every answer's next frame and rendering slice wait for the key's screen update. Not
        only the streaming one's: an answer goes on drawing its backlog after its stream ended, and answers
        opened with a conversation or drawn again at a new width draw in slices too."""
        for child in self.children:
            if isinstance(child, AssistantMessage):
                child.body.hold()

    def last_assistant(self) -> AssistantMessage | None:
        found = self.query(AssistantMessage)
        return found.last() if found else None

    async def remove_message(self, message: ChatMessage) -> None:
        """Remove the widget of ``message`` alone."""
        await self.remove_children([c for c in self.children if getattr(c, "message", None) is message])

    async def remove_from(self, message: ChatMessage) -> None:
        """Remove the widget of ``message`` and every one after it."""
        doomed, seen = [], False
        for child in self.children:
            seen = seen or getattr(child, "message", None) is message
            if seen:
                doomed.append(child)
        await self.remove_children(doomed)
