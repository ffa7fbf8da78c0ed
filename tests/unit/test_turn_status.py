"""What the status bar says, from the engine's events, on a clock the test moves."""

from __future__ import annotations

from tui_chat.engine.events import Delta, ErrorKind, Failed, Finished, Metrics, Retrying, Started
from tui_chat.ui.turn_status import Phase, TurnStatus


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_waiting_then_streaming_counts_from_enter():
    clock = Clock()
    status = TurnStatus(clock)
    status.begin(asked_at=99.5)
    status.apply(Started(1, 5, True))
    clock.now = 100.5
    assert status.text().startswith("◌ waiting for the first token… 0.5s")
    status.apply(Delta("a"))
    clock.now = 101.5
    status.apply(Delta("b"))
    assert status.text() == "▶ streaming · 2 tokens · 2.0 tok/s · first token 1.00s"


def test_a_retry_counts_down_and_a_resume_says_where_it_picks_up():
    clock = Clock()
    status = TurnStatus(clock)
    status.begin()
    status.apply(Retrying(1, 5, 2.0, "stream dropped", ErrorKind.DROPPED, True))
    clock.now += 0.5
    assert status.text() == "↻ retrying in 1.5s · attempt 2/5 · stream dropped (partial answer discarded)"
    status.apply(Delta("kept"))
    status.apply(Retrying(2, 5, 1.0, "stream dropped", ErrorKind.DROPPED, False, 19))
    assert status.text() == "↻ resuming after event 19 (attempt 3/5) in 1.0s · stream dropped"
    status.apply(Started(3, 5, True, 19))
    assert status.text().startswith("◌ resuming after event 19 (attempt 3/5)")
    assert status.tokens == 1, "a resume goes on counting"


def test_the_end_of_a_turn():
    status = TurnStatus(Clock())
    status.begin()
    metrics = Metrics(2.0, 0.3, 10, 5.0, 1, False)
    status.apply(Finished("length", "x", "", metrics))
    assert status.phase is Phase.READY and "⚠ cut off: max tokens reached" in status.text()
    status.apply(Failed(ErrorKind.AUTH, "bad key", "", "", metrics, status=401))
    assert status.text() == "✖ failed: 401 unauthorized: bad key"
    status.stopped()
    assert status.text().startswith("■ stopped by user")
