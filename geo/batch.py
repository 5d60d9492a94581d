"""Many points at once: files in, the same rows out with the zone answer added.

``eezmap where --input FILE [--output FILE]`` and :func:`classify_frame`.
Formats by file name: CSV (``.csv``, ``.tsv``, ``.txt``; ``-`` is stdin or
stdout), GeoJSON (``.geojson``, ``.json``), GeoPackage (``.gpkg``) and
Parquet/GeoParquet (``.parquet``, ``.geoparquet``).  CSV and Parquet are
streamed in chunks, so memory stays flat however long the file is; the other
formats are read whole.

Added columns (prefixed ``eez_`` so they never clash with the user's):
``eez_answer`` (yes / no / shared / unknown, empty for a bad row),
``eez_status``, ``eez_mrgid``, ``eez_zone``, ``eez_sovereigns`` (``;``-joined),
``eez_layer``, ``eez_error`` (why a row could not be classified), the seabed
under the point (:mod:`geo.seabed`): ``eez_seabed`` (``continental_shelf``,
``the_area``, ``beyond_200nm``, ``land``, empty where it cannot be told),
``eez_contractor`` (the ISA contractor of the area holding the point, July
2019, empty if none), ``eez_depth_from_m`` and ``eez_depth_to_m`` (the
Natural Earth 1:10m depth band, never a measured depth; empty on land, outside
the band layer, and ``to`` below 10,000 m) and, with
``--distance``, ``eez_boundary_km``, ``eez_boundary_lat``, ``eez_boundary_lon``,
``eez_across``.  Rows with bad coordinates are kept, never dropped.  An input
that already has these columns (an earlier output) gets them replaced.

Coordinates are read by :func:`geo.coords.parse_pairs`: a cell is read like
the same text given to ``eezmap where`` (same rules, same message), with
vectorised code for numbers.  Geometries are reprojected to EPSG:4326 on
reading (:func:`_read_whole`, the one reader of whole files, also used by
``area FILE`` and ``map --sites/--points``).

Every result is identical to :func:`geo.answer.where` for the same point
(tests/test_batch.py checks it row by row).
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ._io import atomic_path, check_output, check_output_directory
from .errors import InputFileError, OutputError

LAT_NAMES = ("lat", "latitude", "lat_dd", "latitude_dd", "y", "ylat", "lat_deg", "decimallatitude")
LON_NAMES = ("lon", "lng", "long", "longitude", "lon_dd", "longitude_dd", "x", "xlon", "lon_deg",
             "decimallongitude")

COLUMNS = ("eez_answer", "eez_status", "eez_mrgid", "eez_zone", "eez_sovereigns", "eez_layer", "eez_error",
           "eez_seabed", "eez_contractor", "eez_depth_from_m", "eez_depth_to_m")
#: numeric added columns (the others are text), for the schema of an empty Parquet output
_COLUMN_TYPES = {"eez_mrgid": "int64", "eez_depth_from_m": "float64", "eez_depth_to_m": "float64"}
DISTANCE_COLUMNS = ("eez_boundary_km", "eez_boundary_lat", "eez_boundary_lon", "eez_across")

_CSV = {".csv", ".tsv", ".txt"}
_PARQUET = {".parquet", ".geoparquet", ".pq"}
_VECTOR = {".geojson", ".json", ".gpkg", ".fgb", ".shp"}

#: Stdout output is held here (in memory, then on disk) and written only on success.
_SPOOL_BYTES = 64 << 20


def _kind(path: str) -> str:
    if path == "-":
        return "csv"
    suffix = Path(path).suffix.lower()
    if suffix in _CSV:
        return "csv"
    if suffix in _PARQUET:
        return "parquet"
    if suffix in _VECTOR:
        return "vector"
    raise InputFileError(
        f"cannot tell the format of '{path}' from its name: use .csv, .tsv, .geojson, .json, "
        ".gpkg, .parquet or .geoparquet"
    )


def detect_columns(columns: Sequence[str], lat_col: str | None = None,
                   lon_col: str | None = None) -> tuple[str, str]:
    """The latitude and longitude columns: given, or found by common names."""
    cols = list(columns)
    lower = {str(c).strip().lower(): c for c in cols}

    def pick(given: str | None, names: Sequence[str], what: str, flag: str) -> str:
        if given is not None:
            if given not in cols:
                raise InputFileError(f"no column '{given}' for {what}; the columns are: {', '.join(map(str, cols))}")
            return given
        for n in names:
            if n in lower:
                return str(lower[n])
        raise InputFileError(
            f"cannot find a {what} column among: {', '.join(map(str, cols))}; "
            f"name it with {flag} (recognised: {', '.join(names[:4])} …)")

    _unique_columns(cols)
    if len(cols) == 1 and ";" in str(cols[0]) and lat_col is None:
        raise InputFileError(f"the header is one column '{cols[0]}': is the file separated by ';'? "
                             "eezmap reads ',' (.csv) or tab (.tsv) separated files; convert it first")
    lat, lon = pick(lat_col, LAT_NAMES, "latitude", "--lat-col"), pick(lon_col, LON_NAMES, "longitude", "--lon-col")
    if lat == lon:
        raise InputFileError(f"latitude and longitude are both column '{lat}'; give two different columns")
    return lat, lon


@dataclass(frozen=True)
class Coded:
    """A text column as integer codes into labels: no Python string per row.

    Becomes a pandas Categorical (:meth:`to_pandas`) or an Arrow dictionary
    array (:meth:`to_arrow`, written dictionary-encoded to Parquet).
    """

    codes: np.ndarray   # int32, index into labels
    labels: tuple[str, ...]

    @classmethod
    def from_codes(cls, codes: np.ndarray, labels: Sequence[str]) -> "Coded":
        """Codes into *labels* (-1 = ""); repeated labels are merged."""
        table = np.asarray([str(x) for x in labels] + [""], dtype=object)
        uniq, inverse = np.unique(table, return_inverse=True)
        codes = np.where(np.asarray(codes) < 0, len(table) - 1, codes)
        return cls(inverse[codes].astype(np.int32), tuple(str(u) for u in uniq))

    def __len__(self) -> int:
        return len(self.codes)

    def to_pandas(self) -> Any:
        import pandas as pd

        return pd.Categorical.from_codes(self.codes, categories=list(self.labels))

    def to_arrow(self) -> Any:
        import pyarrow as pa

        return pa.DictionaryArray.from_arrays(pa.array(self.codes, type=pa.int32()),
                                              pa.array(self.labels, type=pa.string()))

    def counts(self) -> dict[str, int]:
        k = np.bincount(self.codes, minlength=len(self.labels))
        return {label: int(c) for label, c in zip(self.labels, k) if c}


def classify_arrays(lat: Any, lon: Any, *, country: str = "JPN", layers: Sequence[str] | None = None,
                    with_distance: bool = False, errors: np.ndarray | None = None) -> dict[str, Any]:
    """The added columns for arrays of coordinates (NaN = a bad row).

    Text columns are pandas Categoricals (dictionary-encoded in Parquet).
    """
    from .coords import wrap_lon
    from .layers import load_zones
    from .enums import Answer, Status
    from .zones import classify

    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    n = len(lat)
    c = classify(lat, lon, country=country, layers=layers, invalid="mark")
    # one code per (layer, zone) across the layers, for name, sovereigns and MRGID
    offsets, names, sovs, mrgids = [], [], [], []
    for layer_id in c.layer_ids:
        z = load_zones(layer_id)
        offsets.append(len(names))
        names.extend(str(x) for x in z.name)
        sovs.extend(";".join(s) for s in z.sovereigns)
        mrgids.extend(int(m) for m in z.mrgid)
    inzone = (c.zone_index >= 0) & (c.layer_code >= 0)
    zcode = np.full(n, -1, dtype=np.int64)
    zcode[inzone] = np.asarray(offsets, dtype=np.int64)[c.layer_code[inzone]] + c.zone_index[inzone]
    mrgid = np.where(inzone, np.asarray(mrgids + [-1], dtype=np.int64)[zcode], -1)

    err = np.full(n, "", dtype=object) if errors is None else np.asarray(errors, dtype=object)
    has_err = err != ""
    bad = (c.status_code < 0) & ~has_err
    if bad.any():
        err = err.copy()
        err[bad] = "invalid coordinates"
        has_err = err != ""
    status_labels = [s.value for s in Status] + ["invalid"]
    status_code = np.where(has_err, len(Status), c.status_code)
    err_rows = np.flatnonzero(has_err)
    err_labels = [""] + sorted({str(e) for e in err[err_rows]} - {""})
    err_code = np.zeros(n, dtype=np.int32)
    if len(err_rows):
        lookup = {e: i for i, e in enumerate(err_labels)}
        err_code[err_rows] = [lookup[str(e)] for e in err[err_rows]]
    out: dict[str, Any] = {
        "eez_answer": Coded.from_codes(np.where(has_err, -1, c.answer_code), [a.value for a in Answer]),
        "eez_status": Coded.from_codes(status_code, status_labels),
        "eez_mrgid": mrgid,
        "eez_zone": Coded.from_codes(zcode, names),
        "eez_sovereigns": Coded.from_codes(zcode, sovs),
        "eez_layer": Coded.from_codes(c.layer_code, c.layer_ids),
        "eez_error": Coded.from_codes(err_code, err_labels),
    }
    out.update(_seabed_columns(lat, lon, c.status))
    if with_distance:
        from .boundary import across_labels, index_for
        from .boundary import _boundary_stack

        km, blat, blon = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
        across = np.full(n, "", dtype=object)
        rows = np.flatnonzero(c.layer_code >= 0)
        if len(rows):
            stack = _boundary_stack(c.layer_ids[0], c.layer_ids)
            x, y = wrap_lon(lon[rows]), lat[rows]
            metres, bx, by = index_for(stack).nearest(x, y)
            km[rows], blat[rows], blon[rows] = np.round(metres / 1000.0, 6), np.round(by, 7), np.round(bx, 7)
            across[rows] = across_labels(stack, x, y, bx, by, metres)
        out.update({"eez_boundary_km": km, "eez_boundary_lat": blat, "eez_boundary_lon": blon,
                    "eez_across": across})
    return out


def _seabed_columns(lat: np.ndarray, lon: np.ndarray, status: np.ndarray) -> dict[str, Any]:
    """eez_seabed, eez_contractor, eez_depth_from_m, eez_depth_to_m: the arrays of geo.seabed
    (grid index) on the classification's statuses; what where() gives, row by row."""
    from .seabed import REGIMES, depth_band, seabed

    n = len(lat)
    if not n:
        return {"eez_seabed": Coded.from_codes(np.zeros(0, np.int32), REGIMES),
                "eez_contractor": Coded.from_codes(np.zeros(0, np.int32), ()),
                "eez_depth_from_m": np.zeros(0), "eez_depth_to_m": np.zeros(0)}
    ok = np.isfinite(lat) & np.isfinite(lon)
    la, lo = np.where(ok, lat, np.nan), np.where(ok, lon, np.nan)
    # the regime does not depend on who the states are: no per-row sovereigns needed here
    sb = seabed(la, lo, status, ())
    depth = depth_band(la, lo, status=status)
    codes, labels = sb.contracts.contractor_codes()
    return {
        "eez_seabed": Coded.from_codes(sb.regime_code.astype(np.int32), REGIMES),
        "eez_contractor": Coded.from_codes(codes, labels),
        "eez_depth_from_m": depth.from_m,
        "eez_depth_to_m": depth.to_m,
    }


