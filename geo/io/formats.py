"""What a path holds, told from its name; the checks every reader makes before reading.

CSV (``.csv``, ``.tsv``, ``.txt``; ``-`` is stdin or stdout), GeoJSON
(``.geojson``, ``.json``), GeoPackage (``.gpkg``), FlatGeobuf, shapefile (input
only) and Parquet/GeoParquet (``.parquet``, ``.geoparquet``, ``.pq``).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputFileError, OutputError, first_line

__all__ = ["CSV_SUFFIXES", "PARQUET_SUFFIXES", "check_input", "input_kind",
           "is_geoparquet", "output_kind", "separator"]

CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
PARQUET_SUFFIXES = frozenset({".parquet", ".geoparquet", ".pq"})
VECTOR_SUFFIXES = frozenset({".geojson", ".json", ".gpkg", ".fgb", ".shp"})


def input_kind(path: str) -> str:
    """``"csv"``, ``"parquet"`` or ``"vector"`` (read by GDAL), from the file's suffix."""
    if path == "-":
        return "csv"
    suffix = Path(path).suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in VECTOR_SUFFIXES:
        return "vector"
    raise InputFileError(
        f"cannot tell the format of '{path}' from its name: use .csv, .tsv, .geojson, .json, "
        ".gpkg, .parquet or .geoparquet"
    )


def output_kind(path: str) -> str:
    """The format of an output, refusing the shapefile (several files, 10-character column names)."""
    if path != "-" and Path(path).suffix.lower() == ".shp":
        raise OutputError(f"cannot write {path}: a shapefile is four files that cannot be replaced "
                          "together atomically, and it cuts column names to 10 characters; "
                          "use .gpkg (or .geojson, .parquet)")
    return input_kind(path)


def separator(path: str) -> str:
    """The field separator of a CSV path: tab for ``.tsv``, else comma."""
    return "\t" if path.lower().endswith(".tsv") else ","


def check_input(path: str) -> None:
    """Refuse an input that is empty, missing, a directory or unreadable (``-`` is stdin)."""
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
            raise InputFileError(f"cannot read {path}: {exc.strerror or exc}") from exc


def is_geoparquet(path: str) -> bool:
    """Whether a Parquet file carries GeoParquet metadata (its geometry is then decoded)."""
    import pyarrow.parquet as pq

    try:
        return b"geo" in (pq.read_schema(path).metadata or {})
    except Exception as exc:
        raise InputFileError(f"cannot read {path}: {first_line(exc)}") from exc
