"""Every public function is safe to call from several threads at once.

A threaded web server, or ``--engine dask`` without ``--scheduler`` (Dask's
threaded scheduler), calls the library from many threads in one process.
GEOS prepared geometries are not safe to share between threads
(libgeos/geos#825), and shapely 2 prepares a geometry in place the first
time ``intersects_xy``/``contains_xy`` is called on it; lazy caches may be
built twice, and the cache files written twice, when two threads get there
first together.

The main test runs a script in a *fresh* process (so that every in-memory
cache is cold and initialisation races happen), many threads started
together calling ``classify``, ``where``, ``classify_frame``,
``area_in_zones``, ``distance`` and the Dask threaded engine on the same
layers, several times; the process must exit 0 and every answer must equal
the answer of a single-threaded run of the same script (the oracle of a
concurrency test: the same code run one call at a time).  Before the fix it
aborted (``tcache_thread_shutdown(): unaligned tcache chunk detected``,
SIGSEGV) or built the same index several times.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import shapely

from helpers import ROOT
from _constants import ISLAND

SCRIPT = r'''
import collections, os, pickle, sys, threading, traceback

import numpy as np

mode, data, ref_path, n_threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

import dask
import pandas as pd

import geo
from geo import areas
from geo.io import dask as _dask, frame as batch
from geo._grid import GridIndex
from geo.sites import get_site

dask.config.set(num_workers=8)  # Dask's threaded scheduler with 8 threads, even on 2 cores

# count how often each index is loaded or built: once per process, however many threads ask
calls = collections.Counter()
_cached = GridIndex.cached.__func__
def counting(cls, geoms, key, cache_dir, **kw):
    calls[key] += 1
    return _cached(cls, geoms, key, cache_dir, **kw)
GridIndex.cached = classmethod(counting)

pts = np.load(os.path.join(data, "points.npz"))
LAT, LON = pts["lat"], pts["lon"]
# single points: regional layer, coarse layer, land, high seas, near the edge of the regional box
WHERE = [(24.28667, 153.98056), (22.0, 153.8), (36.0, 150.0), (35.68, 139.77), (-21.0, 55.0),
         (30.0, 179.99), (0.001, 160.0), (-50.5, -56.0), (10.0, -30.0), (45.0, 142.0)]

def task_classify(k):
    c = geo.classify(LAT, LON, "JPN")
    return [c.status_code, c.answer_code, c.layer_code, c.zone_index, c.enclosing_index]

def task_classify_world(k):
    c = geo.classify(LAT[::-1], LON[::-1], "CHN")
    return [c.status_code, c.answer_code, c.layer_code, c.zone_index, c.enclosing_index]

def task_frame(k):
    out = batch.classify_frame(pd.DataFrame({"lat": LAT[:50_000], "lon": LON[:50_000]}), country="KOR")
    # str() of every value: NaN (the depth columns) becomes 'nan', equal to itself after pickling
    return {c: [str(v) for v in out[c].tolist()] for c in out.columns if c.startswith("eez_")}

def task_where(k):
    return [geo.where(lat, lon).to_json() for lat, lon in WHERE]

def task_area(k):
    return [areas.area_in_zones(get_site("rey-mud-area").geometry).to_json(),
            geo.distance("minami-torishima", "rey-mud-area").metres]

def task_dask(k):
    out = os.path.join(data, f"out-{mode}-{os.getpid()}-{k}")
    _dask.classify_dask(os.path.join(data, "parts"), out, lat_col=None, lon_col=None, scheduler=None,
                        country="JPN", layers=None)
    df = pd.read_parquet(out).sort_values("id")
    return {c: [str(v) for v in df[c].tolist()] for c in df.columns if c.startswith("eez_")}

TASKS = [task_classify, task_dask, task_where, task_frame, task_classify_world, task_area]

if mode == "serial":
    results = {t.__name__: t(0) for t in TASKS}
    with open(ref_path, "wb") as f:
        pickle.dump(results, f)
    sys.exit(0)

with open(ref_path, "rb") as f:
    expected = pickle.load(f)

def same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b

if mode == "threads-loaded":  # layers loaded, nothing indexed or prepared: threads share the geometries
    from geo.layers import land_for, load_land, load_zones, manifest
    for layer_id in manifest().default_zones:
        load_land(land_for(load_zones(layer_id).layer))

barrier = threading.Barrier(n_threads)
problems = []

def run(k):
    task = TASKS[k % len(TASKS)]
    try:
        barrier.wait()
        got = task(k)
        if not same(got, expected[task.__name__]):
            problems.append(f"thread {k}: {task.__name__} differs from the single-threaded answer")
    except Exception:
        problems.append(f"thread {k}: {task.__name__} raised\n" + traceback.format_exc())

threads = [threading.Thread(target=run, args=(k,)) for k in range(n_threads)]
for t in threads:
    t.start()
for t in threads:
    t.join()
twice = {key: n for key, n in calls.items() if n > 1}
if twice:
    problems.append(f"indexes loaded or built more than once: {twice}")
print("\n".join(problems))
sys.exit(1 if problems else 0)
'''


def _env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["EEZMAP_CACHE"] = str(cache)
    return env


def _script(tmp: Path, mode: str, cache: Path, n_threads: int = 1, timeout: float = 600
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT, mode, str(tmp), str(tmp / "serial.pickle"),
                           str(n_threads)], capture_output=True, text=True, env=_env(cache),
                          cwd=ROOT, timeout=timeout)


@pytest.fixture(scope="module")
def workload(tmp_path_factory):
    """Points, Dask input partitions and the single-threaded answers (which warm the disk cache)."""
    import pandas as pd

    tmp = tmp_path_factory.mktemp("threads")
    rng = np.random.default_rng(20261128)
    n = 200_000
    # half in the regional layer's box (many zones and coastlines), half anywhere (the coarse layer)
    lat = np.concatenate([rng.uniform(0, 60, n // 2), rng.uniform(-80, 80, n // 2)]).round(6)
    lon = np.concatenate([rng.uniform(90, 180, n // 2), rng.uniform(-180, 180, n // 2)]).round(6)
    np.savez(tmp / "points.npz", lat=lat, lon=lon)
    parts = tmp / "parts"
    parts.mkdir()
    for k in range(8):
        sl = slice(k * 10_000, (k + 1) * 10_000)
        pd.DataFrame({"id": np.arange(n)[sl], "lat": lat[sl], "lon": lon[sl]}).to_parquet(
            parts / f"part{k}.parquet", index=False)
    cache = Path(os.environ["EEZMAP_CACHE"])
    r = _script(tmp, "serial", cache)
    assert r.returncode == 0, r.stderr[-3000:]
    return tmp, cache


@pytest.mark.slow
@pytest.mark.parametrize("run", range(2))  # two fresh processes per mode, as before the restructure
@pytest.mark.parametrize("mode", ["threads", "threads-loaded"])
def test_many_threads_in_a_fresh_process(workload, mode, run):
    """16 threads at once on cold in-memory caches: exit 0, the single-threaded answers, one load per index.

    ``threads-loaded``: the layers are loaded first, so every thread shares their geometries.
    Two runs per mode (with the empty-cache run below, five fresh processes): shared prepared
    geometries, the bug this guards against, failed every fresh-process run (8 of 8).
    """
    tmp, cache = workload
    r = _script(tmp, mode, cache, n_threads=16, timeout=300)
    assert r.returncode == 0, (r.returncode, r.stdout[-3000:], r.stderr[-3000:])


@pytest.mark.slow
def test_many_threads_on_an_empty_cache(workload, tmp_path):
    """Cold disk cache too: the threads that ask for an index first together build it once."""
    tmp, _ = workload
    cache = tmp_path / "cache"
    r = _script(tmp, "threads", cache, n_threads=8, timeout=600)
    assert r.returncode == 0, (r.returncode, r.stdout[-3000:], r.stderr[-3000:])
    leftovers = [p.name for p in cache.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


# --- the pieces, in this process -------------------------------------------------------

def _zones(n=40, seed=5):
    """Overlapping discs of 512 vertices, some with a hole: enough for GEOS to index them."""
    rng = np.random.default_rng(seed)
    centres = shapely.points(rng.uniform(0, 20, n), rng.uniform(0, 20, n))
    discs = shapely.buffer(centres, rng.uniform(0.5, 2.5, n), quad_segs=128)
    holes = shapely.buffer(centres, 0.2, quad_segs=16)
    return np.where(np.arange(n) % 3 == 0, shapely.difference(discs, holes), discs)


def _reference(zones, lon, lat):
    """The plain loop of geo._grid's docstring, on copies of the zones (the originals stay unprepared)."""
    copies = shapely.from_wkb(shapely.to_wkb(zones))
    out = np.full(len(lon), -1, np.int32)
    for i in reversed(range(len(copies))):
        out[shapely.intersects_xy(copies[i], lon, lat)] = i
    return out


