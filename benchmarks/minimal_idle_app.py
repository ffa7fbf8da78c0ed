"""The idle baseline: a minimal Textual app with a header, a text area and a footer (what a chat screen has)."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, TextArea


class MinimalChat(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield TextArea("minimal app ready")
        yield Footer()


if __name__ == "__main__":
    MinimalChat().run()
