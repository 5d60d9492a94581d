"""``eezmap export``: GeoJSON of the sites, Japan's zones and the distance lines."""

from __future__ import annotations

import click

from ._common import CONTEXT, indent_option


@click.command("export", context_settings=CONTEXT)
@click.option("-o", "--output", metavar="PATH", default="-", show_default=True,
              help="GeoJSON file to write ('-' = stdout, so it pipes: eezmap export | jq).")
@click.option("--country", default="JPN", show_default=True, help="Whose zones (and their neighbours).")
@indent_option
def command(output: str, country: str, indent: int | None) -> int:
    """Export GeoJSON (RFC 7946) of the sites, the zones that touch COUNTRY's
    and the geodesic distance lines from Minami-Torishima, with their properties
    and the citation of every layer used.

    \b
    Exit 4 (the file is still written) when the layer does not hold every zone
    of COUNTRY: what is missing is said on stderr and in the collection's
    "notes"; zones cut at the layer's edge carry "clipped": true.
    """
    from ..export import feature_collection, write_geojson
    from ..zones import resolve_country

    fc = feature_collection(resolve_country(country))
    path = write_geojson(output, fc, indent)
    if path is not None:
        click.echo(f"wrote {path} ({len(fc['features'])} features)", err=True)
    for note in fc["notes"]:
        click.echo(f"eezmap export: incomplete: {note}", err=True)
    return 0 if fc["complete"] else 4
