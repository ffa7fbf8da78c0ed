"""Keys typed before a modal box has its focus go into it, in order.

A box opened by a key (Ctrl+E renames) is pushed at once, but it focuses its field only once it has been
mounted: the keys typed right behind the one that opened it (a new title and Enter, in one burst) reached the
screen with nothing focused and were lost, and the rename silently did not happen. The app hands such keys to
:meth:`HoldsEarlyKeys.hold` instead, and the box passes them to its focused widget, in order, once it has one.
"""

from __future__ import annotations

from textual import events


class HoldsEarlyKeys:
    """Mix in before ``ModalScreen``."""

    _held: list[events.Key] | None = None

    @property
    def takes_keys_now(self) -> bool:
        return self.focused is not None and not self._held  # type: ignore[attr-defined]

    def hold(self, event: events.Key) -> None:
        if self._held is None:
            self._held = []
            self.call_after_refresh(self._release)  # type: ignore[attr-defined]
        self._held.append(event)

    def _release(self) -> None:
        target = self.focused  # type: ignore[attr-defined]
        if target is None:  # not focused yet: try again after the next refresh (bounded by the screen's life)
            self.call_after_refresh(self._release)  # type: ignore[attr-defined]
            return
        held, self._held = self._held or [], []
        for event in held:
            target._forward_event(event)
