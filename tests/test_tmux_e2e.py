"""The real ``tui-chat`` in a real terminal (tmux), against the simulator over loopback."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from tui_chat.testing.tmux import Tmux

BIN = Path(sys.executable).parent / "tui-chat"


@pytest.mark.parametrize("width, height", [(80, 24), (200, 50)])
def test_type_a_prompt_and_read_the_answer_and_status(sim, tmp_path, width, height):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "TUI_CHAT_CONFIG": str(tmp_path / "none.toml"),
        "TUI_CHAT_DATA_DIR": str(tmp_path / "data"),
        "OPENAI_BASE_URL": sim.base_url,
        "OPENAI_API_KEY": "sk-test-0000000000001234",
    }
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
