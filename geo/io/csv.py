"""CSV in, CSV out, streamed: read and written with ``pyarrow.csv``, memory flat.

Every user cell is read as text and written back as the same text (quoted
only where CSV needs it, as Python's ``csv`` module and pandas do); the
coordinates are parsed by the vectorised :func:`geo.coords.parse_pairs`.
The ``eez_*`` columns are formatted as pandas formats them (floats as
``repr``, NaN as an empty cell), so the output is the same, byte for byte.

Inputs pyarrow cannot read as a rectangular UTF-8 table (rows with a missing
field, a header with an empty name, standard input) go through pandas, which
gives the same output and the same error messages as before.

The output appears only when complete (:func:`geo._io.atomic_path`); stdout
(``-``) gets the whole table only on success: it is spooled (in memory, then
in a temporary file) and written out at the end, so a parse error at row
5,002 leaves stdout empty, not a partial table.
"""

from __future__ import annotations

import csv as _csv
import functools
import io
import os
import sys
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import IO, Any

import numpy as np

from .. import table
from .._progress import Progress
from .._threads import in_order
from ..errors import CoordinateError, InputFileError, OutputError, first_line
from .arrow import arrow_from_numpy, arrow_mask, arrow_strings, numpy_from_arrow
from .columns import detect_columns, refuse_empty
from .formats import separator
from .frame import answer_workers, classify_frame, merge_counts, status_counts

__all__ = ["stream_csv", "to_stdout"]

#: Stdout output is held here (in memory, then on disk) and written only on success.
_SPOOL_BYTES = 64 << 20


class _Fallback(Exception):
    """pyarrow cannot read this input as a rectangular text table: pandas reads it."""


def stream_csv(src: str, dst: str, lat_col: str | None, lon_col: str | None, chunk_rows: int,
               progress: bool | None, kw: dict[str, Any],
               replaced: list[str] | None = None) -> dict[str, int]:
    """Classify a CSV (or TSV) file chunk by chunk into *dst*; returns counts per status."""
    out_sep = separator(dst) if dst != "-" else ","
    if src != "-" and Path(src).is_file():
        names = _header(src)
        if names is not None:
            try:
                return _stream_arrow(src, dst, names, out_sep, lat_col, lon_col, chunk_rows, progress, kw,
                                     replaced)
            except _Fallback:
                if replaced is not None:
                    replaced.clear()
    return _stream_pandas(src, dst, out_sep, lat_col, lon_col, chunk_rows, progress, kw, replaced)


def _header(src: str) -> list[str] | None:
    """The header's column names, or None when pandas should read the file (empty names...)."""
    try:
        with open(src, encoding="utf-8-sig", newline="") as f:
            names = next(_csv.reader(f, delimiter=separator(src)), None)
    except (OSError, UnicodeDecodeError, _csv.Error):
        return None
    if not names or any(n == "" for n in names):
        return None
    return names


