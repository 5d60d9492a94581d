"""What the map shows, computed once for every medium (the HTML map and the figure).

The scene loads the layers through :mod:`geo.layers` and :mod:`geo.sites`,
simplifies zones, land and depth bands for drawing, and asks :mod:`geo.zones`,
:mod:`geo.geodesy` and :mod:`geo.seabed` for every number the map states
(key figures, distances, boundary texts).  It returns plain text and
geometries; :mod:`geo.map.html`, :mod:`geo.map.leaflet` and :mod:`geo.map.figure`
escape and draw them.

Display geometry only
---------------------
Zones are simplified for the screen with :func:`shapely.coverage_simplify`
over all zones of a layer together, so neighbours keep their shared edges (no
gaps, no slivers), then rounded to 0.001° (the v12 extract's own grid).  Every
figure the map *states* (areas, distances, zone answers) is computed on the
full geometry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from ..coords import wrap_lon
from .style import ISLAND_LINES

#: Title of the default map.
DEFAULT_TITLE = "Minami-Torishima: Japan's EEZ and the rare-earth mud"

#: The country the zones are styled and the points answered for.
COUNTRY = "JPN"

#: Tolerance of the coverage-preserving display simplification, in degrees
#: (about 0.55 km; under one screen pixel at the map's opening zoom).
DISPLAY_TOLERANCE_DEG = 0.005

#: Decimals kept in displayed zone and land coordinates (0.001° ≈ 110 m).
DISPLAY_DECIMALS = 3

#: Decimals kept for sites, lines and the 200 NM circle (≈ 1 m).
FINE_DECIMALS = 5

#: The most user points drawn; more are thinned evenly, with a note on the map.
MAX_POINTS = 1_000_000

#: Sites farther than this from the home island are drawn but do not set the opening view
#: (Okinotorishima, 1,900 km west, would stretch it to 136°E); the JOGMEC area, about 600 km
#: south-east, stays in it.
STORY_RADIUS_KM = 1_000.0

#: Depth bands drawn simplified at this tolerance (degrees, about 2 km), rounded to DISPLAY_DECIMALS.
BATHYMETRY_TOLERANCE_DEG = 0.02

ISA_CITATION = "International Seabed Authority, exploration areas, July 2019; since partly relinquished"


def near(lon: np.ndarray, centre: float) -> np.ndarray:
    """Longitudes in the 360° window around *centre* (no jump across the antimeridian)."""
    return centre + wrap_lon(np.asarray(lon, dtype=float) - centre)


def display_geometries(
    geoms: np.ndarray, tolerance: float = DISPLAY_TOLERANCE_DEG, decimals: int = DISPLAY_DECIMALS
) -> np.ndarray:
    """Zones simplified for drawing: coverage-preserving, then rounded.

    :func:`shapely.coverage_simplify` simplifies the edges shared by
    neighbouring zones once, for both, so the simplified zones still tile
    without gaps or overlaps.  Rounding then keeps shared vertices equal.

    Parameters
    ----------
    geoms : array of shapely (Multi)Polygons forming a coverage
    tolerance : float
        Simplification tolerance in degrees.
    decimals : int
        Decimals kept in the coordinates.
    """
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    simple = shapely.coverage_simplify(geoms, tolerance) if tolerance > 0 else geoms
    return shapely.transform(simple, lambda c: np.round(c, decimals))


def display_zones(
    layer_id: str, clip: tuple[tuple[float, float, float, float], ...] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """(row indexes, display geometries) of a zone layer, minus the boxes in *clip*."""
    from ..layers import manifest

    return _display_zones_of(layer_id, manifest().get(layer_id).sha256, clip)


@lru_cache(maxsize=8)
def _display_zones_of(
    layer_id: str, sha256: str, clip: tuple[tuple[float, float, float, float], ...]
) -> tuple[np.ndarray, np.ndarray]:
    """display_zones, once per file version (the checksum is the key: a re-installed layer is redrawn)."""
    import shapely

    from ..layers import load_zones

    zones = load_zones(layer_id)
    geoms = np.asarray(zones.geometry, dtype=object)
    if clip:
        geoms = shapely.difference(geoms, shapely.union_all([shapely.box(*b) for b in clip]))
    keep = np.flatnonzero(~shapely.is_empty(geoms))
    return keep, display_geometries(geoms[keep])


def display_land(layer_id: str, clip: tuple[tuple[float, float, float, float], ...] = ()) -> list[Any]:
    from ..layers import manifest

    return _display_land_of(layer_id, manifest().get(layer_id).sha256, clip)


@lru_cache(maxsize=8)
def _display_land_of(
    layer_id: str, sha256: str, clip: tuple[tuple[float, float, float, float], ...]
) -> list[Any]:
    import shapely

    from ..layers import load_land

    _, land = load_land(layer_id)
    geoms = np.asarray(land, dtype=object)
    if clip:
        geoms = shapely.difference(geoms, shapely.union_all([shapely.box(*b) for b in clip]))
    geoms = shapely.transform(geoms[~shapely.is_empty(geoms)], lambda c: np.round(c, DISPLAY_DECIMALS))
    return list(geoms)


def zone_class(pol_type: str, isos: Sequence[str]) -> str:
    from ..zones import status_of_pol_type

    eez = status_of_pol_type(pol_type) == "eez"
    if COUNTRY in isos:
        return "jpn" if eez else "jpn-shared"
    return "other" if eez else "other-shared"


@dataclass
class Scene:
    """Everything loaded once for one map or figure."""

    layer_ids: tuple[str, ...]
    zone_layers: list[Any]  # Zones tables, in precedence order
    zone_display: list[tuple[np.ndarray, np.ndarray]]
    land_infos: list[Any]
    land_display: list[list[Any]]
    sites: tuple[Any, ...]
    home: Any
    user_sites: tuple[Any, ...]
    site_answers: list[tuple[str, dict[str, Any] | None]]
    circle: Any
    bounds: tuple[float, float, float, float]  # west, south, east, north
    nested_ids: tuple[str, ...] = ()  # 12 NM / 24 NM / internal-waters layers to draw
    story: tuple[Any, ...] = ()  # the sites within STORY_RADIUS_KM of the home island
    seabed_bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # depth bands, ISA areas drawn here
    island_value: Any = None  # geo.islands.IslandValue drawn on request


def shifted(geom: Any, dx: float) -> Any:
    """*geom* moved by *dx* degrees of longitude (a user's site drawn beside the view's centre)."""
    import shapely

    offset = np.array([dx, 0.0])
    return shapely.transform(geom, lambda c: c + offset)


def _story(sites: Sequence[Any], home: Any) -> tuple[Any, ...]:
    """The sites within :data:`STORY_RADIUS_KM` of the home island (geodesic), the home island first."""
    from ..geodesy import distance

    return tuple(
        s
        for s in sites
        if s.id == home.id or distance((home.lat, home.lon), (s.lat, s.lon)).km <= STORY_RADIUS_KM
    )


def _seabed_bbox(bounds: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The box the depth bands and ISA areas are drawn in: the opening view, padded on every side
    (a wide screen shows about twice the view's width) and rounded to whole degrees."""
    import math

    w, s, e, n = bounds
    dx, dy = (e - w) * 0.75 + 2.0, (n - s) * 0.5 + 2.0
    return (
        float(math.floor(w - dx)),
        float(max(-85.0, math.floor(s - dy))),
        float(math.ceil(e + dx)),
        float(min(85.0, math.ceil(n + dy))),
    )


