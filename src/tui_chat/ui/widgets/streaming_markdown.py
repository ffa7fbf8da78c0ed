"""Markdown that grows by deltas at a cost per delta that does not grow with the document.

Deltas are only queued (a list append); a timer applies them at most once a frame. Each apply cuts
the settled part of the tail into segments (:mod:`..markdown_segments`), mounts each as a
:class:`MarkdownView` rendered once, and re-renders only the short tail. Textual's ``MarkdownStream``
re-splits the whole document per append and grows a widget tree whose every reflow touches every
block; measured on 8,000 tokens that made the UI, not the network, the bottleneck.
"""

from __future__ import annotations

import asyncio

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer

from ..markdown_segments import Split, split
from ..text_safety import visible_text
from .markdown_view import MarkdownView

FRAME_SECONDS = 1 / 30


class StreamingMarkdown(Vertical):
    """An answer as settled :class:`MarkdownView` segments plus one live tail view."""

    DEFAULT_CSS = "StreamingMarkdown { height: auto; }"

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._initial = visible_text(text)
        self._settled: list[str] = []
        """The raw (made-safe) text the mounted segments cover, piece by piece."""
        self._segments = 0
        self._raw_tail = ""
        self._open_fence = ""
        self._pending: list[str] = []
        self._timer: Timer | None = None
        self._lock = asyncio.Lock()
        self._tail = MarkdownView("", first=True)
        self._tail.add_class("tail")

    @property
    def source(self) -> str:
        """The (made-safe) Markdown shown, including what is queued."""
        return "".join(self._settled) + self._raw_tail + visible_text("".join(self._pending))

    @property
    def segment_count(self) -> int:
        return self._segments

    def compose(self) -> ComposeResult:
        cut = split(self._initial, final=True)
        yield from self._views(cut.settled, cut.joins)
        self._take(cut, self._initial)
        yield self._tail

    def write(self, text: str) -> None:
        """Queue a delta; it is shown within a frame. Cheap: this runs once per delta."""
        self._pending.append(text)
        if self._timer is None:
            self._timer = self.set_timer(FRAME_SECONDS, self._apply_pending)

    async def _apply_pending(self) -> None:
        async with self._lock:
            self._timer = None
            raw = self._raw_tail + visible_text("".join(self._pending))
            self._pending.clear()
            await self._show(split(raw, open_fence=self._open_fence), raw)
        if self._pending and self._timer is None:
            self._timer = self.set_timer(FRAME_SECONDS, self._apply_pending)

    async def finish(self, text: str) -> None:
        """The stream ended: show exactly ``text``, reusing every segment that already matches it."""
        async with self._lock:
            self._stop_timer()
            final = visible_text(text)
            shown = "".join(self._settled)
            if final.startswith(shown):
                rest = final[len(shown):]
                await self._show(split(rest, open_fence=self._open_fence, final=True), rest)
            else:
                await self._rebuild(final)

    async def reset(self, text: str = "") -> None:
        """Drop everything shown (the engine restarted the answer) and show ``text`` instead."""
        async with self._lock:
            self._stop_timer()
            await self._rebuild(visible_text(text))

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._pending.clear()

    def _views(self, sources: list[str], joins: list[bool]) -> list[MarkdownView]:
        first = self._segments
        self._segments += len(sources)
        return [MarkdownView(s, joined=j, first=first + i == 0) for i, (s, j) in enumerate(zip(sources, joins))]

    def _take(self, cut: Split, raw: str) -> None:
        """Record what ``cut`` settled of ``raw`` and show its tail."""
        self._settled.append(raw[:cut.consumed])
        self._raw_tail, self._open_fence = raw[cut.consumed:], cut.open_fence
        self._tail.set_class(self._segments == 0, "-first")
        self._tail.set_class(cut.tail_joins, "-joined")
        self._tail.set_source(cut.tail)

    async def _show(self, cut: Split, raw: str) -> None:
        if cut.settled:
            await self.mount_all(self._views(cut.settled, cut.joins), before=self._tail)
        self._take(cut, raw)

    async def _rebuild(self, final: str) -> None:
        await self.query(MarkdownView).exclude(".tail").remove()
        self._settled, self._segments, self._open_fence = [], 0, ""
        await self._show(split(final, final=True), final)
