"""Loading the seabed and coastline layers: ISA areas, bathymetry, island outlines.

The zone and land layers are read by :mod:`geo.layers`; the layer kinds of
the seabed story are read here, with the same guarantees and the same
public helpers of :mod:`geo.layers` (:func:`~geo.layers.manifest`,
:func:`~geo.layers.verify`, :func:`~geo.layers.cache_dir`): the file is
checked against its manifest SHA-256 before every load, its CRS must be
EPSG:4326 (or the manifest must declare it), every geometry must be valid,
and the verified geometries and attributes are cached on disk as WKB keyed
by the checksum.

Kinds
-----
``isa_areas``
    ISA exploration contract and reserved areas (polygons).
``bathymetry``
    Nested depth-band polygons (column ``depth``).
``coastline``
    Island outlines (MLIT N03, GSHHG); ``island_site`` in the manifest entry
    names the built-in site a single-island outline belongs to.
``island_zones``
    Zones computed from an island's coastline (12, 24, 200 NM offsets).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from .errors import LayerError
from .layers import LayerInfo, cache_dir, manifest, verify

#: The layer kinds this module reads.
KINDS = ("isa_areas", "bathymetry", "coastline", "island_zones")
_CACHE_FORMAT = "polys-2"


@dataclass(frozen=True)
class PolygonLayer:
    """A verified polygon layer as arrays: geometries and their attribute columns."""

    layer: LayerInfo
    geometry: np.ndarray
    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.geometry)


def layers_of_kind(kind: str) -> tuple[LayerInfo, ...]:
    """Every known layer of *kind*, in manifest order."""
    return tuple(i for i in manifest() if i.kind == kind)


def load_polygons(layer_id: str, kind: str | None = None) -> PolygonLayer:
    """Load a polygon layer of one of :data:`KINDS`, verified (see the module docstring).

    Raises
    ------
    LayerError
        The file is missing, corrupted, not EPSG:4326, invalid, or the layer
        is not of *kind*.
    """
    info = manifest().get(layer_id)
    if info.kind not in KINDS or (kind is not None and info.kind != kind):
        raise LayerError(f"layer '{layer_id}' is a {info.kind} layer, not {kind or ' or '.join(KINDS)}")
    return _load(layer_id, info.sha256, str(info.path))


@lru_cache(maxsize=None)
def _load(layer_id: str, sha256: str, path: str) -> PolygonLayer:
    info = manifest().get(layer_id)
    verify(info)  # always: a cache never hides a corrupted file
    cached = _read_cache(info)
    if cached is not None:
        return cached
    layer = _read_file(info)
    _write_cache(layer)
    return layer


def _read_file(info: LayerInfo) -> PolygonLayer:
    import shapely
    from pyogrio.raw import read as ogr_read

    try:
        meta, _, wkb, field_data = ogr_read(info.path)
    except Exception as exc:  # GDAL's own errors have no common base class
        raise LayerError(f"layer '{info.id}': cannot read {info.path}: {exc}") from None
    if info.crs_in_file:
        from pyproj import CRS

        crs = meta.get("crs")
        if not crs or CRS.from_user_input(crs).to_epsg() != 4326:
            raise LayerError(f"layer '{info.id}': CRS is {crs or 'missing'}, expected {info.crs}")
    geoms = shapely.from_wkb(wkb)
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        first = int(np.flatnonzero(invalid)[0])
        raise LayerError(f"layer '{info.id}': {int(invalid.sum())} invalid geometries "
                         f"(feature {first}: {shapely.is_valid_reason(geoms[first])})")
    columns = {}
    for name, values in zip(meta["fields"], field_data):
        arr = np.asarray(values)
        if arr.dtype.kind == "M":  # dates: ISO text, None for missing (NaT)
            columns[str(name)] = np.array([None if np.isnat(v) else str(np.datetime_as_string(v, unit="D"))
                                           for v in arr], dtype=object)
        elif arr.dtype.kind in "biuf":
            columns[str(name)] = arr
        else:
            columns[str(name)] = np.array([None if v is None else str(v) for v in values], dtype=object)
    return PolygonLayer(info, geoms, columns)


def _cache_path(info: LayerInfo) -> Any:
    return cache_dir() / f"{info.id}-{info.sha256[:16]}-{_CACHE_FORMAT}.npz"


def _write_cache(layer: PolygonLayer) -> None:
    import shapely

    wkb = shapely.to_wkb(layer.geometry)
    offsets = np.cumsum([0] + [len(b) for b in wkb])
    numeric = {f"num_{k}": v for k, v in layer.columns.items() if v.dtype != object}
    text = {k: [None if v is None else str(v) for v in vals]
            for k, vals in layer.columns.items() if vals.dtype == object}
    meta = {"key": layer.layer.sha256 + _CACHE_FORMAT, "text": text}
    buf = io.BytesIO()
    np.savez(buf, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
             wkb=np.frombuffer(b"".join(wkb), dtype=np.uint8), offsets=offsets, **numeric)
    path = _cache_path(layer.layer)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(buf.getvalue())
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache only costs speed


def _read_cache(info: LayerInfo) -> PolygonLayer | None:
    import shapely

    try:
        with np.load(_cache_path(info)) as z:
            meta = json.loads(z["meta"].tobytes())
            if meta.get("key") != info.sha256 + _CACHE_FORMAT:
                return None
            raw, off = z["wkb"].tobytes(), z["offsets"]
            geoms = shapely.from_wkb([raw[off[i]:off[i + 1]] for i in range(len(off) - 1)])
            columns = {k[4:]: z[k] for k in z.files if k.startswith("num_")}
            columns.update({k: np.array(v, dtype=object) for k, v in meta["text"].items()})
            return PolygonLayer(info, geoms, columns)
    except Exception:  # missing, truncated or foreign cache: rebuild it
        return None


class Locator:
    """Index of the first (lowest-index) closed polygon covering each point, -1 if none.

    The pattern of ``geo.zones``: a handful of points are tested directly
    (``shapely.intersects_xy`` on the polygons whose bounds hold them), larger
    batches through the exact grid index (:class:`geo._grid.GridIndex`),
    built once per layer version and cached on disk.  Both give the same answers.
    """

    #: up to this many points, test directly
    DIRECT = 64

    def __init__(self, geoms: np.ndarray, key: str, **build_options: Any) -> None:
        import shapely

        self.geoms = geoms
        self.key = key
        self.build_options = build_options
        self.bounds = shapely.bounds(geoms)
        self._index: Any = None

    def lookup(self, lon: Any, lat: Any, direct: bool | None = None) -> np.ndarray:
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        if direct or (direct is None and len(lon) <= self.DIRECT):
            return self._direct(lon, lat)
        if self._index is None:
            from ._grid import GridIndex

            self._index = GridIndex.cached(self.geoms, key=self.key, cache_dir=cache_dir(),
                                           **self.build_options)
        return np.asarray(self._index.lookup(lon, lat), dtype=np.int32)

    def _direct(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        import shapely

        out = np.full(len(lon), -1, dtype=np.int32)
        b = self.bounds
        for k in range(len(lon)):
            x, y = lon[k], lat[k]
            if not (np.isfinite(x) and np.isfinite(y)):
                continue
            cand = np.flatnonzero((b[:, 0] <= x) & (x <= b[:, 2]) & (b[:, 1] <= y) & (y <= b[:, 3]))
            for i in cand:  # increasing index: the first hit is the lowest
                if shapely.intersects_xy(self.geoms[i], x, y):
                    out[k] = i
                    break
        return out
