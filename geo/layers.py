"""Bundled and user layers: the manifests, checksums and loading.

This is the only module that reads the files in ``layers/``.  Every file is
described in ``layers/manifest.json`` (source, version, licence, citation,
SHA-256, coverage, CRS); :func:`load_zones`, :func:`load_land` and
:func:`geo.sites.load_sites` verify a file against its entry before use and
raise :class:`~geo.errors.LayerError` with one clear sentence when the file is
missing, its checksum differs, its CRS is not EPSG:4326 or a geometry is
invalid.

User layers
-----------
Layers fetched from Marine Regions (:mod:`geo.fetch`) or imported from an
official download (:mod:`geo.importer`) live in :func:`user_layers_dir`
(``<cache_dir>/layers``), each described in that directory's
``manifest.json`` with the same fields as a bundled entry plus ``path``,
``origin: "user"`` and how it was obtained (``retrieved``, ``source_url`` or
``source_file``…).  :func:`manifest` lists the bundled layers first, then the
user layers, so ``--layer ID`` takes either; a user layer is verified
against its checksum exactly like a bundled one.  Files are named
``<id>.<sha256[:12]>.<ext>`` and replaced only once a new one is complete
(:func:`install_user_layer`), so a failed download never costs a good layer.

Default layers never change by themselves: they are the bundled manifest's
``default_zones`` unless the user chose others with ``eezmap layers default
ID...`` (``default_zones`` in the user manifest) or, for one shell, with
``EEZMAP_LAYERS_DEFAULT=ID,ID`` (which wins).  ``--layer`` wins over both.

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
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from ._threads import once
from .errors import ArgumentError, LayerError, UnknownLayerError

#: Version of the on-disk cache format; bump when the cached arrays change.
CACHE_FORMAT = "zones-4"

#: Layer kinds that answer ``where`` (their zones name the point's zone).
ZONE_KINDS = ("eez",)
#: Layer kinds nested inside an EEZ, innermost first (reported in ``where``'s ``zones`` list).
NESTED_KINDS = ("eez_internal_waters", "eez_12nm", "eez_24nm")
#: Every kind a user layer may have (``eez_boundaries`` are lines, for maps).
USER_KINDS = ZONE_KINDS + NESTED_KINDS + ("eez_boundaries",)
#: Environment variable naming the default layers for one shell (comma-separated ids).
DEFAULT_ENV = "EEZMAP_LAYERS_DEFAULT"

_LAYER_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,79}")


def layers_dir() -> Path:
    """The directory of bundled layers.

    ``$EEZMAP_LAYERS`` if set; else the package's ``geo._data`` (the
    repository's top-level ``layers/`` folder, which setuptools maps into the
    package: a wheel carries it, an editable install points at it); else
    ``<repo>/layers`` for a source tree used without installing.
    """
    env = os.environ.get("EEZMAP_LAYERS")
    path = Path(env) if env else _bundled_layers_dir()
    if not (path / "manifest.json").is_file():
        raise LayerError(
            f"no layer manifest at {path / 'manifest.json'}: reinstall eezmap "
            "(pip install eezmap, or pip install . from its repository) or set "
            "EEZMAP_LAYERS to a layers directory"
        )
    return path


@once(maxsize=1)
def _bundled_layers_dir() -> Path:
    from importlib.util import find_spec

    spec = find_spec("geo._data")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / "manifest.json").is_file():
            return Path(location)
    return Path(__file__).resolve().parent.parent / "layers"


def cache_dir() -> Path:
    """Where derived, rebuildable files (layer and index caches) are kept.

    ``$EEZMAP_CACHE``, else ``$XDG_CACHE_HOME/eezmap``, else ``~/.cache/eezmap``.
    Deleting it is always safe, except its ``layers/`` directory
    (:func:`user_layers_dir`): the layers the user fetched or added, which
    would have to be fetched or added again.
    """
    env = os.environ.get("EEZMAP_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "eezmap"


def user_layers_dir(cache: str | os.PathLike[str] | None = None) -> Path:
    """Where fetched and imported layers and their manifest live: ``<cache>/layers``.

    *cache* defaults to :func:`cache_dir`.  Unlike the rest of the cache, this
    directory holds data: deleting it means fetching or adding the layers again.
    """
    return (Path(cache) if cache else cache_dir()) / "layers"


def user_manifest_path(cache: str | os.PathLike[str] | None = None) -> Path:
    """The user layer manifest: ``<cache>/layers/manifest.json``."""
    return user_layers_dir(cache) / "manifest.json"


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
    #: "bundled" (layers/) or "user" (fetched or imported, in user_layers_dir())
    origin: str = "bundled"
    #: the directory holding a user layer's file (None: the bundled layers directory)
    base_dir: str | None = None
    #: the layer holds only some zones of its box (one sovereign's): a point in
    #: none of its zones is left to the next layer instead of being "high seas"
    zones_only: bool = False

    @property
    def path(self) -> Path:
        if self.base_dir is not None:
            return Path(self.base_dir) / self.file
        return layers_dir() / self.file

    @property
    def user(self) -> bool:
        """Whether the layer was fetched or imported by the user (not bundled)."""
        return self.origin == "user"

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
        d["origin"] = self.origin
        if self.user:
            d["path"] = str(self.path)
            d["zones_only"] = self.zones_only
            d.update({k: v for k, v in self.extra.items() if k not in d and k != "path"})
        else:
            d.update({k: v for k, v in self.extra.items()
                      if k in ("licence_note", "processing", "wfs", "checked_against")})
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
    #: where default_zones come from: "bundled", "user" (eezmap layers default) or DEFAULT_ENV
    default_source: str = "bundled"

    def __iter__(self) -> Iterator[LayerInfo]:
        return iter(self.layers)

    def get(self, layer_id: str) -> LayerInfo:
        for info in self.layers:
            if info.id == layer_id:
                return info
        known = ", ".join(i.id for i in self.layers)
        raise UnknownLayerError(f"unknown layer '{layer_id}': the known layers are {known} "
                                "(see 'eezmap layers')")


def _info_from_entry(entry: dict[str, Any], base_dir: Path | None = None) -> LayerInfo:
    known = {k: v for k, v in entry.items() if k in _FIELDS and k not in ("origin", "base_dir")}
    if base_dir is not None:  # a user entry: only what identifies the file is required
        for name in ("title", "source_url", "version", "citation", "licence"):
            known.setdefault(name, entry.get("id", "") if name == "title" else "")
        known.setdefault("attribution", known.get("citation", ""))
        known.setdefault("crs", "EPSG:4326")
        known["origin"] = "user"
        known["base_dir"] = str(base_dir)
    known["coverage_bbox"] = tuple(float(x) for x in entry["coverage_bbox"])
    known["complete_sovereigns"] = tuple(entry.get("complete_sovereigns") or ())
    known["extra"] = {k: v for k, v in entry.items() if k not in _FIELDS}
    return LayerInfo(**known)


@once
def _read_manifest(path: Path) -> Manifest:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        infos = [_info_from_entry(entry) for entry in raw["layers"]]
        return Manifest(tuple(infos), tuple(raw.get("default_zones", ())))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LayerError(f"layer manifest {path} is unreadable: {exc}") from None


@once(maxsize=16)
def _read_user_manifest(path: Path, data: bytes) -> tuple[tuple[LayerInfo, ...], tuple[str, ...]]:
    """The user manifest's layers and default ids, parsed from its bytes *data* (the cache key)."""
    try:
        raw = json.loads(data.decode("utf-8"))
        infos = tuple(_info_from_entry(entry, path.parent) for entry in raw.get("layers", ()))
        return infos, tuple(raw.get("default_zones") or ())
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LayerError(f"user layer manifest {path} is unreadable: {exc}; fix it, or delete it and "
                         "fetch or add the layers again") from None


