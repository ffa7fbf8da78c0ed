"""Markdown to terminal lines: Rich's Markdown with Pygments-highlighted code, as Textual strips."""

from __future__ import annotations

import threading
from typing import Any

from markdown_it import MarkdownIt
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from rich import markdown as rich_markdown
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.syntax import Syntax
from textual.strip import Strip

# Rich's own parser lets HTML through and then drops it: here HTML stays visible as text.
PARSER = MarkdownIt("commonmark", {"html": False}).enable("strikethrough").enable("table")


class _Heading(rich_markdown.Heading):
    LEVEL_ALIGN = dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6"), "left")


TAB_SIZE = 4
"""How many columns a tab in code takes (Rich's default)."""
_lexers: dict[str, Lexer | str] = {"text": "text"}
WANTED: set[str] = set()
"""Languages whose code was drawn plain because their lexer was not loaded: :func:`load_wanted` loads them."""


_loading = threading.Lock()


def load_lexer(name: str) -> Lexer | str:
    """The lexer for a language (``"text"`` for an unknown one). Slow the first time: Pygments scans its
    plugins for the name and compiles the lexer's regular expressions (Python: ~100 of them, ~60 ms)."""
    with _loading:  # the warm-up and the loading of what code blocks asked for may run at once
        if name not in _lexers:
            try:
                _lexers[name] = get_lexer_by_name(name)
            except ClassNotFound:
                _lexers[name] = "text"
        return _lexers[name]


def load_wanted() -> None:
    """Load the lexers code blocks asked for (off the event loop: see :func:`load_lexer`)."""
    names = list(WANTED)
    for name in names:
        load_lexer(name)
    WANTED.difference_update(names)


class _CodeBlock(rich_markdown.CodeBlock):
    """No blank padding rows: a long block cut into segments joins up without seams. A language whose
    lexer is not loaded yet is drawn plain (same lines, no colours) and put in :data:`WANTED`, so a
    frame never waits for a lexer."""

    markdown: ChatMarkdown

    @classmethod
    def create(cls, markdown: rich_markdown.Markdown, token: Any) -> _CodeBlock:
        block = super().create(markdown, token)
        assert isinstance(block, _CodeBlock) and isinstance(markdown, ChatMarkdown)  # see ChatMarkdown.elements
        block.markdown = markdown
        return block

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = str(self.text).rstrip("\n")
        lexer = _lexers.get(self.lexer_name)
        if lexer is None:
            WANTED.add(self.lexer_name)
            self.markdown.drew_plain = True
        yield Syntax(
            code,
            lexer or "text",
            theme=self.theme,
            word_wrap=_wraps(code, options),
            tab_size=TAB_SIZE,
            padding=(0, 1),
        )


def _wraps(code: str, options: ConsoleOptions) -> bool:
    """Does a line of ``code`` need Rich's word wrap (else it would be cropped)? With it Rich draws code line by
    line, which costs more than drawing the block at once (``benchmarks/README.md``); lines that fit are drawn
    the same either way."""
    room = options.max_width - 2  # the padding
    return any(cell_len(line) > room for line in code.expandtabs(TAB_SIZE).splitlines())


class ChatMarkdown(rich_markdown.Markdown):
    elements = {
        **rich_markdown.Markdown.elements,
        "heading_open": _Heading,
        "fence": _CodeBlock,
        "code_block": _CodeBlock,
    }

    def __init__(self, markup: str, code_theme: str) -> None:
        """Rich's own ``__init__`` makes a parser per instance (markdown-it and linkify compiling their regular
        expressions: a third of a reading-pace frame's rendering); every answer here shares :data:`PARSER`.
        These are the attributes Rich's ``__init__`` sets."""
        self.markup = markup
        self.parsed = PARSER.parse(markup)
        self.code_theme = code_theme
        self.justify = None
        self.style = "none"
        self.hyperlinks = False
        self.inline_code_lexer = None
        self.inline_code_theme = code_theme
        self.drew_plain = False
        """Some code was drawn without colours: its lexer was not loaded yet."""


def warm_up() -> None:
    """Load what the first answer needs (parser tables, Pygments), so it does not wait for them."""
    PARSER.parse("# warm\n\n```python\nx = 1\n```\n")
    load_lexer("python")


def render_markdown(console: Console, source: str, width: int, style: Style, dark: bool) -> tuple[list[Strip], bool]:
    """``source`` as lines ``width`` cells wide, and whether some code in it was drawn plain (its lexer is
    in :data:`WANTED`: draw it again once :func:`load_wanted` ran; the lines stay the same)."""
    if not source.strip() or width <= 0:
        return [], False
    options = console.options.update(width=width, height=None)
    markdown = ChatMarkdown(source, "monokai" if dark else "friendly")
    lines = [Strip(line, width) for line in console.render_lines(markdown, options, style=style, pad=True)]
    return lines, markdown.drew_plain
