"""The answer columns for arrays of points: what ``where`` says, one column per field.

:func:`classify_arrays` is the query behind every batch path (CSV, Parquet,
frames, Dask): it runs :func:`geo.zones.classify` once over the arrays and
returns the ``eez_*`` columns, text as :class:`Coded` (integer codes into
labels, no Python string per row).  Files in and out are :mod:`geo.io`'s job.

Added columns (prefixed ``eez_`` so they never clash with the user's):
``eez_answer`` (yes / no / shared / unknown, empty for a bad row),
``eez_status``, ``eez_mrgid``, ``eez_zone``, ``eez_sovereigns`` (``;``-joined),
``eez_layer``, ``eez_error`` (why a row could not be classified), the seabed
under the point (:mod:`geo.seabed`): ``eez_seabed``, ``eez_contractor``,
``eez_depth_from_m`` and ``eez_depth_to_m`` and, with ``with_distance``,
``eez_boundary_km``, ``eez_boundary_lat``, ``eez_boundary_lon``, ``eez_across``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

__all__ = ["COLUMNS", "COLUMN_TYPES", "DISTANCE_COLUMNS", "Coded", "classify_arrays", "own_columns"]

COLUMNS = ("eez_answer", "eez_status", "eez_mrgid", "eez_zone", "eez_sovereigns", "eez_layer", "eez_error",
           "eez_seabed", "eez_contractor", "eez_depth_from_m", "eez_depth_to_m")
#: numeric added columns (the others are text), for the schema of an empty Parquet output
COLUMN_TYPES = {"eez_mrgid": "int64", "eez_depth_from_m": "float64", "eez_depth_to_m": "float64"}
DISTANCE_COLUMNS = ("eez_boundary_km", "eez_boundary_lat", "eez_boundary_lon", "eez_across")


def own_columns(columns: Sequence[Any]) -> list[str]:
    """The columns among *columns* that eezmap adds (an earlier output given as input)."""
    ours = set(COLUMNS) | set(DISTANCE_COLUMNS)
    return [str(c) for c in columns if c in ours]


@dataclass(frozen=True)
class Coded:
    """A text column as integer codes into labels: no Python string per row.

    Becomes a pandas Categorical (:meth:`to_pandas`) or an Arrow dictionary
    array (:meth:`to_arrow`, written dictionary-encoded to Parquet).
    """

    codes: np.ndarray   # int32, index into labels
    labels: tuple[str, ...]

    @classmethod
    def from_codes(cls, codes: np.ndarray, labels: Sequence[str]) -> Coded:
        """Codes into *labels* (-1 = ""); repeated labels are merged."""
        table = np.asarray([str(x) for x in labels] + [""], dtype=object)
        uniq, inverse = np.unique(table, return_inverse=True)
        codes = np.where(np.asarray(codes) < 0, len(table) - 1, codes)
        return cls(inverse[codes].astype(np.int32), tuple(str(u) for u in uniq))

    def __len__(self) -> int:
        return len(self.codes)

    def to_pandas(self) -> Any:
        import pandas as pd

        return pd.Categorical.from_codes(self.codes, categories=pd.Index(list(self.labels)))

    def to_arrow(self) -> Any:
        import pyarrow as pa

        return pa.DictionaryArray.from_arrays(pa.array(self.codes, type=pa.int32()),
                                              pa.array(self.labels, type=pa.string()))

    def counts(self) -> dict[str, int]:
        k = np.bincount(self.codes, minlength=len(self.labels))
        return {label: int(c) for label, c in zip(self.labels, k, strict=True) if c}


def classify_arrays(lat: Any, lon: Any, *, country: str = "JPN", layers: Sequence[str] | None = None,
                    with_distance: bool = False, errors: np.ndarray | None = None) -> dict[str, Any]:
    """The added columns for arrays of coordinates (NaN = a bad row; *errors*: why, per row)."""
    from .enums import Answer, Status
    from .layers import load_zones
    from .zones import classify

    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    n = len(lat)
    c = classify(lat, lon, country=country, layers=layers, invalid="mark")
    # one code per (layer, zone) across the layers, for name, sovereigns and MRGID
    offsets: list[int] = []
    names: list[str] = []
    sovs: list[str] = []
    mrgids: list[int] = []
    for layer_id in c.layer_ids:
        z = load_zones(layer_id)
        offsets.append(len(names))
        names.extend(str(x) for x in z.name)
        sovs.extend(";".join(s) for s in z.sovereigns)
        mrgids.extend(int(m) for m in z.mrgid)
    inzone = (c.zone_index >= 0) & (c.layer_code >= 0)
    zcode = np.full(n, -1, dtype=np.int64)
    zcode[inzone] = np.asarray(offsets, dtype=np.int64)[c.layer_code[inzone]] + c.zone_index[inzone]
    mrgid = np.where(inzone, np.asarray([*mrgids, -1], dtype=np.int64)[zcode], -1)

    has_err, status_code, err_code, err_labels = _errors(errors, c.status_code, n, len(Status))
    out: dict[str, Any] = {
        "eez_answer": Coded.from_codes(np.where(has_err, -1, c.answer_code), [a.value for a in Answer]),
        "eez_status": Coded.from_codes(status_code, [*(s.value for s in Status), "invalid"]),
        "eez_mrgid": mrgid,
        "eez_zone": Coded.from_codes(zcode, names),
        "eez_sovereigns": Coded.from_codes(zcode, sovs),
        "eez_layer": Coded.from_codes(c.layer_code, c.layer_ids),
        "eez_error": Coded.from_codes(err_code, err_labels),
    }
    out.update(_seabed_columns(lat, lon, c.status_code))
    if with_distance:
        out.update(_distance_columns(lat, lon, c.layer_code, c.layer_ids))
    return out


def _errors(errors: np.ndarray | None, status: np.ndarray, n: int,
            invalid: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(has_err, status codes with *invalid* for bad rows, error codes, error labels)."""
    if errors is None:  # no message yet: only the rows classify() could not place are bad
        err = np.zeros(n, dtype=object)
        has_err = np.zeros(n, dtype=bool)
    else:
        err = np.asarray(errors, dtype=object)
        has_err = err != ""
    bad = (status < 0) & ~has_err
    if bad.any():
        err = err.copy()
        err[bad] = "invalid coordinates"
        has_err = has_err | bad
    status_code = np.where(has_err, invalid, status)
    err_rows = np.flatnonzero(has_err)
    err_labels = ["", *sorted({str(e) for e in err[err_rows]} - {""})]
    err_code = np.zeros(n, dtype=np.int32)
    if len(err_rows):
        lookup = {e: i for i, e in enumerate(err_labels)}
        err_code[err_rows] = [lookup[str(e)] for e in err[err_rows]]
    return has_err, status_code, err_code, err_labels


