"""The backend process's entry point: ``python -m tui_chat.backend.main FD``, or :func:`run` in a fork of the
app's process (:mod:`.spawn`).

Its first ~0.3 s are imports (pydantic, then the SDK) that make only long-lived objects, so the garbage
collector stays off until they are done (the configuration answers ~25 ms sooner), as in the UI process.
A module of its own, so that the server's classes are imported under their real names.
"""

import gc
import sys


def run(fd: int) -> None:
    """Serve the UI process on the socket ``fd`` until it closes its end."""
    gc.disable()
    from multiprocessing.connection import Connection

    from .server import serve

    serve(Connection(fd))


if __name__ == "__main__":
    run(int(sys.argv[1]))
