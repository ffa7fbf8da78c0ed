"""The app driven by Textual's pilot against the simulator over loopback."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from textual import events
from textual._compositor import ChopsUpdate
from textual.scrollbar import ScrollBar

from support import Terminal, ask, record_status, screen_text, wait_for, wait_idle
from tui_chat.backend.process import BackendProcess
from tui_chat.chat.conversation import ChatMessage, Conversation, MessageStatus
from tui_chat.chat.text_safety import visible_text
from tui_chat.sim.scenarios import prose_tokens
from tui_chat.store import History
from tui_chat.ui import markdown_render
from tui_chat.ui.app import ChatApp
from tui_chat.ui.screens.help import HelpScreen
from tui_chat.ui.widgets.answer_pace import READING_FRAME_SECONDS, TYPING_FRAME_SECONDS
from tui_chat.ui.widgets.key_bar import KeyBar
from tui_chat.ui.widgets.messages import AssistantMessage, UserMessage
from tui_chat.ui.widgets.status_bar import StatusBar
from tui_chat.ui.widgets.streaming_markdown import SPARE_ROWS, StreamingMarkdown

SIZE = (100, 40)


def last_answer(app: ChatApp) -> AssistantMessage:
    widget = app.log_view.last_assistant()
    assert widget is not None
    return widget


async def test_normal_answer_streams_and_finishes(make_app, sim):
    app = make_app("normal")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "hello")
        await wait_idle(pilot, app)
        user, answer = app.conversation.messages
        assert user.content == "hello" and answer.status is MessageStatus.COMPLETE
        assert "You said: *hello*" in answer.content
        widget = last_answer(app)
        assert widget.body.source == visible_text(answer.content)
        assert app.status.text().startswith("● ready · last: ")
        assert "You said: hello" in screen_text(app)
        assert app.sub_title.startswith("hello ·")
        assert app.prompt.text == ""
        body = widget.body  # laid out at the height of all its lines (the last frame's height reached layout)
        await wait_for(
            pilot, lambda: body.size.height == body.get_content_height(body.size, body.size, body.size.width)
        )


async def answered_and_counting_reflows(pilot, app: ChatApp) -> tuple[StreamingMarkdown, list[int]]:
    """An answer to "hello", settled; from now on every reflow of the screen is counted (the answer's height
    at each)."""
    await ask(pilot, "hello")
    await wait_idle(pilot, app)
    body = last_answer(app).body
    await pilot.pause(0.1)
    reflows: list[int] = []
    refresh_layout = app.screen._refresh_layout

    def counting(*args, **kwargs):
        reflows.append(body.size.height)
        return refresh_layout(*args, **kwargs)

    app.screen._refresh_layout = counting
    return body, reflows


async def test_a_growing_answer_is_reflowed_once_per_frame(make_app):
    """Every reflow repaints the whole scrolled log (and keystrokes wait for it): a frame that grows the
    answer must not be followed by a second one (Textual's ``virtual_size`` reactive asks for that)."""
    app = make_app("normal")
    async with app.run_test(size=SIZE) as pilot:
        body, reflows = await answered_and_counting_reflows(pilot, app)
        before = body.size.height
        body.write("\n\nOne more paragraph.\n\nAnd another one.\n\n")
        await wait_for(pilot, lambda: body.size.height > before)
        await pilot.pause(0.2)
        assert len(reflows) == 1, reflows


async def test_the_log_scrollbar_moved_by_a_frame_is_painted_in_the_frames_screen_update(make_app):
    """The log's scrollbar moves with a growing answer: painted in the reflow's update, not in one of its own
    (a screen update keeps the next one, a key's included, 17 to 33 ms away)."""
    app = make_app("normal")
    async with app.run_test(size=SIZE) as pilot:
        body, reflows = await answered_and_counting_reflows(pilot, app)
        painted: list[set[str]] = []  # the widgets each screen update painted
        display = app._display

        def recording(*args, **kwargs):
            dirty = app.screen._dirty_widgets
            painted.append({"ScrollBar" if isinstance(w, ScrollBar) else type(w).__name__ for w in dirty})
            return display(*args, **kwargs)

        app._display = recording
        before = body.size.height
        body.write("\n\n" + "\n\n".join(f"Paragraph {n}." for n in range(30)) + "\n\n")
        await wait_for(pilot, lambda: body.size.height > before)
        await pilot.pause(0.2)
        assert app.log_view.max_scroll_y > 0 and reflows  # in one frame, or a few under load
        assert {"StreamingMarkdown"} in painted and {"ScrollBar"} not in painted, painted


async def test_a_streaming_answer_reflows_once_per_three_lines_and_ends_at_its_own_height(make_app):
    """A reflow repaints the whole scrolled log: while an answer streams it keeps two spare rows below its
    text, filled without one; when it ends, its height is its text's again."""
    app = make_app("normal")
    async with app.run_test(size=SIZE) as pilot:
        body, reflows = await answered_and_counting_reflows(pilot, app)

        def text_rows() -> int:
            return len(body._settled_lines) + len(body._tail_lines)

        for n in range(6):
            body.write(f"\n\nline {n}")
            await wait_for(pilot, lambda n=n: f"line {n}" in screen_text(app))
            assert text_rows() <= body.size.height <= text_rows() + SPARE_ROWS
        assert len(reflows) <= 4, reflows  # 12 rows added (a blank one before each line), a reflow per 3
        body.finish(body.source)
        await pilot.pause(0.2)
        assert body.size.height == text_rows()


def rows_asked(widget) -> list[tuple[int, int]]:
    """From now on, the rows (first, past the last) each screen update asks ``widget`` for (screenshots ask
    for all of them: wait on the widgets' state, not on the screen's text)."""
    asked: list[tuple[int, int]] = []
    render_lines = widget.render_lines

    def recording(crop):
        asked.append((crop.y, crop.bottom))
        return render_lines(crop)

    widget.render_lines = recording
    return asked


def rows_drawn(widget) -> list[int]:
    """From now on, the rows ``widget`` draws again (the rows painted from its cache are not drawn)."""
    drawn: list[int] = []
    render_line = widget.render_line

    def counting(y: int):
        drawn.append(y)
        return render_line(y)

    widget.render_line = counting
    return drawn


async def test_a_growing_answer_draws_only_its_new_rows(make_app):
    """A change of height alone leaves the rows drawn as they were; Textual forgets them all on a resize, so
    each line an answer added drew its whole visible part again (the cost of a line at reading pace)."""
    app = make_app("normal")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "hello")
        await wait_idle(pilot, app)
        body = last_answer(app).body
        await pilot.pause(0.1)
        drawn = rows_drawn(body)
        before, tail_top = body.size.height, len(body._settled_lines)  # the tail is drawn again with the new text
        body.write("\n\nOne more paragraph.\n\n")
        await wait_for(pilot, lambda: body.size.height > before)
        await pilot.pause(0.2)
        assert 0 < tail_top < before and drawn
        assert min(drawn) >= tail_top and max(drawn) >= before, (tail_top, before, sorted(set(drawn)))


