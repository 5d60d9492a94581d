"""`eezmap distance`: which point of an area is measured, the nearest edge, typed points and
approximate sites (issue 9, item 7).  References: geographiclib, the published frame."""

from __future__ import annotations

import re

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

from helpers import run
from _constants import (CHIKYU_BEARING_DEG, CHIKYU_FROM_ISLAND_KM, CHIKYU_UNCERTAINTY_KM, ISLAND,
                        MUD_FRAME)

G = Geodesic.WGS84
FRAME = MUD_FRAME                                  # the mud area: 21°48′–22°15′N, 153°30′–154°07′E


def frame_edge_reference(lat, lon, step=2e-4):
    """Smallest geographiclib distance (m) from (lat, lon) to the frame's edges, sampled every *step*°
    (edges straight in lon/lat, as the layer draws them), and where."""
    s, n, w, e = FRAME
    xs = np.linspace(w, e, int(round((e - w) / step)) + 1)
    ys = np.linspace(s, n, int(round((n - s) / step)) + 1)
    pts = ([(s, x) for x in xs] + [(n, x) for x in xs] + [(y, w) for y in ys] + [(y, e) for y in ys])
    best = min((G.Inverse(lat, lon, a, b, Geodesic.DISTANCE)["s12"], a, b) for a, b in pts)
    return best


def test_distance_to_an_area_names_the_centre_and_gives_the_nearest_edge():
    j = run("distance", "minami-torishima", "rey-mud-area", "--json").json()
    assert j["from"]["measured_point"] == "point"
    assert j["to"]["measured_point"] == "centre"
    edge = j["to"]["nearest_edge"]
    # due north of the frame: by symmetry the nearest point of the north edge (a parallel) is
    # at the island's longitude; checked against a sampled search of all four edges too
    foot = G.Inverse(*ISLAND, FRAME[1], ISLAND[1])["s12"]
    sampled, _, _ = frame_edge_reference(*ISLAND)
    assert foot <= sampled + 0.5
    assert edge["distance_km"] == pytest.approx(foot / 1000, abs=1e-3)
    assert edge["distance_nm"] == pytest.approx(foot / 1852, abs=1e-3)
    assert (edge["lat"], edge["lon"]) == pytest.approx((FRAME[1], ISLAND[1]), abs=1e-5)
    assert edge["inside"] is False
    text = run("distance", "minami-torishima", "rey-mud-area").out
    assert "centre" in text
    assert "nearest edge" in text and f"{foot / 1000:,.3f} km" in text


@pytest.mark.parametrize("point", ["25.5,156", "20,152"])
def test_nearest_edge_off_a_corner_matches_a_sampled_search(point):
    lat, lon = (float(v) for v in point.split(","))
    j = run("distance", point, "rey-mud-area", "--json").json()
    ref, rlat, rlon = frame_edge_reference(lat, lon)
    edge = j["to"]["nearest_edge"]
    assert edge["distance_km"] == pytest.approx(ref / 1000, abs=2e-3)   # sampling every 2e-4° (~20 m)
    # never longer than a sampled point (the site file rounds 154°07′ to 154.11667°: 0.3 m)
    assert edge["distance_km"] * 1000 <= ref + 0.5
    assert (edge["lat"], edge["lon"]) == pytest.approx((rlat, rlon), abs=1e-3)


def test_a_point_inside_the_area_is_said_to_be_inside():
    j = run("distance", "22,153.8", "rey-mud-area", "--json").json()
    edge = j["to"]["nearest_edge"]
    assert edge["inside"] is True
    south = G.Inverse(22, 153.8, FRAME[0], 153.8)["s12"]      # 0.2° of latitude: the south edge is nearest
    assert edge["distance_km"] == pytest.approx(south / 1000, abs=1e-3)
    assert "inside" in run("distance", "22,153.8", "rey-mud-area").out
    # the area first: the same edge, measured from the point
    k = run("distance", "rey-mud-area", "22,153.8", "--json").json()
    assert k["from"]["nearest_edge"]["distance_km"] == pytest.approx(south / 1000, abs=1e-3)


