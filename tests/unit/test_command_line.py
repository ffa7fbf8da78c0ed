"""The command line starts the app's backend before it imports its parser, and only for the app."""

from __future__ import annotations

import argparse
import os

import pytest

from tui_chat.cli import main as cli_main
from tui_chat.cli.parser import build_parser


@pytest.fixture
def spawned(monkeypatch):
    """Every backend process the command line starts, started for real."""
    children: list = []
    real_start = cli_main.fork_backend

    def start():
        children.append(real_start())
        return children[-1]

    monkeypatch.setattr(cli_main, "fork_backend", start)
    yield children
    for process, parent in children:
        parent.close()
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_command_names_known_before_parsing_are_the_parsers():
    subparsers = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(subparsers.choices) == cli_main.COMMANDS


@pytest.mark.parametrize(
    ("words", "opens_the_app"),
    [
        ([], True),
        (["--model", "normal", "--profile", "local"], True),
        (["--resume", "3"], True),
        (["ask", "hello"], False),
        (["--model", "gpt", "history"], False),
        (["config", "show"], False),
        (["--help"], False),
        (["--version"], False),
    ],
)
def test_only_the_app_gets_its_backend_before_parsing(spawned, words, opens_the_app):
    assert (cli_main.app_backend(words) is not None) == opens_the_app
    assert len(spawned) == opens_the_app


def test_a_mistyped_option_stops_the_backend_spawned_for_the_app(spawned, capsys):
    assert cli_main.main(["--model", "normal", "--no-such-option"]) == 2
    assert "unrecognized arguments: --no-such-option" in capsys.readouterr().err
    [(process, _)] = spawned
    assert process.poll() is not None  # stopped and reaped, not left importing in the background


@pytest.mark.parametrize(("users", "expected"), [(None, "__all__"), ("", ""), ("logfire", "logfire")])
def test_pydantic_plugins_are_not_looked_for_unless_the_user_says(spawned, monkeypatch, users, expected):
    """Looking means reading every installed package's metadata before the configuration is validated; the
    app's backend, spawned after the variable is set, inherits it."""
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", users or "")  # the variable as it was comes back after the test
    if users is None:
        monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS")
    assert cli_main.main(["--model", "normal", "--no-such-option"]) == 2
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == expected
