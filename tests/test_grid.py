"""The grid index against the plain shapely loop, point for point.

The reference below is the definition of the answer (closed polygons, the
lowest index on a shared edge, -1 for none); it is written here, independent
of :mod:`geo._grid`, and runs on its own copies of the geometries so that
nothing the index does to them (preparing) can leak into it.  Every test
demands zero disagreements.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest
import shapely
from _constants import SHARED

from geo._grid import GridIndex, StaleCacheError

ROOT = Path(__file__).resolve().parent.parent
LAYER = ROOT / "layers" / "mr_v12_eez_nw_pacific.geojson"
if not LAYER.is_file():  # pragma: no cover - a checkout without bundled layers
    LAYER = SHARED / "eez" / "mr_v12_eez_nw_pacific.geojson"

OFFSETS = (1e-9, 1e-6)


def reference_lookup(geoms, lon, lat):
    """Index of the zone whose closed polygon covers the point; lowest index wins; -1 if none."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    out = np.full(len(lon), -1, np.int32)
    for i in reversed(range(len(geoms))):
        hit = shapely.intersects_xy(geoms[i], lon, lat)  # intersects == covers for a point
        out[hit] = i
    return out


def _read_layer(path: Path):
    with open(path, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    geoms = np.array([shapely.from_geojson(json.dumps(f["geometry"])) for f in features], dtype=object)
    props = [f["properties"] for f in features]
    return geoms, props


@pytest.fixture(scope="module")
def layer():
    geoms, props = _read_layer(LAYER)
    assert len(geoms) == 35 and shapely.is_valid(geoms).all()
    return geoms, props


@pytest.fixture(scope="module")
def ref_geoms(layer):
    """An independent copy for the reference (prepared: same predicate, 100x faster)."""
    copy = shapely.from_wkb(shapely.to_wkb(layer[0]))
    shapely.prepare(copy)
    return copy


@pytest.fixture(scope="module")
def index(layer):
    """The index over the real, full layer with the default settings."""
    geoms = shapely.from_wkb(shapely.to_wkb(layer[0]))
    return GridIndex.build(geoms)


def assert_agrees(index, ref_geoms, lon, lat):
    lon = np.ascontiguousarray(lon, dtype=float)
    lat = np.ascontiguousarray(lat, dtype=float)
    got = index.lookup(lon, lat)
    want = reference_lookup(ref_geoms, lon, lat)
    assert got.dtype == np.int32 and got.shape == lon.shape
    bad = np.flatnonzero(got != want)
    assert not len(bad), (
        f"{len(bad)} of {len(lon)} disagree, e.g. ({lon[bad[0]]!r}, {lat[bad[0]]!r}): "
        f"index {got[bad[0]]}, reference {want[bad[0]]}")
    return want


def _rings(geoms):
    """(zone index, ring coordinates) for every exterior and interior ring."""
    for i, g in enumerate(geoms):
        for part in shapely.get_parts(g):
            for ring in shapely.get_rings(part):
                yield i, shapely.get_coordinates(ring)


def _edge_points(coords, ts):
    a, b = coords[:-1], coords[1:]
    return np.concatenate([a + t * (b - a) for t in ts])


def _offsets(xy, d):
    dirs = np.array([(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1)], float)
    return (xy[:, None, :] + d * dirs[None, :, :]).reshape(-1, 2)


# --- exactness on the real layer --------------------------------------------------

@pytest.mark.slow
def test_random_points_over_the_whole_bounds(index, ref_geoms):
    rng = np.random.default_rng(12345)
    lon = rng.uniform(90, 180, 200_000)
    lat = rng.uniform(0, 60, 200_000)
    want = assert_agrees(index, ref_geoms, lon, lat)
    assert (want >= 0).mean() > 0.3 and (want == -1).mean() > 0.05  # both kinds exercised


def test_points_exactly_on_vertices(index, ref_geoms, layer):
    geoms = layer[0]
    per_zone = [shapely.get_coordinates(g) for g in geoms]
    xy = np.concatenate(per_zone)
    zone = np.repeat(np.arange(len(geoms)), [len(c) for c in per_zone])
    assert len(xy) > 130_000
    want = assert_agrees(index, ref_geoms, xy[:, 0], xy[:, 1])
    # independent of any code: a vertex of zone i is covered by zone i
    assert (want >= 0).all() and (want <= zone).all()
    assert (want < zone).sum() > 100  # shared vertices resolved to the lower index


def test_points_on_edges(index, ref_geoms, layer):
    xy = np.concatenate([_edge_points(c, (0.5, 0.25, 1 / 3, 0.9)) for _, c in _rings(layer[0])])
    want = assert_agrees(index, ref_geoms, xy[:, 0], xy[:, 1])
    assert (want >= 0).mean() > 0.5  # interpolation puts many a hair outside: the reference decides


def test_points_a_hair_off_vertices(index, ref_geoms, layer):
    xy = shapely.get_coordinates(layer[0])[::3]
    for d in OFFSETS:
        pts = _offsets(xy, d)
        want = assert_agrees(index, ref_geoms, pts[:, 0], pts[:, 1])
        assert (want == -1).any() and (want >= 0).any()


def test_points_a_hair_off_edges(index, ref_geoms, layer):
    mids, normals = [], []
    for _, c in _rings(layer[0]):
        a, b = c[:-1], c[1:]
        d = b - a
        length = np.hypot(d[:, 0], d[:, 1])
        ok = length > 0
        mids.append(((a + b) / 2)[ok])
        normals.append((np.c_[-d[:, 1], d[:, 0]] / length[:, None])[ok])
    mid, nrm = np.concatenate(mids), np.concatenate(normals)
    for d in OFFSETS:
        for sign in (1, -1):
            pts = mid + sign * d * nrm
            assert_agrees(index, ref_geoms, pts[:, 0], pts[:, 1])
        pts = _offsets(mid[::4], d)
        assert_agrees(index, ref_geoms, pts[:, 0], pts[:, 1])


def test_holes(index, ref_geoms, layer):
    geoms = layer[0]
    inside, ring_xy, owner = [], [], []
    for i, g in enumerate(geoms):
        for part in shapely.get_parts(g):
            for hole in part.interiors:
                coords = shapely.get_coordinates(hole)
                ring_xy.append(coords)
                inside.append(shapely.get_coordinates(shapely.point_on_surface(shapely.Polygon(hole)))[0])
                owner.append(i)
    assert len(inside) > 1000
    inside = np.array(inside)
    want = assert_agrees(index, ref_geoms, inside[:, 0], inside[:, 1])
    # a point inside a hole is (but for the few holes holding another part of the same
    # zone) not in the zone with the hole
    assert (want != np.array(owner)).mean() > 0.95
    ring = np.concatenate(ring_xy)
    assert_agrees(index, ref_geoms, ring[:, 0], ring[:, 1])
    for d in OFFSETS:
        pts = _offsets(ring, d)
        assert_agrees(index, ref_geoms, pts[:, 0], pts[:, 1])


def test_overlapping_claims_and_joint_regimes(index, ref_geoms, layer):
    geoms, props = layer
    special = [i for i, p in enumerate(props)
               if p["pol_type"] in ("Overlapping claim", "Joint regime")]
    assert len(special) >= 8
    rng = np.random.default_rng(7)
    shared = 0
    for i in special:
        x0, y0, x1, y1 = shapely.bounds(geoms[i])
        lon, lat = rng.uniform(x0, x1, 20_000), rng.uniform(y0, y1, 20_000)
        want = assert_agrees(index, ref_geoms, lon, lat)
        assert (want == i).any()
        xy = shapely.get_coordinates(geoms[i])
        edges = np.concatenate([_edge_points(c, (0.5, 0.3)) for _, c in _rings([geoms[i]])])
        pts = np.concatenate([xy, edges, _offsets(xy, 1e-9), _offsets(edges, 1e-9)])
        assert_agrees(index, ref_geoms, pts[:, 0], pts[:, 1])
        # the edges shared with neighbours: covered by two zones, the lower index answers
        n_cover = sum(shapely.intersects_xy(g, xy[:, 0], xy[:, 1]).astype(int) for g in ref_geoms)
        shared += int((n_cover >= 2).sum())
    assert shared > 100


def test_points_on_cell_boundaries(index, ref_geoms):
    st = index.stats
    size, fine = st["cell_size"], st["finest_cell_size"]
    ny, nx = st["base_shape"]
    x0, y0 = st["origin"]
    assert (x0, y0) == (90.0, 0.0)  # the union bounds of the layer
    rng = np.random.default_rng(3)
    for step, n in ((size, 100_000), (fine, 200_000)):
        kx = rng.integers(0, int(round(nx * size / step)) + 1, n)
        ky = rng.integers(0, int(round(ny * size / step)) + 1, n)
        gx, gy = x0 + kx * step, y0 + ky * step
        free = rng.uniform(0, 1, n)
        lon = np.concatenate([gx, gx, 90 + 90 * free])
        lat = np.concatenate([gy, 60 * free, gy])
        assert_agrees(index, ref_geoms, lon, lat)
        for d in (1e-12, 1e-9):  # either side of a grid line
            assert_agrees(index, ref_geoms, np.r_[gx - d, gx + d], np.r_[gy + d, gy - d])


def test_points_on_the_vertex_lattice(index, ref_geoms):
    # the layer is rounded to 0.001 degree: lattice points hit vertices and axis-parallel edges
    rng = np.random.default_rng(11)
    lon = rng.integers(90_000, 180_001, 300_000) / 1000
    lat = rng.integers(0, 60_001, 300_000) / 1000
    assert_agrees(index, ref_geoms, lon, lat)


def test_nan_and_infinite_coordinates(index, ref_geoms):
    nan, inf = float("nan"), float("inf")
    lon = np.array([nan, 153.98, nan, 140.0, inf, -inf, 140.0, nan, 153.98])
    lat = np.array([24.29, nan, nan, inf, 35.0, 35.0, -inf, 0.0, 24.29])
    got = index.lookup(lon, lat)
    assert got[:8].tolist() == [-1] * 8
    assert got[8] == reference_lookup(ref_geoms, lon[8:], lat[8:])[0] >= 0
    assert index.lookup(nan, nan).item() == -1


def test_points_outside_and_on_the_bounds(index, ref_geoms):
    rng = np.random.default_rng(5)
    n = 20_000
    lon = np.concatenate([rng.uniform(-180, 89.999, n), rng.uniform(180.0, 181, n),
                          rng.uniform(90, 180, n), rng.uniform(90, 180, n),
                          np.full(n, 90.0), np.full(n, 180.0), rng.uniform(90, 180, 2 * n),
                          [90.0, 90.0, 180.0, 180.0, np.nextafter(90.0, 0), np.nextafter(180.0, 200)]])
    lat = np.concatenate([rng.uniform(-90, 90, n), rng.uniform(-90, 90, n),
                          rng.uniform(-90, -1e-12, n), rng.uniform(60.0000001, 90, n),
                          rng.uniform(0, 60, n), rng.uniform(0, 60, n),
                          np.r_[np.zeros(n), np.full(n, 60.0)],
                          [0.0, 60.0, 0.0, 60.0, 30.0, 30.0]])
    want = assert_agrees(index, ref_geoms, lon, lat)
    assert (want[: 4 * n] == -1).all()


def test_shapes_and_scalars(index, ref_geoms):
    assert index.lookup(153.98, 24.29).shape == ()
    lon = np.linspace(120, 160, 60).reshape(3, 4, 5)
    lat = np.linspace(15, 50, 60).reshape(3, 4, 5)
    got = index.lookup(lon, lat)
    assert got.shape == (3, 4, 5)
    assert (got.ravel() == reference_lookup(ref_geoms, lon.ravel(), lat.ravel())).all()
    assert index.lookup([], []).shape == (0,)
    assert index.lookup(lon.ravel().tolist(), 30.0).shape == (60,)  # broadcast


def test_unprepared_reference_agrees_too(index, layer):
    # the prepared reference copies answer like plain geometries: check a sample against those
    plain = shapely.from_wkb(shapely.to_wkb(layer[0]))
    xy = shapely.get_coordinates(layer[0])[::40]
    edges = np.concatenate([_edge_points(c[::40], (0.5,)) for _, c in _rings(layer[0])])
    pts = np.concatenate([xy, edges, _offsets(xy[::4], 1e-9)])
    got = index.lookup(pts[:, 0], pts[:, 1])
    assert (got == reference_lookup(plain, pts[:, 0], pts[:, 1])).all()


def test_mixed_fraction_is_small(index):
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(120, 160, 200_000), rng.uniform(15, 50, 200_000)
    assert index.mixed_mask(lon, lat).mean() < 0.02


# --- other layouts: smaller bounds, odd cell sizes, overlapping zones --------------

@pytest.fixture(scope="module")
def subset(layer):
    """A handful of real zones around Japan, small enough to build in a moment."""
    geoms, props = layer
    wanted = {"Japanese Exclusive Economic Zone", "Overlapping claim Kuril Islands: Japan / Russia",
              "Overlapping claim Liancourt Rocks: Japan / South Korea",
              "Joint regime area: South Korea / Japan", "South Korean Exclusive Economic Zone"}
    sel = [i for i, p in enumerate(props) if p["geoname"] in wanted]
    assert len(sel) == len(wanted)
    return geoms[sel]


def _dense_sample(geoms, n, seed):
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    xy = shapely.get_coordinates(geoms)
    pts = np.concatenate([np.c_[rng.uniform(x0 - 1, x1 + 1, n), rng.uniform(y0 - 1, y1 + 1, n)],
                          xy, _offsets(xy[::5], 1e-9)])
    return pts[:, 0], pts[:, 1]


@pytest.mark.parametrize("options", [
    {"cell_size": 0.3, "max_depth": 3},             # not a power of two: rounding in cell ids
    {"cell_size": 1 / 3, "max_depth": 0},           # no refinement at all
    {"bounds": (128.0, 30.0, 140.0, 40.0), "cell_size": 0.5, "max_depth": 3},  # grid smaller than zones
    {"bounds": (100.0, 0.0, 180.0, 60.0), "cell_size": 0.5, "max_depth": 2},   # grid larger
])
def test_other_grid_layouts_stay_exact(subset, options):
    ref = shapely.from_wkb(shapely.to_wkb(subset))
    shapely.prepare(ref)
    index = GridIndex.build(shapely.from_wkb(shapely.to_wkb(subset)), **options)
    lon, lat = _dense_sample(subset, 100_000, seed=1)
    got = index.lookup(lon, lat)
    assert (got == reference_lookup(ref, lon, lat)).all()


def test_overlapping_zones_lowest_index_wins():
    big = shapely.box(0, 0, 10, 10)
    hole = shapely.Polygon(shapely.get_coordinates(shapely.box(0, 0, 10, 10).exterior),
                           [shapely.get_coordinates(shapely.box(4, 4, 6, 6).exterior)])
    geoms = [shapely.box(2, 2, 3, 3), hole, big, shapely.box(5, 5, 12, 12), None,
             shapely.Polygon(), shapely.buffer(shapely.Point(8, 8), 1.5)]
    index = GridIndex.build(geoms, cell_size=1.0, max_depth=3)
    rng = np.random.default_rng(2)
    lon = np.concatenate([rng.uniform(-1, 13, 50_000), np.arange(-1, 13.5, 0.5).repeat(29)])
    lat = np.concatenate([rng.uniform(-1, 13, 50_000), np.tile(np.arange(-1, 13.5, 0.5), 29)])
    ref = [g if g is not None else shapely.Polygon() for g in geoms]
    assert (index.lookup(lon, lat) == reference_lookup(ref, lon, lat)).all()
    assert index.lookup([2.5, 5.0, 8.0, 11.0, 4.0, 6.0], [2.5, 5.0, 8.0, 11.0, 5.0, 6.0]).tolist() == [0, 2, 1, 3, 1, 1]
    # (2.5, 2.5): in 0, 1 and 2; (5, 5): in the hole of 1, so 2; (8, 8): 1 (over 2, 6);
    # (11, 11): only 3; (4, 5) and (6, 6): on the hole's ring, which belongs to 1


def test_no_geometries():
    index = GridIndex.build([None, shapely.Polygon()])
    assert index.lookup([0.0, 1.0, np.nan], [0.0, 2.0, 1.0]).tolist() == [-1, -1, -1]


# --- the cache ------------------------------------------------------------------

def test_save_load_round_trip(index, layer, ref_geoms, tmp_path):
    path = tmp_path / "eez.npz"
    index.save(path, key="k1")
    assert [p.name for p in tmp_path.iterdir()] == ["eez.npz"]  # no temporary left behind
    geoms = shapely.from_wkb(shapely.to_wkb(layer[0]))
    t0 = time.perf_counter()
    loaded = GridIndex.load(path, geoms, key="k1")
    assert time.perf_counter() - t0 < 0.5  # about 0.02 s; generous for a busy machine
    assert loaded.key == "k1"
    rng = np.random.default_rng(9)
    lon, lat = rng.uniform(90, 180, 200_000), rng.uniform(0, 60, 200_000)
    xy = shapely.get_coordinates(layer[0])
    lon, lat = np.r_[lon, xy[:, 0]], np.r_[lat, xy[:, 1]]
    assert (loaded.lookup(lon, lat) == index.lookup(lon, lat)).all()
    assert_agrees(loaded, ref_geoms, lon, lat)
    with np.load(path, allow_pickle=False) as npz:  # plain arrays, no pickles
        assert all(npz[name].dtype != object for name in npz.files)
    with pytest.raises(StaleCacheError):
        GridIndex.load(path, geoms, key="other")
    with pytest.raises(StaleCacheError):
        GridIndex.load(path, geoms[:-1])  # other geometries
    with pytest.raises(OSError):
        GridIndex.load(tmp_path / "missing.npz", geoms)


class _Counting:
    """Counts GridIndex.build calls made through GridIndex.cached."""

    def __init__(self, monkeypatch):
        self.calls = 0
        real = GridIndex.build.__func__

        def build(cls, *args, **kwargs):
            self.calls += 1
            return real(cls, *args, **kwargs)

        monkeypatch.setattr(GridIndex, "build", classmethod(build))


def test_cached_builds_once_then_loads(subset, tmp_path, monkeypatch):
    counter = _Counting(monkeypatch)
    ref = shapely.from_wkb(shapely.to_wkb(subset))
    a = GridIndex.cached(subset, "sha:zones", tmp_path, max_depth=2)
    b = GridIndex.cached(subset, "sha:zones", tmp_path, max_depth=2)
    assert counter.calls == 1
    assert len(list(tmp_path.glob("*.npz"))) == 1
    lon, lat = _dense_sample(subset, 20_000, seed=4)
    want = reference_lookup(ref, lon, lat)
    assert (a.lookup(lon, lat) == want).all() and (b.lookup(lon, lat) == want).all()
    GridIndex.cached(subset, "sha:filled", tmp_path, max_depth=2)  # another key, another file
    assert counter.calls == 2 and len(list(tmp_path.glob("*.npz"))) == 2


def test_cached_rebuilds_on_a_wrong_key(subset, tmp_path, monkeypatch):
    first = GridIndex.cached(subset, "old", tmp_path, max_depth=2)
    (path,) = tmp_path.glob("*.npz")
    first.save(path, key="something else")  # a file under the right name with the wrong key
    counter = _Counting(monkeypatch)
    again = GridIndex.cached(subset, "old", tmp_path, max_depth=2)
    assert counter.calls == 1
    assert again.key.startswith("old")
    with np.load(path, allow_pickle=False) as npz:  # and the file was rewritten
        assert str(npz["key"]) == again.key


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip", "empty", "pickle", "codes", "tree"])
def test_cached_rebuilds_a_damaged_file(subset, tmp_path, monkeypatch, damage):
    GridIndex.cached(subset, "k", tmp_path, max_depth=2)
    (path,) = tmp_path.glob("*.npz")
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(os.urandom(len(data)))
    elif damage == "flip":  # a flipped byte in the middle of an array: CRC error
        mid = len(data) // 2
        path.write_bytes(data[:mid] + bytes([data[mid] ^ 0xFF]) + data[mid + 1:])
    elif damage == "empty":
        path.write_bytes(b"")
    else:  # a well-formed zip whose arrays are not a sound index
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        if damage == "pickle":  # an object array that could only be read by unpickling
            arrays["base"] = np.array([object()] * 4, dtype=object)
        elif damage == "codes":  # a code naming a block that does not exist
            arrays["base"].flat[0] = -2 - arrays["step_nodes"][0]
        else:  # blocks of another size than the tree says
            arrays["blocks"] = arrays["blocks"][:-1]
        with open(path, "wb") as fh:
            np.savez(fh, **arrays)
    counter = _Counting(monkeypatch)
    index = GridIndex.cached(subset, "k", tmp_path, max_depth=2)
    assert counter.calls == 1
    lon, lat = _dense_sample(subset, 5_000, seed=8)
    ref = shapely.from_wkb(shapely.to_wkb(subset))
    assert (index.lookup(lon, lat) == reference_lookup(ref, lon, lat)).all()
    GridIndex.load(path, subset)  # the rebuilt file is sound


def test_cached_survives_a_read_only_cache_dir(subset, tmp_path):
    target = tmp_path / "not-a-dir"
    target.write_text("a file where the cache directory should be")
    index = GridIndex.cached(subset, "k", target, max_depth=1)
    assert index.lookup(135.0, 30.0).item() == reference_lookup(
        shapely.from_wkb(shapely.to_wkb(subset)), [135.0], [30.0])[0]


def test_module_imports_only_numpy_and_shapely():
    import ast
    import sys

    tree = ast.parse((ROOT / "geo" / "_grid.py").read_text(encoding="utf-8"))
    names = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
    names |= {node.module.split(".")[0] for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module and node.level == 0}
    third_party = {n for n in names if n not in sys.stdlib_module_names}
    assert third_party == {"numpy", "shapely"}
