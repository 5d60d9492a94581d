"""Arrow arrays from numpy buffers and back, without pandas.

``pyarrow.array()`` on numpy data imports pandas (~0.4 s), which a pure
Parquet-to-Parquet or CSV-to-CSV job never needs: the arrays here are built
from the numpy buffers directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..table import Coded

__all__ = ["arrow_column", "arrow_from_numpy", "arrow_mask", "arrow_strings", "arrow_values",
           "numpy_from_arrow"]

_NP_TO_ARROW = {"float64": "float64", "int64": "int64", "int32": "int32", "int8": "int8"}
_ARROW_TO_NP = {"double": "float64", "float": "float32", "halffloat": "float16", "int64": "int64",
                "int32": "int32", "int16": "int16", "int8": "int8", "uint64": "uint64", "uint32": "uint32",
                "uint16": "uint16", "uint8": "uint8"}


def arrow_from_numpy(values: np.ndarray) -> Any:
    """A numeric numpy array as an Arrow array sharing its buffer (other dtypes: ``pa.array``)."""
    import pyarrow as pa

    values = np.ascontiguousarray(values)
    name = _NP_TO_ARROW.get(values.dtype.name)
    if name is None:
        return pa.array(values)
    return pa.Array.from_buffers(getattr(pa, name)(), len(values), [None, pa.py_buffer(values)])


def arrow_mask(values: np.ndarray) -> Any:
    """A numpy boolean array as an Arrow boolean array (bits packed, no pandas import)."""
    import pyarrow as pa

    values = np.asarray(values, dtype=bool)
    bits = np.packbits(values, bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])


def arrow_strings(labels: Sequence[str]) -> Any:
    """Python strings as an Arrow string array."""
    import pyarrow as pa

    data = [str(x).encode("utf-8") for x in labels]
    offsets = np.cumsum([0] + [len(d) for d in data]).astype(np.int32)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))]
    return pa.Array.from_buffers(pa.string(), len(data), buffers)


def arrow_column(values: Any) -> Any:
    """A column for Arrow: coded text as dictionary arrays, object arrays as strings."""
    import pyarrow as pa

    if isinstance(values, Coded):
        return pa.DictionaryArray.from_arrays(arrow_from_numpy(values.codes), arrow_strings(values.labels))
    if np.dtype(getattr(values, "dtype", "float64")) == np.dtype(object):
        return arrow_strings(values)
    return arrow_from_numpy(np.asarray(values))


def numpy_from_arrow(column: Any) -> np.ndarray | None:
    """The values of a numeric Arrow array (as float64 with NaN for nulls when it has any),
    or None for other types."""
    import pyarrow as pa

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    t = column.type
    if not (pa.types.is_floating(t) or pa.types.is_integer(t)) or t.bit_width not in (16, 32, 64, 8):
        return None
    dtype = np.dtype(_ARROW_TO_NP[str(t)])
    bufs = column.buffers()
    values = np.frombuffer(bufs[1], dtype=dtype, count=len(column) + column.offset)[column.offset:]
    if not column.null_count:
        return values  # integers stay integers
    values = values.astype(float)
    bits = np.unpackbits(np.frombuffer(bufs[0], dtype=np.uint8), bitorder="little")
    valid = bits[column.offset:column.offset + len(column)].astype(bool)
    values[~valid] = np.nan
    return values


def arrow_values(column: Any) -> Any:
    """A column for :func:`geo.coords.parse_pairs`: numbers as a numpy array, anything else as a list."""
    values = numpy_from_arrow(column)
    return column.to_pylist() if values is None else values
