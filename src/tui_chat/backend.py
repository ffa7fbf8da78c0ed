"""Where turns go: the resolved profile, its SDK client, and the built-in simulator when it is the backend.

Shared by ``tui-chat ask`` and the app so both resolve profiles, start the offline demo and word
failures the same way.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from .config import LoadedConfig, ResolvedProfile
from .engine import ErrorKind, Failed, Quirks, TurnEvent, TurnPolicy, TurnRequest
from .engine.process import ClientSpec, EngineProcess

if TYPE_CHECKING:
    from openai import AsyncOpenAI

    from .sim import SimServer

DEMO_NOTICE = ("offline demo: answers come from the built-in simulator. To use a real provider set "
               "OPENAI_API_KEY, or pick a profile (--profile ollama) or configure one (tui-chat config path).")


class Backend:
    """One profile's connection. Close it with :meth:`aclose` (it may own a simulator thread)."""

    def __init__(self, config: LoadedConfig, profile: str | None = None, model: str | None = None,
                 engine: EngineProcess | None = None) -> None:
        """``engine``: run turns in that child process (the app) instead of on the caller's loop (the CLI)."""
        self.config = config
        self.engine = engine
        self.profile: ResolvedProfile = config.resolve_profile(profile, model)
        self.model = self.profile.model
        self.quirks = Quirks()
        """What servers rejected, for turns run in-process (the engine process keeps its own)."""
        self.sim: SimServer | None = None
        if self.profile.is_simulator:
            from .sim import SimServer

            self.sim = SimServer().start()
        base_url = self.sim.base_url if self.sim else self.profile.base_url
        key = self.profile.api_key.get_secret_value() if self.profile.api_key else None
        self.spec = ClientSpec(base_url, key, tuple(sorted(self.profile.headers.items())))
        self._client: AsyncOpenAI | None = None

    @property
    def client(self) -> AsyncOpenAI:
        """The SDK client, made on first use: the app's UI process may never need it."""
        if self._client is None:
            from .engine.client import make_client

            s = self.spec
            self._client = make_client(s.base_url, s.api_key, self.config.settings.timeouts, dict(s.headers))
        return self._client

    @property
    def is_demo(self) -> bool:
        return self.sim is not None

    @property
    def policy(self) -> TurnPolicy:
        s = self.config.settings
        return TurnPolicy(s.retry, s.timeouts, s.fallback)

    def request(self, messages: Sequence[dict[str, Any]], stream: bool = True) -> TurnRequest:
        s = self.config.settings
        return TurnRequest(self.model, messages, s.temperature, s.max_tokens, stream and self.profile.stream)

    def turn(self, messages: Sequence[dict[str, Any]], stream: bool = True) -> AsyncIterator[TurnEvent]:
        """Run one turn; ``stream=False`` (``--no-stream``) asks for the whole answer at once."""
        if self.engine is not None:
            return self.engine.turn(self.spec, self.request(messages, stream), self.policy)
        from .engine.turn import run_turn

        return run_turn(self.client, self.request(messages, stream), self.policy, self.quirks)

    def hint(self, failed: Failed) -> str:
        """The failure's hint, naming this profile's own key setting for a refused key."""
        if failed.kind == ErrorKind.AUTH:
            where = self.profile.key_origin
            if where == "unset":
                return (f"no API key is set for profile {self.profile.name!r}: set OPENAI_API_KEY, or "
                        f"profiles.{self.profile.name}.api_key_env / api_key in the config file")
            return f"the API key from {where} was refused (profile {self.profile.name!r}): check it"
        if failed.kind == ErrorKind.CONNECTION:
            return f"is the server at {self.profile.display_url} running and reachable?"
        return failed.hint

    async def list_models(self) -> list[str]:
        if self._client is None:  # import the SDK off the event loop: it takes close to a second
            await asyncio.to_thread(importlib.import_module, "openai")
        page = await self.client.models.list()
        return sorted(model.id for model in page.data)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self.sim is not None:
            self.sim.stop()
            self.sim = None
