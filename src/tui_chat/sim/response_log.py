"""One simulated Responses-API response: the task producing it, its numbered events, and its streams.

Events are kept as their SSE text, so a stream (the first or a resume) is slices of one list: at full
speed the simulator stays off the benchmarks' profile, as the chat simulator's batches do.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Coroutine
from typing import Any

MESSAGE_ID = "msg_sim"
REASONING_ID = "rs_sim"


class ResponseLog:
    def __init__(self, response_id: str, model: str, background: bool, instructions: str | None) -> None:
        self.id = response_id
        self.model = model
        self.background = background
        self.instructions = instructions
        self.created_at = int(time.time())
        self.events: list[str] = []
        self.status = "queued"
        self.text: list[str] = []
        self.summary: list[str] = []
        self.usage: dict[str, Any] | None = None
        self.error: dict[str, str] | None = None
        self.incomplete: dict[str, str] | None = None
        self.done = asyncio.Event()
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._delta_head = (
            '{"type":"response.output_text.delta","item_id":"'
            + MESSAGE_ID
            + '","output_index":0,"content_index":0,"logprobs":[],"sequence_number":'
        )

    def start(self, producer: Coroutine[Any, Any, None]) -> None:
        self._task = asyncio.get_running_loop().create_task(producer)

    async def finished(self) -> None:
        await self.done.wait()

    def cancel(self) -> None:
        if not self.done.is_set():
            if self._task is not None:
                self._task.cancel()
            self.close(status="cancelled")

    # -- the events --------------------------------------------------------------------------------

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        data = {"type": kind, "sequence_number": len(self.events), **data}
        self._append(f"event: {kind}\ndata: {json.dumps(data)}\n\n")

    def _append(self, text: str) -> None:
        self.events.append(text)
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def text_delta(self, token: str) -> None:
        """The hot path: one delta event, its JSON written by hand."""
        self.text.append(token)
        self._append(
            "event: response.output_text.delta\ndata: "
            + self._delta_head
            + str(len(self.events))
            + ',"delta":'
            + json.dumps(token)
            + "}\n\n"
        )

    async def reasoning(self, pieces: list[str], delay: float) -> None:
        item = {"type": "reasoning", "id": REASONING_ID, "summary": []}
        self.emit("response.output_item.added", {"output_index": 0, "item": item})
        part = {"item_id": REASONING_ID, "output_index": 0, "summary_index": 0}
        self.emit("response.reasoning_summary_part.added", {**part, "part": {"type": "summary_text", "text": ""}})
        for piece in pieces:
            self.summary.append(piece)
            self.emit("response.reasoning_summary_text.delta", {**part, "delta": piece})
            await asyncio.sleep(delay)
        text = "".join(self.summary)
        self.emit("response.reasoning_summary_text.done", {**part, "text": text})
        self.emit("response.reasoning_summary_part.done", {**part, "part": {"type": "summary_text", "text": text}})
        self.emit("response.output_item.done", {"output_index": 0, "item": self._reasoning_item()})

    def open_message(self) -> None:
        self.emit(
            "response.output_item.added",
            {
                "output_index": self._message_index,
                "item": {
                    "type": "message",
                    "id": MESSAGE_ID,
                    "role": "assistant",
                    "status": "in_progress",
                    "content": [],
                },
            },
        )
        self.emit(
            "response.content_part.added",
            {"item_id": MESSAGE_ID, "output_index": self._message_index, "content_index": 0, "part": _text_part("")},
        )
        if self._message_index:  # the deltas name the message's place in the output
            self._delta_head = self._delta_head.replace('"output_index":0', f'"output_index":{self._message_index}')

    def close_message(self) -> None:
        text, index = "".join(self.text), self._message_index
        where = {"item_id": MESSAGE_ID, "output_index": index, "content_index": 0}
        self.emit("response.output_text.done", {**where, "text": text, "logprobs": []})
        self.emit("response.content_part.done", {**where, "part": _text_part(text)})
        self.emit("response.output_item.done", {"output_index": index, "item": self._message_item()})

    def end(
        self, status: str, *, error: dict[str, str] | None = None, incomplete: dict[str, str] | None = None
    ) -> None:
        """The terminal event: ``completed``, ``incomplete`` or ``failed``."""
        self.error, self.incomplete = error, incomplete
        self.emit(f"response.{status}", {"response": self.response(status)})
        self.close(status)

    def close(self, status: str) -> None:
        self.status = status
        self.done.set()
        self._changed.set()

    async def follow(self, after: int) -> AsyncIterator[list[str]]:
        """The events after number ``after`` as they come, in batches; ends when the response does."""
        index = after + 1
        while True:
            waiter = self._changed
            if index < len(self.events):
                batch = self.events[index:]
                index += len(batch)
                yield batch
            elif self.done.is_set():
                return
            else:
                await waiter.wait()

    # -- the response object -------------------------------------------------------------------------

    @property
    def _message_index(self) -> int:
        return 1 if self.summary else 0

    def _reasoning_item(self) -> dict[str, Any]:
        return {
            "type": "reasoning",
            "id": REASONING_ID,
            "summary": [{"type": "summary_text", "text": "".join(self.summary)}],
        }

    def _message_item(self) -> dict[str, Any]:
        return {
            "type": "message",
            "id": MESSAGE_ID,
            "role": "assistant",
            "status": "completed",
            "content": [_text_part("".join(self.text))],
        }

    def response(self, status: str | None = None) -> dict[str, Any]:
        status = status or self.status
        output = [self._reasoning_item()] if self.summary else []
        if status in ("completed", "incomplete", "cancelled") or (self.text and status != "failed"):
            output.append(self._message_item())
        return {
            "id": self.id,
            "object": "response",
            "created_at": self.created_at,
            "model": self.model,
            "status": status,
            "background": self.background,
            "instructions": self.instructions,
            "error": self.error if status == "failed" else None,
            "incomplete_details": self.incomplete if status == "incomplete" else None,
            "output": output,
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
            "usage": self.usage if status in ("completed", "incomplete") else None,
            "metadata": {},
            "temperature": None,
            "top_p": None,
        }


def _text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": []}