def build_scene(layers: Sequence[str] | None, user_sites: Sequence[Any], island: str | None = None) -> Scene:
    import shapely

    from ..geodesy import EEZ_LIMIT_M, circle
    from ..layers import land_for, load_zones, manifest, resolve_layers
    from ..nesting import nested_layers
    from ..sites import home_site, load_sites
    from ..zones import classify

    # EEZ layers in precedence order (default: the regional one); nested layers (12 NM,
    # 24 NM, internal waters) named in *layers* are drawn as layers of their own
    layer_ids = resolve_layers(layers) if layers else resolve_layers(None)[:1]
    nested = nested_layers(layers) if layers else ()
    zone_layers, zone_display, land_infos, land_display = [], [], [], []
    done: list[tuple[float, float, float, float]] = []
    seen_land: set[str] = set()
    for layer_id in layer_ids:
        zones = load_zones(layer_id)
        clip = tuple(done)
        zone_layers.append(zones)
        zone_display.append(display_zones(layer_id, clip))
        land_id = land_for(zones.layer)
        if land_id not in seen_land:
            seen_land.add(land_id)
            land_infos.append(manifest().get(land_id))
            land_display.append(display_land(land_id, clip))
        done.append(zones.layer.coverage_bbox)
    sites = load_sites()
    home = home_site()
    everyone = (*sites, *user_sites)
    answers: list[tuple[str, dict[str, Any] | None]] = []
    if everyone:
        c = classify([s.lat for s in everyone], [s.lon for s in everyone], country=COUNTRY, layers=layer_ids)
        answers = [(str(c.answer[i]), c.zone_record(i)) for i in range(len(everyone))]
    ring = circle(home.lat, home.lon, EEZ_LIMIT_M)
    story = _story(sites, home)
    extent = [ring] + [s.geometry for s in story]
    extent += [s.uncertainty_area for s in story if s.uncertainty_area is not None]
    value = None
    if island:
        from ..islands import island_value

        value = island_value(island)
        extent.append(value.geometry)
    w, s_, e, n = shapely.total_bounds(np.asarray(extent, dtype=object))
    bounds = (float(w), float(s_), float(e), float(n))
    return Scene(
        layer_ids,
        zone_layers,
        zone_display,
        land_infos,
        land_display,
        tuple(sites),
        home,
        tuple(user_sites),
        answers,
        ring,
        bounds,
        tuple(info.id for info in nested),
        story,
        _seabed_bbox(bounds),
        value,
    )


