"""The Responses API through the engine, against the simulator over real HTTP.

A dropped or stalled background response resumes after the last event seen (a GET with starting_after,
never a second POST), and the answer is exactly the whole answer, once.
"""

from __future__ import annotations

import asyncio

import pytest

from support import FAST, IDLE
from tui_chat.engine import (
    Delta,
    ErrorKind,
    Failed,
    Finished,
    Quirks,
    ReasoningDelta,
    ResponseCreated,
    Retrying,
    Started,
    TurnPolicy,
    TurnRequest,
    UsageReport,
    make_client,
    run_turn,
)
from tui_chat.engine.policy import Fallback
from tui_chat.sim.scenarios import REASONING, prose_tokens

QUESTION = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}]
PROSE_40 = "".join(prose_tokens(40))


async def turn(sim, model, *, quirks=None, stream=True, background=True, resume_id=None, retry=FAST):
    client = make_client(sim.base_url, "sk-test", IDLE)
    request = TurnRequest(model, QUESTION, stream=stream, api="responses", background=background, resume_id=resume_id)
    try:
        return [e async for e in run_turn(client, request, TurnPolicy(retry, IDLE, Fallback()), quirks)]
    finally:
        await client.close()


def shown(events) -> str:
    """What a consumer appending every delta shows, with the discarded attempts' text taken away."""
    text = ""
    for event in events:
        if isinstance(event, Retrying) and event.discarded:
            text = ""
        elif isinstance(event, Delta):
            text += event.text
    return text


async def chat_answer(sim, model) -> str:
    client = make_client(sim.base_url, "sk-test", IDLE)
    request = TurnRequest(model, QUESTION)
    try:
        events = [e async for e in run_turn(client, request, TurnPolicy(FAST, IDLE, Fallback()))]
    finally:
        await client.close()
    return events[-1].text


# -- the engine ------------------------------------------------------------------------------------------


async def test_a_full_answer_is_the_chat_answer_with_usage_and_a_response_id(sim):
    events = await turn(sim, "normal")
    done = events[-1]
    assert isinstance(done, Finished) and done.finish_reason == "stop"
    sent = sim.stats("normal")["last_request"]
    assert done.text == shown(events) == await chat_answer(sim, "normal")
    created = [e for e in events if isinstance(e, ResponseCreated)]
    assert len(created) == 1 and created[0].background and created[0].response_id.startswith("resp_")
    usage = next(e for e in events if isinstance(e, UsageReport)).usage
    assert usage.completion_tokens == done.metrics.tokens and usage.prompt_tokens
    assert sent["instructions"] == "be brief" and sent["input"] == [{"role": "user", "content": "hello"}]
    assert sent["background"] is True and sent["store"] is True and sent["stream"] is True


async def test_a_dropped_stream_resumes_after_the_last_event_with_every_word_once(sim):
    events = await turn(sim, "drop-20")
    done = events[-1]
    assert isinstance(done, Finished) and done.text == PROSE_40
    assert shown(events) == PROSE_40  # nothing shown twice, nothing lost
    retries = [e for e in events if isinstance(e, Retrying)]
    assert [(r.resume_after, r.discarded) for r in retries] == [(19, False), (39, False)]
    assert [e.resume_after for e in events if isinstance(e, Started)] == [None, 19, 39]
    stats = sim.stats("drop-20")
    assert stats["requests"] == 1, "a resume is a GET of the same response, never a second POST"
    assert stats["resumed"] == 2 and stats["resumed_after"] == [19, 39]


async def test_a_stalled_stream_resumes(sim):
    events = await turn(sim, "stall-15-1")
    assert isinstance(events[-1], Finished) and shown(events) == PROSE_40
    assert sim.stats("stall-15-1")["requests"] == 1 and sim.stats("stall-15-1")["resumed_after"] == [14]


async def test_without_background_a_drop_starts_the_answer_over(sim):
    events = await turn(sim, "drop-20-1", background=False)
    assert isinstance(events[-1], Finished) and shown(events) == PROSE_40
    assert [r.discarded for r in events if isinstance(r, Retrying)] == [True]
    assert sim.stats("drop-20-1")["requests"] == 2 and sim.stats("drop-20-1")["resumed"] == 0
    assert sim.stats("drop-20-1")["last_request"]["store"] is False


