"""Islands: geodesic offsets of a coastline, and what an island is worth.

:func:`geodesic_buffer` computes the set of points within a geodesic distance
of a (Multi)Polygon on the WGS84 ellipsoid: the union of the polygon and of
geodesic circles centred on its boundary, densified.  Every vertex of the
result lies at exactly the distance from a boundary point (pyproj's direct
geodesic problem, Karney's algorithm); the result lies inside the true offset
by at most ``tolerance_m`` (the sag of a circle's chords) plus
``s**2 / (8 * distance)`` for a boundary spacing ``s`` (the dip between two
neighbouring circles), both below a metre with the defaults; the straight
longitude/latitude edges between vertices differ from geodesic chords by
millimetres at these lengths.  ``tests/test_islands.py`` checks this against
geographiclib.

:func:`island_value` answers "what is an island worth": the part of its
sovereign's EEZ that lies within 200 NM of the island and farther than
200 NM from every other land in the loaded layers (Natural Earth 1:10m land
and the GSHHG full-resolution small islands in and near Japan's zones) — the
zone that would not exist without the island.

Approximations, said in every answer: distances are measured from the
coastline outline (MLIT N03 for Minami-Torishima, the crude GSHHG polygon for
Okinotorishima), not from the official baselines (UNCLOS measures from the
low-water line, for reef islands from the seaward low-water line of the reef,
Art. 6); other land is as detailed as its layer; the EEZ is Marine Regions
v12's simplified extract.

Example
-------
>>> from geo.islands import island_value
>>> v = island_value("minami-torishima")
>>> round(v.area_km2, -3)
433000.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ._threads import once
from .errors import LayerError, SiteError

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

    from .layers import LayerInfo

NM = 1852.0
#: The computed zones of an island, as (zone, distance in nautical miles).
ISLAND_ZONES = (("territorial_sea", 12.0), ("contiguous_zone", 24.0), ("eez", 200.0))
#: Every zone computed from Minami-Torishima's outline carries this label.
COMPUTED_LABEL = ("computed from the coastline (MLIT N03), not an official baseline — "
                  "UNCLOS measures from the low-water line")


def computed_label(coastline: LayerInfo) -> str:
    """The label of anything computed from a coastline layer (names the outline's source)."""
    source = coastline.extra.get("outline_source", coastline.id)
    return (f"computed from the coastline ({source}), not an official baseline — "
            "UNCLOS measures from the low-water line")
DEFAULT_ZONE_LAYER = "mr-v12-eez-nw-pacific"
OTHER_LAND_LAYERS = ("ne-10m-land-nw-pacific", "gshhg-f-small-islands-japan")


def _circle_points(distance_m: float, tolerance_m: float) -> int:
    """Vertices of a circle whose chords sag at most *tolerance_m* (at least 64)."""
    ratio = min(1.0, tolerance_m / distance_m)
    return max(64, int(math.ceil(math.pi / math.acos(1.0 - ratio))))


def geodesic_buffer(geom: BaseGeometry, distance_m: float, *, tolerance_m: float = 1.0,
                    spacing_m: float | None = None, near: tuple[float, float, float] | None = None
                    ) -> BaseGeometry:
    """Every point within *distance_m* (geodesic, WGS84) of a lon/lat (Multi)Polygon.

    Parameters
    ----------
    geom : shapely (Multi)Polygon in longitude/latitude degrees
    distance_m : float
        The offset in metres (200 NM = 370,400 m).
    tolerance_m : float
        Largest sag of a circle's chord; sets the number of vertices per circle.
    spacing_m : float, optional
        Densify the boundary to at most this spacing first (default: such that
        the dip between neighbouring circles is below 0.1 m).
    near : (lon, lat, radius_m), optional
        Keep only boundary points within *radius_m* of (lon, lat): the offset
        is then exact only within ``radius_m - distance_m`` of that point (used
        to take the parts of large land masses that matter near an island).

    Returns
    -------
    shapely (Multi)Polygon; empty if no boundary point is kept.

    Example
    -------
    >>> import shapely
    >>> ring = geodesic_buffer(shapely.box(153.97, 24.28, 153.99, 24.30), 22224.0)
    >>> ring.contains(shapely.Point(153.98, 24.48))   # 22 km north
    True
    """
    import shapely

    from .geodesy import forward, inverse

    if spacing_m is None:
        spacing_m = math.sqrt(8.0 * distance_m * 0.1)
    deg = spacing_m / 111_320.0 / max(0.2, math.cos(math.radians(_mid_lat(geom))))
    dense = shapely.segmentize(geom, deg)
    pts = np.unique(shapely.get_coordinates(shapely.boundary(dense)), axis=0)
    if near is not None and len(pts):
        d, _ = inverse(np.full(len(pts), near[1]), np.full(len(pts), near[0]), pts[:, 1], pts[:, 0])
        pts = pts[d <= near[2]]
    if not len(pts):
        return shapely.Polygon()
    n = _circle_points(distance_m, tolerance_m)
    az = np.linspace(0.0, 360.0, n, endpoint=False)[::-1]  # counter-clockwise rings
    lat, lon = forward(np.repeat(pts[:, 1], n), np.repeat(pts[:, 0], n),
                       np.tile(az, len(pts)), np.full(len(pts) * n, distance_m))
    rings = np.stack([lon, lat], axis=1).reshape(len(pts), n, 2)
    circles = shapely.polygons(rings)
    kept = geom if near is None else shapely.intersection(
        geom, shapely.box(*(np.concatenate([pts.min(axis=0), pts.max(axis=0)]))))
    return shapely.union_all(np.concatenate([circles, [kept]]))


def _mid_lat(geom: Any) -> float:
    b = geom.bounds
    return 0.5 * (b[1] + b[3]) if b and not math.isnan(b[1]) else 0.0


# --- island outlines ------------------------------------------------------------------

@dataclass(frozen=True)
class IslandOutline:
    """An island's coastline outline and the layer it comes from."""

    site_id: str
    geometry: Any
    layer: LayerInfo
    note: str


def island_outline(site_id: str) -> IslandOutline:
    """The outline of a built-in island (a ``coastline`` layer whose manifest entry names it).

    Raises :class:`~geo.errors.SiteError` when no bundled outline belongs to *site_id*.
    """
    import shapely

    from .layers.polygons import layers_of_kind, load_polygons

    for info in layers_of_kind("coastline"):
        if info.extra.get("island_site") == site_id:
            layer = load_polygons(info.id, "coastline")
            return IslandOutline(site_id, shapely.union_all(layer.geometry), info,
                                 str(info.extra.get("outline_note", "")))
    known = [str(i.extra["island_site"]) for i in layers_of_kind("coastline") if i.extra.get("island_site")]
    raise SiteError(f"no bundled outline for island '{site_id}': the islands with an outline are "
                    f"{', '.join(known)}")


def islands() -> tuple[str, ...]:
    """The built-in islands with a bundled outline (those :func:`island_value` answers for)."""
    from .layers.polygons import layers_of_kind

    return tuple(str(i.extra["island_site"]) for i in layers_of_kind("coastline")
                 if i.extra.get("island_site"))


def island_zones(site_id: str) -> Any:
    """The computed 12, 24 and 200 NM zones of an island (an ``island_zones`` layer).

    Returns the :class:`geo.layers.polygons.PolygonLayer` (rows: the island itself,
    then the territorial sea, contiguous zone and EEZ, each the full offset,
    innermost first; columns ``zone``, ``distance_nm``, ``island_site``, ``label``).
    """
    from .layers.polygons import layers_of_kind, load_polygons

    for info in layers_of_kind("island_zones"):
        if info.extra.get("island_site") == site_id:
            return load_polygons(info.id, "island_zones")
    raise SiteError(f"no computed zones for island '{site_id}'")


@dataclass(frozen=True)
class IslandZone:
    """The innermost computed zone of an island holding a point."""

    island: str
    zone: str            # "land", "territorial_sea", "contiguous_zone" or "eez"
    distance_nm: float   # the offset (0 for the island itself)
    label: str           # "computed from the coastline (…), not an official baseline — …"
    layer: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {"island": self.island, "zone": self.zone, "distance_nm": self.distance_nm,
                "label": self.label, "layer": dict(self.layer)}


@dataclass(frozen=True)
class IslandZoneArray:
    """:func:`island_zone` for arrays: the row of the computed-zones table per point (-1: none)."""

    index: np.ndarray

    def __len__(self) -> int:
        return len(self.index)

    def record(self, i: int) -> IslandZone | None:
        k = int(self.index[i])
        return _zone_table().records[k] if k >= 0 else None

    @property
    def zone(self) -> np.ndarray:
        """Zone name per point (None outside every computed zone)."""
        names = np.array([r.zone for r in _zone_table().records] + [None], dtype=object)
        return names[np.where(self.index >= 0, self.index, len(names) - 1)]


class _ZoneTable:
    def __init__(self) -> None:
        from ._locator import _Locator as Locator
        from .layers.polygons import layers_of_kind, load_polygons

        geoms, records, keys = [], [], []
        for info in layers_of_kind("island_zones"):
            layer = load_polygons(info.id, "island_zones")
            order = np.argsort(np.asarray(layer.columns["distance_nm"], dtype=float), kind="stable")
            for k in order:  # innermost first: the first hit is the innermost zone
                c = layer.columns
                geoms.append(layer.geometry[k])
                records.append(IslandZone(str(c["island_site"][k]), str(c["zone"][k]),
                                          float(c["distance_nm"][k]), str(c["label"][k]), info.ref()))
            keys.append(info.sha256)
        self.records = tuple(records)
        self.locator = Locator(np.asarray(geoms, dtype=object), "island-zones:" + ",".join(keys))


def _zone_table() -> _ZoneTable:
    from .layers.polygons import layers_of_kind

    table: _ZoneTable = _zone_table_of(tuple(i.sha256 for i in layers_of_kind("island_zones")))
    return table


@once(maxsize=2)
def _zone_table_of(sha256s: tuple[str, ...]) -> _ZoneTable:  # keyed by the layer files' checksums
    return _ZoneTable()


def island_zone(lat: Any, lon: Any, *, direct: bool | None = None) -> IslandZone | None | IslandZoneArray:
    """The innermost computed island zone holding each point (scalar or arrays).

    Reads every ``island_zones`` layer (Minami-Torishima's: the island, 12, 24
    and 200 NM from its MLIT N03 outline).  None (-1 in arrays) outside them.
    Every answer carries the label "computed from the coastline …, not an
    official baseline".

    Example
    -------
    >>> island_zone(24.40, 153.98).zone      # about 12 km north of the island
    'territorial_sea'
    """
    la = np.atleast_1d(np.asarray(lat, dtype=float)).ravel()
    lo = np.atleast_1d(np.asarray(lon, dtype=float)).ravel()
    lo = np.where(lo > 180.0, lo - 360.0, lo)
    result = IslandZoneArray(_zone_table().locator.lookup(lo, la, direct=direct))
    return result.record(0) if np.ndim(lat) == 0 and np.ndim(lon) == 0 else result


# --- what an island is worth -------------------------------------------------------------

@dataclass(frozen=True)
class IslandValue:
    """The EEZ that exists only because of an island (see :func:`island_value`).

    ``as_dict()`` is JSON-ready (without the geometry; ``geometry`` is the
    shapely (Multi)Polygon for maps and exports).
    """

    island: str
    name: str
    sovereign: str
    sovereign_iso: str
    area_km2: float
    within_200nm_km2: float
    sovereign_eez_km2: float
    share: float
    nearest_other_land_km: float
    geometry: Any = field(repr=False)
    layers: tuple[dict[str, str], ...] = ()
    method: str = ""
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "island": self.island, "name": self.name,
            "sovereign": self.sovereign, "sovereign_iso": self.sovereign_iso,
            "area_km2": round(self.area_km2, 1),
            "within_200nm_km2": round(self.within_200nm_km2, 1),
            "sovereign_eez_km2": round(self.sovereign_eez_km2, 1),
            "share": round(self.share, 5),
            "nearest_other_land_km": round(self.nearest_other_land_km, 1),
            "layers": [dict(r) for r in self.layers],
            "method": self.method, "note": self.note,
        }


