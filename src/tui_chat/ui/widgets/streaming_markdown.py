"""An answer's Markdown as one widget whose cost per delta does not grow with the answer.

Deltas are only queued (a list append); a frame applies them, at most once a frame interval. Each apply cuts
what became safe to settle off the tail (:mod:`..markdown_segments`) and renders it once, appending
its lines to the settled lines; only the short tail is rendered again. ``render_line`` is a list
lookup. The screen hears of new lines only once a frame (:meth:`_show`): every change of height
reflows and repaints the whole scrolled log, so rendering a backlog in slices must not repaint per
slice. Being one widget matters as much as rendering once: the layout then has a single height to
ask for, where a tree of Markdown block widgets makes every reflow walk every block of the answer
(measured: that, not the network, dominated a 32,000-token answer).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from textual.geometry import Region, Size
from textual.selection import Selection
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from ...chat.text_safety import visible_text
from ..markdown_segments import FENCE, Split, ends_with_rule, split
from .answer_pace import CATCH_UP_SECONDS, AnswerPace
from .one_reflow import OneReflow

SPARE_ROWS = 2
"""While an answer streams it is laid out with up to this many blank rows below its text, which the next lines
fill without a reflow: a reflow repaints the whole scrolled log, and at the pace people read most frames add a
line (a list item, a short line of code), so that was half of the app's CPU. The log then scrolls three lines at
a time; the answer's height is exact again when it ends."""


