"""Print a streamed answer to a text stream without ever printing the same text twice.

When the engine restarts an answer (a retry after part of it was already printed), what is on
stdout cannot be taken back. The new answer is held back while it repeats what was printed; if it
goes on past that, only the rest is printed; if it differs, a notice goes to stderr and the new
answer is printed whole after a separator line.
"""

from __future__ import annotations

from typing import TextIO

from ..chat.text_safety import visible_text

SEPARATOR = "\n----- answer restarted -----\n"


class AnswerWriter:
    def __init__(self, out: TextIO, err: TextIO, *, sanitize: bool = False) -> None:
        self.out = out
        self.err = err
        self.sanitize = sanitize
        self._parts: list[str] = []
        """The answer text on ``out`` since the last separator (joined only when an answer restarts)."""
        self.printed = ""
        """Snapshot of ``_parts`` taken at a restart, to compare the new answer with."""
        self.replay: str | None = None
        """While not None: the restarted answer, held back as long as it repeats ``printed``."""

    def write(self, text: str) -> None:
        if self.replay is None:
            self._emit(text)
            return
        start = len(self.replay)
        self.replay += text
        overlap = self.printed[start : start + len(text)]
        if not text.startswith(overlap):
            self._diverge()
        elif len(self.replay) > len(self.printed):
            self._parts, self.replay = [self.printed], None
            self._emit(text[len(overlap) :])

    def restart(self) -> None:
        """The answer starts over; what follows is the new answer from its first character."""
        self.printed = "".join(self._parts)
        if self.printed:
            self.replay = ""

    def finish(self, *, answered: bool = True) -> None:
        """The turn is over. A complete restarted answer shorter than what was printed differs from it; a turn
        that failed has no new answer to follow a separator: what was held back is already on ``out``."""
        if answered and self.replay is not None and self.replay != self.printed:
            self._diverge()
        self.replay = None
        if self._parts and not self._parts[-1].endswith("\n"):
            self.out.write("\n")
        self.out.flush()

    def _diverge(self) -> None:
        new, self.replay = self.replay or "", None
        self.err.write(
            "tui-chat: the restarted answer differs from the part already printed; "
            "the new answer follows the separator\n"
        )
        self.err.flush()
        self.out.write(SEPARATOR)
        self._parts = []
        self._emit(new)

    def _emit(self, text: str) -> None:
        if not text:
            return
        self._parts.append(text)
        self.out.write(visible_text(text) if self.sanitize else text)
        self.out.flush()
