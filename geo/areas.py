"""Areas and shares: how a polygon splits between zones, land, the high seas and no coverage.

The core of ``eezmap area``.  A polygon is read the way :func:`geo.where`
reads a point:

* longitudes may be 0–360 and a ring may be drawn across 180° (179 -> -179):
  the polygon is first put in [-180, 180] and cut at the antimeridian by
  :func:`geo.antimeridian.normalise` (a ring drawn across 180° is read the
  short way round, as that module says);
* the zone layers are those :func:`geo.layers.resolve_layers` gives (``--layer``,
  ``$EEZMAP_LAYERS_DEFAULT``, ``eezmap layers default``), in precedence order:
  the part of the polygon inside the first layer's coverage box is answered by
  that layer, the rest by the next, and so on; a zones-only layer answers only
  inside its zones;
* each piece is measured on its own, never as a remainder: the part in each
  zone, the part on land (holes of zone polygons, the layer's land polygons),
  the part on the high seas (in the layer's coverage, in no zone, not land),
  and the part outside every layer's coverage.  Only areal intersections count
  (a zone touching the polygon along a line has no share).  The shares sum to
  the total because the pieces tile the polygon, and the tests check that sum.

Example
-------
>>> import shapely
>>> r = area_in_zones(shapely.box(179, 0, 181, 2))   # across 180°: Kiribati, Howland and Baker
>>> round(r.area_km2, -2)
49200.0
>>> sorted({s.layer for s in r.shares})
['mr-v10-eez-world', 'mr-v12-eez-nw-pacific']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .enums import Status
from .geodesy import polygonal
from .layers import LayerInfo, manifest, resolve_layers

__all__ = ["AreaShare", "AreaReport", "area_in_zones"]

#: a share smaller than this fraction of the total is a sliver of floating-point noise
_SLIVER = 1e-9


@dataclass(frozen=True)
class AreaShare:
    """The part of an area that lies in one zone, or on land, the high seas or outside coverage."""

    zone: dict[str, Any] | None      # None: land, high_seas or outside_coverage (see status)
    status: str                      # a geo.enums.Status
    area_km2: float
    percent: float
    layer: str | None = None         # the layer that answered this part (None: outside every coverage)


@dataclass(frozen=True)
class AreaReport:
    """Geodesic area of a polygon and how it splits between the zones of the layers."""

    area_km2: float
    shares: tuple[AreaShare, ...]
    layer: LayerInfo                 # the first layer that answered a part (the first resolved if none did)
    nearest_boundary_km: float | None = None
    nearest_boundary_point: dict[str, Any] | None = None
    layers: tuple[LayerInfo, ...] = ()   # every layer that answered a part, in precedence order

    def _repr_html_(self) -> str:  # a notebook shows a small table
        from ._repr import area_html

        return area_html(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "area_km2": round(self.area_km2, 3),
            "shares": [{"zone": s.zone, "status": s.status, "area_km2": round(s.area_km2, 3),
                        "percent": round(s.percent, 4), "layer": s.layer} for s in self.shares],
            "nearest_boundary_km": (None if self.nearest_boundary_km is None
                                    else round(self.nearest_boundary_km, 3)),
            "nearest_boundary_point": self.nearest_boundary_point,
            "layers": [dict(i.ref(), coarse=i.coarse) for i in (self.layers or (self.layer,))],
        }


def area_in_zones(geom: Any, layers: Sequence[str] | str | None = None, boundary_step_km: float = 2.0,
                  *, layer: str | None = None) -> AreaReport:
    """Geodesic area of a lon/lat polygon and the share of it in each zone, on land, on the
    high seas and outside every layer's coverage.

    Parameters
    ----------
    geom : shapely Polygon or MultiPolygon
        Longitude/latitude; longitudes may be 0–360, rings may cross 180°.
    layers : sequence of layer ids (or one id), optional
        Zone layers in precedence order, as for :func:`geo.where`
        (default: the effective default layers).  ``layer=`` is the same.
    boundary_step_km : float
        When the area lies wholly in one zone, the outline is sampled this
        often to find its point nearest to the zone's boundary.

    Returns
    -------
    AreaReport
        Areas are geodesic (WGS84) of the polygons as drawn (edges straight in
        longitude/latitude); shares are sorted largest first.

    Example
    -------
    >>> from geo.sites import get_site
    >>> r = area_in_zones(get_site("rey-mud-area").geometry)
    >>> r.shares[0].zone["mrgid"], round(r.shares[0].percent)
    (8487, 100)
    """
    import shapely

    from .geodesy import geodesic_area_m2
    from .layers.antimeridian import normalise
    if layer is not None and layers is None:
        layers = layer
    layer_ids = resolve_layers([layers] if isinstance(layers, str) else layers)
    geom = polygonal(normalise(np.array([polygonal(geom)], dtype=object))[0])
    total = geodesic_area_m2(geom) / 1e6
    # (zone record, status, layer id, km², the zone's geometry)
    pieces: list[tuple[dict[str, Any] | None, str, str | None, float, Any]] = []

    def add(part: Any, zone: dict[str, Any] | None, status: str, layer_id: str | None,
            zone_geom: Any = None) -> None:
        part = polygonal(part)
        a = geodesic_area_m2(part) / 1e6 if not part.is_empty else 0.0
        if a > _SLIVER * total:
            pieces.append((zone, status, layer_id, a, zone_geom))

    remaining = geom
    answered: list[LayerInfo] = []
    for layer_id in layer_ids:
        if remaining.is_empty:
            break
        info = manifest().get(layer_id)
        piece = polygonal(shapely.intersection(remaining, shapely.box(*info.coverage_bbox)))
        if piece.is_empty:
            continue
        before = len(pieces)
        remaining = _answer_in_layer(layer_id, info, remaining, piece, add)
        if len(pieces) > before:
            answered.append(info)
    if not remaining.is_empty:
        add(remaining, None, Status.OUTSIDE_COVERAGE, None)

    pieces.sort(key=lambda p: -p[3])
    shares = tuple(AreaShare(z, st, a, 100.0 * a / total if total else 0.0, lid)
                   for z, st, lid, a, _ in pieces)
    near_km, near_pt = _nearest_boundary(geom, pieces, boundary_step_km)
    first = answered[0] if answered else manifest().get(layer_ids[0])
    return AreaReport(total, shares, first, near_km, near_pt, tuple(answered))


def _answer_in_layer(layer_id: str, info: LayerInfo, remaining: Any, piece: Any, add: Any) -> Any:
    """*add* the parts of *piece* (the rest of the polygon in the layer's box) that the layer
    answers: in each zone, on land, on the high seas.  Returns what is left for the next layers."""
    import shapely

    from .zones import _model, status_of_pol_type

    model = _model(layer_id)
    zones = model.zones
    cand = _candidates(zones.geometry, piece)
    in_zones = _exclusive([polygonal(shapely.intersection(zones.geometry[i], piece)) for i in cand])
    for i, part in zip(cand, in_zones, strict=True):
        status = status_of_pol_type(str(zones.pol_type[i]))
        add(part, zones.record(int(i)), status, layer_id, zones.geometry[i])
    claimed = shapely.union_all(in_zones) if in_zones else None
    if info.zones_only:  # a partial layer answers only in its zones; the rest falls through
        return polygonal(shapely.difference(remaining, claimed)) if claimed is not None else remaining
    rest = polygonal(shapely.difference(piece, claimed)) if claimed is not None else piece
    if not rest.is_empty:
        land = _land(model, rest)
        add(shapely.intersection(rest, land), None, Status.LAND, layer_id)
        add(shapely.difference(rest, land), None, Status.HIGH_SEAS, layer_id)
    return polygonal(shapely.difference(remaining, shapely.box(*info.coverage_bbox)))


def _candidates(geoms: np.ndarray, piece: Any) -> np.ndarray:
    """Indices of the polygons whose bounds meet the piece's, then that really intersect it."""
    import shapely

    b = shapely.bounds(geoms)
    x0, y0, x1, y1 = piece.bounds
    near = np.flatnonzero((b[:, 0] <= x1) & (b[:, 2] >= x0) & (b[:, 1] <= y1) & (b[:, 3] >= y0))
    return near[shapely.intersects(geoms[near], piece)] if len(near) else near


def _exclusive(parts: list[Any]) -> list[Any]:
    """Where zones of a layer overlap, the earlier (lower index) keeps the overlap, as a point
    there is given to it (:func:`geo.zones.classify`); zones that only touch are left alone."""
    import shapely

    if len(parts) < 2:
        return parts
    arr = np.array(parts, dtype=object)
    tree = shapely.STRtree(arr)
    out = list(parts)
    for i in range(1, len(parts)):
        earlier = [j for j in tree.query(arr[i], predicate="intersects") if j < i]
        earlier = [j for j in earlier if not shapely.touches(arr[i], arr[j])]   # interiors meet
        if earlier:
            out[i] = polygonal(shapely.difference(out[i], shapely.union_all(arr[earlier])))
    return out


def _land(model: Any, rest: Any) -> Any:
    """Land within *rest* (which lies in no zone): holes of the layer's zone polygons and its
    land polygons, as :func:`geo.zones.classify` reads land for a point."""
    import shapely

    filled = model.filled_locator.geoms       # every zone part with its holes filled
    land = model.land_locator.geoms
    parts = [filled[i] for i in _candidates(filled, rest)] + [land[i] for i in _candidates(land, rest)]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _nearest_boundary(geom: Any, pieces: list[Any], step_km: float
                      ) -> tuple[float | None, dict[str, Any] | None]:
    """When the area lies wholly in one zone: its outline's nearest approach to that zone's boundary."""
    import shapely

    from .coords import wrap_lon
    from .geodesy import nearest_boundary_point

    if len(pieces) != 1 or pieces[0][0] is None:
        return None, None
    _, _, layer_id, _, zone_geom = pieces[0]
    w, _, e, _ = manifest().get(layer_id).coverage_bbox
    skip = w <= -180.0 and e >= 180.0    # a world layer's cut at ±180° is no boundary
    outline = shapely.segmentize(geom.boundary, step_km / 111.0)
    best = None
    for lon, lat in shapely.get_coordinates(outline):
        bp = nearest_boundary_point(float(lat), float(lon), zone_geom, skip_antimeridian=skip)
        if best is None or bp.metres < best[0].metres:
            best = (bp, float(lon), float(lat))
    if best is None:
        return None, None
    bp, lon, lat = best
    return bp.km, {"outline_lat": round(lat, 7), "outline_lon": round(wrap_lon(lon), 7),
                   "boundary_lat": round(bp.lat, 7), "boundary_lon": round(wrap_lon(bp.lon), 7)}
