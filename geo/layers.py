"""Bundled layers: the manifest, checksums and loading.

This is the only module that reads the files in ``layers/``.  Every file is
described in ``layers/manifest.json`` (source, version, licence, citation,
SHA-256, coverage, CRS); :func:`load_zones`, :func:`load_land` and
:func:`geo.sites.load_sites` verify a file against its entry before use and
raise :class:`~geo.errors.LayerError` with one clear sentence when the file is
missing, its checksum differs, its CRS is not EPSG:4326 or a geometry is
invalid.

Zone layers are returned as a :class:`Zones` table: plain numpy arrays of
shapely geometries and attributes, sorted by MRGID, so that answering one
point does not need geopandas.  A verified layer is cached on disk as WKB,
keyed by its checksum (see :func:`cache_dir`), which makes a second load
take milliseconds.

Example
-------
>>> from geo.layers import load_zones
>>> zones = load_zones("mr-v12-eez-nw-pacific")
>>> zones.layer.version
'12 (2023)'
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from .errors import LayerError, UnknownLayerError

#: Version of the on-disk cache format; bump when the cached arrays change.
CACHE_FORMAT = "zones-3"


def layers_dir() -> Path:
    """The directory of bundled layers: ``$EEZMAP_LAYERS`` or ``<repo>/layers``."""
    env = os.environ.get("EEZMAP_LAYERS")
    path = Path(env) if env else Path(__file__).resolve().parent.parent / "layers"
    if not (path / "manifest.json").is_file():
        raise LayerError(
            f"no layer manifest at {path / 'manifest.json'}: install the project from "
            "its repository (pip install -e .) or set EEZMAP_LAYERS to a layers directory"
        )
    return path


def cache_dir() -> Path:
    """Where derived, rebuildable files (layer and index caches) are kept.

    ``$EEZMAP_CACHE``, else ``$XDG_CACHE_HOME/eezmap``, else ``~/.cache/eezmap``.
    Deleting it is always safe.
    """
    env = os.environ.get("EEZMAP_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "eezmap"


@dataclass(frozen=True)
class LayerInfo:
    """One manifest entry: what a layer is and where it comes from."""

    id: str
    file: str
    title: str
    kind: str
    source_url: str
    version: str
    citation: str
    attribution: str
    licence: str
    sha256: str
    crs: str
    coverage_bbox: tuple[float, float, float, float]
    coarse: bool = False
    complete_sovereigns: tuple[str, ...] = ()
    doi: str | None = None
    crs_in_file: bool = True
    repair_invalid: bool = False
    columns: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return layers_dir() / self.file

    def covers(self, lon: Any, lat: Any) -> Any:
        """Whether (lon, lat) lies inside the layer's coverage box (scalars or arrays)."""
        w, s, e, n = self.coverage_bbox
        return (lon >= w) & (lon <= e) & (lat >= s) & (lat <= n)

    def as_dict(self) -> dict[str, Any]:
        """The manifest entry as JSON-ready data (used by ``eezmap layers --json``)."""
        d = {k: getattr(self, k) for k in (
            "id", "file", "title", "kind", "source_url", "version", "doi", "citation",
            "attribution", "licence", "sha256", "crs", "coverage_bbox", "coarse",
            "complete_sovereigns")}
        d["coverage_bbox"] = list(self.coverage_bbox)
        d["complete_sovereigns"] = list(self.complete_sovereigns)
        d.update({k: v for k, v in self.extra.items() if k in ("licence_note", "processing", "wfs")})
        return d

    def ref(self) -> dict[str, str]:
        """The short reference every answer carries: ``{"id", "version"}``."""
        return {"id": self.id, "version": self.version}


_FIELDS = {f for f in LayerInfo.__dataclass_fields__}


@dataclass(frozen=True)
class Manifest:
    """The parsed ``layers/manifest.json``."""

    layers: tuple[LayerInfo, ...]
    default_zones: tuple[str, ...]

    def __iter__(self) -> Iterator[LayerInfo]:
        return iter(self.layers)

    def get(self, layer_id: str) -> LayerInfo:
        for info in self.layers:
            if info.id == layer_id:
                return info
        known = ", ".join(i.id for i in self.layers)
        raise UnknownLayerError(f"unknown layer '{layer_id}': the bundled layers are {known}")