_METHOD = ("The part of the sovereign's own EEZ (Marine Regions v12, its 200NM zones with no other "
           "party) within 200 NM of the island's outline and farther than 200 NM from every other land "
           "in the loaded layers (Natural Earth 1:10m land; GSHHG full-resolution small islands in and "
           "near Japan's zones), less the island itself. Distances are geodesic (WGS84) offsets of the "
           "coastline outline, not of the official baselines (UNCLOS measures from the low-water line; "
           "for reef islands, the seaward low-water line of the reef, Art. 6); areas are geodesic. The "
           "share is of the sovereign's EEZ area as Marine Regions gives it.")


def island_value(site_id: str, zone_layer: str = DEFAULT_ZONE_LAYER) -> IslandValue:
    """The EEZ area that exists only because of the island *site_id*.

    Parameters
    ----------
    site_id : str
        A built-in island with a bundled outline (``"minami-torishima"``,
        ``"okinotorishima"``).
    zone_layer : str
        The EEZ layer giving the sovereign's zone (default Marine Regions v12).

    Returns
    -------
    IslandValue
        Area in km² (geodesic), share of the sovereign's EEZ, the geometry,
        the layers used and the method with its approximations.

    Example
    -------
    >>> v = island_value("okinotorishima")
    >>> v.sovereign, 300_000 < v.area_km2 < 420_000
    ('Japan', True)
    """
    from .layers import manifest

    value: IslandValue = _island_value(site_id, zone_layer, manifest().get(zone_layer).sha256)
    return value


