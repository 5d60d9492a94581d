"""``eezmap area``: geodesic area of a site or user polygon and its share in each zone."""

from __future__ import annotations

import click

from ._common import (CONTEXT, indent_option, json_option, layer_option, print_json,
                      refuse_indent_without_json)


@click.command("area", context_settings=CONTEXT)
@click.argument("target", metavar="SITE|FILE")
@json_option
@indent_option
@layer_option
def command(target: str, as_json: bool, indent: int | None, layers: tuple[str, ...]) -> int:
    """Geodesic area of an area site (e.g. rey-mud-area) or of every polygon in
    a GeoJSON/GeoPackage FILE, the share of it inside each zone, and how far its
    outline comes to the zone's boundary when it lies in one zone."""
    refuse_indent_without_json(click.get_current_context())
    from ..zones import area_in_zones

    layer = layers[0] if layers else "mr-v12-eez-nw-pacific"
    items = _targets(target)
    reports = [(name, area_in_zones(geom, layer=layer)) for name, geom in items]
    if as_json:
        print_json({"areas": [dict(name=n, **r.to_json()) for n, r in reports]}, indent)
        return 0
    for name, r in reports:
        click.echo(f"{name}: {r.area_km2:,.1f} km² (geodesic, WGS84)")
        for s in r.shares:
            where = f"{s.zone['name']} (MRGID {s.zone['mrgid']}, {s.status})" if s.zone else \
                "in no zone (high seas, land or outside the layer)"
            click.echo(f"  {s.percent:6.2f} %  {s.area_km2:>12,.1f} km²  {where}")
        if r.nearest_boundary_km is not None and r.nearest_boundary_point:
            p = r.nearest_boundary_point
            click.echo(f"  nearest point of the outline to the zone boundary: {r.nearest_boundary_km:,.1f} km "
                       f"({r.nearest_boundary_km / 1.852:,.1f} NM), at {p['outline_lat']:.4f}°, "
                       f"{p['outline_lon']:.4f}°")
        click.echo(f"  layer: {r.layer.id} (version {r.layer.version})")
    return 0


def _targets(target: str) -> list[tuple[str, object]]:
    from pathlib import Path

    from ..errors import InputFileError, SiteError
    from ..sites import get_site, load_sites

    if not Path(target).exists():
        site = get_site(target) if target in {s.id for s in load_sites()} else None
        if site is None:
            raise SiteError(f"'{target}' is neither an area site ("
                            + ", ".join(s.id for s in load_sites() if s.is_area) + ") nor an existing file")
        if not site.is_area:
            raise SiteError(f"site '{target}' is a point, not an area")
        return [(site.name, site.geometry)]
    from ..batch import _read_whole

    frame = _read_whole(target)
    if "geometry" not in frame.columns:
        raise InputFileError(f"{target} has no geometries; give a GeoJSON or GeoPackage of polygons")
    names = frame["name"].astype(str).tolist() if "name" in frame.columns else [
        f"feature {i + 1}" for i in range(len(frame))]
    out = []
    for name, g in zip(names, frame.geometry):
        if g is None or g.geom_type not in ("Polygon", "MultiPolygon"):
            raise InputFileError(f"{target}: '{name}' is not a polygon")
        if not g.is_valid:
            raise InputFileError(f"{target}: '{name}' is an invalid polygon")
        out.append((name, g))
    return out
