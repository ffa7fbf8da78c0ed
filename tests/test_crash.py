"""kill -9 in the middle of a stream loses nothing past the last checkpoint (about a second)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tui_chat.conversation import MessageStatus
from tui_chat.sim.scenarios import prose_tokens
from tui_chat.store import HistoryStore


def test_sigkill_mid_stream_keeps_the_checkpointed_answer(sim, isolated_env: Path):
    data = isolated_env / "data"
    env = {**os.environ, "TUI_CHAT_DATA_DIR": str(data)}
    proc = subprocess.Popen([sys.executable, "-m", "tui_chat.cli", "ask", "--save", "--model", "slow-3000-5",
                             "tell me everything"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    db = data / "history.sqlite3"
    try:
        checkpointed = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(checkpointed) < 200:  # bounded: a few checkpoints
            time.sleep(0.1)
            checkpointed = _checkpointed_answer(db)
        assert checkpointed, "no checkpoint was written"
        assert proc.poll() is None, "the answer finished before the kill"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)
    store = HistoryStore.open(db)  # opening recovers answers whose process is gone
    [summary] = store.list_conversations()
    user, answer = store.load_conversation(summary.id).messages
    assert user.content == "tell me everything"
    assert answer.status is MessageStatus.INTERRUPTED
    assert len(answer.content) >= len(checkpointed) > 0
    assert "".join(prose_tokens(3000)).startswith(answer.content)
    store.close()


def _checkpointed_answer(db: Path) -> str:
    """What the database holds of the streaming answer, read without touching it."""
    if not db.exists():
        return ""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            row = conn.execute("SELECT content FROM messages WHERE role = 'assistant' AND status = 'streaming'").fetchone()
    except sqlite3.OperationalError:  # tables not created yet
        return ""
    return row[0] if row else ""
