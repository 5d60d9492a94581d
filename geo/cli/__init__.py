"""The ``eezmap`` command line: a click group, one module per subcommand.

The CLI is a thin shell over the library: parse, call one library function,
format.  Every deliberate error becomes one line on stderr and an exit status:

====  =========================================================
0     yes (``where``), or success
1     no (``where``)
2     bad input: usage, coordinates, country, input files, output paths
      (stdout that cannot be written included)
3     shared: an overlapping claim or joint regime the country is party to
4     unknown: outside every loaded layer's coverage, for a country no
      loaded layer covers completely; ``export``: the layer does not hold
      every zone of the country (the file is written, with notes)
5     a bundled or user layer is missing, corrupted or malformed
6     a download failed (``layers fetch``): network, timeout, HTTP error
      or a malformed or incomplete response; nothing was replaced
70    internal error: a bug in eezmap (one line; ``-vv`` prints the traceback)
129   hung up (SIGHUP: the terminal or ssh session closed); no partial output is left
130   interrupted (Ctrl-C); no partial output is left behind
141   the reader of stdout closed the pipe (``| head``); nothing printed
143   terminated (SIGTERM); no partial output is left behind
====  =========================================================
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
from typing import Any, NoReturn

import click

from .. import __version__
from ..errors import GeoError, OutputError
from . import _log
from ._common import CONTEXT, error_line, fail_line, translate

_COMMANDS = {
    "where": ("where", "Is a point in a country's EEZ? (one point, or a file of points)"),
    "distance": ("distance", "Geodesic distance and bearing between two sites or points."),
    "area": ("area", "Geodesic area of a site or polygon and its share in each zone."),
    "map": ("map_cmd", "Write the standalone offline HTML map (or a PNG/SVG figure)."),
    "export": ("export", "GeoJSON of the sites, Japan's zones and the distance lines."),
    "sites": ("sites", "List the built-in sites with their sources."),
    "island": ("island", "What an island is worth: the EEZ area that exists only because of it."),
    "layers": ("layers", "List the layers with their sources; fetch, add or choose layers."),
    "serve": ("serve", "Answer over HTTP on 127.0.0.1 (needs the 'serve' extra: fastapi, uvicorn)."),
}


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """``eezmap --version``: the program's version, then each bundled layer's id and version."""
    if not value or ctx.resilient_parsing:
        return
    from ..layers import manifest

    click.echo(f"eezmap {__version__}")
    for info in manifest():
        if not info.user:
            click.echo(f"  {info.id}  {info.version}")
    ctx.exit(0)


class _LazyGroup(click.Group):
    """Imports a subcommand's module only when it runs: `where` never pays for folium."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in _COMMANDS:
            return None
        import importlib

        module = importlib.import_module(f"{__name__}.{_COMMANDS[name][0]}")
        return module.command  # type: ignore[no-any-return]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_) for name, (_, help_) in _COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=_LazyGroup, context_settings=CONTEXT)
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and the bundled layers' versions, and exit.")
@click.option("-v", "--verbose", count=True,
              help="More on stderr: once, what the run did and an error's causes; twice (-vv), "
                   "debugging messages and an error's traceback, for a bug report.")
