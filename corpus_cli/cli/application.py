"""The Typer application: the root callback, the ``command`` decorator and ``main``.

``command`` registers a command with the options every command shares
(``options.SHARED_OPTIONS``: the corpus, how it is read and normalized, ``--color``,
``--index``), which go after a command's name as well as before it (given on both sides,
the one after the name wins: ``settings.Settings.of``).  It maps what goes wrong to exit
codes: a ``CorpusError`` becomes one ``corpus: ...`` line and exit 2, a broken pipe exit 0,
Ctrl-C exit 130; an answer from an index found stale runs again without it.  ``main``
runs the app outside Click's standalone mode, so usage errors end the same way.
"""

import errno
import functools
import os
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand

from .. import __version__
from ..errors import CorpusError, DamagedIndex, StaleIndex
from ..index.fingerprint import BEFORE_COMMAND, abandon_early
from ..output import held
from .documents import STALE_INDEX
from .options import (
    MATCHING_OPTIONS,
    ROW_OPTIONS,
    SHARED_OPTIONS,
    ColorOpt,
    CorpusOpt,
    DocOpt,
    EncodingOpt,
    FoldOpt,
    GlobOpt,
    IdFieldOpt,
    IndexOpt,
    KeepOpt,
    NormOpt,
    TextFieldOpt,
    WhereOpt,
    expand_bare_options,
)
from .session import SETTINGS_KEY
from .settings import Defaults, Settings

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="corpus",
    help="Query Arabic text corpora: list, grep, concordance (kwic), frequencies.\n\n"
    "Matching ignores what readers ignore (diacritics, tatweel, alef variants...) "
    "while everything shown is the original text.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"corpus {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    corpus: CorpusOpt = None,
    glob: GlobOpt = None,
    doc: DocOpt = None,
    where: WhereOpt = None,
    text_field: TextFieldOpt = None,
    id_field: IdFieldOpt = None,
    encoding: EncodingOpt = None,
    norm: NormOpt = None,
    fold: FoldOpt = None,
    keep: KeepOpt = None,
    color: ColorOpt = None,
    index: IndexOpt = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    ctx.obj = Defaults(
        corpus=corpus,
        glob=glob,
        doc=doc,
        where=where,
        text_field=text_field,
        id_field=id_field,
        encoding=encoding,
        norm=norm,
        fold=fold,
        keep=keep,
        color=color,
        index=index,
    )


class _Command(TyperCommand):
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, expand_bare_options(args))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """The help, its examples (``examples``) at the end: looked up only for --help."""
        from .examples import epilog

        self.epilog = self.epilog or epilog(ctx.command_path.partition(" ")[2])  # "index build"
        super().format_help(ctx, formatter)


def command(
    name: str | None = None,
    *,
    shared: tuple[str, ...] = tuple(SHARED_OPTIONS),
    overrides: dict[str, Any] | None = None,
    target: typer.Typer | None = None,
    matching: bool = False,
    **kwargs: Any,
) -> Callable[[F], F]:
    """Register a command: add the ``shared`` options, map errors to exit codes.

    ``overrides`` replaces the declaration of a shared option (grep's ``--corpus``
    has no ``-C``, which is grep's context option there); ``matching`` adds the
    options of commands that match a pattern (``--timeout``).
    """
    if matching:
        shared = (*shared, *MATCHING_OPTIONS)
    import inspect

    def register(fn: F) -> F:
        signature = inspect.signature(fn)
        declared = {**SHARED_OPTIONS, **MATCHING_OPTIONS, **ROW_OPTIONS, **(overrides or {})}
        rows = tuple(ROW_OPTIONS) if "no_header" in signature.parameters else ()
        extra = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=declared[name])
            for name in (*shared, *rows)
            if name not in signature.parameters
        ]
        positional = [p for p in signature.parameters.values() if p.kind is not p.KEYWORD_ONLY]
        keyword = [p for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY]
        parameters = [
            p.replace(kind=p.POSITIONAL_OR_KEYWORD) if p.kind is p.KEYWORD_ONLY else p
            for p in [*positional, *keyword, *extra]
        ]

        @functools.wraps(fn)
        def run(*args: Any, **kw: Any) -> Any:
            values = {p.name: kw.pop(p.name, None) for p in extra}
            context = kw.get("ctx") or next((a for a in args if isinstance(a, typer.Context)), None)
            try:
                settings = Settings.of(values, context.obj if context is not None else None)
                if context is not None:
                    context.meta[SETTINGS_KEY] = settings
                body = _for_format(fn, kw.get("fmt"))
                held.forget()
                try:
                    result = _settled(body, args, kw)
                except StaleIndex as exc:  # answered from an index found stale or damaged since
                    held.drop()
                    if isinstance(exc, DamagedIndex) and settings.index_choice != "auto":
                        raise CorpusError(exc.error) from None
                    _error(f"warning: {exc}" if str(exc) else f"warning: {STALE_INDEX}")
                    if context is not None:  # again without it, not writing twice what went out
                        context.meta[SETTINGS_KEY] = settings._replace(index_option="off")
                    abandon_early()
                    held.resume()
                    result = _settled(body, args, kw)
                sys.stdout.flush()
                return result
            except CorpusError as exc:
                _error(str(exc))
                raise typer.Exit(2) from None
            except BrokenPipeError:
                _silence_stdout()
                raise typer.Exit(0) from None
            except KeyboardInterrupt:
                raise typer.Exit(130) from None
            except (typer.Exit, typer.Abort):
                raise
            except Exception as exc:
                _unexpected(exc)
                raise typer.Exit(2) from None

        run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        (target or app).command(name, cls=_Command, **kwargs)(run)
        return fn

    return register


