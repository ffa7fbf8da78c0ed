"""Helpers shared by the test modules: the CLI as a subprocess, and waiting on the app under the pilot."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.segment import ControlType
from textual._compositor import CompositorUpdate
from textual.strip import Strip

from tui_chat.engine.policy import Retries, Timeouts
from tui_chat.ui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from tui_chat.ui.app import ChatApp

FAST = Retries(initial_backoff=0.01, max_backoff=0.05, jitter=0.01)
"""The engine's retries in tests (as ``FAST_ENV`` for a subprocess): fractions of a second."""
IDLE = Timeouts(idle=0.4)

FAST_ENV = {
    "TUI_CHAT_RETRY__INITIAL_BACKOFF": "0.01",
    "TUI_CHAT_RETRY__MAX_BACKOFF": "0.05",
    "TUI_CHAT_RETRY__JITTER": "0.01",
    "TUI_CHAT_TIMEOUTS__IDLE": "0.4",
}


def tui_chat(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **FAST_ENV, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "tui_chat.cli.main", *args],
        check=False,
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
    )


def screen_text(app: ChatApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def wait_idle(pilot, app: ChatApp, samples: list[str] | None = None, limit: int = 1500) -> None:
    """Let the turn finish (bounded), sampling the status bar as it goes."""
    for _ in range(limit):
        await pilot.pause(0.01)
        if samples is not None:
            samples.append(app.query_one(StatusBar).status.text())
        if not app.busy:
            break
    await pilot.pause()
    assert not app.busy, "the turn did not end"


async def wait_for(pilot, condition, limit: int = 1500) -> None:
    for _ in range(limit):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition not reached")


def record_status(app: ChatApp) -> list[str]:
    """The status bar's words right after each engine event: no state is missed, however brief."""
    seen: list[str] = []
    apply = app.status.apply

    def recording(event):
        apply(event)
        seen.append(" │ ".join(filter(None, [app.status.text(), app.status.fallback_text])))

    app.status.apply = recording
    return seen


async def ask(pilot, text: str) -> None:
    await pilot.press(*text)
    await pilot.press("enter")


class Terminal:
    """What a terminal shows after the screen updates an app sent it: a character and a style per cell. Fed
    the updates as Textual writes them (every cursor move and segment), so a partial update that leaves a cell
    out or draws one wrong shows here."""

    def __init__(self, width: int, height: int) -> None:
        self.cells: list[list[tuple[str, object]]] = [[(" ", None)] * width for _ in range(height)]

    def apply(self, update: CompositorUpdate, console: Console) -> None:
        x = y = 0
        for segment in update.__rich_console__(console, console.options):
            if segment.control:
                for control in segment.control:
                    if control[0] is ControlType.CURSOR_MOVE_TO:
                        x, y = control[1], control[2]
            elif segment.text == "\n":
                x, y = 0, y + 1
            else:
                for column, char in enumerate(segment.text, x):
                    self.cells[y][column] = (char, segment.style)
                x += len(segment.text)

    @staticmethod
    def of(strips: list[Strip]) -> list[list[tuple[str, object]]]:
        """The cells of a whole screen rendered at once."""
        return [[(char, segment.style) for segment in strip for char in segment.text] for strip in strips]
