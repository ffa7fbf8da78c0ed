"""The settings and the profiles: every setting with its default and its bounds, the built-in profiles, and a
profile resolved with every layer applied (CLI options > environment (``TUI_CHAT_*``, ``OPENAI_*``) > TOML file >
defaults). :mod:`.loading` reads and merges the sources."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from ..engine.policy import OPENAI_URL
from .errors import ConfigError
from .keymap import keymap_problems
from .view import AppSettings, ProfileView

APP_NAME = "tui-chat"
ENV_PREFIX = "TUI_CHAT_"
CONFIG_ENV = "TUI_CHAT_CONFIG"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class RetrySettings(_Section):
    max_attempts: int = Field(5, ge=1, le=50, description="attempts per turn, the first included")
    initial_backoff: float = Field(0.5, ge=0, description="seconds before the first retry")
    max_backoff: float = Field(8.0, ge=0, description="longest wait between two attempts")
    jitter: float = Field(0.5, ge=0, description="random seconds added to each backoff, at most")
    max_retry_after: float = Field(120.0, ge=0, description="longest Retry-After we obey; longer means give up")
    deadline: float = Field(300.0, gt=0, description="no new attempt starts after this many seconds")


class TimeoutSettings(_Section):
    connect: float = Field(10.0, gt=0, description="seconds to open the connection")
    idle: float = Field(60.0, gt=0, description="longest wait for the next chunk of a stream")
    request: float = Field(600.0, gt=0, description="longest one attempt may take, end to end")


class FallbackSettings(_Section):
    enabled: bool = True
    after_attempts: int = Field(2, ge=1, description="failed streaming attempts before a non-streaming try")


Api = Literal["chat", "responses"]
Resume = Literal["auto", "off"]


class Profile(_Section):
    """A named provider: where to send requests and with which key."""

    base_url: str | None = None
    api_key_env: str | None = None
    api_key: SecretStr | None = None
    model: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    stream: bool = True
    stream_options: bool = Field(True, description="ask for usage in streams (stream_options); Mistral rejects it")
    key_header: str | None = Field(None, description="send the key in this header, not as Authorization: Bearer")
    query: dict[str, str] = Field(default_factory=dict, description="query parameters on every request")
    api: Api | None = Field(None, description="the wire protocol: chat (chat completions) or responses")
    resume: Resume | None = Field(None, description="responses: resume dropped answers (background mode) or not")


BUILTIN_PROFILES: dict[str, Profile] = {
    "openai": Profile(base_url=None, api_key_env="OPENAI_API_KEY"),
    "openrouter": Profile(base_url="https://openrouter.ai/api/v1", api_key_env="OPENROUTER_API_KEY"),
    "mistral": Profile(
        base_url="https://api.mistral.ai/v1",
        api_key_env="MISTRAL_API_KEY",
        model="mistral-small-latest",
        stream_options=False,
    ),
    "deepseek": Profile(base_url="https://api.deepseek.com/v1", api_key_env="DEEPSEEK_API_KEY", model="deepseek-chat"),
    "groq": Profile(
        base_url="https://api.groq.com/openai/v1", api_key_env="GROQ_API_KEY", model="llama-3.3-70b-versatile"
    ),
    "gemini": Profile(
        base_url="https://generativelanguage.googleapis.com/v1beta/openai",
        api_key_env="GEMINI_API_KEY",
        model="gemini-2.5-flash",
    ),
    "azure": Profile(
        base_url="${AZURE_OPENAI_ENDPOINT}/openai/v1", api_key_env="AZURE_OPENAI_API_KEY", key_header="api-key"
    ),
    "ollama": Profile(base_url="http://localhost:11434/v1", model="llama3.2"),
    "lmstudio": Profile(base_url="http://localhost:1234/v1"),
    "local": Profile(base_url="http://127.0.0.1:8080/v1"),
    "sim": Profile(base_url="builtin", model="normal"),
}
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
SIM_BASE_URL = "builtin"
"""A profile whose base_url is this talks to the simulator the client starts itself."""


class Settings(BaseSettings):
    """Every setting, with its default. ``config.example.toml`` documents the same names."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_ignore_empty=True,
        extra="forbid",
        validate_default=True,
    )

    model: str = "gpt-4o-mini"
    default_profile: str = "openai"
    system_prompt: str = ""
    temperature: float | None = Field(None, ge=0, le=2)
    max_tokens: int | None = Field(None, ge=1)
    data_dir: Path = Field(default_factory=lambda: platformdirs.user_data_path(APP_NAME))
    theme: str = "textual-dark"
    api: Api = Field("chat", description="the wire protocol: chat (chat completions) or responses (Responses API)")
    resume: Resume = Field("auto", description="responses: a dropped answer resumes where it stopped (background)")
    retry: RetrySettings = Field(default_factory=RetrySettings)
    timeouts: TimeoutSettings = Field(default_factory=TimeoutSettings)
    fallback: FallbackSettings = Field(default_factory=FallbackSettings)
    profiles: dict[str, Profile] = Field(default_factory=dict)
    keymap: dict[str, str] = Field(default_factory=dict)

    @field_validator("keymap")
    @classmethod
    def _usable_keymap(cls, keymap: dict[str, str]) -> dict[str, str]:
        problems = keymap_problems(keymap)
        if problems:
            raise ValueError("; ".join(problems))
        return keymap

    @model_validator(mode="after")
    def _with_builtin_profiles(self) -> Settings:
        for name, profile in BUILTIN_PROFILES.items():
            self.profiles.setdefault(name, profile)
        if self.default_profile not in self.profiles:
            raise ValueError(f"default_profile {self.default_profile!r} is not a profile ({_names(self.profiles)})")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))


