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
130   interrupted (Ctrl-C); no partial output is left behind
143   terminated (SIGTERM); no partial output is left behind
141   the reader of stdout closed the pipe (``| head``); nothing printed
70    internal error: a bug in eezmap (one line; ``-vv`` prints the traceback)
====  =========================================================
"""

from __future__ import annotations

import io
import os
import sys
from typing import Any

import click

from ..errors import GeoError, OutputError
from .. import __version__
from ._common import CONTEXT, error_line, fail_line

_COMMANDS = {
    "where": ("where", "Is a point in a country's EEZ? (one point, or a file of points)"),
    "distance": ("distance", "Geodesic distance and bearing between two sites or points."),
    "area": ("area", "Geodesic area of a site or polygon and its share in each zone."),
    "map": ("map_cmd", "Write the standalone offline HTML map (or a PNG/SVG figure)."),
    "export": ("export", "GeoJSON of the sites, Japan's zones and the distance lines."),
    "sites": ("sites", "List the built-in sites with their sources."),
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
              help="Twice (-vv): show the traceback of an error, for a bug report.")
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """EEZ membership, geodesic distances, offline maps and GeoJSON for
    Japan's Minami-Torishima rare-earth mud (Marine Regions EEZ layers).

    \b
    Exit status: 0 yes/success, 1 no, 2 bad input, 3 shared,
    4 unknown (outside coverage; export: incomplete), 5 broken layer data,
    6 download failed (layers fetch), 70 internal error (a bug), 130 interrupted,
    141 stdout pipe closed, 143 terminated.
    """
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose


class Terminated(BaseException):
    """SIGTERM, raised like Ctrl-C's KeyboardInterrupt so that every writer cleans up."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point: run the group, turn errors into one line and a status."""
    import signal

    args = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGTERM, _on_sigterm)
    state: dict[str, Any] = {"verbose": 0}  # the group's -v count, once click has parsed it
    guarded = _guard_stdout()
    try:
        rv = cli.main(args=args, prog_name="eezmap", standalone_mode=False, obj=state)
        sys.stdout.flush()  # a write that fails must fail here, not at exit
    except click.exceptions.Exit as exc:
        return sys.exit(exc.exit_code)
    except _NoArgsIsHelp as exc:  # plain `eezmap` (click >= 8.2): the help, as help
        click.echo(exc.ctx.get_help(), err=True)
        return sys.exit(2)
    except click.ClickException as exc:  # usage errors: one line, exit 2
        name = exc.ctx.command_path if getattr(exc, "ctx", None) else "eezmap"
        hint = f" (see '{name} --help')" if isinstance(exc, click.UsageError) else ""
        fail_line(f"{name}: {exc.format_message()}{hint}")
        return sys.exit(2)
    except click.exceptions.Abort:
        fail_line("eezmap: interrupted")
        return sys.exit(130)
    except KeyboardInterrupt:
        fail_line("eezmap: interrupted; no partial output was left")
        return sys.exit(130)
    except Terminated:
        _discard_stdout(guarded)
        fail_line("eezmap: terminated; no partial output was left")
        return sys.exit(143)
    except (_ReaderGone, BrokenPipeError):  # the reader went away (`| head`): stop quietly, as on SIGPIPE
        _discard_stdout(guarded)
        return sys.exit(141)
    except GeoError as exc:  # LayerError carries exit_code 5, FetchError 6, the others 2
        _discard_stdout(guarded)
        _traceback_or_line(state, exc, error_line(exc))
        return sys.exit(exc.exit_code)
    except Exception as exc:  # a bug: its own status, never 1 ("no")
        _discard_stdout(guarded)
        _traceback_or_line(state, exc, f"eezmap: internal error: {type(exc).__name__}: {exc} "
                                        "(a bug in eezmap; run with -vv for the traceback)")
        return sys.exit(70)
    return sys.exit(rv if isinstance(rv, int) else 0)


def _traceback_or_line(state: dict[str, Any], exc: BaseException, line: str) -> None:
    """-vv: the traceback on stderr; otherwise the one line."""
    if state["verbose"] >= 2:
        import traceback

        traceback.print_exception(exc)
    else:
        fail_line(line)


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
                                  errors=old.errors, line_buffering=old.line_buffering,
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