@lru_cache(maxsize=None)
def _read_manifest(path: Path) -> Manifest:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        infos = []
        for entry in raw["layers"]:
            known = {k: v for k, v in entry.items() if k in _FIELDS}
            known["coverage_bbox"] = tuple(float(x) for x in entry["coverage_bbox"])
            known["complete_sovereigns"] = tuple(entry.get("complete_sovereigns") or ())
            known["extra"] = {k: v for k, v in entry.items() if k not in _FIELDS}
            infos.append(LayerInfo(**known))
        return Manifest(tuple(infos), tuple(raw.get("default_zones", ())))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LayerError(f"layer manifest {path} is unreadable: {exc}") from None


def manifest() -> Manifest:
    """The bundled layer manifest."""
    return _read_manifest(layers_dir() / "manifest.json")


def sha256_file(path: Path) -> str:
    """SHA-256 hex digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(info: LayerInfo) -> Path:
    """Check that a layer's file exists and matches its manifest checksum.

    Returns the file's path; raises :class:`LayerError` otherwise.
    """
    path = info.path
    if not path.is_file():
        raise LayerError(
            f"layer '{info.id}': file {path} is missing; restore it from the repository "
            "(git checkout -- layers/)"
        )
    digest = sha256_file(path)
    if digest != info.sha256:
        raise LayerError(
            f"layer '{info.id}': checksum mismatch for {path} (expected sha256 "
            f"{info.sha256[:12]}…, found {digest[:12]}…): the file is corrupted or was "
            "modified; restore it from the repository (git checkout -- layers/)"
        )
    return path


def _check_crs(info: LayerInfo, crs_wkt: str | None) -> None:
    if not info.crs_in_file:
        return  # the manifest declares the CRS of a file that has none (TopoJSON)
    if not crs_wkt:
        raise LayerError(f"layer '{info.id}': the file has no CRS; expected {info.crs}")
    from pyproj import CRS

    crs = CRS.from_user_input(crs_wkt)
    if crs != CRS.from_user_input(info.crs) and crs.to_epsg() != 4326:
        raise LayerError(f"layer '{info.id}': CRS is {crs.to_string()}, expected {info.crs}")


def _read_raw(info: LayerInfo) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Read a verified vector file: (geometries, {column: values}), CRS and validity checked."""
    import shapely
    from pyogrio.raw import read as _ogr_read

    path = verify(info)
    try:
        meta, _, wkb, field_data = _ogr_read(path)
    except Exception as exc:  # GDAL's own errors have no common base class
        raise LayerError(f"layer '{info.id}': cannot read {path}: {exc}") from None
    _check_crs(info, meta.get("crs"))
    geoms = shapely.from_wkb(wkb)
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        if not info.repair_invalid:
            first = int(np.flatnonzero(invalid)[0])
            reason = shapely.is_valid_reason(geoms[first])
            raise LayerError(
                f"layer '{info.id}': {int(invalid.sum())} invalid geometries "
                f"(feature {first}: {reason})"
            )
        geoms[invalid] = shapely.make_valid(geoms[invalid])
        # make_valid may return collections with stray lines: keep the areas
        geoms = np.array([_polygonal(g) for g in geoms], dtype=object)
    columns = {name: values for name, values in zip(meta["fields"], field_data)}
    return geoms, columns


def _polygonal(geom: Any) -> Any:
    import shapely

    if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


@dataclass(frozen=True)
class Zones:
    """A zone layer as arrays, one row per zone, sorted by MRGID.

    Attributes
    ----------
    layer : LayerInfo
        Where the zones come from.
    mrgid, area_km2 : numpy arrays
        Marine Regions' id and own area figure (for the unsimplified polygon).
    name, pol_type, territory : numpy arrays of str
    sovereigns : tuple of tuples
        Every party to the zone (one for a 200 NM zone, several for overlapping
        claims and joint regimes), as names.
    sovereign_isos : tuple of tuples
        The same parties as ISO 3166-1 alpha-3 codes.
    geometry : numpy array of shapely (Multi)Polygons
        Full geometry, used for every computation.
    """

    layer: LayerInfo
    mrgid: np.ndarray
    name: np.ndarray
    pol_type: np.ndarray
    territory: np.ndarray
    area_km2: np.ndarray
    sovereigns: tuple[tuple[str, ...], ...]
    sovereign_isos: tuple[tuple[str, ...], ...]
    geometry: np.ndarray

    def __len__(self) -> int:
        return len(self.mrgid)

    def index_of(self, mrgid: int) -> int:
        hits = np.flatnonzero(self.mrgid == mrgid)
        if not len(hits):
            raise KeyError(mrgid)
        return int(hits[0])

    def record(self, i: int) -> dict[str, Any]:
        """The JSON ``zone`` object of row *i*."""
        return {
            "mrgid": int(self.mrgid[i]),
            "name": str(self.name[i]),
            "pol_type": str(self.pol_type[i]),
            "sovereigns": list(self.sovereigns[i]),
            "territory": str(self.territory[i]),
        }

    def countries(self) -> dict[str, str]:
        """ISO alpha-3 code -> sovereign name, for every party in the layer."""
        out: dict[str, str] = {}
        for names, isos in zip(self.sovereigns, self.sovereign_isos):
            for n, c in zip(names, isos):
                if c:
                    out.setdefault(c, n)
        return out

    def to_geodataframe(self) -> Any:
        """The zones as a GeoDataFrame (imports geopandas)."""
        import geopandas as gpd

        return gpd.GeoDataFrame(
            {
                "mrgid": self.mrgid,
                "name": self.name,
                "pol_type": self.pol_type,
                "sovereigns": [", ".join(s) for s in self.sovereigns],
                "sovereign_isos": [", ".join(s) for s in self.sovereign_isos],
                "territory": self.territory,
                "area_km2": self.area_km2,
            },
            geometry=self.geometry,
            crs="EPSG:4326",
        )


