"""Zone membership: the hard cases, answered as the `where` contract says.

Expected zones come from the layer's own attributes (MRGID, sovereigns) and
from an independent shapely test written here, never from the code under test.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from _constants import ISLAND, SHARED

from geo import where
from geo.layers import load_zones
from geo.zones import classify

V12 = "mr-v12-eez-nw-pacific"


def test_island_and_mud_area_and_chikyu_are_in_japans_eez():
    for lat, lon in [ISLAND, (22.025, 153.80833), (23.3255, 155.0176)]:
        a = where(lat, lon)
        assert (a.answer, a.status, a.zone["mrgid"]) == ("yes", "eez", 8487)
        assert a.layer.id == V12


@pytest.mark.parametrize("lat,lon,mrgid,status,parties", [
    (25.8, 123.5, 48954, "overlapping_claim", {"JPN", "CHN", "TWN"}),   # Senkaku
    (45.0, 147.0, 48950, "overlapping_claim", {"JPN", "RUS"}),          # Kuril Islands
    (37.24, 131.87, 48955, "overlapping_claim", {"JPN", "KOR"}),        # Liancourt Rocks
    (32.0, 128.0, 21796, "joint_regime", {"JPN", "KOR"}),               # Korea/Japan joint regime
])
def test_shared_areas_list_every_party(lat, lon, mrgid, status, parties):
    a = where(lat, lon)
    assert (a.answer, a.status, a.zone["mrgid"]) == ("shared", status, mrgid)
    z = load_zones(V12)
    assert set(z.sovereign_isos[z.index_of(mrgid)]) == parties
    assert len(a.zone["sovereigns"]) == len(parties)
    for iso in parties:
        assert where(lat, lon, country=iso, distance=False).answer == "shared"
    assert where(lat, lon, country="PHL", distance=False).answer == "no"


def test_other_states_eez_is_no_for_japan_and_yes_for_its_sovereign():
    a = where(36.0, 129.8, distance=False)  # off Korea's east coast
    assert (a.answer, a.status, a.zone["mrgid"]) == ("no", "eez", 8327)
    assert where(36.0, 129.8, country="KOR", distance=False).answer == "yes"
    assert where(36.0, 129.8, country="South Korea", distance=False).answer == "yes"


def test_high_seas():
    a = where(36.0, 150.0)
    assert (a.answer, a.status, a.zone) == ("no", "high_seas", None)
    assert a.nearest_boundary["across"]["mrgid"] == 8487
    assert a.distance_to_boundary_km > 0


def test_hole_of_an_eez_polygon_is_land():
    z = load_zones(V12)
    japan = z.geometry[z.index_of(8487)]
    holes = [shapely.Polygon(r) for p in japan.geoms for r in p.interiors]
    hole = max(holes, key=lambda h: h.area)          # Honshu
    pt = hole.representative_point()
    a = where(pt.y, pt.x)
    assert (a.answer, a.status, a.zone) == ("no", "land", None)
    assert a.enclosing_zone["mrgid"] == 8487
    small = min(holes, key=lambda h: h.area)         # a reef or rock left out of the polygon
    pt = small.representative_point()
    assert not japan.intersects(pt)
    assert where(pt.y, pt.x, distance=False).status == "land"


def test_land_outside_every_zone_comes_from_the_land_layer():
    a = where(39.9, 116.4, distance=False)  # Beijing: inland, in no EEZ polygon nor hole
    assert (a.answer, a.status) == ("no", "land")


def test_outside_coverage_with_only_the_regional_layer():
    # Cape Town is outside 90-180E, 0-60N: the v12 extract cannot name the zone
    a = where(-33.9, 18.4, layers=[V12], distance=False)
    assert (a.status, a.zone, a.layer.id) == ("outside_coverage", None, V12)
    assert a.answer == "no"          # Japan's EEZ lies wholly inside the coverage
    b = where(-33.9, 18.4, country="RUS", layers=[V12], distance=False)
    assert b.answer == "unknown"     # Russia's EEZ is cut by the clip box


def test_coarse_world_layer_answers_elsewhere_and_says_so():
    a = where(-34.5, 17.5, distance=False)   # off the Cape, in the sea
    assert a.layer.id == "mr-v10-eez-world" and a.layer.coarse
    assert a.status == "eez" and "South Africa" in a.zone["sovereigns"]


def test_longitudes_0_to_360_give_the_same_answer():
    for lat, lon in [ISLAND, (21.0, -160.0), (52.0, -175.0), (30.0, -179.9)]:
        a = where(lat, lon, distance=False)
        b = where(lat, lon % 360, distance=False)
        assert (a.answer, a.status, a.zone) == (b.answer, b.status, b.zone)


def test_points_exactly_on_a_shared_boundary_go_to_the_lower_mrgid():
    z = load_zones(V12)
    geoms = shapely.from_wkb(shapely.to_wkb(z.geometry))  # own copies: intersects_xy prepares in place
    japan, joint = geoms[z.index_of(8487)], geoms[z.index_of(21796)]
    shared = shapely.get_coordinates(shapely.intersection(japan.boundary, joint.boundary))
    assert len(shared) > 2
    lat, lon = shared[:, 1], shared[:, 0]
    # independent check that these points are on both closed polygons
    assert shapely.intersects_xy(japan, lon, lat).all() and shapely.intersects_xy(joint, lon, lat).all()
    # expected: the lowest MRGID among every zone whose closed polygon holds the point
    # (a few shared vertices are tripoints with Korea's or China's zone)
    expected = [min(int(m) for m, g in zip(z.mrgid, geoms) if shapely.intersects_xy(g, x, y))
                for x, y in zip(lon, lat)]
    assert 8487 in expected
    c = classify(lat, lon)
    assert [int(m) for m in z.mrgid[c.zone_index]] == expected
    many = classify(np.repeat(lat, 5), np.repeat(lon, 5))   # > 64 points: the grid index
    assert [int(m) for m in z.mrgid[many.zone_index]] == list(np.repeat(expected, 5))
    for y, x, m in zip(lat[:5], lon[:5], expected):
        assert where(float(y), float(x), distance=False).zone["mrgid"] == m


def test_batch_classification_equals_single_answers():
    rng = np.random.default_rng(7)
    lat = np.concatenate([rng.uniform(15, 50, 300), [25.8, 32.0, 35.69, -33.9, 24.3]])
    lon = np.concatenate([rng.uniform(120, 160, 300), [123.5, 128.0, 139.69, 18.4, 206.0]])
    c = classify(lat, lon)   # > 64 points: the grid index
    for i in range(len(lat)):
        a = where(float(lat[i]), float(lon[i]), distance=False)   # 1 point: the direct test
        assert (a.answer, a.status) == (c.answer[i], c.status[i])
        assert (a.zone["mrgid"] if a.zone else None) == (
            int(load_zones(str(c.layer[i])).mrgid[c.zone_index[i]]) if c.zone_index[i] >= 0 else None)


def test_nan_and_out_of_range_points_are_marked_not_classified():
    c = classify([np.nan, 95.0, 24.0], [150.0, 150.0, 400.0], invalid="mark")
    assert list(c.status) == ["", "", ""]
    assert list(c.answer) == ["", "", ""]
    assert c.counts() == {"": 3}


@pytest.mark.parametrize("lat,lon,word", [
    ([24.0, np.nan], [150.0, 150.0], "lat[1]"),
    ([24.0, 24.0, 95.0], [150.0, 150.0, 150.0], "lat[2]"),
    ([24.0, 24.0], [150.0, 400.0], "lon[1]"),
    ([24.0, 24.0], [-np.inf, 150.0], "lon[0]"),
    ([24.0, np.nan], [np.nan, 150.0], "lon[0]"),          # the first bad point is named
])
def test_bad_points_raise_naming_the_parameter_and_index(lat, lon, word):
    from geo.errors import CoordinateError

    with pytest.raises(CoordinateError, match=word.replace("[", r"\[").replace("]", r"\]")):
        classify(lat, lon)
    many = classify(np.repeat(lat, 40), np.repeat(lon, 40), invalid="mark")   # the grid index too
    assert (many.status == "").any() and (many.status_code >= -1).all()


def test_classify_refuses_an_unknown_invalid_policy():
    with pytest.raises(ValueError, match="invalid"):
        classify([24.0], [150.0], invalid="ignore")


def _independent(layer_id, lon, lat):
    """Zone, enclosing zone and land per point, by plain shapely loops on private copies."""
    from geo.layers import land_for, load_land, manifest

    z = load_zones(layer_id)
    geoms = shapely.from_wkb(shapely.to_wkb(z.geometry))
    zone = np.full(len(lon), -1)
    for i in reversed(range(len(geoms))):
        zone[shapely.intersects_xy(geoms[i], lon, lat)] = i
    enclosing = np.full(len(lon), -1)
    for i in reversed(range(len(geoms))):
        filled = shapely.polygons(shapely.get_exterior_ring(shapely.get_parts(geoms[i])))
        hit = np.zeros(len(lon), dtype=bool)
        for f in filled:
            hit |= shapely.intersects_xy(f, lon, lat)
        enclosing[hit & (zone < 0)] = i
    _, land = load_land(land_for(manifest().get(layer_id)))
    on_land = np.zeros(len(lon), dtype=bool)
    for g in shapely.from_wkb(shapely.to_wkb(land)):
        on_land |= shapely.intersects_xy(g, lon, lat)
    return zone, enclosing, on_land


@pytest.mark.parametrize("layer_id,box", [(V12, (122.0, 20.0, 150.0, 46.0)),
                                          ("mr-v10-eez-world", (-20.0, 30.0, 40.0, 70.0))])
def test_batch_classification_equals_plain_shapely_loops(layer_id, box):
    """The one-lookup path (zones, holes and land in one index) against independent loops,
    on random points and on points near the holes' coasts, where zone, hole and land meet."""
    rng = np.random.default_rng(3)
    w, s, e, n = box
    z = load_zones(layer_id)
    rings = shapely.get_coordinates(shapely.get_interior_ring(shapely.get_parts(z.geometry), 0))
    rings = rings[(rings[:, 0] > w) & (rings[:, 0] < e) & (rings[:, 1] > s) & (rings[:, 1] < n)]
    near = rings[rng.integers(0, len(rings), 600)] + rng.normal(0, 0.02, (600, 2))
    lon = np.concatenate([rng.uniform(w, e, 600), near[:, 0]])
    lat = np.concatenate([rng.uniform(s, n, 600), near[:, 1]])
    zone, enclosing, on_land = _independent(layer_id, lon, lat)
    c = classify(lat, lon, layers=[layer_id])
    np.testing.assert_array_equal(c.zone_index, zone)
    np.testing.assert_array_equal(c.enclosing_index, enclosing)
    expect = np.where(zone >= 0, c.status, np.where((enclosing >= 0) | on_land, "land", "high_seas"))
    np.testing.assert_array_equal(c.status, expect)
    assert set(c.status[zone < 0]) == {"land", "high_seas"}
    assert ((c.answer == "no") | (zone >= 0)).all()