@once(maxsize=8)
def _island_value(site_id: str, zone_layer: str, sha256: str) -> IslandValue:
    import shapely

    from .geodesy import geodesic_area_m2, inverse
    from .layers import load_zones
    from .sites import get_site

    site = get_site(site_id)
    outline = island_outline(site_id)
    zones = load_zones(zone_layer)
    rep = outline.geometry.representative_point()
    # the zone around the island (an island may sit in a hole of its zone's polygon)
    near_island = outline.geometry.buffer(0.05)
    hits = [i for i in range(len(zones)) if shapely.intersects(zones.geometry[i], near_island)]
    if not hits:
        raise LayerError(f"island '{site_id}' lies in no zone of layer '{zone_layer}'")
    sov = zones.sovereigns[hits[0]]
    if len(sov) != 1:
        raise LayerError(f"island '{site_id}' lies in a zone with several parties ({', '.join(sov)}): "
                         "its own zone is not defined")
    own = [i for i in range(len(zones)) if zones.sovereigns[i] == sov]
    sovereign_zone = shapely.union_all(zones.geometry[own])
    eez_km2 = float(np.nansum(zones.area_km2[own]))

    radius = 200 * NM
    circle = geodesic_buffer(outline.geometry, radius)
    within = shapely.intersection(sovereign_zone, circle)
    # other land: every point of it within 2 x 200 NM (plus the island's size) matters
    reach = 2 * radius + 20_000.0
    others: list[shapely.Geometry] = []
    refs, nearest = [zones.layer.ref(), outline.layer.ref()], math.inf
    exclude = outline.geometry.buffer(0.05)  # the island's own polygon in the other layers (~5 km)
    for layer_id in OTHER_LAND_LAYERS:
        geoms = _other_land(layer_id)
        if geoms is None:
            continue
        refs.append(_ref(layer_id))
        cand = geoms[shapely.intersects(geoms, circle.buffer(2 * radius / 111_320.0 / 0.8))
                     & ~shapely.intersects(geoms, exclude)]
        others.extend(cand)
    other_buffer: shapely.Geometry = shapely.Polygon()
    if others:
        land = shapely.union_all(others)
        other_buffer = geodesic_buffer(land, radius, spacing_m=1000.0, near=(rep.x, rep.y, reach))
        pts = shapely.get_coordinates(shapely.boundary(land))
        d, _ = inverse(np.full(len(pts), rep.y), np.full(len(pts), rep.x), pts[:, 1], pts[:, 0])
        nearest = float(d.min()) / 1000.0 if len(d) else math.inf
    value = shapely.difference(shapely.difference(within, other_buffer), outline.geometry)
    area = geodesic_area_m2(value) / 1e6
    note = (f"{outline.note} Zones {computed_label(outline.layer)}. Nearest other land in the loaded layers: "
            f"{nearest:,.0f} km from the island's outline point.").strip()
    return IslandValue(
        island=site_id, name=site.name, sovereign=sov[0], sovereign_iso=zones.sovereign_isos[own[0]][0],
        area_km2=area, within_200nm_km2=geodesic_area_m2(within) / 1e6, sovereign_eez_km2=eez_km2,
        share=area / eez_km2 if eez_km2 else math.nan, nearest_other_land_km=nearest, geometry=value,
        layers=tuple(refs), method=_METHOD, note=note)


def _ref(layer_id: str) -> dict[str, str]:
    from .layers import manifest

    return manifest().get(layer_id).ref()


def _other_land(layer_id: str) -> np.ndarray | None:
    from .errors import UnknownLayerError
    from .layers import manifest

    try:
        info = manifest().get(layer_id)
    except UnknownLayerError:
        return None
    if info.kind == "land":
        from .layers import load_land

        return load_land(layer_id)[1]
    from .layers.polygons import load_polygons

    return load_polygons(layer_id).geometry
