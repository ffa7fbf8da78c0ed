"""When an answer's frames come and how long each may render: the pace of its deltas, and of the user's keys.

An answer's frames cost a screen update each (and a reflow of the log when a line was added), whatever they
show: the pace decides how many there are. Keys come first: after one, frames and rendering slices wait for its
screen update, and while the user types they are few and short.
"""

from __future__ import annotations

import time

from ..markdown_segments import MIN_SEGMENT_LINES

FRAME_SECONDS = 1 / 30
RENDER_BUDGET_SECONDS = 0.012
CATCH_UP_SECONDS = 0.002
"""Longest one callback spends rendering settled Markdown. A burst is drawn in slices, the next slice
``CATCH_UP_SECONDS`` later: keystrokes and screen updates run between slices. What the slices drew is
shown with the next frame."""
KEY_PAINT_SECONDS = 0.025
"""After a keystroke, frames and rendering slices wait this long (about a screen update and a half), so the
key is painted in a cheap partial update instead of behind a reflow of the whole log."""
TYPING_SECONDS = 0.5
TYPING_FRAME_SECONDS = 0.5
TYPING_RENDER_BUDGET_SECONDS = 0.004
TYPING_CATCH_UP_SECONDS = 0.016
"""For ``TYPING_SECONDS`` after a keystroke the user is typing: the answer's frames come every
``TYPING_FRAME_SECONDS``, each after the last key's screen update, and rendering slices are short. A frame's
reflow of the scrolled log takes 15-50 ms (more beside a busy neighbour), and a key that arrives during one waits
for it: this way keys rarely do, and the answer still moves twice a second (at four times a second, the slowest
keys of a full-speed stream were those that met a reflow: see ``benchmarks/README.md``). (A frame right after
each key was a reflow per key, and once a full-speed frame draws a screenful of new lines the next key waits
behind it.) A stream faster than the screen draws it leaves a backlog drawn slice after slice: while typing,
slices are ``TYPING_CATCH_UP_SECONDS`` apart (a screen update's period), so a key's update finds the loop free;
the answer catches up when the typing stops."""
READING_FRAME_SECONDS = 1 / 8
READING_RATE = 64
"""Deltas a second up to which a stream goes at the pace people read (50 tokens/s and below): frames then come
at ``READING_FRAME_SECONDS``, a few words at a time. Each frame costs a screen update (and a reflow of the log
when a line was added) whatever it shows: at 50 tokens/s, 30 frames a second was most of the app's CPU for an
answer anyone reads as it comes, and 12 a second still half of it; at 10 tokens/s a frame shows a token or two."""
FAST_FRAME_SECONDS = 1 / 20
FAST_RATE = 900
"""Deltas a second above which a stream is faster than anyone reads: frames then come at ``FAST_FRAME_SECONDS``.
Every frame of a scrolling answer recomposes the whole screen, so at full speed fewer frames is most of what the
UI can save."""


class AnswerPace:
    """One answer's pace: its frame interval, judged from the deltas each frame found, and the user's keys."""

    def __init__(self) -> None:
        self.frame = FRAME_SECONDS
        self._framed_at = 0.0
        """When the last frame applied deltas: the pace is the deltas since then over the time since then."""
        self._held_until = 0.0
        self._typing_until = 0.0

    def key_pressed(self) -> None:
        """Let the key's screen update go first (``KEY_PAINT_SECONDS``); the user types (``TYPING_SECONDS``)."""
        now = time.monotonic()
        self._held_until = now + KEY_PAINT_SECONDS
        self._typing_until = now + TYPING_SECONDS

    def typing(self) -> bool:
        return time.monotonic() < self._typing_until

    def held_for(self) -> float:
        """How long a key's screen update still goes first (0 or less: not held)."""
        return self._held_until - time.monotonic()

    def due(self) -> bool:
        """At the pace people read, a delta that comes a frame or more after the last frame is shown at once, in
        the wake of the loop that brought it; one that comes sooner waits for the next delta or a frame from
        now, whichever is first. At 10 tokens a second frames then come with every other token, and no frame
        wakes the loop on its own (a frame a frame-interval after the first delta did, as many times as the
        deltas did). Faster, and while a key goes first or the user types, frames keep their own clock."""
        return (
            self.frame == READING_FRAME_SECONDS
            and time.monotonic() - self._framed_at >= self.frame
            and self.held_for() <= 0
            and not self.typing()
        )

    def frame_interval(self) -> float:
        """While the user types, frames are few whether deltas come or not (a backlog is drawn without any)."""
        return TYPING_FRAME_SECONDS if self.typing() else self.frame

    def framed(self, deltas: int) -> None:
        """A frame found ``deltas`` new deltas: the next comes at the pace they came."""
        now = time.monotonic()
        rate = deltas / max(now - self._framed_at, FRAME_SECONDS)
        if rate > FAST_RATE:
            self.frame = FAST_FRAME_SECONDS
        else:
            self.frame = READING_FRAME_SECONDS if rate <= READING_RATE else FRAME_SECONDS
        self._framed_at = now

    def segment_lines(self) -> int:
        """At the pace people read, every block settles as soon as the next one starts: each frame renders the
        tail again for a word or two, so the tail is kept to the block being written. Faster, segments are
        longer (a frame then settles many blocks, and each rendering has a cost of its own)."""
        return 1 if self.frame == READING_FRAME_SECONDS else MIN_SEGMENT_LINES

    def render_budget(self) -> float:
        return TYPING_RENDER_BUDGET_SECONDS if self.typing() else RENDER_BUDGET_SECONDS

    def catch_up_gap(self) -> float:
        return TYPING_CATCH_UP_SECONDS if self.typing() else CATCH_UP_SECONDS
