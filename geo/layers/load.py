"""Reading a layer's file: verification, the vector reader and the on-disk WKB cache.

Every layer file is checked against its manifest SHA-256 before use
(:func:`verify`).  Hashing a file costs milliseconds per call, so a file
found good is remembered by a *stamp*, its path, size, inode, device,
modification and change times (nanoseconds), kept in memory and in
``<cache>/verified/``: the next call with the same stamp skips the hash.  Any
change to the file (a byte rewritten, a copy put in its place, a touch)
changes its change time or inode, so it is hashed again and refused when it
differs.  A file changed less than :data:`RACY_SECONDS` ago is never stamped
(a write within the same clock tick could go unseen, as git's "racy clean"
entries).

The geometries and attributes a loader builds are cached on disk as WKB in
one ``.npz``, keyed by the file's checksum (:func:`save_cache`,
:func:`read_cache`): the one encoder and decoder every layer kind uses.
Every cache reader looks in the user's cache first, then in the read-only
prebuilt caches shipped in the wheel (:func:`prebuilt_file`,
:func:`prebuilt_folder`), each file checked against the prebuilt manifest's
SHA-256 (once per file version, as layers are).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import stat
import time
from pathlib import Path
from typing import Any

import numpy as np

from .._threads import once
from ..enums import LayerKind
from ..errors import LayerError
from .catalog import NESTED_KINDS, ZONE_KINDS, LayerInfo, cache_dir, manifest, require_kind

#: Version of the land cache format; bump when the cached arrays change.
LAND_CACHE_FORMAT = "zones-4"
#: A file changed less than this many seconds ago is hashed on every call (never stamped).
RACY_SECONDS = 2.0

_VERIFIED: dict[tuple[Any, ...], str] = {}


def sha256_file(path: Path) -> str:
    """SHA-256 hex digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(info: LayerInfo, *, full: bool = False) -> Path:
    """Check that a layer's file exists and matches its manifest checksum.

    The file is hashed unless this version of it (see the module docstring)
    was found good before; *full* hashes it in any case (``eezmap layers
    --verify``).  Returns the file's path; raises :class:`LayerError` otherwise.
    """
    path = info.path
    remedy = (f"fetch or add it again (eezmap layers fetch / add), or remove it (eezmap layers "
              f"remove {info.id})" if info.user
              else "restore it from the repository (git checkout -- layers/)")
    try:
        st = os.stat(path)
    except OSError as exc:
        raise LayerError(f"layer '{info.id}': file {path} is missing; {remedy}") from exc
    if not stat.S_ISREG(st.st_mode):
        raise LayerError(f"layer '{info.id}': file {path} is missing; {remedy}")
    key = _stamp_key(path, st)
    if not full and _stamped(key, info.sha256):
        return path
    digest = sha256_file(path)
    if digest != info.sha256:
        raise LayerError(
            f"layer '{info.id}': checksum mismatch for {path} (expected sha256 "
            f"{info.sha256[:12]}…, found {digest[:12]}…): the file is corrupted or was "
            f"modified; {remedy}"
        )
    _remember(key, st, digest)
    return path


def _stamp_key(path: Path, st: os.stat_result) -> tuple[Any, ...]:
    return (str(path.absolute()), st.st_size, st.st_ino, st.st_dev, st.st_mtime_ns, st.st_ctime_ns)


def _stamped(key: tuple[Any, ...], sha256: str) -> bool:
    """This version of the file (its stamp *key*) was found to hash to *sha256* before."""
    if _VERIFIED.get(key) == sha256 or _read_stamp(key) == sha256:
        _VERIFIED[key] = sha256
        return True
    return False


def _remember(key: tuple[Any, ...], st: os.stat_result, digest: str) -> None:
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_SECONDS * 1e9:
        _VERIFIED[key] = digest
        _write_stamp(key, digest)


def _stamp_path(key: tuple[Any, ...]) -> Path:
    return cache_dir() / "verified" / f"{hashlib.sha256(str(key[0]).encode()).hexdigest()[:24]}.json"


def _read_stamp(key: tuple[Any, ...]) -> str | None:
    try:
        doc = json.loads(_stamp_path(key).read_bytes())
        return str(doc["sha256"]) if doc.get("stamp") == list(key) else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_stamp(key: tuple[Any, ...], digest: str) -> None:
    from .._io import atomic_write_bytes

    with contextlib.suppress(OSError):  # a read-only cache only costs speed
        atomic_write_bytes(_stamp_path(key), json.dumps({"stamp": list(key), "sha256": digest}).encode(),
                           mode=0o600)