async def test_a_frame_draws_only_the_rows_of_the_paragraph_that_changed(make_app):
    """A word added to a paragraph being streamed changes its last row: that row is painted, not every row of
    the paragraph (the tail is rendered again whole, and its rows that came out the same are kept)."""
    app = make_app("normal")
    async with app.run_test(size=SIZE) as pilot:
        body, _ = await answered_and_counting_reflows(pilot, app)
        body.write("\n\n" + "word " * 60)  # a paragraph of four rows at this width, the last one short
        await wait_for(pilot, lambda: body.source.endswith("word "))
        await pilot.pause(0.2)
        rows = len(body._settled_lines) + len(body._tail_lines)
        drawn = rows_drawn(body)
        body.write("end")
        await wait_for(pilot, lambda: "word end" in screen_text(app))
        assert drawn and min(drawn) == rows - 1, (rows, sorted(set(drawn)))


async def test_at_reading_pace_a_delta_due_a_frame_is_shown_in_the_wake_that_brought_it(make_app):
    """At 10 tokens a second a frame woke the loop on its own, a frame interval after the first delta (a timer:
    a task and a message, three turns of the loop): a delta that comes a frame or more after the last frame is
    shown at once; one that comes sooner waits for the next delta (or a frame from now)."""
    app = make_app("normal")
    async with app.run_test(size=SIZE) as pilot:
        body, _ = await answered_and_counting_reflows(pilot, app)
        body.write(" more")
        await wait_for(pilot, lambda: not body._pending)
        pace = body._pace
        pace.frame, pace._framed_at = READING_FRAME_SECONDS, time.monotonic() - 1.0  # read at 1 delta a second

        async def turns_of_the_loop() -> None:
            for _ in range(3):
                await asyncio.sleep(0)

        body.write(" due")
        await turns_of_the_loop()
        assert not body._pending and body.source.endswith(" due")
        pace._framed_at = time.monotonic()  # the last frame was just now: the next delta waits
        body.write(" soon")
        assert body._pending == [" soon"] and not body._frame_soon  # a frame from now, unless a delta comes first
        pace._framed_at -= READING_FRAME_SECONDS
        body.write(" after")
        await turns_of_the_loop()
        assert not body._pending and body.source.endswith(" soon after")


async def test_a_screen_update_asks_only_the_widgets_on_the_rows_it_updates(make_app):
    """Textual asked every widget on the screen, the log and each message in view, for all of its rows on
    every screen update, whatever changed: a frame of the answer draws the answer's rows (and the status bar's),
    and a key the prompt's."""
    app = make_app("normal")
    async with app.run_test(size=SIZE) as pilot:
        body, _ = await answered_and_counting_reflows(pilot, app)
        body.write(" more")  # the answer makes room to stream into: a reflow, which moves every message
        await wait_for(pilot, lambda: body.source.endswith("more") and not body._pending)
        await pilot.pause(0.2)
        question = app.log_view.query_one(UserMessage)
        asked_question, asked_log = rows_asked(question), rows_asked(app.log_view)
        body.write(" and more")
        await wait_for(pilot, lambda: body.source.endswith("and more") and not body._pending)
        await pilot.pause(0.2)
        await pilot.press("x")
        await wait_for(pilot, lambda: app.prompt.text == "x")
        await pilot.pause(0.2)
        assert asked_question == [], asked_question
        log_rows = app.log_view.region.height
        assert all(last - first < log_rows for first, last in asked_log), asked_log


async def test_a_frame_draws_the_answers_rows_and_nothing_behind_them(make_app):
    """Every widget paints the whole of its region, and the screen writes only the spans it updates: the log,
    the message around the answer and the screen behind it were drawn on each frame for nothing."""
    app = make_app("normal")
    async with app.run_test(size=SIZE) as pilot:
        body, _ = await answered_and_counting_reflows(pilot, app)
        body.write(" more")
        await wait_for(pilot, lambda: body.source.endswith("more") and not body._pending)
        await pilot.pause(0.2)
        behind = [app.screen, app.log_view, last_answer(app)]
        asked = [rows_asked(widget) for widget in behind]
        body.write(" and more")
        await wait_for(pilot, lambda: body.source.endswith("and more") and not body._pending)
        await pilot.pause(0.2)
        assert asked == [[], [], []], asked


