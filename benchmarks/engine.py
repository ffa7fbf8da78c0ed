"""The engine alone: ``run_turn`` consuming a long stream, against the raw SDK loop on the same stream."""

from __future__ import annotations

import asyncio
import time

from tui_chat.engine import Delta, TurnPolicy, TurnRequest, make_client, run_turn
from tui_chat.engine.policy import Fallback, Retries, Timeouts

MESSAGES = [{"role": "user", "content": "go"}]


async def _raw(base_url: str, model: str) -> int:
    client = make_client(base_url, "sk-benchmark", Timeouts())
    parts: list[str] = []
    stream = await client.chat.completions.create(
        model=model, messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    )
    async with stream:
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                parts.append(chunk.choices[0].delta.content)
    await client.close()
    return len(parts)


async def _engine(base_url: str, model: str) -> int:
    client = make_client(base_url, "sk-benchmark", Timeouts())
    policy = TurnPolicy(Retries(), Timeouts(), Fallback())
    parts: list[str] = []
    async for event in run_turn(client, TurnRequest(model, MESSAGES), policy):
        if type(event) is Delta:
            parts.append(event.text)
    await client.close()
    return len(parts)


def measure(base_url: str, model: str, runs: int) -> dict[str, list[tuple[float, float]]]:
    """Alternating runs of each: (wall seconds, CPU seconds of this process)."""
    results: dict[str, list[tuple[float, float]]] = {"raw": [], "engine": []}
    for _ in range(runs):
        for name, consume in (("raw", _raw), ("engine", _engine)):
            wall, cpu = time.perf_counter(), time.process_time()
            asyncio.run(consume(base_url, model))
            results[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    return results
