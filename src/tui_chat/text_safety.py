"""Model output is text, never markup or terminal control.

Rich markup is not an issue for the widgets we use (they take ``Content``/Markdown, not markup), but
control characters are: an ESC reaching the terminal could clear the screen, set the title or write
the clipboard (OSC 52). Textual would silently drop them; we show them as visible control pictures
(``␛[2J``) so the user sees what the model really sent.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


def visible_text(text: str) -> str:
    """``text`` with CR LF as LF and every other control character (bar tab and LF) made visible."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return _CONTROL.sub(_picture, text)