def classify_frame(df: Any, *, lat_col: str | None = None, lon_col: str | None = None,
                   country: str = "JPN", layers: Sequence[str] | None = None,
                   with_distance: bool = False) -> Any:
    """A (Geo)DataFrame with the ``eez_*`` columns added (a copy).

    Points come from the latitude/longitude columns, or from a point geometry
    column when the frame has one and no coordinate columns were named.

    Example
    -------
    >>> import pandas as pd
    >>> out = classify_frame(pd.DataFrame({"lat": [22.0], "lon": [153.8]}))
    >>> out.loc[0, "eez_answer"], int(out.loc[0, "eez_mrgid"])
    ('yes', 8487)
    """
    lat, lon, errors = _coordinates(df, lat_col, lon_col)
    cols = classify_arrays(lat, lon, country=country, layers=layers, with_distance=with_distance,
                           errors=errors)
    out = df.drop(columns=own_columns(df.columns))  # a re-run on our own output: replace, never duplicate
    for k, v in cols.items():
        out[k] = v.to_pandas() if isinstance(v, Coded) else v
    return out


def own_columns(columns: Sequence[Any]) -> list[str]:
    """The columns among *columns* that eezmap adds (an earlier output given as input)."""
    ours = set(COLUMNS) | set(DISTANCE_COLUMNS)
    return [str(c) for c in columns if c in ours]


