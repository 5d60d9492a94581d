"""The one reader of a user's whole file: ``where --input`` (formats not streamed),
``area FILE``, ``map --sites/--points`` and the service's uploads.

A DataFrame (CSV: every cell as text), or a GeoDataFrame whose geometries are
reprojected to EPSG:4326 (longitude, latitude).
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ..errors import InputFileError, first_line
from .columns import geometry_column, point_coordinates
from .formats import check_input, input_kind, separator

__all__ = ["read_points", "read_whole"]


def read_whole(path: str) -> Any:
    """A user's file, whole: a DataFrame, or a GeoDataFrame in EPSG:4326 (``-``: CSV on stdin)."""
    kind = input_kind(path)
    check_input(path)
    try:
        if kind == "csv":
            import pandas as pd

            return pd.read_csv(sys.stdin if path == "-" else path, sep=separator(path), dtype=str,
                               keep_default_na=False)
        if kind == "parquet":
            frame = _read_parquet_frame(path)
        else:
            import geopandas as gpd

            frame = gpd.read_file(path)
    except InputFileError:
        raise
    except Exception as exc:  # pandas/GDAL/Arrow errors have no common base
        raise InputFileError(f"cannot read {path}: {first_line(exc)}") from exc
    return _to_lonlat(frame, path) if geometry_column(frame) is not None else frame


def read_points(path: str, lat_col: str | None = None,
                lon_col: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(lat, lon) arrays of a points file (bad rows dropped, for drawing only)."""
    frame = read_whole(path)
    lat, lon, errors = point_coordinates(frame, lat_col, lon_col)
    ok = (errors == "") & np.isfinite(lat) & np.isfinite(lon)
    return lat[ok], lon[ok]


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
                             f"{first_line(exc)}") from exc


def _read_parquet_frame(path: str) -> Any:
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    if b"geo" in meta:
        import geopandas as gpd

        return gpd.read_parquet(path)
    return pq.read_table(path).to_pandas()
