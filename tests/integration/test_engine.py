"""The turn generator against the simulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import pytest

from support import FAST, IDLE
from tui_chat.engine import (
    Delta,
    ErrorKind,
    Failed,
    FallingBack,
    Finished,
    Quirks,
    ReasoningDelta,
    Retrying,
    Started,
    TurnPolicy,
    TurnRequest,
    UsageReport,
    build_messages,
    make_client,
    run_turn,
)
from tui_chat.engine.policy import Fallback, Timeouts
from tui_chat.sim.scenarios import prose_tokens


async def collect(sim, model, *, retry=FAST, timeouts=IDLE, fallback=None, quirks=None, stream=True, messages=None):
    client = make_client(sim.base_url, "sk-test", timeouts)
    policy = TurnPolicy(retry, timeouts, fallback or Fallback())
    request = TurnRequest(model, messages or [{"role": "user", "content": "hello"}], stream=stream)
    try:
        return [event async for event in run_turn(client, request, policy, quirks)]
    finally:
        await client.close()


def kinds(events):
    """Event names with runs of deltas folded: ['Started', 'Delta*', 'Finished']."""
    out = []
    for event in events:
        name = type(event).__name__ + ("*" if isinstance(event, Delta) else "")
        if not (out and out[-1] == name == "Delta*"):
            out.append(name)
    return out


def answer_after_last_start(events) -> str:
    last = max(i for i, e in enumerate(events) if isinstance(e, Started))
    return "".join(e.text for e in events[last:] if isinstance(e, Delta))


async def test_normal_stream_event_order_and_metrics(sim):
    events = await collect(sim, "normal")
    assert kinds(events) == ["Started", "Delta*", "UsageReport", "Finished"]
    finished = events[-1]
    assert finished.finish_reason == "stop"
    assert finished.text == "".join(e.text for e in events if isinstance(e, Delta))
    assert "You said: *hello*" in finished.text
    m = finished.metrics
    assert m.attempts == 1 and not m.fell_back
    assert m.time_to_first_token is not None and m.time_to_first_token <= m.total_time
    assert m.usage is not None and m.usage.completion_tokens == m.tokens > 0
    assert sim.stats("normal")["last_request"]["stream_options"] == {"include_usage": True}


async def test_role_only_first_chunk_and_usage_chunk_with_empty_choices(sim):
    events = await collect(sim, "fast-50")
    deltas = [e for e in events if isinstance(e, Delta)]
    assert len(deltas) == 50 and all(d.text for d in deltas)  # the role-only chunk yields nothing
    assert isinstance(events[-2], UsageReport) and events[-2].usage.completion_tokens == 50


async def test_reasoning_deltas_come_before_the_answer(sim):
    events = await collect(sim, "reasoning")
    first_answer = next(i for i, e in enumerate(events) if isinstance(e, Delta))
    reasoning = [i for i, e in enumerate(events) if isinstance(e, ReasoningDelta)]
    assert reasoning and max(reasoning) < first_answer
    assert events[-1].reasoning.startswith("Let me think")
    assert "reasoning" not in events[-1].text.lower()


async def test_rate_limit_honours_retry_after_then_succeeds(sim):
    started = time.monotonic()
    events = await collect(sim, "ratelimit-2-0.2")
    elapsed = time.monotonic() - started
    retries = [e for e in events if isinstance(e, Retrying)]
    assert [r.attempt for r in retries] == [1, 2]
    assert all(r.delay == pytest.approx(0.2) and r.reason == "429 rate limited" for r in retries)
    assert not any(r.discarded for r in retries)
    assert elapsed >= 0.4  # both waits were really taken
    assert isinstance(events[-1], Finished) and events[-1].metrics.attempts == 3


async def test_retry_after_longer_than_the_cap_is_not_retried(sim):
    events = await collect(sim, "ratelimit-1-5", retry=FAST._replace(max_retry_after=1))
    assert kinds(events) == ["Started", "Failed"]
    assert "more than retry.max_retry_after" in events[-1].hint


async def test_5xx_is_retried_with_backoff(sim):
    events = await collect(sim, "5xx-2")
    assert [e.reason for e in events if isinstance(e, Retrying)] == ["500 server error", "503 server error"]
    assert isinstance(events[-1], Finished)


@pytest.mark.parametrize(
    "model, kind", [("auth", ErrorKind.AUTH), ("unknown-model", ErrorKind.NOT_FOUND), ("quota", ErrorKind.QUOTA)]
)
async def test_errors_that_are_never_retried(sim, model, kind):
    events = await collect(sim, model)
    assert kinds(events) == ["Started", "Failed"]
    failed = events[-1]
    assert failed.kind == kind and failed.hint
    assert sim.stats(model)["requests"] == 1


async def test_quota_is_reported_as_billing_not_rate_limit(sim):
    failed = (await collect(sim, "quota"))[-1]
    assert "billing" in failed.hint and "not a rate limit" in failed.hint


async def test_dropped_stream_restarts_the_answer_and_says_so(sim):
    events = await collect(sim, "drop-5-1")
    retry = next(e for e in events if isinstance(e, Retrying))
    assert retry.kind == ErrorKind.DROPPED and retry.discarded
    finished = events[-1]
    assert isinstance(finished, Finished)
    assert finished.text == answer_after_last_start(events) == "".join(prose_tokens(40))


async def test_dropped_every_time_falls_back_to_non_streaming(sim):
    events = await collect(sim, "drop-5", fallback=Fallback(after_attempts=2))
    assert kinds(events) == [
        "Started",
        "Delta*",
        "Retrying",
        "Started",
        "Delta*",
        "Retrying",
        "FallingBack",
        "Started",
        "Delta*",
        "UsageReport",
        "Finished",
    ]
    last_start = [e for e in events if isinstance(e, Started)][-1]
    assert last_start.streaming is False
    assert "stream dropped" in next(e for e in events if isinstance(e, FallingBack)).reason
    finished = events[-1]
    assert finished.metrics.fell_back and finished.text == answer_after_last_start(events)
    assert not sim.stats("drop-5")["last_request"].get("stream")


async def test_fallback_disabled_gives_up_after_max_attempts(sim):
    events = await collect(sim, "drop-3", retry=FAST._replace(max_attempts=3), fallback=Fallback(enabled=False))
    assert not any(isinstance(e, FallingBack) for e in events)
    failed = events[-1]
    assert isinstance(failed, Failed) and failed.kind == ErrorKind.DROPPED
    assert "gave up after 3 attempts" in failed.message
    assert failed.partial == "".join(prose_tokens(3))


async def test_fallback_is_granted_even_at_max_attempts(sim):
    events = await collect(sim, "drop-3", retry=FAST._replace(max_attempts=2), fallback=Fallback(after_attempts=2))
    assert isinstance(events[-1], Finished) and events[-1].metrics.attempts == 3


@pytest.mark.parametrize(
    "model, kind",
    [
        ("stall-3-1", ErrorKind.STALLED),
        ("midstream-3-1", ErrorKind.STREAM_ERROR),
        ("malformed-3-1", ErrorKind.MALFORMED),
        ("misshapen-3-1", ErrorKind.MALFORMED),
        ("truncate-3-1", ErrorKind.TRUNCATED),
    ],
)
async def test_broken_streams_are_retried_and_never_finished(sim, model, kind):
    events = await collect(sim, model)
    retry = next(e for e in events if isinstance(e, Retrying))
    assert retry.kind == kind and retry.discarded
    finished = events[-1]
    assert isinstance(finished, Finished) and finished.metrics.attempts == 2
    assert finished.text == answer_after_last_start(events)


async def test_truncated_stream_is_a_failure_not_an_answer(sim):
    events = await collect(sim, "truncate-3-99", retry=FAST._replace(max_attempts=2), fallback=Fallback(enabled=False))
    assert not any(isinstance(e, Finished) for e in events)
    assert events[-1].kind == ErrorKind.TRUNCATED


async def test_server_that_cannot_stream_is_remembered(sim):
    quirks = Quirks()
    first = await collect(sim, "nostream", quirks=quirks)
    assert any(isinstance(e, FallingBack) for e in first) and isinstance(first[-1], Finished)
    second = await collect(sim, "nostream", quirks=quirks)
    assert kinds(second) == ["Started", "Delta*", "UsageReport", "Finished"]
    assert second[0].streaming is False
    assert sim.stats("nostream")["requests"] == 3


async def test_server_that_rejects_stream_options_is_remembered(sim):
    quirks = Quirks()
    first = await collect(sim, "nostreamopts", quirks=quirks)
    assert isinstance(first[-1], Finished) and first[-1].metrics.attempts == 2
    assert not any(isinstance(e, FallingBack) for e in first)
    second = await collect(sim, "nostreamopts", quirks=quirks)
    assert second[-1].metrics.attempts == 1
    assert "stream_options" not in sim.stats("nostreamopts")["last_request"]


async def test_profile_without_streaming(sim):
    events = await collect(sim, "normal", stream=False)
    assert events[0].streaming is False
    assert kinds(events) == ["Started", "Delta*", "UsageReport", "Finished"]
    assert len([e for e in events if isinstance(e, Delta)]) == 1


async def test_deadline_stops_retrying(sim):
    retry = FAST._replace(deadline=0.5, max_attempts=50)
    started = time.monotonic()
    events = await collect(sim, "ratelimit-100-0.3", retry=retry)
    assert isinstance(events[-1], Failed) and events[-1].kind == ErrorKind.RATE_LIMITED
    assert time.monotonic() - started < 5
    assert sum(isinstance(e, Retrying) for e in events) <= 2


async def test_unreachable_server_is_a_connection_failure():
    client = make_client("http://127.0.0.1:9/v1", "k", IDLE)
    policy = TurnPolicy(FAST._replace(max_attempts=2), IDLE, Fallback())
    events = [e async for e in run_turn(client, TurnRequest("m", [{"role": "user", "content": "x"}]), policy)]
    await client.close()
    assert isinstance(events[-1], Failed) and events[-1].kind == ErrorKind.CONNECTION


async def test_a_server_trickling_its_headers_hits_the_whole_request_timeout():
    """One header byte every 0.1 s never trips the idle (read) timeout; ``timeouts.request`` still ends it."""

    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        try:
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 200:  # bounded: 20 s at most
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.1)
        except ConnectionError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(trickle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    timeouts = Timeouts(idle=5, request=1)
    client = make_client(f"http://127.0.0.1:{port}/v1", "k", timeouts)
    policy = TurnPolicy(FAST._replace(max_attempts=1), timeouts, Fallback(enabled=False))
    try:
        events = [e async for e in run_turn(client, TurnRequest("m", [{"role": "user", "content": "x"}]), policy)]
    finally:
        await client.close()
        server.close()
        await server.wait_closed()
    assert isinstance(events[-1], Failed) and events[-1].kind == ErrorKind.TIMEOUT
    assert "timeouts.request" in events[-1].message


async def test_cancelling_the_consumer_closes_the_http_stream(sim):
    model = "slow-500-20"
    client = make_client(sim.base_url, "k", IDLE)
    policy = TurnPolicy(FAST, IDLE, Fallback())
    await sim.cancel_after_first_delta(
        run_turn(client, TurnRequest(model, [{"role": "user", "content": "x"}]), policy), model
    )
    await client.close()


def test_empty_system_prompt_is_not_sent():
    assert build_messages("  ", [("user", "hi")]) == [{"role": "user", "content": "hi"}]
    assert build_messages("be brief", [("user", "hi")])[0] == {"role": "system", "content": "be brief"}


async def test_time_to_first_token_counts_from_when_the_user_asked(sim):
    client = make_client(sim.base_url, "sk-test", IDLE)
    policy = TurnPolicy(FAST, IDLE, Fallback())
    asked_at = time.monotonic() - 5.0  # the user pressed Enter five seconds ago (the app's process hop, a queue)
    request = TurnRequest("normal", [{"role": "user", "content": "hi"}], asked_at=asked_at)
    try:
        events = [e async for e in run_turn(client, request, policy)]
    finally:
        await client.close()
    metrics = events[-1].metrics
    assert 5.0 <= metrics.time_to_first_token <= metrics.total_time


async def test_a_non_streamed_answer_reports_no_tokens_per_second(sim):
    events = await collect(sim, "normal", stream=False)
    metrics = events[-1].metrics
    assert metrics.tokens > 0 and metrics.tokens_per_second is None
    assert "tok/s" not in metrics.describe()


FIRST_REQUEST = """
import asyncio, sys
from tui_chat.engine import TurnPolicy, TurnRequest, make_client, run_turn
from tui_chat.engine.client import load_transport
from tui_chat.engine.policy import Fallback, Retries, Timeouts

async def main():
    client = make_client(sys.argv[1], "sk-test", Timeouts())
    await load_transport()
    before = set(sys.modules)
    request = TurnRequest("normal", [{"role": "user", "content": "hello"}])
    events = [e async for e in run_turn(client, request, TurnPolicy(Retries(), Timeouts(), Fallback()))]
    await client.close()
    print(type(events[-1]).__name__, *sorted(m for m in set(sys.modules) - before if m.startswith("anyio")))

asyncio.run(main())
"""


def test_the_transport_is_loaded_before_the_first_request(sim):
    """The app's backend loads the transport while the first screen shows: its first answer then imports
    nothing of anyio's (a fresh interpreter: this one has long loaded it)."""
    done = subprocess.run(
        [sys.executable, "-c", FIRST_REQUEST, sim.base_url], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["Finished"]