def _together(n, target):
    """Run target(k) in n threads started together; re-raise the first error."""
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def run(k):
        try:
            barrier.wait()
            results[k] = target(k)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def test_grid_index_shared_between_threads():
    """One index, 8 threads looking up at once: the plain loop's answers; the zones are never prepared."""
    from geo._grid import GridIndex

    zones = _zones()
    index = GridIndex.build(zones, max_depth=2)
    rng = np.random.default_rng(8)
    lon, lat = rng.uniform(-1, 21, 50_000), rng.uniform(-1, 21, 50_000)
    expected = _reference(zones, lon, lat)
    # first in this thread alone: a regression fails here rather than crashing the test run below
    np.testing.assert_array_equal(index.lookup(lon[:500], lat[:500]), expected[:500])
    assert not shapely.is_prepared(zones).any()
    for got in _together(8, lambda k: index.lookup(lon, lat)):
        np.testing.assert_array_equal(got, expected)
    assert not shapely.is_prepared(zones).any()


def test_grid_index_cached_by_threads_at_once(tmp_path):
    """Threads asking for one index on an empty cache: the same answers, one complete file, no temporary left."""
    from geo._grid import GridIndex

    zones = _zones(seed=6)
    rng = np.random.default_rng(9)
    lon, lat = rng.uniform(-1, 21, 20_000), rng.uniform(-1, 21, 20_000)
    expected = _reference(zones, lon, lat)
    GridIndex.cached(zones, "alone", tmp_path / "alone", max_depth=2).lookup(lon, lat)
    assert not shapely.is_prepared(zones).any()  # before the threads: a regression fails, not crashes
    found = _together(6, lambda k: GridIndex.cached(zones, "demo", tmp_path, max_depth=2).lookup(lon, lat))
    for got in found:
        np.testing.assert_array_equal(got, expected)
    files = [p for p in tmp_path.iterdir() if p.name != "alone"]
    assert [p.suffix for p in files] == [".npz"]
    np.testing.assert_array_equal(GridIndex.load(files[0], zones).lookup(lon, lat), expected)
    assert not shapely.is_prepared(zones).any()