def _coordinates(df: Any, lat_col: str | None, lon_col: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lat, lon, errors) of every row, read by :func:`geo.coords.parse_pairs` (one parser for
    cells and arguments): from the coordinate columns, or from point geometries."""
    from .coords import parse_pairs

    if lat_col is None and lon_col is None and _geometry(df) is not None:
        import shapely

        g = np.asarray(df.geometry.values, dtype=object)
        ok = shapely.get_type_id(g) == 0  # Point
        empty = shapely.is_empty(g) | shapely.is_missing(g)
        good = ok & ~empty
        x = np.full(len(g), np.nan)
        y = np.full(len(g), np.nan)
        x[good] = shapely.get_x(g[good])
        y[good] = shapely.get_y(g[good])
        lat, lon, errors = parse_pairs(y, x)
        shape = np.where(empty, "missing geometry", np.where(ok, "", "geometry is not a point")).astype(object)
        errors = np.where(shape != "", shape, errors).astype(object)
        lat[shape != ""] = np.nan
        lon[shape != ""] = np.nan
        return lat, lon, errors
    la, lo = detect_columns(list(df.columns), lat_col, lon_col)
    return parse_pairs(df[la], df[lo])


def _geometry(df: Any) -> Any:
    """The active geometry column of a GeoDataFrame, or None."""
    if "geometry" not in getattr(df, "columns", ()) and not hasattr(df, "_geometry_column_name"):
        return None
    try:
        geom = df.geometry
    except AttributeError:
        return None
    return geom if hasattr(geom, "geom_type") else None


def _refuse_empty(path: str, columns: Sequence[Any], lat_col: str | None, lon_col: str | None,
                  geometry: bool) -> None:
    """An input without rows: an empty result if it names its coordinate columns, else an error.

    A CSV header, a Parquet schema or a GeoPackage layer's fields say where the
    coordinates would be: the result is empty too (exit 0).  An empty GeoJSON
    FeatureCollection has no columns at all: "empty" (exit 2).
    """
    others = [str(c) for c in columns if str(c) != "geometry"]
    if geometry and lat_col is None and lon_col is None:
        if not others:
            raise InputFileError(f"input {path} is empty: it has no features")
        return
    try:
        detect_columns(columns, lat_col, lon_col)
    except InputFileError:
        listed = f" (columns: {', '.join(others)})" if others else ""
        raise InputFileError(f"input {path} is empty: it has no rows and no latitude/longitude "
                             f"columns{listed}") from None


# --- files ---------------------------------------------------------------------------

def read_points(path: str, lat_col: str | None = None, lon_col: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(lat, lon) arrays of a points file (bad rows dropped, for drawing only)."""
    frame = _read_whole(path)
    lat, lon, errors = _coordinates(frame, lat_col, lon_col)
    ok = (errors == "") & np.isfinite(lat) & np.isfinite(lon)
    return lat[ok], lon[ok]


