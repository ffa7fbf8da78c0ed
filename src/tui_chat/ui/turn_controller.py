"""One turn at a time: its worker, its events on their way to the screen, its recording, and its end.

The worker consumes the backend process's events and hands each to the status model, to the outcome fold
(:class:`~tui_chat.chat.outcome.TurnOutcome`, which the store's checkpoints read) and to the answer's widget.
How a turn ends (finished, failed, stopped, or broken by a bug) is handled in one place, :meth:`ended`,
called from the app's ``on_worker_state_changed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.timer import Timer
from textual.worker import Worker, WorkerState

from ..chat.conversation import ChatMessage, MessageStatus
from ..chat.hints import failure_hint
from ..chat.outcome import TurnOutcome
from ..engine.events import Delta, FallingBack, ReasoningDelta, Retrying
from .widgets.messages import AssistantMessage
from .widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from ..store import TurnRecorder
    from .app import ChatApp

TURN_GROUP = "turn"
CHECKPOINT_SECONDS = 1.0


@dataclass
class Turn:
    outcome: TurnOutcome
    widget: AssistantMessage
    recorder: TurnRecorder
    checkpoints: Timer
    replacing: list[ChatMessage] = field(default_factory=list)
    """The answers being regenerated: kept (shown and stored) until their replacement finished."""
    asked: str = ""
    """The question as typed: given back to the prompt if nothing came back."""


class TurnController:
    def __init__(self, app: ChatApp) -> None:
        self.app = app
        self.current: Turn | None = None

    @property
    def busy(self) -> bool:
        return self.current is not None

    async def start(
        self,
        replacing: Sequence[ChatMessage] = (),
        asked_at: float | None = None,
        resume_id: str | None = None,
        asked: str = "",
    ) -> None:
        """Send the conversation; ``replacing``: the answers being regenerated, kept until their replacement
        finished, so a failed or stopped regeneration loses nothing; ``resume_id``: a Responses-API answer to
        pick up (its whole text comes again), asked anew if the server lost it."""
        from ..store import TurnRecorder  # loaded with the history, after the first frame

        app = self.app
        app.read_earlier_messages()
        conversation = app.conversation
        history = conversation.history(replacing)
        answer = ChatMessage("assistant", "", status=MessageStatus.STREAMING, model=app.backend.model)
        outcome = TurnOutcome(answer, lambda failed: failure_hint(failed, app.profile))
        recorder = TurnRecorder(app.history, conversation, outcome)
        conversation.messages.append(answer)
        widget = await app.log_view.add(answer)
        assert isinstance(widget, AssistantMessage)
        checkpoints = app.set_interval(CHECKPOINT_SECONDS, recorder.flush)
        self.current = Turn(outcome, widget, recorder, checkpoints, list(replacing), asked)
        asked_at = app.status.begin(asked_at)
        status_bar = app.query_one(StatusBar)
        status_bar.tick()  # it ticks while the turn is on
        widget.body.on_frame = status_bar.framed
        app.prompt.cursor_blink = False  # a steady cursor: each blink is a screen update, 2 a second of an answer
        app.run_worker(
            self._consume(self.current, history, asked_at, resume_id),
            group=TURN_GROUP,
            exclusive=True,
            exit_on_error=False,
        )

    async def _consume(
        self, turn: Turn, history: list[tuple[str, str]], asked_at: float, resume_id: str | None
    ) -> None:
        """Per delta: the status's counter, the outcome's append, the recorder's clock read and the widget's
        append. Events arrive in batches a few milliseconds apart, so the loop stays free. A change of phase
        (streaming, retrying, falling back) is drawn at once, not on the status bar's next tick."""
        app, status, outcome, recorder, widget = self.app, self.app.status, turn.outcome, turn.recorder, turn.widget
        status_bar = app.query_one(StatusBar)
        async for event in app.backend.turn(app.conversation.system_prompt, history, asked_at, resume_id):
            phase = status.phase
            status.apply(event)
            if status.phase is not phase:
                status_bar.tick()
            recorder.saw(outcome.apply(event))
            if type(event) is Delta:
                widget.write(event.text)
            elif isinstance(event, ReasoningDelta):
                widget.write_reasoning(event.text)
            elif isinstance(event, Retrying):
                what = f"attempt {event.attempt} failed ({event.reason})"
                if event.resume_after is not None:
                    widget.set_note(f"↻ {what}; resuming after event {event.resume_after}")
                elif event.discarded:
                    await widget.restart(f"↻ {what}: the partial answer was discarded; the answer restarts")
                else:
                    widget.set_note(f"↻ {what}; retrying")
            elif isinstance(event, FallingBack):
                widget.set_note(f"⇣ falling back to a non-streaming request: {event.reason}")
        if not outcome.ended:
            raise RuntimeError("the turn ended without an outcome")

    async def ended(self, worker: Worker[None]) -> None:
        """The one place where a turn ends: finished, failed, stopped, or broken by a bug."""
        turn, self.current = self.current, None
        if turn is None:
            return
        turn.checkpoints.stop()
        outcome, message, app = turn.outcome, turn.outcome.message, self.app
        if worker.state is WorkerState.CANCELLED and not outcome.ended:
            outcome.stopped()
            app.status.stopped()
        elif worker.state is WorkerState.ERROR and not outcome.ended:
            outcome.broken(worker.error or RuntimeError("unknown"))
            app.status.fail(message.error or "")
        if message.status is MessageStatus.FAILED and not message.content and not app.prompt.text:
            app.prompt.text = turn.asked  # nothing came back: give the question back to edit
            app.prompt.move_cursor(app.prompt.document.end)
        turn.recorder.finish()
        if message.status is MessageStatus.COMPLETE:
            for old in turn.replacing:
                app.history.delete_message(old)
                app.conversation.messages.remove(old)
                await app.log_view.remove_message(old)
        if app.is_running:
            app.prompt.cursor_blink = True
            app.check_history()
            app.query_one(StatusBar).tick()  # now, with the answer's last frame: not on its next tick
            await turn.widget.finish(message)

    def stop_now(self) -> None:
        """Quitting mid-answer: recorded as stopped, with every token received (the screen shows no more than
        that), before the history closes. The worker's own end comes too late for that."""
        turn, self.current = self.current, None
        if turn is not None:
            turn.checkpoints.stop()
            turn.outcome.stopped()
            turn.recorder.finish()
