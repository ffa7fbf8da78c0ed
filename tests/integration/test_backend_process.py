"""The app's backend process: it reads the configuration, and runs turns with the same events as in-process;
cancellation and a dying child are handled."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from tui_chat.backend.errors import BackendError
from tui_chat.backend.process import BackendProcess
from tui_chat.config.errors import ConfigError
from tui_chat.engine.events import Delta, ErrorKind, Failed, Finished, Retrying
from tui_chat.sim.scenarios import prose_tokens

HELLO = [("user", "hello")]


@pytest.fixture
def backend(sim, fast_retries):
    process = BackendProcess()
    yield process
    process.close()


async def answer(backend: BackendProcess, model: str) -> list:
    backend.setup()
    backend.model = model
    return [e async for e in backend.turn("", HELLO)]


async def deltas_and_batches(backend: BackendProcess) -> tuple[int, int]:
    """How many deltas an answer had, and in how many batches they reached the UI process."""
    loop = asyncio.get_running_loop()
    arrivals = [loop.time() async for event in backend.turn("", HELLO) if isinstance(event, Delta)]
    return len(arrivals), 1 + sum(1 for before, after in itertools.pairwise(arrivals) if after - before > 0.005)


async def test_events_match_the_in_process_engine(sim, backend):
    events = await answer(backend, "drop-5-1")
    assert any(isinstance(e, Retrying) and e.discarded for e in events)
    finished = events[-1]
    assert isinstance(finished, Finished) and finished.text == "".join(prose_tokens(40))
    last_start = max(i for i, e in enumerate(events) if type(e).__name__ == "Started")
    assert "".join(e.text for e in events[last_start:] if isinstance(e, Delta)) == finished.text


async def test_turns_follow_one_another_in_the_same_child(sim, backend):
    for model in ("echo", "normal", "echo"):
        assert isinstance((await answer(backend, model))[-1], Finished)
    assert sim.stats("echo")["completed"] == 2


async def test_the_configuration_is_read_in_the_child_and_only_a_keyless_view_comes_back(sim, backend):
    settings, profile = backend.setup()
    assert profile.name == "openai" and profile.display_url == sim.base_url
    assert profile.key_origin == "env OPENAI_API_KEY" and not profile.is_simulator
    assert "openai" in settings.profiles and "ollama" in settings.profiles
    assert "sk-test" not in repr((settings, profile)) and not hasattr(profile, "api_key")


async def test_a_bad_config_file_is_one_line(isolated_env, monkeypatch):
    bad = isolated_env / "bad.toml"
    bad.write_text("[retry]\nmax_attempts = 0\n")
    process = BackendProcess(str(bad))
    try:
        with pytest.raises(ConfigError, match=r"^config error: .*bad.toml: retry.max_attempts: .*\(got 0\)$"):
            process.setup()
    finally:
        process.close()


async def test_profiles_and_models_are_asked_of_the_child(sim, backend):
    backend.setup()
    assert "normal" in [name for name, _ in await backend.list_models()]
    ollama = await backend.use_profile("ollama")
    assert (ollama.name, ollama.model, backend.model) == ("ollama", "llama3.2", "llama3.2")
    with pytest.raises(ConfigError, match="unknown profile 'nope'"):
        await backend.use_profile("nope")
    assert backend.profile.name == "ollama"


async def test_an_unreachable_server_fails_listing_models_in_one_line(sim, backend, monkeypatch):
    backend.setup()
    await backend.use_profile("local")  # 127.0.0.1:8080: nothing listens there in the tests
    with pytest.raises(BackendError, match="cannot list models: cannot connect: cannot reach the server"):
        await backend.list_models()


async def test_cancelling_the_consumer_closes_the_http_stream(sim, backend):
    backend.setup()
    backend.model = model = "slow-500-20"
    await sim.cancel_after_first_delta(backend.turn("", HELLO), model)
    follow_up = await answer(backend, "echo")
    assert isinstance(follow_up[-1], Finished)  # the cancelled turn's leftovers do not leak into the next


async def test_cancelling_while_the_child_gathers_the_stream_closes_it(sim, backend):
    """At reading pace the child spends most of the answer waiting between reads, outside the engine: a cancel
    then closes the turn's stream as one during a read does."""
    backend.setup()
    backend.model = model = "slow-500-20"
    await sim.cancel_after_first_delta(backend.turn("", HELLO), model, deltas=20)