def depth_label(from_m: float, to_m: float | None) -> str:
    """'5,000–6,000 m': a band, never a depth."""
    return f"{from_m:,.0f}–{to_m:,.0f} m" if to_m is not None else f"deeper than {from_m:,.0f} m"


def display_bathymetry(bbox: tuple[float, float, float, float]) -> list[tuple[int, int | None, list[Any]]]:
    """[(band from, band to, display polygons)] of the depth bands in *bbox*, shallowest first."""
    from ..layers import manifest
    from ..seabed import BATHYMETRY_LAYER

    return _display_bathymetry_of(manifest().get(BATHYMETRY_LAYER).sha256, bbox)


@lru_cache(maxsize=4)
def _display_bathymetry_of(
    sha256: str, bbox: tuple[float, float, float, float]
) -> list[tuple[int, int | None, list[Any]]]:
    """display_bathymetry, once per file version: clipped, simplified and rounded for drawing only
    (:func:`geo.seabed.depth_band` answers from the full geometry)."""
    import shapely

    from ..layers.polygons import load_polygons
    from ..seabed import BATHYMETRY_LAYER

    data = load_polygons(BATHYMETRY_LAYER, "bathymetry")
    depth = np.asarray(data.columns["depth"], dtype=float)
    bands = sorted({int(d) for d in depth})
    geoms = shapely.clip_by_rect(data.geometry, *bbox)
    geoms = shapely.simplify(geoms, BATHYMETRY_TOLERANCE_DEG, preserve_topology=True)
    geoms = shapely.transform(geoms, lambda c: np.round(c, DISPLAY_DECIMALS))
    keep = ~shapely.is_empty(geoms) & (shapely.area(geoms) > 0)
    out = []
    for k, band in enumerate(bands):
        parts = list(geoms[keep & (depth == band)])
        if parts:
            out.append((band, bands[k + 1] if k + 1 < len(bands) else None, parts))
    return out


def display_isa(bbox: tuple[float, float, float, float]) -> list[tuple[Any, Any, int, float]]:
    """[(Contract, display geometry, blocks, km²)]: the ISA areas in *bbox*, one per contract
    (its blocks merged for drawing; the area is geodesic, of the full geometry)."""
    from ..layers import manifest
    from ..seabed import ISA_LAYER

    return _display_isa_of(manifest().get(ISA_LAYER).sha256, bbox)


@lru_cache(maxsize=4)
def _display_isa_of(
    sha256: str, bbox: tuple[float, float, float, float]
) -> list[tuple[Any, Any, int, float]]:
    import shapely

    from ..geodesy import geodesic_area_m2
    from ..seabed import contract_areas

    by_contract: dict[tuple[Any, ...], tuple[Any, list[Any]]] = {}
    for geom, c in contract_areas(bbox):
        key = (c.contractor, c.resource, c.status, c.since)
        by_contract.setdefault(key, (c, []))[1].append(geom)
    out = []
    for c, geoms in by_contract.values():
        merged = shapely.union_all(np.asarray(geoms, dtype=object))
        display = shapely.transform(merged, lambda xy: np.round(xy, DISPLAY_DECIMALS))
        out.append((c, display, len(geoms), geodesic_area_m2(merged) / 1e6))
    return out


def island_lines(ctx: Scene) -> list[tuple[str, str, Any, str, Any]]:
    """[(zone, short name, display geometry, label, layer info)]: the home island's computed
    12 and 24 NM zones."""
    import shapely

    from ..errors import SiteError
    from ..islands import island_zones

    try:
        layer = island_zones(ctx.home.id)
    except SiteError:
        return []
    out = []
    for k, zone in enumerate(layer.columns["zone"]):
        if zone not in ISLAND_LINES:
            continue
        geom = shapely.simplify(layer.geometry[k], 0.0005)
        geom = shapely.transform(geom, lambda c: np.round(c, 4))
        out.append((str(zone), ISLAND_LINES[zone][0], geom, str(layer.columns["label"][k]), layer.layer))
    return out