async def test_every_screen_update_paints_what_the_whole_screen_shows(make_app):
    """Partial updates draw only what shows in their spans: each cell an update writes is what rendering the
    whole screen gives there, and once the updates are done the terminal shows the whole screen, through an
    answer of every kind of block and keys typed into the prompt meanwhile."""
    app = make_app("pace-300-5")
    terminal = Terminal(*SIZE)
    partial = 0
    wrong: list[int] = []
    display = app._display

    def painting(screen, update) -> None:
        nonlocal partial
        display(screen, update)
        if update is None or screen is not app.screen:
            return
        terminal.apply(update, app.console)
        if isinstance(update, ChopsUpdate):
            partial += 1
            whole = Terminal.of(screen._compositor.render_strips())
            wrong.extend(y for y, x1, x2 in update.spans if terminal.cells[y][x1:x2] != whole[y][x1:x2])

    app._display = painting
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "hello")
        await wait_for(pilot, lambda: app.status.tokens >= 100)
        await pilot.press(*"typed")
        await wait_idle(pilot, app)
        app.prompt.cursor_blink = False  # a blink changes the screen before its update paints it
        await pilot.pause(0.2)
        assert partial > 10 and not wrong, (partial, wrong)
        assert terminal.cells == Terminal.of(app.screen._compositor.render_strips())


async def test_the_prompt_cursor_is_steady_while_an_answer_streams(make_app):
    """Each blink is a screen update of its own: none while an answer streams, and the blink is back after."""
    app = make_app("slow-20-50")
    async with app.run_test(size=SIZE) as pilot:
        assert app.prompt.cursor_blink
        await ask(pilot, "hi")
        await wait_for(pilot, lambda: app.status.tokens >= 2)
        assert not app.prompt.cursor_blink
        await wait_idle(pilot, app)
        assert app.prompt.cursor_blink


async def test_a_key_is_painted_without_waiting_for_the_update_timer(make_app, monkeypatch):
    """Textual updates the screen at the next tick of a 60 Hz timer, which while an answer streams has just ticked
    for its frame: a key's update does not wait for it. (Here the timer never ticks again.)"""
    app = make_app("echo")
    terminal = Terminal(*SIZE)
    display = app._display

    def painting(screen, update) -> None:
        display(screen, update)
        if update is not None and screen is app.screen:
            terminal.apply(update, app.console)

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.prompt.cursor_blink = False
        await pilot.pause()
        timer = app.screen._update_timer
        timer.pause()
        monkeypatch.setattr(timer, "resume", lambda: None)
        app._display = painting
        await pilot.press(*"typed")

        def shown() -> str:
            return "".join(char for row in terminal.cells for char, _ in row)

        for _ in range(500):  # bounded (5 s: a loaded machine); not pilot.pause(), which updates the screen itself
            if "typed" in shown():
                break
            await asyncio.sleep(0.01)
        assert "typed" in shown()


async def test_a_key_goes_before_the_frames_of_every_answer_still_drawing(make_app):
    """A fast answer is still being drawn after its stream ended, and answers opened with a conversation or
    drawn again at a new width draw in slices too: a key's screen update goes before the frames of each."""
    earlier = [ChatMessage("user", "q"), ChatMessage("assistant", "an answer opened with the conversation")]
    app = make_app("normal", conversation=Conversation(title="t", messages=earlier))
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "hello")
        await wait_idle(pilot, app)
        bodies = [answer.body for answer in app.log_view.query(AssistantMessage)]
        assert len(bodies) == 2 and not any(body._pace.typing() for body in bodies)
        await pilot.press("x")
        assert all(body._pace.typing() for body in bodies)


async def test_an_answer_drawing_its_backlog_shows_it_a_few_times_a_second_while_the_user_types(make_app):
    """Each frame of a drawing answer reflows the log, and a key that arrives during one waits for it: while
    the user types, frames come every ``TYPING_FRAME_SECONDS``, a stream or no stream (a long answer opened,
    or one still drawing after its stream ended)."""
    long = "\n\n".join(f"Paragraph {i} of an answer long enough to be drawn in many slices." for i in range(10_000))
    earlier = [ChatMessage("user", "q"), ChatMessage("assistant", long)]
    app = make_app("normal", conversation=Conversation(title="t", messages=earlier))
    async with app.run_test(size=SIZE):
        body = last_answer(app).body
        reflows = 0
        refresh_layout = app.screen._refresh_layout

        def counting(*args, **kwargs):
            nonlocal reflows
            reflows += 1
            return refresh_layout(*args, **kwargs)

        app.post_message(events.Key("x", "x"))  # as a terminal sends keys: the pilot's wait for the screen
        await asyncio.sleep(0.1)  # the frame due when the first key came
        app.screen._refresh_layout = counting
        typing_from = time.monotonic()
        for _ in range(12):
            app.post_message(events.Key("x", "x"))
            await asyncio.sleep(0.06)
        typed_for = time.monotonic() - typing_from
        assert body._rendered < len(body._segments)  # still drawing
        assert reflows <= typed_for / TYPING_FRAME_SECONDS + 1


