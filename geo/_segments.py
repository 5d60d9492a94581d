"""The boundary-segment index behind :mod:`geo.boundary`: pieces, runs, candidate lists, queries.

See :mod:`geo.boundary` for the method.  A :class:`SegmentIndex` holds the
pieces of one boundary set (straight in longitude/latitude, at most
:data:`MAX_PIECE_M` long), their runs with bounding spheres in ECEF, and the
per-cell candidate runs, built per 4° block when a point first falls in it
(narrowed from 36° and 12° super-blocks through 1° sub-blocks).  The query
kernel, from candidate runs to refined distances, is :mod:`geo._nearest`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ._nearest import ecef as _ecef
from ._nearest import geodesic_upper as _geodesic_upper
from ._nearest import nearest_chunk
from .coords import wrap_lon

__all__ = ["BLOCK", "CELL", "CHUNK", "FORMAT", "MAX_PIECE_M", "RUN_M", "SegmentIndex", "cut"]

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
FORMAT = 3
#: points per chunk of a query: its pair lists stay within about 50 MB (a 10 M-row --distance
#: run peaked at 797 MiB with 8,192, 957 MiB with 16,384, at the same speed)
QUERY_CHUNK = 8192


# --- the segment index -----------------------------------------------------------------

class SegmentIndex:
    """The boundary pieces of one layer stack, their runs and the per-cell candidate runs."""

    _DERIVED = ("e0", "e1", "sag", "mid", "half", "run_start", "run_end", "centre", "radius")

    def __init__(self, pieces: np.ndarray, derived: dict[str, np.ndarray] | None = None) -> None:
        self.pieces = np.ascontiguousarray(pieces, dtype=float)  # (n, 4) lon0, lat0, lon1, lat1
        self._cells: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # block -> (offsets per cell, runs)
        self._supers: dict[tuple[int, int], np.ndarray] = {}  # (level, super-block) -> runs
        self._table: np.ndarray | None = None
        self._columns: tuple[np.ndarray, np.ndarray] | None = None
        self._lock = threading.Lock()
        #: where each block's candidate lists are kept between runs (None: not kept)
        self.block_dir: Any = None
        #: a block file's read-only prebuilt copy by name (or None), tried when block_dir has none
        self.block_source: Callable[[str], Path | None] | None = None
        if derived is not None:   # as saved: no need to compute them again
            for name in self._DERIVED:
                setattr(self, name, derived[name])
            return
        n = len(self.pieces)
        geometry = _piece_geometry(self.pieces)
        e0, e1 = geometry["e0"], geometry["e1"]
        self.e0, self.e1, self.sag, self.mid, self.half = (geometry[k] for k in _PER_PIECE)
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
            for cell, found in zip(cells[part], self._candidates(cc[part], cr[part], sub_runs), strict=True):
                lists[cell] = found
        offsets = np.concatenate([[0], np.cumsum([len(x) for x in lists])]).astype(np.int64)
        return offsets, np.concatenate(lists).astype(np.int64)

    def _load_block(self, b: int) -> tuple[np.ndarray, np.ndarray] | None:
        """A block's lists as saved: little-endian int32 offsets per cell, then the runs.

        Raw, not ``.npz``: a worldwide batch reads thousands of blocks, and a zip
        archive and ``.npy`` header per block cost more than the lists.  A file that
        does not form sound lists is ignored (and rebuilt).
        """
        if self.block_dir is None:
            return None
        name = f"block-{b}.i32"
        try:
            raw = np.fromfile(self.block_dir / name, dtype="<i4")
        except (OSError, ValueError):
            shipped = self.block_source(name) if self.block_source is not None else None
            if shipped is None:
                return None
            try:
                raw = np.fromfile(shipped, dtype="<i4")
            except (OSError, ValueError):
                return None
        n = BLOCK * BLOCK + 1
        offsets, runs = raw[:n].astype(np.int64), raw[n:]
        if (len(offsets) != n or offsets[0] != 0 or offsets[-1] != len(runs) or (np.diff(offsets) < 0).any()
                or (len(runs) and (runs.min() < 0 or runs.max() >= len(self.centre)))):
            return None
        return offsets, runs

    def _save_block(self, b: int, got: tuple[np.ndarray, np.ndarray]) -> None:
        if self.block_dir is None:
            return
        from ._io import atomic_write_bytes

        data = np.concatenate([got[0], got[1]]).astype("<i4").tobytes()
        with contextlib.suppress(Exception):  # a cache that cannot be written only costs speed
            Path(self.block_dir).mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(self.block_dir / f"block-{b}.i32", data, mode=0o600)

    # -- querying ------------------------------------------------------------------------

    def nearest(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, ...]:
        """Per point: geodesic metres to the nearest piece, that point's lon and lat, and the
        azimuth at the point towards it (NaN for bad input).

        Chunks of :data:`QUERY_CHUNK` points, cell by cell; more than one run
        on two threads (numpy and pyproj release the GIL).  Every point's
        answer is its own: the same whatever else is in its batch.
        """
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        n = len(lon)
        out = tuple(np.full(n, np.nan) for _ in range(4))
        ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (len(self.pieces) > 0)
        rows = np.flatnonzero(ok)
        columns = self.columns() if len(rows) > 2048 else None
        if len(rows) > QUERY_CHUNK:   # cell by cell: a chunk's points share their candidates (cache-friendly)
            block, local = self._cell_of(lon[rows], lat[rows])
            rows = rows[np.argsort(block * (BLOCK * BLOCK) + local, kind="stable")]
        chunks = [rows[lo:lo + QUERY_CHUNK] for lo in range(0, len(rows), QUERY_CHUNK)]

        def one(part: np.ndarray) -> None:
            for arr, got in zip(out, nearest_chunk(self, lon[part], lat[part], columns), strict=True):
                arr[part] = got

        if len(chunks) > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=2) as pool:
                list(pool.map(one, chunks))
        else:
            for part in chunks:
                one(part)
        return out

    def cell_lists(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each point's candidate runs: flat[starts[i] : starts[i] + lens[i]] (int32 runs)."""
        n = len(lon)
        block, local = self._cell_of(lon, lat)
        starts, lens, flats = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), []
        base = 0
        for b in np.unique(block):
            offsets, runs = self._block(int(b))
            m = block == b
            starts[m] = offsets[local[m]] + base
            lens[m] = offsets[local[m] + 1] - offsets[local[m]]
            flats.append(runs)
            base += len(runs)
        return starts, lens, np.concatenate(flats).astype(np.int32)

    @staticmethod
    def _cell_of(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each point's block and its cell within the block."""
        x = wrap_lon(lon) + 180.0
        cx = np.minimum((x / CELL).astype(np.int64), _NX - 1)
        cy = np.clip(((lat + 90.0) / CELL).astype(np.int64), 0, _NY - 1)
        return (cy // BLOCK) * (_NX // BLOCK) + cx // BLOCK, (cy % BLOCK) * BLOCK + cx % BLOCK

    def run_columns(self, run: np.ndarray) -> np.ndarray:
        """(7, m) float32: the runs' sphere centres (3), radii, first vertices (3)."""
        out = np.empty((7, len(run)), dtype=np.float32)
        out[0:3] = np.asarray(self.centre[run]).T
        out[3] = self.radius[run]
        out[4:7] = np.asarray(self.e0[np.asarray(self.run_start)[run]]).T
        return out

    def piece_columns(self, piece: np.ndarray) -> np.ndarray:
        """(4, m) float32: the pieces' chord middles (3) and half-lengths plus sag."""
        out = np.empty((4, len(piece)), dtype=np.float32)
        out[0:3] = np.asarray(self.mid[piece]).T
        out[3] = self.half[piece]
        return out

    def columns(self) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`run_columns` and :meth:`piece_columns` of every run and piece, kept for batches.

        The same float32 values as gathered for a few points, so a point's
        answer does not depend on the size of its batch.  An index loaded
        without its per-piece arrays (prebuilt) computes them all here, once:
        the same bits as computed piece by piece.
        """
        got = self._columns
        if got is None:
            with self._lock:
                got = self._columns
                if got is None:
                    if isinstance(self.e0, _OnDemand):   # a batch needs them all: compute them once
                        geometry = _piece_geometry(np.asarray(self.pieces))
                        for name in _PER_PIECE:
                            setattr(self, name, geometry[name])
                    got = (self.run_columns(np.arange(len(self.centre))),
                           self.piece_columns(np.arange(len(self.pieces))))
                    self._columns = got
        return got

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
            loaded: np.ndarray = np.load(path / f"{name}.npy", mmap_mode="r", allow_pickle=False)
            return loaded

        index = cls.__new__(cls)
        index.pieces = arr("pieces")
        index._cells, index._supers, index._lock, index.block_dir = {}, {}, threading.Lock(), None
        index.block_source = None
        index._table = None
        index._columns = None
        for name in cls._DERIVED:
            if name in _PER_PIECE and not (path / f"{name}.npy").exists():
                setattr(index, name, _OnDemand(index.pieces, name))   # saved without it (prebuilt)
            else:
                setattr(index, name, arr(name))
        return index


#: the per-piece arrays computed from the pieces alone (element by element: any subset gives the same bits)
_PER_PIECE = ("e0", "e1", "sag", "mid", "half")


def _piece_geometry(pieces: np.ndarray) -> dict[str, np.ndarray]:
    """Per piece: its ends in ECEF, how far its lon/lat curve strays from its chord, the chord's middle
    and half-length plus that sag (the same expressions for the whole index and for any subset)."""
    e0, e1 = _ecef(pieces[:, 0], pieces[:, 1]), _ecef(pieces[:, 2], pieces[:, 3])
    mid = _ecef((pieces[:, 0] + pieces[:, 2]) / 2, (pieces[:, 1] + pieces[:, 3]) / 2)
    # how far the lon/lat curve strays from its chord: smooth, nearly parabolic, widest mid-way
    sag = 1.5 * np.linalg.norm(mid - (e0 + e1) / 2, axis=1) + 0.01
    return {"e0": e0, "e1": e1, "sag": sag, "mid": (e0 + e1) / 2,
            "half": np.linalg.norm(e1 - e0, axis=1) / 2 + sag}


class _OnDemand:
    """A per-piece array of an index saved without it, computed for the pieces indexed only.

    A prebuilt index ships the pieces and the run arrays, not these (they would
    double its size, and computing all of them costs 0.2 s): one point needs a few.
    """

    def __init__(self, pieces: np.ndarray, name: str) -> None:
        self.pieces, self.name = pieces, name

    def __len__(self) -> int:
        return len(self.pieces)

    def __getitem__(self, idx: Any) -> np.ndarray:
        return _piece_geometry(np.asarray(self.pieces[np.asarray(idx)]).reshape(-1, 4))[self.name]


def cut(edges: np.ndarray) -> np.ndarray:
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