def _check_crs(info: LayerInfo, crs_wkt: str | None) -> None:
    if not info.crs_in_file:
        return  # the manifest declares the CRS of a file that has none (TopoJSON)
    if not crs_wkt:
        raise LayerError(f"layer '{info.id}': the file has no CRS; expected {info.crs}")
    from pyproj import CRS

    crs = CRS.from_user_input(crs_wkt)
    if crs != CRS.from_user_input(info.crs) and crs.to_epsg() != 4326:
        raise LayerError(f"layer '{info.id}': CRS is {crs.to_string()}, expected {info.crs}")


def read_vector(info: LayerInfo) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Read a verified vector file: (geometries, {column: values}), its CRS checked."""
    import shapely
    from pyogrio.raw import read as _ogr_read

    path = verify(info)
    try:
        meta, _, wkb, field_data = _ogr_read(path)
    except Exception as exc:  # GDAL's own errors have no common base class
        raise LayerError(f"layer '{info.id}': cannot read {path}: {exc}") from exc
    _check_crs(info, meta.get("crs"))
    columns = {str(name): values for name, values in zip(meta["fields"], field_data, strict=True)}
    return shapely.from_wkb(wkb), columns


def check_valid(info: LayerInfo, geoms: np.ndarray, *, repair: bool = False) -> np.ndarray:
    """*geoms* if all are valid; with *repair*, invalid ones made valid (their areas kept)."""
    import shapely

    invalid = ~shapely.is_valid(geoms)
    if not invalid.any():
        return geoms
    if not repair:
        first = int(np.flatnonzero(invalid)[0])
        raise LayerError(f"layer '{info.id}': {int(invalid.sum())} invalid geometries "
                         f"(feature {first}: {shapely.is_valid_reason(geoms[first])})")
    geoms = geoms.copy()
    geoms[invalid] = shapely.make_valid(geoms[invalid])
    # make_valid may return collections with stray lines: keep the areas
    return np.array([polygonal(g) for g in geoms], dtype=object)


def read_raw(info: LayerInfo) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Read a zone or land file: rings across 180° closed, validity checked (or repaired), wrapped."""
    from .antimeridian import close_ring_jumps, normalise

    geoms, columns = read_vector(info)
    geoms = close_ring_jumps(geoms)  # rings drawn on the sphere (TopoJSON): across 180°, round a pole
    geoms = check_valid(info, geoms, repair=info.repair_invalid)
    if info.user and info.kind in ZONE_KINDS + NESTED_KINDS:
        geoms = normalise(geoms)  # 0-360 or wrapped rings: parts in [-180, 180]
    return geoms, columns


def polygonal(geom: Any) -> Any:
    """The areas of *geom* (a collection's polygons, unioned); an empty polygon if none."""
    import shapely

    if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


# --- the on-disk cache -----------------------------------------------------------------

def cache_path(info: LayerInfo, fmt: str) -> Path:
    """The cache file of a layer version in cache format *fmt*."""
    return cache_dir() / f"{info.id}-{info.sha256[:16]}-{fmt}.npz"


def save_cache(info: LayerInfo, fmt: str, geoms: np.ndarray, meta: dict[str, Any],
               **arrays: np.ndarray) -> None:
    """Geometries as WKB, *meta* as JSON and numeric *arrays*, in one .npz keyed by the checksum."""
    import shapely

    from .._io import atomic_write_bytes

    meta = dict(meta, key=info.sha256 + fmt)
    wkb = shapely.to_wkb(geoms)
    offsets = np.cumsum([0] + [len(b) for b in wkb])
    payload: dict[str, Any] = dict(arrays, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
                                   wkb=np.frombuffer(b"".join(wkb), dtype=np.uint8), offsets=offsets)
    buf = io.BytesIO()
    np.savez(buf, **payload)
    with contextlib.suppress(OSError):  # a read-only cache only costs speed
        atomic_write_bytes(cache_path(info, fmt), buf.getvalue(), mode=0o600)


def read_cache(info: LayerInfo, fmt: str) -> tuple[np.ndarray, dict[str, Any], dict[str, np.ndarray]] | None:
    """(geometries, meta, arrays) saved by :func:`save_cache`; None when missing, stale or broken.

    The user's cache first, then the prebuilt caches shipped in the package
    (:func:`prebuilt_file`: listed in their manifest and intact).
    """
    path = cache_path(info, fmt)
    got = _read_npz(info, fmt, path)
    if got is None and (shipped := prebuilt_file(path.name)) is not None:
        got = _read_npz(info, fmt, shipped)
    return got


def _read_npz(info: LayerInfo, fmt: str,
              path: Path) -> tuple[np.ndarray, dict[str, Any], dict[str, np.ndarray]] | None:
    import shapely

    try:
        with np.load(path) as z:
            meta = json.loads(z["meta"].tobytes())
            if meta.get("key") != info.sha256 + fmt:
                return None
            raw, off = z["wkb"].tobytes(), z["offsets"]
            geoms = shapely.from_wkb([raw[off[i]:off[i + 1]] for i in range(len(off) - 1)])
            arrays = {k: z[k] for k in z.files if k not in ("meta", "wkb", "offsets")}
            return geoms, meta, arrays
    except Exception:  # missing, truncated or foreign cache: rebuild it
        return None


