"""The backend process's entry point: ``python -m tui_chat.backend.main FD``.

Its first ~0.3 s are imports (pydantic, then the SDK) that make only long-lived objects, so the garbage
collector stays off until they are done (the configuration answers ~25 ms sooner), as in the UI process.
A module of its own, so that the server's classes are imported under their real names.
"""

import gc
import sys

gc.disable()

from multiprocessing.connection import Connection  # noqa: E402

from .server import serve  # noqa: E402

serve(Connection(int(sys.argv[1])))
