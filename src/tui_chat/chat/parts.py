"""What a message is made of: typed parts.

Today an answer has its text, the model's reasoning, and (on the Responses API) the id of its response on
the server; a question has its text. Attachments, tool calls and their results are kinds to come: a part
of a kind this version does not know (written by a newer tui-chat) is kept as it came, never dropped. The
store keeps the text, the reasoning and the response id in columns of their own (searched, and read by the
ten thousand) and every other part as JSON beside them, after them in the message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple


class Text(NamedTuple):
    text: str


class Reasoning(NamedTuple):
    text: str


class ResponseRef(NamedTuple):
    """The Responses-API response an answer came from: it can be picked up again while the server keeps it."""

    response_id: str


class OtherPart(NamedTuple):
    """A part of a kind this version does not know, kept as it was read."""

    kind: str
    data: dict[str, Any]


Part = Text | Reasoning | ResponseRef | OtherPart
COLUMNS = (Text, Reasoning, ResponseRef)
"""The kinds the store keeps in columns of their own (searchable, and cheap to read by the thousand)."""
_KIND = {Text: "text", Reasoning: "reasoning", ResponseRef: "response"}


def joined(parts: Iterable[Part], kind: type[Text] | type[Reasoning]) -> str:
    return "".join(part.text for part in parts if type(part) is kind)


def with_text(parts: Sequence[Part], kind: type[Text] | type[Reasoning], text: str) -> list[Part]:
    """``parts`` with the text of ``kind`` replaced by ``text`` (in the place of the first such part)."""
    out: list[Part] = []
    placed = False
    for part in parts:
        if type(part) is kind:
            if not placed and text:
                out.append(kind(text))
            placed = True
        else:
            out.append(part)
    if not placed and text:
        if kind is Text:
            out.insert(0, Text(text))  # the text comes first
        else:
            out.append(kind(text))
    return out


def extra_parts(parts: Iterable[Part]) -> list[Part]:
    """The parts the store's columns do not hold."""
    return [part for part in parts if not isinstance(part, COLUMNS)]


def dumps(parts: Sequence[Part]) -> str | None:
    """Parts as JSON (``None`` for none): ``[{"kind": "text", "text": "..."}, ...]``."""
    if not parts:
        return None
    return json.dumps([_as_dict(part) for part in parts], ensure_ascii=False)


def loads(text: str | None) -> list[Part]:
    if not text:
        return []
    return [_from_dict(item) for item in json.loads(text)]


def _as_dict(part: Part) -> dict[str, Any]:
    if isinstance(part, OtherPart):
        return {"kind": part.kind, **part.data}
    return {"kind": _KIND[type(part)], **part._asdict()}


def _from_dict(item: dict[str, Any]) -> Part:
    data = dict(item)
    kind = str(data.pop("kind", ""))
    try:
        if kind == "text":
            return Text(**data)
        if kind == "reasoning":
            return Reasoning(**data)
        if kind == "response":
            return ResponseRef(**data)
    except TypeError:
        pass  # a known kind with the fields of a newer version: kept whole
    return OtherPart(kind, data)
