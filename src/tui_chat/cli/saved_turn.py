"""``tui-chat ask --save``: the question is committed before the request, the answer checkpointed as it
streams and finalised with its state, exactly as the app records a turn."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..backend.connection import ProviderConnection
from ..chat.conversation import ChatMessage, Conversation, MessageStatus, title_from_prompt
from ..engine import Failed, Finished, Metrics
from ..store import History, TurnRecorder


class SavedTurn:
    def __init__(self, history: History, backend: ProviderConnection, system: str, prompt: str,
                 say: Callable[[str], None]) -> None:
        self.history = history
        self.say = say
        self.problem_said = history.problem
        """Opening the history already said what is wrong with it: not twice."""
        self.conversation = Conversation(title=title_from_prompt(prompt), profile=backend.profile.name,
                                         model=backend.model, system_prompt=system)
        self.history.save_message(self.conversation, ChatMessage("user", prompt))
        self.answer = ChatMessage("assistant", "", status=MessageStatus.STREAMING, model=backend.model)
        self.recorder = TurnRecorder(self.history, self.conversation, self.answer)

    def finished(self, event: Finished) -> None:
        self._end(MessageStatus.COMPLETE, event.text, event.reasoning, event.metrics, finish_reason=event.finish_reason)

    def failed(self, event: Failed, hint: str) -> None:
        error = f"{event.reason}: {event.message}" + (f" · hint: {hint}" if hint else "")
        self._end(MessageStatus.FAILED, event.partial, "".join(self.recorder.reasoning), event.metrics, error=error)

    def stopped(self) -> None:
        self._end(MessageStatus.STOPPED, self.recorder.text, "".join(self.recorder.reasoning), None)

    def _end(self, status: MessageStatus, text: str, reasoning: str, metrics: Metrics | None, **extra: str) -> None:
        self.recorder.finish(replace(self.answer, content=text, reasoning=reasoning, status=status,
                                     metrics=metrics, **extra))
        if self.history.enabled and self.conversation.id is not None:
            self.say(f"saved as conversation {self.conversation.id}")
        elif self.history.problem and self.history.problem != self.problem_said:
            self.say(self.history.problem)

    def close(self) -> None:
        self.history.close()
