"""The OpenAI-compatible simulator: the offline demo backend and the test and benchmark backend."""

from .server import SimServer, serve_forever

__all__ = ["SimServer", "serve_forever"]