def test_a_typed_point_is_not_published():
    j = run("distance", "-33.9,18.4", "35,139", "--json").json()
    assert j["from"]["certainty"] == j["to"]["certainty"] == "user-supplied"
    assert run("distance", "-33.9,18.4", "minami-torishima", "--json").json()["to"]["certainty"] == "published"


def test_an_approximate_site_is_not_measured_to_the_metre():
    # the site's marker is 150 km at bearing 135° from the island, ±71 km (the reports it is
    # derived from; sites.geojson keeps 4 decimals, about 11 m): where it should be, by geographiclib
    site = G.Direct(*ISLAND, CHIKYU_BEARING_DEG, CHIKYU_FROM_ISLAND_KM * 1000)
    j = run("distance", "minami-torishima", "chikyu-2026-site", "--json").json()
    assert (j["to"]["lat"], j["to"]["lon"]) == pytest.approx((site["lat2"], site["lon2"]), abs=1e-4)
    ref = G.Inverse(*ISLAND, j["to"]["lat"], j["to"]["lon"])["s12"]
    assert j["distance_km"] == pytest.approx(ref / 1000, abs=1e-5)     # JSON keeps the number
    assert j["distance_uncertainty_km"] == CHIKYU_UNCERTAINTY_KM
    assert run("distance", "minami-torishima", "rey-mud-area", "--json").json()["distance_uncertainty_km"] is None
    text = run("distance", "minami-torishima", "chikyu-2026-site").out
    first = text.splitlines()[0]
    # rounded to the uncertainty, by hand: ±71 km and ±71/1.852 = ±38 NM are tens, so whole units
    km, unc_nm = round(ref / 1000), round(CHIKYU_UNCERTAINTY_KM * 1000 / 1852)
    assert re.search(rf"≈ ?{km:,} km ± ?{CHIKYU_UNCERTAINTY_KM} km", first), first
    assert re.search(rf"≈ ?{round(ref / 1852):,} NM ± ?{unc_nm} NM", first), first
    assert f"{ref / 1000:.3f}" not in text and not re.search(r"\d\.\d{2,} (km|NM)", text), text


@pytest.mark.parametrize("value,unc,expected", [
    (150.0003, 71.0, "≈ 150 km ± 71 km"),        # ±71 km: whole km
    (1234.56, 710.0, "≈ 1,230 km ± 710 km"),     # ±710 km: tens of km
    (12.345, 5.0, "≈ 12.3 km ± 5.0 km"),         # ±5 km: tenths
    (12.345, None, "12.345 km"),                  # exact: as asked
])
def test_uncertain_lengths_are_rounded_to_their_uncertainty(value, unc, expected):
    from geo.cli.distance import _measure

    assert _measure(value, unc, "km", 3) == expected


def test_the_same_point_has_no_bearing_and_one_inside_line():
    """Review of issue 9 (weaker): a zero-length geodesic has no direction (WGS84 by hand: any
    azimuth joins a point to itself), and an area measured to itself is described once."""
    r = run("distance", "rey-mud-area", "rey-mud-area")
    assert r.code == 0, r.err
    assert r.out.count("lies inside") == 1, r.out
    assert "initial bearing undefined" in r.out and "180.00°" not in r.out
    j = run("distance", "0,0", "0,0", "--json").json()
    assert j["distance_km"] == 0 and j["initial_bearing_deg"] is None


@pytest.mark.parametrize("typed,shown", [("0,180", "180.00000"), ("0,-180", "-180.00000"),
                                         ("0, 179.5", "179.50000")])
def test_a_typed_point_echoes_its_longitude_as_given(typed, shown):
    """Review 1: `distance 0,0 0,180` echoed -180.  180 and -180 are one meridian (geographiclib:
    20,003.93 km from 0,0 either way); the echo is what was typed, the measurement is the same."""
    from geo.cli.distance import json_object

    j = json_object("0,0", typed)
    assert j["to"]["name"] == f"0.00000, {shown}"
    ref = G.Inverse(0.0, 0.0, 0.0, float(typed.split(",")[1]))["s12"]
    assert j["distance_km"] == pytest.approx(ref / 1000, abs=1e-6)
    r = run("distance", "0,0", typed)
    assert r.code == 0 and f"→ 0.00000, {shown}:" in r.out, r.out
