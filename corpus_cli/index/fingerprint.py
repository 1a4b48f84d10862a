"""Fingerprints of corpus files: what tells a fresh index from a stale one.

A fingerprint covers the path, size, modification time and mode of every file under
the corpus paths, so it costs one ``stat`` per file: about 0.1 s for 31,000 files, as
long as the whole query that the index answers.  ``start_early`` therefore computes
it in a forked child process, on the other core, while the parent imports the CLI
and parses the command line; ``early`` hands the result to the freshness check when
the child fingerprinted the same paths, and the check computes it in process
otherwise (no ``fork``, another corpus, an index built meanwhile).  The child only
reads directory entries: it cannot change what any command answers.

This module imports nothing but ``os`` and ``sys`` (annotations aside): it runs
before everything else, and the sooner the child is forked the sooner it is done.
"""

from __future__ import annotations

import os
import sys
from stat import S_ISDIR, S_ISLNK  # loaded with os

TYPE_CHECKING = False  # not typing's: importing typing costs 10 ms before the fork
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from typing import Any

#: The file name ending of an index.
SUFFIX = ".corpus-index"


def cache_folder() -> str:
    """Where indexes live by default: ``CORPUS_CACHE_DIR``, else the platform's user
    cache directory (a string: ``pathlib`` is not loaded yet when this first runs)."""
    explicit = os.environ.get("CORPUS_CACHE_DIR")
    if explicit:
        return os.path.expanduser(explicit)
    home = os.path.expanduser("~")
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local")
    elif sys.platform == "darwin":
        base = os.path.join(home, "Library", "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
    return os.path.join(base, "corpus-cli", "indexes")


def fingerprint(paths: Iterable[str], split_after: float | None = None) -> str:
    """Paths, sizes, modification times and modes of every file under ``paths``.

    The mode counts: a file skipped as unreadable at the build that becomes readable
    (``chmod``) makes the index stale, as an edit does.

    Every file counts, not only those the glob selects: a changed neighbour makes the
    index look stale, never the other way round.  The lines are hashed as they come, a
    few thousand at a time: memory does not grow with the number of files.

    The files are taken in parts (``_parts``: each folder at the top of a corpus path,
    each run of files there), each part hashed on its own, and the fingerprint is the
    hash of the parts' hashes: the same value however the parts are shared out.  With
    ``split_after`` (seconds), parts still to do once that much time has gone are shared
    with forked processes, one per other core (``_digests``): a corpus of 650,000 files
    takes two seconds of ``stat`` calls on one core.
    """
    parts = _parts(paths)
    digests = _digests(parts, split_after)
    import hashlib

    return hashlib.sha256("\n".join(d for d in digests if d).encode("ascii")).hexdigest()


#: Seconds of ``stat`` calls after which the early child shares the rest of the parts
#: with a process per other core (``Stamps``): the check of a corpus of tens of
#: thousands of files is over before that, within the start-up it runs beside.
SPLIT_AFTER = 0.2

#: The most files of one folder hashed as one part (``_parts``).
RUN = 4096


def _parts(paths: Iterable[str]) -> list[tuple[str, str, tuple[str, ...]]]:
    """The parts ``fingerprint`` hashes, in order: ("path", PATH) for a corpus path that
    is no folder; for a folder, ("tree", SUBFOLDER) for each folder in it and ("files",
    FOLDER, NAMES) for each run of up to ``RUN`` other names between them (name order, as
    ``_scan`` goes); ("tree", FOLDER) for a folder that cannot be listed.  The names are
    sorted by what the directory entries say, without a ``stat`` of each."""
    parts: list[tuple[str, str, tuple[str, ...]]] = []
    for top in paths:
        if not os.path.isdir(top):
            parts.append(("path", top, ()))
            continue
        try:
            with os.scandir(top) as listed:
                entries = sorted((entry.name, _is_folder(entry)) for entry in listed)
        except OSError:
            parts.append(("tree", top, ()))
            continue
        run: list[str] = []
        for name, folder in entries:
            if folder or len(run) == RUN:
                if run:
                    parts.append(("files", top, tuple(run)))
                    run = []
            if folder:
                parts.append(("tree", os.path.join(top, name), ()))
            else:
                run.append(name)
        if run:
            parts.append(("files", top, tuple(run)))
    return parts


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False  # its ``stat`` will say what it is (or that it is missing)


def _digest(part: tuple[str, str, tuple[str, ...]]) -> str:
    """The SHA-256 of the lines of one part (``_parts``); "" for a part without any (a
    folder with no file under it, which counts for nothing, as anywhere deeper)."""
    sink = _Sink()
    kind, where, names = part
    if kind == "path":
        _stat_line(where, sink.lines)
    elif kind == "tree":
        _scan(where, sink)
    else:
        _scan(where, sink, names)
    return sink.hexdigest() if sink.started or sink.lines else ""


def _digests(parts: Sequence[tuple[str, str, tuple[str, ...]]], split_after: float | None) -> list[str]:
    """Each part's digest, in order.  With ``split_after``: once that many seconds have
    gone, the parts left are shared with one forked process per other core (a share each,
    the last to this one); a process that fails has its share done here."""
    import time

    if not hasattr(os, "fork"):
        split_after = None
    started = time.monotonic()
    digests: list[str] = []
    end = len(parts)
    shares: list[tuple[tuple[int, int] | None, int, int]] = []  # (pid, pipe) or None, first part, end
    while len(digests) < end:
        digests.append(_digest(parts[len(digests)]))
        left = end - len(digests)
        if split_after is None or shares or left < 2 or time.monotonic() - started < split_after:
            continue
        cores = min(_cores(), left)
        size = -(-left // cores)
        lows = range(len(digests) + size, end, size)
        shares = [(_helper(parts, low, min(low + size, end)), low, min(low + size, end)) for low in lows]
        if shares:
            end = shares[0][1]
    for helper, low, high in shares:
        found = None if helper is None else _collected(*helper, high - low)
        digests.extend(found if found is not None else [_digest(parts[i]) for i in range(low, high)])
    return digests


def _cores() -> int:
    """The cores this process may run on (its affinity, where the platform says)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


#: In a helper (``_helper``): the pid of the process that forked it; a helper whose
#: parent is gone (stopped with the early child) stops too, at its next spill.
_forker: list[int] = []


def _helper(parts: Sequence[tuple[str, str, tuple[str, ...]]], low: int, high: int) -> tuple[int, int] | None:
    """A forked process that writes the digests of ``parts[low:high]`` to a pipe, one a
    line: its pid and the pipe; None where it cannot be started."""
    try:
        readable, writable = os.pipe()
    except OSError:
        return None
    forker = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        os.close(readable)
        os.close(writable)
        return None
    if pid == 0:  # the helper: nothing but its digests, then gone
        status = 1
        try:
            _forker[:] = [forker]
            _keep_only(writable)
            text = "".join(_digest(parts[i]) + "\n" for i in range(low, high)).encode("ascii")
            while text:
                text = text[os.write(writable, text) :]
            status = 0
        finally:
            os._exit(status)
    os.close(writable)
    return pid, readable


def _keep_only(pipe: int) -> None:
    """Close every descriptor a helper inherited but ``pipe``, and give it ``/dev/null``
    for its standard streams: a helper left running must not hold a pipe the user's
    shell or the main process waits on (``$(corpus ...)``, ``| cat``)."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        if fd not in (null, pipe):
            os.dup2(null, fd)
    os.closerange(3, pipe)  # ``null`` too, when it is not a standard stream
    os.closerange(pipe + 1, 1 << 16)


def _collected(pid: int, pipe: int, count: int) -> list[str] | None:
    """What helper ``pid`` wrote (``count`` digests), or None when it failed."""
    chunks = []
    try:
        while chunk := os.read(pipe, 1 << 16):
            chunks.append(chunk)
    except OSError:
        chunks = []
    finally:
        os.close(pipe)
    try:
        _, status = os.waitpid(pid, 0)
    except OSError:
        status = 1
    text = b"".join(chunks).decode("ascii", "replace")
    found = text.split("\n")[:-1] if text.endswith("\n") else []
    return found if status == 0 and len(found) == count else None


class _Sink:
    """The SHA-256 of every line given (in ``lines``), joined by newlines."""

    #: Lines held before they are hashed.
    SPILL = 4096

    def __init__(self) -> None:
        import hashlib

        self.hash = hashlib.sha256()
        self.lines: list[str] = []
        self.started = False

    def spill(self) -> None:
        if _forker and os.getppid() != _forker[0]:
            os._exit(1)  # a helper whose parent is gone: nobody waits for its digests
        if self.lines:
            text = "\n".join(self.lines)
            self.hash.update((f"\n{text}" if self.started else text).encode("utf-8", "surrogateescape"))
            self.started = True
            self.lines.clear()

    def hexdigest(self) -> str:
        self.spill()
        return self.hash.hexdigest()


def _scan(folder: str, sink: _Sink, only: Sequence[str] | None = None) -> None:
    # ``lstat`` of each name relative to a descriptor of the folder (``fstatat``), where
    # the platform allows: the kernel does not resolve the whole path again for every
    # file, and no ``DirEntry`` is made (a tenth faster than ``scandir``).  ``only``: these
    # names of the folder (a part of it: ``_parts``), not all.
    lines = sink.lines
    at = os.stat in os.supports_dir_fd and os.listdir in os.supports_fd
    fd = None
    try:
        if at:
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        names = list(only) if only is not None else sorted(os.listdir(folder if fd is None else fd))
    except OSError:
        lines.append(f"{folder}\0unreadable")
        if fd is not None:
            os.close(fd)
        return
    prefix = os.path.join(folder, "")
    stat = os.stat
    try:
        for name in names:
            if len(lines) >= _Sink.SPILL:
                sink.spill()
            where = name if fd is not None else prefix + name
            try:
                info = stat(where, dir_fd=fd, follow_symlinks=False)
                if S_ISDIR(info.st_mode):
                    _scan(prefix + name, sink)
                    continue
                if S_ISLNK(info.st_mode):  # a link counts as what it leads to
                    info = stat(where, dir_fd=fd)
            except OSError:
                lines.append(f"{prefix}{name}\0missing")
                continue
            lines.append(f"{prefix}{name}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_mode:o}")
    finally:
        if fd is not None:
            os.close(fd)


def _stat_line(path: str, lines: list[str]) -> None:
    try:
        info = os.stat(path)
    except OSError:
        lines.append(f"{path}\0missing")
        return
    lines.append(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_mode:o}")


def directories(paths: Iterable[str]) -> list[str]:
    """Every directory under ``paths`` (themselves included) in walk order, and the
    paths that are files."""
    found: list[str] = []
    for top in paths:
        if not os.path.isdir(top):
            found.append(top)
            continue
        for folder, dirs, _ in os.walk(top):
            dirs.sort()
            found.append(folder)
    return found


def directory_fingerprint(folders: Iterable[str]) -> str:
    """The modification times of ``folders``: a file added, removed or renamed in one
    of them changes it (an edit inside a file does not).  A few hundred ``stat`` calls
    where ``fingerprint`` makes one per file: how a frozen index is checked."""
    lines = []
    for folder in folders:
        try:
            lines.append(f"{folder}\0{os.stat(folder).st_mtime_ns}")
        except OSError:
            lines.append(f"{folder}\0missing")
    import hashlib

    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()


def resolve(paths: Iterable[str]) -> tuple[str, ...]:
    """Absolute, symlink-free paths: how an index records its corpus."""
    return tuple(os.path.realpath(os.path.expanduser(p)) for p in paths)


# --------------------------------------------------------------------------- early

_early: dict[str, Any] = {}

#: The options before a command name that take a value, but a path of the corpus
#: (the CLI's root options that take a value are these and ``--corpus``/``-C``).
BEFORE_COMMAND = (
    "--glob",
    "--doc",
    "--where",
    "--text-field",
    "--id-field",
    "--encoding",
    "--norm",
    "--fold",
    "--keep",
    "--color",
    "--index",
)


def corpus_arguments(argv: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """The corpus paths a command line names (``--corpus``, ``-C`` before the command,
    else ``CORPUS_PATH``); empty when it names none or turns the index off.

    A guess made before the real parsing: a wrong guess only wastes the other core.
    """
    if index_choice(argv) == "off":
        return []
    found: list[str] = []
    command_seen = False
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            break
        if arg == "--corpus" or (arg == "-C" and not command_seen):
            found += argv[i + 1 : i + 2]
            i += 2
            continue
        if arg.startswith("--corpus="):
            found.append(arg.split("=", 1)[1])
        elif arg in BEFORE_COMMAND and not command_seen:
            i += 1
        elif not arg.startswith("-") and not command_seen:
            if arg == "index":
                return []  # index commands check freshness themselves, or build
            command_seen = True
        i += 1
    if not found:
        value = environ.get("CORPUS_PATH") or ""
        found = [p for p in value.split(os.pathsep) if p.strip()]
    return [] if "-" in found else found


class Stamps:
    """The fingerprints of a corpus (``fingerprint``; with ``folders`` also its
    directories and theirs), taken in a forked child process from the moment this is
    made, on the other core, while a query starts up (``start_early``).  An index build
    awaits them (``result``) before it lists its files: a file added, changed or made
    readable after that makes the index stale, never fresh without it.  In process
    where there is no ``fork``.  ``when``: a test the child makes first; false, it
    sends nothing.
    """

    def __init__(
        self, paths: Sequence[str], folders: bool = False, when: Callable[[], bool] | None = None
    ) -> None:
        self.paths = tuple(paths)
        self.folders = folders
        self.when = when
        self.child: tuple[int, int] | None = None
        self.taken: tuple[str, list[str] | None, str | None] | None = None
        if hasattr(os, "fork") and sys.platform != "win32":
            from ..engines import forking

            try:
                self.child = forking.start(self._work)
            except OSError:
                self.child = None

    def _work(self, out: int) -> None:
        from ..engines import forking

        forking.send(out, self._take() if self.when is None or self.when() else None)

    def _take(self) -> tuple[str, list[str] | None, str | None]:
        files = fingerprint(self.paths, split_after=SPLIT_AFTER)
        if not self.folders:
            return files, None, None
        folders = directories(self.paths)
        return files, folders, directory_fingerprint(folders)

    def result(self) -> tuple[str, list[str] | None, str | None] | None:
        """The fingerprint of the files, and with ``folders`` the directories and theirs
        (None: ``when`` said no).  Taken once: asked again, the same answer."""
        if self.taken is not None:
            return self.taken
        if self.child is None:
            self.taken = self._take()
            return self.taken
        from ..engines import forking

        try:
            self.taken = forking.receive(self.child[1], "the process fingerprinting the corpus")
        finally:
            self.stop()
        return self.taken

    def stop(self) -> None:
        if self.child is not None:
            from ..engines import forking

            pid, pipe = self.child
            self.child = None
            forking.stop([pid], [pipe])


def start_early(argv: Sequence[str], environ: Mapping[str, str]) -> None:
    """Fingerprint the named corpus in a child process, if an index may be used."""
    paths = corpus_arguments(argv, environ)
    if not paths or not hasattr(os, "fork") or sys.platform == "win32":
        return
    named = index_choice(argv) != "auto"  # --index PATH: an index worth checking
    stamps = Stamps(resolve(paths), when=None if named else any_index)
    if stamps.child is not None:
        _early["stamps"] = stamps


def abandon_early() -> None:
    """Stop the early child, when its fingerprint is not needed after all."""
    stamps = _early.pop("stamps", None)
    if stamps is not None:
        stamps.stop()


def waiting(paths: Sequence[str] | None = None) -> bool:
    """Is an early fingerprint being taken (of ``paths``, if given)?"""
    stamps = _early.get("stamps")
    return stamps is not None and (paths is None or stamps.paths == tuple(paths))


def early_ready() -> bool:
    """Would ``early`` answer at once: the child has sent its fingerprint (or died), or
    there is none to wait for?  A look at its pipe, no wait."""
    stamps = _early.get("stamps")
    if stamps is None or stamps.child is None or stamps.taken is not None:
        return True
    import select

    return bool(select.select([stamps.child[1]], [], [], 0)[0])


def early(paths: Sequence[str]) -> str | None:
    """The early fingerprint of ``paths`` (waiting for the child), or None."""
    stamps = _early.pop("stamps", None)
    if stamps is not None:
        from ..errors import CorpusError

        try:
            taken = stamps.result()
        except CorpusError:  # the child died: computed in process instead
            taken = None
        if taken is not None:
            _early["result"] = (stamps.paths, taken[0])
    result = _early.get("result")
    if result is not None and result[0] == tuple(paths):
        return str(result[1])
    return None


def index_choice(argv: Sequence[str]) -> str:
    """The ``--index`` a command line gives (``auto`` when none): ``off``, or a path."""
    choice = "auto"
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--index" and i + 1 < len(argv):
            choice = argv[i + 1]
        elif arg.startswith("--index="):
            choice = arg.split("=", 1)[1]
    return choice.strip() or "auto"


def any_index() -> bool:
    """Is there any index at all in the cache directory?  (None: nothing to check.)"""
    try:
        return any(name.endswith(SUFFIX) for name in os.listdir(cache_folder()))
    except OSError:
        return False