def _read_whole(path: str) -> Any:
    """The one reader of a user's file, whole (``where --input``, ``area FILE``,
    ``map --sites/--points``): a DataFrame, or a GeoDataFrame in EPSG:4326."""
    kind = _kind(path)
    _check_input(path)
    try:
        if kind == "csv":
            import pandas as pd

            return pd.read_csv(sys.stdin if path == "-" else path, sep=_sep(path), dtype=str,
                               keep_default_na=False)
        if kind == "parquet":
            frame = _read_parquet_frame(path)
        else:
            import geopandas as gpd

            frame = gpd.read_file(path)
    except InputFileError:
        raise
    except Exception as exc:  # pandas/GDAL/Arrow errors have no common base
        raise InputFileError(f"cannot read {path}: {_first_line(exc)}") from None
    return _to_lonlat(frame, path) if _geometry(frame) is not None else frame


def _to_lonlat(frame: Any, path: str) -> Any:
    """Geometries reprojected to EPSG:4326 (longitude, latitude).

    A file without a CRS is taken as longitude/latitude when its coordinates
    can be (longitudes within [-180, 360], latitudes within [-90, 90]), and
    refused otherwise: it is then surely projected, and guessing the
    projection would give answers for the wrong places.
    """
    import shapely
    from pyproj import CRS

    if frame.crs is None:
        g = np.asarray(frame.geometry.values, dtype=object)
        with np.errstate(invalid="ignore"):
            w, s, e, n = shapely.total_bounds(g) if len(g) else (np.nan,) * 4
        if np.isfinite(w) and not (w >= -180 and e <= 360 and s >= -90 and n <= 90):
            raise InputFileError(
                f"input {path} has no CRS and its coordinates are not longitude/latitude (x {w:.6g} to "
                f"{e:.6g}, y {s:.6g} to {n:.6g}): give the file its CRS (e.g. a .prj, or save it as a "
                "GeoPackage with its projection)")
        return frame.set_crs("EPSG:4326", allow_override=True)
    wgs84 = CRS.from_epsg(4326)
    if frame.crs.equals(wgs84, ignore_axis_order=True):
        return frame
    try:
        return frame.to_crs(wgs84)
    except Exception as exc:  # pyproj: an unknown or unusable CRS
        raise InputFileError(f"cannot reproject {path} from {frame.crs.to_string()} to EPSG:4326: "
                             f"{_first_line(exc)}") from None


