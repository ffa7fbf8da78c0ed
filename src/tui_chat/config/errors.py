"""A configuration problem is reported as one line and an exit code. Importing this costs nothing, so the
command line can catch it before it has imported anything heavy."""


class ConfigError(Exception):
    """A configuration problem, already phrased as the one line the user will read."""
