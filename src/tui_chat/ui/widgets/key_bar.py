"""The key bar at the bottom: the screen's active bindings on one line.

Textual's ``Footer`` mounts a widget per key and recomposes them on every change of focus or bindings;
at startup that was half the time spent laying out the first screen (about 130 ms of 280 ms on this
project's benchmark machine). This is one widget that draws the same keys as text and hit-tests clicks.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class KeyBar(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--disabled"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-bar--key { color: $footer-key-foreground; background: $footer-key-background; text-style: bold; }
        & > .key-bar--description {
            color: $footer-description-foreground; background: $footer-description-background;
        }
        & > .key-bar--disabled { text-style: dim; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str, bool]] = []
        """What the last render drew: (first cell, end cell, key, enabled)."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        self.refresh()

    def _entries(self) -> tuple[list[tuple[str, str, str, bool]], tuple[str, str, str, bool] | None]:
        """(key, key as shown, description, enabled) of each shown binding, one per action; and the
        command palette's, which is drawn at the right end."""
        app = self.app
        palette = None
        entries: list[tuple[str, str, str, bool]] = []
        actions: set[str] = set()
        for key, (_node, binding, enabled, _tooltip) in self.screen.active_bindings.items():
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = (binding.key, app.get_key_display(binding), binding.description, enabled)
            elif binding.show and binding.action not in actions:  # the prompt's ~50 hidden keys cost nothing
                actions.add(binding.action)
                entries.append((binding.key, app.get_key_display(binding), binding.description, enabled))
        return entries, palette

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        disabled_style = self.get_component_rich_style("key-bar--disabled")
        entries, palette = self._entries()
        text = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []

        def add(entry: tuple[str, str, str, bool], pad: str = " ") -> None:
            key, shown, description, enabled = entry
            start = text.cell_len
            text.append(f"{pad}{shown} ", key_style)
            text.append(f"{description}{pad}", description_style)
            if not enabled:
                text.stylize(disabled_style, start)
            self._spans.append((start, text.cell_len, key, enabled))

        for entry in entries:
            add(entry)
        if palette is not None:
            label = f"▏{palette[1]} {palette[2]}"
            gap = self.size.width - text.cell_len - len(label)
            if gap >= 0:
                text.append(" " * gap)
                text.append("▏", "dim")
                add(palette, pad="")
        return text

    def on_click(self, event: events.Click) -> None:
        for start, end, key, enabled in self._spans:
            if start <= event.x < end:
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
