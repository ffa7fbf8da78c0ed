"""Text from outside is text, never markup or terminal control: the one sanitizer for all of it.

Model output, a server's error message, a header, a model name, a stored title, an imported file: an
ESC reaching the terminal could clear the screen, set its title or write the clipboard (OSC 52), and
BiDi controls can make text read differently from what it is (Trojan Source). Every such string is
drawn (app) or printed (CLI, stdout or stderr, a TTY or not) through :func:`visible_text`, which shows
them as visible control pictures (``␛[2J``) and markers (``⟨U+202E⟩``): the user sees what was sent.
``tui-chat ask`` writing an answer to a pipe is the one exception: the answer is the product, exact.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code >= 0x202A:
        return f"⟨U+{code:04X}⟩"
    return "\u2421" if code == 0x7F else "\ufffd"


def visible_text(text: str) -> str:
    """``text`` with CR LF as LF and every other control character (bar tab and LF) made visible."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return _CONTROL.sub(_picture, text)


def visible_line(text: str) -> str:
    """``text`` on one line, every control made visible: for status lines, titles and error messages."""
    return visible_text(" ".join(text.split()))