@dataclass(frozen=True)
class ResolvedProfile:
    """The provider a turn talks to, with every layer already applied."""

    name: str
    base_url: str | None
    api_key: SecretStr | None
    model: str
    headers: dict[str, str]
    stream: bool
    key_origin: str = "unset"
    stream_options: bool = True
    key_header: str | None = None
    query: dict[str, str] = field(default_factory=dict)
    api: Api = "chat"
    resume: Resume = "auto"

    @property
    def is_simulator(self) -> bool:
        return self.base_url == SIM_BASE_URL

    @property
    def display_url(self) -> str:
        return "built-in simulator" if self.is_simulator else (self.base_url or OPENAI_URL)

    def view(self) -> ProfileView:
        return ProfileView(self.name, self.display_url, self.model, self.key_origin, self.is_simulator, self.api)


@dataclass
class LoadedConfig:
    """Validated settings plus where they came from."""

    settings: Settings
    path: Path
    origins: dict[str, str] = field(default_factory=dict)
    environ: Mapping[str, str] = field(default_factory=dict)

    def app_settings(self) -> AppSettings:
        s = self.settings
        return AppSettings(
            s.theme,
            dict(s.keymap),
            s.system_prompt,
            s.data_dir,
            tuple(sorted(s.profiles)),
            self.origin("theme") != "default",
        )

    def origin(self, dotted: str) -> str:
        """The source of a setting: ``cli``, ``env NAME``, ``file`` or ``default``."""
        return self.origins.get(dotted, "default")

    def resolve_profile(self, name: str | None = None, model: str | None = None) -> ResolvedProfile:
        """The profile to use: ``name`` (``--profile``) or the default, with the model worked out.

        ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL`` apply to the configured default profile only, so
        ``--profile ollama`` is never sent an OpenAI key. A profile's own ``api_key_env`` is the most
        specific place for its key. ``--model`` or ``TUI_CHAT_MODEL`` beat a profile's model; a model
        from the file or the default only fills in when the profile names none.
        """
        s = self.settings
        name = name or s.default_profile
        if name not in s.profiles:
            raise ConfigError(f"unknown profile {name!r}; configured profiles: {_names(s.profiles)}")
        p = s.profiles[name]
        base_url, key, key_origin = p.base_url, p.api_key, "file" if p.api_key else "unset"
        if name == s.default_profile:
            if self.environ.get("OPENAI_BASE_URL"):
                base_url = self.environ["OPENAI_BASE_URL"]
            if self.environ.get("OPENAI_API_KEY") and p.api_key_env != "OPENAI_API_KEY":
                key, key_origin = SecretStr(self.environ["OPENAI_API_KEY"]), "env OPENAI_API_KEY"
        if p.api_key_env and self.environ.get(p.api_key_env):
            key, key_origin = SecretStr(self.environ[p.api_key_env]), f"env {p.api_key_env}"
        if model:
            chosen = model
        elif self.origin("model").startswith(("cli", "env")) or not p.model:
            chosen = s.model
        else:
            chosen = p.model
        api, resume = self._chosen("api", p.api), self._chosen("resume", p.resume)
        if base_url is None and key is None:
            # Nothing configured at all: the offline demo, clearly labelled by the caller.
            return ResolvedProfile(
                name, SIM_BASE_URL, None, model or "normal", {}, True, "unset", api=api, resume=resume
            )
        if base_url == SIM_BASE_URL and not model and chosen == Settings.model_fields["model"].default:
            chosen = "normal"
        return ResolvedProfile(
            name,
            self._expand(name, base_url),
            key,
            chosen,
            dict(p.headers),
            p.stream,
            key_origin,
            p.stream_options,
            p.key_header,
            dict(p.query),
            api,
            resume,
        )

    def _chosen(self, setting: str, in_profile: Any) -> Any:
        """A setting a profile may override: the command line and the environment beat the profile, which beats
        the file's top level and the default."""
        if in_profile is None or self.origin(setting).startswith(("cli", "env")):
            return getattr(self.settings, setting)
        return in_profile

    def _expand(self, profile: str, base_url: str | None) -> str | None:
        """``${NAME}`` in a base URL is the environment variable's value (Azure's resource endpoint)."""
        if not base_url or "${" not in base_url:
            return base_url

        def value(match: re.Match[str]) -> str:
            found = self.environ.get(match.group(1), "").strip()
            if not found:
                raise ConfigError(
                    f"profile {profile!r} needs the environment variable {match.group(1)} (its base_url is {base_url})"
                )
            return found.rstrip("/")

        return _ENV_REF.sub(value, base_url)


def _names(mapping: Mapping[str, Any]) -> str:
    return ", ".join(sorted(mapping))
