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
from typing import Any

import numpy as np

from ._threads import once
from .errors import LayerError
from .layers import LayerInfo, cache_dir, manifest, verify
from ._locator import _Locator

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


@once
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


#: The point locator of the zone layers (:class:`geo._locator._Locator`): one path for every
#: polygon layer -- a handful of points tested with the unprepared predicate, larger
#: batches through the exact grid index, safe to share between threads.
Locator = _Locator
