"""The one exception type the core raises for anything the user can fix."""


class CorpusError(Exception):
    """A user-facing error: the CLI prints ``corpus: <message>`` and exits with 2."""
