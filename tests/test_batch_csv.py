"""CSV in, CSV out through pyarrow.csv: the same bytes as pandas writes for the same rows.

The expected output is built independently of the streaming code: pandas reads the
file (every cell as text), :func:`geo.io.classify_frame` adds the columns, and
pandas' own ``to_csv`` writes them (the writer eezmap used before).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.io import classify_file, classify_frame

TRICKY = (
    "\ufeffname,lat,lon,note\n"
    '"a, b",24.28667,153.98056,"say ""hi"""\n'
    'q"x,22,153.8, lead\n'
    '"multi\nline",abc,150,é\n'
    "t\tab,95,150,x\n"
    ",,150,\n"
    "dms,24°17′12″N,153°58′50″E,z\r\n"
    'r,36,150,"q"\n'
    "neg,-0,-0.0,1e-05\n"
    "sci,2.4e1,1.5e2,+7\n"
    "wrap,24.3,206,\n"
    "pad, 24.3 ,153.9 ,\n"
)


def _pandas(src, sep=",", out_sep=",", **kw):
    frame = pd.read_csv(src, sep=sep, dtype=str, keep_default_na=False)
    return classify_frame(frame, **kw).to_csv(index=False, sep=out_sep).encode()


@pytest.mark.parametrize("distance", [False, True])
def test_csv_output_equals_pandas_byte_for_byte(tmp_path, distance):
    src = tmp_path / "in.csv"
    src.write_text(TRICKY, encoding="utf-8")
    dst = tmp_path / "out.csv"
    summary = classify_file(str(src), str(dst), with_distance=distance, chunk_rows=4)
    assert dst.read_bytes() == _pandas(src, with_distance=distance)
    assert summary["rows"] == 11


def test_tsv_in_csv_and_tsv_out(tmp_path):
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"id": np.arange(3000), "lat": rng.uniform(15, 50, 3000).round(5).astype(str),
                          "lon": rng.uniform(120, 160, 3000).round(5).astype(str), "note": "a,b"})
    frame.loc[5, "lat"] = "bad"
    src = tmp_path / "in.tsv"
    frame.to_csv(src, sep="\t", index=False)
    for name, sep in (("out.csv", ","), ("out.tsv", "\t")):
        dst = tmp_path / name
        classify_file(str(src), str(dst), chunk_rows=1000)
        assert dst.read_bytes() == _pandas(src, sep="\t", out_sep=sep)


def test_rerun_on_own_output_and_short_rows(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("lat,lon,eez_answer,keep\n24.28667,153.98056,old,1\n36,150,old,2\n", encoding="utf-8")
    dst = tmp_path / "out.csv"
    summary = classify_file(str(src), str(dst))
    assert summary["replaced_columns"] == ["eez_answer"]
    assert dst.read_bytes() == _pandas(src)
    short = tmp_path / "short.csv"  # a row with a missing field: pandas' reading, as before
    short.write_text("lat,lon,note\n24.28667,153.98056\n36,150,x\n", encoding="utf-8")
    classify_file(str(short), str(dst))
    assert dst.read_bytes() == _pandas(short)


def test_many_rows_in_several_blocks(tmp_path):
    rng = np.random.default_rng(11)
    n = 60_000
    frame = pd.DataFrame({"lat": rng.uniform(-60, 60, n), "lon": rng.uniform(-180, 360, n)})
    src = tmp_path / "in.csv"
    frame.to_csv(src, index=False)
    dst = tmp_path / "out.csv"
    classify_file(str(src), str(dst), chunk_rows=1)  # the smallest blocks (1 MB): several batches
    assert dst.read_bytes() == _pandas(src)


def test_added_numbers_with_few_values_written_as_pandas_writes_them():
    # -0.0 and 0.0 (a boundary latitude rounded to 7 decimals just south of the equator),
    # NaN, whole and tiny numbers: each cell as pandas writes it, whatever else is in the batch
    import pyarrow as pa

    from geo.io.csv import _rows_text

    values = np.array([0.0, -0.0, np.nan, 5000.0, 1e-05, -0.0] * 50)
    ids = [str(i) for i in range(len(values))]
    text = _rows_text(pa.record_batch({"id": pa.array(ids)}), ["id"], {"x": values}, ",")
    expected = pd.DataFrame({"id": ids, "x": values}).to_csv(index=False, header=False)
    assert bytes(text).decode() == expected
