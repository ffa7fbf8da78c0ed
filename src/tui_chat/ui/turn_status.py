"""What the status bar says, worked out from the engine's events.

Kept apart from the widget: applying an event is a few assignments (it runs per delta), and the text
is only composed when the status bar ticks (about 10 times a second), with the live countdowns.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

from ..engine.events import Delta, Failed, FallingBack, Finished, Metrics, ReasoningDelta, Retrying, Started, TurnEvent
from ..engine.finish import cut_note


class Phase(StrEnum):
    READY = "ready"
    WAITING = "waiting"
    STREAMING = "streaming"
    RETRYING = "retrying"
    STOPPED = "stopped"
    FAILED = "failed"


class TurnStatus:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.phase = Phase.READY
        self.last_metrics: Metrics | None = None
        self.failure = ""
        self.cut = ""
        """Why the last answer is incomplete, if it is (``cut off: max tokens reached``)."""
        self._reset()

    def _reset(self) -> None:
        self.started_at = self.clock()
        self.attempt_started_at = self.started_at
        self.first_token_at: float | None = None
        self.tokens = 0
        self.thinking = 0
        self.attempt = 1
        self.max_attempts = 1
        self.streaming = True
        self.retry_at = 0.0
        self.retry_reason = ""
        self.resume_after: int | None = None
        self.fallback_reason = ""

    def begin(self, asked_at: float | None = None) -> float:
        """A new turn was sent (``asked_at``: when Enter was pressed). Returns the moment it counts from, which
        the engine counts from too: the time to the first token has one definition, Enter to first token."""
        self._reset()
        if asked_at is not None:
            self.started_at = self.attempt_started_at = asked_at
        self.phase = Phase.WAITING
        self.failure = self.cut = ""
        return self.started_at

    def apply(self, event: TurnEvent) -> None:
        if isinstance(event, Delta):
            self.tokens += 1
            if self.first_token_at is None:
                self.first_token_at = self.clock()
                self.phase = Phase.STREAMING
        elif isinstance(event, ReasoningDelta):
            self.thinking += 1
            self.phase = Phase.STREAMING
        elif isinstance(event, Started):
            self.attempt, self.max_attempts, self.streaming = event.attempt, event.max_attempts, event.streaming
            self.attempt_started_at = self.clock()
            self.resume_after = event.resume_after
            if event.resume_after is None or event.resume_after < 0:  # a resume goes on counting where it was
                self.first_token_at, self.tokens, self.thinking = None, 0, 0
            self.phase = Phase.WAITING
        elif isinstance(event, Retrying):
            self.phase = Phase.RETRYING
            self.retry_at = self.clock() + event.delay
            self.retry_reason = event.reason + (" (partial answer discarded)" if event.discarded else "")
            self.resume_after = event.resume_after
            self.attempt, self.max_attempts = event.attempt + 1, event.max_attempts
        elif isinstance(event, FallingBack):
            self.fallback_reason = event.reason
        elif isinstance(event, Finished):
            self.phase, self.last_metrics = Phase.READY, event.metrics
            self.cut = cut_note(event.finish_reason)
        elif isinstance(event, Failed):
            self.phase, self.last_metrics = Phase.FAILED, event.metrics
            self.failure = f"{event.reason}: {event.message}"

    def stopped(self) -> None:
        """The user stopped the turn."""
        self.phase = Phase.STOPPED

    def fail(self, reason: str) -> None:
        """The turn broke outside the engine's typed failures."""
        self.phase, self.failure = Phase.FAILED, reason

    def clear(self) -> None:
        """A new conversation: ready, with no last turn."""
        self._reset()
        self.phase, self.last_metrics, self.failure, self.cut = Phase.READY, None, "", ""

    @property
    def busy(self) -> bool:
        return self.phase in (Phase.WAITING, Phase.STREAMING, Phase.RETRYING)

    def text(self) -> str:
        now = self.clock()
        attempt = f" · attempt {self.attempt}/{self.max_attempts}" if self.attempt > 1 else ""
        fallback = " · non-streaming fallback" if not self.streaming else ""
        if self.phase is Phase.WAITING:
            waited = now - self.attempt_started_at
            if self.resume_after is not None:
                return f"◌ {self._resuming()} · {waited:.1f}s"
            return f"◌ waiting for the first token… {waited:.1f}s{attempt}{fallback}"
        if self.phase is Phase.STREAMING:
            if not self.tokens:
                return f"◐ thinking · {self.thinking} reasoning tokens{attempt}"
            ttft = (self.first_token_at or now) - self.started_at
            span = now - (self.first_token_at or now)
            rate = f" · {self.tokens / span:.1f} tok/s" if span > 0.05 else ""
            return f"▶ streaming · {self.tokens} tokens{rate} · first token {ttft:.2f}s{attempt}{fallback}"
        if self.phase is Phase.RETRYING:
            left = max(0.0, self.retry_at - now)
            if self.resume_after is not None:
                return f"↻ {self._resuming()} in {left:.1f}s · {self.retry_reason}"
            return f"↻ retrying in {left:.1f}s · attempt {self.attempt}/{self.max_attempts} · {self.retry_reason}"
        if self.phase is Phase.STOPPED:
            return f"■ stopped by user · {self.tokens} tokens kept"
        if self.phase is Phase.FAILED:
            return f"✖ failed: {self.failure}"
        cut = f" · ⚠ {self.cut}" if self.cut else ""
        return "● ready" + cut + (f" · last: {self.last_metrics.describe()}" if self.last_metrics else "")

    def _resuming(self) -> str:
        where = "from its start" if (self.resume_after or 0) < 0 else f"after event {self.resume_after}"
        return f"resuming {where} (attempt {self.attempt}/{self.max_attempts})"

    @property
    def fallback_text(self) -> str:
        return f"fell back to non-streaming: {self.fallback_reason}" if self.fallback_reason else ""
