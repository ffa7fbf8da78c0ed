"""The command line's grammar: every command names its handler (``set_defaults(handler=...)``), so the
entry point dispatches without a chain of ifs. The handlers' modules import nothing heavy at the top."""

from __future__ import annotations

import argparse
from typing import NoReturn

from . import app_command, ask, config_commands, history_commands, models_and_sim
from .shared import UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


class _Version(argparse.Action):
    """``--version``: read from the installed package's metadata only when asked (it costs a few ms)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> NoReturn:
        from importlib.metadata import version

        print(f"tui-chat {version('tui-chat')}")
        parser.exit()


def _common() -> _Parser:
    """Options every command takes; SUPPRESS so a subcommand does not reset what the top level set."""
    common = _Parser(add_help=False)
    common.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help="the TOML config file")
    common.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS, help="the provider profile")
    common.add_argument("--model", metavar="NAME", default=argparse.SUPPRESS, help="the model")
    common.add_argument(
        "--api",
        choices=("chat", "responses"),
        default=argparse.SUPPRESS,
        help="the wire protocol: chat completions or the Responses API",
    )
    return common


def build_parser() -> _Parser:
    common = _common()
    parser = _Parser(
        prog="tui-chat",
        parents=[common],
        description="A keyboard-driven terminal chat client for OpenAI-compatible APIs.",
    )
    parser.add_argument("--version", action=_Version)
    resume = parser.add_mutually_exclusive_group()
    resume.add_argument("--resume", metavar="ID", type=int, help="open the app on conversation ID")
    resume.add_argument(
        "--continue", dest="continue_last", action="store_true", help="open the app on the last conversation"
    )
    parser.set_defaults(handler=app_command.run_app)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    ask_parser = sub.add_parser("ask", parents=[common], help="stream one answer to stdout")
    ask_parser.add_argument("prompt", nargs="*", help="the prompt (read from stdin when omitted)")
    ask_parser.add_argument("--system", metavar="TEXT", help="the system prompt for this question")
    ask_parser.add_argument("--no-stream", action="store_true", help="one non-streaming request")
    ask_parser.add_argument("-v", "--verbose", action="store_true", help="print the turn's metrics to stderr")
    ask_parser.add_argument("--save", action="store_true", help="record the question and answer in the history")
    ask_parser.set_defaults(handler=ask.ask)

    history = sub.add_parser("history", parents=[common], help="list saved conversations (newest first)")
    history.add_argument("--search", metavar="WORDS", help="full-text search over every message")
    history.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    history.set_defaults(handler=history_commands.list_history)

    export = sub.add_parser("export", parents=[common], help="write a conversation as Markdown or JSON")
    export.add_argument("id", type=int, help="the conversation id (see tui-chat history)")
    export.add_argument("--format", choices=("md", "json"), default="md")
    export.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    export.set_defaults(handler=history_commands.export)

    imp = sub.add_parser("import", parents=[common], help="add a conversation from a JSON export")
    imp.add_argument("file", help="a file written by tui-chat export --format json")
    imp.set_defaults(handler=history_commands.import_)

    cfg = sub.add_parser("config", parents=[common], help="show, check or locate the configuration")
    cfg_sub = cfg.add_subparsers(dest="config_command", parser_class=_Parser, required=True)
    show = cfg_sub.add_parser("show", parents=[common], help="the effective settings and where each came from")
    show.set_defaults(handler=config_commands.show)
    validate = cfg_sub.add_parser("validate", parents=[common], help="check a config file")
    validate.add_argument("file", nargs="?", help="the file (default: the config file in use)")
    validate.set_defaults(handler=config_commands.validate)
    path = cfg_sub.add_parser("path", parents=[common], help="where the config file is read from")
    path.set_defaults(handler=config_commands.path)

    models = sub.add_parser("models", parents=[common], help="list the models the server offers")
    models.set_defaults(handler=models_and_sim.models)

    sim = sub.add_parser("sim", help="run the OpenAI-compatible simulator")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8765)
    sim.set_defaults(handler=models_and_sim.simulator)
    return parser
