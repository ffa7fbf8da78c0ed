"""Export and import: JSON that re-imports exactly, and Markdown to read as a document.

Neither format carries an API key: conversations never hold one.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ..chat import parts
from ..chat.conversation import ChatMessage, Conversation, MessageStatus
from ..engine.events import Metrics, Usage

FORMAT = "tui-chat/1"


class ExportFormatError(ValueError):
    """The file is not a tui-chat export; the message says what is wrong, in one line."""


def to_json(conversation: Conversation) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "title": conversation.title,
        "profile": conversation.profile,
        "model": conversation.model,
        "system_prompt": conversation.system_prompt,
        "created_at": conversation.created_at,
        "updated_at": conversation.updated_at,
        "messages": [_message_json(m) for m in conversation.messages],
    }


def _message_json(m: ChatMessage) -> dict[str, Any]:
    # Only where they exist: an export of plain messages reads as it always did.
    resume = {"response_id": m.response_id} if m.response_id else {}
    other = parts.extra_parts(m.parts)
    more = {"parts": json.loads(parts.dumps(other) or "[]")} if other else {}
    return {
        "role": m.role,
        "content": m.content,
        "reasoning": m.reasoning,
        "status": m.status.value,
        "finish_reason": m.finish_reason,
        "model": m.model,
        "error": m.error,
        "created_at": m.created_at,
        "metrics": _metrics(m.metrics) if m.metrics else None,
        **resume,
        **more,
    }


def _metrics(metrics: Metrics) -> dict[str, Any]:
    usage = metrics.usage._asdict() if metrics.usage else None
    return {**metrics._asdict(), "usage": usage}


def from_json(data: Any) -> Conversation:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ExportFormatError(f'not a tui-chat export (it has no "format": "{FORMAT}")')
    if not isinstance(data.get("messages"), list):
        raise ExportFormatError('not a usable tui-chat export: it has no "messages" list')
    messages = []
    for number, m in enumerate(data["messages"], 1):
        try:
            messages.append(_message(m))
        except KeyError as exc:
            raise ExportFormatError(f"not a usable tui-chat export: message {number} has no {exc.args[0]!r}") from None
        except (TypeError, ValueError, AttributeError) as exc:
            raise ExportFormatError(f"not a usable tui-chat export: message {number}: {exc}") from None
    try:
        return Conversation(
            title=str(data.get("title", "")),
            profile=str(data.get("profile", "")),
            model=str(data.get("model", "")),
            system_prompt=str(data.get("system_prompt", "")),
            messages=messages,
            created_at=data.get("created_at"),
            updated_at=data.get("updated_at"),
        )
    except (TypeError, ValueError) as exc:
        raise ExportFormatError(f"not a usable tui-chat export: {exc}") from None


def _message(m: dict[str, Any]) -> ChatMessage:
    if not isinstance(m, dict):
        raise ValueError("it is not an object")
    if m["role"] not in ("user", "assistant"):
        raise ValueError(f"unknown role {m['role']!r}")
    metrics = None
    if m.get("metrics"):
        raw = dict(m["metrics"])
        usage = Usage(**raw.pop("usage")) if raw.get("usage") else None
        raw.pop("usage", None)
        metrics = Metrics(**raw, usage=usage)
    message = ChatMessage(
        role=m["role"],
        content=str(m["content"]),
        status=MessageStatus(m.get("status", "complete")),
        reasoning=str(m.get("reasoning") or ""),
        finish_reason=m.get("finish_reason"),
        model=m.get("model"),
        metrics=metrics,
        error=m.get("error"),
        created_at=m.get("created_at"),
        response_id=m.get("response_id") or None,
    )
    if m.get("parts"):
        message.parts += parts.loads(json.dumps(m["parts"]))
    return message


def dumps(conversation: Conversation) -> str:
    return json.dumps(to_json(conversation), ensure_ascii=False, indent=2) + "\n"


def to_markdown(conversation: Conversation) -> str:
    lines = [f"# {conversation.title or 'Conversation'}", ""]
    facts = [f for f in (conversation.profile, conversation.model, _date(conversation.created_at)) if f]
    if facts:
        lines += [f"*{' · '.join(facts)}*", ""]
    if conversation.system_prompt.strip():
        lines += ["**System prompt:**", "", *(f"> {line}" for line in conversation.system_prompt.splitlines()), ""]
    for m in conversation.messages:
        who = "You" if m.role == "user" else f"Assistant{f' ({m.model})' if m.model else ''}"
        lines += [f"## {who}", ""]
        if m.reasoning:
            lines += ["<details><summary>Reasoning</summary>", "", m.reasoning.strip(), "", "</details>", ""]
        lines += [m.content.rstrip(), ""]
        if m.status is not MessageStatus.COMPLETE:
            note = f"*({m.status.value}{': ' + m.error if m.error else ''})*"
            lines += [note, ""]
    return "\n".join(lines).rstrip() + "\n"


def _date(stamp: float | None) -> str:
    return dt.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M") if stamp else ""
