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
    assert ids == {"mr-v12-eez-nw-pacific", "sites"}
    assert all(l["citation"] and l["licence"] for l in fc["layers"])
