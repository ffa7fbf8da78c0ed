"""How the app routes a key before Textual does: to a box that just opened and has no focus yet (held for it,
:class:`HoldsEarlyKeys`), to a widget that takes keys and the app's bindings in the order typed
(:class:`KeysInOrder`), and, whatever it is, past the streaming answer's next frame (painted first)."""

from __future__ import annotations

from textual import events
from textual.app import App

from .screens.early_keys import HoldsEarlyKeys
from .widgets.keys_in_order import KeysInFlight, KeysInOrder


class RoutesKeys(App[int]):
    """Mixed into the app: it keeps ``keys_in_flight`` and calls :meth:`key_arrived` for every key."""

    keys_in_flight: KeysInFlight

    def key_arrived(self) -> None:
        """A key is on its way to the screen (the app holds the answer's next frame for it)."""

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            screen = self.screen
            if isinstance(screen, HoldsEarlyKeys) and not screen.takes_keys_now:
                if not await self._check_bindings(event.key, priority=True):
                    screen.hold(event)
                return
            if isinstance(self.focused, KeysInOrder):  # it takes the keys, and the app's bindings, in order
                behind = self.keys_in_flight.count > 0
                if not behind and await self._check_bindings(event.key, priority=True):
                    return
                self.keys_in_flight.sent(event, app_bindings_left=behind)
                self.key_arrived()
                self.focused._forward_event(event)
                return
        if isinstance(event, events.Key):
            self.key_arrived()
        await super().on_event(event)