async def test_the_status_bar_says_ready_as_soon_as_the_answer_ends(make_app):
    """Drawn with the answer's last frame, not on the status bar's next tick while streaming (half a second)."""
    app = make_app("slow-20-50")
    async with app.run_test(size=SIZE) as pilot:
        bar = app.query_one(StatusBar)
        await ask(pilot, "hi")
        await wait_for(pilot, lambda: bar.text.startswith("▶ streaming"), limit=500)
        await wait_for(pilot, lambda: not app.busy, limit=500)
        assert bar.text.startswith("● ready · last: 20 tokens"), bar.text


async def test_the_status_bar_says_retrying_as_soon_as_a_stream_drops(make_app, monkeypatch):
    """A change of phase is drawn at once, not on the status bar's next tick while streaming (half a second)."""
    app = make_app("drop-5-1")
    seen: list[str] = []

    def noting(widget: AssistantMessage, note: str) -> None:
        seen.append(app.query_one(StatusBar).text)

    monkeypatch.setattr(AssistantMessage, "set_note", noting)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "hi")
        await wait_idle(pilot, app)
    assert seen and seen[0].startswith("↻ retrying"), seen


async def test_status_bar_counts_down_during_a_429(make_app):
    app = make_app("ratelimit-2-0.6")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "hi")
        samples: list[str] = []
        await wait_idle(pilot, app, samples)
        retrying = [s for s in samples if s.startswith("↻ retrying in")]
        assert retrying, samples[:5]
        assert any("attempt 2/5 · 429 rate limited" in s for s in retrying)
        assert any("attempt 3/5 · 429 rate limited" in s for s in retrying)
        countdown = [float(s.split("retrying in ")[1].split("s")[0]) for s in retrying if "attempt 2/5" in s]
        assert countdown[0] > countdown[-1]  # it counts down
        assert app.conversation.messages[-1].status is MessageStatus.COMPLETE


async def test_dropped_stream_shows_retry_then_fallback_and_text_once(make_app, sim):
    app = make_app("drop-5")
    async with app.run_test(size=SIZE) as pilot:
        seen = record_status(app)
        await ask(pilot, "hi")
        await wait_idle(pilot, app)
        retry = next(i for i, s in enumerate(seen) if "stream dropped (partial answer discarded)" in s)
        fallback = next(i for i, s in enumerate(seen) if "fell back to non-streaming: streaming failed 2 times" in s)
        assert seen[retry].startswith("↻ retrying in") and retry < fallback
        answer = app.conversation.messages[-1]
        assert answer.status is MessageStatus.COMPLETE and answer.metrics.fell_back
        expected = "".join(prose_tokens(40))
        assert answer.content == expected
        assert last_answer(app).body.source == expected
        assert screen_text(app).count("Section 1") == 1
        assert "non-streaming fallback" in str(last_answer(app).query_one(".footer").render())


async def test_stalled_stream_is_retried_and_the_partial_cleared(make_app):
    app = make_app("stall-3-1")
    async with app.run_test(size=SIZE) as pilot:
        seen = record_status(app)
        await ask(pilot, "hi")
        await wait_idle(pilot, app)
        assert any("stream stalled (partial answer discarded)" in s for s in seen)
        answer = app.conversation.messages[-1]
        assert answer.status is MessageStatus.COMPLETE and answer.metrics.attempts == 2
        assert last_answer(app).body.source == answer.content == "".join(prose_tokens(40))


async def test_401_shows_an_inline_error_with_hint_and_no_retry(make_app, sim):
    app = make_app("auth")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "hi")
        await wait_idle(pilot, app)
        answer = app.conversation.messages[-1]
        assert answer.status is MessageStatus.FAILED
        assert answer.error.startswith("401 unauthorized: Incorrect API key")
        assert "hint: the API key from env OPENAI_API_KEY was refused" in answer.error
        footer = str(last_answer(app).query_one(".footer").render())
        assert "401 unauthorized" in footer
        assert app.status.text().startswith("✖ failed: 401 unauthorized")
        assert sim.stats("auth")["requests"] == 1
        assert app.prompt.text == "hi"  # nothing came back: the prompt is given back


async def test_escape_stops_and_keeps_the_partial(make_app, sim):
    app = make_app("slow-3000-10")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "hi")
        await wait_for(pilot, lambda: app.status.tokens >= 5)
        await pilot.press("escape")
        await wait_idle(pilot, app)
        answer = app.conversation.messages[-1]
        assert answer.status is MessageStatus.STOPPED
        assert answer.content and "".join(prose_tokens(3000)).startswith(answer.content)
        assert last_answer(app).body.source == answer.content
        assert app.status.text().startswith("■ stopped by user")
        await wait_for(pilot, lambda: sim.stats("slow-3000-10")["disconnected"] == 1)


async def test_regenerate_replaces_the_last_answer(make_app, sim):
    app = make_app("normal")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "again")
        await wait_idle(pilot, app)
        await pilot.press("ctrl+r")
        await wait_idle(pilot, app)
        assert [m.role for m in app.conversation.messages] == ["user", "assistant"]
        assert len(app.query(AssistantMessage)) == 1
        assert sim.stats("normal")["requests"] == 2
        assert app.conversation.messages[-1].status is MessageStatus.COMPLETE


