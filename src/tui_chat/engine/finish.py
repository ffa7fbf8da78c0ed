"""What a ``finish_reason`` means: an answer that ended, an answer that was cut, or a failed attempt.

Any truthy reason used to count as a finished answer, so a provider's failure finish passed for a
complete answer: Azure's content filter (``content_filter``), OpenRouter's ``error`` (with a
``native_finish_reason`` such as ``network_error``), DeepSeek's ``insufficient_system_resource``.
Reasons from servers that are not OpenAI but mean the same are folded into OpenAI's words.
"""

from __future__ import annotations

from .events import ErrorKind

ENDED = frozenset({"stop", "tool_calls", "function_call"})
"""The model ended its answer."""

ALIASES = {
    "eos": "stop",
    "eos_token": "stop",
    "end_turn": "stop",
    "stop_sequence": "stop",
    "end": "stop",
    "max_tokens": "length",
    "model_length": "length",
    "max_output_tokens": "length",
    "safety": "content_filter",
    "recitation": "content_filter",
    "blocklist": "content_filter",
}

CUT = {
    "length": "cut off: max tokens reached",
    "content_filter": "cut off by the provider's content filter",
    "incomplete": "cut off: the server marked the answer incomplete",
}
"""Reasons that end an answer early: it is kept and shown, and always marked as cut."""

CUT_HINTS = {
    "length": "raise max_tokens (or the model's output limit), or ask it to continue",
    "content_filter": "the provider blocked the rest of this answer; rephrase the question or try another model",
    "incomplete": "ctrl+r asks again; ask the model to continue if the answer is long",
}


def normalize(reason: str) -> str:
    reason = reason.strip().lower()
    return ALIASES.get(reason, reason)


def failure_of(reason: str, native: str | None = None) -> tuple[ErrorKind, str] | None:
    """``None`` when ``reason`` ends or cuts an answer; else the failed attempt it stands for."""
    if reason in ENDED or reason in CUT:
        return None
    detail = f" ({native})" if native and native != reason else ""
    if reason == "insufficient_system_resource":
        return ErrorKind.ABORTED, f"the provider ran out of capacity in the middle of the answer{detail}"
    if reason == "error":
        return ErrorKind.ABORTED, f"the provider ended the answer with an error{detail}"
    return ErrorKind.ABORTED, f"the answer ended with an unknown finish_reason {reason!r}{detail}"


def cut_note(finish_reason: str | None) -> str:
    """The words that mark an answer cut by ``finish_reason``; '' for an answer that ended."""
    return CUT.get(finish_reason or "", "")


def cut_hint(finish_reason: str | None) -> str:
    return CUT_HINTS.get(finish_reason or "", "")