def _text(values: Any, n: int) -> list[str]:
    if values is None:
        return [""] * n
    return ["" if _missing(v) else str(v).strip() for v in values]


def _missing(v: Any) -> bool:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return True
    return str(v).strip() in ("", "<NA>", "None", "nan", "NaN")


def _iso_lookup(columns: dict[str, np.ndarray], cols: dict[str, Any], sov: list[list[str]]) -> dict[str, str]:
    """Sovereign name -> ISO alpha-3, learned from the layer's own columns."""
    lookup: dict[str, str] = {}
    n = len(sov[0])
    if cols.get("iso_sov1") in columns:  # v12: iso_sov1 is the ISO code of sovereign1
        for name, iso in zip(sov[0], _text(columns[cols["iso_sov1"]], n)):
            if name and re.fullmatch(r"[A-Z]{3}", iso):
                lookup.setdefault(name, iso)
    if cols.get("iso_ter1") in columns:  # v10: a sovereign's home territory has its ISO code
        ter = _text(columns[cols["territory"]], n)
        for name, t, iso in zip(sov[0], ter, _text(columns[cols["iso_ter1"]], n)):
            if name and name == t and re.fullmatch(r"[A-Z]{3}", iso):
                lookup.setdefault(name, iso)
    return lookup


def _zones_from_raw(info: LayerInfo, geoms: np.ndarray, columns: dict[str, np.ndarray]) -> Zones:
    cols = info.columns
    n = len(geoms)
    try:
        sov = [_text(columns.get(c), n) for c in cols["sovereigns"]]
        iso = _iso_lookup(columns, cols, sov)
        sovereigns = tuple(tuple(s[i] for s in sov if s[i]) for i in range(n))
        isos = tuple(tuple(iso.get(name, "") for name in names) for names in sovereigns)
        mrgid = np.asarray(columns[cols["mrgid"]], dtype=np.int64)
        table = dict(
            mrgid=mrgid,
            name=np.array(_text(columns[cols["name"]], n), dtype=object),
            pol_type=np.array(_text(columns[cols["pol_type"]], n), dtype=object),
            territory=np.array(_text(columns.get(cols["territory"]), n), dtype=object),
            area_km2=np.asarray(columns[cols["area_km2"]], dtype=np.float64),
        )
    except KeyError as exc:
        raise LayerError(f"layer '{info.id}': expected column {exc} is missing") from None
    order = np.argsort(mrgid, kind="stable")
    return Zones(
        layer=info,
        sovereigns=tuple(sovereigns[i] for i in order),
        sovereign_isos=tuple(isos[i] for i in order),
        geometry=geoms[order],
        **{k: v[order] for k, v in table.items()},
    )


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _cache_path(info: LayerInfo) -> Path:
    return cache_dir() / f"{info.id}-{info.sha256[:16]}-{CACHE_FORMAT}.npz"


def _save_zone_cache(zones: Zones) -> None:
    meta = {
        "name": list(zones.name), "pol_type": list(zones.pol_type),
        "territory": list(zones.territory),
        "sovereigns": [list(s) for s in zones.sovereigns],
        "sovereign_isos": [list(s) for s in zones.sovereign_isos],
    }
    _save_geometry_cache(zones.layer, zones.geometry, meta,
                         mrgid=zones.mrgid, area_km2=zones.area_km2)


