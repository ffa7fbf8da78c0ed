"""The app's key bindings by id, and the keys the prompt uses itself: plain data, so that the configuration
can check a ``[keymap]`` without importing Textual (the app builds its bindings from the same table)."""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_KEYS: dict[str, str] = {
    "stop": "escape",
    "regenerate": "ctrl+r",
    "new_conversation": "ctrl+n",
    "toggle_sidebar": "ctrl+b",
    "search_history": "ctrl+f",
    "copy_answer": "ctrl+o",
    "copy_code": "ctrl+g",
    "choose_model": "f2",
    "choose_profile": "f3",
    "edit_system_prompt": "f4",
    "change_theme": "f9",
    "help": "f1",
    "sidebar_rename": "ctrl+e",
    "sidebar_delete": "delete",
    "scroll_up": "pageup",
    "scroll_down": "pagedown",
    "scroll_top": "ctrl+home",
    "scroll_bottom": "ctrl+end",
    "quit": "ctrl+q",
}
"""Binding id (as ``[keymap]`` names it) -> its default keys."""

PROMPT_KEYS: dict[str, str] = {
    "enter": "send",
    "ctrl+j": "new line",
    "alt+enter": "new line",
    "up": "cursor up / edit the last question",
    "down": "cursor down",
    "left": "cursor left",
    "right": "cursor right",
    "ctrl+left": "word left",
    "ctrl+right": "word right",
    "home": "line start",
    "ctrl+a": "line start",
    "end": "line end",
    "ctrl+e": "line end",
    "pageup": "page up",
    "pagedown": "page down",
    "f6": "select line",
    "f7": "select all",
    "backspace": "delete left",
    "ctrl+w": "delete word left",
    "ctrl+backspace": "delete word left",
    "alt+backspace": "delete word left",
    "delete": "delete right",
    "ctrl+d": "delete right",
    "alt+delete": "delete word right",
    "ctrl+x": "cut",
    "ctrl+c": "copy",
    "ctrl+v": "paste",
    "ctrl+u": "delete to line start",
    "ctrl+k": "delete to line end",
    "ctrl+shift+k": "delete line",
    "ctrl+z": "undo",
    "ctrl+y": "redo",
}
"""Keys the prompt (Textual's ``TextArea`` and ours) uses. An app action bound to one wins over the prompt."""


def keys_of(value: str) -> list[str]:
    return [key.strip() for key in value.split(",") if key.strip()]


def keymap_problems(keymap: Mapping[str, str]) -> list[str]:
    """What makes a ``[keymap]`` unusable: an unknown binding id, or a key bound to two actions."""
    problems = [
        f"{name!r} is not a binding id (ids: {', '.join(DEFAULT_KEYS)})" for name in keymap if name not in DEFAULT_KEYS
    ]
    owner: dict[str, str] = {}
    for name, default in DEFAULT_KEYS.items():
        for key in keys_of(keymap.get(name, default)):
            if key in owner:
                problems.append(f"{key} is bound to both {owner[key]} and {name}")
            owner.setdefault(key, name)
    return problems


def keymap_warnings(keymap: Mapping[str, str]) -> list[str]:
    """Remaps to keys the prompt also uses: they work (the action wins), but the prompt loses that key."""
    return [
        f"keymap.{name} = {value!r}: the prompt uses {key} ({PROMPT_KEYS[key]}); {name} wins over it"
        for name, value in keymap.items()
        if name in DEFAULT_KEYS
        for key in keys_of(value)
        if key in PROMPT_KEYS
    ]