@click.option("-q", "--quiet", count=True, help="Less on stderr: no notes, no progress; errors only.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: int) -> None:
    """EEZ membership, geodesic distances, offline maps and GeoJSON for
    Japan's Minami-Torishima rare-earth mud (Marine Regions EEZ layers).

    \b
    Exit status: 0 yes/success, 1 no, 2 bad input, 3 shared,
    4 unknown (outside coverage; export: incomplete), 5 broken layer data,
    6 download failed (layers fetch), 70 internal error (a bug), 129 hung up, 130 interrupted,
    141 stdout pipe closed, 143 terminated.
    """
    state = ctx.ensure_object(dict)
    state["verbose"] = verbose - quiet
    state["undo"].append(_log.configure(verbose, quiet))
    if _log.quiet():
        from .. import _progress

        _progress.set_default(False)
        state["undo"].append(lambda: _progress.set_default(None))


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised like Ctrl-C's KeyboardInterrupt so that every writer cleans up."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(signum)
        self.signum = int(signum)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, as :func:`main` raises it: caught wherever KeyboardInterrupt is (click, the writers).

    Not KeyboardInterrupt itself: when a *plain* KeyboardInterrupt escapes code given to
    ``exec()``/``eval()`` as a string (``collections.namedtuple`` runs such code, e.g. when pyarrow
    is first imported in the middle of a batch), CPython remembers it as unhandled even if it is
    caught later, and ends a ``python -m geo`` run by killing itself with SIGINT (status -2, not
    130; ``_Py_UnhandledKeyboardInterrupt``, bpo-1054041).  It compares the exception's exact type.
    """


def _on_signal(signum: int, frame: Any) -> None:
    """The first Ctrl-C or SIGTERM: ignore the next ones, then unwind (every writer cleans up).

    A second signal must neither interrupt the cleanup (a temporary file would stay) nor, once
    the interpreter has restored the default actions on its way out, kill the process (status
    -2 or -15 instead of 130 or 143).  Ignored, they stay ignored until the process ends.
    """
    _ignore_signals()
    from .._io import request_stop

    exc = Interrupted() if signum == signal.SIGINT else Terminated(signum)
    request_stop(exc)  # the writers check it before committing, should *exc* be swallowed on its way
    raise exc


#: Ctrl-C; kill's default; a closed terminal or ssh session (the same case: clean up, then go)
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _ignore_signals() -> None:
    for sig in _SIGNALS:
        with contextlib.suppress(ValueError):  # ValueError: not the main thread (an in-process caller)
            signal.signal(sig, signal.SIG_IGN)


def _install_handlers() -> None:
    """:func:`_on_signal` for Ctrl-C and SIGTERM, unless the signal is ignored (``nohup``, ``cmd &``)
    or Ctrl-C has a handler of the caller's (in-process)."""
    for sig in _SIGNALS:
        current = signal.getsignal(sig)
        if current is signal.SIG_IGN or (sig == signal.SIGINT and current is not signal.default_int_handler):
            continue
        with contextlib.suppress(ValueError):
            signal.signal(sig, _on_signal)


def main(argv: list[str] | None = None) -> NoReturn:
    """Console-script entry point: run the group, turn errors into one line and a status, exit."""
    sys.exit(run(sys.argv[1:] if argv is None else argv, restore_signals=argv is not None))


def run(args: list[str], *, restore_signals: bool = True) -> int:
    """Run ``eezmap ARGS`` in this process and return the exit status :func:`main` exits with.

    Errors become one line on stderr and their status, as for the program; tests run it
    inside click's ``CliRunner`` isolation.  Signal handlers and logging are set for the
    run and given back after it (*restore_signals* false: the program, which is ending).
    """
    saved = {sig: signal.getsignal(sig) for sig in _SIGNALS}
    _install_handlers()
    state: dict[str, Any] = {"verbose": 0, "undo": []}  # the group's -v minus -q, once click has parsed it
    guarded = _guard_stdout()
    try:
        return _run(args, state, guarded)
    finally:
        for undo in reversed(state["undo"]):
            undo()
        if restore_signals:  # in-process (tests): give the caller its handlers back
            for sig, handler in saved.items():
                # TypeError: None, a handler not set from Python
                with contextlib.suppress(ValueError, TypeError):
                    signal.signal(sig, handler)


def _run(args: list[str], state: dict[str, Any], guarded: bool) -> int:
    from .._io import check_stop, request_stop

    request_stop(None)
    try:
        rv = cli.main(args=args, prog_name="eezmap", standalone_mode=False, obj=state)
        check_stop()  # a stop whose exception was swallowed on its way up still ends the run as one
        sys.stdout.flush()  # a write that fails must fail here, not at exit
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except _NoArgsIsHelp as exc:  # plain `eezmap` (click >= 8.2): the help, as help
        click.echo(exc.ctx.get_help(), err=True)
        return 2
    except click.ClickException as exc:  # usage errors: one line, exit 2
        ctx: click.Context | None = getattr(exc, "ctx", None)
        name = ctx.command_path if ctx is not None else "eezmap"
        hint = f" (see '{name} --help')" if isinstance(exc, click.UsageError) else ""
        fail_line(f"{name}: {exc.format_message()}{hint}")
        return 2
    except click.exceptions.Abort:
        _ignore_signals()  # the exit is under way: a second Ctrl-C must not turn it into a traceback
        fail_line("eezmap: interrupted")
        return 130
    except KeyboardInterrupt:
        _ignore_signals()
        fail_line("eezmap: interrupted; no partial output was left")
        return 130
    except Terminated as exc:
        _ignore_signals()
        _discard_stdout(guarded)
        what = "hung up (SIGHUP)" if exc.signum == signal.SIGHUP else "terminated"
        fail_line(f"eezmap: {what}; no partial output was left")
        return 128 + exc.signum  # 143 for SIGTERM, 129 for SIGHUP, as a shell reports them
    except (_ReaderGone, BrokenPipeError):  # the reader went away (`| head`): stop quietly, as on SIGPIPE
        _discard_stdout(guarded)
        return 141
    except GeoError as exc:  # LayerError carries exit_code 5, FetchError 6, the others 2
        _discard_stdout(guarded)
        _traceback_or_line(state, exc, error_line(translate(exc)))
        return exc.exit_code
    except Exception as exc:  # a bug: its own status, never 1 ("no")
        _discard_stdout(guarded)
        _traceback_or_line(state, exc, f"eezmap: internal error: {type(exc).__name__}: {exc} "
                                        "(a bug in eezmap; run with -vv for the traceback)")
        return 70
    return rv if isinstance(rv, int) else 0


def _traceback_or_line(state: dict[str, Any], exc: BaseException, line: str) -> None:
    """-vv: the traceback on stderr, with the causes; otherwise the one line (-v: and the causes)."""
    if state["verbose"] >= 2:
        import traceback

        traceback.print_exception(exc)
        return
    fail_line(line)
    cause = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    while cause is not None:
        _log.log.info("cause: %s: %s", type(cause).__name__, " ".join(str(cause).split("\n")))
        cause = cause.__cause__ or (None if cause.__suppress_context__ else cause.__context__)


#: click 8.2 raises this for a group run without arguments; 8.1 prints the help and exits 0
_NoArgsIsHelp: Any = getattr(click.exceptions, "NoArgsIsHelpError", ())


class _ReaderGone(Exception):
    """The reader of stdout closed the pipe (not an OSError, so that nothing on the way
    mistakes it for a failure to report: click would exit 1, which means 'no')."""


class _Stdout(io.RawIOBase):
    """File descriptor 1, whose failed write is an :class:`OutputError` (one line, exit 2).

    A full disk or a closed device under ``> FILE`` is the user's output path
    failing, not a bug.  A reader that went away is :class:`_ReaderGone` (exit 141).
    """

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def write(self, data: Any) -> int:
        try:
            return os.write(self._fd, data)
        except BrokenPipeError:
            raise _ReaderGone() from None
        except OSError as exc:
            raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from exc


def _guard_stdout() -> bool:
    """Route sys.stdout through :class:`_Stdout` when it is the process's fd 1."""
    try:
        if sys.stdout is None or sys.stdout.fileno() != 1:
            return False
        sys.stdout.flush()
    except (AttributeError, OSError, ValueError):  # replaced by a test harness: leave it be
        return False
    old = sys.stdout
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(_Stdout(1)), encoding=old.encoding,
                                  errors=old.errors, line_buffering=bool(old.line_buffering),
                                  write_through=False)
    return True


def _discard_stdout(guarded: bool) -> None:
    """After a failed write, drop what is still buffered (it cannot be written either)."""
    if not guarded:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass
