"""One piece of Markdown drawn as a single widget, its lines rendered once per width and cached.

A settled segment of an answer never changes, so it is rendered once (Rich's Markdown, with
Pygments-highlighted code) and from then on costs the layout a cached height and the screen a list
lookup per line. Compared with a tree of block widgets per segment this keeps every reflow cheap
however long the answer grows.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from rich import markdown as rich_markdown
from rich.console import Console, ConsoleOptions, RenderResult
from rich.syntax import Syntax
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

# Rich's own parser lets HTML through and then drops it: here HTML stays visible as text.
PARSER = MarkdownIt("commonmark", {"html": False}).enable("strikethrough").enable("table")


class _Heading(rich_markdown.Heading):
    LEVEL_ALIGN = dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6"), "left")


class _CodeBlock(rich_markdown.CodeBlock):
    """No blank padding rows: a long block cut into segments joins up without seams."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Syntax(str(self.text).rstrip("\n"), self.lexer_name, theme=self.theme, word_wrap=True, padding=(0, 1))


class ChatMarkdown(rich_markdown.Markdown):
    elements = {**rich_markdown.Markdown.elements, "heading_open": _Heading, "fence": _CodeBlock,
                "code_block": _CodeBlock}

    def __init__(self, markup: str, code_theme: str) -> None:
        super().__init__("", code_theme=code_theme, hyperlinks=False)
        self.markup = markup
        self.parsed = PARSER.parse(markup)


class MarkdownView(Widget):
    DEFAULT_CSS = """
    MarkdownView { height: auto; margin-top: 1; }
    MarkdownView.-first, MarkdownView.-joined { margin-top: 0; }
    """

    def __init__(self, source: str, *, joined: bool = False, first: bool = False) -> None:
        super().__init__(classes=" ".join(c for c, on in (("-joined", joined), ("-first", first)) if on))
        self.source = source
        self._lines: list[Strip] = []
        self._key: tuple[int, object] | None = None

    def set_source(self, source: str) -> None:
        if source != self.source:
            self.source = source
            self._key = None
            self.refresh(layout=True)

    def lines(self, width: int) -> list[Strip]:
        key = (width, self.rich_style)
        if key != self._key:
            self._key = key
            if not self.source.strip() or width <= 0:
                self._lines = []
            else:
                console = self.app.console
                theme = "monokai" if self.app.current_theme.dark else "friendly"
                options = console.options.update(width=width, height=None)
                rendered = console.render_lines(ChatMarkdown(self.source, theme), options, style=self.rich_style,
                                                pad=True)
                self._lines = [Strip(line, width) for line in rendered]
        return self._lines

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render_line(self, y: int) -> Strip:
        lines = self.lines(self.content_size.width)
        return lines[y] if y < len(lines) else Strip.blank(self.content_size.width, self.rich_style)
