"""Whole-process benchmarks: the batch pipeline, streaming memory, one quick answer.

Usage::

    python benchmarks/bench_pipeline.py [--n 1000000] [--big 10000000] [--runs 7] [--csv-only]

Prints, for the same run on this machine:

1. ``eezmap where --input points.parquet --output out.parquet`` (default
   columns, no ``--distance``) against the same job written the usual way with
   geopandas (read the Parquet, ``points_from_xy``, ``sjoin(predicate="within")``
   against the bundled layer, write the Parquet), each as a fresh process, end
   to end, with the disagreement count between the two outputs;
   then the same points as CSV in, CSV out (``pyarrow.csv``), against DuckDB
   (``duckdb`` 1.5.5 with the ``duckdb-extension-spatial`` package, loaded
   from the extension file inside that package, as ``INSTALL spatial`` needs
   the network): ``read_csv`` (every column as text) + spatial join
   (``ST_Contains``) + ``COPY ... TO`` CSV, with the layer's polygons
   subdivided to at most 255 vertices by shapely beforehand (DuckDB has no
   subdivide; preparing them is not timed, as eezmap's cached index is not);
   answers compared row by row (zone MRGID), rows/s and ratios printed;
2. the peak memory (max RSS) of ``eezmap where`` streaming a ``--big``-row
   Parquet file (10 million rows by default) and a 10-million-row CSV;
3. the wall time of one ``eezmap where LAT LON`` (median of ``--runs``; with
   and without the boundary distance), against a process that only imports
   geopandas.

Caches are warmed first (the index is built once per layer and reused, as it
is for any user after the first query).  Every process is started with the
interpreter that runs this script.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def _run(args: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    """Wall time and stderr of one process (exit 0, 1 or 3: the `where` answers)."""
    t0 = time.perf_counter()
    p = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode not in (0, 1, 3):
        raise SystemExit(f"failed: {' '.join(args)}\n{p.stderr}")
    return wall, p.stderr


def _peak_rss(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall s, peak RSS MiB) of a process, via /usr/bin/time -v or a polling fallback."""
    t0 = time.perf_counter()
    p = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    peak = 0
    status = Path(f"/proc/{p.pid}/status")
    while p.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    err = p.stderr.read() if p.stderr else ""
    if p.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{err}")
    return wall, peak / 1024.0


USUAL = textwrap.dedent("""
    import sys, geopandas as gpd, pandas as pd
    src, dst, layer = sys.argv[1:4]
    df = pd.read_parquet(src)
    pts = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")
    zones = gpd.read_file(layer)[["mrgid", "geoname", "pol_type", "sovereign1", "sovereign2", "sovereign3",
                                  "geometry"]]
    out = gpd.sjoin(pts, zones, how="left", predicate="within")
    out = out[~out.index.duplicated(keep="first")]
    pd.DataFrame(out.drop(columns=["geometry", "index_right"])).to_parquet(dst, index=False)
""")


DUCKDB = textwrap.dedent("""
    import sys, duckdb
    src, dst, zones, ext = sys.argv[1:5]
    con = duckdb.connect()
    con.execute(f"LOAD '{ext}'")
    con.execute(f"CREATE TABLE z AS SELECT mrgid, geoname, ST_GeomFromWKB(wkb) AS geom "
                f"FROM read_parquet('{zones}')")
    con.execute(f\"\"\"COPY (SELECT p.*, z.mrgid AS eez_mrgid, z.geoname AS eez_zone
                      FROM read_csv('{src}', all_varchar = true) p LEFT JOIN z
                      ON ST_Contains(z.geom, ST_Point(CAST(p.lon AS DOUBLE), CAST(p.lat AS DOUBLE))))
                   TO '{dst}' (HEADER, DELIMITER ',')\"\"\")
""")


def _duckdb_extension() -> str:
    """The spatial extension file inside the duckdb-extension-spatial package."""
    import duckdb
    import duckdb_extension_spatial

    base = Path(duckdb_extension_spatial.__file__).parent
    found = sorted(base.rglob("spatial.duckdb_extension"))
    wanted = [f for f in found if f"v{duckdb.__version__}" in f.parts]
    if not (wanted or found):
        raise SystemExit(f"no spatial.duckdb_extension under {base}")
    return str((wanted or found)[0])


