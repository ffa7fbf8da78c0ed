"""``tui-chat ask``: one answer to stdout (never the same text twice), progress to stderr, and the turn's
exit code; ``--save`` records it as the app would."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, assert_never

from .shared import EXIT_API, EXIT_CUT, EXIT_OK, UsageError, load, open_history, status

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator

    from ..backend.connection import ProviderConnection
    from ..config.settings import LoadedConfig
    from ..engine import TurnEvent
    from .answer_writer import AnswerWriter
    from .saved_turn import SavedTurn


def ask(args: argparse.Namespace) -> int:
    import asyncio  # here, not at the top: the app's startup imports this module and must not wait for asyncio

    return asyncio.run(_ask(args, load(args)))


async def _ask(args: argparse.Namespace, config: LoadedConfig) -> int:
    import contextlib

    from ..backend.connection import DEMO_NOTICE, ProviderConnection
    from .answer_writer import AnswerWriter
    from .saved_turn import SavedTurn

    piped = piped_input()
    prompt = "\n\n".join(part for part in (" ".join(args.prompt), piped) if part.strip())
    if not prompt.strip():
        raise UsageError("no prompt: give it as an argument or on standard input")
    backend = ProviderConnection(config, getattr(args, "profile", None), getattr(args, "model", None))
    system = args.system if args.system is not None else config.settings.system_prompt
    record = (
        SavedTurn(open_history(config.settings.data_dir, required=False), backend, system, prompt, status)
        if args.save
        else None
    )
    try:
        if backend.is_demo:
            status(DEMO_NOTICE)
        writer = AnswerWriter(sys.stdout, sys.stderr, sanitize=sys.stdout.isatty())
        async with contextlib.aclosing(backend.turn(system, [("user", prompt)], stream=not args.no_stream)) as events:
            return await print_turn(events, writer, record, backend, verbose=args.verbose)
    except BaseException:  # Ctrl+C, a closed stdout (| head): the turn stops, with what was shown
        if record:
            record.stopped()
        raise
    finally:
        await backend.aclose()
        if record:
            record.close()


def piped_input() -> str:
    """What a pipe or a redirected file gives on standard input (``git diff | tui-chat ask "review this"``): the
    prompt comes first, then this text, as ``llm`` does. A terminal or /dev/null gives nothing, and is not read."""
    import stat

    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError):  # no usable standard input (closed, or replaced)
        return ""
    if sys.stdin.isatty() or not (stat.S_ISFIFO(mode) or stat.S_ISREG(mode)):
        return ""
    try:
        return sys.stdin.read()
    except UnicodeDecodeError:
        raise UsageError("standard input is not UTF-8 text") from None


async def print_turn(
    events: AsyncGenerator[TurnEvent, None],
    writer: AnswerWriter,
    record: SavedTurn | None,
    backend: ProviderConnection,
    *,
    verbose: bool,
) -> int:
    """Answer on stdout (never the same text twice), progress on stderr, and the exit code of the turn."""
    from ..engine import (
        Delta,
        Failed,
        FallingBack,
        Finished,
        ReasoningDelta,
        ResponseCreated,
        Retrying,
        Started,
        UsageReport,
    )
    from ..engine.finish import cut_hint, cut_note

    async for event in events:
        if type(event) is Delta:
            writer.write(event.text)
        elif isinstance(event, Finished):
            writer.finish()
        elif isinstance(event, Failed):
            writer.finish(answered=False)
        if record:
            record.apply(event)
        match event:
            case Retrying():
                if event.resume_after is not None:  # the answer goes on where it stopped: nothing to hold back
                    note = f" (resuming after event {event.resume_after})"
                else:
                    note = " (partial answer discarded)" if event.discarded else ""
                    writer.restart()
                status(f"retry {event.attempt + 1}/{event.max_attempts} in {event.delay:.1f}s: {event.reason}{note}")
            case FallingBack(reason):
                status(f"falling back to a non-streaming request: {reason}")
            case Finished(finish_reason=reason, metrics=metrics):
                if verbose:
                    status(f"done in {metrics.total_time:.2f}s: {metrics.describe()}")
                if cut_note(reason):
                    status(f"{cut_note(reason)} (finish_reason {reason}; hint: {cut_hint(reason)})")
                    return EXIT_CUT
                return EXIT_OK
            case Failed():
                hint = backend.hint(event)
                status(f"error: {event.reason}: {event.message}" + (f" (hint: {hint})" if hint else ""))
                return EXIT_API
            case Delta() | ReasoningDelta() | ResponseCreated() | Started() | UsageReport():
                pass
            case _:
                assert_never(event)
    return EXIT_API
