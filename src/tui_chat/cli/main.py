"""``tui-chat``: parse, run the command's handler, and turn every failure into one line on stderr and an
exit code, never a traceback.

Exit codes: 0 success, 1 the API failed (after retries), 2 usage or configuration error, 3 the answer was
cut off (max tokens, a content filter), 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..backend.spawn import Spawned, fork_backend

if TYPE_CHECKING:
    import argparse

COMMANDS = frozenset({"ask", "history", "export", "import", "config", "models", "sim"})
"""The subcommands' names (the parser's), known before the parser is built: see :func:`app_backend`."""
NOT_THE_APP = COMMANDS | {"-h", "--help", "--version"}


def app_backend(words: Sequence[str]) -> Spawned | None:
    """When the command line opens the app (no word of it names a command), its backend process, forked before
    the parser and the handlers are even imported (~30 ms here): the app's first screen waits for that process
    to read the configuration, so it starts as early as it can. A word that only looks like a command (``--model
    ask``) starts it later, from the app's handler."""
    return None if NOT_THE_APP.intersection(words) else fork_backend()


PLUGINS_OFF = ("PYDANTIC_DISABLE_PLUGINS", "__all__")
"""Pydantic's plugins are observability hooks found by reading every installed package's metadata when the
first model is built: the app's backend did that before it could answer with the configuration, which the first
screen waits for (``benchmarks/README.md``), and a chat client's settings give them nothing to observe. Set
unless the user set it (to an empty value: plugins on); the app's backend process inherits it."""


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault(*PLUGINS_OFF)
    early = app_backend(sys.argv[1:] if argv is None else argv)
    from ..backend.errors import BackendError
    from ..config.errors import ConfigError
    from .shared import EXIT_API, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError, fail

    try:
        args = _parse(argv, early)
        return int(args.handler(args))
    except UsageError as exc:
        return fail(f"error: {exc}", EXIT_USAGE)
    except ConfigError as exc:
        return fail(str(exc), EXIT_USAGE)
    except BackendError as exc:
        return fail(f"error: {exc}", EXIT_API)
    except KeyboardInterrupt:
        return fail("interrupted", EXIT_INTERRUPTED)
    except BrokenPipeError:  # stdout was closed (| head): end quietly, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's own flush at exit must not fail
        return EXIT_OK
    except Exception as exc:  # the last line of defence: one line, never a traceback
        if os.environ.get("TUI_CHAT_DEBUG"):
            raise
        return fail(f"internal error: {type(exc).__name__}: {exc} (TUI_CHAT_DEBUG=1 shows a traceback)", 1)


def _parse(argv: Sequence[str] | None, early: Spawned | None) -> argparse.Namespace:
    """The command line; the app's handler adopts the backend started early (``args.spawned``)."""
    from .parser import build_parser

    try:
        args = build_parser().parse_args(argv)
    except BaseException:  # a usage error: no app opens
        if early is not None:
            release(early)
        raise
    args.spawned = early
    return args


def release(spawned: Spawned) -> None:
    """A backend started for an app that does not open: stopped, not left importing in the background."""
    from ..backend.process import BackendProcess

    BackendProcess().start(spawned).close()


if __name__ == "__main__":
    sys.exit(main())
