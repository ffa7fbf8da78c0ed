"""``tui-chat ask --save``: the question is committed before the request, the answer checkpointed as it
streams and finalised with its state, exactly as the app records a turn."""

from __future__ import annotations

from collections.abc import Callable

from ..backend.connection import ProviderConnection
from ..chat.conversation import ChatMessage, Conversation, MessageStatus, title_from_prompt
from ..chat.outcome import TurnOutcome
from ..engine import TurnEvent
from ..store import History, TurnRecorder


class SavedTurn:
    def __init__(
        self, history: History, backend: ProviderConnection, system: str, prompt: str, say: Callable[[str], None]
    ) -> None:
        self.history = history
        self.say = say
        self.problem_said = history.problem
        """Opening the history already said what is wrong with it: not twice."""
        self.conversation = Conversation(
            title=title_from_prompt(prompt), profile=backend.profile.name, model=backend.model, system_prompt=system
        )
        self.history.save_message(self.conversation, ChatMessage("user", prompt))
        answer = ChatMessage("assistant", "", status=MessageStatus.STREAMING, model=backend.model)
        self.outcome = TurnOutcome(answer, backend.hint)
        self.recorder = TurnRecorder(self.history, self.conversation, self.outcome)

    def apply(self, event: TurnEvent) -> None:
        self.recorder.saw(self.outcome.apply(event))
        if self.outcome.ended:
            self._end()

    def stopped(self) -> None:
        """Ctrl+C, or a closed stdout: the turn stops, with what was shown."""
        if not self.outcome.ended:
            self.outcome.stopped()
            self._end()

    def _end(self) -> None:
        self.recorder.finish()
        self.history.flush()
        if self.history.enabled and self.conversation.id is not None:
            self.say(f"saved as conversation {self.conversation.id}")
        elif self.history.problem and self.history.problem != self.problem_said:
            self.say(self.history.problem)

    def close(self) -> None:
        self.history.close()
