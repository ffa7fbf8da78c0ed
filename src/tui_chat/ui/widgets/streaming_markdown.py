"""Markdown that grows by deltas at a cost per delta that does not grow with the document.

Deltas are only queued (a list append); a timer applies them at most once a frame. Each apply cuts
the settled part of the tail into segments (:mod:`..markdown_segments`), mounts each segment once as
its own ``Markdown`` widget, and re-renders only the short tail. Textual's ``MarkdownStream`` joins and
re-splits the whole document on every append and re-parses a long block whole, which is what makes a
long answer quadratic; this widget never touches settled text again.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache

from markdown_it import MarkdownIt
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Markdown

from ..markdown_segments import split
from ..text_safety import visible_text

FRAME_SECONDS = 1 / 30


@lru_cache(maxsize=1)
def shared_parser() -> MarkdownIt:
    """One parser for every segment: building a MarkdownIt per widget costs more than parsing a segment."""
    return MarkdownIt("gfm-like")


def _make_markdown(source: str, classes: str) -> Markdown:
    return Markdown(source, classes=classes, parser_factory=shared_parser)


class StreamingMarkdown(Vertical):
    """A Markdown document of settled segments plus one live tail."""

    DEFAULT_CSS = """
    StreamingMarkdown { height: auto; }
    StreamingMarkdown > Markdown { height: auto; margin: 0; padding: 0; }
    """

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._initial = visible_text(text)
        self._segments: list[str] = []
        self._tail_source = ""
        self._pending: list[str] = []
        self._timer: Timer | None = None
        self._lock = asyncio.Lock()
        self._tail: Markdown | None = None

    @property
    def source(self) -> str:
        """The (made-safe) Markdown source shown, including what is queued."""
        return "".join(self._segments) + self._tail_source + visible_text("".join(self._pending))

    @property
    def segment_count(self) -> int:
        return len(self._segments)

    def compose(self) -> ComposeResult:
        cut = split(self._initial, final=True)
        self._segments, self._tail_source = list(cut.settled), cut.tail
        for segment in cut.settled:
            yield _make_markdown(segment, "segment")
        self._tail = _make_markdown(cut.tail, "tail")
        yield self._tail

    def write(self, text: str) -> None:
        """Queue a delta; it is shown within a frame. Cheap: this runs once per delta."""
        self._pending.append(text)
        if self._timer is None:
            self._timer = self.set_timer(FRAME_SECONDS, self._apply_pending)

    async def _apply_pending(self) -> None:
        async with self._lock:
            self._timer = None
            await self._apply()
        if self._pending and self._timer is None:
            self._timer = self.set_timer(FRAME_SECONDS, self._apply_pending)

    async def _apply(self) -> None:
        """Move the queue into the tail, settling whatever became safe to settle."""
        if self._tail is None:
            return
        new = visible_text("".join(self._pending))
        self._pending.clear()
        source = self._tail_source + new
        cut = split(source)
        if cut.settled:
            await self._settle(cut.settled)
            self._tail_source = cut.tail
            await self._tail.update(cut.tail)
        elif new:
            self._tail_source = source
            await self._tail.append(new)

    async def _settle(self, segments: list[str]) -> None:
        self._segments.extend(segments)
        if self._tail is not None:
            await self.mount_all([_make_markdown(s, "segment") for s in segments], before=self._tail)

    async def finish(self, text: str) -> None:
        """The stream ended: show exactly ``text``, reusing every segment that already matches it."""
        async with self._lock:
            if self._timer is not None:
                self._timer.stop()
                self._timer = None
            self._pending.clear()
            final = visible_text(text)
            shown = "".join(self._segments)
            if final.startswith(shown):
                cut = split(final[len(shown):], final=True)
                if cut.settled:
                    await self._settle(cut.settled)
                self._tail_source = cut.tail
                await self._tail_sync()
            else:
                await self._rebuild(final)

    async def reset(self, text: str = "") -> None:
        """Drop everything shown (the engine restarted the answer) and show ``text`` instead."""
        async with self._lock:
            if self._timer is not None:
                self._timer.stop()
                self._timer = None
            self._pending.clear()
            await self._rebuild(visible_text(text))

    async def _tail_sync(self) -> None:
        if self._tail is not None and self._tail.source != self._tail_source:
            await self._tail.update(self._tail_source)

    async def _rebuild(self, final: str) -> None:
        cut = split(final, final=True)
        await self.query("Markdown.segment").remove()
        self._segments, self._tail_source = [], cut.tail
        await self._settle(cut.settled)
        await self._tail_sync()