def _for_format(fn: Callable[..., Any], fmt: Any) -> Callable[..., Any]:
    """``fn`` as ``--format`` needs it run.  xlsx is refused before any work when it
    cannot be written, and the sheets that rows went to are written when the command
    ends well (exit 0 or 1), dropped when it fails."""
    if not (isinstance(fmt, str) and fmt.lower() == "xlsx"):
        return fn
    from ..output import environment
    from ..output.spreadsheet import check_xlsx, close_sheets, drop_sheets

    check_xlsx(environment.current().stdout_isatty)

    @functools.wraps(fn)
    def writing(*args: Any, **kw: Any) -> Any:
        try:
            result = fn(*args, **kw)
        except typer.Exit as exc:
            (close_sheets if exc.exit_code in (0, 1) else drop_sheets)()
            raise
        except BaseException:
            drop_sheets()
            raise
        close_sheets()
        return result

    return writing


def _settled(fn: Callable[..., Any], args: tuple[Any, ...], kw: dict[str, Any]) -> Any:
    """``fn(*args, **kw)``, its held output written out once the index it came from
    proves fresh (``held``): when it returns or fails, but not when it is interrupted."""
    try:
        result = fn(*args, **kw)
    except (KeyboardInterrupt, StaleIndex):
        held.drop()
        raise
    except BaseException:
        held.settle(final=True)
        held.finish()
        held.drop()
        raise
    held.settle(final=True)
    held.finish()
    held.drop()
    return result


def _unexpected(exc: Exception) -> None:
    """Say what went wrong outside the errors the core raises (exit 2), or re-raise it
    for a traceback under ``CORPUS_DEBUG``."""
    import sqlite3

    from ..output import environment

    if _write_failed(exc):
        return
    if environment.current().debug:
        raise exc
    if isinstance(exc, sqlite3.Error):  # only indexes are SQLite files
        _error(f"damaged index ({exc}); rebuild it with 'corpus index build' or use --index off")
        return
    _error(f"internal error: {type(exc).__name__}: {exc} (set CORPUS_DEBUG=1 for a traceback)")


def _error(message: str) -> None:
    from ..output.terminal import say

    try:
        say(sys.stderr, message)
        sys.stderr.flush()
    except OSError:  # stderr full or closed: nowhere left to say it
        pass


#: How writing to stdout fails: closed (``>&-``), a full disk or ``/dev/full``, a quota,
#: a file too big, a terminal gone.
_WRITE_ERRNOS = frozenset({errno.EBADF, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def _write_failed(exc: BaseException) -> bool:
    """Is ``exc`` a failed write of the output?  If so, say so as grep does
    (``corpus: write error: ...``) and drop what is still pending, so that the flush at
    exit cannot fail again.  (An error about a file names the file.)"""
    if not isinstance(exc, OSError) or exc.errno not in _WRITE_ERRNOS or exc.filename is not None:
        return False
    _error(f"write error: {exc.strerror}")
    _silence_stdout()
    return True


def _silence_stdout() -> None:
    """After EPIPE, point stdout at /dev/null so the exit-time flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


#: Root options that take a value (so the subcommand name can be found after them).
_ROOT_VALUE_OPTIONS = {"--corpus", "-C", *BEFORE_COMMAND}


def invoked_command(argv: list[str]) -> str | None:
    """The subcommand named on the command line, if any."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in _ROOT_VALUE_OPTIONS:
            i += 2
        elif arg.startswith("-"):
            i += 1
        else:
            return arg
    return None


def _app_for(argv: list[str]) -> typer.Typer:
    """An app holding only the invoked command.

    Typer builds every command's parameters on each run; building just the one that
    runs keeps start-up short (Click's "lazily loading subcommands" idea).
    """
    name = invoked_command(argv)
    chosen = [c for c in app.registered_commands if c.name == name]
    if not chosen:
        return app
    lean = typer.Typer(
        name=app.info.name,
        help=app.info.help,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings=app.info.context_settings,
    )
    lean.registered_callback = app.registered_callback
    lean.registered_commands = chosen
    return lean


def _command_path(ctx: Any) -> str:
    """``corpus index build``: the names of a context and of its parents, as typed."""
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    return " ".join(["corpus", *reversed(names)])


def main() -> None:
    """Entry point of the ``corpus`` script.

    Runs the command outside Click's standalone mode so that every failure, usage
    errors included, ends as one ``corpus: …`` line on stderr with exit code 2.
    """
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
    from typer.main import get_command

    argv = sys.argv[1:]
    try:
        command = get_command(_app_for(argv))
        code = command.main(args=argv, prog_name="corpus", standalone_mode=False)
        sys.stdout.flush()
        sys.exit(code if isinstance(code, int) else 0)
    except NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(2)
    except UsageError as exc:
        _error(f"{exc.format_message().rstrip('.')}; see '{_command_path(exc.ctx)} --help'")
        sys.exit(2)
    except ClickException as exc:
        _error(exc.format_message())
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(130)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(0)
    except Exception as exc:  # outside a command (start-up)
        _unexpected(exc)
        sys.exit(2)
