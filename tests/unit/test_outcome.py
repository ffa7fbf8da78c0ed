"""The one fold from a turn's events to its answer."""

from __future__ import annotations

from typing import get_args

from tui_chat.chat.conversation import ChatMessage, MessageStatus
from tui_chat.chat.outcome import TurnOutcome
from tui_chat.engine.events import (
    Delta,
    ErrorKind,
    Failed,
    FallingBack,
    Finished,
    Metrics,
    ReasoningDelta,
    ResponseCreated,
    Retrying,
    Started,
    TurnEvent,
    Usage,
    UsageReport,
)

METRICS = Metrics(1.0, 0.2, 3, 3.0, 1, False)


def fold(*events: TurnEvent, hint: str = "") -> TurnOutcome:
    outcome = TurnOutcome(ChatMessage("assistant", "", status=MessageStatus.STREAMING), lambda failed: hint)
    for event in events:
        outcome.apply(event)
    return outcome


def test_a_finished_turn_is_complete_with_its_text_reason_and_metrics():
    outcome = fold(
        Started(1, 5, True), ReasoningDelta("hm"), Delta("a"), Delta("b"), Finished("length", "ab", "hm", METRICS)
    )
    message = outcome.message
    assert outcome.ended and message.status is MessageStatus.COMPLETE
    assert (message.content, message.reasoning, message.finish_reason) == ("ab", "hm", "length")
    assert message.metrics == METRICS and message.cut == "cut off: max tokens reached"


def test_a_failed_turn_keeps_what_came_and_says_why_with_the_hint():
    failed = Failed(ErrorKind.RATE_LIMITED, "slow down", "", "ab", METRICS, status=429)
    message = fold(Delta("a"), Delta("b"), failed, hint="wait a minute").message
    assert message.status is MessageStatus.FAILED and message.content == "ab"
    assert message.error == "429 rate limited: slow down · hint: wait a minute"


def test_a_discarded_attempt_is_dropped_and_a_resumed_one_kept():
    discarded = fold(Delta("old "), Retrying(1, 5, 0.5, "stream dropped", ErrorKind.DROPPED, True), Delta("new"))
    assert discarded.text == "new"
    resumed = fold(Delta("first "), Retrying(1, 5, 0.5, "stream dropped", ErrorKind.DROPPED, False, 19), Delta("rest"))
    assert resumed.text == "first rest"


def test_what_must_be_stored_at_once_is_said():
    outcome = fold()
    assert outcome.apply(ResponseCreated("resp_1", True)) is True and outcome.message.response_id == "resp_1"
    assert outcome.apply(Retrying(1, 5, 0.5, "x", ErrorKind.DROPPED, True)) is True
    assert outcome.apply(Delta("a")) is False


def test_stopped_and_broken_keep_every_token():
    stopped = fold(Delta("half"))
    stopped.stopped()
    assert stopped.message.status is MessageStatus.STOPPED and stopped.message.content == "half"
    broken = fold(Delta("half"))
    broken.broken(ValueError("bug"))
    assert broken.message.status is MessageStatus.FAILED and broken.message.error == "internal error: ValueError: bug"


def test_every_event_type_is_folded():
    samples = {
        Started: Started(1, 1, True),
        Delta: Delta("x"),
        ReasoningDelta: ReasoningDelta("y"),
        UsageReport: UsageReport(Usage(1, 2, 3)),
        Retrying: Retrying(1, 2, 0.0, "r", ErrorKind.DROPPED, False),
        FallingBack: FallingBack("why"),
        ResponseCreated: ResponseCreated("resp", False),
        Finished: Finished("stop", "x", "", METRICS),
        Failed: Failed(ErrorKind.CLIENT, "m", "", "", METRICS),
    }
    assert set(samples) == set(get_args(TurnEvent))
    for event in samples.values():
        fold(event)  # assert_never would raise for a type the fold forgot
