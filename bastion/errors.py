"""The one exception type that reaches the user as a one-line message."""


class BastionError(Exception):
    """A refusal or failure the user should see as one line (exit code 1); never a traceback."""
