"""Keys handled in the order they were typed, in a burst as well.

Textual resolves a focused widget's own key bindings when the key event has bubbled back up to the app, which
is after the keys typed right behind it have reached the widget: in one burst (``abc``, Ctrl+U, ``def``; a
paste; fast typing over a slow frame) Ctrl+U ran last and erased ``def`` too. A widget with this mixin runs
its own bindings as each key arrives, in its own queue, so they keep their place among the keys around them.
"""

from __future__ import annotations

from typing import Any

from textual import events


class KeysInOrder:
    """Mix in before the widget class (``class PromptInput(KeysInOrder, TextArea)``)."""

    _bindings: Any

    async def _on_key(self, event: events.Key) -> None:
        bindings = self._bindings.key_to_bindings.get(event.key)
        if bindings and not bindings[0].priority:
            event.stop()
            event.prevent_default()
            await self.run_action(bindings[0].action)  # type: ignore[attr-defined]
            return
        await super()._on_key(event)  # type: ignore[misc]