def _read_parquet_frame(path: str) -> Any:
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    if b"geo" in meta:
        import geopandas as gpd

        return gpd.read_parquet(path)
    return pq.read_table(path).to_pandas()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _sep(path: str) -> str:
    return "\t" if path.lower().endswith(".tsv") else ","


def _check_input(path: str) -> None:
    if path == "-":
        return
    if not str(path).strip():
        raise InputFileError("input path is empty; give a file name, or - for standard input")
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"input file {path} does not exist")
    if p.is_dir():
        raise InputFileError(f"input {path} is a directory, not a file")
    if p.is_file():  # a FIFO or device is opened by the reader itself
        try:
            with open(p, "rb"):
                pass
        except OSError as exc:
            raise InputFileError(f"cannot read {path}: {exc.strerror or exc}") from None


def _refuse_duplicate_header(path: str) -> None:
    """A CSV header naming a column twice is refused (pandas would rename the second ``X.1``, and the
    rows would not come back unchanged).  Checked on files; stdin is read once, as a stream."""
    if path == "-" or _kind(path) != "csv" or not Path(path).is_file():
        return
    import csv

    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f, delimiter=_sep(path)), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return  # the reader says what is wrong
    _unique_columns(header)


def _unique_columns(columns: Sequence[str]) -> None:
    """Refuse a header that names a column twice."""
    cols = [str(c) for c in columns]
    dupes = sorted({c for c in cols if cols.count(c) > 1})
    if dupes:
        raise InputFileError(f"the header names column '{dupes[0]}' twice; give every column its own name")