_MERGED: dict[tuple[Any, ...], tuple[Manifest, Manifest]] = {}


def manifest() -> Manifest:
    """Every known layer: the bundled manifest's, then the user manifest's.

    ``default_zones`` is the effective default: ``$EEZMAP_LAYERS_DEFAULT``, else
    the user manifest's (``eezmap layers default``), else the bundled one.
    """
    bundled = _read_manifest(layers_dir() / "manifest.json")
    upath = user_manifest_path()
    try:  # keyed by content, not mtime: two edits within one clock tick are still told apart
        stamp: bytes | None = upath.read_bytes()
    except OSError:
        stamp = None
    env = os.environ.get(DEFAULT_ENV, "").strip()
    if stamp is None and not env:
        return bundled
    key = (id(bundled), str(upath), stamp, env)
    hit = _MERGED.get(key)
    if hit is not None and hit[0] is bundled:
        return hit[1]
    user, user_default = _read_user_manifest(upath, stamp) if stamp is not None else ((), ())
    bundled_ids = {i.id for i in bundled}
    for info in user:
        if info.id in bundled_ids:
            raise LayerError(f"user layer manifest {upath}: layer id '{info.id}' is also a bundled "
                             f"layer; remove it (eezmap layers remove {info.id}) and add it under another id")
    if env:
        default, source = tuple(x.strip() for x in env.split(",") if x.strip()), DEFAULT_ENV
    elif user_default:
        default, source = user_default, "user"
    else:
        default, source = bundled.default_zones, "bundled"
    merged = Manifest(bundled.layers + user, default, source)
    if len(_MERGED) > 32:
        _MERGED.clear()
    _MERGED[key] = (bundled, merged)
    return merged


