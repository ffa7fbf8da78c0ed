"""The backend's one failure type, importable for nothing: the command line catches it before anything heavy
is imported (and before the backend process is started, which startup waits on)."""


class BackendError(Exception):
    """The backend process failed a request or is gone; the message is one line for the user."""
