"""Spawning the app's backend process, with nothing heavier imported than ``subprocess``.

``tui-chat`` spawns it before it imports anything else, so that the child reads and validates the
configuration (~0.3 s of pydantic here) on the other core while this process imports Textual.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys

Spawned = tuple[subprocess.Popen[bytes], socket.socket]


def spawn_backend() -> Spawned:
    """``python -m tui_chat.backend.main FD`` on one end of a socketpair (a plain subprocess: no re-import of
    the parent's ``__main__``), and the parent's end. The child's stderr is discarded so nothing it prints can
    reach the full-screen terminal (``TUI_CHAT_DEBUG=1`` keeps it)."""
    parent, child = socket.socketpair()
    with child:
        process = subprocess.Popen(
            [sys.executable, "-m", "tui_chat.backend.main", str(child.fileno())],
            pass_fds=[child.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=None if os.environ.get("TUI_CHAT_DEBUG") else subprocess.DEVNULL,
        )
    return process, parent
