"""Benchmarks of the real app in a real terminal (tmux): stream to screen, CPU, typing, startup, history."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tui_chat.chat.conversation import ChatMessage, Conversation
from tui_chat.sim.scenarios import END_MARK
from tui_chat.store import HistoryStore

from .harness import BIN, TERMINAL, cpu_seconds, percentile, rss_mb
from .tmux import Tmux

POLL = 0.01
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class StreamRun:
    seconds: float
    cpu: float


def _env(base_url: str, data_dir: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "TERM": "xterm-256color",
        "XDG_CONFIG_HOME": os.path.join(data_dir, "config"),
        "TUI_CHAT_DATA_DIR": data_dir,
        "OPENAI_BASE_URL": base_url,
        "OPENAI_API_KEY": "sk-benchmark",
    }


def _stream(command: list[str], base_url: str, marker: str, ready: str | None, timeout: float) -> StreamRun:
    """Enter → ``marker`` on screen, and the CPU the program in the pane spent meanwhile."""
    with tempfile.TemporaryDirectory() as data:
        term = Tmux(*TERMINAL)
        try:
            term.start(command, _env(base_url, data))
            term.attach_control()
            if ready:
                term.wait_for(ready)
            else:
                time.sleep(1.0)  # the baseline script has nothing to show until it prints
            pid = term.pane_pid()
            _settle(pid)
            cpu_before = cpu_seconds(pid)
            if ready:
                term.send("go", literal=True)
            started = time.monotonic()
            term.send("Enter")
            term.wait_for(marker, timeout=timeout, interval=POLL)
            elapsed = time.monotonic() - started
            return StreamRun(elapsed, cpu_seconds(pid) - cpu_before)
        finally:
            term.close()


def _settle(pid: int, timeout: float = 15.0) -> None:
    """Wait until the program and its children stop using CPU (bounded): the baseline has imported the SDK
    before it waits for Enter, and the app's engine process imports it while the first screen shows, so
    both are timed from a ready, idle state."""
    deadline = time.monotonic() + timeout
    last = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = cpu_seconds(pid)
        if now - last < 0.01:
            return
        last = now


def stream_to_screen(
    base_url: str, model: str, tokens: int, timeout: float = 600, api: str = "chat"
) -> tuple[StreamRun, StreamRun]:
    """(baseline, app) for one answer, over chat completions or the Responses API (both sides alike)."""
    marker = f"{END_MARK} {tokens}"
    baseline = _stream(
        [sys.executable, str(HERE / "baseline_print.py"), base_url, model, api], base_url, marker, None, timeout
    )
    app = _stream([str(BIN), "--model", model, "--api", api], base_url, marker, "Ask anything", timeout)
    return baseline, app


def textual_floor(base_url: str, model: str, tokens: int, timeout: float = 600) -> StreamRun:
    """The same answer streamed inside a Textual app that shows it only when it ends (``textual_floor.py``)."""
    command = [sys.executable, str(HERE / "textual_floor.py"), base_url, model]
    return _stream(command, base_url, f"{END_MARK} {tokens}", "floor ready", timeout)


def typing_latency(base_url: str, model: str, keys: int = 25) -> tuple[list[float], list[float]]:
    """Keystroke → shown in the prompt, idle and during a full-speed stream (seconds each)."""
    with tempfile.TemporaryDirectory() as data:
        term = Tmux(*TERMINAL)
        try:
            term.start([str(BIN), "--model", model], _env(base_url, data))
            term.attach_control()
            term.wait_for("Ask anything")
            idle = _type(term, keys, "q")
            term.send("C-u")  # clear the prompt (TextArea: delete to line start)
            term.send("go", literal=True)
            term.send("Enter")
            term.wait_for("Section 2", timeout=60, interval=POLL)
            streaming = _type(term, keys, "z")
            return idle, streaming
        finally:
            term.close()


def _type(term: Tmux, keys: int, char: str) -> list[float]:
    latencies = []
    for typed in range(1, keys + 1):
        term.send(char, literal=True)
        started = time.monotonic()
        term.wait_for(char * typed, timeout=10, interval=0.002)
        latencies.append(time.monotonic() - started)
        time.sleep(0.05)
    return latencies


def startup(base_url: str) -> tuple[float, float]:
    """(minimal Textual app, tui-chat): seconds from launch to the first usable screen."""
    return (
        _launch([sys.executable, str(HERE / "minimal_app.py")], base_url, "minimal app ready"),
        _launch([str(BIN), "--model", "normal"], base_url, "Ask anything"),
    )


def _launch(command: list[str], base_url: str, ready: str, data_dir: str | None = None) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        term = Tmux(*TERMINAL)
        try:
            started = time.monotonic()
            term.start(command, _env(base_url, data_dir or scratch))
            term.attach_control()
            term.wait_for(ready, timeout=60, interval=POLL)
            return time.monotonic() - started
        finally:
            term.close()


def make_history(data_dir: str, messages: int) -> tuple[int, int]:
    """A database with an empty conversation and one of ``messages`` messages: their ids."""
    store = HistoryStore.open(Path(data_dir) / "history.sqlite3")
    empty = store.import_conversation(Conversation(title="empty", model="normal"))
    body = "Here is **an answer** with `code`, a list:\n\n- one\n- two\n\n```python\nprint('x')\n```\n"
    long = Conversation(
        title="long",
        model="normal",
        messages=[
            ChatMessage("user" if i % 2 == 0 else "assistant", f"question {i}" if i % 2 == 0 else f"{body}answer {i}")
            for i in range(messages)
        ],
    )
    long_id = store.import_conversation(long)
    store.close()
    return empty, long_id


def long_history(base_url: str, messages: int = 10_000) -> dict[str, tuple[float, float]]:
    """``--resume`` of an empty and a long conversation: (seconds to usable screen, resident MB)."""
    with tempfile.TemporaryDirectory() as data:
        empty, long = make_history(data, messages)
        return {
            "empty": _resume(base_url, data, empty, "Ask anything"),
            "long": _resume(base_url, data, long, f"answer {messages - 1}"),
        }


def _resume(base_url: str, data: str, conversation_id: int, ready: str) -> tuple[float, float]:
    term = Tmux(*TERMINAL)
    try:
        started = time.monotonic()
        term.start([str(BIN), "--resume", str(conversation_id)], _env(base_url, data))
        term.attach_control()
        term.wait_for(ready, timeout=120, interval=POLL)
        term.wait_for("Ask anything", timeout=60, interval=POLL)
        elapsed = time.monotonic() - started
        time.sleep(0.5)
        return elapsed, rss_mb(term.pane_pid())
    finally:
        term.close()


def summary(values: list[float]) -> tuple[float, float]:
    return percentile(values, 50), percentile(values, 95)


def idle_cpu(base_url: str, seconds: float = 30.0) -> tuple[float, float]:
    """(minimal app with a header, a text area and a footer, tui-chat): CPU seconds spent at rest over ``seconds``,
    once each is up and has settled (tui-chat's backend process included)."""
    return (
        _idle([sys.executable, str(HERE / "minimal_idle_app.py")], base_url, "minimal app ready", seconds),
        _idle([str(BIN), "--model", "normal"], base_url, "Ask anything", seconds),
    )


def _idle(command: list[str], base_url: str, ready: str, seconds: float) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        term = Tmux(*TERMINAL)
        try:
            term.start(command, _env(base_url, scratch))
            term.attach_control()
            term.wait_for(ready, timeout=60, interval=POLL)
            pid = term.pane_pid()
            _settle(pid)
            time.sleep(2.0)  # past the app's after-first-frame work (the history, the renderer's warm-up)
            before = cpu_seconds(pid)
            time.sleep(seconds)
            return cpu_seconds(pid) - before
        finally:
            term.close()
