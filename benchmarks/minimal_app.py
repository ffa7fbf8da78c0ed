"""The startup baseline: the smallest Textual app, one label."""

from textual.app import App, ComposeResult
from textual.widgets import Label


class MinimalApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Label("minimal app ready")


if __name__ == "__main__":
    MinimalApp().run()
