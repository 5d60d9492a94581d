"""Benchmark the grid index against geopandas.sjoin and a prepared contains_xy loop.

Usage::

    python benchmarks/bench_classify.py [--n 1000000] [--seed 0] [--layer PATH]

Builds a :class:`geo._grid.GridIndex` over the EEZ layer (timing the build,
the save and the cache load), draws uniformly random points over lon
120-160, lat 15-50, and prints the throughput of

* the grid index (best of 3),
* ``geopandas.sjoin(points, zones, predicate="within")`` (best of ``--sjoin-repeat``),
* a loop of ``shapely.contains_xy`` over the prepared zones (best of 3),

with the ratios, the fraction of points that needed an exact test, and the
disagreements of the index with the reference (``intersects_xy``: closed
polygons, the lowest index wins) and with sjoin (whose "within" leaves out
boundary points; on random points that makes no difference in practice).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import shapely  # noqa: E402

from geo._grid import GridIndex  # noqa: E402

BUNDLED = ROOT / "layers" / "mr_v12_eez_nw_pacific.geojson"
SHARED = Path("/work/shared/data/eez/mr_v12_eez_nw_pacific.geojson")


def reference_lookup(geoms, lon, lat):
    """Index of the zone whose closed polygon covers the point; lowest index wins; -1 if none."""
    out = np.full(len(lon), -1, np.int32)
    for i in reversed(range(len(geoms))):
        hit = shapely.intersects_xy(geoms[i], lon, lat)
        out[hit] = i
    return out


def contains_xy_lookup(geoms, lon, lat):
    """The same loop with ``contains_xy`` (interior only: boundary points answer -1)."""
    out = np.full(len(lon), -1, np.int32)
    for i in reversed(range(len(geoms))):
        out[shapely.contains_xy(geoms[i], lon, lat)] = i
    return out


def sjoin_lookup(gpd, zones_gdf, points_gdf):
    """geopandas.sjoin(..., predicate="within"), as one zone index per point (lowest)."""
    joined = gpd.sjoin(points_gdf, zones_gdf, how="left", predicate="within")
    right = joined["index_right"].to_numpy(dtype=float, na_value=np.nan)
    rows = joined.index.to_numpy()
    out = np.full(len(points_gdf), np.iinfo(np.int32).max, dtype=np.int64)
    ok = ~np.isnan(right)
    np.minimum.at(out, rows[ok], right[ok].astype(np.int64))
    out[out == np.iinfo(np.int32).max] = -1
    return out.astype(np.int32)


def best_of(repeat, fn, *args):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - t0)
    return min(times), result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of random points")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--layer", type=Path, default=BUNDLED if BUNDLED.is_file() else SHARED)
    parser.add_argument("--max-depth", type=int, default=None, help="quadtree depth (default: the index's)")
    parser.add_argument("--sjoin-repeat", type=int, default=1, help="sjoin runs (best of)")
    args = parser.parse_args(argv)

    import geopandas as gpd

    zones = gpd.read_file(args.layer)
    zones = zones.reset_index(drop=True)
    geoms = np.array(list(zones.geometry.values), dtype=object)
    print(f"layer: {args.layer} ({len(geoms)} zones, "
          f"{int(shapely.get_num_coordinates(geoms).sum()):,} vertices)")

    options = {} if args.max_depth is None else {"max_depth": args.max_depth}
    t0 = time.perf_counter()
    index = GridIndex.build(geoms, **options)
    build_s = time.perf_counter() - t0
    st = index.stats
    print(f"build: {build_s:.2f} s  (base grid {st['base_shape'][1]}x{st['base_shape'][0]} of "
          f"{st['cell_size']:g} deg, depth {st['max_depth']} -> finest {st['finest_cell_size']:g} deg, "
          f"lookup steps of {st['steps']} levels with {st['blocks']} blocks, "
          f"{st['mixed_leaves']:,} mixed leaves)")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "grid.npz"
        t0 = time.perf_counter()
        index.save(path, key="bench")
        save_s = time.perf_counter() - t0
        fresh = shapely.from_wkb(shapely.to_wkb(geoms))  # unprepared, as in a new process
        t0 = time.perf_counter()
        loaded = GridIndex.load(path, fresh, key="bench")
        load_first = time.perf_counter() - t0
        load_best, _ = best_of(3, lambda: GridIndex.load(path, fresh, key="bench"))
        size_mb = path.stat().st_size / 1e6
    t0 = time.perf_counter()
    one = loaded.lookup(153.98056, 24.28667)  # a single CLI query on a fresh load
    one_s = time.perf_counter() - t0
    print(f"cache: save {save_s * 1e3:.1f} ms, {size_mb:.1f} MB; load {load_first * 1e3:.1f} ms "
          f"(best of 3: {load_best * 1e3:.1f} ms); first single-point lookup after load "
          f"{one_s * 1e3:.2f} ms -> zone {int(one)}")

    rng = np.random.default_rng(args.seed)
    lon = rng.uniform(120, 160, args.n)
    lat = rng.uniform(15, 50, args.n)
    print(f"points: {args.n:,} uniform over lon 120-160, lat 15-50 (seed {args.seed})")

    index.lookup(lon[:1000], lat[:1000])  # warm up
    t_index, got = best_of(3, index.lookup, lon, lat)
    mixed = index.mixed_mask(lon, lat).mean()

    prepared = shapely.from_wkb(shapely.to_wkb(geoms))
    shapely.prepare(prepared)
    t_cxy, cxy = best_of(3, contains_xy_lookup, prepared, lon, lat)
    t_ref, ref = best_of(1, reference_lookup, prepared, lon, lat)

    t0 = time.perf_counter()
    points_gdf = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=zones.crs)
    t_points = time.perf_counter() - t0
    zones_gdf = zones[["geometry"]]
    t_sjoin, sj = best_of(args.sjoin_repeat, sjoin_lookup, gpd, zones_gdf, points_gdf)

    n = args.n
    rate = {k: n / t for k, t in (("index", t_index), ("sjoin", t_sjoin), ("cxy", t_cxy), ("ref", t_ref))}
    print()
    print(f"{'method':44s} {'seconds':>9s} {'M points/s':>11s}")
    print(f"{'GridIndex.lookup (best of 3)':44s} {t_index:9.4f} {rate['index'] / 1e6:11.2f}")
    print(f"{'geopandas.sjoin within':44s} {t_sjoin:9.4f} {rate['sjoin'] / 1e6:11.2f}"
          f"   (+ {t_points:.2f} s to make the points GeoDataFrame)")
    print(f"{'prepared shapely.contains_xy loop (best of 3)':44s} {t_cxy:9.4f} {rate['cxy'] / 1e6:11.2f}")
    print(f"{'reference: prepared intersects_xy loop':44s} {t_ref:9.4f} {rate['ref'] / 1e6:11.2f}")
    print()
    print(f"speed-up index / sjoin:       {rate['index'] / rate['sjoin']:8.1f} x")
    print(f"speed-up index / contains_xy: {rate['index'] / rate['cxy']:8.1f} x")
    print(f"points in mixed cells (exact test): {mixed:.4%}")
    print(f"disagreements index vs reference:   {int((got != ref).sum())}")
    print(f"disagreements index vs sjoin:       {int((got != sj).sum())}")
    print(f"disagreements contains_xy vs reference: {int((cxy != ref).sum())}")
    print(f"points in a zone: {(ref >= 0).mean():.2%}")
    return 0 if (got == ref).all() else 1


if __name__ == "__main__":
    sys.exit(main())
