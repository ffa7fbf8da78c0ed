"""``tui-chat`` and its subcommands. Every failure is one line on stderr and an exit code, never a traceback.

Exit codes: 0 success, 1 the API failed (after retries), 2 usage or configuration error, 3 the answer was
cut off (max tokens, a content filter), 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from ..backend.protocol import BackendError
from ..config.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from .answer_writer import AnswerWriter
    from ..backend.connection import ProviderConnection
    from ..engine import TurnEvent
    from .saved_turn import SavedTurn

    from ..backend.process import BackendProcess
    from ..config.settings import LoadedConfig

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_CUT, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class UsageError(Exception):
    """Bad command-line input, phrased for the user."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def _common() -> argparse.ArgumentParser:
    """Options every command takes; SUPPRESS so a subcommand does not reset what the top level set."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help="the TOML config file")
    common.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS, help="the provider profile")
    common.add_argument("--model", metavar="NAME", default=argparse.SUPPRESS, help="the model")
    common.add_argument("--api", choices=("chat", "responses"), default=argparse.SUPPRESS,
                        help="the wire protocol: chat completions or the Responses API")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = _Parser(prog="tui-chat", parents=[common],
                     description="A keyboard-driven terminal chat client for OpenAI-compatible APIs.")
    resume = parser.add_mutually_exclusive_group()
    resume.add_argument("--resume", metavar="ID", type=int, help="open the app on conversation ID")
    resume.add_argument("--continue", dest="continue_last", action="store_true",
                        help="open the app on the last conversation")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    ask = sub.add_parser("ask", parents=[common], help="stream one answer to stdout")
    ask.add_argument("prompt", nargs="*", help="the prompt (read from stdin when omitted)")
    ask.add_argument("--system", metavar="TEXT", help="the system prompt for this question")
    ask.add_argument("--no-stream", action="store_true", help="one non-streaming request")
    ask.add_argument("-v", "--verbose", action="store_true", help="print the turn's metrics to stderr")
    ask.add_argument("--save", action="store_true", help="record the question and answer in the history")

    history = sub.add_parser("history", parents=[common], help="list saved conversations (newest first)")
    history.add_argument("--search", metavar="WORDS", help="full-text search over every message")
    history.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")

    export = sub.add_parser("export", parents=[common], help="write a conversation as Markdown or JSON")
    export.add_argument("id", type=int, help="the conversation id (see tui-chat history)")
    export.add_argument("--format", choices=("md", "json"), default="md")
    export.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")

    imp = sub.add_parser("import", parents=[common], help="add a conversation from a JSON export")
    imp.add_argument("file", help="a file written by tui-chat export --format json")

    cfg = sub.add_parser("config", parents=[common], help="show, check or locate the configuration")
    cfg_sub = cfg.add_subparsers(dest="config_command", parser_class=_Parser, required=True)
    cfg_sub.add_parser("show", parents=[common], help="the effective settings and where each came from")
    validate = cfg_sub.add_parser("validate", parents=[common], help="check a config file")
    validate.add_argument("file", nargs="?", help="the file (default: the config file in use)")
    cfg_sub.add_parser("path", parents=[common], help="where the config file is read from")

    sub.add_parser("models", parents=[common], help="list the models the server offers")

    sim = sub.add_parser("sim", help="run the OpenAI-compatible simulator")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8765)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _dispatch(build_parser().parse_args(argv))
    except UsageError as exc:
        return _fail(f"error: {exc}", EXIT_USAGE)
    except ConfigError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except BackendError as exc:
        return _fail(f"error: {exc}", EXIT_API)
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)
    except BrokenPipeError:  # stdout was closed (| head): end quietly, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's own flush at exit must not fail
        return EXIT_OK
    except Exception as exc:  # the last line of defence: one line, never a traceback
        if os.environ.get("TUI_CHAT_DEBUG"):
            raise
        return _fail(f"internal error: {type(exc).__name__}: {exc} (TUI_CHAT_DEBUG=1 shows a traceback)", 1)


def _fail(message: str, code: int) -> int:
    _status(message)
    return code


def _load(args: argparse.Namespace) -> LoadedConfig:
    from ..config.settings import load_config

    return load_config(getattr(args, "config", None), {"model": getattr(args, "model", None),
                                                       "api": getattr(args, "api", None)})


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "sim":
        from ..sim import serve_forever

        print(f"tui-chat: simulator on http://{args.host}:{args.port}/v1 (Ctrl+C stops it)", file=sys.stderr)
        serve_forever(args.host, args.port)
        return EXIT_OK
    if args.command == "config":
        return _config(args)
    if args.command is None:
        return _run_app(args)
    import asyncio

    config = _load(args)
    if args.command == "ask":
        return asyncio.run(_ask(args, config))
    if args.command == "models":
        return asyncio.run(_models(args, config))
    return _history_command(args, config)


def _open_history(data_dir: Path, *, required: bool):
    from ..store import History

    history = History(data_dir)
    if required:  # a command about the history itself: a damaged file is said, never listed as if empty
        history.verify()
    if required and history.read_only:
        _status(f"{history.path} is read-only: it is read, and nothing is written to it")
    if not history.enabled:
        if required:
            raise HistoryUnavailable(history.problem)
        _status(history.problem)
    return history


class HistoryUnavailable(Exception):
    """The command needs the history database and it cannot be used."""


def _run_app(args: argparse.Namespace) -> int:
    """The full-screen app. Its backend process starts first, so that it reads and validates the
    configuration on the other core while this process imports Textual. The collector stays off until
    the first frame: startup makes only objects that live as long as the app (~50 ms of collections)."""
    from ..backend.spawn import spawn_backend

    gc.disable()
    spawned = spawn_backend()  # first: it has ~0.3 s of imports to do before it can answer
    from ..backend.process import BackendProcess

    backend = BackendProcess(getattr(args, "config", None), getattr(args, "profile", None),
                             getattr(args, "model", None), getattr(args, "api", None)).start(spawned)
    try:
        return _open_app(args, backend)
    finally:
        backend.close()
        gc.enable()


def _open_app(args: argparse.Namespace, backend: BackendProcess) -> int:
    from ..ui.app import ChatApp

    settings, _ = backend.setup()  # a bad config file or an unknown profile fails here, before the screen
    history = conversation = None  # a new conversation: the app opens the history after its first frame
    if args.resume is not None or args.continue_last:
        history = _open_history(settings.data_dir, required=False)
        wanted = args.resume if args.resume is not None else history.last_conversation_id()
        conversation = history.load(wanted, ChatApp.NEEDED_TO_OPEN) if wanted is not None else None
        if conversation is None:
            what = f"conversation {args.resume}" if args.resume is not None else "saved conversation"
            history.close()
            raise UsageError(f"there is no {what} to open ({history.problem or 'see tui-chat history'})")
        profile = getattr(args, "profile", None)
        if profile is None and conversation.profile in settings.profiles:
            profile = conversation.profile
        backend.choose(profile, getattr(args, "model", None) or conversation.model or None)
    app = ChatApp(backend, conversation=conversation, history=history)
    app.run()
    return app.return_code or EXIT_OK


def _history_command(args: argparse.Namespace, config: LoadedConfig) -> int:
    import datetime as dt
    import json
    from pathlib import Path

    from ..store.exchange import ExportFormatError, dumps, from_json, to_markdown
    from ..chat.text_safety import visible_line, visible_text

    try:
        history = _open_history(config.settings.data_dir, required=True)
    except HistoryUnavailable as exc:
        return _fail(str(exc), EXIT_API)
    try:
        if args.command == "history":
            if args.search:
                hits = history.search(args.search)[: args.limit]
                for hit in hits:
                    title = visible_line(hit.title)[:40]
                    print(f"{hit.conversation_id:>6}  {title:<40}  {hit.role:<9}  {visible_line(hit.snippet)}")
                if not hits:
                    _status(f"no message matches {args.search!r}")
                return EXIT_OK
            for c in history.list_conversations()[: args.limit]:
                when = dt.datetime.fromtimestamp(c.updated_at).strftime("%Y-%m-%d %H:%M")
                model = visible_line(c.model)[:24]
                print(f"{c.id:>6}  {when}  {c.message_count:>4} msgs  {model:<24}  {visible_line(c.title)}")
            return EXIT_OK
        if args.command == "export":
            conversation = history.load(args.id)
            if conversation is None:
                raise UsageError(f"there is no conversation {args.id} (see tui-chat history)")
            text = dumps(conversation) if args.format == "json" else to_markdown(conversation)
            if args.output:
                Path(args.output).write_text(text, encoding="utf-8")
                _status(f"wrote conversation {args.id} to {args.output}")
            else:  # to a terminal, stored text must not drive it; to a pipe or a file it is exact
                sys.stdout.write(visible_text(text) if sys.stdout.isatty() else text)
            return EXIT_OK
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
            return _fail(history.problem, EXIT_API)
        print(new_id)
        _status(f"imported {args.file} as conversation {new_id} ({len(conversation.messages)} messages)")
        return EXIT_OK
    finally:
        history.close()


async def _ask(args: argparse.Namespace, config: LoadedConfig) -> int:
    from .answer_writer import AnswerWriter
    from ..backend.connection import DEMO_NOTICE, ProviderConnection
    from .saved_turn import SavedTurn

    piped = _piped_input()
    prompt = "\n\n".join(part for part in (" ".join(args.prompt), piped) if part.strip())
    if not prompt.strip():
        raise UsageError("no prompt: give it as an argument or on standard input")
    backend = ProviderConnection(config, getattr(args, "profile", None), getattr(args, "model", None))
    system = args.system if args.system is not None else config.settings.system_prompt
    record = SavedTurn(_open_history(config.settings.data_dir, required=False), backend, system, prompt, _status) if args.save else None
    try:
        if backend.is_demo:
            _status(DEMO_NOTICE)
        writer = AnswerWriter(sys.stdout, sys.stderr, sanitize=sys.stdout.isatty())
        async with contextlib.aclosing(backend.turn(system, [("user", prompt)], stream=not args.no_stream)) as events:
            return await _print_turn(events, writer, record, backend, verbose=args.verbose)
    except BaseException:  # Ctrl+C, a closed stdout (| head): the turn stops, with what was shown
        if record:
            record.stopped()
        raise
    finally:
        await backend.aclose()
        if record:
            record.close()


def _piped_input() -> str:
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


async def _print_turn(events: AsyncIterator[TurnEvent], writer: AnswerWriter, record: SavedTurn | None,
                      backend: ProviderConnection, *, verbose: bool) -> int:
    """Answer on stdout (never the same text twice), progress on stderr, and the exit code of the turn."""
    from ..engine import Delta, Failed, FallingBack, Finished, ReasoningDelta, ResponseCreated, Retrying
    from ..engine.finish import cut_hint, cut_note

    async for event in events:
        if isinstance(event, Delta):
            writer.write(event.text)
            if record:
                record.recorder.delta(event.text)
        elif isinstance(event, ReasoningDelta):
            if record:
                record.recorder.reasoning_delta(event.text)
        elif isinstance(event, Retrying):
            if event.resume_after is not None:  # the answer goes on where it stopped: nothing to hold back
                note = f" (resuming after event {event.resume_after})"
            else:
                note = " (partial answer discarded)" if event.discarded else ""
                writer.restart()
            _status(f"retry {event.attempt + 1}/{event.max_attempts} in {event.delay:.1f}s: {event.reason}{note}")
            if record and event.discarded:
                record.recorder.restart()
        elif isinstance(event, ResponseCreated):
            if record:
                record.recorder.response_created(event.response_id)
        elif isinstance(event, FallingBack):
            _status(f"falling back to a non-streaming request: {event.reason}")
        elif isinstance(event, Finished):
            writer.finish()
            if record:
                record.finished(event)
            if verbose:
                _status(f"done in {event.metrics.total_time:.2f}s: {event.metrics.describe()}")
            cut = cut_note(event.finish_reason)
            if cut:
                _status(f"{cut} (finish_reason {event.finish_reason}; hint: {cut_hint(event.finish_reason)})")
                return EXIT_CUT
            return EXIT_OK
        elif isinstance(event, Failed):
            writer.finish(answered=False)
            hint = backend.hint(event)
            if record:
                record.failed(event, hint)
            _status(f"error: {event.reason}: {event.message}"
                    + (f" (hint: {hint})" if hint else ""))
            return EXIT_API
    return EXIT_API


async def _models(args: argparse.Namespace, config: LoadedConfig) -> int:
    from ..backend.connection import ProviderConnection
    from ..chat.text_safety import visible_line

    backend = ProviderConnection(config, getattr(args, "profile", None))
    try:
        for model, description in await backend.list_models():
            print(f"{visible_line(model):<16} {visible_line(description)}".rstrip())
        return EXIT_OK
    finally:
        await backend.aclose()


def _config(args: argparse.Namespace) -> int:
    if args.config_command == "path":
        print(_config_path(args))
        return EXIT_OK
    if args.config_command == "validate":
        from pathlib import Path

        from ..config.settings import load_config

        path = Path(args.file or _config_path(args))
        if not path.is_file():
            raise ConfigError(f"config error: {path}: no such file")
        from ..config.keymap import keymap_warnings

        for warning in keymap_warnings(load_config(path, use_env=False).settings.keymap):
            _status(f"warning: {warning}")
        print(f"ok: {path}")
        return EXIT_OK
    _show(_load(args), getattr(args, "profile", None))
    return EXIT_OK


def _config_path(args: argparse.Namespace) -> str:
    from ..config.settings import default_config_path

    return str(getattr(args, "config", None) or default_config_path())


def _show(config: LoadedConfig, profile: str | None) -> None:
    """Every effective setting with its source; keys masked to ``sk-…last4`` at most."""
    from ..config.settings import flatten, mask_secret

    state = "" if config.path.exists() else " (not found: defaults apply)"
    print(f"# config file: {config.path}{state}")
    data = config.settings.model_dump(mode="json", exclude={"profiles", "keymap"})
    for key, value in flatten(data).items():
        print(f"{key} = {_toml(value)}  # {config.origin(key)}")
    for key, value in sorted(config.settings.keymap.items()):
        print(f"keymap.{key} = {_toml(value)}  # {config.origin('keymap.' + key)}")
    active = profile or config.settings.default_profile
    for name in sorted(config.settings.profiles):
        mark = "  (active)" if name == active else ""
        print(f"[profiles.{name}]{mark}")
        try:
            p = config.resolve_profile(name)
        except ConfigError as exc:  # a base URL naming an unset variable: say so, and show the rest
            print(f"  # not usable: {exc}")
            continue
        print(f"  base_url = {_toml(p.display_url)}")
        print(f"  model = {_toml(p.model)}")
        print(f"  api_key = {mask_secret(p.api_key)}  # {p.key_origin}" + (f" (sent as {p.key_header})" if p.key_header else ""))
        print(f"  stream = {_toml(p.stream)}")
        print(f"  api = {_toml(p.api)}" + (f"\n  resume = {_toml(p.resume)}" if p.api == "responses" else ""))
        if not p.stream_options:
            print("  stream_options = false")
        for key, value in sorted(p.query.items()):
            print(f"  query.{key} = {_toml(value)}")
        for header, value in sorted(p.headers.items()):
            secret = any(word in header.lower() for word in ("auth", "key", "token", "secret"))
            print(f"  headers.{header} = {_toml('…' if secret else value)}")


def _toml(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def _status(line: str) -> None:
    """One line on stderr. Server messages, paths and stored text pass through here: never raw."""
    from ..chat.text_safety import visible_line

    print(f"tui-chat: {visible_line(line)}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