def user_layers() -> tuple[LayerInfo, ...]:
    """The layers the user fetched or added (see :func:`manifest`)."""
    return tuple(i for i in manifest() if i.user)


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
    remedy = (f"fetch or add it again (eezmap layers fetch / add), or remove it (eezmap layers "
              f"remove {info.id})" if info.user else "restore it from the repository (git checkout -- layers/)")
    if not path.is_file():
        raise LayerError(f"layer '{info.id}': file {path} is missing; {remedy}")
    digest = sha256_file(path)
    if digest != info.sha256:
        raise LayerError(
            f"layer '{info.id}': checksum mismatch for {path} (expected sha256 "
            f"{info.sha256[:12]}…, found {digest[:12]}…): the file is corrupted or was "
            f"modified; {remedy}"
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
    from .antimeridian import close_ring_jumps

    geoms = close_ring_jumps(geoms)  # rings drawn on the sphere (TopoJSON): across 180°, round a pole
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
    if info.user and info.kind in ZONE_KINDS + NESTED_KINDS:
        from .antimeridian import normalise

        geoms = normalise(geoms)  # 0-360 or wrapped rings: parts in [-180, 180]
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
        ter = _text(columns.get(cols.get("territory")), n)
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
        area = columns.get(cols.get("area_km2")) if info.user else columns[cols["area_km2"]]
        table = dict(
            mrgid=mrgid,
            name=np.array(_text(columns[cols["name"]], n), dtype=object),
            pol_type=np.array(_text(columns.get(cols.get("pol_type")) if info.user
                                    else columns[cols["pol_type"]], n), dtype=object),
            territory=np.array(_text(columns.get(cols.get("territory")), n), dtype=object),
            area_km2=(np.full(n, np.nan) if area is None else np.asarray(area, dtype=np.float64)),
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


def _readable(path: Path) -> None:
    """Give a file made by mkstemp (mode 0600) the usual permissions (0666 less the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    try:
        os.chmod(path, 0o666 & ~mask)
    except OSError:
        pass


def _atomic_write_bytes(path: Path, data: bytes, readable: bool = False) -> None:
    """A cache file (private, 0600) or, with *readable*, a file others may read: geo._io's writer."""
    from ._io import atomic_write_bytes

    atomic_write_bytes(path, data, mode=None if readable else 0o600)


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


def load_zones(layer_id: str) -> Zones:
    """Load a zone layer (EEZ, or a nested one: 12 NM, 24 NM, internal waters), verified.

    Parameters
    ----------
    layer_id : str
        A manifest id (bundled or user), e.g. ``"mr-v12-eez-nw-pacific"``.

    Raises
    ------
    LayerError
        If the file is missing, corrupted (checksum), not EPSG:4326 or invalid.
    """
    info = manifest().get(layer_id)
    if info.kind not in ZONE_KINDS + NESTED_KINDS:
        raise LayerError(f"layer '{layer_id}' is {_a(info.kind)} layer, not a zone layer")
    return _load_zones(layer_id, info.sha256, str(info.path))


@once
def _load_zones(layer_id: str, sha256: str, path: str) -> Zones:
    """load_zones, once per file version (a re-fetched user layer is loaded afresh)."""
    info = manifest().get(layer_id)
    verify(info)  # always: a cache never hides a corrupted file
    cached = _load_zone_cache(info)
    if cached is not None:
        _check_pol_types(cached)
        return cached
    geoms, columns = _read_raw(info)
    zones = _zones_from_raw(info, geoms, columns)
    _check_pol_types(zones)
    _save_zone_cache(zones)
    return zones


def _check_pol_types(zones: Zones) -> None:
    """Refuse an EEZ layer whose type column holds a value no Marine Regions version uses."""
    if zones.layer.kind not in ZONE_KINDS:
        return  # nested layers' types (12NM, 24NM...) decide no answer
    from .marineregions import describe_unknown_pol_types, unknown_pol_types

    unknown = unknown_pol_types(zones.pol_type)
    if unknown:
        column = zones.layer.columns.get("pol_type") or "pol_type"
        raise LayerError(f"layer '{zones.layer.id}': {describe_unknown_pol_types(unknown, column)}; "
                         "the answer would be a guess, so the layer is not used")


def load_land(layer_id: str) -> tuple[LayerInfo, np.ndarray]:
    """Load a land layer (verified, repaired): its info and an array of polygons."""
    info = manifest().get(layer_id)
    if info.kind != "land":
        raise LayerError(f"layer '{layer_id}' is {_a(info.kind)} layer, not a land layer")
    return _load_land(layer_id, info.sha256, str(info.path))


@once
def _load_land(layer_id: str, sha256: str, path: str) -> tuple[LayerInfo, np.ndarray]:
    """load_land, once per file version (keyed by its checksum, like _load_zones)."""
    import shapely

    info = manifest().get(layer_id)
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


def load_attributes(layer_id: str) -> dict[int, dict[str, Any]]:
    """Load an attribute table (kind ``attributes``, a CSV, verified): MRGID -> its row.

    Each row as ``{"mrgid", "name", "pol_type", "territory", "iso"}`` (the
    manifest's ``columns`` say which CSV column is which).  The bundled
    ``mr-v12-eez-attributes-world`` lists every feature of Marine Regions v12;
    answers from a layer whose entry names it in ``checked_against`` are
    compared with it (:func:`geo.zones.where`).
    """
    info = manifest().get(layer_id)
    if info.kind != "attributes":
        raise LayerError(f"layer '{layer_id}' is {_a(info.kind)} layer, not an attribute table")
    return _load_attributes(layer_id, info.sha256, str(info.path))


@once
def _load_attributes(layer_id: str, sha256: str, path: str) -> dict[int, dict[str, Any]]:
    import csv

    info = manifest().get(layer_id)
    cols = info.columns
    verify(info)
    try:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        out = {}
        for r in rows:
            rec = {key: (r.get(cols[key]) or "").strip() for key in ("name", "pol_type", "territory", "iso_ter1")}
            mrgid = int(float(r[cols["mrgid"]]))
            out[mrgid] = {"mrgid": mrgid, "name": rec["name"], "pol_type": rec["pol_type"],
                          "territory": rec["territory"], "iso": rec["iso_ter1"]}
        return out
    except (OSError, UnicodeDecodeError, KeyError, TypeError, ValueError) as exc:
        raise LayerError(f"layer '{layer_id}': cannot read {path} as its manifest describes: {exc}") from None


def land_for(zone_layer: LayerInfo) -> str:
    """The land layer that goes with a zone layer (same coverage when possible)."""
    candidates = [i for i in manifest() if i.kind == "land"]
    for info in candidates:
        if info.coverage_bbox == zone_layer.coverage_bbox:
            return info.id
    return max(candidates, key=lambda i: _bbox_area(i.coverage_bbox)).id


def _bbox_area(b: Sequence[float]) -> float:
    return (b[2] - b[0]) * (b[3] - b[1])


def _a(word: str) -> str:
    """'a zone', 'an attributes' (the article a layer kind takes)."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def layer_ids_argument(layer_ids: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """A library call's *layers*: None (the defaults), one id as a string, or a non-empty sequence."""
    if layer_ids is None:
        return None
    ids = (layer_ids,) if isinstance(layer_ids, str) else tuple(layer_ids)
    if not ids:
        raise ArgumentError("no layers: give at least one layer id, or None for the default layers")
    return ids


def resolve_layers(layer_ids: str | Sequence[str] | None = None) -> tuple[str, ...]:
    """The zone (EEZ) layers to answer with, most detailed first.

    Default: the effective ``default_zones`` (see :func:`manifest`).  Nested
    layers (12 NM, 24 NM, internal waters) may be named too: they are left out
    here (:func:`geo.nesting.nested_layers` takes them), and when only nested
    layers are named the default EEZ layers answer.
    """
    m = manifest()
    given_ids = layer_ids_argument(layer_ids)
    ids = given_ids if given_ids else m.default_zones
    for layer_id in ids:
        info = m.get(layer_id)
        if info.kind not in ZONE_KINDS + NESTED_KINDS:
            raise ArgumentError(f"layer '{layer_id}' is {_a(info.kind)} layer, not a zone layer: "
                                "'eezmap layers' lists the zone layers")
    zone_ids = tuple(i for i in ids if m.get(i).kind in ZONE_KINDS)
    if not zone_ids and layer_ids:
        return resolve_layers(None)
    if not zone_ids:  # defaults naming only nested layers: the bundled EEZ layers answer
        zone_ids = tuple(i for i in _read_manifest(layers_dir() / "manifest.json").default_zones)
    return zone_ids


# --- writing user layers ------------------------------------------------------------

def check_new_layer_id(layer_id: str) -> str:
    """A valid id for a new user layer (lower-case letters, digits, . _ -; not a bundled id)."""
    from .errors import ArgumentError

    if not _LAYER_ID.fullmatch(layer_id or ""):
        raise ArgumentError(f"layer id '{layer_id}' is not valid: use lower-case letters, digits, "
                            "'.', '_' and '-' (at most 80), starting with a letter or digit")
    bundled = _read_manifest(layers_dir() / "manifest.json")
    if any(i.id == layer_id for i in bundled):
        raise ArgumentError(f"layer id '{layer_id}' is a bundled layer; choose another id (--id)")
    return layer_id


def _empty_user_manifest() -> dict[str, Any]:
    return {
        "format": 1,
        "description": ("Layers fetched (eezmap layers fetch) or imported (eezmap layers add) by the "
                        "user: same fields as layers/manifest.json, plus path, origin and provenance. "
                        "geo.layers verifies each file against its sha256 before use."),
        "layers": [],
    }


class _ManifestLock:
    """An advisory lock on the user manifest while it is read, changed and written."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / ".manifest.lock"
        self.fd: int | None = None

    def __enter__(self) -> "_ManifestLock":
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not POSIX: last writer wins
            pass
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the lock


def _edit_user_manifest(cache: str | os.PathLike[str] | None, edit: Any) -> dict[str, Any]:
    """Read, change (``edit(doc)``) and atomically rewrite the user manifest, under a lock."""
    path = user_manifest_path(cache)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _ManifestLock(path.parent):
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
                if not isinstance(doc, dict):
                    raise ValueError("not a JSON object")
            except FileNotFoundError:
                doc = _empty_user_manifest()
            except ValueError as exc:
                raise LayerError(f"user layer manifest {path} is unreadable: {exc}; fix it, or delete "
                                 "it and fetch or add the layers again") from None
            edit(doc)
            _atomic_write_bytes(path, (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode(),
                                readable=True)
    except OSError as exc:
        if isinstance(exc, LayerError):
            raise
        from .errors import OutputError

        raise OutputError(f"cannot write the user layer manifest {path}: {exc.strerror or exc}") from None
    return doc


def _unlink_quietly(path: Path) -> None:
    for p in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            p.unlink()
        except OSError:
            pass


def install_user_layer(entry: dict[str, Any], write: Any, suffix: str,
                       cache: str | os.PathLike[str] | None = None) -> LayerInfo:
    """Write a user layer's file and register it; nothing changes unless both succeed.

    Parameters
    ----------
    entry : dict
        The manifest entry (``id``, ``kind``, ``coverage_bbox``, provenance…);
        ``file``, ``path`` and ``sha256`` are filled in here.
    write : callable
        ``write(tmp_path)`` writes the layer's file at a temporary path beside
        its final place (and raises on any failure).
    suffix : str
        The file extension, e.g. ``".geojson"`` or ``".gpkg"``.

    The file lands as ``<id>.<sha256[:12]><suffix>`` by ``os.replace``; the
    manifest is then rewritten atomically; only after that is a previous
    version of the layer deleted.  On any error (or Ctrl-C) the temporary file
    is removed and the previous layer and manifest are untouched.
    """
    layer_id = check_new_layer_id(entry["id"])
    directory = user_layers_dir(cache)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=directory, prefix=f".{layer_id}.", suffix=f".tmp{suffix}")
        os.close(fd)
    except OSError as exc:
        from .errors import OutputError

        raise OutputError(f"cannot write in {directory}: {exc.strerror or exc}") from None
    tmp = Path(name)
    final: Path | None = None
    existed = False
    old_files: list[str] = []
    try:
        write(tmp)
        _readable(tmp)
        digest = sha256_file(tmp)
        final = directory / f"{layer_id}.{digest[:12]}{suffix}"
        existed = final.exists()
        os.replace(tmp, final)
        entry = dict(entry, file=final.name, path=str(final), sha256=digest, origin="user")

        def edit(doc: dict[str, Any]) -> None:
            layers = doc.setdefault("layers", [])
            old_files.extend(str(e.get("file")) for e in layers if e.get("id") == layer_id)
            for k, e in enumerate(layers):
                if e.get("id") == layer_id:
                    layers[k] = entry  # a layer fetched again keeps its place
                    break
            else:
                layers.append(entry)

        _edit_user_manifest(cache, edit)
    except BaseException:
        _unlink_quietly(tmp)
        if final is not None and not existed:
            _unlink_quietly(final)
        raise
    for old in old_files:
        if old != final.name:
            _unlink_quietly(directory / old)
    return _info_from_entry(entry, directory)


def remove_user_layer(layer_id: str, cache: str | os.PathLike[str] | None = None) -> None:
    """Forget a user layer and delete its file (and drop it from the user defaults)."""
    removed: list[dict[str, Any]] = []

    def edit(doc: dict[str, Any]) -> None:
        layers = doc.setdefault("layers", [])
        removed.extend(e for e in layers if e.get("id") == layer_id)
        if not removed:
            known = ", ".join(str(e.get("id")) for e in layers) or "none"
            raise UnknownLayerError(f"no user layer '{layer_id}' (user layers: {known})")
        doc["layers"] = [e for e in layers if e.get("id") != layer_id]
        if doc.get("default_zones"):
            doc["default_zones"] = [i for i in doc["default_zones"] if i != layer_id]

    _edit_user_manifest(cache, edit)
    for e in removed:
        _unlink_quietly(user_layers_dir(cache) / str(e.get("file")))


def set_user_defaults(layer_ids: Sequence[str], cache: str | os.PathLike[str] | None = None) -> tuple[str, ...]:
    """Make *layer_ids* the default layers (empty: back to the bundled defaults).

    Every id must be a known zone layer (eez) or nested layer (eez_12nm,
    eez_24nm, eez_internal_waters); the order is the precedence.
    """
    from .errors import ArgumentError

    ids = tuple(dict.fromkeys(layer_ids))

    def edit(doc: dict[str, Any]) -> None:
        kinds = {i.id: i.kind for i in _read_manifest(layers_dir() / "manifest.json")}
        kinds.update({str(e.get("id")): str(e.get("kind")) for e in doc.get("layers", ())})
        for layer_id in ids:
            if layer_id not in kinds:
                raise UnknownLayerError(f"unknown layer '{layer_id}': the known layers are "
                                        f"{', '.join(kinds)} (see 'eezmap layers')")
            if kinds[layer_id] not in ZONE_KINDS + NESTED_KINDS:
                raise ArgumentError(f"layer '{layer_id}' is {_a(kinds[layer_id])} layer; defaults are zone "
                                    "layers (eez) and nested ones (eez_12nm, eez_24nm, eez_internal_waters)")
        if ids:
            doc["default_zones"] = list(ids)
        else:
            doc.pop("default_zones", None)

    _edit_user_manifest(cache, edit)
    return ids
