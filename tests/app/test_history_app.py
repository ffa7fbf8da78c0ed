"""History in the app: recording, sidebar, search, rename, delete, resume, long conversations."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import ask, screen_text, wait_for, wait_idle
from tui_chat.backend.process import BackendProcess
from tui_chat.chat.conversation import ChatMessage, Conversation, MessageStatus
from tui_chat.store import History, HistoryStore
from tui_chat.ui.app import ChatApp
from tui_chat.ui.screens.confirm import ConfirmScreen
from tui_chat.ui.screens.line_prompt import LinePromptScreen
from tui_chat.ui.widgets import message_log
from tui_chat.ui.widgets.message_log import BATCH, FIRST_SCREEN, MAX_MOUNTED, MessageLog
from tui_chat.ui.widgets.messages import AssistantMessage, UserMessage
from tui_chat.ui.widgets.sidebar import Sidebar

SIZE = (110, 40)


@pytest.fixture
def data_dir(isolated_env: Path) -> Path:
    return isolated_env / "data"


def stored(data_dir: Path) -> HistoryStore:
    return HistoryStore.open(data_dir / "history.sqlite3")


def seed(data_dir: Path, *titles: str, messages: int = 2) -> list[int]:
    store = stored(data_dir)
    ids = []
    for title in titles:
        conv = Conversation(title=title, profile="openai", model="normal")
        store.create_conversation(conv)
        for i in range(messages):
            store.add_message(conv.id, ChatMessage("user" if i % 2 == 0 else "assistant", f"{title} message {i}"))
        ids.append(conv.id)
    store.close()
    return ids


async def test_a_turn_is_recorded_with_its_metrics(sim, fast_retries, data_dir):
    app = ChatApp(BackendProcess(model="normal"))
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "remember me")
        await wait_idle(pilot, app)
    store = stored(data_dir)
    [summary] = store.list_conversations()
    assert summary.title == "remember me" and summary.message_count == 2
    user, answer = store.load_conversation(summary.id).messages
    assert user.content == "remember me"
    assert answer.status is MessageStatus.COMPLETE and "You said: *remember me*" in answer.content
    assert answer.metrics is not None and answer.metrics.tokens > 0
    store.close()


async def test_stopped_and_regenerated_answers_are_recorded(sim, fast_retries, data_dir):
    app = ChatApp(BackendProcess(model="slow-3000-10"))
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "long one")
        await wait_for(pilot, lambda: app.status.tokens >= 3)
        await pilot.press("escape")
        await wait_idle(pilot, app)
        store = stored(data_dir)
        [conv] = store.list_conversations()
        stopped = store.load_conversation(conv.id).messages[-1]
        assert stopped.status is MessageStatus.STOPPED and stopped.content == app.conversation.messages[-1].content
        app.use_model("normal")
        await pilot.press("ctrl+r")
        await wait_idle(pilot, app)
        messages = store.load_conversation(conv.id).messages
        assert [m.status for m in messages] == [MessageStatus.COMPLETE, MessageStatus.COMPLETE]
        assert store.load_conversation(conv.id).model == "normal"
        store.close()


async def test_sidebar_lists_newest_first_and_opens_a_conversation(sim, data_dir):
    seed(data_dir, "older chat", "newer chat")
    app = ChatApp(BackendProcess(model="normal"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+b")
        await pilot.pause()
        options = app.query_one(Sidebar).options
        assert options.option_count == 2
        assert "newer chat" in str(options.get_option_at_index(0).prompt)
        await pilot.press("down", "enter")  # the older one
        await wait_for(pilot, lambda: app.conversation.title == "older chat")
        assert [m.content for m in app.conversation.messages] == ["older chat message 0", "older chat message 1"]
        assert "older chat message 1" in screen_text(app)
        await pilot.press("ctrl+b")
        assert not app.query_one(Sidebar).display


async def test_search_finds_messages_in_any_conversation(sim, data_dir):
    seed(data_dir, "cooking", "rust questions")
    app = ChatApp(BackendProcess(model="normal"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+f")
        await pilot.press(*"rust message")
        await pilot.pause()
        options = app.query_one(Sidebar).options
        assert options.option_count == 2 and all("rust" in str(options.get_option_at_index(i).prompt) for i in range(2))
        await pilot.press("enter")  # from the search box to the results
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.conversation.title == "rust questions")


async def test_rename_and_delete_with_confirmation(sim, data_dir):
    keep, doomed = seed(data_dir, "keep me", "delete me")
    app = ChatApp(BackendProcess(model="normal"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+b")
        await pilot.pause()
        await pilot.press("ctrl+e")  # rename the highlighted (newest: "delete me")
        await wait_for(pilot, lambda: isinstance(app.screen, LinePromptScreen))
        await pilot.press("ctrl+a", "ctrl+k", *"renamed", "enter")
        await pilot.pause()
        store = stored(data_dir)
        assert {c.title for c in store.list_conversations()} == {"keep me", "renamed"}
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # no: nothing happens
        await pilot.pause()
        assert len(store.list_conversations()) == 2
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: len(store.list_conversations()) == 1)
        assert [c.id for c in store.list_conversations()] == [keep] and doomed
        store.close()


async def test_resume_restores_profile_model_and_system_prompt(sim, fast_retries, data_dir):
    store = stored(data_dir)
    conv = Conversation(title="resumed", profile="openai", model="echo", system_prompt="be kind")
    store.create_conversation(conv)
    store.add_message(conv.id, ChatMessage("user", "earlier question"))
    store.add_message(conv.id, ChatMessage("assistant", "earlier answer"))
    store.close()
    history = History(data_dir)
    loaded = history.load(conv.id)
    app = ChatApp(BackendProcess(model=loaded.model), conversation=loaded, history=history)
    async with app.run_test(size=SIZE) as pilot:
        assert app.backend.model == "echo" and app.conversation.system_prompt == "be kind"
        await ask(pilot, "next")
        await wait_idle(pilot, app)
        sent = sim.stats("echo")["last_request"]["messages"]
        assert sent == [
            {"role": "system", "content": "be kind"},
            {"role": "user", "content": "earlier question"},
            {"role": "assistant", "content": "earlier answer"},
            {"role": "user", "content": "next"},
        ]
    assert len(stored(data_dir).load_conversation(conv.id).messages) == 4


async def test_interrupted_answer_is_shown_and_regenerated(sim, fast_retries, data_dir):
    conversation = Conversation(
        title="crashed",
        profile="openai",
        model="normal",
        messages=[
            ChatMessage("user", "question"),
            ChatMessage("assistant", "half an ans", status=MessageStatus.INTERRUPTED),
        ],
    )
    app = ChatApp(BackendProcess(model="normal"), conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "interrupted: the app ended during this answer (ctrl+r regenerates)" in screen_text(app)
        await pilot.press("ctrl+r")
        await wait_idle(pilot, app)
        assert [m.status for m in app.conversation.messages] == [MessageStatus.COMPLETE, MessageStatus.COMPLETE]


async def test_history_off_still_chats_in_memory(sim, fast_retries, isolated_env, monkeypatch):
    blocker = isolated_env / "blocker"
    blocker.write_text("not a directory")
    monkeypatch.setenv("TUI_CHAT_DATA_DIR", str(blocker / "data"))
    app = ChatApp(BackendProcess(model="normal"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.history.enabled
        assert any("history is off" in n.message for n in app._notifications)
        assert "history off" in app.status_bar_text()
        await ask(pilot, "hello")
        await wait_idle(pilot, app)
        assert app.conversation.messages[-1].status is MessageStatus.COMPLETE


async def test_long_conversation_mounts_a_window_and_loads_earlier_on_scroll(sim):
    messages = [ChatMessage("user" if i % 2 == 0 else "assistant", f"message number {i}") for i in range(10_000)]
    app = ChatApp(BackendProcess(model="echo"), conversation=Conversation(title="long", messages=messages))
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(MessageLog)
        assert "message number 9999" in screen_text(app)
        opened = FIRST_SCREEN + BATCH  # a screenful, then a batch before it once the first frame is up
        await wait_for(pilot, lambda: log.first == 10_000 - opened)
        assert len(log.children) == opened
        log.scroll_home(animate=False, immediate=True)
        await wait_for(pilot, lambda: log.first == 10_000 - opened - BATCH)
        assert len(log.children) == opened + BATCH
        first = log.children[0]
        assert isinstance(first, UserMessage | AssistantMessage)
        assert first.message is messages[10_000 - opened - BATCH]


async def test_a_long_conversation_opened_at_its_end_stays_there_after_the_earlier_batch_is_read(sim):
    words = " ".join(["word"] * 30)  # wraps more lines once the terminal is narrower
    messages = [ChatMessage("user" if i % 2 == 0 else "assistant", f"{words} {i}") for i in range(200)]
    app = ChatApp(BackendProcess(model="echo"), conversation=Conversation(title="long", messages=messages))
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(MessageLog)
        await wait_for(pilot, lambda: log.first == 200 - FIRST_SCREEN - BATCH)
        await pilot.pause()
        await pilot.pause()  # the earlier batch's position fix-up, queued after a refresh
        await pilot.resize_terminal(70, 30)
        await pilot.pause()
        assert log.scroll_y == log.max_scroll_y > 0
        assert f"{words} 199".split()[-1] in screen_text(app).split()


async def test_widgets_far_above_are_pruned_in_a_long_session(sim, fast_retries, monkeypatch):
    monkeypatch.setattr(message_log, "BATCH", MAX_MOUNTED)  # open with a full window, as after scrolling up
    messages = [ChatMessage("user" if i % 2 == 0 else "assistant", f"m{i}") for i in range(MAX_MOUNTED)]
    app = ChatApp(BackendProcess(model="echo"), conversation=Conversation(title="busy", messages=messages))
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(MessageLog)
        await wait_for(pilot, lambda: log.first == 0)
        assert len(log.children) == MAX_MOUNTED
        await ask(pilot, "one more")
        await wait_idle(pilot, app)
        assert len(log.children) == MAX_MOUNTED  # two added at the bottom, two pruned at the top
        assert log.first == 2 and log.children[0].message is messages[2]


async def test_a_resumed_long_conversation_opens_with_its_newest_messages_and_sends_them_all(sim, data_dir):
    [conversation_id] = seed(data_dir, "long", messages=500)
    history = History(data_dir)
    opened = history.load(conversation_id, ChatApp.NEEDED_TO_OPEN)
    assert len(opened.messages) == ChatApp.NEEDED_TO_OPEN and opened.unread == 500 - ChatApp.NEEDED_TO_OPEN
    app = ChatApp(BackendProcess(model="echo"), conversation=opened, history=history)
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(MessageLog)
        assert "long message 499" in screen_text(app)
        await wait_for(pilot, lambda: opened.unread == 0 and log.first == 500 - FIRST_SCREEN - BATCH)
        assert [m.content for m in opened.messages] == [f"long message {i}" for i in range(500)]
        assert log.children[0].message is opened.messages[log.first]
        log.scroll_home(animate=False, immediate=True)
        await wait_for(pilot, lambda: log.first == 500 - FIRST_SCREEN - 2 * BATCH)
        assert log.children[0].message.content == f"long message {log.first}"
        await ask(pilot, "and now")
        await wait_idle(pilot, app)
    sent = sim.stats("echo")["last_request"]["messages"]
    assert len(sent) == 501 and sent[0]["content"] == "long message 0"


async def test_a_turn_sent_before_the_rest_was_read_still_sends_the_whole_conversation(sim, data_dir):
    [conversation_id] = seed(data_dir, "early", messages=100)
    history = History(data_dir)
    app = ChatApp(BackendProcess(model="echo"), conversation=history.load(conversation_id, 4), history=history)
    app._read_earlier_messages = lambda: None  # as if the first frame had not come yet ...
    async with app.run_test(size=SIZE) as pilot:
        del app._read_earlier_messages  # ... when the turn starts
        await ask(pilot, "now")
        await wait_idle(pilot, app)
    assert len(sim.stats("echo")["last_request"]["messages"]) == 101


async def test_quitting_mid_answer_records_it_stopped_with_every_token_shown(sim, fast_retries, data_dir):
    app = ChatApp(BackendProcess(model="slow-3000-10"))
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "long one")
        await wait_for(pilot, lambda: app.status.tokens >= 20)
        shown = app.log_view.last_assistant().body.source
        await pilot.press("ctrl+q")
    store = stored(data_dir)
    [conv] = store.list_conversations()
    answer = store.load_conversation(conv.id).messages[-1]
    store.close()
    assert answer.status is MessageStatus.STOPPED
    assert shown and answer.content.startswith(shown.rstrip())


async def test_regenerating_keeps_the_old_answer_until_the_new_one_exists(sim, fast_retries, data_dir):
    app = ChatApp(BackendProcess(model="echo"))
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "keep me")
        await wait_idle(pilot, app)
        app.use_model("auth")  # the regeneration fails: the old answer must survive, shown and stored
        await pilot.press("ctrl+r")
        await wait_idle(pilot, app)
        store = stored(data_dir)
        contents = [(m.role, m.content, m.status) for m in store.load_conversation(app.conversation.id).messages]
        assert contents[:2] == [
            ("user", "keep me", MessageStatus.COMPLETE),
            ("assistant", "keep me", MessageStatus.COMPLETE),
        ]
        assert "keep me" in app.log_view.last_assistant().message.content or len(app.conversation.messages) == 3
        app.use_model("normal")  # now it succeeds: the old answer is replaced, nothing is doubled
        await pilot.press("ctrl+r")
        await wait_idle(pilot, app)
        messages = store.load_conversation(app.conversation.id).messages
        store.close()
        assert "You said: *keep me*" in messages[-1].content and messages[-1].status is MessageStatus.COMPLETE
        assert [m.content for m in messages if m.role == "assistant" and m.status is MessageStatus.COMPLETE] == [
            messages[-1].content
        ]


async def test_a_resumed_title_with_escapes_is_drawn_harmlessly(sim, data_dir):
    store = stored(data_dir)
    conv = Conversation(title="evil \x1b]0;PWNED\x07 \u202etitle", profile="openai", model="echo")
    store.create_conversation(conv)
    store.add_message(conv.id, ChatMessage("user", "q \x1b]52;c;cHduZWQ=\x07"))
    store.close()
    history = History(data_dir)
    app = ChatApp(BackendProcess(model="echo"), conversation=history.load(conv.id), history=history)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        screen = screen_text(app)
        assert "evil ␛]0;PWNED␇ ⟨U+202E⟩title" in screen and "q ␛]52;c;cHduZWQ=␇" in screen
        assert "\x1b" not in app.sub_title and "\u202e" not in app.sub_title


async def test_a_search_hit_opens_scrolled_to_it_and_ctrl_f_finds_the_next(sim, data_dir):
    store = stored(data_dir)
    conv = Conversation(title="long talk", profile="openai", model="echo")
    store.create_conversation(conv)
    for i in range(80):  # far more than the first screen mounts: the hits are above the window
        store.add_message(conv.id, ChatMessage("user", f"question {i}" + (" about zebras" if i in (3, 10) else "")))
        store.add_message(conv.id, ChatMessage("assistant", f"answer {i}"))
    store.close()
    app = ChatApp(BackendProcess(model="echo"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+f", *"zebras", "enter")
        await pilot.pause()
        assert app.query_one(Sidebar).options.option_count == 2
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.conversation.title == "long talk")
        await pilot.pause()
        [hit] = app.log_view.query(".-hit")
        first = hit.message.content
        assert "zebras" in first and first in screen_text(app)
        await pilot.press("ctrl+f")
        await pilot.pause()
        [hit] = app.log_view.query(".-hit")
        assert "zebras" in hit.message.content and hit.message.content != first
        assert hit.message.content in screen_text(app)
        await pilot.press("ctrl+f")  # wraps round to the first
        await pilot.pause()
        assert app.log_view.query(".-hit").first().message.content == first
        await pilot.press("escape")  # ends the search
        await pilot.pause()
        assert not app.log_view.query(".-hit")
        await pilot.press("ctrl+f")  # the search box again
        await pilot.pause()
        assert app.query_one(Sidebar).display


async def test_a_rename_typed_in_one_burst_happens(sim, data_dir):
    from textual import events

    [_only] = seed(data_dir, "old name")
    app = ChatApp(BackendProcess(model="normal"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+b")
        await pilot.pause()
        for key in ("ctrl+e", "ctrl+a", "ctrl+k", *"fresh", "enter"):  # faster than the box can open
            app.post_message(events.Key(key, {"enter": "\r"}.get(key, key if len(key) == 1 else None)))
        await wait_for(
            pilot,
            lambda: (
                not isinstance(app.screen, LinePromptScreen)
                and any(c.title == "fresh" for c in app.history.list_conversations())
            ),
        )
