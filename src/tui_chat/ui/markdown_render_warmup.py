"""Priming the Markdown renderer on a thread after the first frame, and freezing what startup made."""

from __future__ import annotations

import gc


def warm_up_and_freeze() -> None:
    """Import and prime the Markdown renderer off the event loop, while the user types the first question.

    Then collect once and move what survives (modules, the first screen) out of the collector's sight: a
    full collection scans every tracked object, and during a fast stream it paused the screen for 20-40 ms
    every second or two, which keystrokes waited out (5-9 ms once frozen). What is made later is collected
    as usual; ``tui-chat`` keeps the collector off until here, as startup makes nothing short-lived."""
    from .markdown_render import warm_up

    warm_up()
    gc.collect()
    gc.freeze()
    gc.enable()
