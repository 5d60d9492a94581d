"""``--engine dask``: the same classifier over a Dask DataFrame.

Reads CSV or Parquet (one file, a directory or a glob of many), classifies
each partition with :func:`geo.io.frame.classify_frame` — the same columns
(:func:`geo.table.classify_arrays`) the local engine writes, so the answers are
identical — and writes partitioned
Parquet (a directory).  Locally (threads) by default, or on a Dask cluster
with ``scheduler=ADDRESS``; the workers need eezmap installed.  Importing this
module is what ``classify_file(..., engine="dask")`` runs (it imports this
module only then; this module never imports :mod:`geo.io.batch`).  Progress (tasks done of the graph's,
rate and ETA) is reported for the local threads.

The output directory appears only when complete: it is written beside its
final name and renamed into place.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._io import atomic_path
from .._progress import Progress
from ..errors import InputFileError, OutputError
from .formats import CSV_SUFFIXES, PARQUET_SUFFIXES, check_input

__all__ = ["classify_dask"]


def _inputs(pattern: str) -> tuple[str, list[str]]:
    if pattern == "-":
        raise InputFileError("the dask engine reads files, not stdin: give input_path a file, a directory "
                             "or a glob")
    p = Path(pattern)
    files = sorted(glob.glob(str(p / "*"))) if p.is_dir() else sorted(glob.glob(pattern))
    files = [f for f in files if Path(f).is_file()]
    if not files:
        raise InputFileError(f"no input files match '{pattern}'")
    for f in files:
        check_input(f)
    kinds = {Path(f).suffix.lower() for f in files}
    if kinds <= CSV_SUFFIXES:
        return "csv", files
    if kinds <= PARQUET_SUFFIXES:
        return "parquet", files
    raise InputFileError(f"the dask engine reads CSV or Parquet files; '{pattern}' holds "
                         f"{', '.join(sorted(kinds))}")


def classify_dask(input_path: str, output_path: str, *, lat_col: str | None, lon_col: str | None,
                  scheduler: str | None, country: str, layers: Sequence[str] | None,
                  with_distance: bool = False, progress: bool | None = None) -> dict[str, int]:
    """Classify with Dask and write partitioned Parquet; returns counts per status."""
    try:
        import dask
        import dask.dataframe as dd
    except ImportError as exc:
        raise InputFileError("the dask engine needs Dask: pip install 'eezmap[dask]'") from exc
    if output_path in (None, "-"):
        raise OutputError("the dask engine writes partitioned Parquet: give `output_path` a directory")
    out = Path(output_path)
    if out.exists() and not out.is_dir():
        raise OutputError(f"the dask engine writes a directory of Parquet files, and {out} is a file")
    kind, files = _inputs(input_path)
    if any(Path(f).resolve().is_relative_to(out.resolve()) for f in files):
        raise OutputError(f"output {out} holds the input files; refusing to overwrite them")
    if kind == "csv":
        sep = "\t" if files[0].lower().endswith(".tsv") else ","
        frame = dd.read_csv(files, sep=sep, dtype=str, keep_default_na=False, blocksize="64MB")
    else:
        frame = dd.read_parquet(files)
    kw: dict[str, Any] = dict(lat_col=lat_col, lon_col=lon_col, country=country, layers=layers,
                              with_distance=with_distance)
    meta = _classify_partition(frame._meta, **kw)
    result = frame.map_partitions(_classify_partition, **kw, meta=meta)

    client = None
    if scheduler:
        from distributed import Client

        try:
            client = Client(scheduler, timeout="10s")  # type: ignore[no-untyped-call]
        except OSError as exc:
            raise InputFileError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        except (ValueError, TypeError) as exc:  # distributed's parser: no port, unknown protocol...
            raise InputFileError(f"'{scheduler}' is not a Dask scheduler address (e.g. tcp://10.0.0.5:8786): "
                                 f"{exc}") from exc
    try:
        with atomic_path(out, suffix=".parquet.tmp") as tmp:
            os.unlink(tmp)  # dask creates the directory
            ctx = dask.config.set(scheduler="threads") if client is None else _null()
            with ctx, _progress(progress if client is None else False):
                result.to_parquet(str(tmp), write_index=False)
            import pandas as pd

            status = pd.read_parquet(tmp, columns=["eez_status"])["eez_status"]
            counts = {str(k): int(v) for k, v in status.value_counts().items() if v}  # used categories only
    finally:
        if client is not None:
            client.close()  # type: ignore[no-untyped-call]
    return counts


def _classify_partition(df: Any, **kw: Any) -> Any:
    """classify_frame, with text columns typed as strings (Parquet needs a type)."""
    from .frame import classify_frame

    out = classify_frame(df, **kw)
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].astype("string")
    return out


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


class _progress:
    """Tasks done of the graph's, rate and ETA on stderr (a Dask callback: local schedulers)."""

    def __init__(self, enabled: bool | None) -> None:
        self.bar: Progress | None = None
        self.enabled = enabled
        self.cb: Any = None

    def __enter__(self) -> None:
        from dask.callbacks import Callback

        def start_state(dsk: Any, state: Any) -> None:
            n = len(state["ready"]) + len(state["waiting"]) + len(state["running"]) + len(state["finished"])
            self.bar = Progress("tasks", total=n, enabled=self.enabled)

        def posttask(key: Any, result: Any, dsk: Any, state: Any, worker_id: Any) -> None:
            if self.bar is not None:
                self.bar.update(1)

        self.cb = Callback(start_state=start_state, posttask=posttask)  # type: ignore[no-untyped-call]
        self.cb.__enter__()

    def __exit__(self, *exc: object) -> None:
        self.cb.__exit__(*exc)
        if self.bar is not None:
            self.bar.close()


