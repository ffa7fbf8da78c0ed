"""Widgets that draw each different row once, where most of their rows are alike.

The compositor asks a widget for every row of it that shows, and Textual's styles cache draws each row on its
own: its content line, padding, border, a new strip and the app's filters. An answer's message is a container
as tall as its answer, with a border and padding at its sides and its children in front: every row it draws
is the same. The log's scrollbar is a column of a few kinds of cell (track, thumb, the thumb's ends). When a
full-speed frame scrolls a screenful of new rows into view they are all new to the cache, and these rows were
about a third of that frame's screen update (see ``benchmarks/README.md``). Here rows whose content is the same
are drawn once, from the cache as before, and the first stands for the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment
from textual.geometry import Region
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    _Base = Widget
else:
    _Base = object


class SameRows(_Base):
    """Mix in before a widget: rows with the same content line are drawn once (while no edge above or below
    makes a row depend on where it is)."""

    def render_lines(self, crop: Region) -> list[Strip]:
        draw = super().render_lines
        if crop.height <= 1 or not self._rows_alike():
            return draw(crop)
        if self.is_container and str(self.styles.keyline[0]) == "none":
            # Blank content: the top row, kept in the cache, stands for every row (reading the content of a row
            # renders all of it first, as tall as the answer)
            return draw(Region(crop.x, 0, crop.width, 1)) * crop.height
        first: dict[tuple[Segment, ...], int] = {}
        rows = [first.setdefault(tuple(self.render_line(y)), y) for y in crop.line_range]
        drawn = {y: draw(Region(crop.x, y, crop.width, 1))[0] for y in first.values()}
        return [drawn[y] for y in rows]

    def _rows_alike(self) -> bool:
        """Rows of the same content differ only at a top or bottom edge (border, padding, outline)."""
        styles = self.styles
        return not (styles.gutter.top or styles.gutter.bottom or styles.outline_top[0] or styles.outline_bottom[0])


class SameRowsScrollBar(SameRows, ScrollBar):
    """A scrollbar whose track and thumb are each drawn once a frame."""
