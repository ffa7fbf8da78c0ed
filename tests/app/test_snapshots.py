"""Snapshots of the main states (pytest-textual-snapshot). Update with: pytest --snapshot-update."""

from __future__ import annotations

import pytest

from tui_chat.backend.process import BackendProcess
from tui_chat.chat.conversation import ChatMessage, Conversation, MessageStatus
from tui_chat.engine import Delta, ErrorKind, Metrics, Retrying, Started, Usage
from tui_chat.ui.app import ChatApp
from tui_chat.ui.widgets.status_bar import StatusBar
from tui_chat.ui.widgets.streaming_markdown import StreamingMarkdown

SIZE = (100, 32)
ANSWER = """## Plan

1. Read the **config** file.
2. Stream the answer:

```python
async for event in run_turn(client, request, policy):
    print(event)
```

| state | shown as |
|-------|----------|
| retry | countdown |
"""


def conversation() -> Conversation:
    metrics = Metrics(
        total_time=2.5,
        time_to_first_token=0.42,
        tokens=96,
        tokens_per_second=48.0,
        attempts=2,
        fell_back=False,
        usage=Usage(31, 96, 127),
    )
    return Conversation(
        title="How does streaming work?",
        profile="openai",
        model="normal",
        messages=[
            ChatMessage("user", "How does streaming work?"),
            ChatMessage("assistant", ANSWER, reasoning="The user asks about streaming.", metrics=metrics),
            ChatMessage("user", "And [bold]markup[/bold] with \x1b[31mescapes\x1b[0m?"),
            ChatMessage(
                "assistant", "It stays literal: [bold]markup[/bold] and \x1b[31m", status=MessageStatus.STOPPED
            ),
            ChatMessage("user", "One more"),
            ChatMessage(
                "assistant",
                "",
                status=MessageStatus.FAILED,
                error="429 rate limited: gave up after 5 attempts: Rate limit reached · hint: wait a minute",
            ),
        ],
    )


async def settle(pilot) -> None:
    """The turn over and every code block in colour (lexers load off the event loop)."""
    pilot.app.prompt.cursor_blink = False
    for _ in range(1000):  # bounded: a live turn ends within seconds against the simulator
        if not pilot.app.busy and not any(w.code_drawn_plain for w in pilot.app.query(StreamingMarkdown)):
            break
        await pilot.pause(0.01)
    await pilot.pause()


@pytest.fixture
def app(sim) -> ChatApp:
    return ChatApp(BackendProcess(model="normal"))


def test_empty_screen(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_help_screen(snap_compare, app):
    assert snap_compare(app, press=["f1"], terminal_size=SIZE, run_before=settle)


def test_conversation_states(snap_compare, sim):
    app = ChatApp(BackendProcess(model="normal"), conversation=conversation())
    assert snap_compare(app, terminal_size=(100, 60), run_before=settle)


def test_inline_error_for_401(snap_compare, sim):
    app = ChatApp(BackendProcess(model="auth"))

    async def send_and_settle(pilot):
        await pilot.press(*"hi", "enter")
        await pilot.pause(0.05)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=send_and_settle)


FROZEN_CLOCK = 100.0
"""The status bar reads this clock in the snapshots below: its timings are the same in every run."""


def _question(text: str) -> ChatApp:
    conversation = Conversation(
        title="Streaming", profile="openai", model="normal", messages=[ChatMessage("user", text)]
    )
    return ChatApp(BackendProcess(model="normal"), conversation=conversation)


async def _answer_in_flight(pilot, *events) -> None:
    """An answer being written, driven by events as a turn would (no server, no timing in the picture)."""
    app = pilot.app
    app.status.clock = lambda: FROZEN_CLOCK
    widget = await app.log_view.add(ChatMessage("assistant", "", status=MessageStatus.STREAMING, model="normal"))
    app.status.begin(FROZEN_CLOCK - 1.25)
    for event in events:
        app.status.apply(event)
        if isinstance(event, Delta):
            widget.write(event.text)
        elif isinstance(event, Retrying):
            widget.set_note(f"↻ attempt {event.attempt} failed ({event.reason}); retrying")
    app.query_one(StatusBar).tick()  # as the turn controller does when a turn begins
    await settle(pilot)
    await pilot.pause(0.1)


def test_a_streaming_answer(snap_compare, sim):
    words = [
        "Server-sent",
        "events",
        "are",
        "**one-way**:",
        "the",
        "server",
        "keeps",
        "the",
        "response",
        "open",
        "and",
        "writes\n\n-",
        "`data:`",
        "lines",
    ]
    events = [Started(1, 5, True), *(Delta(word + " ") for word in words)]
    assert snap_compare(
        _question("Explain SSE"), terminal_size=SIZE, run_before=lambda pilot: _answer_in_flight(pilot, *events)
    )


def test_the_retry_countdown(snap_compare, sim):
    events = [Started(1, 5, True), Retrying(1, 5, 2.0, "429 rate limited", ErrorKind.RATE_LIMITED, False)]
    assert snap_compare(
        _question("Explain SSE"), terminal_size=SIZE, run_before=lambda pilot: _answer_in_flight(pilot, *events)
    )


def test_an_open_reasoning_block(snap_compare, sim):
    app = ChatApp(BackendProcess(model="normal"), conversation=conversation())

    async def open_reasoning(pilot) -> None:
        from textual.widgets import Collapsible

        await settle(pilot)
        pilot.app.query(Collapsible).first().collapsed = False
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(100, 40), run_before=open_reasoning)


def test_the_conversation_list(snap_compare, sim, isolated_env, monkeypatch):
    import time

    from tui_chat.store import HistoryStore

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    store = HistoryStore.open(isolated_env / "data" / "history.sqlite3")
    for day, title in enumerate(["Plan the trip", "Fix the flaky test", "SSE in one line"]):
        stamp = 1_790_000_000.0 + day * 86_400
        store.import_conversation(
            Conversation(
                title=title,
                model="normal",
                created_at=stamp,
                updated_at=stamp,
                messages=[
                    ChatMessage("user", title, created_at=stamp),
                    ChatMessage("assistant", "ok", created_at=stamp),
                ],
            )
        )
    store.close()

    async def open_list(pilot) -> None:
        await settle(pilot)
        await pilot.press("ctrl+b")
        await pilot.pause(0.1)

    try:
        assert snap_compare(ChatApp(BackendProcess(model="normal")), terminal_size=SIZE, run_before=open_list)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
