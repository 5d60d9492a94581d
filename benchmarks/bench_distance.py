"""Distance to the nearest EEZ boundary for many points: eezmap against the usual shortcuts.

Usage::

    python benchmarks/bench_distance.py [--n 1000000] [--world-n 1000000] [--check 1000] [--prototype-n 50000]

Two point sets (fixed seeds): ``--n`` random points over 120–160°E, 15–50°N
and ``--world-n`` over the whole Earth (uniform on the sphere).  In the same
run, on the same boundaries (the default layer stack's fixed boundary set,
the one ``eezmap where`` measures to):

* **eezmap CLI**: ``eezmap where --input pts.parquet --output out.parquet
  --distance``, a fresh process, end to end (caches warm);
* **eezmap API**: ``geo.boundary_distance(lats, lons, across=False)`` in this
  process;
* **planar degrees**: geopandas ``sjoin_nearest`` of the points against the
  boundary edges in longitude/latitude, degrees times 111.32 km;
* **one AEQD**: the same after projecting points and edges to one azimuthal
  equidistant CRS centred on the set (140°E, 32.5°N; 0°, 0° for the world);
* **prototype**: the quick exact method issue 12 started from -- the edges
  cut into pieces of at most 1 km (each also 360° east or west, so that the
  planar tree sees across ±180°), candidates from a shapely ``STRtree``
  (every piece within reach of the geodesic distance to the planar-nearest
  piece), those within 1 % of the best on the sphere measured
  with pyproj's ``Geod.inv`` at the foot of the perpendicular, the smallest
  kept.

Accuracy is measured on ``--check`` points against a reference that
densifies the edges near each point to 50 m, and to 0.5 m for 30 m around
its 5 nearest vertices, and measures with geographiclib (Karney's
inverse); the worst error is printed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _points(n: int, world: bool, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if world:
        return np.degrees(np.arcsin(rng.uniform(-1, 1, n))), rng.uniform(-180, 180, n)
    return rng.uniform(15, 50, n), rng.uniform(120, 160, n)


def _fixed_set() -> np.ndarray:
    from geo import _stack
    from geo.layers import resolve_layers

    ids = resolve_layers(None)
    stack = _stack.boundary_stack(ids[0], ids)
    parts = [_stack.effective_edges(stack, j) for j in range(len(stack))]
    parts += [_stack.seams(stack, j) for j in range(len(stack))]
    return np.vstack([p for p in parts if len(p)])


def _reference_m(lat: float, lon: float, segs: np.ndarray) -> float:
    """Densify nearby edges to 50 m; around the 5 nearest vertices every 0.5 m, with geographiclib."""
    from geographiclib.geodesic import Geodesic
    from pyproj import Geod

    c = max(np.cos(np.radians(lat)), 0.05)
    x0 = ((segs[:, 0] - lon + 180.0) % 360.0 - 180.0) * c
    x1 = x0 + ((segs[:, 2] - segs[:, 0] + 180.0) % 360.0 - 180.0) * c
    y0, y1 = segs[:, 1] - lat, segs[:, 3] - lat
    dx, dy = x1 - x0, y1 - y0
    len2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip(np.where(len2 > 0, -(x0 * dx + y0 * dy) / len2, 0.0), 0.0, 1.0)
    d = np.hypot(x0 + t * dx, y0 + t * dy)
    near = segs[d <= d.min() * 1.3 + 0.05]
    length_m = np.hypot((near[:, 2] - near[:, 0]) * 111_320 * c, (near[:, 3] - near[:, 1]) * 111_320) + 1.0
    k = np.maximum(1, np.ceil(length_m / 50.0 * 1.5)).astype(np.int64)  # 50 m or closer everywhere
    rep = np.repeat(np.arange(len(near)), k + 1)
    tt = (np.arange(len(rep)) - np.repeat(np.cumsum(k + 1) - (k + 1), k + 1)) / np.repeat(k, k + 1)
    s = near[rep]
    xy = np.column_stack([s[:, 0] + tt * (s[:, 2] - s[:, 0]), s[:, 1] + tt * (s[:, 3] - s[:, 1])])
    rough = np.hypot(((xy[:, 0] - lon + 180.0) % 360.0 - 180.0) * c, xy[:, 1] - lat)
    keep = np.flatnonzero(rough <= rough.min() * 1.05 + 0.002)
    # pyproj only to pick the 5 nearest vertices; geographiclib measures every 0.5 m for 30 m around each
    k = len(keep)
    _, _, s12 = Geod(ellps="WGS84").inv(np.full(k, lon), np.full(k, lat), xy[keep, 0], xy[keep, 1])
    g = Geodesic.WGS84
    best = np.inf
    for i in keep[np.argsort(s12)[:5]]:
        e, t, m = near[rep[i]], tt[i], length_m[rep[i]]
        u = np.clip(t + np.linspace(-30.0, 30.0, 121) / m, 0.0, 1.0)
        for x, y in zip(e[0] + u * (e[2] - e[0]), e[1] + u * (e[3] - e[1]), strict=False):
            best = min(best, g.Inverse(lat, lon, float(y), float(x), Geodesic.DISTANCE)["s12"])
    return best


def _shortcuts(lat: np.ndarray, lon: np.ndarray, segs: np.ndarray, centre: tuple[float, float]
               ) -> dict[str, tuple[float, np.ndarray]]:
    import geopandas as gpd
    import shapely

    lines = gpd.GeoDataFrame(geometry=shapely.linestrings(segs.reshape(-1, 2, 2)), crs="EPSG:4326")
    out = {}
    t0 = time.perf_counter()
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    j = gpd.sjoin_nearest(pts, lines, distance_col="d")
    d = j.groupby(level=0)["d"].first().to_numpy() * 111_320.0
    out["planar degrees (geopandas)"] = (time.perf_counter() - t0, d)
    t0 = time.perf_counter()
    aeqd = f"+proj=aeqd +lat_0={centre[1]} +lon_0={centre[0]} +datum=WGS84 +units=m"
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs(aeqd)
    j = gpd.sjoin_nearest(pts, lines.to_crs(aeqd), distance_col="d")
    d = j.groupby(level=0)["d"].first().to_numpy()
    out["one AEQD (geopandas)"] = (time.perf_counter() - t0, d)
    return out


def _prototype(lat: np.ndarray, lon: np.ndarray, segs: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Edges densified to 1 km, STRtree candidates, pyproj's geodesic at each candidate's foot.

    Returns the seconds spent building the tree, those spent on the points, and the metres.
    """
    import shapely
    from pyproj import Geod

    g = Geod(ellps="WGS84")

    def foot(who: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of the foot of the perpendicular in a local east/north frame, and the planar km."""
        c = np.cos(np.radians(lat[who]))
        x0, y0 = (p[:, 0] - lon[who]) * c, p[:, 1] - lat[who]
        dx, dy = (p[:, 2] - p[:, 0]) * c, p[:, 3] - p[:, 1]
        len2 = dx * dx + dy * dy
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.clip(np.where(len2 > 0, -(x0 * dx + y0 * dy) / len2, 0.0), 0.0, 1.0)
        xy = np.column_stack([p[:, 0] + t * (p[:, 2] - p[:, 0]), p[:, 1] + t * (p[:, 3] - p[:, 1])])
        p1, p2 = np.radians(lat[who]), np.radians(xy[:, 1])
        dlon = np.radians(xy[:, 0] - lon[who])
        h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
        return xy, 2 * 6371.0 * np.arcsin(np.sqrt(np.minimum(h, 1.0)))   # km on the sphere

    t0 = time.perf_counter()
    length = np.hypot((segs[:, 2] - segs[:, 0]) * 111.32, (segs[:, 3] - segs[:, 1]) * 111.32)
    k = np.maximum(1, np.ceil(length / 1.0)).astype(np.int64)
    rep = np.repeat(np.arange(len(segs)), k)
    i = np.arange(len(rep)) - np.repeat(np.cumsum(k) - k, k)
    e, f0, f1 = segs[rep], (i / k[rep])[:, None], ((i + 1) / k[rep])[:, None]
    pieces = np.hstack([e[:, :2] + f0 * (e[:, 2:] - e[:, :2]), e[:, :2] + f1 * (e[:, 2:] - e[:, :2])])
    # a copy of each piece 360° east or west, so the planar tree sees across ±180°
    east = pieces[:, [0, 2]].max(axis=1) > 0
    shifted = pieces + np.where(east, -360.0, 360.0)[:, None] * np.array([1.0, 0.0, 1.0, 0.0])
    pieces = np.vstack([pieces, shifted])
    tree = shapely.STRtree(shapely.linestrings(pieces.reshape(-1, 2, 2)))
    setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    pts = shapely.points(lon, lat)
    # an upper bound: the geodesic to the planar-nearest piece; every piece that can beat it
    # lies within that many degrees of latitude, over cos(latitude) in longitude
    who, near = tree.query_nearest(pts, all_matches=False)
    xy, _ = foot(who, pieces[near])
    _, _, d0 = g.inv(lon[who], lat[who], xy[:, 0], xy[:, 1])
    deg = d0 / 110_500.0
    reach = deg / np.maximum(np.cos(np.radians(np.minimum(np.abs(lat) + deg, 89.0))), 0.02) + 1e-6
    who, cand = tree.query(pts, predicate="dwithin", distance=reach)
    xy, km = foot(who, pieces[cand])
    best_km = np.full(len(lat), np.inf)
    np.minimum.at(best_km, who, km)
    keep = km <= best_km[who] * 1.01 + 0.2    # the sphere is within 0.6 % of the ellipsoid
    who, xy = who[keep], xy[keep]
    _, _, d = g.inv(lon[who], lat[who], xy[:, 0], xy[:, 1])
    best = np.full(len(lat), np.inf)
    np.minimum.at(best, who, d)
    return setup, time.perf_counter() - t0, best


def _cli(lat: np.ndarray, lon: np.ndarray, tmp: Path) -> tuple[float, np.ndarray]:
    import pandas as pd

    src, dst = tmp / "pts.parquet", tmp / "out.parquet"
    pd.DataFrame({"lat": lat, "lon": lon}).to_parquet(src)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    args = [sys.executable, "-m", "geo", "where", "--input", str(src), "--output", str(dst), "--distance"]
    t0 = time.perf_counter()
    p = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(p.stderr)
    return wall, pd.read_parquet(dst, columns=["eez_boundary_km"])["eez_boundary_km"].to_numpy() * 1000


def run_set(name: str, lat: np.ndarray, lon: np.ndarray, centre: tuple[float, float], check: int,
            segs: np.ndarray, tmp: Path, proto_n: int) -> None:
    import geo

    n = len(lat)
    results: dict[str, tuple[float, np.ndarray]] = {}
    # warm the caches (index and cell lists) with one pass in a separate process
    _cli(lat[: min(n, 200_000)], lon[: min(n, 200_000)], tmp)
    results["eezmap where --input --distance (CLI, whole process)"] = _cli(lat, lon, tmp)
    t0 = time.perf_counter()
    api = geo.boundary_distance(lat, lon, across=False).km * 1000
    results["eezmap geo.boundary_distance (API)"] = (time.perf_counter() - t0, api)
    results.update(_shortcuts(lat, lon, segs, centre))
    rng = np.random.default_rng(7)
    pick = rng.choice(n, size=min(check, n), replace=False)
    # the prototype runs about 1,000 rows/s: its tree build plus its query time on the first
    # proto_n points scaled to all; its accuracy measured on the checked points, untimed
    m = min(n, proto_n)
    setup, secs, _ = _prototype(lat[:m], lon[:m], segs)
    d = np.full(n, np.nan)
    d[pick] = _prototype(lat[pick], lon[pick], segs)[2]
    label = "prototype: 1 km pieces, STRtree, pyproj" + (f" (timed on {m:,} points)" if m < n else "")
    results[label] = (setup + secs * n / m, d)
    t0 = time.perf_counter()
    ref = np.array([_reference_m(float(lat[i]), float(lon[i]), segs) for i in pick])
    ref_s = time.perf_counter() - t0
    base = results["planar degrees (geopandas)"][0]
    print(f"\n## {name}: {n:,} points; accuracy on {len(pick):,} against 50 m densified geographiclib "
          f"(reference took {ref_s:.0f} s)\n")
    print("| method | seconds (for all points) | rows/s | speed vs planar degrees "
          "| median error m | worst error m |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, (secs, d) in results.items():
        err = np.abs(d[pick] - ref)
        print(f"| {label} | {secs:.2f} | {n / secs:,.0f} | {base / secs:.2f}× | "
              f"{np.median(err):.3f} | {err.max():.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--world-n", type=int, default=1_000_000)
    ap.add_argument("--check", type=int, default=1000)
    ap.add_argument("--prototype-n", type=int, default=50_000, help="points the slow prototype is timed on")
    a = ap.parse_args()
    warnings.filterwarnings("ignore", message="Geometry is in a geographic CRS")  # the shortcut's point
    segs = _fixed_set()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if a.n:
            lat, lon = _points(a.n, False, 0)
            run_set("NW Pacific (120–160°E, 15–50°N)", lat, lon, (140.0, 32.5), a.check, segs, tmp,
                    a.prototype_n)
        if a.world_n:
            lat, lon = _points(a.world_n, True, 1)
            run_set("worldwide", lat, lon, (0.0, 0.0), a.check, segs, tmp, a.prototype_n)


if __name__ == "__main__":
    main()