class _Progress:
    """rows, rows/s and ETA on stderr, only when it is a terminal and the job is long."""

    def __init__(self, enabled: bool | None, total_rows: int | None = None, total_bytes: int | None = None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.forced = enabled is True  # --progress: also report a job that ended within a second
        self.total_rows, self.total_bytes = total_rows, total_bytes
        self.start = time.perf_counter()
        self.rows = 0
        self.shown = False

    def update(self, rows: int, fraction: float | None = None) -> None:
        self.rows += rows
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.start
        if elapsed < 1.0 and not self.shown:
            return
        rate = self.rows / elapsed if elapsed > 0 else 0.0
        if fraction is None and self.total_rows:
            fraction = self.rows / self.total_rows
        eta = f", ETA {elapsed * (1 - fraction) / fraction:,.0f} s" if fraction and fraction > 0 else ""
        sys.stderr.write(f"\r{self.rows:,} rows, {rate:,.0f} rows/s{eta}   ")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.forced and not self.shown:
            elapsed = max(time.perf_counter() - self.start, 1e-9)
            sys.stderr.write(f"{self.rows:,} rows, {self.rows / elapsed:,.0f} rows/s")
            self.shown = True
        if self.shown:
            sys.stderr.write("\n")


def classify_file(input_path: str, output_path: str | None, *, country: str = "JPN",
                  layers: Sequence[str] | None = None, lat_col: str | None = None,
                  lon_col: str | None = None, with_distance: bool = False, engine: str = "local",
                  scheduler: str | None = None, chunk_rows: int = 1_000_000,
                  progress: bool | None = None) -> dict[str, Any]:
    """Classify every row of a file and write the rows with the ``eez_*`` columns.

    The output is written atomically (a temporary file renamed into place;
    nothing is left on error or Ctrl-C) and may never be the input.  Returns a
    summary: rows, counts per status, seconds, output path and layers.
    """
    from .layers import resolve_layers
    from .zones import resolve_country

    layer_ids = resolve_layers(layers)
    country = resolve_country(country, layer_ids)
    if engine == "local":
        _check_input(input_path)
        _refuse_duplicate_header(input_path)
    out = output_path if output_path is not None else "-"  # "" is refused by check_output
    if out != "-" and engine == "dask":
        check_output_directory(out, input_path)
    elif out != "-":
        check_output(out, input_path)
        _output_kind(out)
    t0 = time.perf_counter()
    kw = dict(country=country, layers=layer_ids, with_distance=with_distance)
    replaced: list[str] = []  # eez_* columns already in the input (an earlier output): replaced
    if engine == "dask":
        from ._dask import classify_dask

        counts = classify_dask(input_path, out, lat_col=lat_col, lon_col=lon_col, scheduler=scheduler, **kw)
    else:
        in_kind, out_kind = _kind(input_path), _output_kind(out)
        if in_kind == "csv" and out_kind == "csv":
            counts = _stream_csv(input_path, out, lat_col, lon_col, chunk_rows, progress, kw, replaced)
        elif in_kind == "parquet" and out_kind == "parquet" and not _is_geoparquet(input_path):
            counts = _stream_parquet(input_path, out, lat_col, lon_col, chunk_rows, progress, kw, replaced)
        else:
            frame = _read_whole(input_path)
            if not len(frame):
                _refuse_empty(input_path, list(frame.columns), lat_col, lon_col, _geometry(frame) is not None)
            replaced = own_columns(frame.columns)
            result = classify_frame(frame, lat_col=lat_col, lon_col=lon_col, **kw)
            _write_frame(result, out, lat_col, lon_col)
            counts = _counts(result["eez_status"])
    from .layers import manifest

    return {
        "input": input_path, "output": out, "rows": int(sum(counts.values())), "status": counts,
        "seconds": round(time.perf_counter() - t0, 3), "country": country,
        "layers": [manifest().get(i).ref() for i in layer_ids],
        "replaced_columns": list(dict.fromkeys(replaced)),
    }


def _counts(status: Any) -> dict[str, int]:
    """Rows per status, from a Coded column, a Categorical or any array of labels."""
    if isinstance(status, Coded):
        return status.counts()
    if hasattr(status, "array"):  # a pandas Series
        status = status.array
    if hasattr(status, "codes") and hasattr(status, "categories"):
        counts = np.bincount(status.codes[status.codes >= 0], minlength=len(status.categories))
        return {str(cat): int(k) for cat, k in zip(status.categories, counts) if k}
    values, counts = np.unique(np.asarray(status, dtype=str), return_counts=True)
    return {str(v): int(c) for v, c in zip(values, counts)}


def _output_kind(path: str) -> str:
    """The format of an output, refusing the shapefile (several files, 10-character column names)."""
    if path != "-" and Path(path).suffix.lower() == ".shp":
        raise OutputError(f"cannot write {path}: a shapefile is four files that cannot be replaced "
                          "together atomically, and it cuts column names to 10 characters; "
                          "use .gpkg (or .geojson, .parquet)")
    return _kind(path)


def _merge(total: dict[str, int], part: dict[str, int]) -> None:
    for k, v in part.items():
        total[k] = total.get(k, 0) + v


def _is_geoparquet(path: str) -> bool:
    import pyarrow.parquet as pq

    try:
        return b"geo" in (pq.read_schema(path).metadata or {})
    except Exception as exc:
        raise InputFileError(f"cannot read {path}: {_first_line(exc)}") from None


def _stream_csv(src: str, dst: str, lat_col: str | None, lon_col: str | None, chunk_rows: int,
                progress: bool | None, kw: dict[str, Any], replaced: list[str] | None = None) -> dict[str, int]:
    import pandas as pd

    total: dict[str, int] = {}
    size = os.path.getsize(src) if src != "-" else None
    bar = _Progress(progress, total_bytes=size)
    handle = sys.stdin if src == "-" else open(src, "rb")
    try:
        try:
            reader = pd.read_csv(handle, sep=_sep(src), dtype=str, keep_default_na=False, chunksize=chunk_rows)
        except pd.errors.EmptyDataError:
            raise InputFileError(f"input {src} is empty (no header row)") from None
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
            raise InputFileError(f"cannot read {src}: {_first_line(exc)}") from None
        with _csv_sink(dst) as sink:
            header = True
            try:
                for chunk in reader:
                    if not len(chunk):
                        _refuse_empty(src, list(chunk.columns), lat_col, lon_col, False)
                    if replaced is not None and header:
                        replaced.extend(own_columns(chunk.columns))
                    result = classify_frame(chunk, lat_col=lat_col, lon_col=lon_col, **kw)
                    sink.write(result.to_csv(index=False, header=header, sep=_sep(dst) if dst != "-" else ","))
                    header = False
                    _merge(total, _counts(result["eez_status"]))
                    frac = handle.tell() / size if size and hasattr(handle, "tell") else None
                    bar.update(len(result), frac)
            except pd.errors.EmptyDataError:
                raise InputFileError(f"input {src} is empty (no header row)") from None
            except (pd.errors.ParserError, UnicodeDecodeError) as exc:
                raise InputFileError(f"cannot read {src}: {_first_line(exc)}") from None
    finally:
        bar.close()
        if handle is not sys.stdin:
            handle.close()
    return total


class _csv_sink:
    """A text sink that shows nothing unless complete.

    A file appears only when complete (:func:`geo._io.atomic_text`); stdout
    (``-``) gets the whole table only on success: it is spooled (in memory,
    then in a temporary file) and written out at the end, so a parse error at
    row 5,002 leaves stdout empty, not a partial table.
    """

    def __init__(self, dst: str) -> None:
        self.dst = dst
        self._ctx: Any = None
        self._spool: Any = None

    def __enter__(self) -> Any:
        if self.dst == "-":
            import tempfile

            self._spool = tempfile.SpooledTemporaryFile(_SPOOL_BYTES, mode="w+", encoding="utf-8", newline="")
            return self._spool
        from ._io import atomic_text

        self._ctx = atomic_text(self.dst)
        return self._ctx.__enter__()

    def __exit__(self, *exc: Any) -> Any:
        if self._ctx is not None:
            return self._ctx.__exit__(*exc)
        with self._spool:
            if exc[0] is None:
                self._spool.seek(0)
                _to_stdout(self._spool)
        return False


def _to_stdout(text: Any) -> None:
    """Copy a finished table (a string or a text file) to stdout; a failing write is an OutputError."""
    import shutil

    try:
        if isinstance(text, str):
            sys.stdout.write(text)
        else:
            shutil.copyfileobj(text, sys.stdout, 1 << 20)
        sys.stdout.flush()
    except (BrokenPipeError, OutputError):  # OutputError: already said (the guarded stdout's own line)
        raise
    except OSError as exc:
        raise OutputError(f"cannot write to stdout: {exc.strerror or exc}") from None


def _stream_parquet(src: str, dst: str, lat_col: str | None, lon_col: str | None, chunk_rows: int,
                    progress: bool | None, kw: dict[str, Any], replaced: list[str] | None = None) -> dict[str, int]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .coords import parse_pairs

    try:
        pf = pq.ParquetFile(src)
    except Exception as exc:
        raise InputFileError(f"cannot read {src}: {_first_line(exc)}") from None
    total: dict[str, int] = {}
    bar = _Progress(progress, total_rows=pf.metadata.num_rows)
    if pf.metadata.num_rows == 0:
        _refuse_empty(src, pf.schema_arrow.names, lat_col, lon_col, False)
    la, lo = detect_columns(pf.schema_arrow.names, lat_col, lon_col)
    ours = own_columns(pf.schema_arrow.names)  # a re-run on our own output: replace, never duplicate
    if replaced is not None:
        replaced.extend(ours)
    # while chunk k is compressed and written (pyarrow releases the GIL), chunk k+1 is classified
    from concurrent.futures import ThreadPoolExecutor

    step = max(1, min(chunk_rows, 262_144))
    try:
        with atomic_path(dst) as tmp, ThreadPoolExecutor(max_workers=1) as pool:
            writer = None
            pending = None
            try:
                for batch in pf.iter_batches(batch_size=step):
                    lat, lon, errors = parse_pairs(_arrow_values(batch.column(la)), _arrow_values(batch.column(lo)))
                    cols = classify_arrays(lat, lon, errors=errors, **kw)
                    table = pa.Table.from_batches([batch]).drop_columns(ours)
                    for k, v in cols.items():
                        table = table.append_column(k, _arrow(v))
                    if writer is None:
                        # dictionary-encode text only (trying it on floats costs time for nothing)
                        text = [f.name for f in table.schema if pa.types.is_string(f.type)
                                or pa.types.is_large_string(f.type) or pa.types.is_dictionary(f.type)]
                        writer = pq.ParquetWriter(tmp, table.schema, use_dictionary=text)
                    if pending is not None:
                        pending.result()
                    pending = pool.submit(writer.write_table, table)
                    _merge(total, _counts(cols["eez_status"]))
                    bar.update(len(lat))
                if pending is not None:
                    pending.result()
                if writer is None:  # an empty file: still write the schema
                    schema = pf.schema_arrow
                    for k in ours:
                        schema = schema.remove(schema.get_field_index(k))
                    for k in COLUMNS:
                        schema = schema.append(pa.field(k, getattr(pa, _COLUMN_TYPES.get(k, "string"))()))
                    writer = pq.ParquetWriter(tmp, schema)
            finally:
                if pending is not None:
                    pending.exception()  # wait for it before closing
                if writer is not None:
                    writer.close()
    finally:
        bar.close()
    return total


# Arrow arrays are built from numpy buffers directly: pyarrow.array() on numpy
# data imports pandas (~0.4 s), which a pure Parquet-to-Parquet job never needs.

_NP_TO_ARROW = {"float64": "float64", "int64": "int64", "int32": "int32", "int8": "int8"}


def _arrow_from_numpy(values: np.ndarray) -> Any:
    import pyarrow as pa

    values = np.ascontiguousarray(values)
    name = _NP_TO_ARROW.get(values.dtype.name)
    if name is None:
        return pa.array(values)
    return pa.Array.from_buffers(getattr(pa, name)(), len(values), [None, pa.py_buffer(values)])


def _arrow_strings(labels: Sequence[str]) -> Any:
    import pyarrow as pa

    data = [str(x).encode("utf-8") for x in labels]
    offsets = np.cumsum([0] + [len(d) for d in data]).astype(np.int32)
    return pa.Array.from_buffers(pa.string(), len(data), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))])


