"""Widgets whose growth is drawn by the reflow that sized them, not by a second one.

After a reflow Textual gives every resized widget its new ``virtual_size``, a reactive declared with
``layout=True``: that assignment asks for another layout, so each frame of a growing answer reflowed and
repainted the whole scrolled log twice, and the second reflow was usually the screen update a keystroke was
waiting for (measured: keystroke p50 60 ms → 30 ms without it). For the answer, its message and the log the
second layout changes nothing: their virtual size is their laid-out size, and the log's scrollbar (always
shown) and its anchoring are updated in the first.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive


class OneReflow:
    """Mix in before ``Widget`` (or a container): a change of virtual size neither lays out nor repaints."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)
