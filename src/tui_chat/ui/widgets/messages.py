"""One widget per message. They render what they are told; they never call the API."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Collapsible, Static

from ...chat.conversation import ChatMessage, MessageStatus
from ...chat.text_safety import visible_line, visible_text
from ...engine.finish import cut_hint
from .answer_pace import FRAME_SECONDS
from .one_reflow import OneReflow
from .same_rows import SameRows
from .streaming_markdown import StreamingMarkdown


class UserMessage(Static):
    """The user's words, verbatim: no markup, no Markdown."""

    def __init__(self, message: ChatMessage) -> None:
        super().__init__(visible_text(message.content), markup=False, classes="message user")
        self.message = message


class AssistantMessage(SameRows, OneReflow, Vertical):
    """Reasoning (dimmed, collapsible), the answer as Markdown, and a footer with its state."""

    def __init__(self, message: ChatMessage) -> None:
        super().__init__(classes="message assistant")
        self.message = message
        self._reasoning_parts: list[str] = []
        self._reasoning_timer: Timer | None = None
        self._note = ""
        self.body = StreamingMarkdown(message.content, classes="answer")
        """The answer's Markdown: every delta goes to it, and every key reaches it (a query each was not free)."""

    def compose(self) -> ComposeResult:
        if self.message.reasoning:
            yield self._reasoning_box(collapsed=True)
        yield self.body
        yield Static(self._footer_text(), markup=False, classes="footer")

    def _reasoning_box(self, collapsed: bool) -> Collapsible:
        """Made only for answers that have reasoning: most have none, and a long history mounts many."""
        return Collapsible(
            Static(visible_text(self.message.reasoning), markup=False, classes="reasoning-text"),
            title=self._reasoning_title(),
            collapsed=collapsed,
            classes="reasoning",
        )

    def _reasoning(self) -> Collapsible | None:
        found = self.query(Collapsible)
        return found.first() if found else None

    def on_mount(self) -> None:
        self._show_footer()

    # -- streaming ---------------------------------------------------------------------------------

    def write(self, text: str) -> None:
        """An answer delta. The first one folds the reasoning away."""
        if self._reasoning_parts and not self.message.content and self._note != "answer":
            self._note = "answer"
            if (box := self._reasoning()) is not None:
                box.collapsed = True
        self.body.write(text)

    def write_reasoning(self, text: str) -> None:
        if not self._reasoning_parts and self._reasoning() is None:
            self.mount(self._reasoning_box(collapsed=False), before=self.body)
        self._reasoning_parts.append(text)
        if self._reasoning_timer is None:
            self._reasoning_timer = self.set_timer(FRAME_SECONDS * 3, self._show_reasoning)

    def _show_reasoning(self) -> None:
        self._reasoning_timer = None
        self.message.reasoning = "".join(self._reasoning_parts)
        box = self._reasoning()
        if box is None:
            self.mount(self._reasoning_box(collapsed=True), before=self.body)
            return
        box.query_one(".reasoning-text", Static).update(visible_text(self.message.reasoning))
        box.title = self._reasoning_title()

    async def restart(self, note: str) -> None:
        """The engine discarded the partial answer: clear it, and say why in the footer."""
        self._reasoning_parts.clear()
        self.message.reasoning = ""
        self.body.reset()
        if (box := self._reasoning()) is not None:
            box.remove()
        self.set_note(note)

    async def finish(self, message: ChatMessage) -> None:
        """Show exactly the final text and the final state."""
        self.message = message
        if self._reasoning_timer is not None:
            self._reasoning_timer.stop()
            self._reasoning_timer = None
        if message.reasoning:
            self._reasoning_parts = [message.reasoning]
            self._show_reasoning()
        self.body.finish(message.content)
        self._note = ""
        self._show_footer()

    def set_note(self, note: str) -> None:
        self._note = note
        self._show_footer()

    # -- footer ------------------------------------------------------------------------------------

    def _reasoning_title(self) -> str:
        words = len(self.message.reasoning.split())
        return f"Reasoning ({words} words)" if words else "Reasoning"

    def _footer_text(self) -> str:
        m = self.message
        if m.status is MessageStatus.STREAMING:
            return self._note if self._note != "answer" else ""
        if m.status is MessageStatus.STOPPED:
            return "■ stopped by user: the partial answer is kept (ctrl+r regenerates)"
        if m.status is MessageStatus.FAILED:
            return f"✖ {m.error or 'failed'}"
        if m.status is MessageStatus.INTERRUPTED:
            return "⚠ interrupted: the app ended during this answer (ctrl+r regenerates)"
        metrics = m.metrics.describe() if m.metrics else ""
        if m.cut:
            return f"⚠ {m.cut} ({cut_hint(m.finish_reason)}; ctrl+r regenerates)" + (f" · {metrics}" if metrics else "")
        return metrics

    def _show_footer(self) -> None:
        footer = self.query_one(".footer", Static)
        text = self._footer_text()
        footer.update(Content(visible_line(text)))
        footer.display = bool(text)
        footer.set_class(self.message.status in (MessageStatus.FAILED, MessageStatus.INTERRUPTED), "error")
        footer.set_class(self.message.status is MessageStatus.STOPPED or bool(self.message.cut), "stopped")
