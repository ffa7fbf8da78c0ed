"""What a conversation is asked with, changed from the app: the model, the profile, the system prompt, and
the colour theme (remembered for the next start unless the configuration sets one); and the titles that say
which model and profile answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..chat.text_safety import visible_line
from ..config.errors import ConfigError
from .saved_state import save_theme, saved_theme
from .widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from .app import ChatApp


class ConversationSettings:
    def __init__(self, app: ChatApp) -> None:
        self.app = app

    def label(self) -> str:
        """The status bar's: the profile, the model and the API, or that the offline simulator answers."""
        app = self.app
        api = " · Responses API" if app.profile.api == "responses" else ""
        if app.backend.is_demo:
            return (
                f"OFFLINE DEMO (built-in simulator) · {app.backend.model}{api} · "
                "set OPENAI_API_KEY or use --profile for a real provider"
            )
        return f"{app.profile.name} · {app.backend.model}{api}"

    def show_titles(self) -> None:
        app = self.app
        demo = " · offline demo" if app.backend.is_demo else ""
        app.sub_title = visible_line(f"{app.conversation.title or 'New conversation'} · {app.backend.model}{demo}")
        app.query_one(StatusBar).label = self.label()

    def use_model(self, model: str, quiet: bool = False) -> None:
        app = self.app
        app.backend.model = app.conversation.model = model
        app.history.update_conversation(app.conversation, model=model)
        self.show_titles()
        if not quiet:
            app.notify(f"Model: {model}")

    async def use_profile(self, name: str) -> None:
        app = self.app
        if app.busy:
            app.notify(f"{app.key_for('stop')} stops the current answer first.", severity="warning")
            return
        try:
            profile = await app.backend.use_profile(name)
        except ConfigError as exc:
            app.notify(str(exc), severity="error")
            return
        app.conversation.profile, app.conversation.model = name, profile.model
        app.history.update_conversation(app.conversation, profile=name, model=profile.model)
        self.show_titles()
        app.notify(f"Profile: {name} ({profile.display_url})")

    def edit_system_prompt(self) -> None:
        from .screens.text_prompt import TextPromptScreen

        app = self.app

        def save(text: str | None) -> None:
            if text is not None:
                app.conversation.system_prompt = text
                app.history.update_conversation(app.conversation, system_prompt=text)
                app.notify("System prompt set." if text.strip() else "System prompt cleared.")

        app.push_screen(TextPromptScreen("System prompt for this conversation", app.conversation.system_prompt), save)

    def apply_theme(self) -> None:
        """At start: the configured theme, else the one chosen last time; then remember every change."""
        app, settings = self.app, self.app.settings
        theme = settings.theme if settings.theme_is_set else saved_theme(settings.data_dir) or settings.theme
        if theme in app.available_themes:
            app.theme = theme
        else:
            app.notify(f"unknown theme {theme!r}; using the default", severity="warning")
        app.watch(app, "theme", self._theme_chosen, init=False)

    def _theme_chosen(self, theme: str) -> None:
        """F9 or the palette changed the theme: remember it for the next start."""
        settings = self.app.settings
        problem = save_theme(settings.data_dir, theme)
        if problem:
            self.app.notify(problem, severity="warning")
        elif settings.theme_is_set:
            self.app.notify(f"The configuration sets theme = {settings.theme!r}: it applies at the next start.")
