"""What the app remembers between runs that is not configuration: the theme last chosen with F9.

A small JSON file in the data dir (beside the history): the config file is the user's own text and is
never rewritten. A ``theme`` set in the config, the environment or on the command line still wins.
"""

from __future__ import annotations

import json
from pathlib import Path

STATE_NAME = "ui-state.json"


def saved_theme(data_dir: Path) -> str | None:
    try:
        value = json.loads((data_dir / STATE_NAME).read_text(encoding="utf-8")).get("theme")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def save_theme(data_dir: Path, theme: str) -> str:
    """Remember ``theme``; '' when done, else why it could not be saved (one line)."""
    path = data_dir / STATE_NAME
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"theme": theme}) + "\n", encoding="utf-8")
    except OSError as exc:
        return f"cannot save the theme in {path}: {exc.strerror or exc}"
    return ""
