"""Snapshots of the main states (pytest-textual-snapshot). Update with: pytest --snapshot-update."""

from __future__ import annotations

import pytest

from tui_chat.backend.process import BackendProcess
from tui_chat.chat.conversation import ChatMessage, Conversation, MessageStatus
from tui_chat.engine import Metrics, Usage
from tui_chat.ui.app import ChatApp
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
