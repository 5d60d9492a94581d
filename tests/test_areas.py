"""Geodesic areas: the zones against Marine Regions' own area_km2, and areas in zones."""

from __future__ import annotations


import pytest
import shapely
from geographiclib.geodesic import Geodesic

from geo.geodesy import geodesic_area_m2
from geo.layers import load_zones
from geo.sites import get_site
from geo.areas import area_in_zones

from _constants import JAPAN_EEZ, JP_KR_JOINT, KOREA_EEZ, SHARED
from helpers import assert_one_line_error, run

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


def test_a_polygon_split_between_zones_has_each_share_of_the_source_files(source_zones):
    """Every share against the source files, none against the report's own total: the zones
    (Marine Regions v12), land (their holes and Natural Earth 1:10m land, as for a point) and
    the high seas (the rest), each measured with geographiclib."""
    import geopandas as gpd

    nw, _ = source_zones
    box = shapely.box(127, 31, 129, 33)
    r = area_in_zones(box)
    assert r.area_km2 == pytest.approx(gl_area_km2(box), rel=1e-5)
    assert {s.zone["mrgid"] for s in r.shares if s.zone} == {JP_KR_JOINT, JAPAN_EEZ, KOREA_EEZ}
    for m in (JP_KR_JOINT, JAPAN_EEZ, KOREA_EEZ):
        assert _by(r, mrgid=m)[0].area_km2 == pytest.approx(gl_area_km2(box.intersection(nw[m])), rel=1e-4)
    zones = shapely.union_all([nw[m] for m in (JP_KR_JOINT, JAPAN_EEZ, KOREA_EEZ)])
    rest = box.difference(zones)
    filled = shapely.union_all([shapely.Polygon(p.exterior) for g in nw.values() for p in shapely.get_parts(g)
                                if p.intersects(box)])
    ne = gpd.read_file(SHARED / "land" / "ne_10m_land_nw_pacific.geojson")
    land = rest.intersection(shapely.union_all([*ne.geometry[ne.intersects(box)], filled]))
    got = {st: sum(s.area_km2 for s in _by(r, status=st)) for st in ("land", "high_seas")}
    assert got["land"] == pytest.approx(gl_area_km2(land), rel=1e-4)
    assert got["high_seas"] == pytest.approx(gl_area_km2(rest.difference(land)), abs=0.05)
    assert {s.status for s in r.shares} <= {"eez", "joint_regime", "land", "high_seas"}


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


# --- layer precedence, longitudes and honest shares (issue 9, item 4) ----------------------



def gl_area_km2(geom) -> float:
    """Independent reference: geographiclib's polygon area of a lon/lat (Multi)Polygon whose
    edges are straight in lon/lat (densified to 0.01°), holes subtracted."""
    total = 0.0
    for part in shapely.get_parts(geom):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        for k, ring in enumerate([part.exterior, *part.interiors]):
            poly = G.Polygon()
            for lon, lat in shapely.get_coordinates(shapely.segmentize(ring, 0.01))[:-1]:
                poly.AddPoint(float(lat), float(lon))
            _, _, a = poly.Compute(False, True)
            total += abs(a) if k == 0 else -abs(a)
    return total / 1e6


@pytest.fixture(scope="module")
def source_zones():
    import geopandas as gpd

    nw = gpd.read_file(SHARED / "eez" / "mr_v12_eez_nw_pacific.geojson")
    world = gpd.read_file(SHARED / "eez" / "mr_v10_eez_world_simplified.gpkg")
    return ({int(m): g for m, g in zip(nw["mrgid"], nw.geometry)},
            {int(m): g for m, g in zip(world["MRGID"], world.geometry)})


def _by(report, **kw):
    return [s for s in report.shares if all((s.zone or {}).get(k) == v if k == "mrgid" else getattr(s, k) == v
                                           for k, v in kw.items())]


