"""Markdown to terminal lines: Rich's Markdown with Pygments-highlighted code, as Textual strips."""

from __future__ import annotations

from markdown_it import MarkdownIt
from rich import markdown as rich_markdown
from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.syntax import Syntax
from textual.strip import Strip

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


def render_markdown(console: Console, source: str, width: int, style: Style, dark: bool) -> list[Strip]:
    """``source`` as lines ``width`` cells wide."""
    if not source.strip() or width <= 0:
        return []
    options = console.options.update(width=width, height=None)
    markdown = ChatMarkdown(source, "monokai" if dark else "friendly")
    return [Strip(line, width) for line in console.render_lines(markdown, options, style=style, pad=True)]