def _arrow(values: Any) -> Any:
    """A column for Arrow: coded text as dictionary arrays, object arrays as strings."""
    import pyarrow as pa

    if isinstance(values, Coded):
        return pa.DictionaryArray.from_arrays(_arrow_from_numpy(values.codes), _arrow_strings(values.labels))
    if getattr(values, "dtype", None) == object:
        return _arrow_strings(values)
    return _arrow_from_numpy(np.asarray(values))


def _numpy_from_arrow(column: Any) -> np.ndarray | None:
    """The values of a numeric Arrow array (as float64 with NaN for nulls when it has any),
    or None for other types."""
    import pyarrow as pa

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    t = column.type
    if not (pa.types.is_floating(t) or pa.types.is_integer(t)) or t.bit_width not in (16, 32, 64, 8):
        return None
    dtype = np.dtype(
        {"double": "float64", "float": "float32", "halffloat": "float16", "int64": "int64", "int32": "int32",
         "int16": "int16", "int8": "int8", "uint64": "uint64", "uint32": "uint32", "uint16": "uint16",
         "uint8": "uint8"}[str(t)])
    bufs = column.buffers()
    values = np.frombuffer(bufs[1], dtype=dtype, count=len(column) + column.offset)[column.offset:]
    if not column.null_count:
        return values  # integers stay integers
    values = values.astype(float)
    bits = np.unpackbits(np.frombuffer(bufs[0], dtype=np.uint8), bitorder="little")
    valid = bits[column.offset:column.offset + len(column)].astype(bool)
    values[~valid] = np.nan
    return values


