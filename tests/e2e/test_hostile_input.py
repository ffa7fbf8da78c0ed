"""What a server sends or the history holds never drives the terminal or leaks the key; no hang; one clear
line for every bad input. Each test reproduces a defect found in review (issue 12)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from support import FAST_ENV, ask, screen_text, tui_chat, wait_idle
from tui_chat.backend.process import BackendProcess
from tui_chat.config.errors import ConfigError
from tui_chat.sim.scenarios import prose_tokens

KEY = "sk-test-0000000000001234"  # the simulator fixture's key
ESC = "\x1b"


def test_a_servers_error_text_is_printed_with_its_escapes_made_visible(sim):
    result = tui_chat("ask", "--model", "escapes", "hi")
    assert result.returncode == 1
    assert ESC not in result.stderr and "\x07" not in result.stderr and "\u202e" not in result.stderr
    assert "␛]0;PWNED␇ ␛[2J" in result.stderr and "⟨U+202E⟩evil" in result.stderr


async def test_the_app_draws_a_servers_error_text_harmlessly(make_app):
    app = make_app("escapes")
    async with app.run_test(size=(120, 30)) as pilot:
        await ask(pilot, "hi")
        await wait_idle(pilot, app)
        screen = screen_text(app)
        assert "␛]0;PWNED␇ ␛[2J" in screen and "[bold]markup[/bold]" in screen  # footer and status bar
        assert ESC not in screen and "\u202e" not in screen


def test_a_key_echoed_by_the_server_is_redacted_when_shown_and_stored(sim, tmp_path):
    result = tui_chat("ask", "--save", "--model", "echokey", "hi")
    assert result.returncode == 1
    assert (
        KEY not in result.stderr
        and "Incorrect API key provided: [redacted] (header: Bearer [redacted])" in result.stderr
    )
    exported = tui_chat("export", "1", "--format", "json").stdout
    assert KEY not in exported and "[redacted]" in exported
    database = sqlite3.connect(Path(os.environ["TUI_CHAT_DATA_DIR"]) / "history.sqlite3")
    assert not [row for row in database.execute("SELECT error FROM messages") if row[0] and KEY in row[0]]


def test_listing_models_never_echoes_the_key(sim):
    result = tui_chat("models", env={"OPENAI_BASE_URL": sim.root + "/nowhere"})
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("tui-chat: error: cannot list models: 404 not found")


@pytest.mark.parametrize(
    "content",
    [
        'headers = "Authorization: Bearer sk-abcdefghijklmnop"\n',
        '[profiles]\nopenai = "sk-abcdefghijklmnop"\n',
        "[profiles.x]\nheaders = { Authorization = 7 }\n",
    ],
)
def test_config_errors_never_quote_a_value_that_could_be_a_secret(tmp_path, content):
    cfg = tmp_path / "c.toml"
    cfg.write_text(content)
    result = tui_chat("ask", "--config", str(cfg), "hi")
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert "abcdefghijklmnop" not in result.stderr and "got" not in result.stderr


def test_keep_alive_comments_forever_hit_the_whole_request_timeout(sim):
    result = tui_chat(
        "ask", "--model", "pings", "hi", env={"TUI_CHAT_TIMEOUTS__REQUEST": "1", "TUI_CHAT_TIMEOUTS__IDLE": "5"}
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith(
        "tui-chat: error: timed out: the answer took longer than timeouts.request"
    )
    assert sim.stats("pings")["requests"] == 1


def test_a_config_file_that_is_not_utf8_is_one_line(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_bytes(b'model = "caf\xe9"\n')
    result = tui_chat("ask", "--config", str(cfg), "hi")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"tui-chat: config error: {cfg}: not UTF-8 text (byte 12): save it as UTF-8"]
    with pytest.raises(ConfigError, match="not UTF-8 text"):  # the app: its backend process answers at once
        BackendProcess(str(cfg)).start().setup()


def test_a_closed_stdout_ends_ask_quietly(sim):
    command = f"{sys.executable} -m tui_chat.cli ask --save --model fast-5000 hi | head -n 1"
    result = subprocess.run(
        ["bash", "-c", command], check=False, capture_output=True, text=True, timeout=60, env={**os.environ, **FAST_ENV}
    )
    assert result.stdout == "## Section 1\n"
    assert result.stderr.splitlines() == ["tui-chat: saved as conversation 1"]
    assert '"status": "stopped"' in tui_chat("export", "1", "--format", "json").stdout


def test_an_empty_data_dir_variable_means_the_default_not_the_current_directory(sim, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "tui_chat.cli.main", "ask", "--save", "--model", "echo", "hi"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, **FAST_ENV, "TUI_CHAT_DATA_DIR": ""},
    )
    assert result.returncode == 0, result.stderr
    assert not list(tmp_path.glob("*.db*"))


def test_a_bad_default_profile_variable_is_blamed_not_the_file(tmp_path):
    result = tui_chat("ask", "hi", env={"TUI_CHAT_DEFAULT_PROFILE": "nope"})
    assert result.returncode == 2
    assert result.stderr.startswith("tui-chat: config error: environment TUI_CHAT_DEFAULT_PROFILE: default_profile")


def test_ask_save_says_the_history_is_off_once(sim, tmp_path):
    data = tmp_path / "not-a-dir"
    data.write_text("a file where the data dir should be")
    result = tui_chat("ask", "--save", "--model", "echo", "hi", env={"TUI_CHAT_DATA_DIR": str(data)})
    assert result.returncode == 0 and result.stdout == "hi\n"
    assert len(result.stderr.splitlines()) == 1


def test_stored_escapes_are_shown_harmlessly_by_history_and_search(sim, tmp_path):
    export = {
        "format": "tui-chat/1",
        "title": f"evil {ESC}]0;PWNED\x07 title",
        "profile": "openai",
        "model": "m",
        "system_prompt": "",
        "created_at": 1.0,
        "updated_at": 1.0,
        "messages": [{"role": "user", "content": f"needle {ESC}]52;c;cHduZWQ=\x07", "status": "complete"}],
    }
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(export))
    assert tui_chat("import", str(path)).returncode == 0
    for args in (("history",), ("history", "--search", "needle")):
        out = tui_chat(*args).stdout
        assert ESC not in out and "\x07" not in out and "␛]" in out


def test_a_200_holding_an_error_object_says_the_servers_words_at_once(sim):
    result = tui_chat("ask", "--no-stream", "--model", "error200", "hi")
    assert result.returncode == 1 and sim.stats("error200")["requests"] == 1
    assert result.stderr.startswith(
        "tui-chat: error: unauthorized: the server answered 200 with an error: Invalid API key"
    )


def test_an_sse_body_answered_to_stream_false_is_a_malformed_answer_not_a_crash(sim):
    result = tui_chat("ask", "--no-stream", "--model", "sseforjson", "hi", env={"TUI_CHAT_RETRY__MAX_ATTEMPTS": "2"})
    assert result.returncode == 1
    assert "malformed chunk: gave up after 2 attempts: the server's answer to stream=false is not JSON" in result.stderr
    assert "AttributeError" not in result.stderr


def _damaged_history(data: Path) -> Path:
    """A history of a few hundred messages with one page in the middle overwritten."""
    from tui_chat.chat.conversation import ChatMessage, Conversation
    from tui_chat.store import History

    history = History(data)
    conversation = Conversation(title="precious")
    for i in range(150):
        history.save_message(conversation, ChatMessage("user", f"question {i} " + "words " * 200))
    history.close()
    db = data / "history.sqlite3"
    with db.open("r+b") as fh:
        fh.seek(4096 * 20)
        fh.write(b"\xa5" * 4096)
    return db


def test_a_damaged_database_is_never_written_into(sim, isolated_env):
    db = _damaged_history(isolated_env / "data")
    before = db.read_bytes()
    result = tui_chat("ask", "--save", "--model", "echo", "hello")
    assert result.returncode == 0 and result.stdout == "hello\n"  # the chat goes on
    [line] = result.stderr.splitlines()
    assert line.startswith(f"tui-chat: history is off: {db} is damaged (") and "kept as it is" in line
    assert db.read_bytes() == before


def test_history_of_a_damaged_database_says_so_instead_of_listing_nothing(sim, isolated_env):
    db = _damaged_history(isolated_env / "data")
    result = tui_chat("history")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(f"tui-chat: history is off: {db} is damaged (")


@pytest.fixture
def read_only(isolated_env):
    """Make paths unwritable even for root (CI runs as root): ``chattr +i`` where it works, else chmod."""
    locked: list[Path] = []

    def lock(*paths: Path) -> None:
        for path in paths:
            if os.geteuid() == 0:
                if subprocess.run(["chattr", "+i", str(path)], check=False, capture_output=True).returncode:
                    pytest.skip("cannot make a file immutable here (chattr)")
            else:
                path.chmod(0o555 if path.is_dir() else 0o444)
            locked.append(path)

    yield lock
    for path in reversed(locked):
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=False, capture_output=True)
        else:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_read_only_history_is_listed_and_exported_and_says_so(sim, isolated_env, read_only):
    assert tui_chat("ask", "--save", "--model", "echo", "keep this").returncode == 0
    data = isolated_env / "data"
    read_only(data / "history.sqlite3", data)
    listed = tui_chat("history")
    assert listed.returncode == 0 and "keep this" in listed.stdout
    assert (
        listed.stderr
        == f"tui-chat: {data / 'history.sqlite3'} is read-only: it is read, and nothing is written to it\n"
    )
    exported = tui_chat("export", "1", "--format", "json")
    assert exported.returncode == 0 and '"content": "keep this"' in exported.stdout
    saved = tui_chat("ask", "--save", "--model", "echo", "more")
    assert saved.returncode == 0 and saved.stdout == "more\n"
    assert saved.stderr.splitlines() == [
        f"tui-chat: history is off: {data / 'history.sqlite3'} is read-only: it can "
        "be listed and exported, but nothing new is saved"
    ]


@pytest.mark.parametrize("stream", [True, False])
def test_a_body_that_is_not_the_gzip_it_claims_is_malformed_not_cannot_connect(sim, stream):
    result = tui_chat(
        "ask",
        "--model",
        "gzipgarbage",
        "hi",
        *([] if stream else ["--no-stream"]),
        env={"TUI_CHAT_RETRY__MAX_ATTEMPTS": "2", "TUI_CHAT_FALLBACK__ENABLED": "false"},
    )
    assert result.returncode == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith(
        "tui-chat: error: malformed chunk: gave up after 2 attempts: the server's answer cannot be decoded"
    ), last
    assert "cannot connect" not in result.stderr and "running" not in result.stderr


def test_a_turn_that_fails_after_printing_part_of_an_answer_prints_no_empty_separator(sim):
    result = tui_chat(
        "ask",
        "--model",
        "dropthen500-5",
        "hi",
        env={"TUI_CHAT_RETRY__MAX_ATTEMPTS": "2", "TUI_CHAT_FALLBACK__ENABLED": "false"},
    )
    assert result.returncode == 1
    assert result.stdout == "".join(prose_tokens(40)[:5]) + "\n"
    assert "separator" not in result.stderr and "restarted" not in result.stdout
    assert result.stderr.splitlines()[-1].startswith("tui-chat: error: 500 server error: gave up after 2 attempts")


def test_a_200_kb_error_message_is_cut_to_one_readable_line(sim):
    result = tui_chat("ask", "--model", "huge400", "hi")
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("tui-chat: error: 400 bad request: This request is wrong because very very")
    assert line.endswith("…") and len(line) < 400
