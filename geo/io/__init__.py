"""Files in, files out: many points at once.

- :mod:`geo.io.formats`  what a path holds (from its name), input checks
- :mod:`geo.io.columns`  which columns are the coordinates; every row's coordinates
- :mod:`geo.io.read`     the one whole-file reader (also ``area FILE``, ``map --sites``)
- :mod:`geo.io.csv`      CSV streamed with ``pyarrow.csv`` (cells kept as text)
- :mod:`geo.io.parquet`  Parquet streamed in record batches
- :mod:`geo.io.arrow`    Arrow arrays from numpy buffers, without pandas
- :mod:`geo.io.frame`    :func:`classify_frame`: a data frame with the answer columns
- :mod:`geo.io.batch`    :func:`classify_file`: a file in, a file out
- :mod:`geo.io.dask`     the same over a Dask DataFrame (``engine="dask"``)

The answer columns themselves are the query core's (:mod:`geo.table`).
"""

from __future__ import annotations

from .batch import classify_file
from .columns import detect_columns
from .frame import classify_frame
from .read import read_points, read_whole

__all__ = ["classify_file", "classify_frame", "detect_columns", "read_points", "read_whole"]