def test_a_ring_across_the_antimeridian_is_split_and_answered_by_each_layer(source_zones):
    nw, world = source_zones
    ring = shapely.Polygon([(179, 0), (-179, 0), (-179, 2), (179, 2)])   # drawn across 180°, 2° wide
    r = area_in_zones(ring)
    east, west = shapely.box(179, 0, 180, 2), shapely.box(-180, 0, -179, 2)
    assert r.area_km2 == pytest.approx(gl_area_km2(east) + gl_area_km2(west), rel=1e-5)   # ~49,000, not millions
    # 179..180°E: the regional layer; 180..179°W: outside it, so the world layer (precedence as `where`)
    kiribati = _by(r, mrgid=8488)
    howland = _by(r, mrgid=8451)
    assert len(kiribati) == 1 and kiribati[0].layer == "mr-v12-eez-nw-pacific"
    assert len(howland) == 1 and howland[0].layer == "mr-v10-eez-world"
    assert kiribati[0].area_km2 == pytest.approx(gl_area_km2(east.intersection(nw[8488])), rel=1e-4)
    assert howland[0].area_km2 == pytest.approx(gl_area_km2(west.intersection(world[8451])), rel=1e-4)
    seas = {s.layer: s.area_km2 for s in _by(r, status="high_seas")}
    assert seas["mr-v12-eez-nw-pacific"] == pytest.approx(gl_area_km2(east.difference(nw[8488])), rel=1e-4)
    assert seas["mr-v10-eez-world"] == pytest.approx(gl_area_km2(west.difference(world[8451])), rel=1e-4)
    # every piece measured on its own: together they make the whole, within rounding
    assert sum(s.area_km2 for s in r.shares) == pytest.approx(r.area_km2, rel=1e-6)
    assert sum(s.percent for s in r.shares) == pytest.approx(100.0, abs=1e-4)


def test_longitudes_0_to_360_are_the_same_place(source_zones):
    _, world = source_zones
    a = area_in_zones(shapely.box(200, 20, 202, 22))      # 160–158°W, written 0–360: Hawaii
    b = area_in_zones(shapely.box(-160, 20, -158, 22))
    ref_box = gl_area_km2(shapely.box(-160, 20, -158, 22))
    assert a.area_km2 == pytest.approx(ref_box, rel=1e-5) and b.area_km2 == pytest.approx(ref_box, rel=1e-5)
    hawaii = _by(a, mrgid=8453)
    assert len(hawaii) == 1 and hawaii[0].layer == "mr-v10-eez-world"
    ref = gl_area_km2(shapely.box(-160, 20, -158, 22).intersection(world[8453]))
    assert hawaii[0].area_km2 == pytest.approx(ref, rel=1e-4)
    assert [(s.status, s.layer, round(s.area_km2, 3)) for s in a.shares] == \
        [(s.status, s.layer, round(s.area_km2, 3)) for s in b.shares]


def test_a_line_shared_with_a_neighbouring_zone_is_no_area(source_zones):
    nw, _ = source_zones
    piece = nw[8487].intersection(shapely.box(127, 31, 129, 33))   # touches the joint regime area along a line
    r = area_in_zones(piece)
    assert [s.zone["mrgid"] for s in r.shares if s.zone] == [8487]
    assert r.shares[0].percent == pytest.approx(100.0, abs=1e-6)
    assert r.area_km2 == pytest.approx(gl_area_km2(piece), rel=1e-4)
    assert sum(s.percent for s in r.shares) == pytest.approx(100.0, abs=1e-6)   # was 100.035


def test_the_part_in_no_zone_is_named_and_measured(source_zones):
    nw, _ = source_zones
    box = shapely.box(127, 31, 129, 33)
    r = area_in_zones(box)
    assert {s.status for s in r.shares} <= {"eez", "joint_regime", "land", "high_seas"}
    # outside the three zones lie the Goto islands and Kyushu's coast (holes and land): land
    outside = gl_area_km2(box.difference(shapely.union_all([nw[m] for m in (8487, 21796, 8327)])))
    land = sum(s.area_km2 for s in _by(r, status="land"))
    assert 400 < outside < 470
    assert land == pytest.approx(outside, rel=0.02)       # Natural Earth's coast is not Marine Regions'
    for m in (8487, 21796, 8327):
        assert _by(r, mrgid=m)[0].area_km2 == pytest.approx(gl_area_km2(box.intersection(nw[m])), rel=1e-4)
    assert sum(s.area_km2 for s in r.shares) == pytest.approx(gl_area_km2(box), rel=1e-4)


def test_outside_every_coverage_is_reported_as_such():
    r = area_in_zones(shapely.box(178, 40, 182, 42), layers=["mr-v12-eez-nw-pacific"])
    out = _by(r, status="outside_coverage")
    sea = _by(r, status="high_seas")
    assert len(out) == 1 and out[0].zone is None and out[0].layer is None
    assert out[0].area_km2 == pytest.approx(gl_area_km2(shapely.box(-180, 40, -178, 42)), rel=1e-5)
    assert len(sea) == 1 and sea[0].area_km2 == pytest.approx(gl_area_km2(shapely.box(178, 40, 180, 42)), rel=1e-5)
    assert out[0].percent + sea[0].percent == pytest.approx(100.0, abs=1e-4)


