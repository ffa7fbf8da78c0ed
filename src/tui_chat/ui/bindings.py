"""The app's keys: every action under its default keys (remapped by ``[keymap]`` through its id, the action's
name), what each does in words, and the rows of the help screen and the command palette made from them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding

from ..config.keymap import DEFAULT_KEYS


def _binding(action: str, description: str, show: bool = True) -> Binding:
    return Binding(
        DEFAULT_KEYS[action], action, description, id=action, show=show, priority=True, tooltip=ACTIONS[action]
    )


ACTIONS = {
    "stop": "Stop the answer being generated (the partial answer stays)",
    "regenerate": "Regenerate the last answer",
    "new_conversation": "Start a new conversation",
    "toggle_sidebar": "Show or hide the conversation list (Enter opens, Ctrl+E renames, Delete deletes)",
    "search_history": "Search every message of every conversation",
    "copy_answer": "Copy the last answer to the clipboard",
    "copy_code": "Copy a code block of the last answer to the clipboard",
    "choose_model": "Choose the model from the server's list",
    "choose_profile": "Switch to another provider profile",
    "edit_system_prompt": "Set the system prompt of this conversation",
    "change_theme": "Change the colour theme",
    "help": "Show every key binding",
    "sidebar_rename": "In the conversation list: rename the conversation under the cursor",
    "sidebar_delete": "In the conversation list: delete the conversation under the cursor (after a yes)",
    "scroll_up": "Scroll the conversation up a page (the prompt keeps the focus)",
    "scroll_down": "Scroll the conversation down a page",
    "scroll_top": "Scroll to the start of the conversation",
    "scroll_bottom": "Scroll to the end of the conversation (it follows a streaming answer again)",
    "quit": "Quit (an answer in flight is stopped)",
}
BINDINGS = [  # priority: a key remapped to one the prompt also uses must reach its action (check_action)
    _binding("stop", "Stop"),
    _binding("regenerate", "Regenerate"),
    _binding("new_conversation", "New"),
    _binding("toggle_sidebar", "History"),
    _binding("search_history", "Search", show=False),
    _binding("copy_answer", "Copy answer"),
    _binding("copy_code", "Copy code", show=False),
    _binding("choose_model", "Model"),
    _binding("choose_profile", "Profile", show=False),
    _binding("edit_system_prompt", "System prompt", show=False),
    _binding("change_theme", "Theme", show=False),
    _binding("help", "Help"),
    _binding("sidebar_rename", "Rename", show=False),
    _binding("sidebar_delete", "Delete", show=False),
    _binding("scroll_up", "Page up", show=False),
    _binding("scroll_down", "Page down", show=False),
    _binding("scroll_top", "Top", show=False),
    _binding("scroll_bottom", "Bottom", show=False),
    _binding("quit", "Quit"),
]
PROMPT_ROWS = [
    ("enter", "", "Send the prompt"),
    ("ctrl+j, alt+enter", "", "New line in the prompt"),
    ("up", "", "In an empty prompt: take the last question back to edit (Enter replaces it, Esc keeps it)"),
    (
        "tab, shift+tab",
        "",
        "Move the focus: prompt, conversation, reasoning blocks (Enter opens one); arrows and "
        "PgUp/PgDn scroll the focused conversation",
    ),
    ("ctrl+p", "", "Command palette: every action, model, profile, theme"),
]
"""Keys of the prompt and of Textual itself, shown on the help screen after the app's own."""


def key_rows(keymap: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """The help screen's rows: keys (remaps included), binding id, what it does."""
    rows = [(keymap.get(b.id or "", b.key), b.id or "", ACTIONS.get(b.action, b.description)) for b in BINDINGS]
    return rows + PROMPT_ROWS


def action_commands(keymap: Mapping[str, str], run: Callable[[str], Any]) -> Iterator[SystemCommand]:
    """Every action in the command palette, with its keys."""
    for binding in BINDINGS:
        if binding.action not in ("quit", "change_theme"):
            keys = keymap.get(binding.id or "", binding.key)
            yield SystemCommand(
                f"{binding.description} ({keys})", ACTIONS[binding.action], partial(run, binding.action)
            )
