"""``eezmap area``: geodesic area of a site or user polygon and its share in each zone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

from ._common import CONTEXT, indent_option, json_option, layer_option, print_json, refuse_indent_without_json


@click.command("area", context_settings=CONTEXT)
@click.argument("target", metavar="SITE|FILE")
@json_option
@indent_option
@layer_option
def command(target: str, as_json: bool, indent: int | None, layers: tuple[str, ...]) -> int:
    """Geodesic area of an area site (e.g. rey-mud-area) or of every polygon in
    a GeoJSON/GeoPackage FILE, the share of it in each zone, on land, on the
    high seas and outside every layer's coverage, and how far its outline
    comes to the zone's boundary when it lies in one zone.  Layers are chosen
    as for 'where' (--layer, else the defaults); longitudes may be 0–360 and
    rings may cross 180°."""
    refuse_indent_without_json(click.get_current_context())
    from ..areas import area_in_zones

    items = _targets(target)
    if as_json:
        print_json(json_object(items, layers), indent)
        return 0
    reports = [(name, area_in_zones(geom, layers=layers or None)) for name, geom in items]
    for name, r in reports:
        several = len(r.layers) > 1
        click.echo(f"{name}: {r.area_km2:,.1f} km² (geodesic, WGS84)")
        for s in r.shares:
            where = (f"{s.zone['name']} (MRGID {s.zone['mrgid']}, {s.status})" if s.zone
                     else _NO_ZONE[s.status])
            tag = f"  [{s.layer}]" if several and s.layer else ""
            click.echo(f"  {s.percent:6.2f} %  {s.area_km2:>12,.1f} km²  {where}{tag}")
        if r.nearest_boundary_km is not None and r.nearest_boundary_point:
            p = r.nearest_boundary_point
            click.echo("  nearest point of the outline to the zone boundary: "
                       f"{r.nearest_boundary_km:,.1f} km "
                       f"({r.nearest_boundary_km / 1.852:,.1f} NM), at {p['outline_lat']:.4f}°, "
                       f"{p['outline_lon']:.4f}°")
        names = [f"{i.id} (version {i.version}{', coarse' if i.coarse else ''})"
                 for i in r.layers or (r.layer,)]
        click.echo(f"  {'layers' if several else 'layer'}: {'; '.join(names)}")
    return 0


_NO_ZONE = {
    "land": "land (or islands and reefs left out of the zones)",
    "high_seas": "high seas (in no zone of the layer)",
    "outside_coverage": "outside the coverage of every loaded layer",
}


def json_object(items: list[tuple[str, BaseGeometry]],
                layers: tuple[str, ...] | list[str] = ()) -> dict[str, Any]:
    """The ``eezmap area --json`` object for named polygons (the service's ``/area`` too)."""
    from ..areas import area_in_zones

    return {"areas": [dict(name=n, **area_in_zones(g, layers=layers or None).to_json()) for n, g in items]}


def site_area(target: str, file_hint: bool = True) -> list[tuple[str, BaseGeometry]]:
    """The named polygon of an area site; SiteError for a point site or an unknown id."""
    from ..errors import SiteError
    from ..sites import get_site, load_sites

    site = get_site(target) if target in {s.id for s in load_sites()} else None
    if site is None:
        raise SiteError(f"'{target}' is neither an area site ("
                        + ", ".join(s.id for s in load_sites() if s.is_area) + ")"
                        + (" nor an existing file" if file_hint else ""))
    if not site.is_area:
        raise SiteError(f"site '{target}' is a point, not an area")
    return [(site.name, site.geometry)]


def _targets(target: str) -> list[tuple[str, BaseGeometry]]:
    from pathlib import Path

    if not Path(target).exists():
        return site_area(target)
    from ..io.read import read_whole as _read_whole

    return polygons(target, _read_whole(target))


def polygons(target: str, frame: Any) -> list[tuple[str, BaseGeometry]]:
    """The named, checked polygons of a frame read from *target* (a file, or a request body)."""
    from ..errors import InputFileError

    if len(frame) == 0:
        raise InputFileError(f"{target} is empty: it has no features to measure")
    if "geometry" not in frame.columns:
        raise InputFileError(f"{target} has no geometries; give a GeoJSON or GeoPackage of polygons")
    names = frame["name"].astype(str).tolist() if "name" in frame.columns else [
        f"feature {i + 1}" for i in range(len(frame))]
    out = []
    for name, g in zip(names, frame.geometry, strict=True):
        if g is None or g.geom_type not in ("Polygon", "MultiPolygon"):
            raise InputFileError(f"{target}: '{name}' is not a polygon")
        if not g.is_valid:
            raise InputFileError(f"{target}: '{name}' is an invalid polygon")
        x0, y0, x1, y1 = g.bounds
        if not (y0 >= -90 and y1 <= 90 and x0 >= -180 and x1 <= 360):
            raise InputFileError(f"{target}: '{name}' is out of range: latitude -90..90, "
                                 "longitude -180..360 (is it in longitude/latitude?)")
        out.append((name, g))
    return out
