"""Loading the seabed and coastline layers: ISA areas, bathymetry, island outlines.

The zone and land layers are read by :mod:`geo.layers.zonetable` and
:mod:`geo.layers.load`; the layer kinds of the seabed story are read here,
through the same reader and cache (:func:`~geo.layers.load.verify`,
:func:`~geo.layers.load.read_vector`, :func:`~geo.layers.load.read_cache`):
the file is checked against its manifest SHA-256 before every load, its CRS
must be EPSG:4326 (or the manifest must declare it), every geometry must be
valid, and the verified geometries and attributes are cached on disk as WKB
keyed by the checksum.

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

from dataclasses import dataclass

import numpy as np

from .._threads import once
from ..enums import LayerKind
from .catalog import LayerInfo, manifest, require_kind
from .load import check_valid, read_cache, read_vector, save_cache, verify

#: The layer kinds this module reads.
KINDS: tuple[str, ...] = (LayerKind.ISA_AREAS, LayerKind.BATHYMETRY, LayerKind.COASTLINE,
                          LayerKind.ISLAND_ZONES)
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
        The file is missing, corrupted, not EPSG:4326 or invalid.
    ArgumentError
        The layer is not of *kind* (bad input, as for every loader).
    """
    kinds = KINDS if kind is None else tuple(k for k in KINDS if k == kind)
    info = require_kind(manifest().get(layer_id), kinds, kind or " or ".join(KINDS))
    layer: PolygonLayer = _load(layer_id, info.sha256, str(info.path))
    return layer


@once
def _load(layer_id: str, sha256: str, path: str) -> PolygonLayer:
    info = manifest().get(layer_id)
    verify(info)  # always: a cache never hides a corrupted file
    cached = read_cache(info, _CACHE_FORMAT)
    if cached is not None:
        geoms, meta, arrays = cached
        columns = {k[4:]: v for k, v in arrays.items() if k.startswith("num_")}
        columns.update({k: np.array(v, dtype=object) for k, v in meta.get("text", {}).items()})
        return PolygonLayer(info, geoms, columns)
    layer = _read_file(info)
    numeric = {f"num_{k}": v for k, v in layer.columns.items() if v.dtype != object}
    text = {k: [None if v is None else str(v) for v in vals]
            for k, vals in layer.columns.items() if vals.dtype == object}
    save_cache(info, _CACHE_FORMAT, layer.geometry, {"text": text}, **numeric)
    return layer


def _read_file(info: LayerInfo) -> PolygonLayer:
    geoms, raw = read_vector(info)
    geoms = check_valid(info, geoms)
    columns = {}
    for name, values in raw.items():
        arr = np.asarray(values)
        if arr.dtype.kind == "M":  # dates: ISO text, None for missing (NaT)
            columns[name] = np.array([None if np.isnat(v) else str(np.datetime_as_string(v, unit="D"))
                                      for v in arr], dtype=object)
        elif arr.dtype.kind in "biuf":
            columns[name] = arr
        else:
            columns[name] = np.array([None if v is None else str(v) for v in values], dtype=object)
    return PolygonLayer(info, geoms, columns)