async def test_up_in_empty_prompt_edits_and_resends(make_app, sim):
    app = make_app("echo")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "first try")
        await wait_idle(pilot, app)
        await pilot.press("up")
        assert app.prompt.text == "first try"
        assert len(app.conversation.messages) == 2  # replaced only when the edit is sent
        await pilot.press("end", *" now", "enter")
        await wait_idle(pilot, app)
        user, answer = app.conversation.messages
        assert user.content == "first try now" and answer.content == "first try now"
        sent = sim.stats("echo")["last_request"]["messages"]
        assert sent == [{"role": "user", "content": "first try now"}]


async def test_newline_keys_insert_instead_of_sending(make_app):
    app = make_app("echo")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "ctrl+j", "b")
        assert app.prompt.text == "a\nb" and app.conversation.messages == []


async def test_typing_inside_the_prompt_inserts_where_the_cursor_is(make_app):
    app = make_app("echo")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"abc", "left", "left", "X", "Y", "home", "Z")
        assert app.prompt.text == "ZaXYbc" and app.prompt.cursor_location == (0, 1)


async def test_markup_and_escapes_render_as_literal_text(make_app):
    app = make_app("markup")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "x")
        await wait_idle(pilot, app)
        screen = screen_text(app)
        assert "[bold red]not bold[/bold red]" in screen
        assert "␛[2J" in screen and "␛]0;pwned title␇" in screen and "␛]52;c;ZXZpbA==␇" in screen
        assert "\x1b" not in screen and "\x07" not in screen
        assert "\x1b" in app.conversation.messages[-1].content  # the raw text is kept as the model sent it


async def test_reasoning_is_shown_in_a_collapsible_block(make_app):
    app = make_app("reasoning")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "think")
        await wait_idle(pilot, app)
        answer = app.conversation.messages[-1]
        assert answer.reasoning.startswith("Let me think")
        widget = last_answer(app)
        box = widget.query_one(".reasoning")
        assert box.display and box.collapsed
        assert "Reasoning (" in screen_text(app)


async def test_sending_while_busy_keeps_the_text(make_app):
    app = make_app("slow-2000-20")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "one")
        await wait_for(pilot, lambda: app.status.tokens >= 1)
        await ask(pilot, "two")
        assert app.prompt.text == "two"
        await pilot.press("escape")
        await wait_idle(pilot, app)


async def test_new_conversation_and_help(make_app):
    app = make_app("normal")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "hello")
        await wait_idle(pilot, app)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.conversation.messages == [] and not app.query(AssistantMessage)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        assert "regenerate" in screen_text(app) and "copy_answer" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]


async def test_keymap_from_config_remaps_a_binding(make_app, monkeypatch):
    monkeypatch.setenv("TUI_CHAT_KEYMAP", '{"regenerate": "f8"}')
    app = make_app("normal")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "hello")
        await wait_idle(pilot, app)
        await pilot.press("f8")
        await wait_idle(pilot, app)
        assert app.conversation.messages[-1].status is MessageStatus.COMPLETE
        assert ("f8", "regenerate", app.ACTIONS["regenerate"]) in app.key_rows()
        assert "f8 Regenerate" in app.query_one(KeyBar).render().plain


async def test_clicking_a_key_in_the_key_bar_runs_its_action(make_app):
    app = make_app("normal")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        text = bar.render().plain
        assert "^n New" in text and "^p palette" in text
        await pilot.click(KeyBar, offset=(text.index("f1 Help") + 1, 0))
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))


async def test_copy_without_a_clipboard_falls_back_to_osc52_and_says_so(make_app, monkeypatch):
    import pyperclip

    def no_clipboard(text):
        raise pyperclip.PyperclipException("no backend")

    monkeypatch.setattr(pyperclip, "copy", no_clipboard)
    app = make_app("normal")
    sent: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        app.copy_to_clipboard = sent.append  # what OSC 52 would send
        await ask(pilot, "hello")
        await wait_idle(pilot, app)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert sent == [app.conversation.messages[-1].content]
        assert any("OSC 52" in n.message for n in app._notifications)
        assert not any(n.title == "Copied" for n in app._notifications)
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert sent[-1].startswith("def greet(name: str)")


async def test_quit_while_streaming_closes_the_stream(make_app, sim):
    app = make_app("slow-3000-10")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "hi")
        await wait_for(pilot, lambda: app.status.tokens >= 3)
        await pilot.press("ctrl+q")
    assert await sim.disconnected("slow-3000-10")
    assert sim.stats("slow-3000-10")["disconnected"] == 1 and sim.stats("slow-3000-10")["completed"] == 0


