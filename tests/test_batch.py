"""`eezmap where --input`: every format, bad rows kept, results identical to
single-point answers, atomic output that never overwrites the input."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo import where
from geo.io import classify_frame

from helpers import ROOT, assert_one_line_error, run
from _constants import ISLAND

POINTS = [
    ISLAND, (22.0, 153.8), (25.8, 123.5), (32.0, 128.0), (36.0, 150.0),
    (35.69, 139.69), (36.0, 129.8), (-33.9, 18.4), (24.3, 206.0), (45.0, 147.0),
]


def _frame(n_random=200, seed=3):
    rng = np.random.default_rng(seed)
    lat = np.concatenate([[p[0] for p in POINTS], rng.uniform(15, 50, n_random)])
    lon = np.concatenate([[p[1] for p in POINTS], rng.uniform(120, 160, n_random)])
    return pd.DataFrame({"id": np.arange(len(lat)), "Latitude": lat, "Longitude": lon, "note": "x"})


def _expected(lat, lon):
    a = where(float(lat), float(lon), distance=False)
    return a.answer, a.status, (a.zone["mrgid"] if a.zone else -1)


def _check_rows(out: pd.DataFrame, lat_col="Latitude", lon_col="Longitude"):
    for _, row in out.iterrows():
        if row["eez_status"] == "invalid":
            continue
        exp = _expected(row[lat_col], row[lon_col])
        assert (row["eez_answer"], row["eez_status"], int(row["eez_mrgid"])) == exp


@pytest.mark.slow
def test_csv_in_csv_out_identical_to_single_answers(tmp_path):
    src = tmp_path / "pings.csv"
    _frame().to_csv(src, index=False)
    before = src.read_bytes()
    dst = tmp_path / "out.csv"
    r = run("where", "--input", str(src), "--output", str(dst))
    assert r.code == 0, r.err
    assert src.read_bytes() == before
    out = pd.read_csv(dst, keep_default_na=False)
    assert len(out) == 210 and list(out.columns[:4]) == ["id", "Latitude", "Longitude", "note"]
    _check_rows(out)
    assert "classified 210 rows" in r.err and "eez" in r.err


def test_bad_rows_are_kept_and_marked(tmp_path):
    src = tmp_path / "bad.csv"
    src.write_text("name,lat,lon\nok,24.28667,153.98056\nletters,abc,150\nrange,95,150\nempty,,150\n"
                   "dms,24°17′12″N,153°58′50″E\nlon360,24.3,206\n", encoding="utf-8")
    dst = tmp_path / "out.csv"
    r = run("where", "--input", str(src), "--output", str(dst))
    assert r.code == 0, r.err
    out = pd.read_csv(dst, keep_default_na=False)
    assert list(out["name"]) == ["ok", "letters", "range", "empty", "dms", "lon360"]
    assert list(out["eez_status"]) == ["eez", "invalid", "invalid", "invalid", "eez", "high_seas"]
    assert "abc" in out.loc[1, "eez_error"] and "out of range" in out.loc[2, "eez_error"]
    assert "missing" in out.loc[3, "eez_error"]
    assert out.loc[4, "eez_answer"] == "yes"
    assert "invalid 3" in r.err


def test_stdin_to_stdout(tmp_path):
    r = run("where", "--input", "-", stdin="lat,lon\n24.28667,153.98056\n36,150\n")
    assert r.code == 0, r.err
    lines = r.out.strip().splitlines()
    assert lines[0].startswith("lat,lon,eez_answer,eez_status")
    assert lines[1].split(",")[2:4] == ["yes", "eez"] and lines[2].split(",")[2:4] == ["no", "high_seas"]


def test_geojson_gpkg_and_geoparquet(tmp_path):
    df = _frame(60)
    gdf = gpd.GeoDataFrame(df[["id", "note"]], geometry=gpd.points_from_xy(df.Longitude, df.Latitude), crs=4326)
    for name in ("pts.geojson", "pts.gpkg", "pts.parquet"):
        src = tmp_path / name
        gdf.to_parquet(src) if name.endswith(".parquet") else gdf.to_file(src)
        dst = tmp_path / ("out_" + name)
        r = run("where", "--input", str(src), "--output", str(dst))
        assert r.code == 0, (name, r.err)
        out = gpd.read_parquet(dst) if name.endswith(".parquet") else gpd.read_file(dst)
        assert len(out) == len(df) and "geometry" in out
        out["Latitude"], out["Longitude"] = out.geometry.y, out.geometry.x
        _check_rows(pd.DataFrame(out.drop(columns="geometry")))


def test_plain_parquet_streams_in_chunks_with_named_columns(tmp_path):
    df = _frame(3000).rename(columns={"Latitude": "py", "Longitude": "px"})
    src = tmp_path / "pings.parquet"
    df.to_parquet(src, index=False)
    dst = tmp_path / "out.parquet"
    r = run("where", "--input", str(src), "--output", str(dst), "--lat-col", "py", "--lon-col", "px",
            "--chunk-rows", "1000", "--json")
    assert r.code == 0, r.err
    summary = json.loads(r.err)
    assert summary["rows"] == 3010 and sum(summary["status"].values()) == 3010
    out = pd.read_parquet(dst)
    assert list(out["id"]) == list(df["id"])
    _check_rows(out.head(400), "py", "px")


def test_distance_columns_match_single_answers(tmp_path):
    src = tmp_path / "p.csv"
    pd.DataFrame({"lat": [24.28667, 36.0, 32.0], "lon": [153.98056, 150.0, 128.0]}).to_csv(src, index=False)
    dst = tmp_path / "o.csv"
    assert run("where", "--input", str(src), "--output", str(dst), "--distance").code == 0
    out = pd.read_csv(dst)
    for _, row in out.iterrows():
        a = where(row["lat"], row["lon"])
        assert row["eez_boundary_km"] == pytest.approx(a.distance_to_boundary_km, abs=1e-6)


def test_python_api_classify_frame_equals_where():
    out = classify_frame(_frame(50))
    _check_rows(out)


@pytest.mark.parametrize("setup,args,needle", [
    ("csv", ["--output", "SAME"], "refusing to overwrite"),
    ("csv", ["--lat-col", "nope"], "no column 'nope'"),
    ("nolat", [], "cannot find a latitude column"),
    ("missing", [], "does not exist"),
    ("csv", ["--output", "x.unknown"], "cannot tell the format"),
])
def test_bad_input_files(tmp_path, setup, args, needle):
    src = tmp_path / "in.csv"
    if setup == "csv":
        src.write_text("lat,lon\n24,154\n")
    elif setup == "nolat":
        src.write_text("a,b\n24,154\n")
    before = src.read_bytes() if src.exists() else None
    args = [str(src) if a == "SAME" else (str(tmp_path / a) if a.endswith(".unknown") else a) for a in args]
    r = run("where", "--input", str(src), *args)
    assert_one_line_error(r, 2)
    assert needle in r.err
    if before is not None:
        assert src.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == (["in.csv"] if before is not None else [])


@pytest.mark.slow
def test_ctrl_c_leaves_no_partial_output(tmp_path):
    src = tmp_path / "big.csv"
    rng = np.random.default_rng(0)
    n = 2_000_000
    pd.DataFrame({"lat": rng.uniform(15, 50, n).round(5), "lon": rng.uniform(120, 160, n).round(5)}).to_csv(src, index=False)
    dst = tmp_path / "out.csv"
    dst.write_text("previous results\n")
    # --distance keeps the run going for seconds: the signal lands mid-run even on a loaded machine
    # (without it the whole run took 0.8 s, and a delayed sender found it finished)
    p = subprocess.Popen([sys.executable, "-m", "geo", "where", "--input", str(src), "--output", str(dst),
                          "--distance", "--chunk-rows", "20000"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    # wait until it is writing (a temporary file beside the output), then interrupt
    deadline = time.time() + 120
    while time.time() < deadline and not any(x.name.startswith(".out.csv.") for x in tmp_path.iterdir()):
        time.sleep(0.05)
    assert any(x.name.startswith(".out.csv.") for x in tmp_path.iterdir()), "never started writing"
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert dst.read_text() == "previous results\n"          # the old file is untouched
    assert sorted(x.name for x in tmp_path.iterdir()) == ["big.csv", "out.csv"]  # no temp left


def test_progress_on_request(tmp_path):
    src = tmp_path / "p.csv"
    src.write_text("lat,lon\n24,154\n36,150\n")
    r = run("where", "--input", str(src), "--output", str(tmp_path / "o.csv"), "--progress")
    assert r.code == 0 and "2 rows" in r.err and "rows/s" in r.err
    quiet = run("where", "--input", str(src), "--output", str(tmp_path / "o2.csv"))
    assert quiet.err.startswith("classified 2 rows")   # stderr is not a terminal: no bar before the summary


def test_empty_and_header_only_csv(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    r = run("where", "--input", str(empty), "--output", str(tmp_path / "o.csv"))
    assert_one_line_error(r, 2)
    assert "empty" in r.err
    header = tmp_path / "header.csv"
    header.write_text("lat,lon\n")
    r = run("where", "--input", str(header), "--output", str(tmp_path / "h.csv"))
    assert r.code == 0 and "classified 0 rows" in r.err
    assert (tmp_path / "h.csv").read_text().startswith("lat,lon,eez_answer")
