"""How a turn's events are grouped on their way to the UI process (the pace itself is tested end to end in
``tests/integration/test_backend_process.py``)."""

from __future__ import annotations

import asyncio

from tui_chat.backend.turn_batches import MAX_BATCH, TurnBatches
from tui_chat.engine.events import Delta, Finished, Metrics, TurnEvent


class Sent:
    def __init__(self) -> None:
        self.batches: list[tuple[list[TurnEvent], bool]] = []
        self.arrived = asyncio.Event()

    def __call__(self, events: list[TurnEvent], cancelled: bool) -> None:
        self.batches.append((events, cancelled))
        self.arrived.set()


async def test_events_read_together_cross_together_and_the_last_at_once():
    sent = Sent()
    batches = TurnBatches(sent)
    await batches.add(Delta("a"))
    await batches.add(Delta("b"))
    await asyncio.wait_for(sent.arrived.wait(), 5)
    assert sent.batches == [([Delta("a"), Delta("b")], False)]
    finished = Finished("stop", "abc", "", Metrics(0.1, 0.05, 3, None, 1, False))
    await batches.add(Delta("c"))
    await batches.add(finished)
    assert sent.batches[-1] == ([Delta("c"), finished], False)  # not a batch's time later
    batches.close()
    assert len(sent.batches) == 2


async def test_a_full_batch_goes_at_once():
    sent = Sent()
    batches = TurnBatches(sent)
    for n in range(MAX_BATCH + 1):
        await batches.add(Delta(str(n)))
    assert [len(events) for events, _ in sent.batches] == [MAX_BATCH]


async def test_a_cancelled_turn_says_so_with_what_was_left_or_nothing():
    sent = Sent()
    batches = TurnBatches(sent)
    await batches.add(Delta("kept"))
    batches.close(cancelled=True)
    assert sent.batches == [([Delta("kept")], True)]
    batches.close(cancelled=True)
    assert sent.batches[-1] == ([], True)
