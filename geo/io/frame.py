"""Data frames in, the same frames out with the ``eez_*`` columns: :func:`classify_frame`.

Used by the whole-file formats (GeoJSON, GeoPackage, GeoParquet), by
:mod:`geo.io.dask` for every partition, and by Python callers.  Every result
is identical to :func:`geo.where` for the same point.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import table
from .columns import point_coordinates

__all__ = ["answer_workers", "classify_frame", "status_counts"]


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
    lat, lon, errors = point_coordinates(df, lat_col, lon_col)
    cols = table.classify_arrays(lat, lon, country=country, layers=layers, with_distance=with_distance,
                                 errors=errors)
    out = df.drop(columns=table.own_columns(df.columns))  # a re-run on our own output: replace
    for k, v in cols.items():
        out[k] = v.to_pandas() if isinstance(v, table.Coded) else v
    return out


def status_counts(status: Any) -> dict[str, int]:
    """Rows per status, from a Coded column, a Categorical or any array of labels."""
    if isinstance(status, table.Coded):
        return status.counts()
    if hasattr(status, "array"):  # a pandas Series
        status = status.array
    if hasattr(status, "codes") and hasattr(status, "categories"):
        counts = np.bincount(status.codes[status.codes >= 0], minlength=len(status.categories))
        return {str(cat): int(k) for cat, k in zip(status.categories, counts, strict=True) if k}
    values, counts = np.unique(np.asarray(status, dtype=str), return_counts=True)
    return {str(v): int(c) for v, c in zip(values, counts, strict=True)}


def merge_counts(total: dict[str, int], part: dict[str, int]) -> None:
    """Add *part*'s counts per status into *total*."""
    for k, v in part.items():
        total[k] = total.get(k, 0) + v


def answer_workers(kw: dict[str, Any]) -> int:
    """How many batches a streaming path answers at once (:func:`geo._threads.in_order`).

    Two; one with the boundary distance, whose engine runs on two threads
    itself: two batches at once would hold twice its memory (a 10 M-row
    Parquet run peaked at 1.13 GiB, 0.81 GiB with one) for no more speed.
    """
    return 1 if kw.get("with_distance") else 2
