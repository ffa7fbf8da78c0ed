"""``tui-chat models`` (what the server offers) and ``tui-chat sim`` (the simulator in the foreground)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .shared import EXIT_OK, load

if TYPE_CHECKING:
    from ..config.settings import LoadedConfig


def models(args: argparse.Namespace) -> int:
    import asyncio

    return asyncio.run(_models(args, load(args)))


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


def simulator(args: argparse.Namespace) -> int:
    from ..sim import serve_forever

    print(f"tui-chat: simulator on http://{args.host}:{args.port}/v1 (Ctrl+C stops it)", file=sys.stderr)
    serve_forever(args.host, args.port)
    return EXIT_OK