async def test_code_whose_lexer_is_not_loaded_is_shown_at_once_and_coloured_after(sim):
    """Loading a lexer takes up to ~60 ms: no frame waits for it, the block is drawn again once it is in."""
    assert "fortran" not in markdown_render._lexers
    code = "```fortran\nprogram hello\n  print *, 'Hello'\nend program hello\n```"
    conversation = Conversation(messages=[ChatMessage("user", "code?"), ChatMessage("assistant", code)])
    app = ChatApp(BackendProcess(model="normal"), conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        body = last_answer(app).query_one(StreamingMarkdown)
        assert "print *, 'Hello'" in screen_text(app)
        await wait_for(pilot, lambda: "fortran" in markdown_render._lexers and not body.code_drawn_plain)
        await pilot.pause()
        assert "print *, 'Hello'" in screen_text(app)
        colours = {
            segment.style.color for y in range(body.size.height) for segment in body.render_line(y) if segment.style
        }
        assert len(colours - {None}) >= 3  # keyword, string and name in their own colours


async def test_code_drawn_plain_in_a_long_answer_is_drawn_again_from_its_own_segment_only(sim, monkeypatch):
    assert "ada" not in markdown_render._lexers
    release = threading.Event()
    load_wanted = markdown_render.load_wanted

    def held_load_wanted() -> None:
        release.wait(10)  # bounded: the test releases it once it has seen the plain lines
        load_wanted()

    monkeypatch.setattr(markdown_render, "load_wanted", held_load_wanted)
    prose = "\n\n".join(f"Paragraph {i} of an answer long enough to be cut into settled segments." for i in range(30))
    code = '```ada\nprocedure Hello is\nbegin\n   Put_Line ("Hello");\nend Hello;\n```'
    conversation = Conversation(
        messages=[ChatMessage("user", "long?"), ChatMessage("assistant", f"{prose}\n\n{code}\n\n{prose}")]
    )
    app = ChatApp(BackendProcess(model="normal"), conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        body = last_answer(app).query_one(StreamingMarkdown)

        def drawn_to_the_end() -> bool:  # the settled segments and the tail: the tail may come a frame later
            lines = body._settled_lines + body._tail_lines
            return (
                body.code_drawn_plain
                and body._rendered == len(body._segments)
                and any("Paragraph 29" in strip.text for strip in lines[-3:])
            )

        await wait_for(pilot, drawn_to_the_end)
        _, row = body._plain_from
        assert row > 0
        before = list(body._settled_lines)
        text_before = [strip.text for strip in before] + [strip.text for strip in body._tail_lines]
        release.set()
        await wait_for(pilot, lambda: not body.code_drawn_plain)
        await pilot.pause()
        assert all(
            a is b for a, b in zip(body._settled_lines[:row], before[:row], strict=False)
        )  # kept, not drawn again
        assert [strip.text for strip in body._settled_lines] + [strip.text for strip in body._tail_lines] == text_before
        procedure = next(strip for strip in body._settled_lines if "procedure Hello" in strip.text)
        assert len({segment.style.color for segment in procedure if segment.style} - {None}) >= 2


async def test_a_long_answer_opened_from_the_history_is_drawn_to_its_end(sim):
    """Its first layout comes before it is mounted; the rest of the backlog used to wait for a timer never set."""
    prose = "\n\n".join(f"Paragraph {i} of an answer long enough to be cut into settled segments." for i in range(80))
    conversation = Conversation(messages=[ChatMessage("user", "long?"), ChatMessage("assistant", prose)])
    app = ChatApp(BackendProcess(model="normal"), conversation=conversation)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "Paragraph 79 of an answer" in screen_text(app))
        body = last_answer(app).query_one(StreamingMarkdown)
        assert body._rendered == len(body._segments)


async def test_selecting_answer_text_with_the_mouse_and_copying_it(make_app):
    """Ctrl+C on a mouse selection in an answer used to kill the app (Textual called the widget's own _render)."""
    app = make_app("normal")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "hello")
        await wait_idle(pilot, app)
        body = last_answer(app).body
        await pilot.pause(0.1)
        row = next(y for y in range(body.size.height) if "You said" in body.render_line(y).text)
        start = body.render_line(row).text.index("You said")
        await pilot.mouse_down(body, offset=(start, row))
        await pilot.hover(body, offset=(start + 7, row))
        await pilot.mouse_up(body, offset=(start + 7, row))
        await pilot.pause()
        assert app.screen.get_selected_text() == "You said"
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.is_running and app.clipboard == "You said"


async def test_a_failed_question_sent_again_is_sent_once(make_app, sim):
    app = make_app("auth")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "q")
        await wait_idle(pilot, app)
        assert app.prompt.text == "q"  # nothing came back: the question is given back to edit
        app.use_model("echo")
        await pilot.press("enter")
        await wait_idle(pilot, app)
        assert sim.stats("echo")["last_request"]["messages"] == [{"role": "user", "content": "q"}]
        assert [(m.role, m.status) for m in app.conversation.messages] == [
            ("user", MessageStatus.COMPLETE),
            ("assistant", MessageStatus.FAILED),
            ("user", MessageStatus.COMPLETE),
            ("assistant", MessageStatus.COMPLETE),
        ]


@pytest.mark.parametrize("abandon", [("escape",), ("ctrl+a", "ctrl+k"), ("ctrl+q",)])
async def test_an_abandoned_edit_keeps_the_exchange(make_app, isolated_env, abandon):
    app = make_app("echo")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "keep me")
        await wait_idle(pilot, app)
        await pilot.press("up")
        await pilot.press(*abandon)
        await pilot.pause()
        if app.is_running:
            assert app.prompt.text == "" and len(app.conversation.messages) == 2
            await ask(pilot, "next")
            await wait_idle(pilot, app)
    history = History(isolated_env / "data")
    [summary] = history.list_conversations()
    contents = [m.content for m in history.load(summary.id).messages]
    history.close()
    assert contents[:2] == ["keep me", "keep me"] and len(contents) in (2, 4)


async def test_keys_typed_in_the_same_burst_as_enter_are_kept(make_app):
    app = make_app("slow-200-20")
    async with app.run_test(size=SIZE) as pilot:
        for key in [*"gamma", "enter", *"delta"]:  # one burst, as a terminal delivers a paste or fast typing
            app.post_message(events.Key(key, "\r" if key == "enter" else key))
        await pilot.pause(0.2)
        assert app.conversation.messages[0].content == "gamma"
        assert app.prompt.text == "delta"
        await pilot.press("enter")  # busy: the question goes back into the prompt, nothing is lost
        await pilot.pause()
        assert app.prompt.text == "delta"
        await pilot.press("escape")
        await wait_idle(pilot, app)


