"""An exact, fast point-in-zone index: a uniform grid refined as a quadtree.

:class:`GridIndex` answers "which zone covers this point?" for millions of
points at a time, with exactly the answers of the plain shapely loop::

    out = np.full(len(lon), -1, np.int32)
    for i in reversed(range(len(geoms))):
        out[shapely.intersects_xy(geoms[i], lon, lat)] = i

that is: the index of the zone whose *closed* polygon covers the point (a
point on a boundary is inside), the lowest index when several cover it (a
point on an edge shared by two zones), ``-1`` when none does or a coordinate
is NaN.  Zones may overlap; the lowest index wins everywhere.

Design
------
The bounds are cut into a uniform grid of square cells (``cell_size``, a
power of two by default so that cell ids are exact).  Each cell is classified
against a copy of itself grown by a tiny margin ``eps`` (far larger than the
rounding error of the cell-id arithmetic, so every point that the lookup puts
in a cell lies in that grown box):

* **empty** -- no zone intersects the box: every point in it answers ``-1``;
* **pure** -- the lowest-numbered zone that intersects the box also *covers*
  it (``shapely.covers`` on prepared geometry, a robust predicate): every
  point in it answers that zone, boundary points included, since no
  lower-numbered zone comes near;
* **mixed** -- otherwise.  A mixed cell is split into four, down to
  ``max_depth`` levels, each child testing only its parent's candidates.  A
  mixed cell at the last level keeps its candidate zones (those that
  intersect it, in increasing order, and stopping at the first one that
  covers it, which becomes the cell's default answer).

For the lookup the quadtree is stored as blocks: each step replaces a mixed
cell by the dense ``2**k x 2**k`` block of its descendants ``k`` levels down
(``k <= 3``; depth 5 is two steps, 8 x 8 then 4 x 4), a pure or empty
descendant repeated over the cells it covers.  Every cell is one int32 code:
``0 <= code < n_zones`` pure, ``-1`` empty, ``code <= -2`` a mixed cell with
block number ``-2 - code`` in the next step, ``code >= n_zones`` a mixed leaf.

:meth:`GridIndex.lookup` computes the finest-level cell column and row of
every point with numpy integer arithmetic (one multiply and a truncation;
exact for a power-of-two cell size), reads the base grid, follows the blocks
for the shrinking set of points in mixed cells (one gather per step), and
tests only the points left in mixed leaves with the exact
``shapely.intersects_xy``, grouped by candidate zone, lowest index first.
Points outside the grid but inside the zones' bounds (an index built over
smaller ``bounds``) are tested exactly against every zone; points outside
the zones' bounds, and NaN coordinates, answer ``-1``.

The index is a handful of integer arrays, saved as an uncompressed ``.npz``
(no pickles) with a key, written atomically; :meth:`GridIndex.cached` loads
it when the key matches and rebuilds it otherwise.

The index may be shared between threads.  It holds references to the
geometries and never prepares them (a GEOS prepared geometry must not be used
by two threads at once, libgeos/geos#825, and shapely prepares a geometry in
place): the exact tests use prepared private copies lent to one thread at a
time (:class:`geo._threads.PreparedCopies`), and :meth:`GridIndex.build`
prepares copies of its own.

Example
-------
>>> import shapely
>>> zones = [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)]
>>> index = GridIndex.build(zones)
>>> index.lookup([0.5, 1.0, 1.5, 3.0], [0.5, 0.5, 0.5, 0.5]).tolist()
[0, 0, 1, -1]
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from ._threads import PreparedCopies

__all__ = ["FORMAT_VERSION", "GridIndex", "StaleCacheError"]

#: Version of the arrays written by :meth:`GridIndex.save`; part of every cache key.
FORMAT_VERSION = 1

#: Boxes are tested against one zone in chunks of this many (bounds the memory).
_CHUNK = 65_536

#: Refuse base grids larger than this (a cell size given in the wrong unit).
_MAX_BASE_CELLS = 1 << 26

#: Points are located in chunks of this many, so that the temporaries stay in cache.
_LOOKUP_CHUNK = 65_536


class StaleCacheError(ValueError):
    """A saved index that is for other data, of another format, or corrupted."""


def _as_geometry_array(geoms: Iterable[Any]) -> np.ndarray:
    items = list(geoms)
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    bad = [i for i, g in enumerate(items) if g is not None and not isinstance(g, shapely.Geometry)]
    if bad:
        raise TypeError(f"zone {bad[0]} is not a shapely geometry: {type(items[bad[0]]).__name__}")
    return arr


def _union_bounds(geoms: np.ndarray) -> np.ndarray:
    """(xmin, ymin, xmax, ymax) of all non-empty geometries; NaN if there are none."""
    b = shapely.bounds(geoms).reshape(-1, 4)
    ok = ~np.isnan(b).any(axis=1)
    if not ok.any():
        return np.full(4, np.nan)
    b = b[ok]
    return np.array([b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()])


def _default_cell_size(width: float, height: float) -> float:
    """A power of two giving roughly 100,000 base cells (at most 1,000 a side)."""
    extent = max(width, height)
    if not extent > 0:
        return 1.0
    area = max(width * height, (extent / 1000) ** 2 * 100_000)
    return float(2.0 ** math.ceil(math.log2(math.sqrt(area / 100_000))))


class GridIndex:
    """Exact point-in-zone lookup through a grid refined as a quadtree.

    Build one with :meth:`build` (or :meth:`cached`), then call
    :meth:`lookup`.  The arrays are described in the module docstring;
    the constructor is internal.

    Attributes
    ----------
    key : str
        The key the index was saved or loaded with ("" if none).
    stats : dict
        Sizes of the index: grid origin, base grid shape and cell size, depth and finest
        cell size, levels per lookup step and number of blocks in each,
        number of mixed leaves, and the build time in seconds (``nan`` when
        loaded from disk).
    """

    def __init__(self, geoms: np.ndarray, *, fmeta: np.ndarray, imeta: np.ndarray,
                 base: np.ndarray, steps: np.ndarray, step_nodes: np.ndarray,
                 blocks: np.ndarray, leaf_ptr: np.ndarray, leaf_cand: np.ndarray,
                 leaf_default: np.ndarray, key: str = "",
                 build_seconds: float = float("nan")) -> None:
        self._geoms = geoms
        self._prepared = PreparedCopies(geoms)
        self._fmeta = np.asarray(fmeta, dtype=np.float64)
        self._imeta = np.asarray(imeta, dtype=np.int64)
        (self._gx0, self._gy0, self._size, self._eps,
         self._ux0, self._uy0, self._ux1, self._uy1) = (float(v) for v in self._fmeta)
        self._nx, self._ny, self._depth, self._nz = (int(v) for v in self._imeta)
        self._base = np.ascontiguousarray(base, dtype=np.int32).reshape(-1)
        self._steps = np.asarray(steps, dtype=np.int64).reshape(-1)
        self._step_nodes = np.asarray(step_nodes, dtype=np.int64).reshape(-1)
        self._blocks = np.ascontiguousarray(blocks, dtype=np.int32).reshape(-1)
        sizes = self._step_nodes << (2 * self._steps)
        self._step_start = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        self._leaf_ptr = np.ascontiguousarray(leaf_ptr, dtype=np.int32)
        self._leaf_cand = np.ascontiguousarray(leaf_cand, dtype=np.int32)
        self._leaf_default = np.ascontiguousarray(leaf_default, dtype=np.int32)
        self.key = key
        n_fine = 1 << self._depth
        self._nfx = self._nx * n_fine
        self._nfy = self._ny * n_fine
        self._scale = n_fine / self._size
        self._gx1 = self._gx0 + self._nx * self._size
        self._gy1 = self._gy0 + self._ny * self._size
        self._itype = np.int32 if max(self._nfx, self._nfy) < 2**31 - 1 else np.int64
        # the last leaf is the "outside the grid" leaf: every zone, exactly
        self._outside_leaf = len(self._leaf_default) - 1
        self.stats: dict[str, Any] = {
            "origin": (self._gx0, self._gy0),
            "base_shape": (self._ny, self._nx),
            "cell_size": self._size,
            "finest_cell_size": self._size / n_fine,
            "max_depth": self._depth,
            "steps": self._steps.tolist(),
            "blocks": self._step_nodes.tolist(),
            "mixed_leaves": len(self._leaf_default) - 1,
            "zones": self._nz,
            "build_seconds": build_seconds,
        }

    # ------------------------------------------------------------------ build

    @classmethod
    def build(cls, geoms: Iterable[Any], *, bounds: Iterable[float] | None = None,
              cell_size: float | None = None, max_depth: int = 5, key: str = "",
              workers: int | None = None) -> GridIndex:
        """Build the index over *geoms*.

        Parameters
        ----------
        geoms : sequence of shapely geometries
            The zones, usually (Multi)Polygons; ``None`` or empty ones never
            match.  Index ``i`` of the sequence is the answer for zone ``i``.
        bounds : (xmin, ymin, xmax, ymax), optional
            Extent of the grid; default the union of the zones' bounds.
            Points outside the grid are still answered exactly (slowly).
        cell_size : float, optional
            Side of a base cell; default a power of two giving about 100,000
            base cells (0.25 for 90 x 60 degrees).
        max_depth : int, default 5
            Levels of quadtree refinement under a mixed base cell.
        key : str, optional
            Stored with the index by :meth:`save`.
        workers : int, optional
            Threads testing zones in parallel (default: the number of CPUs).

        Returns
        -------
        GridIndex

        Examples
        --------
        >>> import shapely
        >>> index = GridIndex.build([shapely.box(0, 0, 1, 1)], max_depth=2)
        >>> index.lookup(1.0, 1.0).item()
        0
        """
        import time

        t0 = time.perf_counter()
        garr = _as_geometry_array(geoms)
        nz = len(garr)
        if nz >= 2**31 - 2:
            raise ValueError("too many zones")
        max_depth = int(max_depth)
        if not 0 <= max_depth <= 20:
            raise ValueError(f"max_depth must be between 0 and 20, not {max_depth}")
        ub = _union_bounds(garr)
        gb = ub if bounds is None else np.asarray(list(bounds), dtype=np.float64)
        if gb.shape != (4,):
            raise ValueError("bounds must be (xmin, ymin, xmax, ymax)")
        if np.isnan(gb).any():  # no geometry at all: one empty cell
            gb = np.array([0.0, 0.0, 1.0, 1.0])
        if not (np.isfinite(gb).all() and gb[2] >= gb[0] and gb[3] >= gb[1]):
            raise ValueError(f"invalid bounds {gb.tolist()}")
        width, height = gb[2] - gb[0], gb[3] - gb[1]
        size = _default_cell_size(width, height) if cell_size is None else float(cell_size)
        if not (math.isfinite(size) and size > 0):
            raise ValueError(f"cell_size must be positive, not {cell_size}")
        nx = max(1, math.ceil(width / size))
        ny = max(1, math.ceil(height / size))
        if nx * ny > _MAX_BASE_CELLS:
            raise ValueError(f"cell_size {size:g} gives {nx} x {ny} base cells; use a larger one")
        # the grown-box margin: thousands of times the rounding error of cell ids
        eps = max(1.0, float(np.abs(gb).max()), nx * size, ny * size) * 2.0**-40
        gx0, gy0 = float(gb[0]), float(gb[1])

        # the caller's geometries may be in use in other threads: test prepared copies of them
        work = _prepared_copies(garr)
        zb = shapely.bounds(garr).reshape(-1, 4)
        live = np.flatnonzero(~np.isnan(zb).any(axis=1))

        # level 0: (cell, zone) pairs from the zones' bounding boxes
        ix0 = np.clip(np.floor((zb[live, 0] - gx0) / size), 0, nx - 1)
        ix1 = np.clip(np.floor((zb[live, 2] - gx0) / size), 0, nx - 1)
        iy0 = np.clip(np.floor((zb[live, 1] - gy0) / size), 0, ny - 1)
        iy1 = np.clip(np.floor((zb[live, 3] - gy0) / size), 0, ny - 1)
        cells, zones = [], []
        for z, a, b, c, d in zip(live, ix0, ix1, iy0, iy1):
            xs = np.arange(max(int(a) - 1, 0), min(int(b) + 2, nx))
            ys = np.arange(max(int(c) - 1, 0), min(int(d) + 2, ny))
            cells.append((ys[:, None] * nx + xs[None, :]).ravel())
            zones.append(np.full(len(xs) * len(ys), z, dtype=np.int64))
        pair_cell = np.concatenate(cells) if cells else np.zeros(0, np.int64)
        pair_zone = np.concatenate(zones) if zones else np.zeros(0, np.int64)
        order = np.lexsort((pair_zone, pair_cell))
        pair_cell, pair_zone = pair_cell[order], pair_zone[order]
        cell_iy, cell_ix = np.divmod(np.arange(nx * ny, dtype=np.int64), nx)

        workers = workers or os.cpu_count() or 1
        level_codes: list[np.ndarray] = []
        leaf_ptr = np.zeros(1, dtype=np.int64)
        leaf_cand = np.zeros(0, dtype=np.int32)
        leaf_default = np.zeros(0, dtype=np.int32)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for level in range(max_depth + 1):
                s = size / (1 << level)
                ncells = len(cell_ix)
                x0 = gx0 + cell_ix[pair_cell] * s - eps
                y0 = gy0 + cell_iy[pair_cell] * s - eps
                x1 = gx0 + (cell_ix[pair_cell] + 1) * s + eps
                y1 = gy0 + (cell_iy[pair_cell] + 1) * s + eps
                inter, cov = _test_boxes(work, pair_zone, x0, y0, x1, y1, zb, pool)
                # the lowest zone covering each cell; zones above it never answer there
                cov_min = np.full(ncells, nz, dtype=np.int64)
                if cov.any():
                    cc, first = np.unique(pair_cell[cov], return_index=True)
                    cov_min[cc] = pair_zone[cov][first]
                keep = inter & (pair_zone <= cov_min[pair_cell])
                pair_cell, pair_zone = pair_cell[keep], pair_zone[keep]
                count = np.bincount(pair_cell, minlength=ncells)
                pure = (count == 1) & (cov_min < nz)
                mixed = count > 0
                mixed &= ~pure
                codes = np.full(ncells, -1, dtype=np.int32)
                codes[pure] = cov_min[pure]
                mixed_ids = np.flatnonzero(mixed)
                if level < max_depth:
                    codes[mixed_ids] = -2 - np.arange(len(mixed_ids))
                    level_codes.append(codes)
                    # the four children of every mixed cell inherit its candidates
                    rank = np.full(ncells, -1, dtype=np.int64)
                    rank[mixed_ids] = np.arange(len(mixed_ids))
                    parent = rank[pair_cell]
                    pair_zone = pair_zone[parent >= 0]
                    parent = parent[parent >= 0]
                    quad = np.arange(4, dtype=np.int64)
                    pair_cell = (4 * parent[:, None] + quad[None, :]).ravel()
                    pair_zone = np.repeat(pair_zone, 4)
                    order = np.lexsort((pair_zone, pair_cell))
                    pair_cell, pair_zone = pair_cell[order], pair_zone[order]
                    cell_ix = (2 * cell_ix[mixed_ids][:, None] + (quad & 1)[None, :]).ravel()
                    cell_iy = (2 * cell_iy[mixed_ids][:, None] + (quad >> 1)[None, :]).ravel()
                else:
                    codes[mixed_ids] = nz + np.arange(len(mixed_ids))
                    level_codes.append(codes)
                    # candidates below the covering zone, which is the default answer
                    rank = np.full(ncells, -1, dtype=np.int64)
                    rank[mixed_ids] = np.arange(len(mixed_ids))
                    test = pair_zone < cov_min[pair_cell]
                    leaf_of = rank[pair_cell[test]]
                    leaf_cand = pair_zone[test].astype(np.int32)
                    counts = np.bincount(leaf_of, minlength=len(mixed_ids))
                    leaf_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
                    dflt = cov_min[mixed_ids]
                    leaf_default = np.where(dflt < nz, dflt, -1).astype(np.int32)
                if not len(pair_cell):
                    break
        while len(level_codes) < max_depth + 1:  # the tree ended early: empty levels
            level_codes.append(np.zeros(0, dtype=np.int32))
        # the outside leaf: every live zone, for points off the grid inside their bounds
        leaf_cand = np.concatenate([leaf_cand, live.astype(np.int32)])
        leaf_ptr = np.concatenate([leaf_ptr, [leaf_ptr[-1] + len(live)]])
        leaf_default = np.concatenate([leaf_default, [-1]]).astype(np.int32)
        base = level_codes[0].reshape(ny, nx)
        steps, step_nodes, blocks = _strides(level_codes)
        fmeta = np.array([gx0, gy0, size, eps, *ub], dtype=np.float64)
        imeta = np.array([nx, ny, max_depth, nz], dtype=np.int64)
        return cls(garr, fmeta=fmeta, imeta=imeta, base=base, steps=steps,
                   step_nodes=step_nodes, blocks=blocks, leaf_ptr=leaf_ptr, leaf_cand=leaf_cand, leaf_default=leaf_default,
                   key=key, build_seconds=time.perf_counter() - t0)

    # ----------------------------------------------------------------- lookup

    def lookup(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.int32]:
        """Index of the zone covering each point, ``-1`` for none.

        Parameters
        ----------
        lon, lat : float or array_like
            Coordinates in the zones' CRS (longitudes in [-180, 180) for
            EPSG:4326); broadcast against each other.  NaN gives ``-1``.

        Returns
        -------
        numpy.ndarray of int32
            Same shape as the broadcast inputs: the lowest index of the zones
            whose closed geometry covers the point, or ``-1``.

        Examples
        --------
        >>> import shapely
        >>> index = GridIndex.build([shapely.box(0, 0, 2, 2), shapely.box(2, 0, 4, 2)])
        >>> index.lookup([1.0, 2.0, 3.0, float("nan")], 1.0).tolist()
        [0, 0, 1, -1]
        """
        x, y = np.broadcast_arrays(np.asarray(lon, dtype=np.float64),
                                   np.asarray(lat, dtype=np.float64))
        shape = x.shape
        x, y = x.reshape(-1), y.reshape(-1)
        code = self._chunked_codes(x, y)
        out = code
        leaves = np.flatnonzero(code >= self._nz)
        if len(leaves):
            out[leaves] = self._resolve(code[leaves] - self._nz, x[leaves], y[leaves])
        return out.reshape(shape)

    def mixed_mask(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """Whether each point falls where :meth:`lookup` needs an exact test.

        Parameters
        ----------
        lon, lat : float or array_like
            As for :meth:`lookup`.

        Returns
        -------
        numpy.ndarray of bool
            True for points in a mixed leaf cell (or outside the grid but
            inside the zones' bounds).
        """
        x, y = np.broadcast_arrays(np.asarray(lon, dtype=np.float64),
                                   np.asarray(lat, dtype=np.float64))
        code = self._chunked_codes(x.reshape(-1), y.reshape(-1))
        return (code >= self._nz).reshape(x.shape)

    def _chunked_codes(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        n = len(x)
        if n <= _LOOKUP_CHUNK:
            return self._codes(x, y)
        code = np.empty(n, dtype=np.int32)
        for a in range(0, n, _LOOKUP_CHUNK):
            b = min(a + _LOOKUP_CHUNK, n)
            code[a:b] = self._codes(x[a:b], y[a:b])
        return code

    def _codes(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The leaf code of each point: zone, -1, or nz + mixed leaf."""
        n = len(x)
        in_grid = (x >= self._gx0) & (x <= self._gx1) & (y >= self._gy0) & (y <= self._gy1)
        if in_grid.all():
            idx = None
            xs, ys = x, y
        else:
            idx = np.flatnonzero(in_grid)
            xs, ys = x[idx], y[idx]
        ix = ((xs - self._gx0) * self._scale).astype(self._itype)
        iy = ((ys - self._gy0) * self._scale).astype(self._itype)
        np.minimum(ix, self._nfx - 1, out=ix)
        np.minimum(iy, self._nfy - 1, out=iy)
        d = self._depth
        cell = iy >> d
        cell *= self._nx
        cell += ix >> d
        code = self._base[cell]
        sel = np.flatnonzero(code <= -2)
        level = 0
        for k, start in zip(self._steps.tolist(), self._step_start.tolist()):
            if not len(sel):
                break
            level += k
            shift, mask = d - level, (1 << k) - 1
            pos = (iy[sel] >> shift) & mask
            pos <<= k
            pos |= (ix[sel] >> shift) & mask
            node = -2 - code[sel].astype(np.int64)
            node <<= 2 * k
            node += start
            node += pos
            c = self._blocks[node]
            code[sel] = c
            sel = sel[c <= -2]
        if idx is None:
            return code
        full = np.full(n, -1, dtype=np.int32)
        full[idx] = code
        if not np.isnan(self._ux0):  # off the grid but inside the zones' bounds
            off = ~in_grid & (x >= self._ux0) & (x <= self._ux1) & (y >= self._uy0) & (y <= self._uy1)
            full[off] = self._nz + self._outside_leaf
        return full

    def _resolve(self, leaf: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Exact answers for points in mixed leaves: candidates in increasing order."""
        res = self._leaf_default[leaf].copy()
        pos = self._leaf_ptr[leaf]
        stop = self._leaf_ptr[leaf + 1]
        pending = np.flatnonzero(pos < stop)
        while len(pending):
            zone = self._leaf_cand[pos[pending]]
            hit = self._intersects(zone, x[pending], y[pending])
            res[pending[hit]] = zone[hit]
            pending = pending[~hit]
            pos[pending] += 1
            pending = pending[pos[pending] < stop[pending]]
        return res

    def _intersects(self, zone: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        hit = np.zeros(len(zone), dtype=bool)
        order = np.argsort(zone, kind="stable")
        zs = zone[order]
        starts = np.flatnonzero(np.r_[True, zs[1:] != zs[:-1]])
        ends = np.r_[starts[1:], len(zs)]
        with self._prepared.lend() as geoms:  # this thread's prepared copies
            for a, b in zip(starts, ends):
                rows = order[a:b]
                hit[rows] = shapely.intersects_xy(geoms[int(zs[a])], x[rows], y[rows])
        return hit

    # ------------------------------------------------------------------ cache

    def _arrays(self, key: str) -> dict[str, np.ndarray]:
        return {
            "format": np.array([FORMAT_VERSION], dtype=np.int64),
            "key": np.array(key),
            "fmeta": self._fmeta,
            "imeta": self._imeta,
            "base": self._base.reshape(self._ny, self._nx),
            "steps": self._steps,
            "step_nodes": self._step_nodes,
            "blocks": self._blocks,
            "leaf_ptr": self._leaf_ptr,
            "leaf_cand": self._leaf_cand,
            "leaf_default": self._leaf_default,
        }

    def save(self, path: str | os.PathLike[str], *, key: str | None = None) -> None:
        """Write the index to *path* (``.npz``) atomically.

        Parameters
        ----------
        path : path-like
            The file; its directory must exist.  A temporary file in the same
            directory is written, flushed and renamed over *path*.
        key : str, optional
            Stored with the arrays (default :attr:`key`); :meth:`load` can
            require it to match.
        """
        path = Path(path)
        key = self.key if key is None else key
        from ._io import atomic_path

        with atomic_path(path, suffix=".tmp", mode=0o600, fsync=True) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, **self._arrays(key))
        self.key = key

    @classmethod
    def load(cls, path: str | os.PathLike[str], geoms: Iterable[Any], *,
             key: str | None = None) -> GridIndex:
        """Read an index written by :meth:`save` for the same *geoms*.

        Parameters
        ----------
        path : path-like
            The ``.npz`` file.
        geoms : sequence of shapely geometries
            The zones the index was built over, in the same order.
        key : str, optional
            When given, the stored key must be equal.

        Returns
        -------
        GridIndex

        Raises
        ------
        OSError
            The file cannot be read.
        StaleCacheError
            The file is of another format or key, does not fit *geoms*, or is
            corrupted.
        """
        garr = _as_geometry_array(geoms)
        try:
            with np.load(path, allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in (
                    "format", "key", "fmeta", "imeta", "base", "steps", "step_nodes", "blocks",
                    "leaf_ptr", "leaf_cand", "leaf_default")}
        except OSError:
            raise
        except Exception as exc:  # truncated zip, bad CRC, missing or object arrays
            raise StaleCacheError(f"unreadable grid index {path}: {exc}") from exc
        if arrays["format"].tolist() != [FORMAT_VERSION]:
            raise StaleCacheError(f"grid index {path} is of another format")
        stored_key = str(arrays["key"].reshape(()))  # type: ignore[call-overload]
        if key is not None and stored_key != key:
            raise StaleCacheError(f"grid index {path} is for other data")
        _check_arrays(arrays, garr, path)
        return cls(garr, fmeta=arrays["fmeta"], imeta=arrays["imeta"], base=arrays["base"],
                   steps=arrays["steps"], step_nodes=arrays["step_nodes"],
                   blocks=arrays["blocks"], leaf_ptr=arrays["leaf_ptr"],
                   leaf_cand=arrays["leaf_cand"], leaf_default=arrays["leaf_default"],
                   key=stored_key)

    @classmethod
    def cached(cls, geoms: Iterable[Any], key: str, cache_dir: str | os.PathLike[str],
               **build_options: Any) -> GridIndex:
        """Load the index for *key* from *cache_dir*, or build and save it.

        Parameters
        ----------
        geoms : sequence of shapely geometries
            The zones.
        key : str
            Identifies the zones, e.g. the layer's SHA-256 plus a variant
            name; the grid format version is appended.  The file name is
            derived from it, and a file whose stored key differs, or which is
            unreadable, is rebuilt.
        cache_dir : path-like
            Created if missing.  When it cannot be written the index is still
            returned, just not saved.
        **build_options
            Passed to :meth:`build` (they are not part of the key).

        Returns
        -------
        GridIndex

        Examples
        --------
        >>> import shapely, tempfile
        >>> zones = [shapely.box(0, 0, 1, 1)]
        >>> with tempfile.TemporaryDirectory() as d:
        ...     a = GridIndex.cached(zones, "demo", d)
        ...     b = GridIndex.cached(zones, "demo", d)   # loaded from disk
        >>> b.lookup(0.5, 0.5).item()
        0
        """
        import hashlib

        garr = _as_geometry_array(geoms)
        full_key = f"{key}|grid-{FORMAT_VERSION}"
        name = "grid-" + hashlib.sha256(full_key.encode()).hexdigest()[:24] + ".npz"
        path = Path(cache_dir) / name
        try:
            return cls.load(path, garr, key=full_key)
        except (OSError, StaleCacheError):
            pass
        index = cls.build(garr, key=full_key, **build_options)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            index.save(path, key=full_key)
        except OSError:
            pass  # a read-only cache only costs speed
        return index


def _prepared_copies(geoms: np.ndarray) -> np.ndarray:
    """Prepared copies of *geoms* (through WKB: they share nothing with the originals)."""
    copies = shapely.from_wkb(shapely.to_wkb(geoms))
    shapely.prepare(copies[np.array([g is not None for g in copies], dtype=bool)])
    return copies


def _test_boxes(geoms: np.ndarray, zone: np.ndarray, x0: np.ndarray, y0: np.ndarray,
                x1: np.ndarray, y1: np.ndarray, zb: np.ndarray,
                pool: ThreadPoolExecutor) -> tuple[np.ndarray, np.ndarray]:
    """For each (box, zone) pair: does the zone intersect, and cover, the box?

    Pairs are grouped by zone, one zone per task, so that no prepared
    geometry is used by two threads at once.
    """
    inter = np.zeros(len(zone), dtype=bool)
    cov = np.zeros(len(zone), dtype=bool)
    # a box off the zone's bounding box is trivially disjoint
    near = (x0 <= zb[zone, 2]) & (x1 >= zb[zone, 0]) & (y0 <= zb[zone, 3]) & (y1 >= zb[zone, 1])
    cand = np.flatnonzero(near)
    order = cand[np.argsort(zone[cand], kind="stable")]
    zs = zone[order]
    starts = np.flatnonzero(np.r_[True, zs[1:] != zs[:-1]]) if len(zs) else np.zeros(0, np.int64)
    ends = np.r_[starts[1:], len(zs)]

    def run(a: int, b: int) -> None:
        geom = geoms[zs[a]]
        for c in range(a, b, _CHUNK):
            rows = order[c:min(b, c + _CHUNK)]
            boxes = shapely.box(x0[rows], y0[rows], x1[rows], y1[rows])
            it = shapely.intersects(geom, boxes)
            inter[rows] = it
            if it.any():
                cv = np.zeros(len(rows), dtype=bool)
                cv[it] = shapely.covers(geom, boxes[it])
                cov[rows] = cv

    # largest groups first so that the threads finish together
    jobs = sorted(zip(starts.tolist(), ends.tolist()), key=lambda ab: ab[0] - ab[1])
    for f in [pool.submit(run, a, b) for a, b in jobs]:
        f.result()
    return inter, cov


def _split_depth(depth: int) -> list[int]:
    """Quadtree levels per lookup step: at most 3 (blocks of 64 codes), as even as possible."""
    if depth <= 0:
        return []
    n = -(-depth // 3)
    q, r = divmod(depth, n)
    return [q + 1] * r + [q] * (n - r)


def _strides(level_codes: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn the binary quadtree into blocks of ``2**k x 2**k`` codes per step.

    ``level_codes[l]`` holds the codes of the cells of level *l*: level 0 in
    raster order, level *l + 1* as the four children (``2 * dy + dx``) of each
    internal cell of level *l*, in order; an internal cell is ``-2 - t`` with
    *t* its rank within its level.  A step of *k* levels replaces each
    internal cell of its first level by the codes of its ``4**k`` descendants
    *k* levels down (row-major), a pure or leaf code repeated over the
    descendants it covers; internal codes in a block are ranks within the
    block's last level, which are the node numbers of the next step.
    """
    steps = _split_depth(len(level_codes) - 1)
    blocks, nodes = [], []
    first = 0
    for k in steps:
        n = int((level_codes[first] <= -2).sum())
        blk = (-2 - np.arange(n, dtype=np.int64)).astype(np.int32).reshape(n, 1, 1)
        for j in range(k):
            ni, ry, rx = np.nonzero(blk <= -2)
            new = np.repeat(np.repeat(blk, 2, axis=1), 2, axis=2)
            if len(ni):
                kids = level_codes[first + j + 1].reshape(-1, 4)[-2 - blk[ni, ry, rx].astype(np.int64)]
                for q in range(4):
                    new[ni, 2 * ry + (q >> 1), 2 * rx + (q & 1)] = kids[:, q]
            blk = new
        blocks.append(blk.reshape(-1))
        nodes.append(n)
        first += k
    return (np.array(steps, dtype=np.int64), np.array(nodes, dtype=np.int64),
            np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int32))


def _check_arrays(arrays: dict[str, np.ndarray], geoms: np.ndarray, path: Any) -> None:
    """Raise StaleCacheError unless the loaded arrays form a sound index for *geoms*."""
    def bad(why: str) -> StaleCacheError:
        return StaleCacheError(f"grid index {path} {why}")

    fmeta, imeta = arrays["fmeta"], arrays["imeta"]
    if fmeta.shape != (8,) or fmeta.dtype != np.float64 or imeta.shape != (4,) or imeta.dtype.kind != "i":
        raise bad("has a malformed header")
    nx, ny, depth, nz = (int(v) for v in imeta)
    if nz != len(geoms):
        raise bad(f"has {nz} zones, not {len(geoms)}")
    ub = _union_bounds(geoms)
    if not np.array_equal(fmeta[4:], ub, equal_nan=True):
        raise bad("was built for other geometries (bounds differ)")
    if not (nx >= 1 and ny >= 1 and 0 <= depth <= 20 and np.isfinite(fmeta[:4]).all()
            and fmeta[2] > 0 and fmeta[3] > 0):
        raise bad("has a malformed header")
    for name in ("base", "steps", "step_nodes", "blocks", "leaf_ptr", "leaf_cand", "leaf_default"):
        if arrays[name].dtype.kind != "i":
            raise bad(f"has a malformed {name}")
    base, blocks = arrays["base"], arrays["blocks"]
    steps, step_nodes = arrays["steps"], arrays["step_nodes"]
    ptr, cand, dflt = arrays["leaf_ptr"], arrays["leaf_cand"], arrays["leaf_default"]
    if base.shape != (ny, nx) or steps.ndim != 1 or step_nodes.shape != steps.shape:
        raise bad("has malformed arrays")
    if steps.tolist() != _split_depth(depth) or (step_nodes < 0).any():
        raise bad("has a malformed tree")
    sizes = step_nodes << (2 * steps)
    if blocks.ndim != 1 or int(sizes.sum()) != len(blocks):
        raise bad("has a malformed tree")
    n_leaves = len(dflt)
    if n_leaves < 1 or ptr.shape != (n_leaves + 1,) or ptr[0] != 0 or ptr[-1] != len(cand):
        raise bad("has malformed leaves")
    if (np.diff(ptr) < 0).any():
        raise bad("has malformed leaves")
    # internal codes of each segment name nodes of the next step; the last has none
    segments = [base.reshape(-1), *np.split(blocks, np.cumsum(sizes)[:-1])]
    limits = [*step_nodes.tolist(), 0]
    for seg, limit in zip(segments, limits):
        if seg.size and (seg.min() < -1 - limit or seg.max() >= nz + n_leaves):
            raise bad("has codes out of range")
    if cand.size and (cand.min() < 0 or cand.max() >= nz):
        raise bad("has candidates out of range")
    if dflt.min() < -1 or dflt.max() >= nz:
        raise bad("has defaults out of range")
