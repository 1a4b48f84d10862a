"""The exception types: one for what the user can fix, and subclasses for the conditions
that code must tell apart (never by a message's text or an exception's module)."""

from __future__ import annotations


class CorpusError(Exception):
    """A user-facing error: the CLI prints ``corpus: <message>`` and exits with 2."""


class IndexBusy(CorpusError):
    """Another process is building the same index (``corpus index build`` waits for it)."""

    def __init__(self, lock: object) -> None:
        super().__init__(f"another process is building this index ({lock}); try again later")
        self.lock = lock


class StaleIndex(BaseException):
    """The index answered from changed under the corpus (a ``BaseException``, like
    ``KeyboardInterrupt``, so that no ``except Exception`` on the way can keep it)."""


class DamagedIndex(StaleIndex):
    """The index answered from cannot be read, found while it answers: the command
    runs again without it, as for a stale one (``cli.application.command``), or fails
    when the index was named (``--index PATH``)."""

    def __init__(self, path: object, why: object) -> None:
        super().__init__(f"{path}: damaged index ({why}); searching without it")
        self.path = path
        self.why = why

    @property
    def error(self) -> str:
        """What to say when the index was named."""
        rebuild = "rebuild it with 'corpus index build' or use --index off"
        return f"{self.path}: damaged index ({self.why}); {rebuild}"
