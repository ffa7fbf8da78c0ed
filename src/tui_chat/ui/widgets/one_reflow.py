"""Widgets whose growth is drawn by the reflow that sized them, not by a second one.

After a reflow Textual gives every resized widget its new ``virtual_size``, a reactive declared with
``layout=True``: that assignment asks for another layout, so each frame of a growing answer reflowed and
repainted the whole scrolled log twice, and the second reflow was usually the screen update a keystroke was
waiting for (measured: keystroke p50 60 ms → 30 ms without it). For the answer, its message and the log the
second layout changes nothing: their virtual size is their laid-out size, and the log's scrollbar (always
shown) and its anchoring are updated in the first.

A change of height alone does not change the rows a widget already drew either (above its bottom border and
padding, a row does not depend on the height), yet Textual forgets them all on any resize and marks the whole
widget to be painted again at the next update: every line an answer added rendered its whole visible part
twice (the reflow's repaint from an empty cache, then the next frame's repaint of the whole widget). Here only
the rows that appeared, disappeared or became the bottom edge are drawn again; what the reflow moved on screen
it repaints itself, from the rows kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.widget import Widget

if TYPE_CHECKING:
    _Base = Widget
else:
    _Base = object


class OneReflow(_Base):
    """Mix in before ``Widget`` (or a container): a change of virtual size neither lays out nor repaints, and
    a change of height keeps the rows already drawn. Not a ``Widget`` itself: a widget class in the chain
    would bring its default CSS in again after the container's."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        old = self._size
        if not old or size.width != old.width or size.height == old.height:
            return super()._size_updated(size, virtual_size, container_size, layout)
        styles = self.styles
        edge = max(styles.gutter.bottom, 1 if styles.outline_bottom[0] else 0)
        first = max(0, min(old.height, size.height) - edge)
        self._size = size  # so that Textual keeps the rows drawn; the changed ones are marked below
        if not super()._size_updated(size, virtual_size, container_size, layout) and self.is_scrollable:
            self._scroll_update(virtual_size)  # what Textual does on a change of size alone
        self._styles_cache.set_dirty(Region(0, first, size.width, max(old.height, size.height) - first))
        return True

    def _scroll_update(self, virtual_size: Size) -> None:
        """Textual moves the scrollbars during a reflow but paints them in the screen update after it: each
        line an answer added was a second update of its own, and an update keeps the next one, a key's
        included, a frame or two away (Textual's update timer). Their repaint joins the reflow's instead."""
        super()._scroll_update(virtual_size)
        if self.show_vertical_scrollbar and self.is_attached:
            scrollbar = self.vertical_scrollbar
            self.screen._compositor.update_widgets({scrollbar})
            scrollbar._repaint_required = False  # painted: asking again would be an empty update of its own