def _arrow_values(column: Any) -> Any:
    """A column for :func:`geo.coords.parse_pairs`: numbers as a numpy array, anything else as a list."""
    values = _numpy_from_arrow(column)
    return column.to_pylist() if values is None else values


def _write_frame(frame: Any, dst: str, lat_col: str | None = None, lon_col: str | None = None) -> None:
    kind = _output_kind(dst)
    if dst == "-":
        frame_out = frame.drop(columns="geometry") if "geometry" in getattr(frame, "columns", []) else frame
        _to_stdout(frame_out.to_csv(index=False))
        return
    with atomic_path(dst, suffix=Path(dst).suffix) as tmp:
        if kind == "csv":
            import pandas as pd

            frame_out = pd.DataFrame(frame)  # plain columns: geometry as WKT text, without a warning
            if _geometry(frame) is not None:
                frame_out[frame.geometry.name] = frame.geometry.to_wkt()
            frame_out.to_csv(tmp, index=False, sep=_sep(dst))
        elif kind == "parquet":
            frame.to_parquet(tmp, index=False)
        else:
            import geopandas as gpd

            if not isinstance(frame, gpd.GeoDataFrame):
                # the points the rows were classified at: the same columns, read the same way
                import shapely

                lat, lon, errors = _coordinates(frame, lat_col, lon_col)
                points = shapely.points(lon, lat)
                points[errors != ""] = None
                frame = gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")
            driver = {".gpkg": "GPKG", ".fgb": "FlatGeobuf"}.get(
                Path(dst).suffix.lower(), "GeoJSON")
            frame.to_file(tmp, driver=driver, layer=Path(dst).stem)


def summary_text(summary: dict[str, Any]) -> str:
    """One-paragraph human summary of :func:`classify_file`."""
    parts = ", ".join(f"{k} {v:,}" for k, v in sorted(summary["status"].items(), key=lambda kv: -kv[1]))
    layers = ", ".join(f"{r['id']} ({r['version']})" for r in summary["layers"])
    out = "stdout" if summary["output"] == "-" else summary["output"]
    rate = summary["rows"] / summary["seconds"] if summary["seconds"] > 0 else float("inf")
    rows = f"{summary['rows']:,} row{'' if summary['rows'] == 1 else 's'}"
    return (f"classified {rows} for {summary['country']} in {summary['seconds']:.2f} s "
            f"({rate:,.0f} rows/s) -> {out}\n  by status: {parts or 'none'}\n  layers: {layers}")

