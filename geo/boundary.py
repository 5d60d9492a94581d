"""Distance to the nearest boundary for one point or millions (issue 12).

The boundaries are the fixed set of :func:`geo.zones.boundary_info`: each
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
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._threads import once

_A = 6378137.0
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)
#: the smallest radius of curvature of WGS84 (meridional, at the equator)
_R_MIN = _A * (1 - _E2)
#: longest piece an edge is cut into (chord, metres)
MAX_PIECE_M = 10_000.0
#: consecutive pieces per run
CHUNK = 8
#: about how long a run of pieces is (metres)
RUN_M = 8_000.0
CELL = 0.25    # degrees
BLOCK = 16     # cells per block side (4°)
SUB = 4        # cells per sub-block side (1°): a block's lists are narrowed through its sub-blocks
SUPER = 3      # blocks per super-block side (12°), super-blocks per level-2 side (36°): lists kept in memory
_NX, _NY = int(360 / CELL), int(180 / CELL)
_FORMAT = 3


def _ecef(lon: Any, lat: Any) -> np.ndarray:
    lam, phi = np.radians(lon), np.radians(lat)
    s = np.sin(phi)
    n = _A / np.sqrt(1 - _E2 * s * s)
    c = n * np.cos(phi)
    return np.stack([c * np.cos(lam), c * np.sin(lam), n * (1 - _E2) * s], axis=-1)


def _geodesic_upper(chord: np.ndarray) -> np.ndarray:
    """An upper bound of the geodesic length between two points *chord* metres apart."""
    return 2 * _R_MIN * np.arcsin(np.minimum(chord / (2 * _R_MIN), 1.0))


# --- the segment index -----------------------------------------------------------------

class SegmentIndex:
    """The boundary pieces of one layer stack, their runs and the per-cell candidate runs."""

    _DERIVED = ("e0", "e1", "sag", "mid", "half", "run_start", "run_end", "centre", "radius")

    def __init__(self, pieces: np.ndarray, derived: dict[str, np.ndarray] | None = None) -> None:
        self.pieces = np.ascontiguousarray(pieces, dtype=float)  # (n, 4) lon0, lat0, lon1, lat1
        self._cells: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # block -> (offsets per cell, runs)
        self._supers: dict[tuple[int, int], np.ndarray] = {}  # (level, super-block) -> runs
        self._table: np.ndarray | None = None
        self._lock = threading.Lock()
        #: where each block's candidate lists are kept between runs (None: not kept)
        self.block_dir: Any = None
        if derived is not None:   # as saved: no need to compute them again
            for name in self._DERIVED:
                setattr(self, name, derived[name])
            return
        n = len(self.pieces)
        e0, e1 = _ecef(self.pieces[:, 0], self.pieces[:, 1]), _ecef(self.pieces[:, 2], self.pieces[:, 3])
        mid = _ecef((self.pieces[:, 0] + self.pieces[:, 2]) / 2, (self.pieces[:, 1] + self.pieces[:, 3]) / 2)
        self.e0, self.e1 = e0, e1
        # how far the lon/lat curve strays from its chord: smooth, nearly parabolic, widest mid-way
        self.sag = 1.5 * np.linalg.norm(mid - (e0 + e1) / 2, axis=1) + 0.01
        self.mid = (e0 + e1) / 2
        self.half = np.linalg.norm(e1 - e0, axis=1) / 2 + self.sag
        # runs: at most CHUNK consecutive pieces and about RUN_M long (a new run at either mark)
        cum = np.cumsum(np.linalg.norm(e1 - e0, axis=1)) // RUN_M
        new_run = np.r_[True, cum[1:] != cum[:-1]] | (np.arange(n) % CHUNK == 0) if n else np.zeros(0, bool)
        self.run_start = np.flatnonzero(new_run)
        self.run_end = np.r_[self.run_start[1:], n].astype(np.int64)
        runs = len(self.run_start)
        run_of = np.repeat(np.arange(runs), self.run_end - self.run_start)
        centre = np.zeros((runs, 3))
        np.add.at(centre, run_of, (e0 + e1) / 2)
        centre /= (self.run_end - self.run_start)[:, None]
        far = np.maximum(np.linalg.norm(e0 - centre[run_of], axis=1),
                         np.linalg.norm(e1 - centre[run_of], axis=1)) + self.sag
        radius = np.zeros(runs)
        np.maximum.at(radius, run_of, far)
        self.centre, self.radius = centre, radius + 0.01

    # -- building ------------------------------------------------------------------------

    @staticmethod
    def _box_sphere(w: np.ndarray, s: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
        """Bounding spheres (centre, radius) of lon/lat boxes [w, w+size] x [s, s+size]."""
        c = _ecef(w + size / 2, s + size / 2)
        k = np.linspace(0.0, 1.0, 9)
        xs = np.concatenate([k, k, np.zeros(9), np.ones(9)])
        ys = np.concatenate([np.zeros(9), np.ones(9), k, k])
        edge = _ecef(w[:, None] + size * xs, s[:, None] + size * ys)
        r = np.linalg.norm(edge - c[:, None, :], axis=2).max(axis=1)
        return c, r * 1.001 + 1.0

    def _candidates(self, centre: np.ndarray, radius: np.ndarray, runs: np.ndarray) -> list[np.ndarray]:
        """For each sphere, the runs among *runs* that may hold the nearest boundary of a point in it."""
        table = self._run_table()
        rc, rr, rv = table[runs, 0:3], table[runs, 3], table[runs, 4:7]
        out: list[np.ndarray] = []
        for lo in range(0, len(centre), 64):
            c, r = centre[lo:lo + 64], radius[lo:lo + 64, None]
            d = np.sqrt(((rc[None, :, :] - c[:, None, :]) ** 2).sum(axis=2))
            # a run's first vertex is a boundary point: no point of the sphere is farther from it
            # than its distance to the centre plus the radius (the bound grows with the chord,
            # so the smallest chord gives the smallest bound)
            dv = np.sqrt(((rv[None, :, :] - c[:, None, :]) ** 2).sum(axis=2))
            upper = _geodesic_upper(dv.min(axis=1, keepdims=True) + r)
            keep = d - r - rr <= upper
            out.extend(runs[k] for k in keep)
        return out

    def _run_table(self) -> np.ndarray:
        """Per run: centre (3), radius, first vertex (3), in memory (not memory-mapped)."""
        table = self._table
        if table is None:
            table = np.empty((len(self.centre), 7))
            table[:, 0:3], table[:, 3] = self.centre, self.radius
            table[:, 4:7] = self.e0[np.asarray(self.run_start)]
            self._table = table
        return table

    def _super(self, sb: int, level: int = 1) -> np.ndarray:
        """The runs that may be nearest for some point of super-block *sb* (held in memory).

        Level 1: SUPER x SUPER blocks, its list narrowed from that of its level-2
        super-block (SUPER x SUPER of them), whose list comes from every run.
        """
        got = self._supers.get((level, sb))
        if got is None:
            blocks = SUPER ** level
            cols = _NX // (BLOCK * blocks)
            sx, sy = sb % cols, sb // cols
            size = CELL * BLOCK * blocks
            c, r = self._box_sphere(np.array([-180.0 + sx * size]), np.array([-90.0 + sy * size]), size)
            if level == 2:
                runs = np.arange(len(self.centre))
            else:
                runs = self._super((sy // SUPER) * (cols // SUPER) + sx // SUPER, level + 1)
            got = self._candidates(c, r, runs)[0]
            self._supers[(level, sb)] = got
        return got

    def _block(self, b: int) -> tuple[np.ndarray, np.ndarray]:
        got = self._cells.get(b)
        if got is not None:
            return got
        with self._lock:
            got = self._cells.get(b)
            if got is not None:
                return got
            got = self._load_block(b)
            if got is None:
                got = self._build_block(b)
                self._save_block(b, got)
            self._cells[b] = got
            return got

    def _build_block(self, b: int) -> tuple[np.ndarray, np.ndarray]:
        """The candidate runs of each cell of block *b*, narrowed level by level.

        Super-block (all runs) -> block -> sub-block of SUB x SUB cells -> cell: each
        level tests only its parent's list, which holds every run that can be
        nearest for a point of the parent (so of the child); the lists are the
        same sound supersets as when every cell is tested against every run.
        """
        bx, by = b % (_NX // BLOCK), b // (_NX // BLOCK)
        size = CELL * BLOCK
        w0, s0 = -180.0 + bx * size, -90.0 + by * size
        sb = (by // SUPER) * (_NX // (BLOCK * SUPER)) + bx // SUPER
        c, r = self._box_sphere(np.array([w0]), np.array([s0]), size)
        runs = self._candidates(c, r, self._super(sb))[0]
        n_sub = BLOCK // SUB
        si, sj = np.meshgrid(np.arange(n_sub), np.arange(n_sub))  # sub-block (i east, j north)
        sc, sr = self._box_sphere(w0 + si.ravel() * CELL * SUB, s0 + sj.ravel() * CELL * SUB, CELL * SUB)
        sub_lists = self._candidates(sc, sr, runs)
        lists: list[np.ndarray] = [np.zeros(0, np.int64)] * (BLOCK * BLOCK)
        ci, cj = np.meshgrid(np.arange(SUB), np.arange(SUB))
        i = (si.reshape(-1, 1) * SUB + ci.reshape(1, -1)).ravel()   # cells, sub-block by sub-block
        j = (sj.reshape(-1, 1) * SUB + cj.reshape(1, -1)).ravel()
        cc, cr = self._box_sphere(w0 + i * CELL, s0 + j * CELL, CELL)
        cells = (j * BLOCK + i).tolist()
        for k, sub_runs in enumerate(sub_lists):
            part = slice(k * SUB * SUB, (k + 1) * SUB * SUB)
            for cell, found in zip(cells[part], self._candidates(cc[part], cr[part], sub_runs)):
                lists[cell] = found
        offsets = np.concatenate([[0], np.cumsum([len(x) for x in lists])]).astype(np.int64)
        return offsets, np.concatenate(lists).astype(np.int64)

    def _load_block(self, b: int) -> tuple[np.ndarray, np.ndarray] | None:
        if self.block_dir is None:
            return None
        try:
            with np.load(self.block_dir / f"block-{b}.npz", allow_pickle=False) as npz:
                return npz["offsets"], npz["runs"]
        except (OSError, ValueError, KeyError):
            return None

    def _save_block(self, b: int, got: tuple[np.ndarray, np.ndarray]) -> None:
        if self.block_dir is None:
            return
        from ._io import atomic_path

        with contextlib.suppress(Exception), atomic_path(self.block_dir / f"block-{b}.npz", suffix=".tmp",
                                                         mode=0o600) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, offsets=got[0], runs=got[1].astype(np.int32))

    # -- querying ------------------------------------------------------------------------

    def nearest(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Geodesic metres to the nearest piece, and that point's lon, lat (NaN for bad input)."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        n = len(lon)
        dist, blon, blat = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
        ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (len(self.pieces) > 0)
        for lo in range(0, n, 16384):
            sl = np.flatnonzero(ok[lo:lo + 16384]) + lo
            if len(sl):
                dist[sl], blon[sl], blat[sl] = self._nearest(lon[sl], lat[sl])
        return dist, blon, blat

    def _nearest(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = len(lon)
        x = (lon + 180.0) % 360.0
        cx = np.minimum((x / CELL).astype(np.int64), _NX - 1)
        cy = np.clip(((lat + 90.0) / CELL).astype(np.int64), 0, _NY - 1)
        block = (cy // BLOCK) * (_NX // BLOCK) + cx // BLOCK
        local = (cy % BLOCK) * BLOCK + cx % BLOCK
        # candidate runs per point
        starts, lens, flats = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), []
        base = 0
        for b in np.unique(block):
            offsets, runs = self._block(int(b))
            m = block == b
            starts[m] = offsets[local[m]] + base
            lens[m] = offsets[local[m] + 1] - offsets[local[m]]
            flats.append(runs)
            base += len(runs)
        flat = np.concatenate(flats)
        p = _ecef(lon, lat)
        owner, run = _expand(starts, lens, flat)
        d = np.linalg.norm(self.centre[run] - p[owner], axis=1)
        dv = np.linalg.norm(self.e0[self.run_start[run]] - p[owner], axis=1)
        upper = _group_min(owner, _geodesic_upper(dv), n)
        keep = d - self.radius[run] <= upper[owner]
        owner, run = owner[keep], run[keep]
        # the pieces of the runs kept
        owner, piece = _expand_ranges(owner, self.run_start[run], self.run_end[run])
        # each piece within its half-length (and sag) of its chord's middle: a cheap cut first
        d = np.linalg.norm(self.mid[piece] - p[owner], axis=1)
        upper = _group_min(owner, _geodesic_upper(d + self.half[piece]), n)
        keep = d - self.half[piece] <= upper[owner]
        owner, piece = owner[keep], piece[keep]
        c, t = _chord_to_segment(p[owner], self.e0[piece], self.e1[piece])
        sag = self.sag[piece]
        upper = _group_min(owner, _geodesic_upper(c + sag), n)
        keep = c - sag <= upper[owner]
        owner, piece, t = owner[keep], piece[keep], t[keep]
        metres, t = _refine(lon[owner], lat[owner], self.pieces[piece], t)
        # the smallest per point (ties: the lower piece, as the order is stable)
        order = np.lexsort((piece, metres, owner))
        first = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
        seg, tt = self.pieces[piece[first]], t[first]
        out_d = np.full(n, np.nan)
        out_lon, out_lat = np.full(n, np.nan), np.full(n, np.nan)
        who = owner[first]
        out_d[who] = metres[first]
        out_lon[who] = seg[:, 0] + tt * (seg[:, 2] - seg[:, 0])
        out_lat[who] = seg[:, 1] + tt * (seg[:, 3] - seg[:, 1])
        return out_d, out_lon, out_lat

    # -- storing -------------------------------------------------------------------------

    def save(self, path: Any) -> None:
        """Write the arrays as ``.npy`` files in directory *path* (read back memory-mapped).

        Written into a temporary directory beside it and renamed into place:
        a reader sees all of it or nothing.
        """
        import os
        import shutil
        import tempfile

        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent))
        try:
            for name in ("pieces", *self._DERIVED):
                np.save(tmp / f"{name}.npy", np.ascontiguousarray(getattr(self, name)), allow_pickle=False)
            os.replace(tmp, path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, path: Any) -> SegmentIndex:
        """The index saved in *path*, its arrays memory-mapped: one point reads only what it needs."""
        def arr(name: str) -> np.ndarray:
            return np.load(path / f"{name}.npy", mmap_mode="r", allow_pickle=False)

        index = cls.__new__(cls)
        index.pieces = arr("pieces")
        index._cells, index._supers, index._lock, index.block_dir = {}, {}, threading.Lock(), None
        index._table = None
        for name in cls._DERIVED:
            setattr(index, name, arr(name))
        return index


def _group_min(owner: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """The smallest value per owner (owners sorted, as every pair list here is); inf for none."""
    out = np.full(n, np.inf)
    if len(owner):
        first = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        out[owner[first]] = np.minimum.reduceat(values, first)
    return out


def _expand(starts: np.ndarray, lens: np.ndarray, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, value) pairs: for each owner i, flat[starts[i] : starts[i] + lens[i]]."""
    return _expand_ranges(np.arange(len(starts)), starts, starts + lens, flat)