@pytest.mark.parametrize("key", ["f7", "ctrl+x"])
async def test_an_action_remapped_to_a_key_the_prompt_uses_still_runs(make_app, monkeypatch, key):
    """``stop = "f7"``: f7 is the prompt's select-all, ctrl+x its cut; the app's action must win (and say so)."""
    monkeypatch.setenv("TUI_CHAT_KEYMAP__STOP", key)
    monkeypatch.setenv("TUI_CHAT_KEYMAP__NEW_CONVERSATION", "f6")
    app = make_app("slow-3000-10")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "long one")
        await wait_for(pilot, lambda: app.status.tokens >= 3)
        await pilot.press("ctrl+r")
        shown = key.replace("ctrl+", "^")
        await pilot.pause()
        assert any(n.message == f"{shown} stops the current answer first." for n in app._notifications)
        await pilot.press(key)
        await wait_idle(pilot, app)
        assert app.conversation.messages[-1].status is MessageStatus.STOPPED
        await pilot.press("f6")
        await pilot.pause()
        assert app.conversation.messages == []
        assert f" {shown} Stop " in screen_text(app).splitlines()[-1]


async def test_the_apps_keys_go_to_a_modal_when_one_is_open(make_app):
    app = make_app("echo")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")  # the help closes; it does not "stop" anything
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_the_log_scrolls_from_the_prompt_which_keeps_the_focus(make_app):
    app = make_app("fast-600")
    async with app.run_test(size=(80, 20)) as pilot:
        await ask(pilot, "long")
        await wait_idle(pilot, app)
        log = app.log_view
        await pilot.pause(0.1)
        bottom = log.scroll_y
        assert bottom > 0
        await pilot.press("pageup")
        await pilot.pause(0.1)
        assert log.scroll_y < bottom and app.focused is app.prompt
        await pilot.press("ctrl+home")
        await pilot.pause(0.1)
        assert log.scroll_y == 0
        await pilot.press("ctrl+end", "pagedown")
        await pilot.pause(0.1)
        assert log.scroll_y == log.max_scroll_y and app.focused is app.prompt


async def test_the_chosen_theme_is_saved_and_restored(make_app):
    app = make_app("echo")
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "textual-dark"
        app.theme = "nord"  # what F9's picker does
        await pilot.pause()
    again = make_app("echo")
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "nord"


async def test_a_theme_set_in_the_configuration_beats_the_saved_one(make_app, monkeypatch):
    app = make_app("echo")
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "nord"
        await pilot.pause()
    monkeypatch.setenv("TUI_CHAT_THEME", "gruvbox")
    again = make_app("echo")
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "gruvbox"


@pytest.mark.parametrize(("name", "suffix", "start"), [("Markdown", "md", "# hello"), ("JSON", "json", "{")])
async def test_the_open_conversation_is_exported_from_the_command_palette(make_app, tmp_path, name, suffix, start):
    from textual.widgets import Input

    app = make_app("echo")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "hello")
        await wait_idle(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*f"Export this conversation as {name}")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: bool(app.screen.query(Input)) and "Export" in str(app.screen.query("Static").first().render()),
        )
        box = app.screen.query_one(Input)
        assert box.value.endswith(f"hello.{suffix}")
        box.value = str(tmp_path / f"out.{suffix}")
        await pilot.press("enter")
        await wait_for(pilot, (tmp_path / f"out.{suffix}").exists)
    text = (tmp_path / f"out.{suffix}").read_text()
    assert text.startswith(start) and "hello" in text


@pytest.fixture
def osc52_only(monkeypatch):
    """No system clipboard: copies go out as OSC 52, recorded in the list this gives."""
    import pyperclip

    def no_clipboard(text: str) -> None:
        raise pyperclip.PyperclipException("no clipboard here")

    monkeypatch.setattr(pyperclip, "copy", no_clipboard)
    return []


async def two_exchanges(pilot, app, sent: list[str]) -> None:
    app.copy_to_clipboard = sent.append
    for question in ("first", "second"):
        await ask(pilot, question)
        await wait_idle(pilot, app)


async def test_a_message_cursor_copies_any_message_and_its_code(make_app, osc52_only):
    app, sent = make_app("normal"), osc52_only
    async with app.run_test(size=SIZE) as pilot:
        await two_exchanges(pilot, app, sent)
        await pilot.press("tab")  # the focus goes to the conversation: its cursor is on the last message
        assert app.focused is app.log_view and app.log_view.cursor is app.conversation.messages[-1]
        await pilot.press("up", "up", "up", "c")  # the first answer, then the first question
        await pilot.pause()
        assert sent[-1] == "first"
        await pilot.press("down", "g")
        await pilot.pause()
        assert sent[-1].startswith("def greet(name: str)")
        await pilot.press("escape")
        assert app.focused is app.prompt


async def test_editing_an_earlier_question_branches_and_keeps_the_original(make_app, isolated_env):
    app = make_app("echo")
    async with app.run_test(size=SIZE) as pilot:
        for question in ("one", "two", "three"):
            await ask(pilot, question)
            await wait_idle(pilot, app)
        original = app.conversation.id
        await pilot.press("tab", "up", "up", "up", "e")  # the cursor on "two"
        assert app.prompt.text == "two" and app.focused is app.prompt
        await pilot.press("end", *" again", "enter")
        await wait_idle(pilot, app)
        assert app.conversation.id != original
        assert [m.content for m in app.conversation.messages] == ["one", "one", "two again", "two again"]
    history = History(isolated_env / "data")
    kept = [m.content for m in history.load(original).messages]
    branch = [m.content for m in history.load(app.conversation.id).messages]
    history.close()
    assert kept == ["one", "one", "two", "two", "three", "three"]
    assert branch == ["one", "one", "two again", "two again"]