def test_boundary_distance_near_the_antimeridian():
    # at 180° the regional layer's nearest boundary is its own coverage edge or a zone nearby,
    # never a zone 9,000 km west found by planar distance in degrees
    for lat, lon in [(0.0, 180.0), (24.3, 180.0), (24.3, -180.0), (52.0, 179.99)]:
        a = where(lat, lon)
        assert a.distance_to_boundary_km < 400, (lat, lon, a.nearest_boundary)
    # the v12 extract is cut at 180°: that cut is no boundary when the world layer answers beyond
    b = where(52.0, 179.99)
    assert b.nearest_boundary["across"] != "outside_coverage"
    assert b.distance_to_boundary_km > 1
    # with the regional layer alone, its box edge is where coverage ends
    c = where(52.0, 179.99, layers=[V12])
    assert c.nearest_boundary["across"] == "outside_coverage"
    assert c.distance_to_boundary_km < 1


def test_far_ocean_boundary_distance_is_not_fooled_by_edges_across_the_far_meridian():
    # reviewer's reference (every zone densified, measured geodesically): 1,100.7 km to the
    # Antarctic 200 NM zone; the old pre-filter picked Easter Island's zone at 3,361.7 km
    a = where(-60.0, -120.0)
    assert a.distance_to_boundary_km == pytest.approx(1100.7, abs=0.5)


