"""The Responses API through ``tui-chat ask`` (a subprocess) and its settings."""

from __future__ import annotations

import json

from support import tui_chat
from tui_chat.sim.scenarios import prose_tokens

PROSE_40 = "".join(prose_tokens(40))


# -- tui-chat ask -----------------------------------------------------------------------------------------


def test_ask_prints_a_resumed_answer_once_and_says_so(sim):
    result = tui_chat("ask", "--api", "responses", "--model", "drop-20", "hello")
    assert result.returncode == 0, result.stderr
    assert result.stdout == PROSE_40 + ("" if PROSE_40.endswith("\n") else "\n")
    assert "resuming after event 19" in result.stderr and "discarded" not in result.stderr
    assert sim.stats("drop-20")["requests"] == 1


def test_ask_on_a_cut_answer_and_on_a_server_without_the_api(sim):
    cut = tui_chat("ask", "--api", "responses", "--model", "length-10", "hello")
    assert cut.returncode == 3 and "cut off: max tokens reached" in cut.stderr
    missing = tui_chat("ask", "--model", "noresponses", "hello", env={"TUI_CHAT_API": "responses"})
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert missing.stderr.count("\n") == 1 and "does not offer the Responses API" in missing.stderr


def test_the_api_is_a_setting_per_profile_beaten_by_the_command_line(sim, isolated_env):
    config = isolated_env / "xdg-config" / "tui-chat" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[profiles.here]\nbase_url = "{sim.base_url}"\napi = "responses"\nresume = "off"\n')
    shown = tui_chat("config", "show", "--profile", "here")
    assert "[profiles.here]  (active)\n" in shown.stdout and 'api = "responses"' in shown.stdout
    assert 'resume = "off"' in shown.stdout
    assert tui_chat("ask", "--profile", "here", "--model", "normal", "hi").returncode == 0
    sent = sim.stats("normal")["last_request"]
    assert sent["endpoint"] == "responses" and "background" not in sent
    assert tui_chat("ask", "--profile", "here", "--api", "chat", "--model", "normal", "hi").returncode == 0
    assert "endpoint" not in sim.stats("normal")["last_request"]
    bad = tui_chat("ask", "--api", "assistants", "hi")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr and "Traceback" not in bad.stderr


def test_ask_save_keeps_the_response_id(sim, isolated_env):
    result = tui_chat("ask", "--save", "--api", "responses", "--model", "normal", "hello")
    assert result.returncode == 0, result.stderr
    exported = json.loads(tui_chat("export", "1", "--format", "json").stdout)
    assert exported["messages"][1]["response_id"].startswith("resp_sim")
    assert "response_id" not in exported["messages"][0]
