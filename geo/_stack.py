"""The fixed boundary set of a layer stack: each layer's zone edges where it answers.

A layer stack is the tuple of layers that answer, in precedence, with their
checksums, coverage boxes and whether a layer answers only in its zones.  Its
boundary set is each layer's zone edges where that layer answers, less its
coverage-box clips and ±180° cuts, plus the pieces of box sides where the
answer changes across them (a seam counts only where the answer changes).
:mod:`geo.boundary` measures distances to this set; :mod:`geo.table` and
:mod:`geo.answer` use the same stack.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._threads import once
from .coords import wrap_lon
from .enums import Status

# --- the boundary set of a layer stack (moved from geo.zones) --------------------------

#: a layer in a boundary stack: (id, sha256, coverage box, zones_only) -- content-keyed for the caches
StackEntry = tuple[str, str, tuple[float, float, float, float], bool]
_NUDGE = 1e-7  # degrees (about 1 cm): "just inside" and "just outside" a box edge
_ON_LINE = 1e-6  # degrees: an edge this close to a box side runs along it


def boundary_stack(layer_id: str, layers: Sequence[str] | None) -> tuple[StackEntry, ...]:
    """The layer stack whose boundaries answer for *layer_id* (*layers* if it holds it, else it alone)."""
    from .layers import manifest, resolve_layers

    ids = resolve_layers(layers)
    if layer_id not in ids:
        ids = (layer_id,)
    infos = [manifest().get(i) for i in ids]
    return tuple((i.id, i.sha256, _box4(i.coverage_bbox), bool(i.zones_only)) for i in infos)


def _box4(box: Sequence[float]) -> tuple[float, float, float, float]:
    return float(box[0]), float(box[1]), float(box[2]), float(box[3])


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
def _own_edges(entry: StackEntry) -> np.ndarray:
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
def effective_edges(stack: tuple[StackEntry, ...], j: int) -> np.ndarray:
    """Layer *j*'s zone edges where it answers: in its box, out of the earlier layers' regions."""
    return _clip_to_region(stack, j, _own_edges(stack[j]))


def _clip_to_region(stack: tuple[StackEntry, ...], j: int, segs: np.ndarray) -> np.ndarray:
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


def _zone_key(entry: StackEntry, zi: int) -> Any:
    """What the answer is in zone *zi* of a layer, comparable across layers (-1: in no zone)."""
    from .zones import _model, status_of_pol_type

    if zi < 0:
        return None
    zones = _model(entry[0]).zones
    return int(zones.mrgid[zi]), status_of_pol_type(str(zones.pol_type[zi]))


def frame(entry: StackEntry, lon: np.ndarray) -> np.ndarray:
    """Longitudes in a layer's frame (as :func:`_east`: -180 -> 180 for an east-edged box)."""

    from .zones import box_frame

    framed: np.ndarray = box_frame(wrap_lon(lon), entry[2])
    return framed


def covers(entry: StackEntry, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    w, s, e, n = entry[2]
    x = frame(entry, lon)
    return (x >= w) & (x <= e) & (lat >= s) & (lat <= n)


def _resolve(stack: tuple[StackEntry, ...], lon: np.ndarray, lat: np.ndarray,
             zone_of: Any) -> list[tuple[int, int]]:
    """(layer, zone) answering each point as :func:`classify` resolves it ((-1, -1): no coverage).

    ``zone_of(j, mask)`` gives layer *j*'s zone index (-1: none) at the points *mask* selects.
    """
    out = [(-1, -1)] * len(lon)
    todo = np.ones(len(lon), dtype=bool)
    for j, entry in enumerate(stack):
        here = todo & covers(entry, lon, lat)
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


def _key_of(stack: tuple[StackEntry, ...], answered: tuple[int, int]) -> Any:
    j, zi = answered
    return Status.OUTSIDE_COVERAGE if j < 0 else _zone_key(stack[j], zi)


def _line_zones(entry: StackEntry, kind: str, value: float, lo: float, hi: float
                ) -> list[tuple[float, float, int]]:
    """The pieces (from, to, zone index) of a parallel or meridian that lie in each zone of a layer."""
    import shapely

    from .zones import _model

    geoms = _model(entry[0]).zones.geometry
    if kind == "lon":
        value = float(frame(entry, np.array([value]))[0])
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


def _side_answers(stack: tuple[StackEntry, ...], kind: str, mid: np.ndarray, at: float,
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
def seams(stack: tuple[StackEntry, ...], j: int) -> np.ndarray:
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