def _save_geometry_cache(info: LayerInfo, geoms: np.ndarray, meta: dict[str, Any],
                         **arrays: np.ndarray) -> None:
    """Geometries as WKB (plus attributes) in one .npz, keyed by the file's checksum."""
    import io

    import shapely

    meta = dict(meta, key=info.sha256 + CACHE_FORMAT)
    wkb = shapely.to_wkb(geoms)
    offsets = np.cumsum([0] + [len(b) for b in wkb])
    buf = io.BytesIO()
    np.savez(buf, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
             wkb=np.frombuffer(b"".join(wkb), dtype=np.uint8), offsets=offsets, **arrays)
    try:
        _atomic_write_bytes(_cache_path(info), buf.getvalue())
    except OSError:
        pass  # a read-only cache only costs speed


def _load_zone_cache(info: LayerInfo) -> Zones | None:
    import shapely

    path = _cache_path(info)
    try:
        with np.load(path) as z:
            meta = json.loads(z["meta"].tobytes())
            if meta.get("key") != info.sha256 + CACHE_FORMAT:
                return None
            raw, off = z["wkb"].tobytes(), z["offsets"]
            wkb = [raw[off[i]:off[i + 1]] for i in range(len(off) - 1)]
            return Zones(
                layer=info, mrgid=z["mrgid"], area_km2=z["area_km2"],
                name=np.array(meta["name"], dtype=object),
                pol_type=np.array(meta["pol_type"], dtype=object),
                territory=np.array(meta["territory"], dtype=object),
                sovereigns=tuple(tuple(s) for s in meta["sovereigns"]),
                sovereign_isos=tuple(tuple(s) for s in meta["sovereign_isos"]),
                geometry=shapely.from_wkb(wkb),
            )
    except Exception:  # missing, truncated or foreign cache: rebuild it
        return None


@lru_cache(maxsize=None)
def load_zones(layer_id: str) -> Zones:
    """Load a zone (EEZ) layer, verified against the manifest.

    Parameters
    ----------
    layer_id : str
        A manifest id, e.g. ``"mr-v12-eez-nw-pacific"``.

    Raises
    ------
    LayerError
        If the file is missing, corrupted (checksum), not EPSG:4326 or invalid.
    """
    info = manifest().get(layer_id)
    if info.kind != "eez":
        raise LayerError(f"layer '{layer_id}' is a {info.kind} layer, not a zone layer")
    verify(info)  # always: a cache never hides a corrupted file
    cached = _load_zone_cache(info)
    if cached is not None:
        return cached
    geoms, columns = _read_raw(info)
    zones = _zones_from_raw(info, geoms, columns)
    _save_zone_cache(zones)
    return zones


@lru_cache(maxsize=None)
def load_land(layer_id: str) -> tuple[LayerInfo, np.ndarray]:
    """Load a land layer (verified, repaired): its info and an array of polygons."""
    import shapely

    info = manifest().get(layer_id)
    if info.kind != "land":
        raise LayerError(f"layer '{layer_id}' is a {info.kind} layer, not a land layer")
    verify(info)
    try:
        with np.load(_cache_path(info)) as z:
            if json.loads(z["meta"].tobytes()).get("key") == info.sha256 + CACHE_FORMAT:
                raw, off = z["wkb"].tobytes(), z["offsets"]
                return info, shapely.from_wkb([raw[off[i]:off[i + 1]] for i in range(len(off) - 1)])
    except Exception:  # missing, truncated or foreign cache: rebuild it
        pass
    geoms, _ = _read_raw(info)
    geoms = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
    _save_geometry_cache(info, geoms, {})
    return info, geoms


def land_for(zone_layer: LayerInfo) -> str:
    """The land layer that goes with a zone layer (same coverage when possible)."""
    candidates = [i for i in manifest() if i.kind == "land"]
    for info in candidates:
        if info.coverage_bbox == zone_layer.coverage_bbox:
            return info.id
    return max(candidates, key=lambda i: _bbox_area(i.coverage_bbox)).id


def _bbox_area(b: Sequence[float]) -> float:
    return (b[2] - b[0]) * (b[3] - b[1])


def resolve_layers(layer_ids: Sequence[str] | None = None) -> tuple[str, ...]:
    """The zone layers to answer with, most detailed first (default: the manifest's set)."""
    ids = tuple(layer_ids) if layer_ids else manifest().default_zones
    for layer_id in ids:
        info = manifest().get(layer_id)
        if info.kind != "eez":
            raise LayerError(f"layer '{layer_id}' is a {info.kind} layer, not a zone layer")
    return ids