class StreamingMarkdown(OneReflow, Widget):
    DEFAULT_CSS = "StreamingMarkdown { height: auto; }"

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._segments: list[tuple[str, bool]] = []
        """Settled Markdown, each with: does it continue a code block cut before it (no gap)?"""
        self._settled_raw: list[str] = []
        """The raw (made-safe) text the settled segments cover."""
        self._tail = ""
        self._raw_tail = ""
        self._open_fence = ""
        self._open_list = ""
        self._pending: list[str] = []
        self._frame: asyncio.Handle | None = None
        """The next frame: apply what is queued and show what changed."""
        self._catch_up: Timer | None = None
        """The next slice of rendering a backlog of settled segments."""
        self.on_frame: Callable[[], None] | None = None
        """Called when a frame showed new text: whatever moves with the answer is drawn in the same update."""
        self._painting = False
        self._asked_height = -1
        """The height the last layout this widget asked for was for."""
        self._streaming = False
        self._room = 0
        """While streaming: the rows laid out, the text's and spare ones (``SPARE_ROWS``); 0: just the text's."""
        self._pace = AnswerPace()
        self._dirty_top: int | None = None
        """The first row changed since the screen was last told (``None``: nothing changed)."""
        self._width = -1
        self._rendered = 0
        """How many settled segments are in ``_settled_lines`` at the current width."""
        self._settled_lines: list[Strip] = []
        self._tail_lines: list[Strip] = []
        self._tail_width = -1
        self._code_drawn_plain = False
        self._plain_from: tuple[int, int] | None = None
        """(segment, row) of the first settled segment drawn since code was drawn plain."""
        self._apply(split(visible_text(text), final=True), visible_text(text))

    # -- what is shown -----------------------------------------------------------------------------

    @property
    def source(self) -> str:
        """The (made-safe) Markdown shown, including what is queued."""
        return "".join(self._settled_raw) + self._raw_tail + visible_text("".join(self._pending))

    def write(self, text: str) -> None:
        """Queue a delta; it is shown within a frame. Cheap: this runs once per delta."""
        self._streaming = True
        self._pending.append(text)
        if self._frame_soon or not self.is_mounted:
            return
        if self._pace.due():
            self._frame_in(None)  # after the rest of the events that woke the loop, in the same wake
        else:
            self._next_frame()

    def hold(self) -> None:
        """A key was pressed: its screen update goes first, then a frame (see :mod:`.answer_pace`)."""
        self._pace.key_pressed()

    def _after_hold(self, callback: Callable[[], None]) -> Timer | None:
        """While a key's screen update goes first, a timer that runs ``callback`` after it; else ``None``."""
        held = self._pace.held_for()
        return self.set_timer(held, callback) if held > 0 else None

    def _next_frame(self) -> None:
        if self._frame is None and self.is_mounted:
            self._frame_in(self._pace.frame_interval())

    def _frame_in(self, delay: float | None) -> None:
        """The next frame in ``delay`` seconds (``None``: as soon as the loop is free). An asyncio handle, not a
        Textual timer: a timer is a task and a message to this widget, three turns of the loop a frame where a
        handle is one."""
        if self._frame is not None:
            self._frame.cancel()
        loop = asyncio.get_running_loop()
        self._frame = loop.call_soon(self._frame_now) if delay is None else loop.call_later(delay, self._frame_now)

    @property
    def _frame_soon(self) -> bool:
        """The next frame runs as soon as the loop is free (a delta came when a frame was due)."""
        return self._frame is not None and not isinstance(self._frame, asyncio.TimerHandle)

    def _frame_now(self) -> None:
        self._frame = None
        try:
            self._on_frame()
        except Exception as error:  # as in a Textual timer: the app stops and says why
            self.app._handle_exception(error)

    def _on_frame(self) -> None:
        held = self._pace.held_for()
        if held > 0:
            self._frame_in(held)
            return
        news = bool(self._pending)
        if news:
            self._pace.framed(len(self._pending))
            raw = self._raw_tail + visible_text("".join(self._pending))
            self._pending.clear()
            lines = self._pace.segment_lines()
            self._apply(split(raw, open_fence=self._open_fence, open_list=self._open_list, min_lines=lines), raw)
        self._show()
        if news and self.on_frame is not None:
            self.on_frame()  # now, not by a message: what it draws then shares this frame's screen update
        if self._rendered < len(self._segments):
            self._next_frame()  # a backlog is being drawn: show its progress a frame from now

    def on_mount(self) -> None:
        """The first layout can draw a long answer before the widget is mounted, when it sets no timer for the
        rest of the backlog (an answer opened from the history stopped after its first slice): set them now
        (``is_mounted`` is still false here)."""
        if self._rendered < len(self._segments) and self._catch_up is None:
            self._catch_up = self.set_timer(CATCH_UP_SECONDS, self._on_catch_up)
            if self._frame is None:
                self._frame_in(self._pace.frame_interval())

    def on_unmount(self) -> None:
        if self._frame is not None:  # Textual stops a widget's timers; a handle is this widget's to cancel
            self._frame.cancel()
            self._frame = None

    def _on_catch_up(self) -> None:
        self._catch_up = self._after_hold(self._on_catch_up)
        if self._catch_up is not None:
            return
        self._advance()

    def finish(self, text: str) -> None:
        """The stream ended: show exactly ``text``, keeping every settled segment that matches it."""
        self._pending.clear()
        self._no_more_room()
        final = visible_text(text)
        shown = "".join(self._settled_raw)
        if final.startswith(shown):
            rest = final[len(shown) :]
            self._apply(split(rest, open_fence=self._open_fence, open_list=self._open_list, final=True), rest)
            self._show()
        else:
            self.reset(text)

    def reset(self, text: str = "") -> None:
        """Show ``text`` instead of everything (the engine restarted the answer)."""
        self._pending.clear()
        self._no_more_room()
        self._segments, self._settled_raw, self._settled_lines, self._open_fence, self._open_list = [], [], [], "", ""
        self._width, self._rendered = -1, 0
        final = visible_text(text)
        self._apply(split(final, final=True), final)
        self._show()

    def _no_more_room(self) -> None:
        """Back to the text's own height (the next deltas, if any, make room again)."""
        self._streaming = False
        if self._room:
            self._room = 0
            if self.is_mounted:
                self.refresh(layout=True)

    def _apply(self, cut: Split, raw: str) -> None:
        """Settle what ``cut`` settled of ``raw``; the rest becomes the tail. The screen hears at :meth:`_show`."""
        self._segments.extend(zip(cut.settled, cut.joins, strict=False))
        if cut.consumed:
            self._settled_raw.append(raw[: cut.consumed])
        drawn = self._rendered
        if self._catch_up is None:
            self._advance()  # else slices are drawing a backlog: a frame that drew too kept a key waiting longer
        self._raw_tail, self._open_fence, self._tail_joined = raw[cut.consumed :], cut.open_fence, cut.tail_joins
        self._open_list = cut.open_list
        if cut.tail == self._tail and not cut.settled and self._rendered == drawn:
            return
        self._tail, self._tail_width = cut.tail, -1
        self._changed_from(len(self._settled_lines))

    def _changed_from(self, row: int) -> None:
        self._dirty_top = row if self._dirty_top is None else min(self._dirty_top, row)

    def _show(self) -> None:
        """Tell the screen what changed since the last frame: the rows from the first changed one, and the
        layout only if the height changed (a reflow repaints the whole log)."""
        if self._dirty_top is None or not self.is_mounted:
            return
        if self._width <= 0:
            self._dirty_top = None
            self.refresh(layout=True)
            return
        rows = self._height_at(self._width)
        if self._streaming and rows > self._room:
            self._room = rows + SPARE_ROWS
        height = max(rows, self._room)
        laid_out = self.size.height  # what the last layout gave this widget (it has no padding or border)
        # A reflow of what scrolled into view alone can give this widget its new height without telling its
        # containers (the log then cannot scroll to its end): a height not yet asked for is asked for.
        relayout = height != laid_out or height != self._asked_height
        self._asked_height = height
        top, self._dirty_top = self._dirty_top, None
        self.refresh(Region(0, top, self._width, max(height, laid_out) - top + 1), layout=relayout)

    # -- rendering ---------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self._width > 0 and (self.rich_style != self._style or self.app.current_theme.dark != self._dark):
            self._width, self._tail_width = -1, -1  # the colours really changed (a theme): render again

    def _ensure(self, width: int) -> None:
        """Have lines for ``width``. Layout and painting call this, so it only renders what is
        missing since the last frame; settled text is drawn by the frame callback (:meth:`_advance`)."""
        if width != self._width:
            self._width, self._rendered, self._settled_lines, self._tail_width = width, 0, [], -1
            self._room = 0
            self._plain_from = None
            self._style, self._dark = self.rich_style, self.app.current_theme.dark
            self._advance()
        if self._tail_width != width:
            self._tail_width = width
            if self._rendered < len(self._segments):
                self._tail_lines = []  # older text is still being drawn: the tail waits its turn
                return
            lines = self._render_markdown(self._tail, width) if self._tail.strip() else []
            above = self._segments[-1][0] if self._settled_lines else None
            lines = self._placed(lines, self._tail, self._tail_joined, above)
            if self._dirty_top == len(self._settled_lines):
                self._dirty_top += _same_rows(self._tail_lines, lines)
            self._tail_lines = lines

    def _placed(self, lines: list[Strip], source: str, joined: bool, above: str | None) -> list[Strip]:
        """The rows of a segment (or of the tail) as drawn below segment ``above``, with the gap Rich leaves
        between the two when it draws them as one document: a blank row, unless the segment continues the one
        above (a code block or a list cut in two) or that one ends with a rule (Rich draws a rule with the blank
        row after it). Rich draws a list, a quote or a table with the blank row above it already: a list cut
        between two items drew a gap, and one after a paragraph two blank rows."""
        if not lines or above is None:
            return lines
        if not lines[0].text.strip() and not FENCE.match(source):
            return lines[1:] if joined else lines
        if joined or ends_with_rule(above):
            return lines
        return [Strip.blank(self._width, self._style), *lines]

    def _render_markdown(self, source: str, width: int) -> list[Strip]:
        from ..markdown_render import render_markdown  # markdown-it, Rich and Pygments load with the first answer

        lines, plain = render_markdown(self.app.console, source, width, self._style, self._dark)
        if plain and not self._code_drawn_plain:
            self._code_drawn_plain = True
            # Loading a lexer takes up to ~60 ms, which no frame should wait for, the one drawing this code
            # included: after that frame, on a thread, and then the code is drawn again in colour.
            self.call_after_refresh(
                self.run_worker, self._load_lexers, thread=True, group="lexers", exit_on_error=False
            )
        return lines

    @property
    def code_drawn_plain(self) -> bool:
        """Some code is shown without colours until its lexer is loaded (then :meth:`highlight_code`)."""
        return self._code_drawn_plain

    def _load_lexers(self) -> None:
        from .. import markdown_render

        markdown_render.load_wanted()
        self.app.call_from_thread(self.highlight_code)

    def highlight_code(self) -> None:
        """Draw again what was drawn while a lexer was loading, from the first settled segment that may have
        been (a long answer is not drawn again from its start), and the tail: the same lines, now in colour."""
        if not self._code_drawn_plain:
            return
        self._code_drawn_plain = False
        if self._plain_from is not None:
            self._rendered, row = self._plain_from
            self._plain_from = None
            del self._settled_lines[row:]
            self._changed_from(row)
            self._advance()
        self._tail_width = -1
        self._changed_from(len(self._settled_lines))
        self._show()

    def _advance(self) -> None:
        """Render settled segments for at most the pace's render budget; the rest continues right after the loop
        has had its turn (see :mod:`.answer_pace`)."""
        width = self._width
        if width <= 0:
            return  # not laid out yet (or reset): layout draws at the real width
        deadline = time.monotonic() + self._pace.render_budget()
        if self._rendered < len(self._segments):
            self._changed_from(len(self._settled_lines))
        while self._rendered < len(self._segments) and time.monotonic() < deadline:
            source, joined = self._segments[self._rendered]
            row = len(self._settled_lines)
            above = self._segments[self._rendered - 1][0] if self._settled_lines else None
            self._settled_lines.extend(self._placed(self._render_markdown(source, width), source, joined, above))
            if self._code_drawn_plain and self._plain_from is None:
                self._plain_from = (self._rendered, row)
            self._rendered += 1
            self._tail_width = -1
        if self._rendered < len(self._segments) and self._catch_up is None and self.is_mounted:
            self._catch_up = self.set_timer(self._pace.catch_up_gap(), self._on_catch_up)
            self._next_frame()

    def _height_at(self, width: int) -> int:
        self._ensure(width)
        return len(self._settled_lines) + len(self._tail_lines)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        rows = self._height_at(width)
        return max(rows, self._room)

    def render_lines(self, crop: Region) -> list[Strip]:
        """Painting: the lines go to the screen without the offsets text selection reads (see
        :meth:`render_line`)."""
        self._painting = True
        try:
            return super().render_lines(crop)
        finally:
            self._painting = False

    def render_line(self, y: int) -> Strip:
        """A row as painted, or, when Textual asks where the mouse is in the text (it calls this, not the
        painted lines), with the offset of every segment: a style per segment made for each row painted was
        a fifth of the cost of a line of highlighted code."""
        width = self.content_size.width
        self._ensure(width)
        settled = self._settled_lines
        if y < len(settled):
            line = settled[y]
        else:
            tail_y = y - len(settled)
            line = self._tail_lines[tail_y] if tail_y < len(self._tail_lines) else Strip.blank(width, self._style)
        if not self._painting:
            line = line.apply_offsets(0, y)  # cached on the strip
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(y)) is not None:
            length = line.cell_length
            start, end = min(span[0], length), length if span[1] == -1 else min(span[1], length)
            before, chosen, after = line.divide([start, end, length])
            style = self.screen.get_component_rich_style("screen--selection")
            return Strip.join([before, chosen.apply_style(style), after])
        return line

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected part of the text as drawn (what the mouse went over), row by row."""
        self._ensure(self.content_size.width)
        text = "\n".join(strip.text.rstrip() for strip in (*self._settled_lines, *self._tail_lines))
        return selection.extract(text), "\n"


def _same_rows(before: list[Strip], after: list[Strip]) -> int:
    """How many leading rows a new rendering of the tail draws as before: a frame at reading pace adds a word
    or two to the last rows of a paragraph, and only the rows from the first that changed are painted again."""
    same = 0
    for old, new in zip(before, after, strict=False):
        if old != new:
            break
        same += 1
    return same
