"""The model and profile pickers: command-palette providers (Textual's ``Provider``), opened on their own
(F2, the profile key) or found from Ctrl+P. The model list is asked of the server when the picker opens, so
the palette is up at once and fills in when the list comes."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..backend.errors import BackendError
from ..chat.text_safety import visible_line

if TYPE_CHECKING:
    from .app import ChatApp

TYPED_NAME_SCORE = 0.001
"""Below every listed model that matches (scores are 0 to 1): the typed name is offered last."""


class _Choices(Provider):
    """A fixed list once :meth:`choices` has it: ``(shown, value, help)``."""

    async def startup(self) -> None:
        self._choices = await self.choices()

    async def choices(self) -> list[tuple[str, str, str | None]]:
        raise NotImplementedError

    def choose(self, value: str) -> None:
        raise NotImplementedError

    @property
    def chat_app(self) -> ChatApp:
        return cast("ChatApp", self.app)

    async def discover(self) -> Hits:
        for shown, value, help_text in self._choices:
            yield DiscoveryHit(shown, partial(self.choose, value), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for shown, value, help_text in self._choices:
            score = matcher.match(shown)
            if score > 0:
                yield Hit(score, matcher.highlight(shown), partial(self.choose, value), help=help_text)


class ModelPicker(_Choices):
    async def choices(self) -> list[tuple[str, str, str | None]]:
        app = self.chat_app
        try:
            models = await app.backend.list_models()
        except BackendError as exc:  # the server's problem, said in one line
            app.notify(f"Cannot list models: {exc}", severity="error")
            return []
        if not models:
            app.notify("The server lists no models.", severity="warning")
        current = app.backend.model
        return [
            (visible_line(name), name, "current" if name == current else (visible_line(text) or None))
            for name, text in models
        ]

    async def search(self, query: str) -> Hits:
        """The listed models that match, then the name as typed, last: a server may serve models it does not
        list (a local server's tags, a provider's variants), and when it cannot list them that is the way."""
        async for hit in super().search(query):
            yield hit
        name = query.strip()
        if name and all(name != value for _, value, _ in self._choices):
            shown = f"use {visible_line(name)}"
            yield Hit(
                TYPED_NAME_SCORE, shown, partial(self.choose, name), text=shown, help="a model the server did not list"
            )

    def choose(self, value: str) -> None:
        self.chat_app.use_model(value)


class ProfilePicker(_Choices):
    async def choices(self) -> list[tuple[str, str, str | None]]:
        app = self.chat_app
        return [(name, name, "current" if name == app.profile.name else None) for name in app.settings.profiles]

    def choose(self, value: str) -> None:
        self.chat_app.use_profile(value)
