"""The failures ``tui-chat`` reports as one line and an exit code. Importing this costs nothing, so the
command line can catch them before it has imported anything heavy."""


class ConfigError(Exception):
    """A configuration problem, already phrased as the one line the user will read."""


class BackendError(Exception):
    """The app's backend process failed a request or is gone; the message is one line for the user."""
