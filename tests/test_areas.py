"""Geodesic areas: the zones against Marine Regions' own area_km2, and areas in zones."""

from __future__ import annotations

import pytest
import shapely
from geographiclib.geodesic import Geodesic

from geo.geodesy import geodesic_area_m2
from geo.layers import load_zones
from geo.sites import get_site
from geo.zones import area_in_zones

from helpers import run

G = Geodesic.WGS84


def test_zone_areas_match_marine_regions_area_km2():
    """Marine Regions' area_km2 is for the unsimplified polygon; the bundled extract is
    simplified (and clipped at 90-180E, 0-60N). Unclipped zones must agree closely."""
    z = load_zones("mr-v12-eez-nw-pacific")
    w, s, e, n = z.layer.coverage_bbox
    rows = []
    for i in range(len(z)):
        ours = geodesic_area_m2(z.geometry[i]) / 1e6
        mr = float(z.area_km2[i])
        x0, y0, x1, y1 = z.geometry[i].bounds
        clipped = x0 <= w + 1e-6 or x1 >= e - 1e-6 or y0 <= s + 1e-6 or y1 >= n - 1e-6
        diff = 100 * (ours / mr - 1)
        rows.append((int(z.mrgid[i]), str(z.name[i]), mr, ours, diff, clipped))
    print("\nMRGID  zone                                         MR area_km2    geodesic   diff")
    for m, name, mr, ours, diff, clipped in rows:
        print(f"{m:>6} {name[:44]:44} {mr:>12,.0f} {ours:>11,.0f} {diff:+7.3f} %{'  (clipped)' if clipped else ''}")
        if clipped:
            assert ours < mr                      # a clipped zone can only lose area
        elif mr > 1000:
            assert abs(diff) < 0.5, (m, name, diff)
        else:
            assert abs(diff) < 3.0, (m, name, diff)   # tiny zones: simplification dominates
    japan = next(r for r in rows if r[0] == 8487)
    assert abs(japan[4]) < 0.01                       # 4,066,513 km² (PROVENANCE.md)


def test_mud_area_is_fully_in_japans_eez():
    site = get_site("rey-mud-area")
    r = area_in_zones(site.geometry)
    assert len(r.shares) == 1 and r.shares[0].zone["mrgid"] == 8487
    assert r.shares[0].percent == pytest.approx(100.0)
    # by hand: the frame 21.8-22.25N x 153.5-154.1167E; SITES_FACTS.md derives ~3,180 km²
    poly = G.Polygon()
    for lat, lon in [(21.8, 153.5), (21.8, 154.11667), (22.25, 154.11667), (22.25, 153.5)]:
        poly.AddPoint(lat, lon)
    _, _, ref = poly.Compute(False, True)
    assert r.area_km2 == pytest.approx(abs(ref) / 1e6, rel=2e-4)   # parallels vs geodesic edges
    assert 3100 < r.area_km2 < 3200
    # its south-west corner is the nearest point to the 200 NM limit, about 49 NM away
    assert r.nearest_boundary_point["outline_lat"] == pytest.approx(21.8)
    assert r.nearest_boundary_point["outline_lon"] == pytest.approx(153.5)
    assert 80 < r.nearest_boundary_km < 100


def test_a_polygon_split_between_zones_sums_to_its_area():
    r = area_in_zones(shapely.box(127, 31, 129, 33))
    assert {s.zone["mrgid"] for s in r.shares if s.zone} == {21796, 8487, 8327}
    assert sum(s.area_km2 for s in r.shares) == pytest.approx(r.area_km2, rel=1e-9)
    assert sum(s.percent for s in r.shares) == pytest.approx(100.0)


def test_area_command(tmp_path):
    out = run("area", "rey-mud-area")
    assert out.code == 0 and "100.00 %" in out.out and "Japanese Exclusive Economic Zone" in out.out
    f = tmp_path / "box.geojson"
    f.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"box"},'
                 '"geometry":{"type":"Polygon","coordinates":[[[127,31],[129,31],[129,33],[127,33],[127,31]]]}}]}')
    j = run("area", str(f), "--json").json()
    assert j["areas"][0]["name"] == "box" and len(j["areas"][0]["shares"]) == 4
    bad = run("area", "minami-torishima")
    assert bad.code == 2 and "point, not an area" in bad.err
