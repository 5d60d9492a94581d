"""``eezmap island ID``: what an island is worth (issue 11, item 4).

Expected values are independent of the code under test: the area of Minami-Torishima's
200 NM offset by a Steiner formula written out below (the island's area and perimeter by
geographiclib on the source N03 outline), Marine Regions' own area of Japan's zone, and the
published Okinotorishima figure (about 400,000–420,000 km²).
"""

from __future__ import annotations

import json
import math

import pytest
import shapely
from geographiclib.geodesic import Geodesic
from geographiclib.polygonarea import PolygonArea

from helpers import assert_one_line_error, run

from _constants import SHARED, needs_shared

JAPAN_EEZ_KM2 = 4_066_513  # Marine Regions v12, MRGID 8487, its own area_km2 (checked below)


def _minami_torishima_by_hand() -> tuple[float, float]:
    """(area of the 200 NM offset less the island, the island's area), km².

    Steiner's formula for the r-offset of a small convex island on a surface of Gaussian
    radius R:  A = A0 + P r sin(t)/t + 2 pi R^2 (1 - cos t),  t = r / R.
    With the N03 outline's convex hull (geographiclib): A0 = 1.627 km², P = 5.332 km, at
    latitude 24.2878°; R = sqrt(M N) = 6,364.0 km on WGS84; r = 200 NM = 370.4 km:
      2 pi R^2 (1 - cos t) = 430,893 km²,  P r sin(t)/t = 1,974 km²,  A = 432,868 km²;
    the island itself (1.6 km²) is not EEZ: 432,867 km².
    """
    doc = json.loads((SHARED / "coast" / "n03_2021_s0010_minami_torishima.geojson").read_text(encoding="utf-8"))
    hull = shapely.convex_hull(shapely.Polygon(doc["features"][0]["geometry"]["coordinates"][0]))
    g = Geodesic.WGS84
    pa = PolygonArea(g)
    for x, y in list(hull.exterior.coords)[:-1]:
        pa.AddPoint(y, x)
    _, perimeter, area0 = pa.Compute(False, True)
    area0 = abs(area0)
    e2 = g.f * (2 - g.f)
    phi = math.radians(hull.centroid.y)
    w = math.sqrt(1 - e2 * math.sin(phi) ** 2)
    radius = math.sqrt((g.a * (1 - e2) / w ** 3) * (g.a / w))
    r = 200 * 1852.0
    t = r / radius
    disc = 2 * math.pi * radius ** 2 * (1 - math.cos(t))
    swept = perimeter * r * math.sin(t) / t
    assert (round(area0 / 1e6, 3), round(perimeter / 1e3, 3)) == (1.627, 5.332)
    assert round(radius / 1e3, 1) == 6364.0 and round(disc / 1e6) == 430_893 and round(swept / 1e6) == 1_974
    return (area0 + swept + disc) / 1e6 - area0 / 1e6, area0 / 1e6


@needs_shared
def test_minami_torishima_is_worth_its_whole_circle_json():
    import geopandas as gpd

    eez = gpd.read_file(SHARED / "eez" / "mr_v12_eez_nw_pacific.geojson")
    assert float(eez[eez.mrgid == 8487].area_km2.iloc[0]) == JAPAN_EEZ_KM2
    expected, _ = _minami_torishima_by_hand()
    assert round(expected) == 432_867
    r = run("island", "minami-torishima", "--json")
    assert r.code == 0, r.err
    j = r.json()
    assert (j["island"], j["sovereign"], j["sovereign_iso"]) == ("minami-torishima", "Japan", "JPN")
    assert j["area_km2"] == pytest.approx(expected, rel=1e-4)
    assert j["sovereign_eez_km2"] == JAPAN_EEZ_KM2
    assert j["share"] == pytest.approx(expected / JAPAN_EEZ_KM2, abs=1e-4)   # about 10.6 %
    assert "not of the official baselines" in j["method"] and "low-water line" in j["method"]
    assert "MLIT N03" in j["note"] and "not an official baseline" in j["note"]
    ids = {x["id"]: x["version"] for x in j["layers"]}
    assert ids["mr-v12-eez-nw-pacific"] == "12 (2023)" and "n03-2021-minami-torishima" in ids
    assert "gshhg-f-small-islands-japan" in ids and "ne-10m-land-nw-pacific" in ids


@needs_shared
def test_minami_torishima_text():
    expected, _ = _minami_torishima_by_hand()
    r = run("island", "minami-torishima")
    assert r.code == 0, r.err
    first = r.out.splitlines()[0]
    assert first.startswith("Minami-Torishima (Marcus Island): 432,8") and "km²" in first
    assert f"{100 * expected / JAPAN_EEZ_KM2:.1f}" in r.out.splitlines()[1]   # 10.6 % of Japan's EEZ
    assert "4,066,513 km²" in r.out
    assert "not an official baseline" in r.out and "1 % simplified" in r.out   # the outline's resolution
    assert "layer: n03-2021-minami-torishima (version N03 2021-01-01)" in r.out
    assert "国土数値情報" in r.out                                              # N03's credit line


def test_okinotorishima_says_its_outline_is_crude():
    r = run("island", "okinotorishima", "--json")
    assert r.code == 0, r.err
    j = r.json()
    # often quoted: about 400,000–420,000 km² (Japan Times 2011: "about 400,000 sq. km")
    assert 400_000 < j["area_km2"] < 420_000
    assert j["area_km2"] < j["within_200nm_km2"]           # part of its circle is other land's anyway
    assert "GSHHG" in j["note"] and "crude" in j["note"] and "1.4–2 km" in j["note"]
    text = run("island", "okinotorishima").out
    assert "1.4–2 km" in text and "gshhg-f-okinotorishima" in text


@pytest.mark.parametrize("ident,needle", [("rey-mud-area", "is a deposit_area, not an island"),
                                          ("chikyu-2026-site", "not an island"),
                                          ("nowhere", "unknown island 'nowhere'")])
def test_unknown_or_non_island_is_one_line_exit_2(ident, needle):
    r = run("island", ident)
    assert_one_line_error(r, 2)
    assert needle in r.err and "minami-torishima, okinotorishima" in r.err


def test_island_is_listed_in_the_help():
    assert "island" in run("--help").out
    assert_one_line_error(run("island", "minami-torishima", "--indent", "2"), 2)