# --- the prebuilt caches shipped in the package ------------------------------------------

#: The prebuilt caches' manifest: ``{"format", "layers": {id: sha256}, "files": {name: sha256}}``.
PREBUILT_MANIFEST = "manifest.json"


def prebuilt_file(name: str) -> Path | None:
    """The prebuilt cache file *name* (relative to :func:`geo._config.prebuilt_dir`), or None.

    Only a file listed in the prebuilt manifest whose SHA-256 matches it is
    returned (hashed once per file version, as :func:`verify` does; the stamps
    go to the user's cache).  The prebuilt folder is read-only: nothing ever
    writes there but ``python -m geo._prebuild`` at wheel-build time.
    """
    from .. import _config

    root = _config.prebuilt_dir()
    try:
        mst = os.stat(root / PREBUILT_MANIFEST)
    except OSError:
        return None
    expected = _prebuilt_files(str(root), mst.st_mtime_ns, mst.st_size).get(name)
    path = root / name
    try:
        st = os.stat(path)
    except OSError:
        return None
    if expected is None or not stat.S_ISREG(st.st_mode):
        return None
    key = _stamp_key(path, st)
    if _stamped(key, expected):
        return path
    if sha256_file(path) != expected:
        return None  # corrupted: the caller builds it in the user's cache instead
    _remember(key, st, expected)
    return path


def prebuilt_folder(name: str) -> Path | None:
    """A prebuilt folder of cache files (e.g. a boundary index), if every file listed under it is intact."""
    from .. import _config

    root = _config.prebuilt_dir()
    try:
        mst = os.stat(root / PREBUILT_MANIFEST)
    except OSError:
        return None
    inside = [f for f in _prebuilt_files(str(root), mst.st_mtime_ns, mst.st_size) if f.startswith(name + "/")]
    if not inside or any(prebuilt_file(f) is None for f in inside):
        return None
    return root / name


@functools.lru_cache(maxsize=4)
def _prebuilt_files(root: str, mtime_ns: int, size: int) -> dict[str, str]:
    try:
        files = json.loads((Path(root) / PREBUILT_MANIFEST).read_bytes())["files"]
        return {str(k): str(v) for k, v in files.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


# --- land and attribute tables -----------------------------------------------------------

def load_land(layer_id: str) -> tuple[LayerInfo, np.ndarray]:
    """Load a land layer (verified, repaired): its info and an array of polygons."""
    info = require_kind(manifest().get(layer_id), (LayerKind.LAND,), "a land layer")
    loaded: tuple[LayerInfo, np.ndarray] = _load_land(layer_id, info.sha256, str(info.path))
    return loaded


@once
def _load_land(layer_id: str, sha256: str, path: str) -> tuple[LayerInfo, np.ndarray]:
    """load_land, once per file version (keyed by its checksum, like the zone tables)."""
    import shapely

    info = manifest().get(layer_id)
    verify(info)  # always: a cache never hides a corrupted file
    cached = read_cache(info, LAND_CACHE_FORMAT)
    if cached is not None:
        return info, cached[0]
    geoms, _ = read_raw(info)
    geoms = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
    save_cache(info, LAND_CACHE_FORMAT, geoms, {})
    return info, geoms


def load_attributes(layer_id: str) -> dict[int, dict[str, Any]]:
    """Load an attribute table (kind ``attributes``, a CSV, verified): MRGID -> its row.

    Each row as ``{"mrgid", "name", "pol_type", "territory", "iso"}`` (the
    manifest's ``columns`` say which CSV column is which).  The bundled
    ``mr-v12-eez-attributes-world`` lists every feature of Marine Regions v12;
    answers from a layer whose entry names it in ``checked_against`` are
    compared with it (:func:`geo.answer.where`).
    """
    info = require_kind(manifest().get(layer_id), (LayerKind.ATTRIBUTES,), "an attribute table")
    table: dict[int, dict[str, Any]] = _load_attributes(layer_id, info.sha256, str(info.path))
    return table


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
            rec = {key: (r.get(cols[key]) or "").strip()
                   for key in ("name", "pol_type", "territory", "iso_ter1")}
            mrgid = int(float(r[cols["mrgid"]]))
            out[mrgid] = {"mrgid": mrgid, "name": rec["name"], "pol_type": rec["pol_type"],
                          "territory": rec["territory"], "iso": rec["iso_ter1"]}
        return out
    except (OSError, UnicodeDecodeError, KeyError, TypeError, ValueError) as exc:
        raise LayerError(f"layer '{layer_id}': cannot read {path} as its manifest describes: {exc}") from exc
