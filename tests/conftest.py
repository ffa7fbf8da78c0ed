"""Shared fixtures: an isolated environment and the simulator on a free loopback port."""

from __future__ import annotations

import asyncio
import json
import os
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tui_chat.engine.events import Delta, TurnEvent
from tui_chat.sim import SimServer


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No test sees the developer's keys, config or history."""
    for name in list(os.environ):
        if name.startswith(("TUI_CHAT_", "OPENAI_", "OPENROUTER_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TUI_CHAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return tmp_path


@pytest.fixture(scope="session")
def sim_server() -> Iterator[SimServer]:
    with SimServer() as server:
        yield server


class SimHandle:
    """The simulator as a test sees it: its URL, and its request counters."""

    def __init__(self, server: SimServer) -> None:
        self.server = server
        self.base_url = server.base_url
        self.root = server.base_url.removesuffix("/v1")

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(self.root + "/sim/reset", method="POST"), timeout=5).read()

    async def disconnected(self, model: str, seconds: float = 3.0) -> bool:
        """Wait (bounded) until the server has seen a client drop a stream of ``model``."""
        for _ in range(int(seconds * 100)):
            if self.stats(model)["disconnected"]:
                return True
            await asyncio.sleep(0.01)
        return False

    async def cancel_after_first_delta(self, events: AsyncIterator[TurnEvent], model: str, deltas: int = 1) -> None:
        """Consume ``events`` (a turn of ``model``) until its first delta (or its ``deltas``-th), cancel the
        consumer, and check that the server saw the stream closed before it completed."""
        got_delta = asyncio.Event()

        async def consume() -> None:
            seen = 0
            async for event in events:
                if isinstance(event, Delta):
                    seen += 1
                    if seen >= deltas:
                        got_delta.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(got_delta.wait(), 20)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await self.disconnected(model)
        assert self.stats(model)["disconnected"] == 1 and self.stats(model)["completed"] == 0

    def stats(self, model: str) -> dict:
        data = json.loads(urllib.request.urlopen(self.root + "/sim/stats", timeout=5).read())
        return data.get(model, {"requests": 0, "completed": 0, "disconnected": 0, "last_request": {}})


@pytest.fixture
def sim(sim_server: SimServer, monkeypatch: pytest.MonkeyPatch) -> SimHandle:
    """The simulator with fresh counters, and the environment pointing the default profile at it."""
    handle = SimHandle(sim_server)
    handle.reset()
    monkeypatch.setenv("OPENAI_BASE_URL", handle.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0000000000001234")
    return handle


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short backoff and idle timeout, so failure scenarios take fractions of a second."""
    for name, value in {
        "TUI_CHAT_RETRY__INITIAL_BACKOFF": "0.01",
        "TUI_CHAT_RETRY__MAX_BACKOFF": "0.05",
        "TUI_CHAT_RETRY__JITTER": "0.01",
        "TUI_CHAT_TIMEOUTS__IDLE": "0.4",
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def make_app(sim: SimHandle, fast_retries: None):
    """The app on a model (a simulator scenario) of the simulator, its backend process started as ``tui-chat`` does."""
    from tui_chat.backend.process import BackendProcess
    from tui_chat.ui.app import ChatApp

    def factory(model: str = "normal", **options: Any) -> ChatApp:
        return ChatApp(BackendProcess(model=model), **options)

    return factory