def _expand_ranges(owner: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                   flat: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    lens = hi - lo
    rep = np.repeat(np.arange(len(owner)), lens)
    first = np.cumsum(lens) - lens
    idx = lo[rep] + (np.arange(len(rep)) - first[rep])
    return owner[rep], (idx if flat is None else flat[idx])


def _chord_to_segment(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line distance from points to 3-D segments, and the segment parameter of the foot."""
    ab = b - a
    len2 = np.einsum("ij,ij->i", ab, ab)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(len2 > 0, np.einsum("ij,ij->i", p - a, ab) / len2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    return np.linalg.norm(a + t[:, None] * ab - p, axis=1), t


def _refine(lon: np.ndarray, lat: np.ndarray, seg: np.ndarray, t: np.ndarray,
            steps: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Geodesic distance from points to lon/lat pieces, minimised over the piece parameter.

    Newton-like: at the piece's point X(t), the geodesic to the query point
    leaves at azimuth az; the piece runs at azimuth beta, L metres per unit t.
    The foot of the perpendicular lies ``R atan(tan(d/R) cos(az - beta))`` along
    (spherical right triangle), so t moves by that over L.  Converges in a few
    steps; the distance at the minimum is stationary, so an error ds in the
    foot changes it by ds²/2d only.
    """
    from .geodesy import geod

    g = geod()
    dlon, dlat = seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1]
    t = t.copy()
    for k in range(steps + 1):
        x, y = seg[:, 0] + t * dlon, seg[:, 1] + t * dlat
        az, _, d = g.inv(x, y, lon, lat)
        d = np.asarray(d, dtype=float)
        if k == steps:
            return d, t
        phi = np.radians(y)
        s = np.sin(phi)
        w = np.sqrt(1 - _E2 * s * s)
        n_rad, m_rad = _A / w, _A * (1 - _E2) / w ** 3
        east, north = np.radians(dlon) * n_rad * np.cos(phi), np.radians(dlat) * m_rad
        length = np.hypot(east, north)
        beta = np.arctan2(east, north)
        r = np.sqrt(n_rad * m_rad)
        along = r * np.arctan(np.tan(np.minimum(d / r, 1.5)) * np.cos(np.radians(az) - beta))
        with np.errstate(invalid="ignore", divide="ignore"):
            step = np.where(length > 0, along / length, 0.0)
        step = np.nan_to_num(step)
        if not np.any(np.abs(step) * length > 1e-4):   # every foot within 0.1 mm: d is at the minimum
            return d, t
        t = np.clip(t + step, 0.0, 1.0)
    return d, t  # pragma: no cover


def _cut(edges: np.ndarray) -> np.ndarray:
    """Edges cut into pieces of at most MAX_PIECE_M (straight in lon/lat, same order)."""
    if not len(edges):
        return np.empty((0, 4))
    chord = np.linalg.norm(_ecef(edges[:, 0], edges[:, 1]) - _ecef(edges[:, 2], edges[:, 3]), axis=1)
    deg = np.hypot(edges[:, 2] - edges[:, 0], edges[:, 3] - edges[:, 1]) * 111_320.0
    k = np.maximum(1, np.ceil(np.maximum(chord, deg) / MAX_PIECE_M)).astype(np.int64)
    rep = np.repeat(np.arange(len(edges)), k)
    first = np.cumsum(k) - k
    i = np.arange(len(rep)) - first[rep]
    t0, t1 = i / k[rep], (i + 1) / k[rep]
    e = edges[rep]
    d = e[:, 2:] - e[:, :2]
    return np.column_stack([e[:, :2] + t0[:, None] * d, e[:, :2] + t1[:, None] * d])


# --- per layer stack -----------------------------------------------------------------------

@once(maxsize=8)
def index_for(stack: tuple[Any, ...]) -> SegmentIndex:
    """The segment index of a layer stack (see :func:`geo.zones._boundary_stack`), cached on disk."""
    import hashlib

    from .layers import cache_dir

    key = hashlib.sha256(repr([(e[0], e[1], e[2], e[3]) for e in stack]).encode()).hexdigest()[:32]
    path = cache_dir() / "index" / f"boundary-{key}-v{_FORMAT}"
    blocks = cache_dir() / "index" / f"boundary-{key}-v{_FORMAT}-cells-{CELL}-{BLOCK}-{CHUNK}-{RUN_M:.0f}"
    try:
        index = SegmentIndex.load(path)
        index.block_dir = blocks
        return index
    except (OSError, ValueError):
        pass
    from .zones import _effective_edges, _seams

    parts = [_effective_edges(stack, j) for j in range(len(stack))]
    parts += [_seams(stack, j) for j in range(len(stack))]
    index = SegmentIndex(_cut(np.vstack([p for p in parts if len(p)] or [np.empty((0, 4))])))
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
    >>> [round(k, 1) for k in r.km]
    [138.9, 86.5]
    """
    from .coords import normalize_longitude
    from .layers import resolve_layers
    from .zones import _boundary_stack

    lat = np.atleast_1d(np.asarray(lats, dtype=float))
    lon = np.atleast_1d(np.asarray(lons, dtype=float))
    ids = resolve_layers(layers)
    stack = _boundary_stack(ids[0], ids)
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (lon >= -180) & (lon <= 360)
    x = np.where(ok, normalize_longitude(np.where(ok, lon, 0.0)), np.nan)
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
    from .zones import _covers, _frame, _model

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
                             for mr, p in zip(zones.mrgid, zones.pol_type)], dtype=np.int64)
            out[m] = code[zone[m]]
    return out


def across_answers(stack: tuple[Any, ...], lon: np.ndarray, lat: np.ndarray, blon: np.ndarray,
                   blat: np.ndarray, metres: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What lies across each nearest boundary point: (layer, zone, kind).

    As :func:`geo.zones._across`, for arrays: step 30, 100, 300 m beyond the
    boundary point along the bearing from the query point (turning at a
    corner) until the answer changes.  *kind*: 0 none (on the boundary or
    nothing seen), 1 a zone (layer, zone), 2 land, 3 high seas, 4 no coverage.
    """
    from .geodesy import forward, inverse
    from .zones import _frame, _model

    n = len(lon)
    kind = np.zeros(n, dtype=np.int8)
    layer, zone = np.full(n, -1), np.full(n, -1)
    todo = np.flatnonzero(np.isfinite(metres) & (metres >= 1e-3))
    if not len(todo):
        return layer, zone, kind
    _, az = inverse(lon[todo], lat[todo], blon[todo], blat[todo])
    here = _keys(stack, *_answer_at(stack, lon[todo], lat[todo]))
    xs, ys = np.full(n, np.nan), np.full(n, np.nan)
    pending = np.ones(len(todo), dtype=bool)
    for step, turn in _STEPS:
        p = np.flatnonzero(pending)
        if not len(p):
            break
        i = todo[p]
        x, y = forward(blon[i], blat[i], az[p] + turn, np.full(len(p), step))
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
    for k, word in ((2, "land"), (3, "high_seas"), (4, "outside_coverage")):
        out[kind == k] = word
    for j, entry in enumerate(stack):
        m = np.flatnonzero((kind == 1) & (layer == j))
        if len(m):
            zones = _model(entry[0]).zones
            names = np.array([f"{int(mr)}:{nm}" for mr, nm in zip(zones.mrgid, zones.name)], dtype=object)
            out[m] = names[zone[m]]
    return out


def nearest_one(stack: tuple[Any, ...], lon: float, lat: float) -> tuple[float, float, float] | None:
    """(metres, lon, lat) of the nearest boundary point of one point (None if the set is empty)."""
    index = index_for(stack)
    if not len(index.pieces):
        return None
    d, x, y = index.nearest(np.array([lon]), np.array([lat]))
    return (float(d[0]), float(x[0]), float(y[0])) if math.isfinite(d[0]) else None