def test_locator_loads_its_index_once(tmp_path, monkeypatch):
    """Threads that need a locator's index first, together: one load (or build), which all of them use."""
    from geo import _locator as Z
    from geo._grid import GridIndex

    monkeypatch.setenv("EEZMAP_CACHE", str(tmp_path))
    geoms = _zones(seed=7)
    rng = np.random.default_rng(10)
    lon, lat = rng.uniform(-1, 21, 5_000), rng.uniform(-1, 21, 5_000)
    expected = _reference(geoms, lon, lat)
    # in this thread alone first (a regression fails here rather than crashing the run): the index
    # and the direct test of a few points prepare nothing
    alone = Z._Locator(geoms, "test-locator")
    np.testing.assert_array_equal(alone.lookup(lon, lat), expected)
    np.testing.assert_array_equal(alone.lookup(lon[:10], lat[:10]), expected[:10])
    assert not shapely.is_prepared(geoms).any()
    calls = []
    cached = GridIndex.cached.__func__

    def counting(cls, *args, **kw):
        calls.append(1)
        time.sleep(0.2)  # a slow disk: every thread gets here before the first is done
        return cached(cls, *args, **kw)

    monkeypatch.setattr(GridIndex, "cached", classmethod(counting))
    locator = Z._Locator(geoms, "test-locator")
    for got in _together(8, lambda k: locator.lookup(lon, lat)):
        np.testing.assert_array_equal(got, expected)
    assert len(calls) == 1
    assert not shapely.is_prepared(geoms).any()


def test_layers_are_never_prepared():
    """After classify (index) and where (direct test), the layers' shared geometries are still unprepared."""
    import geo
    from geo.layers import land_for, load_land, load_zones, manifest

    rng = np.random.default_rng(12)
    geo.classify(rng.uniform(0, 60, 100_000), rng.uniform(90, 180, 100_000))
    geo.classify(rng.uniform(-80, 80, 100_000), rng.uniform(-180, 180, 100_000))
    for lat, lon in (ISLAND, (35.68, 139.77), (-21.0, 55.0), (10.0, -30.0)):
        geo.where(lat, lon)
    for layer_id in manifest().default_zones:
        zones = load_zones(layer_id)
        assert not shapely.is_prepared(zones.geometry).any(), layer_id
        _, land = load_land(land_for(zones.layer))
        assert not shapely.is_prepared(land).any(), layer_id


def test_once_computes_each_key_once():
    """geo._threads.once: threads asking for one key together get one computation; errors are not kept."""
    from geo._threads import once

    calls = []

    @once
    def slow(key):
        calls.append(key)
        time.sleep(0.1)
        if key == "bad" and calls.count("bad") == 1:
            raise ValueError("first try fails")
        return object()

    got = _together(8, lambda k: slow(k % 2))
    assert sorted(calls) == [0, 1]
    assert got[0] is got[2] is got[4] and got[1] is got[3]
    with pytest.raises(ValueError):
        slow("bad")
    assert slow("bad") is slow("bad")
    slow.cache_clear()
    slow(0)
    assert calls.count(0) == 2


def test_in_order_keeps_the_order_and_raises_for_the_item_that_failed():
    from geo._threads import in_order

    seen = set()

    def work(x):
        seen.add(threading.get_ident())
        time.sleep(0.02 if x % 2 == 0 else 0.0)  # the even items finish after the odd ones
        if x == 7:
            raise ValueError("seven")
        return x * 10

    got = []
    with pytest.raises(ValueError, match="seven"):
        for y in in_order(range(20), work, workers=2):
            got.append(y)
    assert got == [0, 10, 20, 30, 40, 50, 60]
    assert len(seen) == 2
    assert list(in_order([], work)) == []
