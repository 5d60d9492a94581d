"""Polygons that cross 180°: one frame, [-180, 180], for every zone.

Marine Regions publishes its layers in -180..180 (zones that cross the
antimeridian are split there into a MultiPolygon) and also in a "0 to 360
degrees" edition; files reprojected from a Pacific-centred CRS, or written
by hand, may also carry a ring that jumps from 179° to -179°.  Points are
always asked about in [-180, 180), so every polygon part must lie in
[-180, 180] for a point to find its zone on both sides of 180°.

:func:`normalise` does that for an array of polygons, touching only those
that need it:

* a part with longitudes beyond 180° (0–360 data) or below -180° is cut at
  ±180° and each piece shifted by 360° into [-180, 180];
* a part whose longitudes span more than 180° although they stay within
  [-180, 180] is a ring that wraps across the antimeridian (drawn the short
  way round it, it spans less than 180°): it is unwrapped (negative
  longitudes + 360°), then cut and shifted as above.  A part that spans more
  than 180° either way (a polar cap, a whole-world box) is left alone.

The result is a Polygon or MultiPolygon per input geometry, with parts in
[-180, 180]; a zone crossing the antimeridian becomes two parts that meet
along ±180°.

Example
-------
>>> import numpy as np, shapely
>>> fiji = shapely.box(175, -20, 185, -10)          # 175°E .. 175°W, in 0–360
>>> out = normalise(np.array([fiji], dtype=object))[0]
>>> out.geom_type, [round(b) for b in out.bounds]
('MultiPolygon', [-180, -20, 180, -10])
>>> bool(shapely.intersects_xy(out, 179.5, -15)), bool(shapely.intersects_xy(out, -179.5, -15))
(True, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..coords import wrap_lon

__all__ = ["close_ring_jumps", "needs_normalising", "normalise"]


def needs_normalising(geoms: np.ndarray) -> np.ndarray:
    """Boolean mask of the geometries that :func:`normalise` may change (by their bounds)."""
    import shapely

    b = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        return (b[:, 2] > 180.0) | (b[:, 0] < -180.0) | (b[:, 2] - b[:, 0] > 180.0)


def normalise(geoms: np.ndarray) -> np.ndarray:
    """Polygons with every part in [-180, 180] (see the module docstring).

    Parameters
    ----------
    geoms : numpy array of shapely Polygons / MultiPolygons (None allowed)

    Returns
    -------
    numpy array of the same length; geometries that needed no change are the
    same objects.
    """
    out = np.array(geoms, dtype=object, copy=True)
    for i in np.flatnonzero(needs_normalising(out)):
        out[i] = _normalise_one(out[i])
    return out


def _normalise_one(geom: Any) -> Any:
    import shapely

    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    pieces: list[Any] = []
    changed = False
    for part in parts:
        unwrapped = _unwrap(part)
        split = _split(unwrapped)
        changed = changed or unwrapped is not part or len(split) != 1 or split[0] is not part
        pieces.extend(split)
    if not changed:
        return geom
    if not pieces:
        return shapely.Polygon()
    merged = shapely.union_all(pieces)
    if merged.geom_type not in ("Polygon", "MultiPolygon"):
        merged = shapely.multipolygons([p for p in shapely.get_parts(merged) if p.geom_type == "Polygon"])
    return merged


def _width(geom: Any) -> float:
    x0, _, x1, _ = geom.bounds
    return float(x1 - x0)


def _unwrap(part: Any) -> Any:
    """A ring drawn across ±180° inside [-180, 180]: shift its west half by +360°."""
    import shapely

    x0, _, x1, _ = part.bounds
    if not (x1 - x0 > 180.0 and x0 >= -180.0 and x1 <= 180.0):
        return part

    def shift(coords: np.ndarray) -> np.ndarray:
        coords = coords.copy()
        coords[:, 0] = np.where(coords[:, 0] < 0.0, coords[:, 0] + 360.0, coords[:, 0])
        return coords

    shifted = shapely.transform(part, shift)
    if _width(shifted) < 180.0 and shifted.is_valid:
        return shifted
    return part  # wide either way round: a polar cap or a real wide area


def _split(part: Any) -> list[Any]:
    """Cut a polygon at every ±180° (+ k·360°) it crosses; shift each piece into [-180, 180]."""
    import shapely

    x0, _, x1, _ = part.bounds
    if x0 >= -180.0 and x1 <= 180.0:
        return [part]
    pieces = []
    first = math.floor((x0 + 180.0) / 360.0)
    last = math.ceil((x1 + 180.0) / 360.0) - 1
    for k in range(first, last + 1):
        lo, hi = -180.0 + 360.0 * k, 180.0 + 360.0 * k
        window = shapely.box(lo, -90.0, hi, 90.0)
        piece = shapely.intersection(part, window)
        for p in shapely.get_parts(piece):
            if p.geom_type == "Polygon" and p.area > 0.0:
                pieces.append(p if k == 0 else shapely.transform(p, _shifter(-360.0 * k)))
    return pieces


# --- rings drawn on the sphere (TopoJSON from d3 / world-atlas) ---------------------------------

#: A ring whose vertices all lie this close to a pole is a cap around the pole, not geography.
_POLAR_LAT = 89.99


def _jumps(coords: np.ndarray) -> bool:
    return bool((np.abs(np.diff(coords[:, 0])) > 180.0).any())


def has_ring_jumps(geom: Any) -> bool:
    """Whether a polygon has a ring with an edge spanning more than 180° of longitude."""
    import shapely

    if geom is None:
        return False
    for part in shapely.get_parts(geom):
        if part.geom_type != "Polygon":
            continue
        for ring in (part.exterior, *part.interiors):
            if _jumps(np.asarray(ring.coords)):
                return True
    return False


def close_ring_jumps(geoms: np.ndarray) -> np.ndarray:
    """Polygons whose rings jump across ±180°, read as drawn on the sphere.

    A ring edge from 179.9° to -180° is, on the sphere (TopoJSON from d3 and
    Natural Earth's world-atlas packaging are drawn there), a short step
    across the antimeridian; read on the plane it runs across the whole map
    and the polygon comes out self-intersecting (``make_valid`` then drops
    Chukotka and Wrangel Island).  Each such ring is unwrapped (every step
    kept under 180° of longitude), a ring that then goes once round the
    globe (Antarctica) is closed through its pole, a hole that hugs the pole
    within 0.01° is dropped (a packaging artefact: the pole is land), and the
    polygon is cut at ±180° into parts in [-180, 180].  Geometries without
    such a ring are returned as they are (the same objects).
    """
    out = np.array(geoms, dtype=object, copy=True)
    for i, geom in enumerate(out):
        if has_ring_jumps(geom):
            out[i] = _close_one(geom)
    return out


def _shifter(dx: float) -> Callable[[np.ndarray], np.ndarray]:
    """A coordinate transform moving every point by *dx* degrees of longitude."""
    def shift(c: np.ndarray) -> np.ndarray:
        moved: np.ndarray = c + np.array([dx, 0.0])
        return moved

    return shift


def _unwrap_ring(coords: np.ndarray) -> np.ndarray:
    x = coords[:, 0].copy()
    step = np.diff(x)
    step = wrap_lon(step)     # every step the short way round
    x[1:] = x[0] + np.cumsum(step)
    out: np.ndarray = np.c_[x, coords[:, 1]]
    return out


def _close_one(geom: Any) -> Any:
    import shapely

    pieces: list[Any] = []
    for part in shapely.get_parts(geom):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        ext = _unwrap_ring(np.asarray(part.exterior.coords))
        turns = round((ext[-1, 0] - ext[0, 0]) / 360.0)
        if turns:  # once round the globe: the pole on the ring's side of the equator is inside
            pole = -90.0 if ext[:, 1].mean() < 0 else 90.0
            ext = np.vstack([ext, [[ext[-1, 0], pole], [ext[0, 0], pole], ext[0]]])
        else:
            ext[:, 0] -= 360.0 * np.floor((np.median(ext[:, 0]) + 180.0) / 360.0)
        holes = []
        for ring in part.interiors:
            c = np.asarray(ring.coords)
            if (np.abs(c[:, 1]) >= _POLAR_LAT).all():
                continue  # a cap around the pole left as a hole: the pole is land
            c = _unwrap_ring(c)
            c[:, 0] -= 360.0 * np.floor((np.median(c[:, 0]) + 180.0) / 360.0)
            holes.append(c)
        poly = shapely.make_valid(shapely.Polygon(ext, holes))
        for p in shapely.get_parts(poly):
            if p.geom_type == "Polygon":
                pieces.extend(_split(p))
    if not pieces:
        return shapely.Polygon()
    return shapely.multipolygons(pieces)
