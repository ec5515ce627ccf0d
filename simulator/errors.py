"""The one exception type the command line turns into a one-line message."""


class RapportError(Exception):
    """A problem the user can fix: shown as one line, never as a traceback."""
