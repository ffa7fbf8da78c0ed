"""kill -9 in the middle of a stream loses nothing past the last checkpoint, and the test measures what it loses:
the text printed after the last checkpoint (a write at most every 0.5 s while text arrives)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from tui_chat.chat.conversation import MessageStatus
from tui_chat.sim.scenarios import prose_tokens
from tui_chat.store import HistoryStore


def test_sigkill_mid_stream_keeps_the_checkpointed_answer(sim, isolated_env: Path):
    data = isolated_env / "data"
    env = {**os.environ, "TUI_CHAT_DATA_DIR": str(data)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui_chat.cli.main", "ask", "--save", "--model", "slow-3000-5", "tell me everything"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    db = data / "history.sqlite3"
    printed = bytearray()  # what the user saw: ask's stdout up to the kill
    reader = threading.Thread(target=lambda: _read_into(proc.stdout, printed), daemon=True)
    reader.start()
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
        reader.join(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
    store = HistoryStore.open(db)  # opening recovers answers whose process is gone
    [summary] = store.list_conversations()
    user, answer = store.load_conversation(summary.id).messages
    assert user.content == "tell me everything"
    assert answer.status is MessageStatus.INTERRUPTED
    assert len(answer.content) >= len(checkpointed) > 0
    assert "".join(prose_tokens(3000)).startswith(answer.content)
    shown = printed.decode()
    assert shown.startswith(answer.content), "the stored answer is not what was printed"
    lost = len(_prefix_tokens(shown)) - len(_prefix_tokens(answer.content))
    print(f"kill -9 lost {len(shown) - len(answer.content)} of {len(shown)} printed characters ({lost} tokens)")
    store.close()


def _read_into(stream, buffer: bytearray) -> None:
    for chunk in iter(lambda: stream.read1(4096), b""):
        buffer.extend(chunk)


def _prefix_tokens(text: str) -> list[str]:
    """The simulator's tokens that ``text`` holds whole."""
    tokens, total = [], ""
    for token in prose_tokens(3000):
        if not text.startswith(total + token):
            break
        total += token
        tokens.append(token)
    return tokens


def _checkpointed_answer(db: Path) -> str:
    """What the database holds of the streaming answer, read without touching it."""
    if not db.exists():
        return ""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            row = conn.execute(
                "SELECT content FROM messages WHERE role = 'assistant' AND status = 'streaming'"
            ).fetchone()
    except sqlite3.OperationalError:  # tables not created yet
        return ""
    return row[0] if row else ""