@pytest.mark.parametrize(("model", "reason"), [("length-10", "length"), ("filter-5", "content_filter")])
async def test_an_incomplete_response_is_a_cut_answer(sim, model, reason):
    events = await turn(sim, model)
    done = events[-1]
    assert isinstance(done, Finished) and done.finish_reason == reason
    assert done.text and sim.stats(model)["requests"] == 1


@pytest.mark.parametrize("model", ["failed-5-1", "midstream-5-1"])
async def test_a_failed_response_or_an_error_event_is_retried_from_the_start(sim, model):
    events = await turn(sim, model)
    assert isinstance(events[-1], Finished) and shown(events) == PROSE_40
    retries = [e for e in events if isinstance(e, Retrying)]
    assert len(retries) == 1 and retries[0].discarded and retries[0].resume_after is None
    assert retries[0].kind == ErrorKind.STREAM_ERROR
    assert sim.stats(model)["requests"] == 2 and sim.stats(model)["resumed"] == 0


async def test_server_errors_before_the_stream_are_retried_and_auth_is_not(sim):
    events = await turn(sim, "5xx-2")
    assert isinstance(events[-1], Finished) and sim.stats("5xx-2")["requests"] == 3
    events = await turn(sim, "auth")
    assert isinstance(events[-1], Failed) and events[-1].kind == ErrorKind.AUTH
    assert sim.stats("auth")["requests"] == 1


async def test_a_server_refusing_background_is_remembered(sim):
    quirks = Quirks()
    first = await turn(sim, "nobackground", quirks=quirks)
    assert isinstance(first[-1], Finished) and sim.stats("nobackground")["requests"] == 2
    second = await turn(sim, "nobackground", quirks=quirks)
    assert isinstance(second[-1], Finished) and sim.stats("nobackground")["requests"] == 3
    assert "background" not in sim.stats("nobackground")["last_request"]
    assert not any(isinstance(e, Retrying) for e in second)


async def test_a_server_without_the_responses_api_is_explained(sim):
    events = await turn(sim, "noresponses")
    failed = events[-1]
    assert isinstance(failed, Failed) and failed.kind == ErrorKind.NOT_FOUND
    assert "does not offer the Responses API" in failed.message and 'api = "chat"' in failed.hint


async def test_cancelling_a_background_turn_cancels_the_response_on_the_server(sim):
    client = make_client(sim.base_url, "sk-test", IDLE)
    request = TurnRequest("slow-200-20", QUESTION, api="responses", background=True)
    events = run_turn(client, request, TurnPolicy(FAST, IDLE, Fallback()))
    first = asyncio.Event()

    async def consume() -> None:
        async for event in events:
            if isinstance(event, Delta):
                first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 20)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await client.close()
    assert sim.stats("slow-200-20")["cancelled"] == 1


async def test_reasoning_summaries_are_reasoning(sim):
    events = await turn(sim, "reasoning")
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == REASONING
    assert isinstance(events[-1], Finished) and events[-1].reasoning == REASONING


async def test_the_non_streaming_fallback_speaks_responses_too(sim):
    events = await turn(sim, "reasoning", stream=False)
    done = events[-1]
    assert isinstance(done, Finished) and done.text == await chat_answer(sim, "normal")
    assert done.reasoning == REASONING and done.metrics.usage.completion_tokens
    assert "background" not in sim.stats("reasoning")["last_request"]


async def test_an_earlier_answer_is_picked_up_by_its_id_and_a_lost_one_asked_anew(sim):
    from openai import AsyncOpenAI

    raw = AsyncOpenAI(base_url=sim.base_url, api_key="sk-test", max_retries=0)
    stream = await raw.responses.create(model="slow-40-5", input="hello", stream=True, background=True, store=True)
    response_id = ""
    async for event in stream:  # the app dies after the first few events; the server goes on
        if event.type == "response.created":
            response_id = event.response.id
        if event.sequence_number == 5:
            break
    await stream.close()
    await raw.close()
    events = await turn(sim, "slow-40-5", resume_id=response_id)
    assert isinstance(events[-1], Finished) and events[-1].text == "".join(prose_tokens(40))
    assert sim.stats("slow-40-5")["requests"] == 1 and sim.stats("slow-40-5")["resumed_after"] == [-1]
    events = await turn(sim, "normal", resume_id="resp_gone")
    assert isinstance(events[-1], Finished) and sim.stats("normal")["requests"] == 1
    retry = next(e for e in events if isinstance(e, Retrying))
    assert retry.kind == ErrorKind.NOT_FOUND and not retry.discarded
