"""Many points at once: a file in, the same rows out with the zone answer added.

``eezmap where --input FILE [--output FILE]`` is :func:`classify_file`.
Formats by file name (:mod:`geo.io.formats`).  CSV (:mod:`geo.io.csv`) and
Parquet (:mod:`geo.io.parquet`) are streamed in chunks, so memory stays flat
however long the file is; the other formats are read whole
(:func:`geo.io.read.read_whole`) and classified by
:func:`geo.io.frame.classify_frame`.  The added columns are
:mod:`geo.table`'s.  Rows with bad coordinates are kept, never dropped; an
input that already has these columns (an earlier output) gets them replaced.

Every result is identical to :func:`geo.where` for the same point
(tests/test_batch.py checks it row by row).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import table
from .._io import atomic_path, check_output, check_output_directory
from .columns import geometry_column, point_coordinates, refuse_duplicate_header, refuse_empty
from .formats import check_input, input_kind, is_geoparquet, output_kind, separator
from .frame import classify_frame, status_counts

__all__ = ["classify_file"]

def _engine(name: str) -> Callable[..., dict[str, int]]:
    """The function of an engine other than "local" (imported only when asked for)."""
    if name == "dask":
        from .dask import classify_dask

        return classify_dask
    raise ValueError(f"engine must be 'local' or 'dask', not {name!r}")


def classify_file(input_path: str, output_path: str | None, *, country: str = "JPN",
                  layers: Sequence[str] | None = None, lat_col: str | None = None,
                  lon_col: str | None = None, with_distance: bool = False, engine: str = "local",
                  scheduler: str | None = None, chunk_rows: int = 1_000_000,
                  progress: bool | None = None) -> dict[str, Any]:
    """Classify every row of a file and write the rows with the ``eez_*`` columns.

    The output is written atomically (a temporary file renamed into place;
    nothing is left on error or Ctrl-C) and may never be the input.  Returns a
    summary: rows, counts per status, seconds, output path and layers.
    *progress*: ``None`` reports on a terminal only (:class:`geo._progress.Progress`).
    """
    from ..layers import resolve_layers
    from ..zones import resolve_country

    layer_ids = resolve_layers(layers)
    country = resolve_country(country, layer_ids)
    if engine == "local":
        check_input(input_path)
        refuse_duplicate_header(input_path)
    out = output_path if output_path is not None else "-"  # "" is refused by check_output
    if out != "-" and engine != "local":
        check_output_directory(out, input_path)
    elif out != "-":
        check_output(out, input_path)
        output_kind(out)
    t0 = time.perf_counter()
    kw: dict[str, Any] = dict(country=country, layers=layer_ids, with_distance=with_distance)
    replaced: list[str] = []  # eez_* columns already in the input (an earlier output): replaced
    if engine != "local":
        counts = _engine(engine)(input_path, out, lat_col=lat_col, lon_col=lon_col, scheduler=scheduler,
                                 progress=progress, **kw)
    else:
        counts = _local(input_path, out, lat_col, lon_col, chunk_rows, progress, kw, replaced)
    from ..layers import manifest

    return {
        "input": input_path, "output": out, "rows": int(sum(counts.values())), "status": counts,
        "seconds": round(time.perf_counter() - t0, 3), "country": country,
        "layers": [manifest().get(i).ref() for i in layer_ids],
        "replaced_columns": list(dict.fromkeys(replaced)),
    }


def _local(src: str, out: str, lat_col: str | None, lon_col: str | None, chunk_rows: int,
           progress: bool | None, kw: dict[str, Any], replaced: list[str]) -> dict[str, int]:
    in_kind, out_kind = input_kind(src), output_kind(out)
    if in_kind == "csv" and out_kind == "csv":
        from .csv import stream_csv

        return stream_csv(src, out, lat_col, lon_col, chunk_rows, progress, kw, replaced)
    if in_kind == "parquet" and out_kind == "parquet" and not is_geoparquet(src):
        from .parquet import stream_parquet

        return stream_parquet(src, out, lat_col, lon_col, chunk_rows, progress, kw, replaced)
    from .read import read_whole

    frame = read_whole(src)
    if not len(frame):
        refuse_empty(src, list(frame.columns), lat_col, lon_col, geometry_column(frame) is not None)
    replaced.extend(table.own_columns(frame.columns))
    result = classify_frame(frame, lat_col=lat_col, lon_col=lon_col, **kw)
    write_frame(result, out, lat_col, lon_col)
    return status_counts(result["eez_status"])


def write_frame(frame: Any, dst: str, lat_col: str | None = None, lon_col: str | None = None) -> None:
    """Write a classified frame to *dst* (``-``: CSV on stdout), in the format its name says."""
    kind = output_kind(dst)
    if dst == "-":
        from .csv import to_stdout

        frame_out = frame.drop(columns="geometry") if "geometry" in getattr(frame, "columns", []) else frame
        to_stdout(frame_out.to_csv(index=False))
        return
    with atomic_path(dst, suffix=Path(dst).suffix) as tmp:
        if kind == "csv":
            import pandas as pd

            frame_out = pd.DataFrame(frame)  # plain columns: geometry as WKT text, without a warning
            if geometry_column(frame) is not None:
                frame_out[frame.geometry.name] = frame.geometry.to_wkt()
            frame_out.to_csv(tmp, index=False, sep=separator(dst))
        elif kind == "parquet":
            frame.to_parquet(tmp, index=False)
        else:
            _write_vector(frame, tmp, dst, lat_col, lon_col)


def _write_vector(frame: Any, tmp: Path, dst: str, lat_col: str | None, lon_col: str | None) -> None:
    import geopandas as gpd

    if not isinstance(frame, gpd.GeoDataFrame):
        # the points the rows were classified at: the same columns, read the same way
        import shapely

        lat, lon, errors = point_coordinates(frame, lat_col, lon_col)
        points = np.asarray(shapely.points(lon, lat), dtype=object)
        points[np.asarray(errors) != ""] = None
        frame = gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")
    driver = {".gpkg": "GPKG", ".fgb": "FlatGeobuf"}.get(Path(dst).suffix.lower(), "GeoJSON")
    frame.to_file(tmp, driver=driver, layer=Path(dst).stem)