def test_area_command_uses_the_layers_where_uses(tmp_path):
    f = tmp_path / "across.geojson"
    f.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"across"},'
                 '"geometry":{"type":"Polygon","coordinates":[[[179,0],[-179,0],[-179,2],[179,2],[179,0]]]}}]}')
    j = run("area", str(f), "--json").json()["areas"][0]
    assert {s["layer"] for s in j["shares"]} == {"mr-v12-eez-nw-pacific", "mr-v10-eez-world"}
    assert [l["id"] for l in j["layers"]] == ["mr-v12-eez-nw-pacific", "mr-v10-eez-world"]
    text = run("area", str(f)).out
    assert "high seas" in text and "Howland" in text and "Kiribati" in text
    # the default layers can be chosen as for `where`
    env = {"EEZMAP_LAYERS_DEFAULT": "mr-v10-eez-world"}
    k = run("area", "rey-mud-area", "--json", env=env).json()["areas"][0]
    assert {s["layer"] for s in k["shares"]} == {"mr-v10-eez-world"}
    m = run("area", "rey-mud-area", "--json", "--layer", "mr-v10-eez-world").json()["areas"][0]
    assert m["shares"] == k["shares"]


def test_area_of_an_empty_collection_says_so(tmp_path):
    f = tmp_path / "empty.geojson"
    f.write_text('{"type":"FeatureCollection","features":[]}')
    r = run("area", str(f))
    assert_one_line_error(r, 2)
    assert "empty" in r.err and r.out == ""


def test_overlapping_zones_of_a_layer_are_not_counted_twice():
    """The coarse world layer's zones overlap (the Timor Sea joint regime lies over a neighbour's
    EEZ): as for a point, the overlap goes to one zone, so the shares still tile the polygon."""
    box = shapely.box(120, -15, 135, -5)
    r = area_in_zones(box, layers=["mr-v10-eez-world"])
    assert r.area_km2 == pytest.approx(gl_area_km2(box), rel=1e-5)
    assert sum(s.area_km2 for s in r.shares) == pytest.approx(gl_area_km2(box), rel=1e-5)   # was +1.9 %


def test_a_zones_only_layer_answers_only_in_its_zones(tmp_path, monkeypatch):
    """A partial user layer (one country's zones) takes precedence in its zones; the rest of
    its coverage box falls through to the next layer, as it does for a point."""
    import geopandas as gpd

    from geo.layers.importer import add_layer

    monkeypatch.setenv("EEZMAP_CACHE", str(tmp_path / "cache"))
    zone = shapely.box(150, 20, 152, 22)
    src = tmp_path / "square_v10.geojson"
    gpd.GeoDataFrame({"MRGID": [99001], "GeoName": ["Square test zone"], "Pol_type": ["200NM"],
                      "Sovereign1": ["Japan"], "Territory1": ["Japan"], "ISO_Ter1": ["JPN"],
                      "Area_km2": [1.0]}, geometry=[zone], crs="EPSG:4326").to_file(src)
    info = add_layer(src, layer_id="area-zones-only", coverage_bbox=(150, 20, 156, 26), zones_only=True)
    box = shapely.box(151, 21, 155, 25)
    r = area_in_zones(box, layers=[info.id, "mr-v12-eez-nw-pacific"])
    mine = [s for s in r.shares if s.layer == info.id]
    assert len(mine) == 1 and mine[0].zone["mrgid"] == 99001
    assert mine[0].area_km2 == pytest.approx(gl_area_km2(shapely.box(151, 21, 152, 22)), rel=1e-5)
    rest = sum(s.area_km2 for s in r.shares if s.layer == "mr-v12-eez-nw-pacific")
    assert rest == pytest.approx(gl_area_km2(box) - gl_area_km2(shapely.box(151, 21, 152, 22)), rel=1e-5)
    assert {s.layer for s in r.shares} == {info.id, "mr-v12-eez-nw-pacific"}


def test_area_of_an_out_of_range_polygon_is_bad_input(tmp_path):
    f = tmp_path / "far.geojson"       # latitude 95: not longitude/latitude, whatever it is
    f.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"far"},'
                 '"geometry":{"type":"Polygon","coordinates":[[[150,80],[151,80],[151,95],[150,95],[150,80]]]}}]}')
    r = run("area", str(f))
    assert_one_line_error(r, 2)
    assert "out of range" in r.err
