"""--engine dask on a dask.distributed LocalCluster on loopback: identical results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import assert_one_line_error, run

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", processes=True,
                      dashboard_address=None) as c:
        yield c


def _write_parts(tmp_path, n=4, rows=2500):
    rng = np.random.default_rng(11)
    frames = []
    for k in range(n):
        df = pd.DataFrame({"id": np.arange(rows) + k * rows,
                           "lat": rng.uniform(15, 50, rows).round(6), "lon": rng.uniform(120, 160, rows).round(6)})
        if k == 0:
            df.loc[0, "lat"] = 95.0          # a bad row is kept
        df.to_csv(tmp_path / f"part{k}.csv", index=False)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


@pytest.mark.slow
def test_dask_cluster_matches_single_process(tmp_path, cluster):
    _write_parts(tmp_path)
    local = tmp_path / "local.csv"
    r1 = run("where", "--input", str(tmp_path / "part0.csv"), "--output", str(local))
    assert r1.code == 0, r1.err
    out = tmp_path / "out_dask"
    r2 = run("where", "--input", str(tmp_path / "part*.csv"), "--output", str(out), "--engine", "dask",
             "--scheduler", cluster.scheduler_address)
    assert r2.code == 0, r2.err
    got = pd.read_parquet(out)
    got["id"] = got["id"].astype(int)
    got = got.sort_values("id").reset_index(drop=True)
    assert len(got) == 10_000 and len(list(out.glob("*.parquet"))) >= 1
    # every partition, run single-process, gives the same columns
    for k in range(4):
        single = tmp_path / f"single{k}.csv"
        assert run("where", "--input", str(tmp_path / f"part{k}.csv"), "--output", str(single)).code == 0
        exp = pd.read_csv(single, dtype=str, keep_default_na=False)
        part = got[got["id"].astype(int).between(k * 2500, k * 2500 + 2499)].reset_index(drop=True)
        for col in ("eez_answer", "eez_status", "eez_zone", "eez_sovereigns", "eez_layer", "eez_error",
                    "eez_seabed", "eez_contractor"):
            assert list(part[col].astype(str)) == list(exp[col].astype(str)), col
        assert list(part["eez_mrgid"].astype(int)) == list(exp["eez_mrgid"].astype(int))
        for col in ("eez_depth_from_m", "eez_depth_to_m"):  # NaN where no band, as in the CSV's empty cells
            assert list(part[col].fillna(-1.0)) == [float(v) if v else -1.0 for v in exp[col]], col
    assert got.loc[0, "eez_status"] == "invalid"
    assert "classified 10,000 rows" in r2.err


def test_dask_local_threads_and_errors(tmp_path):
    _write_parts(tmp_path, n=2, rows=500)
    out = tmp_path / "o"
    r = run("where", "--input", str(tmp_path / "*.csv"), "--output", str(out), "--engine", "dask")
    assert r.code == 0, r.err
    assert len(pd.read_parquet(out)) == 1000
    assert_one_line_error(run("where", "--input", str(tmp_path / "nomatch*.csv"), "--output",
                              str(tmp_path / "x"), "--engine", "dask"), 2)
    assert_one_line_error(run("where", "--input", str(tmp_path / "*.csv"), "--engine", "dask"), 2)


def test_dask_can_rerun_into_its_own_output_and_counts_only_statuses_seen(tmp_path):
    """Review of issue 9, item 5: the second run replaces the first run's directory; the summary
    has no empty status and no zero counts (both rows lie within 200 NM of Minami-Torishima)."""
    from geo.io import classify_file

    src = tmp_path / "in.csv"
    src.write_text("lat,lon\n24.28667,153.98056\n24.5,154.5\n")  # Minami-Torishima, and 60 km NE of it
    out = tmp_path / "dq"
    first = classify_file(str(src), str(out), engine="dask")
    second = classify_file(str(src), str(out), engine="dask")
    assert first["status"] == second["status"] == {"eez": 2}
    assert sorted(p.suffix for p in out.iterdir()) and all(p.suffix == ".parquet" for p in out.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dq", "in.csv"]
    (out / "notes.txt").write_text("mine")
    r = run("where", "--input", str(src), "--engine", "dask", "--output", str(out))
    assert_one_line_error(r, 2)
    assert (out / "notes.txt").read_text() == "mine"


def test_dask_distance_equals_single_point_where(tmp_path):
    # --engine dask uses the same boundary engine: each row's distance is where's to 1 mm
    import geo

    df = _write_parts(tmp_path, n=2, rows=40)
    out = tmp_path / "o"
    r = run("where", "--input", str(tmp_path / "*.csv"), "--output", str(out), "--engine", "dask", "--distance")
    assert r.code == 0, r.err
    got = pd.read_parquet(out)
    got["id"] = got["id"].astype(int)
    got = got.set_index("id")
    for _, row in df.iloc[1::7].iterrows():
        a = geo.where(float(row["lat"]), float(row["lon"]))
        assert got.loc[int(row["id"]), "eez_boundary_km"] == pytest.approx(a.distance_to_boundary_km, abs=1e-6)