def _stream_arrow(src: str, dst: str, names: list[str], out_sep: str, lat_col: str | None,
                  lon_col: str | None, chunk_rows: int, progress: bool | None, kw: dict[str, Any],
                  replaced: list[str] | None) -> dict[str, int]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    ours = table.own_columns(names)
    keep = [n for n in names if n not in ours]
    size = os.path.getsize(src)
    total: dict[str, int] = {}
    block = int(min(max(chunk_rows * 48, 1 << 20), 4 << 20))  # ~95,000 rows: 2 threads kept busy to the end
    stream = pa.input_stream(src)
    try:
        reader = pacsv.open_csv(
            stream, read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=block),
            parse_options=pacsv.ParseOptions(delimiter=separator(src), newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
        try:
            la, lo = detect_columns(names, lat_col, lon_col)
        except InputFileError as exc:  # pandas says it as before (an empty file, a missing column...)
            raise _Fallback(str(exc)) from exc
        if replaced is not None:
            replaced.extend(ours)
        answer = functools.partial(_answer_batch, la=la, lo=lo, keep=keep, sep=out_sep, kw=kw)
        with Progress("rows", enabled=progress) as bar, _CsvSink(dst) as sink, \
                closing(in_order(reader, answer, answer_workers(kw))) as answers:
            sink.write(_line(keep + [k for k in _added(kw)], out_sep).encode("utf-8"))
            rows = 0
            for text, status in answers:  # in the order read
                sink.write(text)
                merge_counts(total, status_counts(status))
                rows += len(status)
                bar.update(len(status), stream.tell() / size if size else None)
            if not rows:
                refuse_empty(src, names, lat_col, lon_col, False)
    except pa.ArrowInvalid as exc:
        raise _Fallback(str(exc)) from exc
    finally:
        stream.close()
    return total


def _answer_batch(batch: Any, la: str, lo: str, keep: list[str], sep: str,
                  kw: dict[str, Any]) -> tuple[Any, Any]:
    """(CSV text, statuses) of one batch: coordinates, answers and formatting, in one thread."""
    lat, lon, errors = _coordinates(batch.column(la), batch.column(lo))
    cols = table.classify_arrays(lat, lon, errors=errors, **kw)
    return _rows_text(batch, keep, cols, sep), cols["eez_status"]


def _added(kw: dict[str, Any]) -> tuple[str, ...]:
    return table.COLUMNS + (table.DISTANCE_COLUMNS if kw.get("with_distance") else ())


def _lit(text: str) -> Any:
    """A string scalar for pyarrow.compute, made without pyarrow's Python conversion (which
    imports pandas, ~0.4 s a CSV-to-CSV job never needs)."""
    return arrow_strings([text])[0]


def _float64(column: Any) -> np.ndarray:
    values = numpy_from_arrow(column)
    if values is None:  # never: the column was cast to float64
        raise TypeError(f"expected numbers, got {column.type}")
    return values


_PLAIN = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"


def _coordinates(lat: Any, lon: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(lat, lon, errors) of text cells, as :func:`geo.coords.parse_pairs` reads them.

    Cells that are plain decimal numbers within range are converted by Arrow
    (correctly rounded, as Python's ``float``; every finite number Arrow reads,
    ``+24``, ``24.``, ``.5``, ``1E1``, parse_pair reads as the same float, and
    NaN, infinities and numbers out of range go to parse_pair) and normalised as parse_pairs
    does (errors: None when every row is good); only the other rows
    (degrees-minutes-seconds, hemisphere letters, bad cells) meet
    :func:`geo.coords.parse_pair`, as text, one by one.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..coords import parse_pair, wrap_lon

    try:  # a column of numbers only (the usual case): one cast, no pattern matching
        y = _float64(pc.cast(lat, pa.float64()))
        x = _float64(pc.cast(lon, pa.float64()))
    except pa.ArrowInvalid:  # some cell is not a number Arrow reads: convert the plain ones only
        plain = pc.and_(pc.match_substring_regex(lat, _PLAIN), pc.match_substring_regex(lon, _PLAIN))
        y = _float64(pc.cast(pc.if_else(plain, lat, _lit("nan")), pa.float64()))
        x = _float64(pc.cast(pc.if_else(plain, lon, _lit("nan")), pa.float64()))
    with np.errstate(invalid="ignore"):
        fast = (y >= -90.0) & (y <= 90.0) & (x >= -180.0) & (x <= 360.0)  # False for NaN
    out_lat = np.where(fast, y + 0.0, np.nan)  # -0.0 -> 0.0, as parse_pair
    out_lon = np.full(len(x), np.nan)
    out_lon[fast] = wrap_lon(x[fast]) + 0.0
    rest = np.flatnonzero(~fast)
    errors = None
    if len(rest):
        errors = np.full(len(x), "", dtype=object)
        idx = arrow_from_numpy(rest.astype(np.int64))
        cells = zip(rest, lat.take(idx).to_pylist(), lon.take(idx).to_pylist(), strict=True)
        for i, a, b in cells:  # the one parser, cell by cell, as parse_pairs does for these rows
            try:
                out_lat[i], out_lon[i] = parse_pair(a, b)
            except CoordinateError as exc:
                errors[i] = str(exc)
    return out_lat, out_lon, errors


def _line(cells: Sequence[str], sep: str) -> str:
    """One CSV row, quoted where needed, as pandas writes it."""
    buf = io.StringIO()
    _csv.writer(buf, delimiter=sep, lineterminator="\n").writerow(cells)
    return buf.getvalue()


def _quote(column: Any, sep: str) -> Any:
    """A string array with the cells that need it quoted (separator, quote or newline inside)."""
    import pyarrow.compute as pc

    if not _has_any(column, sep + '"\n'):  # the usual case: one pass over the bytes, no pattern
        return column
    needs = pc.match_substring_regex(column, '[' + ("\\t" if sep == "\t" else sep) + '"\\n]')
    doubled = pc.replace_substring(column, '"', '""')
    quoted = pc.binary_join_element_wise(_lit('"'), doubled, _lit('"'), _lit(""))
    return pc.if_else(needs, quoted, column)


def _has_any(column: Any, chars: str) -> bool:
    """Whether any cell of a string array holds one of *chars* (ASCII), read from its data buffer."""
    text = bytes(_cell_bytes(column))
    return any(c.encode() in text for c in chars)  # memchr: faster than any pass in numpy


def _cell_bytes(column: Any) -> memoryview:
    """The bytes of a string array's cells, one after the other (no copy)."""
    if len(column) == 0 or column.buffers()[2] is None:
        return memoryview(b"")
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32, count=len(column) + 1 + column.offset)
    start, stop = int(offsets[column.offset]), int(offsets[column.offset + len(column)])
    return memoryview(column.buffers()[2])[start:stop]


def _floats(values: np.ndarray) -> Any:
    """Floats as pandas writes them: Python's repr, NaN as an empty cell."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = np.asarray(values, dtype=float)
    text = pc.cast(arrow_from_numpy(values), pa.string())
    finite = np.isfinite(values)
    with np.errstate(invalid="ignore"):
        mag = np.abs(values)
        whole = finite & (values == np.trunc(values)) & (mag < 1e9)
        odd = finite & (((mag < 1e-4) & (values != 0)) | (mag >= 1e9))
    if whole.any():
        text = pc.if_else(arrow_mask(whole), pc.binary_join_element_wise(text, _lit(".0"), _lit("")), text)
    if odd.any():
        exact = arrow_strings([repr(float(v)) for v in values[odd]])
        text = pc.replace_with_mask(text, arrow_mask(odd), exact)
    if not finite.all():
        text = pc.if_else(arrow_mask(~finite), _lit(""), text)
    return text


def _float_text(v: float) -> str:
    """One float as pandas writes it (NaN: an empty cell)."""
    return repr(float(v)) if v == v else ""


def _labelled(values: Any, sep: str) -> tuple[np.ndarray, list[str]] | None:
    """(codes, CSV cells) of a column with few distinct values, or None for a per-row column.

    Numbers are told apart by Arrow's hash table (one pass, no sort; -0.0 and 0.0 stay
    two values, each written as pandas writes it)."""
    if isinstance(values, table.Coded):
        return values.codes, [_line([label], sep)[:-1] if label else "" for label in values.labels]
    values = np.asarray(values)
    if values.dtype == np.dtype(object):
        return None
    if values.dtype.kind in "iu":
        values = values.astype(np.int64, copy=False)
    else:
        values = values.astype(np.float64, copy=False)
    encoded = arrow_from_numpy(values).dictionary_encode()
    uniq = numpy_from_arrow(encoded.dictionary)
    if uniq is None or len(uniq) > 4096 or len(uniq) * 8 > len(values) + 64:
        return None
    text = [str(int(v)) for v in uniq] if values.dtype.kind in "iu" else [_float_text(v) for v in uniq]
    codes = numpy_from_arrow(encoded.indices)
    return (np.zeros(0, np.int32) if codes is None else codes), text


def _per_row(values: Any, sep: str) -> Any:
    """An added column with a value per row as CSV cells."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = np.asarray(values)
    if values.dtype == np.dtype(object):
        return _quote(arrow_strings(values), sep)
    if values.dtype.kind in "iu":
        return pc.cast(arrow_from_numpy(values.astype(np.int64)), pa.string())
    return _floats(values)


