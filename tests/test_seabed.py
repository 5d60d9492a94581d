"""geo.seabed: ISA contract areas, depth bands and the seabed regime.

Expected values come from the source files in ../shared/data (read with
geopandas and tested with shapely, not through the bundled copies or
geo.seabed), from published facts (JOGMEC's contract signed 2014-01-27; the
Takaya et al. 2018 frame at 5,600–5,800 m) and from geographiclib.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
import shapely
from _constants import SHARED

from geo import seabed as S

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data (the source files) is not here")


@pytest.fixture(scope="module")
def isa_source():
    import geopandas as gpd

    return gpd.read_file(SHARED / "isa" / "isa_exploration_areas_2019-07.geojson")


@pytest.fixture(scope="module")
def eez_source():
    import geopandas as gpd

    return gpd.read_file(SHARED / "eez" / "mr_v12_eez_nw_pacific.geojson")


@pytest.fixture(scope="module")
def bathy_source():
    import geopandas as gpd

    return gpd.read_file(SHARED / "bathymetry" / "ne_10m_bathymetry_nw_pacific.geojson")


def _zone_of(eez, lat, lon):
    """(status, sovereigns) of a point from the source EEZ file (the caller's classification)."""
    hit = eez[eez.intersects(shapely.Point(lon, lat))]
    if hit.empty:
        return "high_seas", ()
    row = hit.iloc[0]
    sov = tuple(s for s in (row.sovereign1, row.sovereign2, row.sovereign3) if isinstance(s, str) and s)
    status = {"200NM": "eez", "Overlapping claim": "overlapping_claim", "Joint regime": "joint_regime"}[row.pol_type]
    return status, sov


def _band_of(bathy, lat, lon):
    """The source's band: the largest depth among the polygons containing the point."""
    hit = bathy[bathy.intersects(shapely.Point(lon, lat))]
    return None if hit.empty else int(hit.depth.max())


def _inside(source, name):
    """A point inside the first area of contractor *name* in the source file."""
    geom = source[source.name == name].geometry.iloc[0]
    p = geom.representative_point()
    assert geom.contains(p)
    return p.y, p.x


@needs_shared
def test_point_in_a_jogmec_block_is_the_area_with_the_jogmec_contract(isa_source, eez_source, bathy_source):
    lat, lon = _inside(isa_source, "JOGMEC (Japan)")
    status, sov = _zone_of(eez_source, lat, lon)
    assert status == "high_seas"  # the JOGMEC blocks lie outside every 200 NM zone
    answer = S.seabed(lat, lon, status, sov)
    assert answer.regime == "the_area" and answer.states == ()
    (c,) = answer.contracts
    assert c.contractor == "JOGMEC (Japan)"
    assert c.resource == "cobalt-rich ferromanganese crusts" and c.status == "exploration"
    assert c.since == date(2014, 1, 27)  # ISA news release: signed 27 January 2014
    assert c.as_of == "2019-07" and c.layer["id"] == S.ISA_LAYER
    d = answer.as_dict()
    assert set(d) == {"regime", "states", "contracts", "note"}
    assert set(d["contracts"][0]) == {"contractor", "resource", "status", "since", "as_of", "layer"}
    assert d["contracts"][0]["since"] == "2014-01-27"
    assert "July 2019" in d["note"] and "relinquished" in d["note"]
    band = S.depth_band(lat, lon)
    assert band.from_m == _band_of(bathy_source, lat, lon)


@needs_shared
def test_point_in_a_korean_crust_block(isa_source, eez_source):
    lat, lon = _inside(isa_source, "Gov. of the Republic of Korea")
    status, sov = _zone_of(eez_source, lat, lon)
    answer = S.seabed(lat, lon, status, sov)
    assert answer.regime == "the_area"
    (c,) = answer.contracts
    assert c.contractor == "Gov. of the Republic of Korea"
    assert c.resource == "cobalt-rich ferromanganese crusts"
    assert c.since is None  # not in the December 2018 compilation


@needs_shared
def test_reserved_area(isa_source):
    geom = isa_source[isa_source.layer == "05_CFC_Reserved_Areas"].geometry.iloc[0]
    p = geom.representative_point()
    (c,) = S.contracts(p.y, p.x)
    assert c.status == "reserved" and c.since is None
    assert c.resource == "cobalt-rich ferromanganese crusts"


# the Takaya et al. 2018 frame, 21°48′–22°15′N, 153°30′–154°07′E, and points inside it
MUD = [(22.025, 153.80833), (21.81, 153.51), (22.24, 154.11), (21.9, 153.6), (22.2, 154.0)]


@needs_shared
@pytest.mark.parametrize("lat,lon", MUD)
def test_mud_frame_is_japans_shelf_5000_to_6000_m(lat, lon, eez_source, bathy_source):
    assert 21.8 <= lat <= 22.25 and 153.5 <= lon <= 154 + 7 / 60
    status, sov = _zone_of(eez_source, lat, lon)
    assert (status, sov) == ("eez", ("Japan",))
    answer = S.seabed(lat, lon, status, sov)
    assert answer.regime == "continental_shelf" and answer.states == ("Japan",) and answer.contracts == ()
    assert "continental shelf" in answer.note
    band = S.depth_band(lat, lon)
    assert _band_of(bathy_source, lat, lon) == 5000  # the source file, tested with shapely
    assert (band.from_m, band.to_m) == (5000, 6000)  # published 5,600–5,800 m lies in it
    assert band.as_dict() == {"from": 5000, "to": 6000, "layer": band.layer}
    assert band.layer["id"] == S.BATHYMETRY_LAYER and band.layer["scale"] == "1:10m"
    assert "not a measured depth" in band.label()


@needs_shared
@pytest.mark.parametrize("lat,lon", [(30.0, 170.0), (35.0, 175.0)])
def test_open_ocean_beyond_200nm(lat, lon, eez_source, isa_source, bathy_source):
    status, sov = _zone_of(eez_source, lat, lon)
    assert status == "high_seas"
    assert not isa_source.intersects(shapely.Point(lon, lat)).any()
    answer = S.seabed(lat, lon, status, sov)
    assert answer.regime == "beyond_200nm" and answer.contracts == () and answer.states == ()
    assert answer.note == ("The Area, unless an extended continental shelf has been established here; "
                           "eezmap has no extended-shelf layer.")
    assert S.depth_band(lat, lon).from_m == _band_of(bathy_source, lat, lon)


@needs_shared
def test_near_the_island_inside_12_nm(eez_source, bathy_source):
    from geographiclib.geodesic import Geodesic

    # 10 km due north of the island's northernmost N03 vertex (24.29755°N, 153.98392°E)
    g = Geodesic.WGS84.Direct(24.2975504, 153.9839205, 0.0, 10_000.0)
    lat, lon = g["lat2"], g["lon2"]
    status, sov = _zone_of(eez_source, lat, lon)
    assert (status, sov) == ("eez", ("Japan",))
    answer = S.seabed(lat, lon, status, sov)
    assert answer.regime == "continental_shelf" and answer.states == ("Japan",)
    band = S.depth_band(lat, lon)
    expected = _band_of(bathy_source, lat, lon)
    assert (band.from_m if band else None) == expected


def test_land_and_shared_zones():
    land = S.seabed(35.68, 139.69, "land", ())
    assert land.regime == "land" and land.contracts == () and land.states == ()
    shared = S.seabed(25.75, 123.5, "overlapping_claim", ("Taiwan", "Japan", "China"))
    assert shared.regime == "continental_shelf"
    assert shared.states == ("Taiwan", "Japan", "China")
    assert "every party" in shared.note
    unknown = S.seabed(-40.0, -20.0, "outside_coverage", ())
    assert unknown.regime is None and unknown.as_dict()["regime"] is None


def test_depth_band_none_on_land_and_outside_coverage():
    assert S.depth_band(36.0, 138.0) is None    # Honshu
    assert S.depth_band(-10.0, 150.0) is None   # south of the layer's coverage


@pytest.mark.slow
def test_arrays_equal_single_points_on_a_random_sample(isa_source):
    rng = np.random.default_rng(11)
    n = 400
    lat = rng.uniform(0.0, 60.0, n)
    lon = rng.uniform(90.0, 180.0, n)
    # and points inside ISA areas of the region, where contracts are found
    region = isa_source.cx[140:165, 10:30]
    reps = region.geometry.representative_point()
    lat = np.concatenate([lat, reps.y.values[:100]])
    lon = np.concatenate([lon, reps.x.values[:100]])
    status = np.where(rng.random(len(lat)) < 0.5, "high_seas", "eez")
    sov = [("Japan",) if s == "eez" else () for s in status]

    bands = S.depth_band(lat, lon, direct=False)      # the grid index
    found = S.contracts(lat, lon, direct=False)
    regimes = S.seabed(lat, lon, status, sov, direct=False)
    assert (found.index >= 0).sum() >= 100
    for i in range(len(lat)):
        assert bands.record(i) == S.depth_band(lat[i], lon[i])       # direct, one point
        assert found.record(i) == S.contracts(lat[i], lon[i])
        assert regimes.record(i) == S.seabed(lat[i], lon[i], status[i], sov[i])
    # arrays for batch columns
    assert list(found.contractor[:3]) == [found.record(i)[0].contractor if found.record(i) else None
                                          for i in range(3)]
    assert set(regimes.regime) <= {"continental_shelf", "the_area", "beyond_200nm"}
