"""Configuration sources, their order, profiles and key handling."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_chat.config.errors import ConfigError
from tui_chat.config.loading import load_config, mask_secret

FILE = """
model = "file-model"
default_profile = "work"
system_prompt = "from file"
[retry]
max_attempts = 7
[profiles.work]
base_url = "http://127.0.0.1:1/v1"
api_key_env = "WORK_KEY"
model = "work-model"
headers = { "X-Team" = "a" }
[profiles.plain]
base_url = "http://127.0.0.1:2/v1"
"""


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(FILE)
    return path


def test_defaults_without_a_file(tmp_path: Path):
    loaded = load_config()  # the default location (isolated): no file
    s = loaded.settings
    assert s.retry.max_attempts == 5 and s.timeouts.idle == 60 and s.fallback.after_attempts == 2
    assert loaded.origin("model") == "default"
    assert loaded.resolve_profile().is_simulator  # nothing configured: the offline demo


def test_precedence_cli_over_env_over_file_over_default(cfg: Path, monkeypatch: pytest.MonkeyPatch):
    assert load_config(cfg).settings.retry.max_attempts == 7
    monkeypatch.setenv("TUI_CHAT_RETRY__MAX_ATTEMPTS", "3")
    monkeypatch.setenv("TUI_CHAT_MODEL", "env-model")
    loaded = load_config(cfg)
    assert loaded.settings.retry.max_attempts == 3
    assert loaded.origin("retry.max_attempts") == "env TUI_CHAT_RETRY__MAX_ATTEMPTS"
    assert loaded.settings.model == "env-model"
    loaded = load_config(cfg, {"model": "cli-model"})
    assert loaded.settings.model == "cli-model" and loaded.origin("model") == "cli"
    assert loaded.origin("system_prompt") == "file" and loaded.origin("retry.deadline") == "default"


def test_config_path_from_env(cfg: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TUI_CHAT_CONFIG", str(cfg))
    assert load_config().settings.retry.max_attempts == 7


def test_profile_model_key_env_and_headers(cfg: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WORK_KEY", "sk-work-key-abcdefgh9876")
    p = load_config(cfg).resolve_profile()
    assert p.name == "work" and p.base_url == "http://127.0.0.1:1/v1"
    assert p.model == "work-model"  # the file's top-level model does not beat the profile's
    assert p.api_key.get_secret_value() == "sk-work-key-abcdefgh9876" and p.key_origin == "env WORK_KEY"
    assert p.headers == {"X-Team": "a"}
    assert load_config(cfg).resolve_profile(model="explicit").model == "explicit"
    monkeypatch.setenv("TUI_CHAT_MODEL", "env-model")
    assert load_config(cfg).resolve_profile().model == "env-model"


def test_openai_env_applies_to_the_default_profile_only(cfg: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-000000000000zzzz")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:3/v1")
    loaded = load_config(cfg)
    work = loaded.resolve_profile()
    assert work.base_url == "http://127.0.0.1:3/v1" and work.key_origin == "env OPENAI_API_KEY"
    plain = loaded.resolve_profile("plain")
    assert plain.base_url == "http://127.0.0.1:2/v1" and plain.api_key is None


def test_builtin_profiles_survive_a_file_that_defines_others(cfg: Path):
    profiles = load_config(cfg).settings.profiles
    assert {"work", "plain", "openai", "ollama", "local", "sim"} <= set(profiles)


def test_unknown_profile_and_bad_default_profile(tmp_path: Path):
    with pytest.raises(ConfigError, match="unknown profile 'nope'"):
        load_config().resolve_profile("nope")  # the default location (isolated): no file
    bad = tmp_path / "bad.toml"
    bad.write_text('default_profile = "ghost"\n')
    with pytest.raises(ConfigError, match="default_profile 'ghost' is not a profile"):
        load_config(bad)


def test_bad_env_value_names_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TUI_CHAT_TIMEOUTS__IDLE", "soon")
    with pytest.raises(ConfigError) as err:
        load_config()  # the default location (isolated): no file
    assert str(err.value).startswith("config error: environment TUI_CHAT_TIMEOUTS__IDLE: timeouts.idle:")


def test_unknown_nested_key_in_file(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[profiles.x]\nbase_url = 'http://a'\ncolour = 1\n")
    with pytest.raises(ConfigError, match=r"bad.toml: profiles.x.colour: unknown setting"):
        load_config(bad)


def test_key_is_secret_everywhere(cfg: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WORK_KEY", "sk-work-key-abcdefgh9876")
    loaded = load_config(cfg)
    p = loaded.resolve_profile()
    assert "abcdefgh" not in repr(p) and "abcdefgh" not in str(loaded.settings)
    assert mask_secret(p.api_key) == "sk-…9876"
    assert mask_secret(None) == "(not set)"


def test_the_keymap_table_knows_every_key_the_prompt_uses():
    from textual.widgets import TextArea

    from tui_chat.config.keymap import PROMPT_KEYS, keys_of

    used = {key for binding in TextArea.BINDINGS for key in keys_of(binding.key) if not key.startswith("super+")}
    assert used - {
        "shift+home",
        "shift+end",
        "shift+up",
        "shift+down",
        "shift+left",
        "shift+right",
        "ctrl+shift+left",
        "ctrl+shift+right",
    } <= set(PROMPT_KEYS)


def test_the_example_config_is_valid_and_shows_the_defaults():
    from pathlib import Path

    from tui_chat.config.loading import load_config

    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    settings = load_config(example, use_env=False).settings
    assert settings.api == "chat" and settings.resume == "auto" and settings.profiles["openai"].api is None
