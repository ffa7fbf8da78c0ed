"""Where turns go: the resolved profile, its SDK client, and the built-in simulator when it is the backend.

``tui-chat ask`` uses one on its own loop; the app's backend process (:mod:`.server`)
keeps one per profile. So both resolve profiles, start the offline demo and word failures the same way.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncGenerator, Sequence
from typing import TYPE_CHECKING, Any

from ..chat.hints import failure_hint
from ..config.settings import LoadedConfig, ResolvedProfile
from ..engine import Failed, Fallback, Quirks, Retries, Timeouts, TurnEvent, TurnPolicy, TurnRequest, build_messages
from .errors import BackendError

if TYPE_CHECKING:
    from openai import AsyncOpenAI

    from ..sim import SimServer

DEMO_NOTICE = (
    "offline demo: answers come from the built-in simulator. To use a real provider set "
    "OPENAI_API_KEY, or pick a profile (--profile ollama) or configure one (tui-chat config path)."
)


class ProviderConnection:
    """One profile's connection. Close it with :meth:`aclose` (it may own a simulator thread)."""

    def __init__(self, config: LoadedConfig, profile: str | None = None, model: str | None = None) -> None:
        self.config = config
        self.profile: ResolvedProfile = config.resolve_profile(profile, model)
        self.model = self.profile.model
        self.quirks = Quirks()
        """What servers rejected (a parameter, ``stream_options``), remembered across turns."""
        if not self.profile.stream_options and self.profile.base_url:
            self.quirks.no_stream_options.add(self.profile.base_url.rstrip("/") + "/")
        self.sim: SimServer | None = None
        if self.profile.is_simulator:
            from ..sim import SimServer

            self.sim = SimServer().start()
        self._client: AsyncOpenAI | None = None

    @property
    def client(self) -> AsyncOpenAI:
        """The SDK client, made on first use (its import takes close to a second)."""
        if self._client is None:
            from ..engine.client import make_client

            p = self.profile
            base_url = self.sim.base_url if self.sim else p.base_url
            key = p.api_key.get_secret_value() if p.api_key else None
            self._client = make_client(
                base_url, key, self.policy.timeouts, dict(p.headers), key_header=p.key_header, query=p.query
            )
        return self._client

    @property
    def is_demo(self) -> bool:
        return self.sim is not None

    @property
    def policy(self) -> TurnPolicy:
        """The engine's plain policy, from the validated settings."""
        s = self.config.settings
        return TurnPolicy(
            Retries(**s.retry.model_dump()), Timeouts(**s.timeouts.model_dump()), Fallback(**s.fallback.model_dump())
        )

    def request(
        self,
        messages: Sequence[dict[str, Any]],
        stream: bool = True,
        model: str | None = None,
        asked_at: float | None = None,
        resume_id: str | None = None,
    ) -> TurnRequest:
        s, p = self.config.settings, self.profile
        responses = p.api == "responses"
        return TurnRequest(
            model or self.model,
            messages,
            s.temperature,
            s.max_tokens,
            stream and p.stream,
            asked_at,
            p.api,
            background=responses and p.resume == "auto",
            resume_id=resume_id if responses and p.resume == "auto" else None,
        )

    def turn(
        self,
        system_prompt: str,
        history: Sequence[tuple[str, str]],
        *,
        stream: bool = True,
        model: str | None = None,
        asked_at: float | None = None,
        resume_id: str | None = None,
    ) -> AsyncGenerator[TurnEvent, None]:
        """Answer the conversation (``(role, content)`` pairs after ``system_prompt``); ``stream=False``
        (``--no-stream``) asks for the whole answer at once; ``resume_id``: an earlier Responses-API answer to
        pick up first (one a crash cut off), else the question is asked anew."""
        from ..engine.turn import run_turn

        messages = build_messages(system_prompt, history)
        request = self.request(messages, stream, model, asked_at, resume_id)
        return run_turn(self.client, request, self.policy, self.quirks)

    def hint(self, failed: Failed) -> str:
        return failure_hint(failed, self.profile.view())

    async def list_models(self) -> list[tuple[str, str]]:
        """(model id, description or '') of every model the server lists."""
        if self._client is None:  # import the SDK off the event loop: it takes close to a second
            await asyncio.to_thread(importlib.import_module, "openai")
        from ..engine.errors import AttemptError
        from ..engine.models import list_models

        try:
            return await list_models(self.client)
        except AttemptError as failure:
            raise BackendError(f"cannot list models: {failure.reason}: {failure.message}") from None

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self.sim is not None:
            self.sim.stop()
            self.sim = None
