"""The real ``tui-chat`` in a real terminal (tmux), against the simulator over loopback."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from benchmarks.tmux import Tmux

BIN = Path(sys.executable).parent / "tui-chat"


def app_env(sim, tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "TUI_CHAT_DATA_DIR": str(tmp_path / "data"),
        "OPENAI_BASE_URL": sim.base_url,
        "OPENAI_API_KEY": "sk-test-0000000000001234",
    }


@pytest.mark.parametrize("program", [["sleep", "30"], ["true"]])
def test_a_closed_terminal_leaves_no_socket_behind(program):
    """tmux leaves its server's socket when the server exits: every test and benchmark launch left one."""
    term = Tmux(40, 10)
    try:
        term.start(program, {"PATH": os.environ.get("PATH", "")})
        assert term.socket_path.exists()  # the path is tmux's own (and stays once a program that ends has ended)
    finally:
        term.close()
    assert not term.socket_path.exists()


@pytest.mark.parametrize("width, height", [(80, 24), (200, 50)])
def test_type_a_prompt_and_read_the_answer_and_status(sim, tmp_path, width, height):
    env = app_env(sim, tmp_path)
    term = Tmux(width, height)
    try:
        term.start([str(BIN), "--model", "echo"], env)
        term.wait_for("Ask anything")
        term.send("hello from tmux", literal=True)
        term.send("Enter")
        screen = term.wait_for("● ready · last:")
        assert screen.count("hello from tmux") >= 2  # the question, and the echoed answer
        assert "tokens" in screen.splitlines()[-2] or "tokens" in screen
        assert "echo" in screen  # the model is shown
        assert sim.stats("echo")["completed"] == 1
        term.send("C-q")
        for _ in range(100):  # bounded: quitting takes well under a second
            if not term.alive():
                break
            time.sleep(0.05)
        assert not term.alive()
    finally:
        term.close()


def test_alt_enter_a_burst_and_a_mouse_selection_in_a_real_terminal(sim, tmp_path):
    """What only a terminal shows: tmux sends Alt+Enter as ESC CR, delivers keys in bursts, and forwards mouse
    drags; the copy goes out as OSC 52, which tmux keeps in its paste buffer (set-clipboard on)."""
    term = Tmux(100, 30)
    try:
        term.start([str(BIN), "--model", "echo"], app_env(sim, tmp_path))
        term.run("set-option", "-g", "set-clipboard", "on")
        term.wait_for("Ask anything")
        term.send("line one", literal=True)
        term.send("M-Enter")
        term.send("line two", literal=True)
        term.send("Enter", "gamma")  # one burst: Enter, then the next question's first word
        term.wait_for("● ready · last:")
        assert sim.stats("echo")["last_request"]["messages"] == [{"role": "user", "content": "line one\nline two"}]
        screen = term.wait_for("gamma")
        rows = screen.splitlines()
        assert "│ gamma" in screen and screen.count("gamma") == 1  # in the prompt: not lost, and not sent
        answer_row = max(y for y, row in enumerate(rows) if "line two" in row)
        column = rows[answer_row].index("line two")
        press, drag, release = "\x1b[<0;{};{}M", "\x1b[<32;{};{}M", "\x1b[<0;{};{}m"
        term.send(press.format(column + 1, answer_row + 1), literal=True)
        term.send(drag.format(column + 4, answer_row + 1), literal=True)
        term.send(release.format(column + 4, answer_row + 1), literal=True)
        time.sleep(0.3)
        term.send("C-c")
        for _ in range(100):  # bounded
            copied = term.run("show-buffer", check=False).stdout
            if copied:
                break
            time.sleep(0.05)
        assert copied == "line"
        assert term.alive() and "│ gamma" in term.screen()  # still running, the prompt untouched
    finally:
        term.close()


def test_a_responses_api_answer_resumed_after_drops_in_a_real_terminal(sim, tmp_path):
    """At 80x24: the status bar says it resumes, and the answer on screen is whole, once, and ready."""
    term = Tmux(80, 24)
    try:
        term.start(
            [str(BIN), "--api", "responses", "--model", "drop-20"],
            {**app_env(sim, tmp_path), "TUI_CHAT_RETRY__INITIAL_BACKOFF": "0.5", "TUI_CHAT_RETRY__JITTER": "0"},
        )
        term.wait_for("Responses API")
        term.send("hello", literal=True)
        term.send("Enter")
        resuming = term.wait_for("resuming after event 19 (attempt 2/5)", interval=0.01)
        assert "↻" in resuming
        screen = term.wait_for("● ready · last:")
        assert "3 attempts" in screen and "discarded" not in screen
        assert sim.stats("drop-20")["requests"] == 1 and sim.stats("drop-20")["resumed"] == 2
        term.send("C-q")
    finally:
        term.close()
