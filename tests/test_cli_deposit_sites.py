"""The sites of the deposit story in `sites`, `area` and `distance` (issue 11, item 2).

Expected values: geographiclib on the ISA source polygons (../shared/data/isa) for the
contract area, and for the distance; SITES_FACTS §7 for "about 600 km south-east".
"""

from __future__ import annotations


import pytest
from geographiclib.geodesic import Geodesic
from geographiclib.polygonarea import PolygonArea

from helpers import run

from _constants import ISLAND, SHARED, needs_shared


def test_sites_show_the_new_sites_with_certainty_and_dates():
    r = run("sites")
    assert r.code == 0, r.err
    text = r.out
    for ident in ("jogmec-crust-contract", "okinotorishima", "minami-torishima"):
        assert f"\n{ident}\n" in f"\n{text}"
    jogmec = text[text.index("jogmec-crust-contract\n"):]
    assert "certainty: published" in jogmec.split("\n(layer")[0]
    assert "Contract, 2014-01-27:" in jogmec and "Area, 2019-07:" in jogmec   # signed; ISA layers' date
    okino = text[text.index("okinotorishima\n"):text.index("jogmec-crust-contract\n")]
    assert "certainty: published" in okino and "1.4–2 km" in okino and "[approximate]" in okino
    mt = text[text.index("minami-torishima\n"):text.index("rey-mud-area\n")]
    assert "Manganese-nodule field (2024), 2024-06-21: about 230 Mt" in mt       # a fact, no geometry
    assert "certainty: approximate" in text                                     # the Chikyu site
    j = run("sites", "--json").json()
    ids = {s["id"]: s for s in j["sites"]}
    assert ids["jogmec-crust-contract"]["certainty"] == "published"
    assert any(f.get("date") == "2014-01-27" for f in ids["jogmec-crust-contract"]["facts"])


def _source_jogmec_km2() -> float:
    """Geodesic area (geographiclib) of the ISA source's JOGMEC blocks, dissolved with shapely
    (some blocks overlap a little: the union, as the site is drawn)."""
    import geopandas as gpd
    import shapely

    isa = gpd.read_file(SHARED / "isa" / "isa_exploration_areas_2019-07.geojson")
    union = shapely.union_all(isa[isa.name == "JOGMEC (Japan)"].geometry.values)
    total = 0.0
    for poly in getattr(union, "geoms", [union]):
        for ring, sign in [(poly.exterior, 1)] + [(i, -1) for i in poly.interiors]:
            pa = PolygonArea(Geodesic.WGS84)
            for x, y in list(ring.coords)[:-1]:
                pa.AddPoint(y, x)
            total += sign * abs(pa.Compute(False, True)[2])
    return total / 1e6


@needs_shared
def test_area_of_the_jogmec_contract_area_against_the_isa_source():
    expected = _source_jogmec_km2()
    assert expected == pytest.approx(3000, rel=0.01)          # ISA: "3,000 km² in 150 blocks"
    j = run("area", "jogmec-crust-contract", "--json").json()
    (a,) = j["areas"]
    assert a["area_km2"] == pytest.approx(expected, rel=1e-5)  # the bundled copy: coordinates rounded
    assert [(s["status"], round(s["percent"], 6)) for s in a["shares"]] == [("high_seas", 100.0)]  # in the Area


def test_distance_from_the_island_to_the_jogmec_contract_about_600_km():
    j = run("distance", "minami-torishima", "jogmec-crust-contract", "--json").json()
    # SITES_FACTS §7: "about 600 km south-east of Minami-Torishima"
    assert 550 < j["distance_km"] < 650 and 90 < j["initial_bearing_deg"] < 180
    g = Geodesic.WGS84.Inverse(*ISLAND, j["to"]["lat"], j["to"]["lon"])
    assert j["distance_km"] == pytest.approx(g["s12"] / 1000, abs=1e-6)
    assert j["to"]["measured_point"] == "centre" and not j["to"]["nearest_edge"]["inside"]
    assert j["limit_200nm"]["inside"] is False                    # outside the island's 200 NM
    # Okinotorishima works as a site too: about 1,900 km from Minami-Torishima
    k = run("distance", "okinotorishima", "minami-torishima", "--json").json()
    g = Geodesic.WGS84.Inverse(20.42518, 136.06977, *ISLAND)
    assert k["distance_km"] == pytest.approx(g["s12"] / 1000, abs=1e-6)
