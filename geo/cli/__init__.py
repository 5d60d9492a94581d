"""The ``eezmap`` command line: a click group, one module per subcommand.

The CLI is a thin shell over the library: parse, call one library function,
format.  Every deliberate error becomes one line on stderr and an exit status:

====  =========================================================
0     yes (``where``), or success
1     no (``where``)
2     bad input: usage, coordinates, country, input files, output paths
3     shared: an overlapping claim or joint regime the country is party to
4     unknown: outside every loaded layer's coverage, for a country no
      loaded layer covers completely
5     a bundled or user layer is missing, corrupted or malformed
6     a download failed (``layers fetch``): network, timeout, HTTP error
      or a malformed or incomplete response; nothing was replaced
130   interrupted (Ctrl-C); no partial output is left behind
143   terminated (SIGTERM); no partial output is left behind
====  =========================================================
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import GeoError
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
@click.option("-v", "--verbose", count=True, help="Show details; -vv shows tracebacks of errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """EEZ membership, geodesic distances, offline maps and GeoJSON for
    Japan's Minami-Torishima rare-earth mud (Marine Regions EEZ layers).

    \b
    Exit status: 0 yes/success, 1 no, 2 bad input, 3 shared,
    4 unknown (outside coverage), 5 broken layer data,
    6 download failed (layers fetch), 130 interrupted, 143 terminated.
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
    verbose = sum(a.count("v") for a in args if a.startswith("-") and set(a[1:]) == {"v"}) + (
        2 if "--verbose" in args else 0)
    try:
        rv = cli.main(args=args, prog_name="eezmap", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return sys.exit(exc.exit_code)
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
        fail_line("eezmap: terminated; no partial output was left")
        return sys.exit(143)
    except BrokenPipeError:
        return sys.exit(0)
    except GeoError as exc:  # LayerError carries exit_code 5, FetchError 6, the others 2
        if verbose >= 2:
            raise
        fail_line(error_line(exc))
        return sys.exit(exc.exit_code)
    return sys.exit(rv if isinstance(rv, int) else 0)