def burst(app, *keys: str) -> None:
    """Keys as a terminal delivers a paste or fast typing: all queued before the app handles the first."""
    for key in keys:
        named = {"enter": "\r", "tab": "\t", "escape": "\x1b", "ctrl+u": "\x15"}
        app.post_message(events.Key(key, named.get(key, key if len(key) == 1 else None)))


async def test_a_burst_with_ctrl_u_keeps_what_follows_it(make_app):
    app = make_app("echo")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, *"abc", "ctrl+u", *"def")
        await pilot.pause(0.2)
        assert app.prompt.text == "def"


async def test_enter_on_the_question_given_back_after_a_failure_sends_it(make_app, sim):
    app = make_app("auth")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "q")
        await wait_idle(pilot, app)
        assert app.prompt.text == "q"
        burst(app, "enter")
        await pilot.pause(0.2)
        await wait_idle(pilot, app)
        assert sim.stats("auth")["requests"] == 2 and app.prompt.text == "q"


async def test_a_burst_that_moves_the_focus_takes_the_next_keys_with_it(make_app, osc52_only):
    app, sent = make_app("echo"), osc52_only
    async with app.run_test(size=SIZE) as pilot:
        await two_exchanges(pilot, app, sent)
        burst(app, "tab", "up", "up", "c", "escape", *"next")  # as tmux delivers them: all at once
        await pilot.pause(0.3)
        assert sent == ["first"]  # the cursor went up twice in the conversation, not into the prompt
        assert app.focused is app.prompt and app.prompt.text == "next"


async def test_f2_lists_the_servers_models_and_picks_one(make_app, sim):
    from textual.command import CommandPalette

    app = make_app("normal")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await wait_for(pilot, lambda: "echoes the last user message" in screen_text(app))
        await pilot.press(*"echo", "enter")
        await wait_for(pilot, lambda: app.backend.model == "echo")
        assert any("Model: echo" in n.message for n in app._notifications)
        await ask(pilot, "picked")
        await wait_idle(pilot, app)
        assert app.conversation.messages[-1].content == "picked"


async def test_f2_takes_a_model_name_the_server_does_not_list(make_app, sim):
    """Servers serve models they do not list (a local server's tags, a provider's variants): the name as typed
    is offered below the listed models, and an answer comes from it."""
    from textual.command import CommandPalette

    app = make_app("normal")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await wait_for(pilot, lambda: "echoes the last user message" in screen_text(app))
        await pilot.press(*"pace-5-1")
        await wait_for(pilot, lambda: "use pace-5-1" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.backend.model == "pace-5-1")
        await ask(pilot, "typed")
        await wait_idle(pilot, app)
        assert "end of answer 5" in app.conversation.messages[-1].content


async def test_f3_switches_the_profile(make_app, sim):
    from textual.command import CommandPalette

    app = make_app("normal")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette) and "ollama" in screen_text(app))
        await pilot.press(*"sim", "enter")
        await wait_for(pilot, lambda: app.profile.name == "sim")
        assert app.conversation.profile == "sim"


def count_screen_restyles(app: ChatApp) -> list[int]:
    """From now on, each time the app's whole screen is styled again (the number of nodes each time)."""
    restyles: list[int] = []
    update_nodes = app.stylesheet.update_nodes

    def counted(nodes, animate=False):
        nodes = list(nodes)
        if any(node is app.screen for node in nodes):
            restyles.append(len(nodes))
        update_nodes(nodes, animate=animate)

    app.stylesheet.update_nodes = counted
    return restyles


async def restyled_looks_the_same(pilot, app: ChatApp) -> None:
    """What shows is what styling the whole screen again gives."""
    app.prompt.cursor_blink = False  # a blink between the two pictures is not a difference
    await pilot.pause()
    shown = app.export_screenshot()
    for _ in range(20):  # until what follows the first frame (the history, the warm-up) has drawn (bounded)
        await pilot.pause(0.05)
        shown, before = app.export_screenshot(), shown
        if shown == before:
            break
    app.screen.update_node_styles(animate=False)
    app.screen.refresh(layout=True)
    await pilot.pause()
    assert app.export_screenshot() == shown


@pytest.mark.parametrize("opened", [None, "a conversation"])
async def test_the_first_screen_is_styled_once_as_a_full_restyle_would(make_app, opened):
    body = "Some **bold** text, `code` and a list:\n\n- one\n- two\n\n> a quote\n"
    conversation = Conversation(
        title="opened", messages=[ChatMessage("user", "a question"), ChatMessage("assistant", body)]
    )
    app = make_app("echo", conversation=conversation if opened else None)
    restyles = count_screen_restyles(app)  # Textual styled the screen again when first shown: startup time
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert restyles == []
        await restyled_looks_the_same(pilot, app)


async def test_a_theme_chosen_over_a_dialog_reaches_the_screen_under_it(make_app):
    app = make_app("echo")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = app.query_one(StatusBar).rich_style
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        app.theme = "nord"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))
        assert app.query_one(StatusBar).rich_style != before
        await restyled_looks_the_same(pilot, app)
