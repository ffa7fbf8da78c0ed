"""Messages made of typed parts: text, reasoning, a response id, and kinds to come kept as they came."""

from __future__ import annotations

from dataclasses import replace

from tui_chat.chat import parts
from tui_chat.chat.conversation import ChatMessage
from tui_chat.chat.parts import OtherPart, Reasoning, ResponseRef, Text


def test_a_message_is_its_parts_and_its_text_a_view_of_them():
    message = ChatMessage("assistant", "answer", reasoning="why", response_id="resp_1")
    assert message.parts == [Text("answer"), Reasoning("why"), ResponseRef("resp_1")]
    message.content = "better answer"
    message.reasoning = ""
    message.response_id = None
    assert message.parts == [Text("better answer")]
    assert ChatMessage("user").parts == [] and ChatMessage("user").content == ""


def test_a_part_of_a_kind_to_come_is_kept_through_json_and_copies():
    attachment = OtherPart("attachment", {"name": "plan.png", "bytes": 1234})
    message = ChatMessage("user", "look", parts=[Text("look"), attachment])
    assert message.content == "look" and parts.extra_parts(message.parts) == [attachment]
    assert parts.loads(parts.dumps(message.parts)) == message.parts
    assert replace(message, id=None).parts == message.parts
    newer_text = parts.loads('[{"kind": "text", "text": "hi", "lang": "en"}]')
    assert newer_text == [OtherPart("text", {"text": "hi", "lang": "en"})]  # a field we do not know: kept whole
