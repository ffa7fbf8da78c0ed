"""``tui-chat history``, ``export`` and ``import``: the saved conversations, out and in."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .shared import EXIT_API, EXIT_OK, HistoryUnavailable, UsageError, fail, load, open_history, status

if TYPE_CHECKING:
    from ..store import History


@contextmanager
def _history(args: argparse.Namespace) -> Iterator[History]:
    history = open_history(load(args).settings.data_dir, required=True)
    try:
        yield history
    finally:
        history.close()


def _needs_history(command: Callable[[argparse.Namespace, History], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            with _history(args) as history:
                return command(args, history)
        except HistoryUnavailable as exc:
            return fail(str(exc), EXIT_API)

    return run


@_needs_history
def list_history(args: argparse.Namespace, history: History) -> int:
    import datetime as dt

    from ..chat.text_safety import visible_line

    if args.search:
        hits = history.search(args.search)[: args.limit]
        for hit in hits:
            title = visible_line(hit.title)[:40]
            print(f"{hit.conversation_id:>6}  {title:<40}  {hit.role:<9}  {visible_line(hit.snippet)}")
        if not hits:
            status(f"no message matches {args.search!r}")
        return EXIT_OK
    for c in history.list_conversations()[: args.limit]:
        when = dt.datetime.fromtimestamp(c.updated_at).strftime("%Y-%m-%d %H:%M")
        model = visible_line(c.model)[:24]
        print(f"{c.id:>6}  {when}  {c.message_count:>4} msgs  {model:<24}  {visible_line(c.title)}")
    return EXIT_OK


@_needs_history
def export(args: argparse.Namespace, history: History) -> int:
    from pathlib import Path

    from ..chat.text_safety import visible_text
    from ..store.exchange import dumps, to_markdown

    conversation = history.load(args.id)
    if conversation is None:
        raise UsageError(f"there is no conversation {args.id} (see tui-chat history)")
    text = dumps(conversation) if args.format == "json" else to_markdown(conversation)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        status(f"wrote conversation {args.id} to {args.output}")
    else:  # to a terminal, stored text must not drive it; to a pipe or a file it is exact
        sys.stdout.write(visible_text(text) if sys.stdout.isatty() else text)
    return EXIT_OK


@_needs_history
def import_(args: argparse.Namespace, history: History) -> int:
    import json
    from pathlib import Path

    from ..store.exchange import ExportFormatError, from_json

    try:
        data = json.loads(Path(args.file).read_text(encoding="utf-8"))
        conversation = from_json(data)
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{args.file}: not UTF-8 text, so not a tui-chat export") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{args.file}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except ExportFormatError as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    new_id = history.import_conversation(conversation)
    if new_id is None:
        return fail(history.problem, EXIT_API)
    print(new_id)
    status(f"imported {args.file} as conversation {new_id} ({len(conversation.messages)} messages)")
    return EXIT_OK
