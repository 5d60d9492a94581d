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

import io
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import shapely

from ._gridbuild import StaleCacheError, check_arrays
from ._threads import PreparedCopies

__all__ = ["FORMAT_VERSION", "GridIndex", "StaleCacheError"]

#: Version of the arrays written by :meth:`GridIndex.save`; part of every cache key.
FORMAT_VERSION = 1

#: Points are located in chunks of this many, so that the temporaries stay in cache.
_LOOKUP_CHUNK = 65_536


def _as_geometry_array(geoms: Iterable[Any]) -> np.ndarray:
    items = list(geoms)
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    bad = [i for i, g in enumerate(items) if g is not None and not isinstance(g, shapely.Geometry)]
    if bad:
        raise TypeError(f"zone {bad[0]} is not a shapely geometry: {type(items[bad[0]]).__name__}")
    return arr


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

        from ._gridbuild import build_arrays

        t0 = time.perf_counter()
        garr = _as_geometry_array(geoms)
        arrays = build_arrays(garr, bounds=bounds, cell_size=cell_size, max_depth=max_depth,
                              workers=workers)
        return cls(garr, **arrays, key=key, build_seconds=time.perf_counter() - t0)

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
        ix = cast("npt.NDArray[np.int64]", ((xs - self._gx0) * self._scale).astype(self._itype))
        iy = cast("npt.NDArray[np.int64]", ((ys - self._gy0) * self._scale).astype(self._itype))
        np.minimum(ix, self._nfx - 1, out=ix)
        np.minimum(iy, self._nfy - 1, out=iy)
        d = self._depth
        cell = iy >> d
        cell *= self._nx
        cell += ix >> d
        code: np.ndarray = self._base[cell]
        sel = np.flatnonzero(code <= -2)
        level = 0
        for k, start in zip(self._steps.tolist(), self._step_start.tolist(), strict=False):
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
        res: np.ndarray = self._leaf_default[leaf].copy()
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
            for a, b in zip(starts, ends, strict=False):
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
        from ._io import atomic_write_bytes

        key = self.key if key is None else key
        buf = io.BytesIO()
        np.savez(buf, **cast("dict[str, Any]", self._arrays(key)))
        atomic_write_bytes(path, buf.getvalue(), mode=0o600, fsync=True)
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
        stored_key = str(arrays["key"].reshape(()))
        if key is not None and stored_key != key:
            raise StaleCacheError(f"grid index {path} is for other data")
        check_arrays(arrays, garr, path)
        return cls(garr, fmeta=arrays["fmeta"], imeta=arrays["imeta"], base=arrays["base"],
                   steps=arrays["steps"], step_nodes=arrays["step_nodes"],
                   blocks=arrays["blocks"], leaf_ptr=arrays["leaf_ptr"],
                   leaf_cand=arrays["leaf_cand"], leaf_default=arrays["leaf_default"],
                   key=stored_key)

    @classmethod
    def cached(cls, geoms: Iterable[Any], key: str, cache_dir: str | os.PathLike[str],
               prebuilt: Callable[[str], Path | None] | None = None, **build_options: Any) -> GridIndex:
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
        prebuilt : callable, optional
            Given the file name, a read-only copy shipped with the package (or
            None); tried when *cache_dir* has none, never written.
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
        for saved in (path, None):
            if saved is None and (prebuilt is None or (saved := prebuilt(name)) is None):
                break
            try:
                return cls.load(saved, garr, key=full_key)
            except (OSError, StaleCacheError):
                pass
        index = cls.build(garr, key=full_key, **build_options)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            index.save(path, key=full_key)
        except OSError:
            pass  # a read-only cache only costs speed
        return index
