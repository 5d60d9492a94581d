"""Distances against geographiclib (independent of pyproj), boundary distances
against a densify-and-measure reference built here with geographiclib."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from _constants import ISLAND
from geographiclib.geodesic import Geodesic

from geo.geodesy import EEZ_LIMIT_M, NM, circle, distance, geodesic_area_m2, nearest_boundary_point
from geo.layers import load_zones

G = Geodesic.WGS84

PAIRS = [
    (ISLAND, (22.025, 153.808335)),     # island -> mud-area centre
    (ISLAND, (23.3255, 155.0176)),      # island -> Chikyu (approx.)
    ((35.6895, 139.6917), ISLAND),      # Tokyo -> island (~1,867 km in SITES_FACTS)
    ((-33.9, 18.4), (35.0, 139.0)),                    # Cape Town -> Japan, long line
    ((0.0, 0.0), (0.5, 179.7)),                        # nearly antipodal
    ((89.9, 10.0), (-89.9, -170.0)),
    ((24.3, 179.9), (24.3, -179.9)),                   # across the antimeridian
]


@pytest.mark.parametrize("a,b", PAIRS)
def test_distance_matches_geographiclib(a, b):
    ref = G.Inverse(a[0], a[1], b[0], b[1])
    d = distance(a, b)
    assert d.metres == pytest.approx(ref["s12"], abs=1e-3)
    assert d.nm == pytest.approx(ref["s12"] / 1852.0, abs=1e-6)
    assert (d.initial_bearing_deg - ref["azi1"] % 360 + 180) % 360 - 180 == pytest.approx(0, abs=1e-6)


def test_tokyo_to_island_matches_sites_facts():
    # SITES_FACTS.md, section 1 [DERIVED]: "about 1,867 km at a bearing of about 129°"
    d = distance((35.6895, 139.6917), ISLAND)
    assert round(d.km) in (1866, 1867, 1868)
    assert round(d.initial_bearing_deg) == 129


def test_mud_area_is_135_nm_from_island_65_inside_limit():
    # The example, and by hand: 251.09 km / 1.852 = 135.58 NM; 200 - 135.58 = 64.42 NM
    ref = G.Inverse(*ISLAND, 22.025, 153.808335)["s12"]
    d = distance(ISLAND, (22.025, 153.808335))
    assert 135 < d.nm < 136 and d.nm == pytest.approx(ref / 1852, abs=1e-6)
    assert (EEZ_LIMIT_M - d.metres) / NM == pytest.approx(200 - ref / 1852, abs=1e-6)


def test_200nm_circle_points_are_200nm_away():
    c = circle(24.28667, 153.98056, EEZ_LIMIT_M, n=72)
    for lon, lat in list(c.exterior.coords)[:-1]:
        assert G.Inverse(*ISLAND, lat, lon)["s12"] == pytest.approx(370400.0, abs=1e-3)
    assert c.exterior.is_ccw


def test_geodesic_area_of_a_1x1_degree_cell_matches_geographiclib():
    # geographiclib's polygon area with edges densified along the parallels (same convention)
    poly = G.Polygon()
    lats = [20.0] * 101 + [21.0] * 101
    lons = list(np.linspace(150, 151, 101)) + list(np.linspace(151, 150, 101))
    for la, lo in zip(lats, lons):
        poly.AddPoint(la, lo)
    _, _, ref = poly.Compute(False, True)
    got = geodesic_area_m2(shapely.box(150, 20, 151, 21), max_segment_deg=0.01)
    assert got == pytest.approx(abs(ref), rel=1e-6)


# --- boundary distance against an independent reference ------------------------------

def _segments(geom):
    out = []
    for ring in shapely.get_rings(shapely.get_parts(geom)):
        c = np.asarray(ring.coords)
        out.append(np.column_stack([c[:-1], c[1:]]))
    return np.vstack(out)


_LENGTHS = {}


def _segments_with_lengths(geom):
    key = id(geom)
    if key not in _LENGTHS:
        segs = _segments(geom)
        lengths = np.array([_inv(y0, x0, y1, x1) for x0, y0, x1, y1 in segs])
        _LENGTHS[key] = (segs, lengths)
    return _LENGTHS[key]


def _inv(lat1, lon1, lat2, lon2):
    return G.Inverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE)["s12"]


def reference_boundary_distance(lon, lat, geom, upper_bound_m):
    """Densify every edge that can hold the nearest point (linear in lon/lat, the
    layer's convention) and measure with geographiclib.

    A segment of geodesic length L whose nearest vertex is at distance v cannot hold
    a point nearer than v - L, so segments with v - L > upper_bound are skipped
    (safe for any upper bound >= the true distance; a latitude band prefilter is safe
    because 1° of latitude is at least 110.5 km)."""
    segs, lengths = _segments_with_lengths(geom)
    band = (upper_bound_m + 60_000) / 110_500.0
    near = np.minimum(np.abs(segs[:, 1] - lat), np.abs(segs[:, 3] - lat)) <= band
    # longitude band: at |lat| <= phi, 1° of longitude is at least 111.32 km * cos(phi);
    # a 0.8 factor keeps it safe for the curvature of geodesics at these distances
    phi = math.radians(min(89.0, abs(lat) + band))
    lon_band = (upper_bound_m + 60_000) / (0.8 * 111_320.0 * math.cos(phi))
    near &= np.minimum(np.abs(segs[:, 0] - lon), np.abs(segs[:, 2] - lon)) <= lon_band
    best = math.inf
    cands = []
    vdist = {}
    for (x0, y0, x1, y1), L in zip(segs[near], lengths[near]):
        for key in ((x0, y0), (x1, y1)):
            if key not in vdist:
                vdist[key] = _inv(lat, lon, key[1], key[0])
        v = min(vdist[(x0, y0)], vdist[(x1, y1)])
        if v - L <= upper_bound_m + 1.0:
            cands.append((x0, y0, x1, y1, L))
    coarse = []
    for x0, y0, x1, y1, L in cands:
        n = max(2, int(L / 200.0) + 2)
        ts = np.linspace(0, 1, n)
        d = [_inv(lat, lon, y0 + t * (y1 - y0), x0 + t * (x1 - x0)) for t in ts]
        j = int(np.argmin(d))
        coarse.append((d[j], x0, y0, x1, y1, ts, j, L))
    m = min(c[0] for c in coarse)
    for d0, x0, y0, x1, y1, ts, j, L in coarse:
        if d0 > m + 400:
            continue
        # the minimum lies between the coarse samples either side of the nearest one, where the
        # distance has one minimum: golden-section search there, to a millimetre along the edge
        # (was a scan every 0.5 m: the same answer, within 0.01 m, 20 times the geographiclib calls)
        lo, hi = ts[max(j - 1, 0)], ts[min(j + 1, len(ts) - 1)]

        def d(tt, x0=x0, y0=y0, x1=x1, y1=y1):
            return _inv(lat, lon, y0 + tt * (y1 - y0), x0 + tt * (x1 - x0))

        best = min(best, d(lo), d(hi), _golden_min(d, lo, hi, 1e-3 / max(L, 1e-3)))
    return best


def _golden_min(f, lo, hi, tol):
    """Smallest value of f on [lo, hi] where f has one minimum (golden-section search)."""
    r = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, e = b - r * (b - a), a + r * (b - a)
    fc, fe = f(c), f(e)
    while b - a > tol:
        if fc < fe:
            b, e, fe = e, c, fc
            c = b - r * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, e, fe
            e = a + r * (b - a)
            fe = f(e)
    return min(fc, fe, f((a + b) / 2))


def _test_points(zones, rng):
    japan = zones.geometry[zones.index_of(8487)]
    joint = zones.geometry[zones.index_of(21796)]
    pts = []
    # inside Japan's EEZ, random
    minx, miny, maxx, maxy = japan.bounds
    while len(pts) < 60:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if japan.contains(shapely.Point(x, y)):
            pts.append((x, y, 8487))
    # near the 200 NM limit and near neighbours: offsets from real boundary vertices
    for geom, mrgid, k in ((japan, 8487, 70), (joint, 21796, 40)):
        verts = shapely.get_coordinates(geom.boundary)
        for i in rng.choice(len(verts), k, replace=len(verts) < k):
            x, y = verts[i] + rng.normal(0, 0.02, 2)
            pts.append((x, y, mrgid))
    # outside every zone (high seas east of Japan) -> distance to Japan's EEZ
    while len(pts) < 230:
        x, y = rng.uniform(150, 165), rng.uniform(25, 45)
        if not any(shapely.intersects(zones.geometry, shapely.Point(x, y))):  # unprepared: shared geometries
            pts.append((x, y, 8487))
    return pts


@pytest.mark.slow
def test_boundary_distance_within_1m_of_reference():
    zones = load_zones("mr-v12-eez-nw-pacific")
    rng = np.random.default_rng(20260201)
    worst = 0.0
    pts = _test_points(zones, rng)
    assert len(pts) >= 200
    for x, y, mrgid in pts:
        geom = zones.geometry[zones.index_of(mrgid)]
        got = nearest_boundary_point(y, x, geom)
        # the returned point lies on the boundary and is as far as reported
        assert shapely.distance(geom.boundary, shapely.Point(got.lon, got.lat)) < 1e-9
        assert _inv(y, x, got.lat, got.lon) == pytest.approx(got.metres, abs=1e-3)
        ref = reference_boundary_distance(x, y, geom, got.metres)
        worst = max(worst, abs(got.metres - ref))
        assert got.metres == pytest.approx(ref, abs=1.0), (x, y, mrgid)
    print(f"worst boundary-distance error over {len(pts)} points: {worst:.4f} m")


def test_area_of_a_band_round_the_globe_and_of_a_line():
    """A lon/lat polygon wider than 180° (here the band 80°S–80°N) is not its complement; a line
    has no area.  Reference: the closed form of the ellipsoidal zone between two parallels,
    A(φ) = π b² [sin φ / (1 − e² sin² φ) + ln((1 + e sin φ) / (1 − e sin φ)) / (2e)] from the equator."""
    import math

    a, f = 6378137.0, 1 / 298.257223563
    b, e = a * (1 - f), math.sqrt(f * (2 - f))

    def cap(phi_deg):
        s = math.sin(math.radians(phi_deg))
        return math.pi * b * b * (s / (1 - e * e * s * s) + math.log((1 + e * s) / (1 - e * s)) / (2 * e))

    # edges along parallels are densified to 0.05° geodesic chords: ~0.2 m sagitta, 5e-8 of the area
    assert geodesic_area_m2(shapely.box(-180, -80, 180, 80)) == pytest.approx(2 * cap(80), rel=1e-7)
    assert geodesic_area_m2(shapely.box(-180, 10, 180, 20)) == pytest.approx(cap(20) - cap(10), rel=1e-7)
    assert geodesic_area_m2(shapely.LineString([(150, 20), (151, 20), (151, 21)])) == 0.0


# --- one axis order (lat, lon); scalar or array, as pyproj's Geod.inv ------------------

def test_inverse_takes_latitude_first_and_gives_floats_for_scalars():
    from geo.geodesy import inverse

    for a, b in PAIRS:
        ref = G.Inverse(a[0], a[1], b[0], b[1])
        m, az = inverse(a[0], a[1], b[0], b[1])
        assert type(m) is float and type(az) is float
        assert m == pytest.approx(ref["s12"], abs=1e-3)
        assert (az - ref["azi1"] + 180) % 360 - 180 == pytest.approx(0, abs=1e-6)


def test_inverse_broadcasts_scalars_against_arrays():
    from geo.geodesy import inverse

    lats2 = np.array([[22.025, 23.3255], [-33.9, 0.5]])
    lons2 = np.array([153.808335, 155.0176])      # broadcast along the rows
    m, az = inverse(24.28667, 153.98056, lats2, lons2)
    assert m.shape == az.shape == (2, 2) and m.dtype == float
    for (i, j), lat2 in np.ndenumerate(lats2):
        ref = G.Inverse(24.28667, 153.98056, lat2, lons2[j])
        assert m[i, j] == pytest.approx(ref["s12"], abs=1e-3)
        assert az[i, j] == pytest.approx(ref["azi1"], abs=1e-6)


def test_forward_takes_and_returns_latitude_first():
    from geo.geodesy import forward

    ref = G.Direct(24.28667, 153.98056, 129.0, 370400.0)
    lat, lon = forward(24.28667, 153.98056, 129.0, 370400.0)
    assert type(lat) is float and type(lon) is float
    assert (lat, lon) == (pytest.approx(ref["lat2"], abs=1e-9), pytest.approx(ref["lon2"], abs=1e-9))
    az = np.array([0.0, 90.0, 200.0])
    lats, lons = forward(-33.9, 18.4, az, 1.0e6)
    for k, a in enumerate(az):
        r = G.Direct(-33.9, 18.4, a, 1.0e6)
        assert lats[k] == pytest.approx(r["lat2"], abs=1e-9)
        assert lons[k] == pytest.approx(r["lon2"], abs=1e-9)


def test_geodesic_line_is_latitude_first_and_on_the_geodesic():
    from geo.geodesy import geodesic_line

    a, b = (35.6895, 139.6917), (24.28667, 153.98056)
    line = geodesic_line(a, b, n=8)
    assert line[0] == a and line[-1] == b and len(line) == 10
    ref = G.InverseLine(a[0], a[1], b[0], b[1])
    for k, (lat, lon) in enumerate(line[1:-1], start=1):
        p = ref.Position(ref.s13 * k / 9)
        assert (lat, lon) == (pytest.approx(p["lat2"], abs=1e-7), pytest.approx(p["lon2"], abs=1e-7))


def test_nearest_boundary_point_takes_latitude_first():
    # a 1°x1° box; from a point due north of its top edge the nearest point is straight below
    box = shapely.box(150.0, 20.0, 151.0, 21.0)
    bp = nearest_boundary_point(21.5, 150.5, box)
    ref = G.Inverse(21.5, 150.5, 21.0, 150.5)["s12"]
    assert (bp.lat, bp.lon) == (pytest.approx(21.0, abs=1e-6), pytest.approx(150.5, abs=1e-6))
    assert bp.metres == pytest.approx(ref, abs=0.01)
