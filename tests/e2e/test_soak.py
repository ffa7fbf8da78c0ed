"""The randomized fault soak: ``ask --save`` against ``chaos-SEED`` answers, each failing 0 to 3 times at random
(rate limits, 5xx, HTML pages, drops between events and inside one, stalls, malformed and truncated streams,
error events). Every run must print the answer exactly once and store it byte for byte.

``TUI_CHAT_SOAK_RUNS`` sets the number of runs (100 here; ``make soak`` runs 1,000) and ``TUI_CHAT_SOAK_SEED``
the first seed, so a failing seed can be run alone.
"""

from __future__ import annotations

import os

import pytest

from tui_chat.chat.conversation import MessageStatus
from tui_chat.cli.main import main
from tui_chat.sim.chaos import chaos_answer
from tui_chat.store import History

RUNS = int(os.environ.get("TUI_CHAT_SOAK_RUNS", "100"))
FIRST_SEED = int(os.environ.get("TUI_CHAT_SOAK_SEED", "1"))


@pytest.mark.timeout(60 + RUNS * 3)
def test_random_faults_never_lose_duplicate_or_corrupt_an_answer(sim, isolated_env, monkeypatch, capsys):
    for name, value in {
        "TUI_CHAT_RETRY__INITIAL_BACKOFF": "0.01",
        "TUI_CHAT_RETRY__MAX_BACKOFF": "0.05",
        "TUI_CHAT_RETRY__JITTER": "0.01",
        "TUI_CHAT_TIMEOUTS__IDLE": "0.3",
        # at most 3 planned failures; the rest absorbs a stall that a loaded machine makes up
        "TUI_CHAT_RETRY__MAX_ATTEMPTS": "10",
    }.items():
        monkeypatch.setenv(name, value)
    problems = []
    for seed in range(FIRST_SEED, FIRST_SEED + RUNS):
        code = main(["ask", "--save", "--model", f"chaos-{seed}", f"question {seed}"])
        out, err = capsys.readouterr()
        answer = chaos_answer(seed)
        expected = answer if answer.endswith("\n") else answer + "\n"
        if code != 0 or out != expected:
            problems.append(f"seed {seed}: exit {code}, stdout {'ok' if out == expected else 'differs'}: {err!r}")
    history = History(isolated_env / "data")
    stored = {c.title: c.id for c in history.list_conversations()}
    for seed in range(FIRST_SEED, FIRST_SEED + RUNS):
        conversation = history.load(stored[f"question {seed}"]) if f"question {seed}" in stored else None
        messages = conversation.messages if conversation else []
        if [(m.role, m.status) for m in messages] != [
            ("user", MessageStatus.COMPLETE),
            ("assistant", MessageStatus.COMPLETE),
        ] or messages[1].content != chaos_answer(seed):
            problems.append(f"seed {seed}: stored {[(m.role, m.status.value, len(m.content)) for m in messages]}")
    history.close()
    assert not problems, "\n".join(problems)
