"""The floor of a Textual client at reading pace: the openai SDK streams the answer inside a Textual app (a
header, a text area, a footer: what a chat screen has) that shows none of it until the stream ends.

What it uses over the SDK script is what Textual costs while an answer streams (its loop and input thread),
before a client draws a single token; its text area's cursor is steady, as tui-chat's prompt is while an
answer streams (a blinking one is a screen update twice a second).
"""

from __future__ import annotations

import sys
from typing import ClassVar

from openai import AsyncOpenAI
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Header, Static, TextArea


class FloorChat(App[None]):
    CSS = "#answer { height: 1fr; } TextArea { height: 3; }"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "answer", priority=True)]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("floor ready", id="answer", markup=False)
        yield TextArea()
        yield Footer()

    def action_answer(self) -> None:
        self.query_one(TextArea).cursor_blink = False
        self.run_worker(self.answer())

    async def answer(self) -> None:
        client = AsyncOpenAI(base_url=sys.argv[1], api_key="benchmark", max_retries=0)
        stream = await client.chat.completions.create(
            model=sys.argv[2],
            messages=[{"role": "user", "content": "go"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        parts = []
        async with stream:
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    parts.append(chunk.choices[0].delta.content)
        self.query_one("#answer", Static).update("".join(parts)[-500:])


if __name__ == "__main__":
    FloorChat().run()
