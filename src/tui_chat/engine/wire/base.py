"""What every wire adapter has: the client, the request, the timeouts and the quirks of its server, and the
one way an attempt's request is opened under the attempt's deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from openai import AsyncOpenAI

from ..errors import took_too_long
from ..policy import TurnPolicy
from ..quirks import Quirks
from ..request import TurnRequest

T = TypeVar("T")


class WireBase:
    def __init__(self, client: AsyncOpenAI, request: TurnRequest, policy: TurnPolicy, quirks: Quirks) -> None:
        self.client = client
        self.request = request
        self.timeouts = policy.timeouts
        self.quirks = quirks
        self.url = str(client.base_url)

    @staticmethod
    async def before(deadline: float, opening: Awaitable[T]) -> T:
        """``opening`` (the request, until its headers), failed as too long past the attempt's ``deadline``."""
        try:
            async with asyncio.timeout_at(deadline):
                return await opening
        except TimeoutError:
            raise took_too_long() from None
