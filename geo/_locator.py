"""The index of the polygon covering each point, for any polygon layer.

:class:`_Locator` answers "which (lowest) row of these closed polygons holds
each point": a handful of points by a direct test, larger batches through the
exact grid index of :mod:`geo._grid` (built once per layer and cached on
disk).  Zone layers (:mod:`geo.zones`) and the other polygon layers
(ISA areas, depth bands, coastline, island zones) share it.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np


class _Locator:
    """Index of the closed polygon covering each point (lowest index wins), -1 if none.

    A handful of points are tested directly (``shapely.intersects`` on the
    zones whose bounds hold them: no index to load); larger batches use the
    exact grid index (:mod:`geo._grid`), built once per layer and cached on
    disk.  Both give identical answers (tests/test_grid.py, tests/test_zones.py).

    Safe to share between threads (:mod:`geo._threads`): the geometries are
    never prepared (the direct test uses the unprepared predicate, not
    ``intersects_xy``, which would prepare them in place), and the index is
    loaded or built once, by the first thread that needs it.
    """

    #: up to this many points, test directly
    DIRECT = 64

    def __init__(self, geoms: np.ndarray, key: str, **build_options: Any) -> None:
        import shapely

        self.geoms = geoms
        self.key = key
        self.build_options = build_options  # for GridIndex.build (e.g. max_depth)
        self.bounds = shapely.bounds(geoms)
        self._index: Any = None
        self._lock = threading.Lock()

    def lookup(self, lon: np.ndarray, lat: np.ndarray, direct: bool | None = None) -> np.ndarray:
        """Row of the covering polygon per point (-1: none); *direct* forces (True) or
        forbids (False) the direct test, default: direct up to :attr:`DIRECT` points."""
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        if direct or (direct is None and len(lon) <= self.DIRECT):
            return self._direct(lon, lat)
        index = self._index
        if index is None:
            with self._lock:  # the other threads wait for the first one's index
                if self._index is None:
                    from ._grid import GridIndex
                    from .layers import cache_dir, prebuilt_file

                    self._index = GridIndex.cached(self.geoms, key=self.key, cache_dir=cache_dir(),
                                                   prebuilt=prebuilt_file, **self.build_options)
                index = self._index
        return np.asarray(index.lookup(lon, lat), dtype=np.int32)

    def _direct(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        import shapely

        out = np.full(len(lon), -1, dtype=np.int32)
        b = self.bounds
        for k in range(len(lon)):
            x, y = lon[k], lat[k]
            if not (np.isfinite(x) and np.isfinite(y)):
                continue
            cand = np.flatnonzero((b[:, 0] <= x) & (x <= b[:, 2]) & (b[:, 1] <= y) & (y <= b[:, 3]))
            point = shapely.Point(x, y)
            for i in cand:  # increasing index: the first hit is the lowest
                if shapely.intersects(self.geoms[i], point):
                    out[k] = i
                    break
        return out