def _combined(parts: list[tuple[np.ndarray, list[str]]], sep: str, end: str) -> Any:
    """Consecutive columns with few distinct values as one column of joined cells: the
    distinct combinations are formatted once in Python, then taken per row."""
    key = np.zeros(len(parts[0][0]), dtype=np.int64)
    size = 1
    for codes, labels in parts:
        if size * max(len(labels), 1) >= 1 << 62:
            key = _distinct(key)[0].astype(np.int64)
            size = int(key.max()) + 1 if len(key) else 1
        key = key * max(len(labels), 1) + codes
        size *= max(len(labels), 1)
    inverse, first = _distinct(key)
    texts = [sep.join(labels[codes[i]] for codes, labels in parts) + end for i in first]
    return arrow_strings(texts).take(arrow_from_numpy(inverse))


def _distinct(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, one row holding each code) of an integer array, by Arrow's hash table."""
    encoded = arrow_from_numpy(key).dictionary_encode()
    codes = numpy_from_arrow(encoded.indices)
    if codes is None:  # never: dictionary indices are integers
        raise TypeError(f"expected integer codes, got {encoded.indices.type}")
    rows = np.zeros(len(encoded.dictionary), dtype=np.int64)
    rows[codes] = np.arange(len(codes))  # any row of each code will do: they all hold the same values
    return codes, rows


