"""Reading the configuration: every source merged and validated by pydantic-settings, and each read on its own
too, so that ``tui-chat config show`` can say where every value came from and a validation error can name the
file or the environment variable that holds the bad value (never quoting what could be a secret)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import SecretStr, ValidationError
from pydantic_settings import EnvSettingsSource, SettingsError

from .errors import ConfigError
from .settings import APP_NAME, CONFIG_ENV, ENV_PREFIX, LoadedConfig, Settings


def default_config_path(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV]).expanduser()
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def mask_secret(secret: SecretStr | None) -> str:
    """At most ``sk-…last4``: enough to tell two keys apart, never enough to use one."""
    if secret is None:
        return "(not set)"
    value = secret.get_secret_value()
    if len(value) < 12:
        return "…" + "*" * min(len(value), 4)
    prefix = value[:3] if value.startswith("sk-") else ""
    return f"{prefix}…{value[-4:]}"


def load_config(
    path: Path | str | None = None, overrides: Mapping[str, Any] | None = None, *, use_env: bool = True
) -> LoadedConfig:
    """Read, merge and validate all sources. Raises :class:`ConfigError` with a one-line message.

    ``use_env=False`` judges the file alone (``tui-chat config validate``), so that an environment
    variable cannot hide a bad value in it.
    """
    named_by = "--config" if path else (CONFIG_ENV if os.environ.get(CONFIG_ENV) else "")
    path = Path(path).expanduser() if path else default_config_path()
    if named_by and not path.exists():  # a file asked for by name must exist; only the default may be absent
        raise ConfigError(f"config error: {path}: no such file (named by {named_by})")
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    file_data = _read_toml(path)
    env_data = _read_env() if use_env else {}

    origins: dict[str, str] = {}
    for source, data in (("file", file_data), ("env", env_data), ("cli", overrides)):
        for dotted in flatten(data):
            origins[dotted] = source if source != "env" else f"env {_env_name(dotted)}"

    model_config = {**Settings.model_config, "toml_file": path}
    if not use_env:
        model_config["env_prefix"] = "TUI_CHAT_IGNORED_ENVIRONMENT_"
    bound = type("Settings", (Settings,), {"model_config": model_config})
    try:
        settings = bound(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe_validation_error(exc, path, origins)) from None
    except (SettingsError, ValueError) as exc:
        raise ConfigError(f"config error: {_one_line(str(exc))}") from None
    return LoadedConfig(settings=settings, path=path, origins=origins, environ=dict(os.environ))


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    import tomllib  # most people have no config file: they need not wait for its parser (the UI waits for this)

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config error: {path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config error: {path}: not UTF-8 text (byte {exc.start}): save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"config error: {path}: cannot read: {exc.strerror or exc}") from None


def _read_env() -> dict[str, Any]:
    try:
        return EnvSettingsSource(Settings)()  # Settings.model_config: prefix, nesting, empty values ignored
    except SettingsError as exc:
        raise ConfigError(f"config error: environment: {_one_line(str(exc))}") from None


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables as dotted keys: ``{"retry": {"deadline": 1}}`` -> ``{"retry.deadline": 1}``."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def _env_name(dotted: str) -> str:
    return ENV_PREFIX + dotted.replace(".", "__").upper()


def _describe_validation_error(exc: ValidationError, path: Path, origins: Mapping[str, str]) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(part) for part in err["loc"])
    if not loc and "default_profile" in err["msg"]:  # checked once the profiles are merged, so it has no field
        loc = "default_profile"
    origin = origins.get(loc, "")
    where = {"file": str(path), "cli": "command line"}.get(origin, origin.replace("env ", "environment ") or str(path))
    if err["type"] == "extra_forbidden":
        what = "unknown setting"
    else:
        what = err["msg"].removeprefix("Value error, ")
        if "input" in err and _may_echo(err["loc"], err["input"]):
            what += f" (got {err['input']!r})"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"config error: {where}: {loc or 'settings'}: {_one_line(what)}{more}"


_SECRET_LOOKING = re.compile(r"sk-|bearer|token|secret|key", re.IGNORECASE)


def _may_echo(loc: tuple[Any, ...], value: object) -> bool:
    """Whether a bad value can be quoted back: never one under ``profiles`` or ``headers`` (keys live
    there), never one that looks like a credential, never a long string."""
    if isinstance(value, (dict, list)) or any(part in ("profiles", "headers", "api_key") for part in loc):
        return False
    text = str(value)
    return len(text) <= 40 and not _SECRET_LOOKING.search(text)


def _one_line(text: str) -> str:
    return " ".join(text.split())
