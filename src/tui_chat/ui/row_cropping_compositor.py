"""A compositor whose partial screen updates draw only the rows being updated.

Textual's compositor crops a partial update to the box around what changed, but then asks every widget whose
clip touches that box for all of its visible rows, and throws away the rows outside the update: a widget in
the log shares the log's clip, so every update drew every visible message, the log itself and every top-level
widget (their clip is the whole screen) from their caches, whatever changed. An answer's frame changes its last
rows and the status bar's row; a key changes the prompt's. Here each widget is asked only for its rows among
those being updated, a run of consecutive rows at a time: rows are the unit Textual paints an update in, and
whole rows keep every column cut where it was.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip


def row_runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive rows as (first, past the last) pairs, in order."""
    runs: list[tuple[int, int]] = []
    for y in sorted(rows):
        if runs and runs[-1][1] == y:
            runs[-1] = (runs[-1][0], y + 1)
        else:
            runs.append((y, y + 1))
    return runs


class RowCroppingCompositor(Compositor):
    _runs: list[tuple[int, int]] | None = None
    """While a partial update renders: the runs of rows it updates."""

    def render_partial_update(self) -> ChopsUpdate | None:
        """Textual's own, but the rows updated are kept for :meth:`_get_renders`."""
        update_regions = self._dirty_regions.copy()
        self._dirty_regions.clear()
        if not update_regions:
            return None
        crop = Region.from_union(update_regions).intersection(self.size.region)
        spans = list(self._regions_to_spans(update_regions))
        rows = {y for y, _, _ in spans}
        self._runs = row_runs(rows)
        try:
            chops = self._render_chops(crop, rows.__contains__)
        finally:
            self._runs = None
        return ChopsUpdate(chops, spans, [cut_set[1:] for cut_set in self.cuts])

    def _get_renders(self, crop: Region | None = None) -> Iterable[tuple[Region, Region, list[Strip]]]:
        if self._runs is None:
            yield from super()._get_renders(crop)
            return
        for widget, (region, clip) in self.visible_widgets.items():
            area = region.intersection(clip)
            if not area:
                continue
            for first, last in self._runs:
                top, bottom = max(first, area.y), min(last, area.bottom)
                if top < bottom:
                    rows = Region(area.x, top, area.width, bottom - top)
                    yield region, rows, widget.render_lines(rows.translate((-region.x, -region.y)))
