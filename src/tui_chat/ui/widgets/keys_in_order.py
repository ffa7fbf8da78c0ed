"""Keys handled in the order they were typed, in a burst as well.

Textual forwards each key to the widget focused when the app gets to it, and resolves key bindings once the
key has bubbled back up, after the keys typed behind it were forwarded. In one burst (a paste, fast typing
over a slow frame, tmux sending keys together) that broke the order: ``abc`` Ctrl+U ``def`` left nothing
(Ctrl+U ran last), and after Tab the next keys still went to the prompt the focus had left.

A widget with this mixin handles each key in its own queue, in order: it passes on a key that reached it after
the focus had moved away, to where the focus now is; runs the key's bindings (the app's own first when the app
left them to it, see :class:`KeysInFlight`; then its own, then its containers'); and only then lets the
widget type it.
"""

from __future__ import annotations

from typing import Any

from textual import events


class KeysInFlight:
    """The app's count of keys forwarded to a :class:`KeysInOrder` widget and not handled yet. While there
    are any, the app leaves its own key bindings to that widget too, so they run after the keys before them."""

    def __init__(self) -> None:
        self.count = 0

    def sent(self, event: events.Key, app_bindings_left: bool) -> None:
        self.count += 1
        event._in_flight = True  # type: ignore[attr-defined]
        event._app_bindings_left = app_bindings_left  # type: ignore[attr-defined]

    def handled(self, event: events.Key) -> None:
        if getattr(event, "_in_flight", False):
            event._in_flight = False  # type: ignore[attr-defined]
            self.count = max(0, self.count - 1)


class KeysInOrder:
    """Mix in before the widget class (``class PromptInput(KeysInOrder, TextArea)``)."""

    app: Any
    parent: Any
    _bindings: Any

    async def _on_key(self, event: events.Key) -> None:
        in_flight: KeysInFlight | None = getattr(self.app, "keys_in_flight", None)
        focused = self.app.focused
        if focused is not None and focused is not self:  # the focus moved on since: the key follows it
            event.stop()
            event.prevent_default()
            moved = events.Key(event.key, event.character)
            for name in ("_in_flight", "_app_bindings_left"):
                setattr(moved, name, getattr(event, name, False))
            event._in_flight = False  # type: ignore[attr-defined]
            focused._forward_event(moved)
            return
        try:
            if await self._run_binding(event):
                event.stop()
                event.prevent_default()
                return
            await super()._on_key(event)  # type: ignore[misc]
        finally:
            if in_flight is not None:
                in_flight.handled(event)

    async def _own_key(self, event: events.Key) -> bool:
        """A key the widget gives a meaning of its own (Enter sends the prompt); True when it took it."""
        return False

    async def _run_binding(self, event: events.Key) -> bool:
        if getattr(event, "_app_bindings_left", False) and await self.app._check_bindings(event.key, priority=True):
            return True
        if await self._own_key(event):
            return True
        node: Any = self
        while node is not None:
            bindings = node._bindings.key_to_bindings.get(event.key)
            if bindings and not bindings[0].priority:
                await node.run_action(bindings[0].action)
                return True
            if node is self and event.is_printable:
                return False  # a key the widget types (``e`` in the prompt), whatever a container binds it to
            node = node.parent
        return False
