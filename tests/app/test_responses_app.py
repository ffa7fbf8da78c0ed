"""The Responses API in the app (pilot): a resumed answer, reasoning summaries, Ctrl+R on an answer a crash cut
off, and Esc cancelling a background response on the server."""

from __future__ import annotations

import asyncio

import pytest

from support import ask, record_status, screen_text, wait_idle
from tui_chat.backend.process import BackendProcess
from tui_chat.chat.conversation import ChatMessage, Conversation, MessageStatus
from tui_chat.sim.scenarios import REASONING, prose_tokens
from tui_chat.store import History
from tui_chat.ui.app import ChatApp

PROSE_40 = "".join(prose_tokens(40))


# -- the app ----------------------------------------------------------------------------------------------


@pytest.fixture
def responses_app(make_app, monkeypatch):
    monkeypatch.setenv("TUI_CHAT_API", "responses")
    return make_app


async def test_the_app_resumes_a_dropped_answer_and_says_so(responses_app, sim):
    app = responses_app("drop-20")
    async with app.run_test(size=(100, 30)) as pilot:
        seen = record_status(app)
        await pilot.pause()
        assert "openai · drop-20 · Responses API" in screen_text(app)
        await ask(pilot, "hello")
        await wait_idle(pilot, app)
        answer = app.conversation.messages[-1]
        assert answer.status is MessageStatus.COMPLETE and answer.content == PROSE_40
        assert answer.response_id and answer.response_id.startswith("resp_sim")
        assert any("resuming after event 19 (attempt 2/5)" in line for line in seen)
    assert sim.stats("drop-20")["requests"] == 1


async def test_the_app_shows_a_reasoning_summary_and_usage(responses_app, sim):
    app = responses_app("reasoning")
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "think")
        await wait_idle(pilot, app)
        answer = app.conversation.messages[-1]
        assert answer.reasoning == REASONING and answer.metrics.usage.total_tokens
        assert "tokens used" in app.status.text()


async def test_ctrl_r_picks_up_an_answer_a_crash_cut_off(sim, fast_retries, isolated_env, monkeypatch):
    from openai import AsyncOpenAI

    monkeypatch.setenv("TUI_CHAT_API", "responses")
    raw = AsyncOpenAI(base_url=sim.base_url, api_key="sk-test", max_retries=0)
    stream = await raw.responses.create(model="slow-40-5", input="hello", stream=True, background=True, store=True)
    async for event in stream:
        if event.type == "response.created":
            response_id = event.response.id
            break
    await stream.close()
    await raw.close()
    history = History(isolated_env / "data")
    conversation = Conversation(title="crashed", profile="openai", model="slow-40-5")
    history.save_message(conversation, ChatMessage("user", "hello"))
    history.save_message(
        conversation, ChatMessage("assistant", "## Sec", status=MessageStatus.INTERRUPTED, response_id=response_id)
    )
    history.close()
    history = History(isolated_env / "data")
    loaded = history.load(conversation.id)
    assert loaded.messages[-1].response_id == response_id
    app = ChatApp(BackendProcess(model="slow-40-5"), conversation=loaded, history=history)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+r")
        await wait_idle(pilot, app)
        assert [m.status for m in app.conversation.messages] == [MessageStatus.COMPLETE] * 2
        assert app.conversation.messages[-1].content == "".join(prose_tokens(40))
    assert sim.stats("slow-40-5")["requests"] == 1 and sim.stats("slow-40-5")["resumed_after"] == [-1]


async def test_esc_in_the_app_cancels_the_background_response_on_the_server(responses_app, sim):
    app = responses_app("slow-200-20")
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "hello")
        for _ in range(1000):
            await pilot.pause(0.01)
            if app.status.tokens:
                break
        await pilot.press("escape")
        await wait_idle(pilot, app)
        assert app.conversation.messages[-1].status is MessageStatus.STOPPED
        for _ in range(300):  # the child cancels it after the stream closed: bounded wait
            if sim.stats("slow-200-20")["cancelled"]:
                break
            await asyncio.sleep(0.01)
    assert sim.stats("slow-200-20")["cancelled"] == 1
