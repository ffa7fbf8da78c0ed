"""Markdown to terminal lines: Rich's Markdown with Pygments-highlighted code, as Textual strips."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from rich import markdown as rich_markdown
from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.syntax import Syntax
from textual.strip import Strip

# Rich's own parser lets HTML through and then drops it: here HTML stays visible as text.
PARSER = MarkdownIt("commonmark", {"html": False}).enable("strikethrough").enable("table")


class _Heading(rich_markdown.Heading):
    LEVEL_ALIGN = dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6"), "left")


@lru_cache(maxsize=64)
def lexer_for(name: str) -> Lexer | str:
    """Pygments looks a lexer up by scanning its plugins each time (tens of ms): once per name is enough."""
    try:
        return get_lexer_by_name(name)
    except ClassNotFound:
        return "text"


class _CodeBlock(rich_markdown.CodeBlock):
    """No blank padding rows: a long block cut into segments joins up without seams."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = str(self.text).rstrip("\n")
        yield Syntax(code, lexer_for(self.lexer_name), theme=self.theme, word_wrap=True, padding=(0, 1))


class ChatMarkdown(rich_markdown.Markdown):
    elements = {**rich_markdown.Markdown.elements, "heading_open": _Heading, "fence": _CodeBlock,
                "code_block": _CodeBlock}

    def __init__(self, markup: str, code_theme: str) -> None:
        super().__init__("", code_theme=code_theme, hyperlinks=False)
        self.markup = markup
        self.parsed = PARSER.parse(markup)


def warm_up() -> None:
    """Load what the first answer needs (parser tables, Pygments), so it does not wait for them."""
    PARSER.parse("# warm\n\n```python\nx = 1\n```\n")
    lexer_for("python")


def render_markdown(console: Console, source: str, width: int, style: Style, dark: bool) -> list[Strip]:
    """``source`` as lines ``width`` cells wide."""
    if not source.strip() or width <= 0:
        return []
    options = console.options.update(width=width, height=None)
    markdown = ChatMarkdown(source, "monokai" if dark else "friendly")
    return [Strip(line, width) for line in console.render_lines(markdown, options, style=style, pad=True)]