async def test_a_dead_child_is_a_typed_failure_and_the_next_turn_recovers(sim, backend):
    backend.setup()
    backend.model = "slow-500-20"
    events = []
    async for event in backend.turn("", HELLO):
        events.append(event)
        if isinstance(event, Delta):
            os.kill(backend._process.pid, signal.SIGKILL)
    assert isinstance(events[-1], Failed) and events[-1].kind == ErrorKind.CLIENT
    assert "backend process stopped" in events[-1].message
    again = await answer(backend, "echo")
    assert isinstance(again[-1], Finished) and again[-1].text == "hello"


FORKED_BACKEND = textwrap.dedent(
    """
    import asyncio
    import os
    from tui_chat.backend.process import BackendProcess
    from tui_chat.backend.spawn import fork_backend
    from tui_chat.engine.events import Finished

    process, parent = fork_backend()
    print(type(process).__name__)
    backend = BackendProcess(model="echo").start((process, parent))
    print(backend.setup()[1].display_url)
    print([os.readlink(f"/proc/{process.pid}/fd/{fd}") for fd in (0, 1)])

    async def answer():
        return [event async for event in backend.turn("", [("user", "hello")])]

    last = asyncio.run(answer())[-1]
    print(isinstance(last, Finished) and last.text)
    backend.close()
    print(process.poll() is not None)

    process, parent = fork_backend()
    parent.close()  # the app is gone without a word: the child sees its end of the pipe close
    print(process.wait(timeout=20))
    """
)


def test_the_apps_first_backend_is_a_fork_that_answers_and_leaves_with_the_app(sim):
    """``tui-chat`` forks its first backend (in a process of one thread, as the command line is when it starts
    it). The fork reads the configuration and runs a turn as a spawned child does; it keeps neither the terminal
    (here this test's pipes) nor the parent's end of the pipe between them (it exits once the parent's closes)."""
    result = subprocess.run(
        [sys.executable, "-c", FORKED_BACKEND], capture_output=True, text=True, timeout=60, check=False
    )
    lines = ["ForkedProcess", sim.base_url, "['/dev/null', '/dev/null']", "hello", "True", "0"]
    assert result.stdout.splitlines() == lines, result.stderr


async def test_at_reading_pace_the_child_reads_what_came_meanwhile_at_once(sim, backend):
    """At 50 tokens a second every chunk was read on its own, each read ~0.8 ms of the SDK's and the HTTP
    client's layers: the child now reads what the server sent in the last ``GATHER_SECONDS`` at once, and it
    crosses as one batch (it was a batch of about two: ~30 for 60 tokens, now ~10). A batch of four deltas' time
    at this pace is shorter than ``GATHER_SECONDS``: batches of six or seven tokens, not of the 0.35 s a slower
    stream gathers (about 4 for 60)."""
    backend.setup()
    backend.model = "pace-60-20"
    deltas, batches = await deltas_and_batches(backend)
    assert deltas == 60 and 6 <= batches <= 20, batches  # about 30 before


async def test_at_ten_tokens_a_second_the_child_sends_a_few_tokens_a_batch(sim, backend):
    """A gathering's batch is sent once what came meanwhile was read, and what came meanwhile keeps the stream at
    the reading pace, so the token after it is gathered too. Every token crossed on its own (40 batches for 40):
    the batch went before the loop had read what came, and what came read as a fast stream's. A gathering lasts
    the stream's time for a batch of four deltas: at 10 tokens a second a batch of two every 0.2 s (about 21 for
    40) was most of the app's CPU, and the UI's frames follow the batches."""
    backend.setup()
    backend.model = "pace-40-100"
    deltas, batches = await deltas_and_batches(backend)
    assert deltas == 40 and batches <= 16, batches  # about 11: four tokens a batch
