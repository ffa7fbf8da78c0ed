"""What every command uses: the exit codes, the one-line status on stderr, the configuration, the history."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from ..config.settings import LoadedConfig
    from ..store import History

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_CUT, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class UsageError(Exception):
    """Bad command-line input, phrased for the user."""


class HistoryUnavailable(Exception):
    """The command needs the history database and it cannot be used."""


def status(line: str) -> None:
    """One line on stderr. Server messages, paths and stored text pass through here: never raw."""
    from ..chat.text_safety import visible_line

    print(f"tui-chat: {visible_line(line)}", file=sys.stderr, flush=True)


def fail(message: str, code: int) -> int:
    status(message)
    return code


def load(args: argparse.Namespace) -> LoadedConfig:
    from ..config.loading import load_config

    return load_config(
        getattr(args, "config", None), {"model": getattr(args, "model", None), "api": getattr(args, "api", None)}
    )


def open_history(data_dir: Path, *, required: bool) -> History:
    from ..store import History

    history = History(data_dir)
    if required:  # a command about the history itself: a damaged file is said, never listed as if empty
        history.verify()
    if required and history.read_only:
        status(f"{history.path} is read-only: it is read, and nothing is written to it")
    if not history.enabled:
        if required:
            raise HistoryUnavailable(history.problem)
        status(history.problem)
    return history
