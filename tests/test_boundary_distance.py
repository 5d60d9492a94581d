"""Distance to the nearest boundary across the layer stack (issue 9, item 3).

The default answer comes from two layers: the regional v12 extract inside its
coverage box (90–180°E, 0–60°N), the coarse world v10 layer elsewhere.  The
boundaries a point is measured to are ONE fixed set, whatever the point:

* the v12 zone edges inside the box, except its edges along the box (the clip);
* the v10 zone edges outside the box, except its edges along ±180° (its cut);
* the box edge itself only where the answer changes across it.

The reference here is built independently of the code under test: the source
files in ../shared are read with geopandas, the lines are cut with shapely,
seams are found by testing points on both sides of the box edge every
0.0005°, everything is densified and measured vertex by vertex with
geographiclib (Karney's geodesic inverse).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pytest
import shapely
from _constants import SHARED as SHARED_DATA
from geographiclib.geodesic import Geodesic

from geo import where

SHARED = SHARED_DATA / "eez"
BOX = (90.0, 0.0, 180.0, 60.0)


@lru_cache(maxsize=1)
def _reference_layers():
    import geopandas as gpd

    v12 = gpd.read_file(SHARED / "mr_v12_eez_nw_pacific.geojson")
    v10 = gpd.read_file(SHARED / "mr_v10_eez_world_simplified.gpkg")
    g10 = v10.geometry.values
    bad = ~shapely.is_valid(g10)
    g10[bad] = shapely.make_valid(g10[bad])   # the manifest's repair_invalid for this layer
    g10 = np.array([shapely.unary_union([p for p in shapely.get_parts(g)
                                         if p.geom_type in ("Polygon", "MultiPolygon")])
                    if g.geom_type == "GeometryCollection" else g for g in g10], dtype=object)
    return (np.asarray(v12.geometry.values, dtype=object), v12["mrgid"].to_numpy(),
            g10, v10["MRGID"].to_numpy())


@lru_cache(maxsize=1)
def _reference_lines():
    g12, _, g10, _ = _reference_layers()
    box = shapely.box(*BOX)
    tiny = 1e-9
    lines12 = shapely.difference(shapely.union_all(shapely.boundary(g12)), box.exterior.buffer(tiny))
    # v10 is cut at ±180° a little loosely: its cut edges run at ±179.9999885
    meridians = shapely.MultiLineString([[(-180, -90), (-180, 90)], [(180, -90), (180, 90)]]).buffer(0.0011)
    lines10 = shapely.difference(shapely.union_all(shapely.boundary(g10)), box.buffer(tiny).union(meridians))
    return lines12, lines10


def _label(geoms, mrgids, x, y):
    out = np.full(len(x), -1, dtype=np.int64)
    b = shapely.bounds(geoms)
    near = (b[:, 0] <= x.max()) & (b[:, 2] >= x.min()) & (b[:, 1] <= y.max()) & (b[:, 3] >= y.min())
    for g, m in zip(geoms[near], mrgids[near]):
        hit = (out < 0) & shapely.intersects_xy(g, x, y)
        out[hit] = m
    return out


@lru_cache(maxsize=1)
def _reference_seams():
    """Points of the box edge where v12 inside and v10 outside name different zones."""
    g12, m12, g10, m10 = _reference_layers()
    w, s, e, n = BOX
    eps, step = 1e-6, 0.0005
    pts = []
    for fixed, lo, hi, horizontal, inward in [(s, w, e, True, +1), (n, w, e, True, -1),
                                              (w, s, n, False, +1), (e, s, n, False, -1)]:
        t = np.arange(lo, hi + step / 2, step)
        c = np.full_like(t, fixed)
        if horizontal:
            xi, yi, xo, yo = t, c + inward * eps, t, c - inward * eps
        else:
            xi, yi, xo, yo = c + inward * eps, t, c - inward * eps, t
        xo = (xo + 180.0) % 360.0 - 180.0
        differ = _label(g12, m12, xi, yi) != _label(g10, m10, xo, yo)
        x, y = (t, c) if horizontal else (c, t)
        pts.append(np.column_stack([x[differ], y[differ]]))
    return np.vstack(pts)


def _geodesic_min(lat, lon, xy):
    """Smallest geodesic distance (m) from the point to any of the (lon, lat) vertices."""
    if not len(xy):
        return math.inf, None
    c = math.cos(math.radians(lat))
    rough = np.hypot(((xy[:, 0] - lon + 180.0) % 360.0 - 180.0) * c, xy[:, 1] - lat)
    keep = np.flatnonzero(rough <= rough.min() * 1.2 + 0.02)
    g = Geodesic.WGS84
    best = min((g.Inverse(lat, lon, float(xy[i, 1]), float(xy[i, 0]))["s12"], i) for i in keep)
    return best[0], xy[best[1]]


def reference_distance_m(lat, lon):
    """Geodesic distance to the fixed boundary set, by densified lines and geographiclib."""
    lines12, lines10 = _reference_lines()
    window = shapely.box(lon - 8, lat - 8, lon + 8, lat + 8)
    best = math.inf
    for shift in (-360.0, 0.0, 360.0):  # the window seen one turn east and west, too
        win = shapely.affinity.translate(window, shift)
        for lines in (lines12, lines10):
            near = shapely.intersection(lines, win)
            if near.is_empty:
                continue
            xy = shapely.get_coordinates(shapely.segmentize(near, 0.0002))
            best = min(best, _geodesic_min(lat, lon, xy)[0])
    return min(best, _geodesic_min(lat, lon, _reference_seams())[0])


# --- the three reported cases ----------------------------------------------------------

@pytest.mark.slow   # the reference takes about 10 s
@pytest.mark.parametrize("lat,lon", [(30.0, 179.99), (0.001, 160.0), (-0.001, 160.0)])
def test_distance_to_boundary_matches_the_layer_stack_reference(lat, lon):
    ref = reference_distance_m(lat, lon)
    assert ref < 400e3  # the reference found a boundary in its window
    a = where(lat, lon)
    assert a.distance_to_boundary_km * 1000 == pytest.approx(ref, abs=2.0), a.nearest_boundary


def test_the_180_cut_of_the_regional_layer_is_no_boundary():
    # 10 m west of 180° in Hawaii's zone: the zone goes on east of 180° (v10 layer, same MRGID)
    a = where(30.0, 179.99)
    assert a.zone["mrgid"] == 8453
    assert a.nearest_boundary["across"] != "outside_coverage"
    assert a.distance_to_boundary_km > 50
    b = where(30.0, -179.99)   # 0.02° further east, answered by the world layer
    step_km = Geodesic.WGS84.Inverse(30.0, 179.99, 30.0, -179.99)["s12"] / 1000
    assert b.layer.id != a.layer.id
    assert abs(a.distance_to_boundary_km - b.distance_to_boundary_km) <= step_km + 0.001


def test_distance_is_continuous_across_the_equator_edge_of_the_box():
    a, b = where(0.001, 160.0), where(-0.001, 160.0)
    assert a.layer.id != b.layer.id   # answered by different layers
    step_km = Geodesic.WGS84.Inverse(0.001, 160.0, -0.001, 160.0)["s12"] / 1000
    assert abs(a.distance_to_boundary_km - b.distance_to_boundary_km) <= step_km + 0.001
    # both see the same nearest boundary, the v10 Papua New Guinea zone south of the equator
    assert a.nearest_boundary["across"]["mrgid"] == b.nearest_boundary["across"]["mrgid"] == 8324


def test_a_box_edge_where_the_answer_changes_is_a_boundary_and_the_answering_layer_says_what_is_across():
    # just north of the equator at 152.52°E the v12 layer has Micronesia, just south the v10
    # layer Papua New Guinea (the layers put their PNG/FSM boundary 0.04° apart)
    g12, m12, g10, m10 = _reference_layers()
    x = np.array([152.52])
    assert _label(g12, m12, x, np.array([1e-6]))[0] == 8316
    assert _label(g10, m10, x, np.array([-1e-6]))[0] == 8324
    to_equator_km = Geodesic.WGS84.Inverse(0.01, 152.52, 0.0, 152.52)["s12"] / 1000
    north, south = where(0.01, 152.52), where(-0.01, 152.52)
    assert (north.zone["mrgid"], south.zone["mrgid"]) == (8316, 8324)
    for a in (north, south):
        assert a.distance_to_boundary_km == pytest.approx(to_equator_km, abs=0.001)
        assert a.nearest_boundary["lat"] == pytest.approx(0.0, abs=1e-7)
    assert north.nearest_boundary["across"]["mrgid"] == 8324   # from the v10 layer south of it
    assert south.nearest_boundary["across"]["mrgid"] == 8316   # from the v12 layer north of it


# --- what geometry guarantees: the distance to a fixed set is 1-Lipschitz -----------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# lines a path crosses: (kind, value of the fixed coordinate, range along it)
_CROSSINGS = [
    ("lat", 0.0, (90.0, 180.0)),     # the box's south edge (the equator)
    ("lat", 0.0, (-40.0, 90.0)),     # the equator outside the box
    ("lat", 60.0, (90.0, 180.0)),    # the box's north edge
    ("lon", 90.0, (0.0, 60.0)),      # the box's west edge
    ("lon", 180.0, (0.0, 60.0)),     # the box's east edge, on the antimeridian
    ("lon", 180.0, (-60.0, 0.0)),    # the antimeridian south of the box
]


@st.composite
def _paths(draw):
    kind, value, (lo, hi) = draw(st.sampled_from(_CROSSINGS))
    along = draw(st.floats(lo, hi))
    # offsets across the line: at least one on each side, some exactly on it
    side = st.floats(1e-7, 0.05) | st.sampled_from([1e-9, 0.001, 0.01])
    across = [-draw(side), draw(side)] + draw(st.lists(st.floats(-0.05, 0.05) | st.just(0.0), max_size=3))
    across = sorted(across) if draw(st.booleans()) else sorted(across, reverse=True)
    points = []
    for off in across:
        t = along + draw(st.floats(-0.01, 0.01))
        lat, lon = (value + off, t) if kind == "lat" else (t, value + off)
        points.append((max(-90.0, min(90.0, lat)), lon))   # longitudes past 180 are 0–360 input
    return points


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_paths(), st.sampled_from([None, None, ["mr-v12-eez-nw-pacific"], ["mr-v10-eez-world"]]))
def test_distance_to_boundary_changes_no_faster_than_the_point_moves(path, layers):
    d = []
    for lat, lon in path:
        a = where(lat, lon, layers=layers)
        if layers is None:   # the default layers cover the whole Earth
            assert a.distance_to_boundary_km is not None, (lat, lon)
        d.append(None if a.distance_to_boundary_km is None else a.distance_to_boundary_km * 1000)
    for (p, dp), (q, dq) in zip(zip(path, d), zip(path[1:], d[1:])):
        if dp is None or dq is None:   # outside the coverage of the one layer asked for
            continue
        step = Geodesic.WGS84.Inverse(p[0], p[1], q[0], q[1])["s12"]
        assert abs(dp - dq) <= step + 1.0, (p, q, dp, dq, step, layers)
