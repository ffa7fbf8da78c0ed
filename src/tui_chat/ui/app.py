"""The full-screen chat app: the screen's layout, its keys, and the objects that do the work.

A turn is :class:`~.turn_controller.TurnController`'s, the conversation list and searches are
:class:`~.history_actions.HistoryActions`', the model and profile pickers are command-palette providers
(:mod:`.pickers`). What is left here is what the app itself is: its bindings, its focus and key routing,
sending a question, editing one, and copying.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import getters, on
from textual.actions import SkipAction
from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from ..backend.errors import BackendError
from ..backend.process import BackendProcess
from ..chat.conversation import Conversation
from ..chat.text_safety import visible_line
from ..config.errors import ConfigError
from ..config.view import AppSettings, ProfileView
from .bindings import ACTIONS, BINDINGS, action_commands, key_rows
from .chat_screen import ChatScreen
from .conversation_settings import ConversationSettings
from .copying import Copying
from .export import FORMATS, offer_export
from .history_actions import HistoryActions
from .key_routing import RoutesKeys
from .markdown_render_warmup import warm_up_and_freeze
from .questions import Questions
from .turn_controller import TURN_GROUP, TurnController
from .turn_status import TurnStatus
from .widgets.key_bar import KeyBar
from .widgets.keys_in_order import KeysInFlight
from .widgets.message_log import NEEDED_TO_OPEN, MessageLog
from .widgets.prompt_input import PromptInput, read_alt_enter_as_newline
from .widgets.sidebar import Sidebar
from .widgets.status_bar import StatusBar
from .widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from ..store import History


class ChatApp(RoutesKeys):
    settings: AppSettings
    conversation: Conversation
    CSS_PATH = "app.tcss"
    TITLE = "tui-chat"
    NEEDED_TO_OPEN = NEEDED_TO_OPEN
    """How many of a conversation's newest messages it must come with; the rest are read after the first frame."""
    BINDINGS: ClassVar[list[BindingType]] = list(BINDINGS)
    log_view = getters.query_one(MessageLog)
    prompt = getters.query_one(PromptInput)
    ACTIONS = ACTIONS

    def __init__(
        self, backend: BackendProcess, *, conversation: Conversation | None = None, history: History | None = None
    ) -> None:
        """``backend``: started, ideally before Textual was imported (see :mod:`tui_chat.backend.process`). Its
        configuration is waited for when the app loads (:meth:`on_load`)."""
        super().__init__()
        read_alt_enter_as_newline()
        self.backend = backend
        self._history = history
        self._opening = conversation
        """The conversation the app opens on (``None``: a new one, made once the configuration is read)."""
        self.config_problem: ConfigError | BackendError | None = None
        """Why the app ended before its first screen: the configuration could not be read."""
        self.status = TurnStatus()
        self.turns = TurnController(self)
        self.questions = Questions(self)
        self.copying = Copying(self)
        self.conversation_settings = ConversationSettings(self)
        self.conversations = HistoryActions(self)
        """The question Up took back to edit: it and what follows are replaced only when the edit is sent."""
        self._history_problem_shown = ""
        self.keys_in_flight = KeysInFlight()

    # -- layout ------------------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        return ChatScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield MessageLog(id="log")
        yield PromptInput(id="prompt")
        yield StatusBar(self.status, label=self.conversation_settings.label(), id="status")
        yield KeyBar()

    def on_load(self) -> None:
        """Wait for the configuration here, not before the app is made: meanwhile this process builds the app,
        starts its event loop and parses its CSS, all on the path to the first screen if it waited first. The
        theme is set before any widget is styled (set from ``on_mount``, every widget was styled again). A
        configuration that cannot be read ends the app before its screen shows (``config_problem``)."""
        self.stylesheet.parse()
        try:
            self.settings, _ = self.backend.setup()
        except (ConfigError, BackendError) as exc:
            self.config_problem = exc
            self.exit()
            return
        self.conversation = self._opening or self._blank_conversation()
        self.conversation_settings.apply_theme()

    async def on_mount(self) -> None:
        self.set_keymap(self.settings.keymap)
        self.conversation_settings.show_titles()
        if self.conversation.unread:  # before the log's own after-frame batch, which counts on the whole list
            self.call_after_refresh(self.read_earlier_messages)
        await self.log_view.show(self.conversation.messages)
        self.call_after_refresh(self.check_history)  # opens the history, after the first frame
        self.call_after_refresh(
            self.run_worker, warm_up_and_freeze, thread=True, group="warm-up", exit_on_error=False
        )  # after the first frame, which it would slow down
        if self.backend.is_demo:
            self.notify(
                "The built-in simulator answers. Set OPENAI_API_KEY, or start with --profile NAME, "
                "for a real provider.",
                title="Offline demo",
                timeout=6,
            )

    def key_arrived(self) -> None:
        self.log_view.hold_frames()
        if isinstance(self.screen, ChatScreen):
            self.screen.key_arrived()

    async def on_unmount(self) -> None:
        """Quitting mid-answer stops it (recorded as stopped) before the history closes."""
        self.turns.stop_now()
        self.backend.close()
        if self._history is not None:
            self._history.close()

    @property
    def history(self) -> History:
        """Opened on first use, after the first frame unless a conversation was resumed: the first screen
        need not wait for SQLite (a new database is created and migrated: ~15 ms with the imports)."""
        if self._history is None:
            from ..store import History

            self._history = History(self.settings.data_dir)
        if self._history.on_problem is None:  # its writes run on a thread: what goes wrong there is said here
            loop = asyncio.get_running_loop()

            def from_the_writer() -> None:
                loop.call_soon_threadsafe(self.check_history)

            self._history.on_problem = from_the_writer
        return self._history

    def status_bar_text(self) -> str:
        bar = self.query_one(StatusBar)
        bar.tick()
        return bar.text

    def check_history(self) -> None:
        """Say once, in a toast and in the status bar, that history is off and why."""
        notice, self.history.notice = self.history.notice, ""
        if notice:
            self.notify(notice, title="History", severity="warning")
        problem = self.history.problem
        if problem and problem != self._history_problem_shown:
            self._history_problem_shown = problem
            self.notify(f"{problem}. The chat goes on in memory.", title="History", severity="warning", timeout=10)
            self.query_one(StatusBar).notice = "history off"

    @property
    def profile(self) -> ProfileView:
        assert self.backend.profile is not None
        return self.backend.profile

    @property
    def busy(self) -> bool:
        return self.turns.busy

    def _blank_conversation(self) -> Conversation:
        return Conversation(
            profile=self.profile.name, model=self.backend.model, system_prompt=self.settings.system_prompt
        )

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification is plain text with its controls made visible: many carry a server's words, a
        path or a stored title, which must neither drive the terminal nor be read as markup."""
        super().notify(
            visible_line(message), title=visible_line(title), severity=severity, timeout=timeout, markup=False
        )

    # -- sending -----------------------------------------------------------------------------------

    @on(PromptInput.Submitted)
    async def _submitted(self, event: PromptInput.Submitted) -> None:
        await self.questions.submitted(event.text)

    def read_earlier_messages(self) -> None:
        """The messages a ``--resume`` left in the store to open sooner (10,000: ~70 ms), read right after the
        first frame, and at the latest before a turn is sent: the model always gets the whole conversation."""
        self.log_view.prepended(self.history.read_earlier(self.conversation))

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == TURN_GROUP and event.state in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            await self.turns.ended(event.worker)

    # -- actions -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The app's keys win over the prompt's (they are priority bindings), but not over a modal screen's
        (a rename box, the help, the command palette): there they are left to the modal (and shown dimmed), but
        for quitting."""
        if action in self.ACTIONS and action != "quit" and self.screen.is_modal:
            return None
        if action.startswith("sidebar_"):  # the list's own keys, as app keys so a burst stays in order
            found = self.query(Sidebar)
            return True if found and self.focused is found.first().options else None
        return True

    def action_stop(self) -> None:
        if self.busy:
            self.workers.cancel_group(self, TURN_GROUP)
        elif self.questions.editing is not None:
            self.prompt.clear()  # abandons the edit (see Questions.prompt_changed): the exchange stays
        elif self.conversations.find is not None:
            self.conversations.end_find()
        elif self.focused is not self.prompt and self.screen is self.screen_stack[0]:
            self.screen.set_focus(self.prompt)  # now, not later: the next keys of a burst follow it
        else:
            raise SkipAction()  # nothing to stop: the key goes on to the focused widget (the sidebar's search)

    def key_for(self, action: str) -> str:
        """The key bound to ``action`` as the key bar shows it, remaps included."""
        for _key, (_, binding, _, _) in self.screen_stack[0].active_bindings.items():
            if binding.action == action:
                return self.get_key_display(binding)
        return action

    async def action_regenerate(self) -> None:
        if self.busy:
            self.notify(f"{self.key_for('stop')} stops the current answer first.", severity="warning")
            return
        last = self.conversation.messages[-1] if self.conversation.messages else None
        if last is None:
            self.notify("Nothing to regenerate yet.")
            return
        resume_id = last.response_id if last.resumable and self.profile.api == "responses" else None
        await self.turns.start(replacing=self.conversation.last_answers(), resume_id=resume_id)

    @on(PromptInput.EditLast)
    def _edit_last(self) -> None:
        self.questions.edit_last()

    @on(PromptInput.Changed)
    def _prompt_changed(self) -> None:
        self.questions.prompt_changed()

    async def action_new_conversation(self) -> None:
        await self.open_conversation(self._blank_conversation())

    async def open_conversation(self, conversation: Conversation) -> None:
        """Show ``conversation``, stopping any answer in flight (its partial is kept as stopped)."""
        if self.busy:
            self.action_stop()
            await self.workers.wait_for_complete()
        self.conversation = conversation
        self.conversations.end_find()
        self.status.clear()
        self.query_one(StatusBar).tick()
        await self.log_view.show(conversation.messages)
        self.conversation_settings.show_titles()
        self.prompt.focus()

    # -- history ---------------------------------------------------------------------------------

    async def action_toggle_sidebar(self) -> None:
        await self.conversations.toggle_sidebar()

    async def action_search_history(self) -> None:
        """Ctrl+F: the next match of the search a hit was opened from, or the search box."""
        await self.conversations.search()

    @on(Sidebar.SearchChanged)
    def _search_changed(self, event: Sidebar.SearchChanged) -> None:
        self.conversations.refresh(event.query)

    @on(Sidebar.Open)
    async def _open_from_sidebar(self, event: Sidebar.Open) -> None:
        await self.conversations.open_hit(event)

    def action_sidebar_rename(self) -> None:
        self.conversations.rename()

    def action_sidebar_delete(self) -> None:
        self.conversations.delete()

    def action_copy_answer(self) -> None:
        self.copying.last_answer()

    def action_copy_code(self) -> None:
        self.copying.last_answer_code()

    @on(MessageLog.Chosen)
    def _chosen(self, event: MessageLog.Chosen) -> None:
        """The log's message cursor: copy a message or a code block of it, or take a question back to edit."""
        message = event.message
        if event.what == "copy":
            self.copying.text(message.content)
        elif event.what == "code":
            self.copying.code(message.content, "This message")
        elif message.role != "user":
            self.notify("e takes a question (one of your messages) back to edit and resend.")
        elif self.busy:
            self.notify(f"{self.key_for('stop')} stops the current answer first.", severity="warning")
        else:
            self.questions.edit(message)

    def action_choose_model(self) -> None:
        from textual.command import CommandPalette

        from .pickers import ModelPicker

        self.push_screen(CommandPalette(providers=[ModelPicker], placeholder="Choose a model…"))

    def use_model(self, model: str, quiet: bool = False) -> None:
        self.conversation_settings.use_model(model, quiet)

    def action_choose_profile(self) -> None:
        from textual.command import CommandPalette

        from .pickers import ProfilePicker

        self.push_screen(CommandPalette(providers=[ProfilePicker], placeholder="Switch to profile…"))

    def use_profile(self, name: str) -> None:
        self.run_worker(
            self.conversation_settings.use_profile(name), group="profile", exclusive=True, exit_on_error=False
        )

    def action_edit_system_prompt(self) -> None:
        self.conversation_settings.edit_system_prompt()

    def action_scroll_up(self) -> None:
        self.log_view.scroll_page_up()  # leaves the bottom: a streaming answer no longer pulls the view down

    def action_scroll_down(self) -> None:
        self.log_view.scroll_page_down()

    def action_scroll_top(self) -> None:
        self.log_view.scroll_home()

    def action_scroll_bottom(self) -> None:
        self.log_view.scroll_end()

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        self.push_screen(HelpScreen(self.key_rows()))

    def key_rows(self) -> list[tuple[str, str, str]]:
        return key_rows(self.settings.keymap)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from action_commands(self.settings.keymap, self.run_action)
        for suffix, name in FORMATS.items():
            yield SystemCommand(
                f"Export this conversation as {name}",
                f"Write it to a {name} file ({suffix})",
                partial(offer_export, self, suffix),
            )
