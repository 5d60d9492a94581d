"""Which columns hold the coordinates, and the coordinates of every row.

Cells are read by :func:`geo.coords.parse_pairs`, the one parser of what
people type: a cell reads like the same text given to ``eezmap where`` (same
rules, same message), with vectorised code for numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputFileError
from .formats import input_kind, separator

__all__ = ["LAT_NAMES", "LON_NAMES", "detect_columns", "geometry_column", "point_coordinates",
           "refuse_duplicate_header", "refuse_empty", "unique_columns"]

LAT_NAMES = ("lat", "latitude", "lat_dd", "latitude_dd", "y", "ylat", "lat_deg", "decimallatitude")
LON_NAMES = ("lon", "lng", "long", "longitude", "lon_dd", "longitude_dd", "x", "xlon", "lon_deg",
             "decimallongitude")


def detect_columns(columns: Sequence[str], lat_col: str | None = None,
                   lon_col: str | None = None) -> tuple[str, str]:
    """The latitude and longitude columns: given, or found by common names."""
    cols = list(columns)
    lower = {str(c).strip().lower(): c for c in cols}

    def pick(given: str | None, names: Sequence[str], what: str, param: str) -> str:
        if given is not None:
            if given not in cols:
                raise InputFileError(f"no column '{given}' for {what}; "
                                     f"the columns are: {', '.join(map(str, cols))}")
            return given
        for n in names:
            if n in lower:
                return str(lower[n])
        raise InputFileError(
            f"cannot find a {what} column among: {', '.join(map(str, cols))}; "
            f"name it with `{param}` (recognised: {', '.join(names[:4])} …)")

    unique_columns(cols)
    if len(cols) == 1 and ";" in str(cols[0]) and lat_col is None:
        raise InputFileError(f"the header is one column '{cols[0]}': is the file separated by ';'? "
                             "eezmap reads ',' (.csv) or tab (.tsv) separated files; convert it first")
    lat = pick(lat_col, LAT_NAMES, "latitude", "lat_col")
    lon = pick(lon_col, LON_NAMES, "longitude", "lon_col")
    if lat == lon:
        raise InputFileError(f"latitude and longitude are both column '{lat}'; give two different columns")
    return lat, lon


def unique_columns(columns: Sequence[str]) -> None:
    """Refuse a header that names a column twice."""
    cols = [str(c) for c in columns]
    dupes = sorted({c for c in cols if cols.count(c) > 1})
    if dupes:
        raise InputFileError(f"the header names column '{dupes[0]}' twice; give every column its own name")


def refuse_duplicate_header(path: str) -> None:
    """A CSV header naming a column twice is refused (the rows would not come back unchanged).
    Checked on files; stdin is read once, as a stream."""
    if path == "-" or input_kind(path) != "csv" or not Path(path).is_file():
        return
    import csv

    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f, delimiter=separator(path)), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return  # the reader says what is wrong
    unique_columns(header)


def geometry_column(df: Any) -> Any:
    """The active geometry column of a GeoDataFrame, or None."""
    if "geometry" not in getattr(df, "columns", ()) and not hasattr(df, "_geometry_column_name"):
        return None
    try:
        geom = df.geometry
    except AttributeError:
        return None
    return geom if hasattr(geom, "geom_type") else None


def point_coordinates(df: Any, lat_col: str | None,
                      lon_col: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lat, lon, errors) of every row, read by :func:`geo.coords.parse_pairs` (one parser for
    cells and arguments): from the coordinate columns, or from point geometries."""
    from ..coords import parse_pairs

    if lat_col is None and lon_col is None and geometry_column(df) is not None:
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
        shape = np.where(empty, "missing geometry",
                         np.where(ok, "", "geometry is not a point")).astype(object)
        errors = np.where(shape != "", shape, errors).astype(object)
        lat[shape != ""] = np.nan
        lon[shape != ""] = np.nan
        return lat, lon, errors
    la, lo = detect_columns(list(df.columns), lat_col, lon_col)
    return parse_pairs(df[la], df[lo])


def refuse_empty(path: str, columns: Sequence[Any], lat_col: str | None, lon_col: str | None,
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
    except InputFileError as exc:
        listed = f" (columns: {', '.join(others)})" if others else ""
        raise InputFileError(f"input {path} is empty: it has no rows and no latitude/longitude "
                             f"columns{listed}") from exc
