"""Parquet in, Parquet out, streamed in record batches (memory stays flat).

Text columns are written dictionary-encoded; while batch k is compressed and
written (pyarrow releases the GIL), batches k+1 and k+2 are answered, each in
its own thread (:func:`geo._threads.in_order`); with the boundary distance,
whose engine runs on two threads itself, only batch k+1.
"""

from __future__ import annotations

import functools
from typing import Any

from .. import table
from .._io import atomic_path
from .._progress import Progress
from .._threads import in_order
from ..errors import InputFileError, first_line
from .arrow import arrow_column, arrow_values
from .columns import detect_columns, refuse_empty
from .frame import answer_workers, merge_counts, status_counts

__all__ = ["stream_parquet"]


def stream_parquet(src: str, dst: str, lat_col: str | None, lon_col: str | None, chunk_rows: int,
                   progress: bool | None, kw: dict[str, Any],
                   replaced: list[str] | None = None) -> dict[str, int]:
    """Classify a Parquet file batch by batch into *dst*; returns counts per status."""
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(src)
    except Exception as exc:
        raise InputFileError(f"cannot read {src}: {first_line(exc)}") from exc
    if pf.metadata.num_rows == 0:
        refuse_empty(src, pf.schema_arrow.names, lat_col, lon_col, False)
    la, lo = detect_columns(pf.schema_arrow.names, lat_col, lon_col)
    ours = table.own_columns(pf.schema_arrow.names)  # a re-run on our own output: replace, never duplicate
    if replaced is not None:
        replaced.extend(ours)
    with Progress("rows", total=pf.metadata.num_rows, enabled=progress) as bar:
        return _write(pf, dst, la, lo, ours, max(1, min(chunk_rows, 262_144)), bar, kw)


def _write(pf: Any, dst: str, la: str, lo: str, ours: list[str], step: int, bar: Progress,
           kw: dict[str, Any]) -> dict[str, int]:
    from contextlib import closing

    import pyarrow as pa
    import pyarrow.parquet as pq

    total: dict[str, int] = {}
    answer = functools.partial(_answer_batch, la=la, lo=lo, ours=ours, kw=kw)
    batches = pf.iter_batches(batch_size=step)
    with atomic_path(dst) as tmp, closing(in_order(batches, answer, answer_workers(kw))) as answers:
        writer = None
        try:
            for out, status in answers:  # in the order read
                if writer is None:
                    # dictionary-encode text only (trying it on floats costs time for nothing)
                    text = [f.name for f in out.schema if pa.types.is_string(f.type)
                            or pa.types.is_large_string(f.type) or pa.types.is_dictionary(f.type)]
                    writer = pq.ParquetWriter(tmp, out.schema, use_dictionary=text)
                writer.write_table(out)  # compressed without the GIL, while the next batches are answered
                merge_counts(total, status_counts(status))
                bar.update(len(status))
            if writer is None:  # an empty file: still write the schema
                writer = pq.ParquetWriter(tmp, _empty_schema(pf.schema_arrow, ours))
        finally:
            if writer is not None:
                writer.close()
    return total


def _answer_batch(batch: Any, la: str, lo: str, ours: list[str], kw: dict[str, Any]) -> tuple[Any, Any]:
    """(output table, statuses) of one batch: the input's columns, then the added ones."""
    import pyarrow as pa

    from ..coords import parse_pairs

    lat, lon, errors = parse_pairs(arrow_values(batch.column(la)), arrow_values(batch.column(lo)))
    cols = table.classify_arrays(lat, lon, errors=errors, **kw)
    out = pa.Table.from_batches([batch]).drop_columns(ours)
    for k, v in cols.items():
        out = out.append_column(k, arrow_column(v))
    return out, cols["eez_status"]


def _empty_schema(schema: Any, ours: list[str]) -> Any:
    """The schema of an output without rows: the input's, with the added columns."""
    import pyarrow as pa

    for k in ours:
        schema = schema.remove(schema.get_field_index(k))
    for k in table.COLUMNS:
        schema = schema.append(pa.field(k, getattr(pa, table.COLUMN_TYPES.get(k, "string"))()))
    return schema