def _subdivide(geom: object, max_vertices: int = 255) -> list[object]:
    """Pieces of a polygon with at most *max_vertices* vertices each (halving its box, recursively)."""
    import shapely

    if shapely.get_num_coordinates(geom) <= max_vertices:
        return [geom]
    w, s, e, n = shapely.bounds(geom)
    halves = ((w, s, (w + e) / 2, n), ((w + e) / 2, s, e, n)) if e - w >= n - s else \
        ((w, s, e, (s + n) / 2), (w, (s + n) / 2, e, n))
    out: list[object] = []
    for box in halves:
        part = shapely.clip_by_rect(geom, *box)
        for piece in shapely.get_parts(part):
            if piece.geom_type == "Polygon" and not piece.is_empty:
                out.extend(_subdivide(piece, max_vertices))
    return out


def _duckdb_zones(layer: str, dst: Path) -> int:
    """The layer's polygons, subdivided, as WKB in Parquet (mrgid, geoname, wkb); returns the piece count."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    zones = gpd.read_file(layer)
    rows = [(int(m), name, shapely.to_wkb(piece)) for m, name, g in zip(zones["mrgid"], zones["geoname"],
                                                                         zones.geometry, strict=True)
            for poly in shapely.get_parts(g) for piece in _subdivide(poly)]
    pd.DataFrame(rows, columns=["mrgid", "geoname", "wkb"]).to_parquet(dst, index=False)
    return len(rows)


def bench_csv(src_parquet: Path, tmp: Path, layer: str, env: dict[str, str], n: int) -> None:
    """CSV in, CSV out: eezmap against DuckDB read_csv + spatial join + COPY, same points."""
    import pandas as pd

    eez = [PY, "-m", "geo"]
    src = tmp / "points.csv"
    pd.read_parquet(src_parquet).to_csv(src, index=False)
    zones = tmp / "zones_subdivided.parquet"
    pieces = _duckdb_zones(layer, zones)
    ext = _duckdb_extension()
    print(f"\n1b. CSV in, CSV out, {n:,} rows ({src.stat().st_size / 1e6:.0f} MB); DuckDB: {pieces:,} "
          "polygon pieces of <= 255 vertices")
    _run(eez + ["where", "--input", str(src), "--output", str(tmp / "warm.csv")], env)
    _run([PY, "-c", DUCKDB, str(src), str(tmp / "warm_duck.csv"), str(zones), ext], env)
    t_ours, t_duck = [], []
    for _ in range(3):  # interleaved, best of 3 each
        t_ours.append(_run(eez + ["where", "--input", str(src), "--output", str(tmp / "ours.csv")], env)[0])
        t_duck.append(_run([PY, "-c", DUCKDB, str(src), str(tmp / "duck.csv"), str(zones), ext], env)[0])
    ours = pd.read_csv(tmp / "ours.csv", usecols=["id", "eez_mrgid", "eez_layer"])
    duck = pd.read_csv(tmp / "duck.csv", usecols=["id", "eez_mrgid"]).drop_duplicates("id").set_index("id")
    duck = duck.reindex(ours["id"])["eez_mrgid"].fillna(-1).astype(int).to_numpy()
    main_layer = (ours["eez_layer"] == "mr-v12-eez-nw-pacific").to_numpy()
    bad = int((ours["eez_mrgid"].to_numpy()[main_layer] != duck[main_layer]).sum())
    a, b = min(t_ours), min(t_duck)
    print(f"   {'job (whole process, best of 3)':44s} {'s':>7s} {'rows/s':>12s} {'ratio':>7s}")
    print(f"   {'eezmap where --input pts.csv --output o.csv':44s} {a:7.2f} {n / a:12,.0f} {1.0:7.2f}")
    print(f"   {'duckdb read_csv + ST_Contains join + COPY':44s} {b:7.2f} {n / b:12,.0f} {b / a:7.2f}")
    print(f"   eezmap is {b / a:.2f}x DuckDB's rate; disagreements (zone MRGID, main layer rows): {bad}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="rows of the pipeline comparison")
    ap.add_argument("--big", type=int, default=10_000_000, help="rows of the streaming-memory run (0: skip)")
    ap.add_argument("--runs", type=int, default=7, help="repetitions of the single query")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--csv-only", action="store_true", help="only the CSV comparison with DuckDB (1b)")
    args = ap.parse_args()

    import numpy as np
    import pandas as pd

    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    eez = [PY, "-m", "geo"]
    layer = str(ROOT / "layers" / "mr_v12_eez_nw_pacific.geojson")
    cache = env.get("EEZMAP_CACHE", "~/.cache/eezmap")
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; cache {cache}")

    with tempfile.TemporaryDirectory() as tmpd:
        tmp = Path(tmpd)
        rng = np.random.default_rng(args.seed)
        pts = pd.DataFrame({"id": np.arange(args.n), "lat": rng.uniform(15, 50, args.n),
                            "lon": rng.uniform(120, 160, args.n)})
        src = tmp / "points.parquet"
        pts.to_parquet(src, index=False)

        # warm the caches (layer + index), as any second use would find them
        _run(eez + ["where", "--input", str(src), "--output", str(tmp / "warm.parquet")], env)
        _run(eez + ["where", "24.28667", "153.98056"], env)

        if args.csv_only:
            _run(eez + ["where", "24.28667", "153.98056"], env)
            bench_csv(src, tmp, layer, env, args.n)
            return
        print(f"\n1. pipeline, {args.n:,} random points over 120-160E, 15-50N (Parquet in, Parquet out)")
        t_ours = min(_run(eez + ["where", "--input", str(src), "--output", str(tmp / "ours.parquet")], env)[0]
                     for _ in range(2))
        t_usual = min(_run([PY, "-c", USUAL, str(src), str(tmp / "usual.parquet"), layer], env)[0]
                      for _ in range(2))
        ours = pd.read_parquet(tmp / "ours.parquet")
        usual = pd.read_parquet(tmp / "usual.parquet")
        a = ours["eez_mrgid"].to_numpy()
        b = usual["mrgid"].fillna(-1).astype(int).to_numpy()
        both_v12 = (ours["eez_layer"] == "mr-v12-eez-nw-pacific").to_numpy()
        print(f"   eezmap where --input/--output    {t_ours:8.2f} s   {args.n / t_ours / 1e6:6.2f} M rows/s")
        print(f"   geopandas read + sjoin + write   {t_usual:8.2f} s   "
              f"{args.n / t_usual / 1e6:6.2f} M rows/s")
        print(f"   speed-up                         {t_usual / t_ours:8.1f} x")
        print(f"   disagreements (zone MRGID)       {int((a[both_v12] != b[both_v12]).sum()):8d}")
        bench_csv(src, tmp, layer, env, args.n)

        if args.big:
            print(f"\n2. streaming memory, {args.big:,} rows (default --chunk-rows 1,000,000)")
            big = tmp / "big.parquet"
            chunk = 1_000_000
            import pyarrow as pa
            import pyarrow.parquet as pq

            with pq.ParquetWriter(big, pa.schema([("id", pa.int64()), ("lat", pa.float64()),
                                                  ("lon", pa.float64())])) as w:
                for start in range(0, args.big, chunk):
                    m = min(chunk, args.big - start)
                    w.write_table(pa.table({"id": np.arange(start, start + m), "lat": rng.uniform(15, 50, m),
                                            "lon": rng.uniform(120, 160, m)}))
            cmd = eez + ["where", "--input", str(big), "--output", str(tmp / "bigout.parquet")]
            wall, peak = _peak_rss(cmd, env)
            print(f"   Parquet: {wall:7.1f} s, {args.big / wall / 1e6:5.2f} M rows/s, "
                  f"peak RSS {peak:7.0f} MiB")
            csv = tmp / "big.csv"
            pq.read_table(big).to_pandas().to_csv(csv, index=False) if args.big <= 10_000_000 else None
            if csv.exists():
                cmd = eez + ["where", "--input", str(csv), "--output", str(tmp / "bigout.csv")]
                wall, peak = _peak_rss(cmd, env)
                print(f"   CSV:     {wall:7.1f} s, {args.big / wall / 1e6:5.2f} M rows/s, "
                      f"peak RSS {peak:7.0f} MiB")

        print(f"\n3. one quick answer (median of {args.runs} fresh processes)")
        cases = [
            ("eezmap where 24.28667 153.98056 (with boundary distance)",
             eez + ["where", "24.28667", "153.98056"]),
            ("eezmap where 24.28667 153.98056 --no-distance",
             eez + ["where", "24.28667", "153.98056", "--no-distance"]),
            ("python -c 'import geopandas' (the usual floor)", [PY, "-c", "import geopandas"]),
        ]
        for label, cmd in cases:
            times = [_run(cmd, env)[0] for _ in range(args.runs)]
            print(f"   {label:58s} {statistics.median(times):6.3f} s (min {min(times):.3f})")


if __name__ == "__main__":
    main()
