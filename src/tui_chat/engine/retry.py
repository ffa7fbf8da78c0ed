"""The retry policy of a turn, built from tenacity's strategies and the ``[retry]`` settings.

tenacity decides whether, and after how long, to try again. It does not sleep itself: the turn
generator must first yield a ``Retrying`` event (with the delay, for the countdown) and then sleep,
so :class:`RetryPolicy` hands the chosen delay back through :meth:`take_delay`.
"""

from __future__ import annotations

from collections.abc import Callable

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, stop_before_delay
from tenacity.wait import wait_base, wait_exponential_jitter

from .errors import AttemptError
from .policy import Retries


class wait_server_or_backoff(wait_base):
    """Wait what the server asked (``Retry-After``, already capped), else exponential backoff with jitter."""

    def __init__(self, backoff: wait_base) -> None:
        self.backoff = backoff

    def __call__(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, AttemptError) and exc.retry_after is not None:
            return exc.retry_after  # the server's Retry-After, or 0 for a quirk learnt (engine/quirks.py)
        return self.backoff(retry_state)


class RetryPolicy:
    """One turn's tenacity controller plus the delay it chose last."""

    def __init__(self, settings: Retries, extra_attempt: Callable[[], bool]) -> None:
        """``extra_attempt()``: True while a granted fallback try is still owed past ``max_attempts``."""
        self.settings = settings
        self._delay: float | None = None
        by_count = stop_after_attempt(settings.max_attempts)
        by_time = stop_before_delay(settings.deadline)

        def stop(state: RetryCallState) -> bool:
            if by_time(state):
                return True
            return by_count(state) and not extra_attempt()

        self.retrying = AsyncRetrying(
            stop=stop,
            wait=wait_server_or_backoff(
                wait_exponential_jitter(
                    multiplier=settings.initial_backoff, max=settings.max_backoff, jitter=settings.jitter
                )
            ),
            retry=retry_if_exception(lambda exc: isinstance(exc, AttemptError) and exc.retryable),
            sleep=self._remember_delay,
            reraise=True,
        )

    async def _remember_delay(self, seconds: float) -> None:
        self._delay = float(seconds)

    def take_delay(self) -> float | None:
        """The delay tenacity chose before the attempt now starting, once; None on the first attempt."""
        delay, self._delay = self._delay, None
        return delay
