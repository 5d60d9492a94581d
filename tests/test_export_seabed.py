"""`eezmap export` carries the seabed regime and depth band of each site and the ISA areas near
them, cited and dated (issue 11, item 6).

Expected values from the source files in ../shared/data (ISA areas, Natural Earth bands, v12
zones) read with geopandas and tested with shapely.
"""

from __future__ import annotations

import json

import pytest
import shapely

from helpers import run

from _constants import SHARED, needs_shared


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "x.geojson"
    r = run("export", "-o", str(out))
    assert r.code == 0, r.err
    return json.loads(out.read_text(encoding="utf-8"))


def _sites(fc):
    return {f["properties"]["id"]: f for f in fc["features"] if f["properties"]["kind"] == "site"}


@needs_shared
def test_each_site_carries_its_seabed_and_depth_band(export):
    import geopandas as gpd

    bathy = gpd.read_file(SHARED / "bathymetry" / "ne_10m_bathymetry_nw_pacific.geojson")
    eez = gpd.read_file(SHARED / "eez" / "mr_v12_eez_nw_pacific.geojson")
    isa = gpd.read_file(SHARED / "isa" / "isa_exploration_areas_2019-07.geojson")
    sites = _sites(export)
    for ident in ("rey-mud-area", "chikyu-2026-site", "jogmec-crust-contract"):
        p = sites[ident]["properties"]
        pt = shapely.Point(p["lon"], p["lat"])
        bands = bathy[bathy.intersects(pt)]
        assert p["depth_band_m"]["from"] == int(bands.depth.max()), ident
        assert p["depth_band_m"]["layer"] == {"id": "ne-10m-bathymetry-nw-pacific",
                                              "version": "Natural Earth 1:10m bathymetry 4.0.0", "scale": "1:10m"}
        in_zone = not eez[eez.intersects(pt)].empty
        in_isa = isa[isa.intersects(pt)]
        want = "continental_shelf" if in_zone else ("the_area" if not in_isa.empty else "beyond_200nm")
        assert p["seabed"]["regime"] == want, ident
        assert [c["contractor"] for c in p["seabed"]["contracts"]] == list(in_isa.name[:1]), ident
    assert sites["rey-mud-area"]["properties"]["seabed"]["states"] == ["Japan"]
    assert (sites["rey-mud-area"]["properties"]["depth_band_m"]["to"]) == 6000
    assert sites["rey-mud-area"]["properties"]["depth_m"] == [5600, 5800]   # the published depth stays
    (c,) = sites["jogmec-crust-contract"]["properties"]["seabed"]["contracts"]
    assert (c["since"], c["as_of"]) == ("2014-01-27", "2019-07")


@needs_shared
def test_isa_areas_near_the_sites_cited_and_dated(export):
    import geopandas as gpd

    isa = gpd.read_file(SHARED / "isa" / "isa_exploration_areas_2019-07.geojson")
    areas = [f for f in export["features"] if f["properties"]["kind"] == "isa_area"]
    # near = meeting a site's bounds grown by 5°: the same count from the source file
    boxes = [shapely.box(*(shapely.geometry.shape(f["geometry"]).bounds)).buffer(5.0, join_style="mitre")
             for f in _sites(export).values()]
    expected = isa[isa.intersects(shapely.union_all(boxes))]
    assert len(areas) == len(expected)
    names = {f["properties"]["contractor"] for f in areas}
    assert {"JOGMEC (Japan)", "Gov. of the Republic of Korea", "MNRE (Russian Federation)", "COMRA (China)"} <= names
    assert sum(f["properties"]["contractor"] == "JOGMEC (Japan)" for f in areas) == 150   # ISA: 150 blocks
    for f in areas:
        p = f["properties"]
        assert p["citation"] == "ISA, July 2019; areas since partly relinquished" and p["as_of"] == "2019-07"
        assert p["layer"] == "isa-exploration-areas-2019-07" and p["status"] in ("exploration", "reserved")
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
    jogmec = [f for f in areas if f["properties"]["contractor"] == "JOGMEC (Japan)"]
    assert {f["properties"]["since"] for f in jogmec} == {"2014-01-27"}
    ids = {layer["id"]: layer for layer in export["layers"]}
    assert "International Seabed Authority" in ids["isa-exploration-areas-2019-07"]["citation"]
    assert "Natural Earth" in ids["ne-10m-bathymetry-nw-pacific"]["citation"]
