"""Turns run in the engine process: same events as in-process, cancellation and a dying child handled."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from tui_chat.config import FallbackSettings, RetrySettings, TimeoutSettings
from tui_chat.engine import Delta, ErrorKind, Failed, Finished, Retrying, TurnPolicy, TurnRequest
from tui_chat.engine.process import ClientSpec, EngineProcess
from tui_chat.sim.scenarios import prose_tokens

POLICY = TurnPolicy(RetrySettings(initial_backoff=0.01, max_backoff=0.05, jitter=0.01), TimeoutSettings(idle=0.4),
                    FallbackSettings())


@pytest.fixture
async def engine():
    process = EngineProcess()
    process.start()
    yield process
    process.close()


def request(model: str) -> TurnRequest:
    return TurnRequest(model, [{"role": "user", "content": "hello"}])


async def test_events_match_the_in_process_engine(sim, engine):
    events = [e async for e in engine.turn(ClientSpec(sim.base_url, "sk-test"), request("drop-5-1"), POLICY)]
    assert any(isinstance(e, Retrying) and e.discarded for e in events)
    finished = events[-1]
    assert isinstance(finished, Finished) and finished.text == "".join(prose_tokens(40))
    last_start = max(i for i, e in enumerate(events) if type(e).__name__ == "Started")
    assert "".join(e.text for e in events[last_start:] if isinstance(e, Delta)) == finished.text


async def test_turns_follow_one_another_in_the_same_child(sim, engine):
    spec = ClientSpec(sim.base_url, "sk-test")
    for model in ("echo", "normal", "echo"):
        events = [e async for e in engine.turn(spec, request(model), POLICY)]
        assert isinstance(events[-1], Finished)
    assert sim.stats("echo")["completed"] == 2


async def test_cancelling_the_consumer_closes_the_http_stream(sim, engine):
    model = "slow-500-20"
    got_delta = asyncio.Event()

    async def consume():
        async for event in engine.turn(ClientSpec(sim.base_url, "sk-test"), request(model), POLICY):
            if isinstance(event, Delta):
                got_delta.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(got_delta.wait(), 20)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await sim.disconnected(model)
    assert sim.stats(model)["disconnected"] == 1 and sim.stats(model)["completed"] == 0
    follow_up = [e async for e in engine.turn(ClientSpec(sim.base_url, "sk-test"), request("echo"), POLICY)]
    assert isinstance(follow_up[-1], Finished)  # the cancelled turn's leftovers do not leak into the next


async def test_a_dead_child_is_a_typed_failure_and_the_next_turn_recovers(sim, engine):
    events = []
    async for event in engine.turn(ClientSpec(sim.base_url, "sk-test"), request("slow-500-20"), POLICY):
        events.append(event)
        if isinstance(event, Delta):
            os.kill(engine._process.pid, signal.SIGKILL)
    assert isinstance(events[-1], Failed) and events[-1].kind == ErrorKind.CLIENT
    assert "engine process stopped" in events[-1].message
    again = [e async for e in engine.turn(ClientSpec(sim.base_url, "sk-test"), request("echo"), POLICY)]
    assert isinstance(again[-1], Finished) and again[-1].text == "hello"


async def test_the_key_is_not_in_the_spec_repr():
    assert "sk-secret" not in repr(ClientSpec("http://x", "sk-secret"))
