"""Asking: a question sent (committed to the history before the request), and a question taken back to edit.

An edited question replaces the last exchange when it is the last one, or starts a branch (the conversation
up to it, copied) when it is an earlier one; nothing changes before the edit is sent, and clearing the
prompt or Esc abandons it with the original as it was.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..chat.conversation import ChatMessage, title_from_prompt

if TYPE_CHECKING:
    from .app import ChatApp


class Questions:
    def __init__(self, app: ChatApp) -> None:
        self.app = app
        self.editing: ChatMessage | None = None
        """The question taken back to edit: it and what follows are replaced only when the edit is sent."""

    async def submitted(self, text: str) -> None:
        """Enter in the prompt (which cleared itself)."""
        app = self.app
        if app.busy:  # give the question back, before what was typed after it
            app.prompt.text = text + app.prompt.text
            app.prompt.move_cursor(app.prompt.document.end)
            app.notify(f"An answer is still coming: {app.key_for('stop')} stops it.", severity="warning")
            return
        await self.send(text)

    async def send(self, text: str) -> None:
        app, asked_at = self.app, time.monotonic()
        conversation = app.conversation
        editing, self.editing = self.editing, None
        if editing is not None and editing in conversation.messages:
            if editing is conversation.last("user"):  # the last exchange is replaced now
                app.history.delete_messages_from(conversation, editing)
                del conversation.messages[conversation.messages.index(editing) :]
                await app.log_view.remove_from(editing)
            else:
                await app.conversations.branch_before(editing)
                conversation = app.conversation
        user = ChatMessage("user", text)
        if not conversation.title:
            conversation.title = title_from_prompt(text)
            app.conversation_settings.show_titles()
        app.history.save_message(conversation, user)  # asked before the request is sent
        conversation.messages.append(user)
        await app.log_view.add(user)
        await app.turns.start(asked_at=asked_at, asked=text)

    def edit_last(self) -> None:
        """Up in an empty prompt: the last question back into the prompt, to edit and resend."""
        user = self.app.conversation.last("user")
        if user is not None and not self.app.busy:
            self.edit(user)

    def edit(self, user: ChatMessage) -> None:
        app = self.app
        self.editing = user  # nothing changes before the edit is sent; clearing the prompt or Esc keeps it
        app.prompt.text = user.content
        app.prompt.move_cursor(app.prompt.document.end)
        app.screen.set_focus(app.prompt)  # now: the next keys of a burst are the edit's
        if user is app.conversation.last("user"):
            app.notify("Editing the last question: Enter sends it in place of the old one; Esc keeps the old one.")
        else:
            app.notify(
                "Editing an earlier question: Enter starts a branch from it, and this conversation stays "
                "in the history as it is; Esc keeps it as it is."
            )

    def prompt_changed(self) -> None:
        if self.editing is not None and not self.app.prompt.text:
            self.editing = None  # the edit was abandoned: the exchange stays as it is