# --- land across 180° and around the South Pole (review of issue 9, item 1) -----------------
# Expected: Chukotka (66°N 170°E, 67°N 178°E, 68°N 175°E) and Wrangel Island (71.2°N 179.5°W,
# the island spans about 178.7°E–177.4°W, 70.8–71.6°N) are land.  Independent source:
# ../shared/data/eez/osm_territorial_waters_10km_world.geojson (OpenStreetMap land plus 10 km of
# sea, per country), read with geopandas: Russia's polygon holds a 0.45° disc round each
# point (at least 14 km at these latitudes), so the point is more than 10 km inside it, i.e. on
# land.  The South Pole and 86°S 0°E lie on the Antarctic ice sheet (a geographic fact;
# world-atlas draws Antarctica as a ring round the pole whose lowest vertex is 85.19°S, the
# pole inside it on the sphere).
CHUKOTKA_AND_WRANGEL = [(66.0, 170.0), (67.0, 178.0), (68.0, 175.0), (71.2, -179.5)]
OSM_LAND_AND_WATERS = SHARED / "eez" / "osm_territorial_waters_10km_world.geojson"


@pytest.mark.parametrize("lat,lon", CHUKOTKA_AND_WRANGEL)
def test_land_across_the_antimeridian_is_land(lat, lon):
    import geopandas as gpd

    osm = gpd.read_file(OSM_LAND_AND_WATERS)
    russia = shapely.union_all(osm.geometry[osm["isoA3"] == "RUS"].to_numpy())
    assert russia.contains(shapely.Point(lon, lat).buffer(0.45))
    a = where(lat, lon, distance=False)
    assert (a.answer, a.status) == ("no", "land"), (lat, lon, a.status)


@pytest.mark.parametrize("lat,lon", [(-90.0, 0.0), (-86.0, 0.0), (-89.9995, 123.0), (-85.5, -150.0)])
def test_antarctica_south_of_the_files_lowest_vertex_is_land(lat, lon):
    assert where(lat, lon, distance=False).status == "land"


# --- the library reads its arguments as the CLI does (review of issue 9, weaker items) ----------

def test_where_reads_coordinates_with_the_one_parser():
    a = where("24.28667", "153.98056", distance=False)   # as geo.distance accepts text
    assert (a.answer, a.zone["mrgid"]) == ("yes", 8487)
    assert where("24°17′12″N", "153°58′50″E", distance=False).answer == "yes"
    with pytest.raises(ValueError, match="boolean"):
        where(True, 154)


def test_layers_as_one_string_and_an_empty_list():
    a = where(-21.0, 55.0, layers="mr-v10-eez-world", distance=False)  # one id, not letters
    assert a.layer.id == "mr-v10-eez-world"
    with pytest.raises(ValueError, match="no layers"):
        where(*ISLAND, layers=[], distance=False)
