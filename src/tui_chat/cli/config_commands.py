"""``tui-chat config show | validate | path``: the effective settings and where each came from."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ..config.errors import ConfigError
from .shared import EXIT_OK, load, status

if TYPE_CHECKING:
    from ..config.settings import LoadedConfig


def show(args: argparse.Namespace) -> int:
    show_settings(load(args), getattr(args, "profile", None))
    return EXIT_OK


def validate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..config.keymap import keymap_warnings
    from ..config.loading import load_config

    path = Path(args.file or _config_path(args))
    if not path.is_file():
        raise ConfigError(f"config error: {path}: no such file")
    for warning in keymap_warnings(load_config(path, use_env=False).settings.keymap):
        status(f"warning: {warning}")
    print(f"ok: {path}")
    return EXIT_OK


def path(args: argparse.Namespace) -> int:
    print(_config_path(args))
    return EXIT_OK


def _config_path(args: argparse.Namespace) -> str:
    from ..config.loading import default_config_path

    return str(getattr(args, "config", None) or default_config_path())


def show_settings(config: LoadedConfig, profile: str | None) -> None:
    """Every effective setting with its source; keys masked to ``sk-…last4`` at most."""
    from ..config.loading import flatten, mask_secret

    state = "" if config.path.exists() else " (not found: defaults apply)"
    print(f"# config file: {config.path}{state}")
    data = config.settings.model_dump(mode="json", exclude={"profiles", "keymap"})
    for key, value in flatten(data).items():
        print(f"{key} = {toml_value(value)}  # {config.origin(key)}")
    for key, value in sorted(config.settings.keymap.items()):
        print(f"keymap.{key} = {toml_value(value)}  # {config.origin('keymap.' + key)}")
    active = profile or config.settings.default_profile
    for name in sorted(config.settings.profiles):
        mark = "  (active)" if name == active else ""
        print(f"[profiles.{name}]{mark}")
        try:
            p = config.resolve_profile(name)
        except ConfigError as exc:  # a base URL naming an unset variable: say so, and show the rest
            print(f"  # not usable: {exc}")
            continue
        print(f"  base_url = {toml_value(p.display_url)}")
        print(f"  model = {toml_value(p.model)}")
        print(
            f"  api_key = {mask_secret(p.api_key)}  # {p.key_origin}"
            + (f" (sent as {p.key_header})" if p.key_header else "")
        )
        print(f"  stream = {toml_value(p.stream)}")
        print(f"  api = {toml_value(p.api)}" + (f"\n  resume = {toml_value(p.resume)}" if p.api == "responses" else ""))
        if not p.stream_options:
            print("  stream_options = false")
        for key, value in sorted(p.query.items()):
            print(f"  query.{key} = {toml_value(value)}")
        for header, value in sorted(p.headers.items()):
            secret = any(word in header.lower() for word in ("auth", "key", "token", "secret"))
            print(f"  headers.{header} = {toml_value('…' if secret else value)}")


def toml_value(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)