def depth_text(lat: float, lon: float) -> str:
    """The site popup's depth band line (full geometry)."""
    from ..seabed import depth_band

    band = depth_band(lat, lon)  # one point: a DepthBand or None
    if band is None:
        return "none: on land or outside the depth layer's coverage (90–180°E, 0–60°N)"
    return f"{band.label()}, Natural Earth"  # type: ignore[union-attr]


def boundary_text(site: Any) -> str:
    """'N km (N NM), across: …' for the site's representative point (full geometry), as plain text."""
    from ..answer import where

    try:
        a = where(site.lat, site.lon)
    except Exception:  # a user's site outside every layer: no boundary to report
        return ""
    if a.distance_to_boundary_km is None or not a.nearest_boundary:
        return ""
    from ..answer import across_text

    km = a.distance_to_boundary_km
    return f"{km:,.1f} km = {km / 1.852:,.1f} NM (geodesic, WGS84); across it: " + across_text(
        a.nearest_boundary.get("across")) + (
        " — the marker is approximate" if site.approximate else ""
    )


def approx_parts(site: Any) -> tuple[str, str]:
    """('NAME', 'approximate (±71 km)') of an approximate site."""
    name = site.name
    if name.endswith(" (approximate)"):
        name = name[: -len(" (approximate)")]
    tail = f"approximate (±{site.uncertainty_km:g} km)"
    return name, tail


def approx_label(site: Any) -> str:
    """'NAME: approximate (±71 km)'."""
    name, tail = approx_parts(site)
    return f"{name}: {tail}"


@dataclass
class PointSummary:
    total: int
    drawn: int
    invalid: int
    counts: dict[str, int]


def key_figures(ctx: Scene) -> list[tuple[str, list[str]]]:
    """The title panel's key figures, as plain text: (heading, lines), computed once
    for the HTML map and the static figure alike (full geometry, geodesic)."""
    from ..geodesy import NM, distance, geodesic_area_m2, nearest_boundary_point

    rows: list[tuple[str, list[str]]] = []
    for zones in ctx.zone_layers:
        try:
            i = zones.index_of(8487)
        except KeyError:
            continue
        area = geodesic_area_m2(zones.geometry[i]) / 1e6
        rows.append(
            (
                f"Japan's EEZ (MRGID {int(zones.mrgid[i])})",
                [
                    f"{float(zones.area_km2[i]):,.0f} km² (Marine Regions area_km2)",
                    f"{area:,.0f} km² (geodesic area of this layer's polygon, WGS84)",
                ],
            )
        )
        break
    home = ctx.home
    short = home.short_name
    for site in ctx.sites:
        if site.id == home.id:
            continue
        d = distance((home.lat, home.lon), (site.lat, site.lon))
        text = f"{d.km:,.1f} km = {d.nm:,.1f} NM"
        if site.is_area:
            edge = nearest_boundary_point(home.lat, home.lon, site.geometry)
            text += f" to its centre; {edge.km:,.1f} km = {edge.metres / NM:,.1f} NM to its nearest edge"
        if site.approximate:
            text += f" (approximate, ±{site.uncertainty_km:g} km)"
        rows.append((f"{short} → {site.short_name}", [text]))
    depths = [f"{s.short_name}: {s.depth_text()}" for s in ctx.sites if s.depth_text()]
    if depths:
        rows.append(("Water depth", depths))
    return rows


def layer_refs(ctx: Scene) -> list[tuple[str, str, str]]:
    """(id, version, role) of every layer the map or figure draws."""
    refs = [(z.layer.id, z.layer.version, "zones") for z in ctx.zone_layers]
    refs += [(i.id, i.version, "land") for i in ctx.land_infos]
    if ctx.home.layer is not None:
        refs.append((ctx.home.layer.id, ctx.home.layer.version, "sites"))
    from ..layers import manifest
    from ..seabed import BATHYMETRY_LAYER, ISA_LAYER

    for layer_id, role in ((BATHYMETRY_LAYER, "depth bands"), (ISA_LAYER, "ISA areas")):
        info = manifest().get(layer_id)
        refs.append((info.id, info.version, role))
    lines = island_lines(ctx)
    if lines:
        refs.append((lines[0][4].id, lines[0][4].version, "computed island zones"))
    return refs
