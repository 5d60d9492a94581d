"""The batch boundary-distance engine (geo.boundary, issue 12).

Its answers are checked against two independent computations:

* the single-point method of geo.geodesy (planar pre-filter over every edge,
  sampling, golden-section search on each edge's parameter), run here over
  the whole fixed boundary set of the default layer stack, to 1 mm;
* the densified geographiclib reference of tests/test_boundary_distance.py
  (the source files read with geopandas, vertices every 0.0002°), to 1 m.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

import geo
from geo import _stack
from geo.geodesy import nearest_segment_point


def _sample() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(12)
    lat, lon = [rng.uniform(15, 50, 60)], [rng.uniform(120, 160, 60)]       # the NW Pacific
    lat.append(rng.uniform(-70, 70, 40))
    lon.append(rng.uniform(-180, 180, 40))                                  # worldwide
    k = 16
    off = rng.choice([-1, 1], k) * 10 ** rng.uniform(-6, -1, k)             # 0.1 m .. 10 km off the line
    lat.append(rng.uniform(-55, 60, k))
    lon.append(180.0 + off)                                                 # the antimeridian (0-360 input)
    lat.append(0.0 + off)
    lon.append(rng.uniform(90, 180, k))                                     # the box's south edge (equator)
    lat.append(60.0 + off)
    lon.append(rng.uniform(90, 180, k))                                     # its north edge
    lat.append(rng.uniform(0, 60, k))
    lon.append(90.0 + off)                                                  # its west edge
    return np.concatenate(lat), np.concatenate(lon)


def _fixed_set() -> np.ndarray:
    stack = _stack.boundary_stack("mr-v12-eez-nw-pacific", None)
    parts = [_stack.effective_edges(stack, j) for j in range(len(stack))]
    parts += [_stack.seams(stack, j) for j in range(len(stack))]
    return np.vstack([p for p in parts if len(p)])


def _in_a_big_batch(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray, slice]:
    """The points in the middle of 40,000 others: several chunks, two threads, the float32 columns."""
    rng = np.random.default_rng(5)
    k = 20_000
    fill_lat, fill_lon = rng.uniform(-80, 80, 2 * k), rng.uniform(-180, 180, 2 * k)
    return (np.r_[fill_lat[:k], lat, fill_lat[k:]], np.r_[fill_lon[:k], lon, fill_lon[k:]],
            slice(k, k + len(lat)))


@pytest.mark.slow   # the golden-section reference over 160k edges: about 15 s
@pytest.mark.parametrize("batch", ["alone", "in a big batch"])
def test_batch_distances_equal_the_single_point_method_to_a_millimetre(batch):
    lat, lon = _sample()
    if batch == "alone":
        r = geo.boundary_distance(lat, lon, across=False)
    else:
        big_lat, big_lon, part = _in_a_big_batch(lat, lon)
        big = geo.boundary_distance(big_lat, big_lon, across=False)
        r = type(big)(big.km[part], big.lat[part], big.lon[part], big.across[part])
    segs = _fixed_set()
    g = Geodesic.WGS84
    for i in range(len(lat)):
        x = (lon[i] + 180.0) % 360.0 - 180.0
        ref = nearest_segment_point(lat[i], x, segs)
        assert r.km[i] * 1000 == pytest.approx(ref.metres, abs=1e-3), (lat[i], lon[i])
        # the point given is on the boundary at that distance (geographiclib)
        s = g.Inverse(lat[i], lon[i], r.lat[i], r.lon[i])["s12"]
        assert s == pytest.approx(r.km[i] * 1000, abs=1e-3)


def test_batch_distances_equal_where_and_say_the_same_across():
    lat = np.array([22.0, 30.0, 30.0, 0.01, -0.01, 35.0, 59.99, 45.0])
    lon = np.array([153.8, 179.99, -179.99, 152.52, 152.52, 139.9, 150.0, 90.01])
    r = geo.boundary_distance(lat, lon)
    for i in range(len(lat)):
        a = geo.where(float(lat[i]), float(lon[i]))
        assert r.km[i] == pytest.approx(a.distance_to_boundary_km, abs=1e-6)
        across = a.nearest_boundary["across"]
        want = f"{across['mrgid']}:{across['name']}" if isinstance(across, dict) else (across or "")
        assert r.across[i] == want


def test_an_answer_does_not_depend_on_the_batch_it_is_in():
    # a few points take the arrays' own values; a big batch, float32 copies of them on two threads
    lat, lon = _sample()
    alone = geo.boundary_distance(lat, lon)
    big_lat, big_lon, part = _in_a_big_batch(lat, lon)
    big = geo.boundary_distance(big_lat, big_lon)
    for a, b in ((alone.km, big.km[part]), (alone.lat, big.lat[part]), (alone.lon, big.lon[part])):
        assert np.array_equal(a, b, equal_nan=True)
    assert list(alone.across) == list(big.across[part])


def test_continuous_across_the_antimeridian_and_the_box_edges():
    # a point moved by a step changes its distance by at most that step (1-Lipschitz)
    g = Geodesic.WGS84
    pairs = [((30.0, 179.9999), (30.0, -179.9999)), ((0.00001, 160.0), (-0.00001, 160.0)),
             ((59.99999, 170.0), (60.00001, 170.0)), ((30.0, 89.99999), (30.0, 90.00001)),
             ((-40.0, 179.99999), (-40.0, 180.00001))]
    for (la, lo), (lb, lb_lon) in pairs:
        r = geo.boundary_distance([la, lb], [lo, lb_lon], across=False)
        step = g.Inverse(la, lo, lb, lb_lon)["s12"]
        assert abs(r.km[0] - r.km[1]) * 1000 <= step + 1e-3, (la, lo, r.km)


def test_bad_points_give_nan_and_scalars_work():
    r = geo.boundary_distance([float("nan"), 95.0, 22.0], [150.0, 150.0, 400.0])
    assert np.isnan(r.km).all() and list(r.across) == ["", "", ""]
    one = geo.boundary_distance(22.0, 153.8)
    assert len(one.km) == 1 and math.isfinite(one.km[0])


@pytest.mark.slow   # the densified reference: about 10 s a point
@pytest.mark.parametrize("lat,lon", [(35.3, 146.1), (22.0, 153.8), (-12.0, -140.0)])
def test_within_a_metre_of_the_densified_geographiclib_reference(lat, lon):
    from test_boundary_distance import reference_distance_m

    ref = reference_distance_m(lat, lon)
    assert ref < 1e6
    assert geo.boundary_distance([lat], [lon], across=False).km[0] * 1000 == pytest.approx(ref, abs=1.0)


@pytest.mark.parametrize("lat,lon", [(-52.0, -144.0), (-49.5, -120.0), (-52.5, -130.0)])
def test_far_from_a_high_latitude_boundary_the_refinement_reaches_the_minimum(lat, lon):
    # ~2,000 km north of the Antarctic boundary near 70°S: along an edge straight in
    # lon/lat that far south, the distance curves about twice as much as along a
    # geodesic, so a Newton step made for a geodesic overshoots and barely converges
    # (review of issue 12: was 0.28 m long, its point 0.8 km from the foot)
    ref = nearest_segment_point(lat, lon, _fixed_set())
    r = geo.boundary_distance([lat], [lon], across=False)
    assert r.km[0] * 1000 == pytest.approx(ref.metres, abs=1e-3)
    off = Geodesic.WGS84.Inverse(ref.lat, ref.lon, float(r.lat[0]), float(r.lon[0]))["s12"]
    assert off < 1.0


def test_points_on_the_boundary_are_at_zero_distance():
    # points on boundary edges (straight in lon/lat) and at their vertices: the distance is 0 and
    # the point given is the point itself (review of issue 12: a refinement stepping by secants of
    # the slope, which turns over at the foot, stopped up to 8 km off)
    segs = _fixed_set()
    rng = np.random.default_rng(3)
    k = rng.choice(len(segs), 300, replace=False)
    t = np.r_[rng.uniform(0, 1, 250), np.zeros(50)]
    lat = segs[k, 1] + t * (segs[k, 3] - segs[k, 1])
    lon = segs[k, 0] + t * (segs[k, 2] - segs[k, 0])
    r = geo.boundary_distance(lat, lon, across=False)
    assert np.nanmax(r.km) * 1000 < 1e-3
    assert np.max(np.abs(r.lat - lat)) < 1e-7 and np.max(np.abs(r.lon - lon)) < 1e-7
