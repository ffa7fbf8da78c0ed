"""``tui-chat ask`` and friends as a user runs them: a subprocess against the simulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import tui_chat
from tui_chat.sim.scenarios import prose_tokens


def test_ask_streams_the_answer_to_stdout(sim):
    result = tui_chat("ask", "--model", "normal", "what is this?")
    assert result.returncode == 0, result.stderr
    assert "You said: *what is this?*" in result.stdout
    assert result.stdout.endswith("```\n") or result.stdout.endswith("\n")
    assert result.stderr == ""


def test_ask_reads_the_prompt_from_stdin(sim):
    result = tui_chat("ask", "--model", "echo", stdin="piped words here")
    assert result.returncode == 0
    assert result.stdout == "piped words here\n"


def test_ask_with_a_system_prompt_and_no_stream(sim):
    result = tui_chat("ask", "--model", "echo", "--system", "be terse", "--no-stream", "hi")
    assert result.returncode == 0 and result.stdout == "hi\n"
    sent = sim.stats("echo")["last_request"]
    assert sent["messages"][0] == {"role": "system", "content": "be terse"}
    assert not sent.get("stream")


def test_ask_reports_retries_on_stderr_one_line_each(sim):
    result = tui_chat("ask", "--model", "ratelimit-2-0.1", "hi")
    assert result.returncode == 0
    lines = result.stderr.splitlines()
    assert lines == ["tui-chat: retry 2/5 in 0.1s: 429 rate limited", "tui-chat: retry 3/5 in 0.1s: 429 rate limited"]


def test_dropped_stream_is_not_printed_twice(sim):
    result = tui_chat("ask", "--model", "drop-5-1", "hi")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "".join(prose_tokens(40)) + ("" if prose_tokens(40)[-1].endswith("\n") else "\n")
    assert "retry 2/5" in result.stderr and "partial answer discarded" in result.stderr


def test_fallback_is_reported_and_the_answer_printed_once(sim):
    result = tui_chat("ask", "--model", "drop-5", "hi")
    assert result.returncode == 0
    assert "falling back to a non-streaming request" in result.stderr
    expected = "".join(prose_tokens(40))
    assert result.stdout.count("## Section 1") == 1
    assert result.stdout.rstrip("\n") == expected.rstrip("\n")


def test_restarted_answer_with_the_same_start_is_continued_not_repeated(sim):
    result = tui_chat("ask", "--model", "malformed-3-1", "hi")
    assert result.returncode == 0
    assert result.stdout.count("## Section 1") == 1


def test_restarted_answer_that_differs_follows_a_separator(sim):
    result = tui_chat("ask", "--model", "reword-4", "hi")
    assert result.returncode == 0, result.stderr
    first_try = "A first try at "  # the first 4 tokens, then the connection drops
    assert result.stdout == first_try + "\n----- answer restarted -----\nA different answer, worded another way.\n"
    assert "the restarted answer differs" in result.stderr


def test_401_is_not_retried_and_names_the_key_setting(sim):
    result = tui_chat("ask", "--model", "auth", "hi")
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("tui-chat: error: 401 unauthorized:")
    assert "OPENAI_API_KEY" in line and "sk-test-0000000000001234" not in line
    assert sim.stats("auth")["requests"] == 1


def test_unknown_model_is_one_line_and_exit_1(sim):
    result = tui_chat("ask", "--model", "no-such-model", "hi")
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert "404" in line and "tui-chat models" in line


def test_unreachable_server_is_one_line(sim):
    result = tui_chat(
        "ask", "hi", env={"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "TUI_CHAT_RETRY__MAX_ATTEMPTS": "2"}
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith("tui-chat: error: cannot connect")
    assert "Traceback" not in result.stderr


def test_malformed_chunk_every_time_is_a_clean_failure(sim):
    result = tui_chat(
        "ask",
        "--model",
        "malformed-3-99",
        "hi",
        env={"TUI_CHAT_FALLBACK__ENABLED": "false", "TUI_CHAT_RETRY__MAX_ATTEMPTS": "2"},
    )
    assert result.returncode == 1
    assert "malformed chunk" in result.stderr.splitlines()[-1]
    assert "Traceback" not in result.stderr


def test_offline_demo_when_nothing_is_configured():
    result = tui_chat("ask", "hello")
    assert result.returncode == 0
    assert "offline demo" in result.stderr
    assert "You said: *hello*" in result.stdout


def test_usage_errors_exit_2_in_one_line():
    for args in (["--bogus"], ["ask"], ["ask", "--profile", "nope", "x"], ["config", "validate", "/no/such.toml"]):
        result = tui_chat(*args, stdin="")
        assert result.returncode == 2, args
        assert len(result.stderr.splitlines()) == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("problem", ["--profile", "--config"])
def test_the_app_with_a_bad_configuration_is_one_line_and_no_screen(tmp_path: Path, problem: str):
    """The app waits for its configuration as it loads: one that cannot be used ends it before its screen."""
    bad = tmp_path / "bad.toml"
    bad.write_text("colour = 'blue'\n")
    args, expected = (
        (("--profile", "nope"), "unknown profile 'nope'")
        if problem == "--profile"
        else (("--config", str(bad)), f"config error: {bad}: colour: unknown setting")
    )
    result = tui_chat(*args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"tui-chat: {expected}") and len(result.stderr.splitlines()) == 1


def test_models_lists_the_simulator_scenarios(sim):
    result = tui_chat("models")
    assert result.returncode == 0
    rows = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert {"normal", "drop", "ratelimit"} <= set(rows)
    assert rows["drop"].split(None, 1)[1].startswith("streaming requests drop the connection after N tokens")


def test_terminal_escapes_are_passed_through_to_a_pipe_but_never_crash(sim):
    result = tui_chat("ask", "--model", "markup", "x")
    assert result.returncode == 0 and "[bold red]" in result.stdout


def test_config_show_masks_the_key_and_names_sources(sim, tmp_path: Path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('model = "from-file"\n[retry]\nmax_attempts = 4\n')
    result = tui_chat("config", "show", "--config", str(cfg), env={"TUI_CHAT_RETRY__DEADLINE": "9"})
    assert result.returncode == 0
    out = result.stdout
    assert 'model = "from-file"  # file' in out
    assert "retry.max_attempts = 4  # file" in out
    assert "retry.deadline = 9.0  # env TUI_CHAT_RETRY__DEADLINE" in out
    assert "sk-…1234  # env OPENAI_API_KEY" in out
    assert "sk-test-0000000000001234" not in out


def test_config_validate_and_path(tmp_path: Path):
    good = tmp_path / "good.toml"
    good.write_text("[timeouts]\nidle = 5\n")
    assert tui_chat("config", "validate", str(good)).stdout.strip() == f"ok: {good}"
    bad = tmp_path / "bad.toml"
    bad.write_text("[timeouts]\nidle = -5\n")
    result = tui_chat("config", "validate", str(bad))
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"tui-chat: config error: {bad}: timeouts.idle: Input should be greater than 0 (got -5)"
    )
    assert tui_chat("config", "path", "--config", str(good)).stdout.strip() == str(good)


@pytest.mark.parametrize(
    "content, expected",
    [
        ("[retry\n", "invalid TOML"),
        ("colour = 'blue'\n", "colour: unknown setting"),
        ("[fallback]\nafter_attempts = 'two'\n", "fallback.after_attempts: Input should be a valid integer"),
    ],
)
def test_bad_config_file_is_one_line_naming_file_and_setting(tmp_path: Path, content: str, expected: str):
    cfg = tmp_path / "config.toml"
    cfg.write_text(content)
    result = tui_chat("ask", "--config", str(cfg), "hi")
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert str(cfg) in line and expected in line


def test_unreadable_config_file(tmp_path: Path):
    cfg = tmp_path / "dir.toml"
    cfg.mkdir()
    result = tui_chat("ask", "--config", str(cfg), "hi")
    assert result.returncode == 2 and "cannot read" in result.stderr


def test_ask_save_history_export_import_round_trip(sim, tmp_path: Path):
    assert tui_chat("ask", "--save", "--model", "normal", "first saved question").returncode == 0
    listing = tui_chat("history")
    assert listing.returncode == 0
    [line] = listing.stdout.splitlines()
    conversation_id = line.split()[0]
    assert "first saved question" in line and "2 msgs" in line
    found = tui_chat("history", "--search", "saved question")
    assert found.stdout.split()[0] == conversation_id
    md = tui_chat("export", conversation_id, "--format", "md")
    assert md.stdout.startswith("# first saved question\n") and "## You" in md.stdout
    exported = tmp_path / "c.json"
    assert tui_chat("export", conversation_id, "--format", "json", "-o", str(exported)).returncode == 0
    imported = tui_chat("import", str(exported))
    assert imported.returncode == 0
    new_id = imported.stdout.strip()
    again = tmp_path / "again.json"
    tui_chat("export", new_id, "--format", "json", "-o", str(again))
    assert again.read_text() == exported.read_text()
    assert "sk-test" not in exported.read_text()


def test_history_command_errors_are_one_line(sim, tmp_path: Path):
    for args in (["export", "999"], ["import", str(tmp_path / "missing.json")], ["--resume", "999"]):
        result = tui_chat(*args)
        assert result.returncode == 2, args
        assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something-else"}')
    result = tui_chat("import", str(bad))
    assert result.returncode == 2 and "not a tui-chat export" in result.stderr


def test_ask_save_records_a_failed_turn(sim):
    result = tui_chat("ask", "--save", "--model", "auth", "hi")
    assert result.returncode == 1 and "saved as conversation" in result.stderr
    assert "2 msgs" in tui_chat("history").stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('[keymap]\nno_such_action = "f7"\n', "keymap: 'no_such_action' is not a binding id"),
        ('[keymap]\nstop = "f1"\n', "keymap: f1 is bound to both stop and help"),
        ('[keymap]\nregenerate = "f8"\nhelp = "f8"\n', "keymap: f8 is bound to both regenerate and help"),
    ],
)
def test_config_validate_rejects_an_unusable_keymap(tmp_path: Path, content: str, expected: str):
    cfg = tmp_path / "c.toml"
    cfg.write_text(content)
    result = tui_chat("config", "validate", str(cfg))
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert expected in line and str(cfg) in line


def test_config_validate_warns_of_a_key_the_prompt_uses(tmp_path: Path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[keymap]\nstop = "f7"\n')
    result = tui_chat("config", "validate", str(cfg))
    assert result.returncode == 0 and result.stdout == f"ok: {cfg}\n"
    assert result.stderr == (
        "tui-chat: warning: keymap.stop = 'f7': the prompt uses f7 (select all); stop wins over it\n"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not json", "not JSON (Expecting value at line 1, column 1)"),
        (b'{"format": "tui-chat/1"}', 'not a usable tui-chat export: it has no "messages" list'),
        (b'{"format": "tui-chat/1", "messages": [{"role": "robot"}]}', "message 1: unknown role 'robot'"),
        (b'{"format": "tui-chat/1", "messages": [{"role": "user"}]}', "message 1 has no 'content'"),
        (b'{"messages": []}', 'not a tui-chat export (it has no "format": "tui-chat/1")'),
        (b"\xff\xfe", "not UTF-8 text"),
    ],
)
def test_importing_a_bad_file_says_what_is_wrong_with_it_in_one_line(tmp_path: Path, content: bytes, expected: str):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    result = tui_chat("import", str(path))
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"tui-chat: error: {path}: ") and expected in line
    assert "Error" not in line.removeprefix("tui-chat: error")


def test_ask_sends_the_prompt_then_the_piped_text(sim):
    result = tui_chat("ask", "--model", "echo", "summarize", stdin="piped text\n")
    assert result.returncode == 0, result.stderr
    assert sim.stats("echo")["last_request"]["messages"] == [{"role": "user", "content": "summarize\n\npiped text\n"}]


@pytest.mark.parametrize("by_variable", [False, True])
def test_a_config_file_named_explicitly_must_exist(tmp_path: Path, by_variable: bool):
    missing = tmp_path / "no" / "such.toml"
    args, env = (
        (("ask", "hi"), {"TUI_CHAT_CONFIG": str(missing)})
        if by_variable
        else (("ask", "--config", str(missing), "hi"), {})
    )
    result = tui_chat(*args, env=env)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        f"tui-chat: config error: {missing}: no such file (named by "
        f"{'TUI_CHAT_CONFIG' if by_variable else '--config'})\n"
    )


def test_version_is_the_installed_package_version():
    from importlib.metadata import version

    result = tui_chat("--version")
    assert result.returncode == 0 and result.stdout == f"tui-chat {version('tui-chat')}\n"
