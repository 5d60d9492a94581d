"""Distance to the nearest boundary for one point or millions (issue 12).

The boundaries are the fixed set of :func:`geo.answer.boundary_info`: each
layer's zone edges where that layer answers, less its coverage-box clips and
±180° cuts, plus the pieces of box sides where the answer changes across
them.  Edges are straight in longitude/latitude; distances are WGS84
geodesics to those edges.

Method
------
* **Segments.**  The set's edges, cut into pieces of at most
  :data:`MAX_PIECE_M`, grouped in runs of :data:`CHUNK` consecutive pieces.
  Every piece and run gets a bounding sphere in Earth-centred (ECEF)
  coordinates.  Built once per layer stack (keyed by the layers' SHA-256)
  and cached on disk as ``.npz`` under :func:`geo.layers.cache_dir`.
* **Candidates per cell.**  The Earth is cut into 0.25° cells in 4° blocks.
  A run can hold the nearest boundary point of some point of a cell only if
  its lower bound (the chord between the spheres) is at most the smallest
  upper bound over runs (the chord between the spheres' far sides, turned
  into a geodesic length by Schur's comparison theorem: no geodesic of WGS84
  is more curved than the equator's meridian, so a geodesic of chord *c* is
  at most ``2 R asin(c / 2R)`` long, R = a(1 - e²)).  A geodesic is never
  shorter than its chord, so the lower bound is the chord itself.  Lists are
  built per block when a point first falls in it.
* **Per point**, the same bounds with the point itself prune the runs, then
  the pieces; the few pieces left are refined exactly: a Newton iteration on
  the piece's parameter *t* until the geodesic from the piece meets it at a
  right angle, with pyproj's ``Geod.inv`` on whole arrays.  Agrees with the
  single-point golden-section search to well under 1 mm (tests).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._segments import BLOCK, CELL, CHUNK, FORMAT, RUN_M, SegmentIndex, cut
from ._threads import once
from .coords import wrap_lon
from .enums import Status

# --- per layer stack -----------------------------------------------------------------------

# --- the boundary set of a layer stack (moved from geo.zones) --------------------------

#: a layer in a boundary stack: (id, sha256, coverage box, zones_only) -- content-keyed for the caches
_StackEntry = tuple[str, str, tuple[float, float, float, float], bool]
_NUDGE = 1e-7  # degrees (about 1 cm): "just inside" and "just outside" a box edge
_ON_LINE = 1e-6  # degrees: an edge this close to a box side runs along it


def _boundary_stack(layer_id: str, layers: Sequence[str] | None) -> tuple[_StackEntry, ...]:
    """The layer stack whose boundaries answer for *layer_id* (*layers* if it holds it, else it alone)."""
    from .layers import manifest, resolve_layers

    ids = resolve_layers(layers)
    if layer_id not in ids:
        ids = (layer_id,)
    infos = [manifest().get(i) for i in ids]
    return tuple((i.id, i.sha256, tuple(float(v) for v in i.coverage_bbox), bool(i.zones_only))
                 for i in infos)


def _full_width(box: tuple[float, float, float, float]) -> bool:
    return box[0] <= -180.0 and box[2] >= 180.0


def _box_sides(box: tuple[float, float, float, float]) -> list[tuple[str, float, float, float, int]]:
    """The sides of a coverage box where coverage ends: (kind, value, from, to, inward sign).

    ``"lat"`` is a parallel (latitude *value*, longitudes from..to), ``"lon"``
    a meridian.  The poles and, for a box round the whole Earth, ±180° are
    no sides.
    """
    w, s, e, n = box
    out = []
    if s > -90.0:
        out.append(("lat", s, w, e, +1))
    if n < 90.0:
        out.append(("lat", n, w, e, -1))
    if not _full_width(box):
        out += [("lon", w, s, n, +1), ("lon", e, s, n, -1)]
    return out


def _side_segments(kind: str, value: float, lo: float, hi: float) -> np.ndarray:
    """A box side (or a piece of it) as lon/lat edges of at most 1° (for the nearest-point search)."""
    t = np.linspace(lo, hi, max(1, math.ceil(hi - lo)) + 1)
    c = np.full(len(t) - 1, value)
    if kind == "lat":
        return np.column_stack([t[:-1], c, t[1:], c])
    return np.column_stack([c, t[:-1], c, t[1:]])


@once(maxsize=16)
def _own_edges(entry: _StackEntry) -> np.ndarray:
    """A layer's zone edges (x0, y0, x1, y1) except those along its box sides or ±180° (cuts)."""
    from .zones import _model

    return _drop_cuts(_ring_edges(_model(entry[0]).zones.geometry), entry[2])


