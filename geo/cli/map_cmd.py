"""``eezmap map``: the standalone offline HTML map, or a static PNG/SVG figure."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ..sites import Site

from ._common import CONTEXT, layer_option

DEFAULT_MAP = Path("maps") / "minami_torishima.html"


@click.command("map", context_settings=CONTEXT)
@click.option("-o", "--output", metavar="PATH", default=str(DEFAULT_MAP), show_default=True,
              help="HTML file to write (atomically).")
@click.option("--tiles", multiple=True, type=click.Choice(["osm", "ocean"]),
              help="Add an online base layer (OpenStreetMap, Esri Ocean); never needed offline.")
@click.option("--sites", "sites_path", metavar="FILE",
              help="Your own sites to overlay (CSV with name/lat/lon columns, or GeoJSON).")
@click.option("--points", "points_path", metavar="FILE",
              help="Many points to overlay, coloured by their zone answer "
                   "(CSV, GeoJSON, GeoPackage, Parquet).")
@click.option("--png", "png_path", metavar="PATH", help="Also write a static PNG figure.")
@click.option("--svg", "svg_path", metavar="PATH", help="Also write a static SVG figure.")
@click.option("--island", "island", metavar="ID",
              help="Also draw the EEZ area that exists only because of this built-in island "
                   "(e.g. okinotorishima), with its km².")
@layer_option
def command(output: str, tiles: tuple[str, ...], sites_path: str | None, points_path: str | None,
            png_path: str | None, svg_path: str | None, island: str | None, layers: tuple[str, ...]) -> int:
    """Write a standalone Leaflet map that works offline: Japan's EEZ and its
    neighbours, the 200 NM limit around Minami-Torishima, the rare-earth mud
    area, the approximate 2026 Chikyu site, the JOGMEC contract area, geodesic
    distance lines, the 1:10m depth bands, the ISA contract areas near the
    view, the island's computed 12/24 NM lines, an overview inset, legend,
    layer control, scale, measure tool and the attribution of every layer."""
    from .. import map as render
    from .._io import HTML_SUFFIXES, check_outputs

    # every output is checked before anything is computed or written
    # the default maps/ is the program's own choice: made when missing (a named path's directory never is)
    make_default_dir = output == str(DEFAULT_MAP) and not DEFAULT_MAP.parent.exists()
    check_outputs([("output", None if make_default_dir else output, HTML_SUFFIXES),
                   ("--png", png_path, (".png",)),
                   ("--svg", svg_path, (".svg",))], sites_path, points_path)
    user_sites: tuple[Site, ...] = ()
    if sites_path:
        from ..sites import read_user_sites

        user_sites = read_user_sites(sites_path)
    points = None
    if points_path:
        from ..io.read import read_points

        points = read_points(points_path)
    kwargs = dict(layers=layers or None, tiles=tiles, user_sites=user_sites, points=points, island=island)
    if make_default_dir:
        DEFAULT_MAP.parent.mkdir(exist_ok=True)
    path = render.write_map(output, **kwargs)
    size = path.stat().st_size
    click.echo(f"wrote {path} ({size / 1e6:.2f} MB, standalone: works offline)")
    for fig in (png_path, svg_path):
        if fig:
            click.echo(f"wrote {render.write_figure(fig, **kwargs)}")
    return 0
