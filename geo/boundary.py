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
  and cached on disk as ``.npy`` files under :func:`geo.layers.cache_dir`
  (or read from the prebuilt caches shipped in the wheel).
* **Candidates per cell.**  The Earth is cut into 0.25° cells in 4° blocks.
  A run can hold the nearest boundary point of some point of a cell only if
  its lower bound (the chord between the spheres) is at most the smallest
  upper bound over runs (the chord between the spheres' far sides, turned
  into a geodesic length by Schur's comparison theorem: no geodesic of WGS84
  is more curved than the equator's meridian, so a geodesic of chord *c* is
  at most ``2 R asin(c / 2R)`` long, R = a(1 - e²)).  A geodesic is never
  shorter than its chord, so the lower bound is the chord itself.  Lists are
  built per block when a point first falls in it.
* **Per point** (:mod:`geo._nearest`), the same bounds with the point itself
  prune the runs, then the pieces (float32 columns, bounds padded for their
  rounding), then the pieces' chords (float64); the two or so pieces left
  are refined exactly: a Newton (then secant) iteration on the piece's
  parameter *t* towards where the geodesic from the piece meets it at a right angle, with
  pyproj's ``Geod.inv`` on whole arrays, each pair only until its distance
  is within 1e-7 m of its minimum and its point within 5 mm of the foot.
  Chunks of 8,192 points run on two threads.  Agrees with the single-point
  golden-section search to well under 1 mm, in batches of any size (tests).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._segments import BLOCK, CELL, CHUNK, FORMAT, RUN_M, SegmentIndex, cut
from ._stack import boundary_stack, covers, effective_edges, frame, seams
from ._threads import once
from .coords import wrap_lon
from .enums import Status

# --- per layer stack -----------------------------------------------------------------------

#: what lies across a boundary, by the kind code of :func:`across_answers` (1 is a zone)
ACROSS_WORDS = {2: Status.LAND, 3: Status.HIGH_SEAS, 4: Status.OUTSIDE_COVERAGE}


@once(maxsize=8)
def index_for(stack: tuple[Any, ...]) -> SegmentIndex:
    """The segment index of a layer stack (see :func:`boundary_stack`), cached on disk."""
    import hashlib

    from .layers import cache_dir, prebuilt_file, prebuilt_folder

    key = hashlib.sha256(repr([(e[0], e[1], e[2], e[3]) for e in stack]).encode()).hexdigest()[:32]
    path = cache_dir() / "index" / f"boundary-{key}-v{FORMAT}"
    blocks = cache_dir() / "index" / f"boundary-{key}-v{FORMAT}-cells-{CELL}-{BLOCK}-{CHUNK}-{RUN_M:.0f}"
    index = _load_saved(path) or _load_saved(prebuilt_folder(f"index/{path.name}"))  # user's, then shipped
    if index is None:
        parts = [effective_edges(stack, j) for j in range(len(stack))]
        parts += [seams(stack, j) for j in range(len(stack))]
        index = SegmentIndex(cut(np.vstack([p for p in parts if len(p)] or [np.empty((0, 4))])))
        with contextlib.suppress(Exception):  # a cache that cannot be written is rebuilt next time
            index.save(path)
            import shutil

            shutil.rmtree(blocks, ignore_errors=True)   # lists of an older build of the pieces
    index.block_dir = blocks
    index.block_source = lambda name: prebuilt_file(f"index/{blocks.name}/{name}")
    return index


def _load_saved(folder: Any) -> SegmentIndex | None:
    """The index saved in *folder*, or None (no folder, or not a readable index)."""
    if folder is None:
        return None
    try:
        return SegmentIndex.load(folder)
    except (OSError, ValueError):
        return None


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
    stack = boundary_stack(ids[0], ids)
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (lon >= -180) & (lon <= 360)
    x = np.where(ok, wrap_lon(np.where(ok, lon, 0.0)), np.nan)
    y = np.where(ok, lat, np.nan)
    metres, blon, blat, az = index_for(stack).nearest(x, y)
    labels = np.full(len(lat), "", dtype=object)
    if across:
        labels = across_labels(stack, x, y, blon, blat, metres, az)
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
        here = np.flatnonzero(todo & covers(entry, x, y))
        if not len(here):
            continue
        zi = _model(entry[0]).zone_locator.lookup(frame(entry, x[here]), y[here])
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
                   blat: np.ndarray, metres: np.ndarray,
                   azimuth: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What lies across each nearest boundary point: (layer, zone, kind).

    For arrays: step 30, 100, 300 m beyond the boundary point along
    *azimuth*, the bearing from the query point towards it as
    :meth:`SegmentIndex.nearest` gives it (turning at a corner), until the
    answer changes.  *kind*: 0 none (on the boundary or
    nothing seen), 1 a zone (layer, zone), 2 land, 3 high seas, 4 no coverage.
    """
    from .geodesy import forward
    from .zones import _model

    n = len(lon)
    kind = np.zeros(n, dtype=np.int8)
    layer, zone = np.full(n, -1), np.full(n, -1)
    todo = np.flatnonzero(np.isfinite(metres) & (metres >= 1e-3))
    if not len(todo):
        return layer, zone, kind
    az = azimuth[todo]
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
            fx = frame(entry, xs[m])
            land = model.hole_zone(fx, ys[m]) >= 0
            rest = ~land
            if rest.any():
                land[rest] = model.land_locator.lookup(fx[rest], ys[m][rest]) >= 0
            kind[m[land]] = 2
    return layer, zone, kind


def across_labels(stack: tuple[Any, ...], lon: np.ndarray, lat: np.ndarray, blon: np.ndarray,
                  blat: np.ndarray, metres: np.ndarray, azimuth: np.ndarray) -> np.ndarray:
    """``"MRGID:name"``, ``land``, ``high_seas``, ``outside_coverage`` or ``""`` per point."""
    from .zones import _model

    layer, zone, kind = across_answers(stack, lon, lat, blon, blat, metres, azimuth)
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


def nearest_one(stack: tuple[Any, ...], lon: float, lat: float) -> tuple[float, float, float, float] | None:
    """(metres, lon, lat, azimuth towards it) of the nearest boundary point of one point
    (None if the set is empty)."""
    index = index_for(stack)
    if not len(index.pieces):
        return None
    d, x, y, az = index.nearest(np.array([lon]), np.array([lat]))
    return (float(d[0]), float(x[0]), float(y[0]), float(az[0])) if math.isfinite(d[0]) else None
