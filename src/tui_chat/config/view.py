"""What the app's screen needs to know of the configuration: plain data, no pydantic, no API key.

The app's backend process reads and validates the configuration (importing pydantic-settings takes
~0.3 s here) on the other core while the UI process imports Textual, and sends this view over. The UI
process therefore never imports pydantic, and never holds a key.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple


class ProfileView(NamedTuple):
    """A resolved profile as the user sees it: which provider, which model, where its key came from."""

    name: str
    display_url: str
    model: str
    key_origin: str
    is_simulator: bool
    api: str = "chat"
    """``chat`` (chat completions) or ``responses`` (the Responses API)."""


class AppSettings(NamedTuple):
    """The settings the screen uses; the rest (retry, timeouts, sampling) stay with the backend."""

    theme: str
    keymap: dict[str, str]
    system_prompt: str
    data_dir: Path
    profiles: tuple[str, ...]
    theme_is_set: bool = False
    """``theme`` came from the config, the environment or the command line: it beats the theme saved by F9."""
