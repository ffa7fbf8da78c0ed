"""``tui-chat`` without a command: the full-screen app, with its backend process started first."""

from __future__ import annotations

import argparse
import gc
from typing import TYPE_CHECKING

from .shared import EXIT_OK, UsageError, open_history

if TYPE_CHECKING:
    from ..backend.process import BackendProcess


def run_app(args: argparse.Namespace) -> int:
    """The full-screen app. Its backend process starts first (started by ``main`` before it parsed the command
    line, ``args.spawned``), so that it reads and validates the configuration on the other core while this
    process imports Textual; the app waits for it as it loads. The collector stays off until
    the first frame: startup makes only objects that live as long as the app (~50 ms of collections)."""
    from ..backend.spawn import fork_backend

    gc.disable()
    spawned = getattr(args, "spawned", None) or fork_backend()  # first: ~0.3 s of imports before it can answer
    from ..backend.process import BackendProcess

    backend = BackendProcess(
        getattr(args, "config", None),
        getattr(args, "profile", None),
        getattr(args, "model", None),
        getattr(args, "api", None),
    ).start(spawned)
    try:
        return _open_app(args, backend)
    finally:
        backend.close()
        gc.enable()


def _open_app(args: argparse.Namespace, backend: BackendProcess) -> int:
    from ..ui.app import ChatApp

    history = conversation = None  # a new conversation: the app opens the history after its first frame
    if args.resume is not None or args.continue_last:
        settings, _ = backend.setup()  # a bad config file or an unknown profile fails here, before the screen
        history = open_history(settings.data_dir, required=False)
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
    if app.config_problem is not None:  # the app ended before its screen: said in one line, as above
        raise app.config_problem
    return app.return_code or EXIT_OK
