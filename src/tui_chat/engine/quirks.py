"""What servers rejected this session, by base URL, so the next turn does not pay for it again.

Every quirk is learnt here, from one failed attempt: a server that cannot stream, one that refuses
``stream_options`` (Mistral's 422), one that refuses a Responses-API ``background`` request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .events import ErrorKind

if TYPE_CHECKING:  # the errors module brings in the SDK; the app's UI process makes a Quirks without it
    from .errors import AttemptError


@dataclass
class Quirks:
    no_stream: set[str] = field(default_factory=set)
    no_stream_options: set[str] = field(default_factory=set)
    no_background: set[str] = field(default_factory=set)

    def learn(self, failure: AttemptError, url: str, *, streaming: bool, background: bool) -> None:
        """Remember what ``failure`` says the server at ``url`` rejects, and make the failure retry at once
        without it; a rejection that nothing can be dropped for is not retried."""
        if failure.kind == ErrorKind.STREAM_UNSUPPORTED:
            if "stream_options" in failure.message and url not in self.no_stream_options:
                self.no_stream_options.add(url)
            elif streaming:
                self.no_stream.add(url)
            else:
                failure.retryable = False
                return
            failure.retry_after = 0.0
        elif (
            background
            and failure.kind == ErrorKind.BAD_REQUEST
            and failure.status in (400, 422)
            and "background" in failure.message.lower()
        ):
            self.no_background.add(url)
            failure.retryable, failure.retry_after = True, 0.0
