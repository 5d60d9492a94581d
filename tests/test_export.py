"""GeoJSON export: RFC 7946 (lon/lat, no crs, counter-clockwise exteriors) and content."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from geographiclib.geodesic import Geodesic

from geo.export import feature_collection

G = Geodesic.WGS84


@pytest.fixture(scope="module")
def fc():
    return feature_collection()


def _signed_area(ring):
    x, y = np.asarray(ring)[:, 0], np.asarray(ring)[:, 1]
    return 0.5 * np.sum(x[:-1] * y[1:] - x[1:] * y[:-1])


def test_rfc7946_winding_and_no_crs(fc):
    assert "crs" not in fc
    polys = 0
    for f in fc["features"]:
        g = f["geometry"]
        rings_sets = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"] if g["type"] == "MultiPolygon" else []
        for rings in rings_sets:
            polys += 1
            assert _signed_area(rings[0]) > 0            # exterior counter-clockwise
            for hole in rings[1:]:
                assert _signed_area(hole) < 0            # holes clockwise
    assert polys > 10


def test_longitude_latitude_order(fc):
    island = next(f for f in fc["features"] if f["properties"].get("id") == "minami-torishima")
    assert island["geometry"]["coordinates"] == [153.98056, 24.28667]


def test_zones_touching_japan(fc):
    zones = {f["properties"]["mrgid"] for f in fc["features"] if f["properties"]["kind"] == "zone"}
    assert {8487, 48950, 48954, 21796, 48955} <= zones            # Japan's own (PROVENANCE.md)
    assert {8327, 5690, 8486} <= zones                             # Korea, Russia, China touch them
    assert 8332 not in zones                                       # Thailand does not
    for f in fc["features"]:
        if f["properties"]["kind"] == "zone":
            assert f["properties"]["layer"] == "mr-v12-eez-nw-pacific"
            assert shapely.geometry.shape(f["geometry"]).is_valid


def test_distance_lines_carry_geodesic_lengths(fc):
    lines = [f for f in fc["features"] if f["properties"]["kind"] == "distance_line"]
    assert {l["properties"]["to"] for l in lines} == {"rey-mud-area", "chikyu-2026-site", "okinotorishima",
                                                     "jogmec-crust-contract"}
    for l in lines:
        (lon0, lat0), (lon1, lat1) = l["geometry"]["coordinates"][0], l["geometry"]["coordinates"][-1]
        ref = G.Inverse(lat0, lon0, lat1, lon1)["s12"]
        assert l["properties"]["distance_km"] == pytest.approx(ref / 1000, abs=1e-3)
        assert l["properties"]["inside_200nm_by_nm"] == pytest.approx(200 - ref / 1852, abs=1e-3)


def test_approximate_site_exported_with_uncertainty_area(fc):
    site = next(f for f in fc["features"] if f["properties"].get("id") == "chikyu-2026-site")
    assert site["properties"]["certainty"] == "approximate"
    unc = next(f for f in fc["features"] if f["properties"]["kind"] == "site_uncertainty")
    area = shapely.geometry.shape(unc["geometry"])
    lon, lat = site["geometry"]["coordinates"]
    assert area.contains(shapely.Point(lon, lat))
    # every vertex of the area is within uncertainty_km of the marker (geographiclib)
    worst = max(G.Inverse(lat, lon, y, x)["s12"] for x, y in area.exterior.coords)
    assert worst <= site["properties"]["uncertainty_km"] * 1000


def test_every_feature_names_its_layer_and_citations_are_included(fc):
    for f in fc["features"]:
        p = f["properties"]
        assert p.get("layer") or p["kind"] == "distance_line"
    ids = {l["id"] for l in fc["layers"]}
    # the seabed parts (issue 11): ISA areas, and the depth band of each site
    assert ids == {"mr-v12-eez-nw-pacific", "sites", "isa-exploration-areas-2019-07", "ne-10m-bathymetry-nw-pacific"}
    assert all(l["citation"] and l["licence"] for l in fc["layers"])


# --- what the regional layer leaves out (issue 9, item 19) ---------------------------------------

def _geodesic_area_km2(geometry: dict) -> float:
    """Area of a GeoJSON (Multi)Polygon with geographiclib (holes subtracted), its edges
    straight in longitude/latitude as the layer stores them (densified to 0.02°)."""
    geometry = shapely.geometry.mapping(shapely.segmentize(shapely.geometry.shape(geometry), 0.02))
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    total = 0.0
    for rings in polys:
        for k, ring in enumerate(rings):
            p = G.Polygon()
            for lon, lat in ring[:-1]:
                p.AddPoint(lat, lon)
            _, _, area = p.Compute(False, True)
            total += abs(area) if k == 0 else -abs(area)
    return total / 1e6


@pytest.mark.parametrize("country,cut", [("RUS", {5690}), ("USA", {8453, 8463})])
def test_zones_cut_by_the_coverage_box_are_flagged_with_the_part_s_area(country, cut):
    """A zone is cut when the layer holds much less of it than Marine Regions' own area
    (unclipped zones agree within 0.25 %, tests/test_areas.py)."""
    fc = feature_collection(country)
    zones = [f for f in fc["features"] if f["properties"]["kind"] == "zone"]
    flagged = set()
    for f in zones:
        p = f["properties"]
        ours = _geodesic_area_km2(f["geometry"])
        assert p["clipped"] == (ours < 0.99 * p["area_km2_marine_regions"]), p["name"]
        if p["clipped"]:
            flagged.add(p["mrgid"])
            assert p["area_km2_geodesic"] is None
            assert p["area_km2_geodesic_clipped"] == pytest.approx(ours, rel=1e-3)
            assert p["clipped_to"] == [90, 0, 180, 60]
        else:
            assert p["area_km2_geodesic"] == pytest.approx(ours, rel=1e-3)
            assert "area_km2_geodesic_clipped" not in p
    assert cut <= flagged
    assert fc["complete"] is False
    assert any(str(m) in " ".join(fc["notes"]) for m in cut)


def test_a_complete_export_says_so(fc):
    assert fc["complete"] is True and fc["notes"] == []
    japan = next(f["properties"] for f in fc["features"] if f["properties"].get("mrgid") == 8487)
    assert japan["clipped"] is False


def test_export_of_a_country_outside_the_layer_says_what_is_missing(tmp_path):
    from helpers import run

    out = tmp_path / "fra.geojson"
    r = run("export", "--country", "FRA", "-o", str(out))
    assert r.code == 4, r.err                    # incomplete: documented in README's exit table
    assert "Traceback" not in r.err
    assert "France" in r.err and "90–180°E, 0–60°N" in r.err
    import json

    fc = json.loads(out.read_text(encoding="utf-8"))
    assert fc["complete"] is False and "France (FRA)" in fc["notes"][0]
    assert not any(f["properties"].get("party") for f in fc["features"])
    r = run("export", "-o", str(tmp_path / "jpn.geojson"))
    assert r.code == 0 and "incomplete" not in r.err
