"""Import an official Marine Regions download as a user layer (``eezmap layers add``).

Reads a zipped Shapefile (through GDAL's ``/vsizip/``), a GeoPackage,
GeoJSON, FlatGeobuf or GeoParquet file of World EEZ (v10–v12), the 12 NM
territorial seas, the 24 NM contiguous zones or internal waters, and turns it
into a clean layer:

1. the Marine Regions columns are found under any of their spellings
   (``MRGID``/``mrgid``, ``GeoName``/``geoname``, ``Sovereign1``…, see
   :mod:`geo.layers.marineregions`); a missing required column is named in the error;
2. another CRS is reprojected to EPSG:4326 (a file without a CRS is taken as
   longitude/latitude only if its coordinates fit);
3. invalid polygons are repaired (``shapely.make_valid``, areas kept);
4. 0–360 longitudes and zones crossing the antimeridian are brought into
   [-180, 180], split at 180° (:mod:`geo.layers.antimeridian`), so a Pacific zone
   answers on both sides of 180°.

The result is written atomically as a GeoPackage (canonical lower-case
columns) in :func:`geo.layers.user_layers_dir` and registered in the user
manifest with the source file's name and SHA-256, the time, and a citation
(``citation=`` or Marine Regions' own for the kind and version), flagged
``user_supplied``.

Example
-------
>>> from geo.layers.importer import add_layer
>>> info = add_layer("World_EEZ_v12_20231025.zip", layer_id="mr-v12-eez-world-full")  # doctest: +SKIP
>>> info.version                                                                       # doctest: +SKIP
'12 (user-supplied World_EEZ_v12_20231025.zip)'
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..coords import check_bbox
from ..errors import ArgumentError, InputFileError, first_line
from . import marineregions as mr
from .catalog import NESTED_KINDS, ZONE_KINDS, LayerInfo
from .load import polygonal as _polygonal
from .load import sha256_file
from .user import check_new_layer_id, install_user_layer

#: the kinds ``add`` accepts (polygon layers)
KINDS = ZONE_KINDS + NESTED_KINDS
_VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".fgb", ".parquet", ".geoparquet")
_KIND_HINTS = {
    "eez_12nm": ("12nm", "territorial"),
    "eez_24nm": ("24nm", "contiguous"),
    "eez_internal_waters": ("internal",),
    "eez": ("eez",),
}
_NOT_EEZ = ("boundar", "12nm", "24nm", "internal", "archipel", "high_seas", "highseas", "ecs")


@dataclass
class Source:
    """A vector file read into arrays."""

    label: str                     # what the user named (file, or file!member:layer)
    geometry: np.ndarray           # shapely geometries
    columns: dict[str, np.ndarray]
    crs: str | None


def add_layer(path: str | os.PathLike[str], *, layer_id: str | None = None, kind: str = "eez",
              citation: str | None = None, title: str | None = None, version: str | None = None,
              source_layer: str | None = None, coverage_bbox: Sequence[float] | None = None,
              zones_only: bool = False, cache: str | os.PathLike[str] | None = None) -> LayerInfo:
    """Import a zone file as a user layer and register it.

    Parameters
    ----------
    path : path-like
        ``.zip`` (a zipped Shapefile, or a GeoPackage/GeoJSON inside a zip),
        ``.gpkg``, ``.geojson``/``.json``, ``.fgb``, ``.parquet``.
    layer_id : str, optional
        The new layer's id (default: from the file name).
    kind : {"eez", "eez_12nm", "eez_24nm", "eez_internal_waters"}
    citation, title, version : str, optional
        Override what is recorded (default: Marine Regions' citation for the
        kind and the version read from the file name, e.g. ``v12``).
    source_layer : str, optional
        Which member of a zip, or layer of a GeoPackage, when there are several.
    coverage_bbox : (W, S, E, N), optional
        Where the layer is the authority (default: the data's bounds).
    zones_only : bool
        The file holds only some zones of its area (one country's, say): a
        point in none of them is left to the next layer.
    cache : path-like, optional
        The cache directory whose ``layers/`` receives it (default: geo.layers.cache_dir()).

    Raises
    ------
    InputFileError
        Unreadable file, no polygon layer, a required column missing (exit 2).
    ArgumentError
        A bad kind, id or coverage box (exit 2).
    """
    if kind not in KINDS:
        raise ArgumentError(f"kind '{kind}' cannot be added: choose one of {', '.join(KINDS)}")
    src_path = Path(path)
    if not src_path.is_file():
        raise InputFileError(f"input {src_path} does not exist or is not a file")
    layer_id = layer_id or _id_from_name(src_path)

    check_new_layer_id(layer_id)
    if coverage_bbox is not None:
        coverage_bbox = check_bbox(coverage_bbox, "coverage_bbox")

    source = read_source(src_path, kind=kind, source_layer=source_layer)
    geoms, table, notes = _prepared(source, kind)
    import shapely

    bounds = shapely.total_bounds(geoms)
    bbox = coverage_bbox or tuple(round(float(v), 6) for v in bounds)
    entry = _entry(src_path, source, layer_id=layer_id, kind=kind, citation=citation, title=title,
                   version=version, bbox=bbox, zones_only=zones_only)
    entry.update(columns=_canonical_columns(table), feature_count=int(len(geoms)),
                 processing="; ".join(["imported by eezmap layers add"] + notes))

    def write(tmp: Path) -> None:
        _write_gpkg(tmp, layer_id, geoms, table)

    return install_user_layer(entry, write, ".gpkg", cache)


def _prepared(source: Source, kind: str) -> tuple[np.ndarray, dict[str, np.ndarray], list[str]]:
    """The file's polygons (cleaned, empty ones dropped), its canonical columns and notes on the changes.

    Raises InputFileError for a missing required column, a zone type no
    Marine Regions version uses, or a file without a polygon.
    """
    columns, missing = mr.detect_columns(source.columns, kind)
    if missing:
        found = ", ".join(source.columns) or "none"
        raise InputFileError(
            f"input {source.label}: required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} {'are' if len(missing) > 1 else 'is'} missing (columns found: {found}); "
            "is this a Marine Regions zone layer?")
    if kind in ZONE_KINDS:  # the type decides the answer: refuse a value no version uses
        pol = next(name for name in source.columns if name.lower() == "pol_type")
        unknown = mr.unknown_pol_types("" if _blank(v) else v for v in source.columns[pol])
        if unknown:
            raise InputFileError(f"input {source.label}: {mr.describe_unknown_pol_types(unknown, pol)}")
    geoms, notes = clean_geometries(source)
    keep = ~np.array([g is None or g.is_empty for g in geoms], dtype=bool)
    if not keep.any():
        raise InputFileError(f"input {source.label}: no polygon with an area")
    if (~keep).any():
        notes.append(f"{int((~keep).sum())} empty or null geometries dropped")
    return geoms[keep], _canonical_table(source.columns, columns, keep), notes


def _entry(src_path: Path, source: Source, *, layer_id: str, kind: str, citation: str | None,
           title: str | None, version: str | None, bbox: Sequence[float], zones_only: bool) -> dict[str, Any]:
    """The user manifest entry of an imported file (its provenance: file, checksum, version, citation)."""
    number = _version_number(src_path.name, version)
    # a version the user gave or the file's name states; never the server's current one guessed
    cite_text, doi = mr.citation(kind, number) if number else (mr.citation_unknown_version(kind), None)
    ver = version or (f"{number} (user-supplied {src_path.name})" if number
                      else f"unknown (user-supplied {src_path.name})")
    product = mr.PRODUCTS[kind]
    now = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return {
        "id": layer_id,
        "title": title or (f"{product.short}{f' v{number}' if number else ''}, from {src_path.name} "
                           "(user-supplied)"),
        "kind": kind,
        "source_url": mr.DOWNLOADS_URL,
        "version": ver,
        "doi": None if citation else doi,
        "citation": citation or f"{cite_text} User-supplied copy: {src_path.name}.",
        "attribution": (f"{product.short}: user-supplied {src_path.name}" if citation or not number
                        else mr.attribution(kind, number) + f"; user-supplied {src_path.name}"),
        "licence": mr.LICENCE if not citation else "as stated by the supplier",
        "licence_note": "Marine Regions data are CC BY 4.0; cite them. " + mr.DISCLAIMER,
        "crs": "EPSG:4326",
        "crs_in_file": True,
        "repair_invalid": True,
        "coverage_bbox": [float(v) for v in bbox],
        "zones_only": bool(zones_only),
        "coarse": False,
        "complete_sovereigns": [],
        "columns": {},
        "user_supplied": True,
        "source_file": src_path.name,
        "source_sha256": sha256_file(src_path),
        "source_layer": source.label,
        "added": now,
        "feature_count": 0,
        "processing": "",
    }


# --- reading ---------------------------------------------------------------------------

def read_source(path: Path, kind: str = "eez", source_layer: str | None = None) -> Source:
    """Read the one polygon layer of *path* (a zip member, a GeoPackage layer…)."""
    if path.suffix.lower() in (".parquet", ".geoparquet"):
        return _read_parquet(path, str(path))
    candidates = _candidates(path)
    dataset, layer, label = _choose(path, candidates, kind, source_layer)
    if dataset.lower().endswith((".parquet", ".geoparquet")):
        raise InputFileError(f"input {label}: GeoParquet inside a zip is not supported; unzip it first")
    from pyogrio.raw import read as ogr_read

    try:
        meta, _, wkb, field_data = ogr_read(dataset, layer=layer)
    except Exception as exc:  # GDAL's errors have no common base class
        raise InputFileError(f"input {label}: cannot read it: {first_line(exc)}") from exc
    import shapely

    geoms = shapely.from_wkb(wkb)
    columns = {name: values for name, values in zip(meta["fields"], field_data, strict=True)}
    return Source(label, np.asarray(geoms, dtype=object), columns, meta.get("crs"))


def _read_parquet(path: Path, label: str) -> Source:
    try:
        import geopandas as gpd

        df = gpd.read_parquet(path)
    except Exception as exc:
        raise InputFileError(f"input {label}: cannot read it as GeoParquet: {first_line(exc)}") from exc
    crs = df.crs.to_wkt() if df.crs is not None else None
    columns = {c: df[c].to_numpy() for c in df.columns if c != df.geometry.name}
    return Source(label, np.asarray(df.geometry.values, dtype=object), columns, crs)


def _candidates(path: Path) -> list[tuple[str, str | None, str, str]]:
    """Every vector layer in *path*: (GDAL dataset, layer name, label, geometry type)."""
    import pyogrio

    datasets: list[tuple[str, str]] = []
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as z:
                members = [n for n in z.namelist() if n.lower().endswith(_VECTOR_SUFFIXES)
                           and not n.startswith("__MACOSX") and "/." not in f"/{n}"]
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputFileError(f"input {path}: not a readable zip file ({exc})") from exc
        if not members:
            raise InputFileError(f"input {path}: the zip holds no Shapefile, GeoPackage, GeoJSON or "
                                 "FlatGeobuf file")
        datasets = [(f"/vsizip/{path.resolve()}/{m}", f"{path.name}!{m}") for m in members]
    else:
        datasets = [(str(path), path.name)]
    out: list[tuple[str, str | None, str, str]] = []
    for dataset, label in datasets:
        if dataset.lower().endswith((".parquet", ".geoparquet")):
            out.append((dataset, None, label, "Unknown"))
            continue
        try:
            layers = pyogrio.list_layers(dataset)
        except Exception as exc:
            raise InputFileError(f"input {label}: cannot open it: {first_line(exc)}") from exc
        for name, gtype in layers:
            lab = label if len(layers) == 1 else f"{label}:{name}"
            out.append((dataset, str(name), lab, str(gtype or "Unknown")))
    return out


def _choose(path: Path, candidates: list[tuple[str, str | None, str, str]], kind: str,
            source_layer: str | None) -> tuple[str, str | None, str]:
    polygons = [c for c in candidates if "polygon" in c[3].lower() or c[3] == "Unknown"]
    if source_layer:
        want = source_layer.lower()
        hits = [c for c in candidates if want in (c[1] or "").lower() or want in c[2].lower()]
        if len(hits) == 1:
            return hits[0][0], hits[0][1], hits[0][2]
        names = ", ".join(c[2] for c in candidates)
        raise InputFileError(f"input {path}: {'no' if not hits else 'several'} layers match "
                             f"'{source_layer}' (layers: {names})")
    if not polygons:
        kinds = ", ".join(f"{c[2]} ({c[3]})" for c in candidates)
        raise InputFileError(f"input {path}: no polygon layer (found {kinds}); 'add' takes zone "
                             "polygons (EEZ, 12 NM, 24 NM, internal waters)")
    if len(polygons) == 1:
        return polygons[0][0], polygons[0][1], polygons[0][2]
    hints = _KIND_HINTS[kind]
    picked = [c for c in polygons if any(h in c[2].lower() for h in hints)]
    if kind == "eez":
        picked = [c for c in picked if not any(h in c[2].lower() for h in _NOT_EEZ)]
    if len(picked) == 1:
        return picked[0][0], picked[0][1], picked[0][2]
    names = ", ".join(c[2] for c in polygons)
    raise InputFileError(f"input {path} holds several polygon layers ({names}); choose one with "
                         "`source_layer` NAME")


# --- cleaning --------------------------------------------------------------------------

def clean_geometries(source: Source) -> tuple[np.ndarray, list[str]]:
    """Polygons in EPSG:4326 [-180, 180], valid; and notes on what was done."""
    import shapely

    from .antimeridian import needs_normalising, normalise

    geoms = np.asarray(source.geometry, dtype=object)
    notes: list[str] = []
    present = ~shapely.is_missing(geoms)
    types = set(shapely.get_type_id(geoms[present]).tolist())
    polygonal = {3, 6}  # Polygon, MultiPolygon
    if types - polygonal - {7}:  # 7: GeometryCollection (repaired below)
        names = sorted({g.geom_type for g in geoms[present] if shapely.get_type_id(g) not in (3, 6, 7)})
        raise InputFileError(f"input {source.label}: holds {', '.join(names)} geometries; 'add' takes "
                             "zone polygons (EEZ boundary lines come from 'eezmap layers fetch --kind "
                             "eez_boundaries')")
    geoms = _to_lonlat(source, geoms, notes)
    invalid = present & ~shapely.is_valid(geoms)
    if invalid.any():
        geoms[invalid] = [_polygonal(g) for g in shapely.make_valid(geoms[invalid])]
        notes.append(f"{int(invalid.sum())} invalid geometries repaired (shapely.make_valid, areas kept)")
    collections = present & (shapely.get_type_id(geoms) == 7)
    if collections.any():
        geoms[collections] = [_polygonal(g) for g in geoms[collections]]
    moved = needs_normalising(geoms) & present
    if moved.any():
        geoms = normalise(geoms)
        notes.append(f"{int(moved.sum())} geometries brought into -180..180 (0-360 longitudes or "
                     "crossing the antimeridian, split at 180°)")
    still = present & ~shapely.is_valid(geoms)
    if still.any():
        geoms[still] = [_polygonal(g) for g in shapely.make_valid(geoms[still])]
    b = shapely.total_bounds(geoms[present]) if present.any() else np.array([0.0, 0.0, 0.0, 0.0])
    if b[1] < -90.0 - 1e-9 or b[3] > 90.0 + 1e-9:
        raise InputFileError(f"input {source.label}: latitudes beyond ±90° after reading "
                             f"(bounds {[round(float(v), 3) for v in b]}): the CRS is wrong or missing")
    return geoms, notes


def _to_lonlat(source: Source, geoms: np.ndarray, notes: list[str]) -> np.ndarray:
    import shapely
    from pyproj import CRS, Transformer

    if not source.crs:
        b = shapely.total_bounds(geoms)
        if np.all(np.isfinite(b)) and b[0] >= -180 and b[2] <= 360 and b[1] >= -90 and b[3] <= 90:
            notes.append("no CRS in the file: coordinates taken as longitude/latitude (EPSG:4326)")
            return geoms
        raise InputFileError(f"input {source.label}: the file has no CRS and its coordinates are not "
                             "longitude/latitude; give it a .prj (or use a GeoPackage)")
    try:
        crs = CRS.from_user_input(source.crs)
    except Exception as exc:
        raise InputFileError(f"input {source.label}: unreadable CRS: {first_line(exc)}") from exc
    wgs84 = CRS.from_epsg(4326)
    if crs.equals(wgs84, ignore_axis_order=True):
        return geoms
    transformer = Transformer.from_crs(crs, wgs84, always_xy=True)

    def to_lonlat(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    out = shapely.transform(geoms, to_lonlat)
    notes.append(f"reprojected from {crs.to_string()} to EPSG:4326")
    return np.asarray(out, dtype=object)


# --- writing ---------------------------------------------------------------------------

def _canonical_table(raw: dict[str, np.ndarray], columns: dict[str, Any],
                     keep: np.ndarray) -> dict[str, np.ndarray]:
    """The Marine Regions columns under their v12 (lower-case) names, only the kept rows."""
    by_lower = {name.lower(): name for name in raw}
    n = int(keep.sum())
    out: dict[str, np.ndarray] = {}
    for canon in mr.CANONICAL_COLUMNS:
        name = by_lower.get(canon)
        if name is None:
            continue
        values = np.asarray(raw[name], dtype=object)[keep]
        if canon == "mrgid":
            out[canon] = np.array([_int_or(v, -1) for v in values], dtype=np.int64)
        elif canon == "area_km2":
            out[canon] = np.array([_float_or(v) for v in values], dtype=np.float64)
        else:
            out[canon] = np.array(["" if _blank(v) else str(v).strip() for v in values], dtype=object)
    assert all(len(v) == n for v in out.values())
    return out


def _canonical_columns(table: dict[str, np.ndarray]) -> dict[str, Any]:
    columns, _ = mr.detect_columns(table, "eez_12nm")  # names are already canonical
    return columns


def _write_gpkg(path: Path, layer_name: str, geoms: np.ndarray, table: dict[str, np.ndarray]) -> None:
    import geopandas as gpd
    import pyogrio

    path.unlink(missing_ok=True)  # mkstemp's placeholder: GDAL creates the file itself
    gdf = gpd.GeoDataFrame(dict(table), geometry=list(geoms), crs="EPSG:4326")
    pyogrio.write_dataframe(gdf, path, driver="GPKG", layer=layer_name, promote_to_multi=True)


# --- small helpers ---------------------------------------------------------------------

def _id_from_name(path: Path) -> str:
    stem = path.name
    for suffix in (".zip", ".gpkg", ".geojson", ".json", ".fgb", ".parquet", ".geoparquet", ".shp"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:60]
    return slug or "user-layer"


def _version_number(name: str, version: str | None) -> int | None:
    text = version if version else name
    m = re.search(r"(?:^|[\s_.-])v(?:ersion)?[ _-]?(\d{1,2})(?![0-9a-z])", text, re.IGNORECASE)
    if m is None and version:
        m = re.match(r"\s*(\d{1,2})(?!\d)", version)
    return int(m.group(1)) if m else None


def _blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and np.isnan(v):
        return True
    return str(v).strip() in ("", "<NA>", "None", "nan", "NaN")


def _int_or(v: Any, default: int) -> int:
    try:
        if _blank(v):
            return default
        return int(float(v))
    except (TypeError, ValueError):
        return default


def _float_or(v: Any) -> float:
    try:
        return float("nan") if _blank(v) else float(v)
    except (TypeError, ValueError):
        return float("nan")
