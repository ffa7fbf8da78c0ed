"""A compositor whose partial screen updates draw only what shows in the spans being updated.

Textual's compositor crops a partial update to the box around what changed, but then asks every widget whose
clip touches that box for all of its visible rows, and throws away the rows outside the update: a widget in
the log shares the log's clip, so every update drew every visible message, the log itself and every top-level
widget (their clip is the whole screen) from their caches, whatever changed. An answer's frame changes its last
rows and the status bar's row; a key changes the prompt's. Here a widget is asked only for its rows among those
being updated, a run of consecutive rows at a time, and only where some of it shows in an updated span: the
widgets in front of it hide it (every widget paints the whole of its region), and the screen writes only the
spans. A frame of an answer then draws the answer's rows and nothing behind them.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip

Spans = list[tuple[int, int]]
"""Columns of one row, each as (first, past the last)."""


def row_runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive rows as (first, past the last) pairs, in order."""
    runs: list[tuple[int, int]] = []
    for y in sorted(rows):
        if runs and runs[-1][1] == y:
            runs[-1] = (runs[-1][0], y + 1)
        else:
            runs.append((y, y + 1))
    return runs


def shows(updated: Spans, hidden: Spans, x: int, right: int) -> bool:
    """Does anything between columns ``x`` and ``right`` show in the ``updated`` spans, where the ``hidden``
    ones are painted by widgets in front?"""
    for first, last in updated:
        start, end = max(first, x), min(last, right)
        if start < end and not _covers(hidden, start, end):
            return True
    return False


def _covers(spans: Spans, start: int, end: int) -> bool:
    for first, last in sorted(spans):
        if first > start:
            return False
        start = max(start, last)
        if start >= end:
            return True
    return False


class RowCroppingCompositor(Compositor):
    _updated: dict[int, Spans] | None = None
    """While a partial update renders: the spans it updates, by row."""

    def render_partial_update(self) -> ChopsUpdate | None:
        """Textual's own, but the spans updated are kept for :meth:`_get_renders`."""
        update_regions = self._dirty_regions.copy()
        self._dirty_regions.clear()
        if not update_regions:
            return None
        crop = Region.from_union(update_regions).intersection(self.size.region)
        spans = list(self._regions_to_spans(update_regions))
        updated: dict[int, Spans] = {}
        for y, x1, x2 in spans:
            updated.setdefault(y, []).append((x1, x2))
        self._updated = updated
        try:
            chops = self._render_chops(crop, updated.__contains__)
        finally:
            self._updated = None
        return ChopsUpdate(chops, spans, [cut_set[1:] for cut_set in self.cuts])

    def _get_renders(self, crop: Region | None = None) -> Iterable[tuple[Region, Region, list[Strip]]]:
        updated = self._updated
        if updated is None:
            yield from super()._get_renders(crop)
            return
        rows = sorted(updated)
        hidden: dict[int, Spans] = {y: [] for y in rows}
        for widget, (region, clip) in self.visible_widgets.items():  # front to back
            area = region.intersection(clip)
            if not area:
                continue
            x, right = area.x, area.right
            mine = [y for y in rows if area.y <= y < area.bottom]
            drawn = [y for y in mine if shows(updated[y], hidden[y], x, right)]
            for y in mine:
                hidden[y].append((x, right))
            for first, last in row_runs(drawn):
                part = Region(x, first, area.width, last - first)
                yield region, part, widget.render_lines(part.translate((-region.x, -region.y)))