def _distance_columns(lat: np.ndarray, lon: np.ndarray, layer_code: np.ndarray,
                      layer_ids: Sequence[str]) -> dict[str, Any]:
    """eez_boundary_km/_lat/_lon and eez_across from the batch boundary engine (geo.boundary)."""
    from ._stack import boundary_stack
    from .boundary import across_labels, index_for
    from .coords import wrap_lon

    n = len(lat)
    km, blat, blon = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    across = np.full(n, "", dtype=object)
    rows = np.flatnonzero(layer_code >= 0)
    if len(rows):
        stack = boundary_stack(layer_ids[0], layer_ids)
        x, y = wrap_lon(lon[rows]), lat[rows]
        metres, bx, by, az = index_for(stack).nearest(x, y)
        km[rows], blat[rows], blon[rows] = np.round(metres / 1000.0, 6), np.round(by, 7), np.round(bx, 7)
        across[rows] = across_labels(stack, x, y, bx, by, metres, az)
    return {"eez_boundary_km": km, "eez_boundary_lat": blat, "eez_boundary_lon": blon, "eez_across": across}


def _seabed_columns(lat: np.ndarray, lon: np.ndarray, status: np.ndarray) -> dict[str, Any]:
    """eez_seabed, eez_contractor, eez_depth_from_m, eez_depth_to_m: the arrays of geo.seabed
    (grid index) on the classification's statuses; what where() gives, row by row."""
    from .seabed import REGIMES, DepthArray, depth_band, regime_codes

    n = len(lat)
    if not n:
        return {"eez_seabed": Coded.from_codes(np.zeros(0, np.int32), REGIMES),
                "eez_contractor": Coded.from_codes(np.zeros(0, np.int32), ()),
                "eez_depth_from_m": np.zeros(0), "eez_depth_to_m": np.zeros(0)}
    ok = np.isfinite(lat) & np.isfinite(lon)
    la, lo = np.where(ok, lat, np.nan), np.where(ok, lon, np.nan)
    # the regime does not depend on who the states are: integer status codes, no strings
    regime, contracts = regime_codes(la, lo, status)
    depth = cast("DepthArray", depth_band(la, lo, status=status))
    codes, labels = contracts.contractor_codes()
    return {
        "eez_seabed": Coded.from_codes(regime.astype(np.int32), REGIMES),
        "eez_contractor": Coded.from_codes(codes, labels),
        "eez_depth_from_m": depth.from_m,
        "eez_depth_to_m": depth.to_m,
    }