def _ring_edges(geoms: Any) -> np.ndarray:
    """Every edge of every ring of polygonal geometries as rows x0, y0, x1, y1."""
    import shapely

    rings = shapely.get_rings(shapely.get_parts(geoms))
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[:-1] == ring[1:]
    return np.column_stack([xy[:-1][same], xy[1:][same]])


def _drop_cuts(segs: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """Edges except those along a side of *box*, ±180° or a pole (where a layer was cut)."""
    w, s, e, n = box
    cut = np.zeros(len(segs), dtype=bool)
    flat = np.flatnonzero(np.abs(segs[:, 1] - segs[:, 3]) < _ON_LINE)
    for y in (s, n, -90.0, 90.0):
        cut[flat[np.abs(segs[flat, 1] - y) < _ON_LINE]] = True
    upright = np.flatnonzero(np.abs(segs[:, 0] - segs[:, 2]) < _ON_LINE)


    for x in (w, e):
        cut[upright[np.abs(wrap_lon(segs[upright, 0] - x)) < _ON_LINE]] = True
    # layers cut at ±180° do so a little loosely (the world layer at ±179.9999885)
    cut[upright[np.abs(segs[upright, 0]) >= 179.999]] = True
    return segs[~cut]


def _clip_box(segs: np.ndarray, box: tuple[float, float, float, float], keep_inside: bool) -> np.ndarray:
    """The parts of edges inside (or outside) a closed lon/lat box (Liang–Barsky)."""
    if not len(segs):
        return segs
    w, s, e, n = box
    x0, y0, dx, dy = segs[:, 0], segs[:, 1], segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1]
    lo, hi = np.zeros(len(segs)), np.ones(len(segs))
    empty = np.zeros(len(segs), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-dx, x0 - w), (dx, e - x0), (-dy, y0 - s), (dy, n - y0)):  # p t <= q
            r = q / p
            lo = np.where(p < 0, np.maximum(lo, r), lo)
            hi = np.where(p > 0, np.minimum(hi, r), hi)
            empty |= (p == 0) & (q < 0)
    hits = ~empty & (lo <= hi)

    def piece(i: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        g = segs[i]
        d = g[:, 2:] - g[:, :2]
        return np.column_stack([g[:, :2] + a[:, None] * d, g[:, :2] + b[:, None] * d])

    if keep_inside:
        i = np.flatnonzero(hits)
        return piece(i, lo[i], hi[i])
    whole = segs[~hits]
    i = np.flatnonzero(hits & (lo > 0))
    j = np.flatnonzero(hits & (hi < 1))
    return np.vstack([whole, piece(i, np.zeros(len(i)), lo[i]), piece(j, hi[j], np.ones(len(j)))])


def _clip_out_polygon(segs: np.ndarray, region: Any) -> np.ndarray:
    """The parts of edges outside a closed polygonal region (shapely, edges near it only)."""
    import shapely

    if not len(segs) or region.is_empty:
        return segs
    w, s, e, n = region.bounds
    near = ~((np.maximum(segs[:, 0], segs[:, 2]) < w) | (np.minimum(segs[:, 0], segs[:, 2]) > e)
             | (np.maximum(segs[:, 1], segs[:, 3]) < s) | (np.minimum(segs[:, 1], segs[:, 3]) > n))
    if not near.any():
        return segs
    rest = shapely.difference(shapely.linestrings(segs[near].reshape(-1, 2, 2)), region)
    xy, part = shapely.get_coordinates(shapely.get_parts(shapely.get_parts(rest)), return_index=True)
    same = part[:-1] == part[1:]
    return np.vstack([segs[~near], np.column_stack([xy[:-1][same], xy[1:][same]])])


@once(maxsize=16)
def _effective_edges(stack: tuple[_StackEntry, ...], j: int) -> np.ndarray:
    """Layer *j*'s zone edges where it answers: in its box, out of the earlier layers' regions."""
    return _clip_to_region(stack, j, _own_edges(stack[j]))


def _clip_to_region(stack: tuple[_StackEntry, ...], j: int, segs: np.ndarray) -> np.ndarray:
    """The parts of edges where layer *j* answers."""
    import shapely

    from .zones import _model

    entry = stack[j]
    w, s, e, n = entry[2]
    if len(segs) and not (w <= segs[:, 0::2].min() and segs[:, 0::2].max() <= e
                          and s <= segs[:, 1::2].min() and segs[:, 1::2].max() <= n):
        segs = _clip_box(segs, entry[2], keep_inside=True)
    for before in stack[:j]:
        if before[3]:  # a partial layer answers in its zones only
            zones = _model(before[0]).zones.geometry
            region = shapely.intersection(shapely.union_all(zones), shapely.box(*before[2]))
            segs = _clip_out_polygon(segs, region)
        else:
            segs = _clip_box(segs, before[2], keep_inside=False)
    return segs


def _zone_key(entry: _StackEntry, zi: int) -> Any:
    """What the answer is in zone *zi* of a layer, comparable across layers (-1: in no zone)."""
    from .zones import _model, status_of_pol_type

    if zi < 0:
        return None
    zones = _model(entry[0]).zones
    return int(zones.mrgid[zi]), status_of_pol_type(str(zones.pol_type[zi]))


def _frame(entry: _StackEntry, lon: np.ndarray) -> np.ndarray:
    """Longitudes in a layer's frame (as :func:`_east`: -180 -> 180 for an east-edged box)."""

    from .zones import box_frame

    return box_frame(wrap_lon(lon), entry[2])


def _covers(entry: _StackEntry, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    w, s, e, n = entry[2]
    x = _frame(entry, lon)
    return (x >= w) & (x <= e) & (lat >= s) & (lat <= n)


def _resolve(stack: tuple[_StackEntry, ...], lon: np.ndarray, lat: np.ndarray,
             zone_of: Any) -> list[tuple[int, int]]:
    """(layer, zone) answering each point as :func:`classify` resolves it ((-1, -1): no coverage).

    ``zone_of(j, mask)`` gives layer *j*'s zone index (-1: none) at the points *mask* selects.
    """
    out = [(-1, -1)] * len(lon)
    todo = np.ones(len(lon), dtype=bool)
    for j, entry in enumerate(stack):
        here = todo & _covers(entry, lon, lat)
        if not here.any():
            continue
        zi = np.full(len(lon), -1)
        zi[here] = zone_of(j, here)
        if entry[3]:
            here &= zi >= 0
        for k in np.flatnonzero(here):
            out[k] = (j, int(zi[k]))
        todo &= ~here
    return out


def _key_of(stack: tuple[_StackEntry, ...], answered: tuple[int, int]) -> Any:
    j, zi = answered
    return Status.OUTSIDE_COVERAGE if j < 0 else _zone_key(stack[j], zi)


def _line_zones(entry: _StackEntry, kind: str, value: float, lo: float, hi: float
                ) -> list[tuple[float, float, int]]:
    """The pieces (from, to, zone index) of a parallel or meridian that lie in each zone of a layer."""
    import shapely

    from .zones import _model

    geoms = _model(entry[0]).zones.geometry
    if kind == "lon":
        value = float(_frame(entry, np.array([value]))[0])
        line = shapely.LineString([(value, lo), (value, hi)])
    else:
        line = shapely.LineString([(lo, value), (hi, value)])
    b = shapely.bounds(geoms)
    lx, ly, ux, uy = line.bounds
    cand = np.flatnonzero((b[:, 0] <= ux) & (b[:, 2] >= lx) & (b[:, 1] <= uy) & (b[:, 3] >= ly))
    axis = 1 if kind == "lon" else 0
    out = []
    for i in cand:
        for part in shapely.get_parts(shapely.intersection(geoms[i], line)):
            c = shapely.get_coordinates(part)[:, axis]
            if len(c):
                out.append((float(c.min()), float(c.max()), int(i)))
    return sorted(out, key=lambda t: t[2])


def _side_answers(stack: tuple[_StackEntry, ...], kind: str, mid: np.ndarray, at: float,
                  spans: list[list[tuple[float, float, int]]]) -> list[Any]:
    """The answer at each of *mid* along the parallel or meridian *at*.

    *spans*: per layer of the stack, the pieces of the line in its zones (:func:`_line_zones`).
    """
    v = np.full(len(mid), at)
    lon, lat = (mid, v) if kind == "lat" else (v, mid)

    def zone_of(k: int, mask: np.ndarray) -> np.ndarray:
        return np.array([next((z for a, b, z in spans[k] if a <= m <= b), -1) for m in mid[mask]])

    return [_key_of(stack, r) for r in _resolve(stack, lon, lat, zone_of)]


@once(maxsize=16)
def _seams(stack: tuple[_StackEntry, ...], j: int) -> np.ndarray:
    """The pieces of layer *j*'s box sides where the answer differs on the two sides."""
    pieces = []
    for kind, value, lo, hi, inward in _box_sides(stack[j][2]):
        sides = {sign: value + sign * inward * _NUDGE for sign in (+1, -1)}  # +1 inside, -1 outside
        found = {(sign, k): _line_zones(stack[k], kind, v, lo, hi)
                 for sign, v in sides.items() for k in range(len(stack))}
        cuts = {lo, hi}
        for spans in found.values():
            cuts.update(t for a, b, _ in spans for t in (a, b) if lo < t < hi)
        for entry in stack:
            w, s, e, n = entry[2]
            cuts.update(t for t in ((w, e) if kind == "lat" else (s, n)) if lo < t < hi)
        t = np.array(sorted(cuts))
        mid = (t[:-1] + t[1:]) / 2

        found_on = {sign: [found[(sign, k)] for k in range(len(stack))] for sign in (+1, -1)}
        answers = {sign: _side_answers(stack, kind, mid, sides[sign], found_on[sign]) for sign in (+1, -1)}
        differ = [a != b for a, b in zip(answers[+1], answers[-1], strict=True)]
        start = None
        for i, d in enumerate(differ + [False]):
            if d and start is None:
                start = t[i]
            elif not d and start is not None:
                pieces.append(_side_segments(kind, value, start, t[i]))
                start = None
    return np.vstack(pieces) if pieces else np.empty((0, 4))


#: what lies across a boundary, by the kind code of :func:`across_answers` (1 is a zone)
ACROSS_WORDS = {2: Status.LAND, 3: Status.HIGH_SEAS, 4: Status.OUTSIDE_COVERAGE}


@once(maxsize=8)
def index_for(stack: tuple[Any, ...]) -> SegmentIndex:
    """The segment index of a layer stack (see :func:`_boundary_stack`), cached on disk."""
    import hashlib

    from .layers import cache_dir

    key = hashlib.sha256(repr([(e[0], e[1], e[2], e[3]) for e in stack]).encode()).hexdigest()[:32]
    path = cache_dir() / "index" / f"boundary-{key}-v{FORMAT}"
    blocks = cache_dir() / "index" / f"boundary-{key}-v{FORMAT}-cells-{CELL}-{BLOCK}-{CHUNK}-{RUN_M:.0f}"
    try:
        index = SegmentIndex.load(path)
        index.block_dir = blocks
        return index
    except (OSError, ValueError):
        pass
    parts = [_effective_edges(stack, j) for j in range(len(stack))]
    parts += [_seams(stack, j) for j in range(len(stack))]
    index = SegmentIndex(cut(np.vstack([p for p in parts if len(p)] or [np.empty((0, 4))])))
    with contextlib.suppress(Exception):  # a cache that cannot be written is rebuilt next time
        index.save(path)
        import shutil

        shutil.rmtree(blocks, ignore_errors=True)   # lists of an older build of the pieces
    index.block_dir = blocks
    return index


# --- the public view ------------------------------------------------------------------------

@dataclass(frozen=True)
class BoundaryDistances:
    """Per point: geodesic km to the nearest boundary, that point, and what lies across it.

    ``across`` holds, per point, ``"MRGID:name"`` of the zone across, or
    ``land``, ``high_seas``, ``outside_coverage``, or ``""`` (on the boundary,
    no coverage, bad input).
    """

    km: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    across: np.ndarray


def boundary_distance(lats: Any, lons: Any, layers: Sequence[str] | None = None,
                      across: bool = True) -> BoundaryDistances:
    """Geodesic (WGS84) distance to the nearest zone boundary for arrays of points.

    The same fixed boundary set as :func:`geo.where` (one engine for both):
    the answering layers' zone edges, not their coverage-box clips or ±180°
    cuts, and box sides only where the answer changes across them.

    Example
    -------
    >>> r = boundary_distance([22.0, 30.0], [153.8, 179.99])
    >>> [round(float(k), 1) for k in r.km]
    [117.4, 135.0]
    """
    from .layers import resolve_layers

    lat = np.atleast_1d(np.asarray(lats, dtype=float))
    lon = np.atleast_1d(np.asarray(lons, dtype=float))
    ids = resolve_layers(layers)
    stack = _boundary_stack(ids[0], ids)
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (lon >= -180) & (lon <= 360)
    x = np.where(ok, wrap_lon(np.where(ok, lon, 0.0)), np.nan)
    y = np.where(ok, lat, np.nan)
    metres, blon, blat = index_for(stack).nearest(x, y)
    labels = np.full(len(lat), "", dtype=object)
    if across:
        labels = across_labels(stack, x, y, blon, blat, metres)
    return BoundaryDistances(metres / 1000.0, blat, blon, labels)


# --- what lies across ------------------------------------------------------------------

_STEPS = [(m, t) for m in (30.0, 100.0, 300.0) for t in (0, 45, -45, 90, -90, 135, -135)]


def _answer_at(stack: tuple[Any, ...], x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(layer, zone) answering each point as classify resolves it ((-1, -1): no coverage)."""
    from .zones import _model

    n = len(x)
    layer, zone = np.full(n, -1), np.full(n, -1)
    todo = np.ones(n, dtype=bool)
    for j, entry in enumerate(stack):
        here = np.flatnonzero(todo & _covers(entry, x, y))
        if not len(here):
            continue
        zi = _model(entry[0]).zone_locator.lookup(_frame(entry, x[here]), y[here])
        if entry[3]:
            here, zi = here[zi >= 0], zi[zi >= 0]
        layer[here], zone[here] = j, zi
        todo[here] = False
    return layer, zone


def _keys(stack: tuple[Any, ...], layer: np.ndarray, zone: np.ndarray) -> np.ndarray:
    """A comparable code of each answer: MRGID and status; -1 in no zone, -2 no coverage."""
    from .zones import _STATUS_CODE, _model, status_of_pol_type

    out = np.where(layer < 0, -2, -1).astype(np.int64)
    for j, entry in enumerate(stack):
        m = np.flatnonzero((layer == j) & (zone >= 0))
        if len(m):
            zones = _model(entry[0]).zones
            code = np.array([int(mr) * 16 + _STATUS_CODE[status_of_pol_type(str(p))]
                             for mr, p in zip(zones.mrgid, zones.pol_type, strict=True)], dtype=np.int64)
            out[m] = code[zone[m]]
    return out


def across_answers(stack: tuple[Any, ...], lon: np.ndarray, lat: np.ndarray, blon: np.ndarray,
                   blat: np.ndarray, metres: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What lies across each nearest boundary point: (layer, zone, kind).

    For arrays: step 30, 100, 300 m beyond the
    boundary point along the bearing from the query point (turning at a
    corner) until the answer changes.  *kind*: 0 none (on the boundary or
    nothing seen), 1 a zone (layer, zone), 2 land, 3 high seas, 4 no coverage.
    """
    from .geodesy import forward, inverse
    from .zones import _model

    n = len(lon)
    kind = np.zeros(n, dtype=np.int8)
    layer, zone = np.full(n, -1), np.full(n, -1)
    todo = np.flatnonzero(np.isfinite(metres) & (metres >= 1e-3))
    if not len(todo):
        return layer, zone, kind
    _, az = inverse(lat[todo], lon[todo], blat[todo], blon[todo])
    here = _keys(stack, *_answer_at(stack, lon[todo], lat[todo]))
    xs, ys = np.full(n, np.nan), np.full(n, np.nan)
    pending = np.ones(len(todo), dtype=bool)
    for step, turn in _STEPS:
        p = np.flatnonzero(pending)
        if not len(p):
            break
        i = todo[p]
        y, x = forward(blat[i], blon[i], az[p] + turn, np.full(len(p), step))
        lj, lz = _answer_at(stack, x, y)
        changed = _keys(stack, lj, lz) != here[p]
        c = p[changed]
        layer[todo[c]], zone[todo[c]] = lj[changed], lz[changed]
        xs[todo[c]], ys[todo[c]] = x[changed], y[changed]
        pending[c] = False
    seen = todo[~pending]
    kind[seen] = np.where(layer[seen] < 0, 4, np.where(zone[seen] >= 0, 1, 3))
    for j, entry in enumerate(stack):
        m = seen[(layer[seen] == j) & (zone[seen] < 0)]
        if len(m):
            model = _model(entry[0])
            fx = _frame(entry, xs[m])
            land = model.hole_zone(fx, ys[m]) >= 0
            rest = ~land
            if rest.any():
                land[rest] = model.land_locator.lookup(fx[rest], ys[m][rest]) >= 0
            kind[m[land]] = 2
    return layer, zone, kind


def across_labels(stack: tuple[Any, ...], lon: np.ndarray, lat: np.ndarray, blon: np.ndarray,
                  blat: np.ndarray, metres: np.ndarray) -> np.ndarray:
    """``"MRGID:name"``, ``land``, ``high_seas``, ``outside_coverage`` or ``""`` per point."""
    from .zones import _model

    layer, zone, kind = across_answers(stack, lon, lat, blon, blat, metres)
    out = np.full(len(lon), "", dtype=object)
    for k, word in ACROSS_WORDS.items():
        out[kind == k] = word
    for j, entry in enumerate(stack):
        m = np.flatnonzero((kind == 1) & (layer == j))
        if len(m):
            zones = _model(entry[0]).zones
            names = np.array([f"{int(mr)}:{nm}" for mr, nm in zip(zones.mrgid, zones.name, strict=True)],
                             dtype=object)
            out[m] = names[zone[m]]
    return out


def nearest_one(stack: tuple[Any, ...], lon: float, lat: float) -> tuple[float, float, float] | None:
    """(metres, lon, lat) of the nearest boundary point of one point (None if the set is empty)."""
    index = index_for(stack)
    if not len(index.pieces):
        return None
    d, x, y = index.nearest(np.array([lon]), np.array([lat]))
    return (float(d[0]), float(x[0]), float(y[0])) if math.isfinite(d[0]) else None
