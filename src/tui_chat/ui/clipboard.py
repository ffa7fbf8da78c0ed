"""Copy text to the clipboard, and only claim success when a backend confirmed it.

The platform's clipboard (through pyperclip: wl-copy, xclip, xsel, pbcopy, clip.exe) is tried first;
its success is real. OSC 52 (Textual's ``copy_to_clipboard``) reaches the terminal but nothing tells
us whether the terminal honoured it, so the user is told how to check and how to enable it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyperclip

OSC52_HELP = (
    "sent to the terminal by OSC 52; if nothing was copied, enable clipboard access in the "
    "terminal (tmux: set -g set-clipboard on; kitty/WezTerm/iTerm2: allow clipboard write)"
)


@dataclass(frozen=True)
class CopyResult:
    confirmed: bool
    message: str


def copy_text(text: str, osc52: Callable[[str], None]) -> CopyResult:
    try:
        pyperclip.copy(text)
        if pyperclip.paste() == text:
            return CopyResult(True, f"copied {len(text)} characters")
    except pyperclip.PyperclipException:
        pass
    osc52(text)
    return CopyResult(False, OSC52_HELP)