def _rows_text(batch: Any, keep: list[str], cols: dict[str, Any], sep: str) -> Any:
    """One batch's rows as CSV bytes: the user's cells as read, then the added columns."""
    import pyarrow.compute as pc

    if not len(batch):
        return b""
    cells = [_quote(batch.column(n), sep) for n in keep]
    run: list[tuple[np.ndarray, list[str]]] = []
    values = list(cols.values())
    for i, v in enumerate(values):
        coded = _labelled(v, sep)
        if coded is not None:
            run.append(coded)
            if i + 1 < len(values):
                continue
        if run:
            cells.append(_combined(run, sep, "\n" if coded is not None else ""))
            run = []
        if coded is None:
            last = _per_row(v, sep)
            if i + 1 == len(values):
                last = pc.binary_join_element_wise(last, _lit("\n"), _lit(""))
            cells.append(last)
    lines = pc.binary_join_element_wise(*cells, _lit(sep)) if len(cells) > 1 else cells[0]
    return _cell_bytes(lines)


def _stream_pandas(src: str, dst: str, out_sep: str, lat_col: str | None, lon_col: str | None,
                   chunk_rows: int, progress: bool | None, kw: dict[str, Any],
                   replaced: list[str] | None = None) -> dict[str, int]:
    import pandas as pd

    total: dict[str, int] = {}
    size = os.path.getsize(src) if src != "-" else None
    handle = sys.stdin.buffer if src == "-" else open(src, "rb")  # noqa: SIM115 - closed below
    try:
        with Progress("rows", enabled=progress) as bar:
            try:
                reader = pd.read_csv(handle, sep=separator(src), dtype=str, keep_default_na=False,
                                     chunksize=chunk_rows)
            except pd.errors.EmptyDataError as exc:
                raise InputFileError(f"input {src} is empty (no header row)") from exc
            except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
                raise InputFileError(f"cannot read {src}: {first_line(exc)}") from exc
            with _CsvSink(dst) as sink:
                try:
                    header = True
                    for chunk in reader:
                        if not len(chunk):
                            refuse_empty(src, list(chunk.columns), lat_col, lon_col, False)
                        if replaced is not None and header:
                            replaced.extend(table.own_columns(list(chunk.columns)))
                        result = classify_frame(chunk, lat_col=lat_col, lon_col=lon_col, **kw)
                        sink.write(result.to_csv(index=False, header=header, sep=out_sep).encode("utf-8"))
                        header = False
                        merge_counts(total, status_counts(result["eez_status"]))
                        bar.update(len(result), handle.tell() / size if size else None)
                except pd.errors.EmptyDataError as exc:
                    raise InputFileError(f"input {src} is empty (no header row)") from exc
                except (pd.errors.ParserError, UnicodeDecodeError) as exc:
                    raise InputFileError(f"cannot read {src}: {first_line(exc)}") from exc
    finally:
        if src != "-":
            handle.close()
    return total


class _CsvSink:
    """A binary sink that shows nothing unless complete: an atomic file, or stdout spooled."""

    def __init__(self, dst: str) -> None:
        self.dst = dst
        self._ctx: Any = None
        self._file: Any = None
        self._spool: Any = None

    def __enter__(self) -> IO[bytes]:
        if self.dst == "-":
            import tempfile

            self._spool = tempfile.SpooledTemporaryFile(_SPOOL_BYTES, mode="w+b")
            return self._spool  # type: ignore[no-any-return]
        from .._io import atomic_path

        self._ctx = atomic_path(self.dst)
        self._file = open(self._ctx.__enter__(), "wb")  # noqa: SIM115 - closed in __exit__
        return self._file  # type: ignore[no-any-return]

    def __exit__(self, *exc: Any) -> bool:
        if self._ctx is not None:
            self._file.close()
            return bool(self._ctx.__exit__(*exc))
        with self._spool:
            if exc[0] is None:
                self._spool.seek(0)
                to_stdout(self._spool)
        return False


def to_stdout(data: str | IO[bytes]) -> None:
    """Copy a finished table (a string or a binary file) to stdout; a failing write is an OutputError."""
    import shutil

    try:
        if isinstance(data, str):
            sys.stdout.write(data)
        elif getattr(sys.stdout, "buffer", None) is None:  # a text-only stream (a test harness)
            for block in iter(lambda: data.read(1 << 20), b""):
                sys.stdout.write(block.decode("utf-8"))
        else:
            sys.stdout.flush()
            shutil.copyfileobj(data, sys.stdout.buffer, 1 << 20)
        sys.stdout.flush()
    except (BrokenPipeError, OutputError):  # OutputError: already said (the guarded stdout's own line)
        raise
    except OSError as exc:
        raise OutputError(f"cannot write to stdout: {exc.strerror or exc}") from exc
