"""Export the open conversation from the command palette: the file is named in a box (a path in the current
directory is offered), Markdown to read or JSON to import again (``tui-chat import``), as ``tui-chat export``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app import ChatApp

FORMATS = {"md": "Markdown", "json": "JSON"}


def offer_export(app: ChatApp, suffix: str) -> None:
    from .screens.line_prompt import LinePromptScreen

    if not app.conversation.messages:
        app.notify("There is nothing to export yet.")
        return
    stem = re.sub(r"[^\w-]+", "-", app.conversation.title.lower()).strip("-")[:48] or "conversation"
    offered = str(Path.cwd() / f"{stem}.{suffix}")
    app.push_screen(
        LinePromptScreen(f"Export this conversation as {FORMATS[suffix]} to", offered),
        lambda path: _write(app, path, suffix),
    )


def _write(app: ChatApp, path: str | None, suffix: str) -> None:
    from ..store.exchange import dumps, to_markdown

    if not path or not path.strip():
        return
    target = Path(path.strip()).expanduser()
    app.read_earlier_messages()  # a resumed conversation's older messages belong in the file too
    text = dumps(app.conversation) if suffix == "json" else to_markdown(app.conversation)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        app.notify(f"cannot write {target}: {exc.strerror or exc}", severity="error")
        return
    app.notify(f"Wrote {len(app.conversation.messages)} messages to {target}.", title="Exported")
