"""`where` answers for the seabed too: the `seabed` and `depth_m` parts of one answer, the text
lines, and the batch columns equal to the single answers row by row (issue 11, item 1).

Expected regimes, contractors and bands come from the source files in ../shared/data (ISA
areas, Marine Regions v12, Natural Earth bands) read with geopandas and tested with shapely,
and from geographiclib for the point near the island; the batch is compared with `where`.
"""

from __future__ import annotations


import numpy as np
import pytest
import shapely

from helpers import run

from _constants import ISLAND_ARGS, SHARED
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data (the source files) is not here")


@pytest.fixture(scope="module")
def sources():
    import geopandas as gpd

    return {
        "isa": gpd.read_file(SHARED / "isa" / "isa_exploration_areas_2019-07.geojson"),
        "eez": gpd.read_file(SHARED / "eez" / "mr_v12_eez_nw_pacific.geojson"),
        "bathy": gpd.read_file(SHARED / "bathymetry" / "ne_10m_bathymetry_nw_pacific.geojson"),
    }


def _inside(isa, name):
    geom = isa[isa.name == name].geometry.iloc[0]
    p = geom.representative_point()
    return p.y, p.x


def _near_island():
    """10 km due north of Minami-Torishima's northernmost N03 vertex: inside 12 NM."""
    from geographiclib.geodesic import Geodesic

    g = Geodesic.WGS84.Direct(24.2975504, 153.9839205, 0.0, 10_000.0)
    return g["lat2"], g["lon2"]


def _expected(src, lat, lon):
    """(regime, states, contractor, band from) from the source files alone."""
    p = shapely.Point(lon, lat)
    zone = src["eez"][src["eez"].intersects(p)]
    isa = src["isa"][src["isa"].intersects(p)]
    bands = src["bathy"][src["bathy"].intersects(p)]
    band = None if bands.empty else int(bands.depth.max())
    if not zone.empty:
        row = zone.iloc[0]
        states = [s for s in (row.sovereign1, row.sovereign2, row.sovereign3) if isinstance(s, str) and s]
        return "continental_shelf", states, None, band
    if not isa.empty:
        return "the_area", [], isa.iloc[0]["name"], band
    return "beyond_200nm", [], None, band


@needs_shared
def test_where_json_seabed_and_depth_at_the_story_points(sources):
    points = {
        "jogmec": _inside(sources["isa"], "JOGMEC (Japan)"),
        "korea": _inside(sources["isa"], "Gov. of the Republic of Korea"),
        "mud": (22.025, 153.80833),
        "open ocean": (30.0, 170.0),
        "near the island": _near_island(),
    }
    for what, (lat, lon) in points.items():
        j = run("where", f"{lat:.7f}", f"{lon:.7f}", "--json", "--no-distance").json()
        regime, states, contractor, band = _expected(sources, round(lat, 7), round(lon, 7))
        sb = j["seabed"]
        assert set(sb) == {"regime", "states", "contracts", "note"}, what
        assert (sb["regime"], sb["states"]) == (regime, states), what
        assert [c["contractor"] for c in sb["contracts"]] == ([contractor] if contractor else []), what
        for c in sb["contracts"]:
            assert c["as_of"] == "2019-07" and c["layer"]["id"] == "isa-exploration-areas-2019-07"
            assert c["resource"] == "cobalt-rich ferromanganese crusts" and c["status"] == "exploration"
        assert j["depth_m"]["from"] == band, what
        assert j["depth_m"]["layer"]["id"] == "ne-10m-bathymetry-nw-pacific"
    # JOGMEC's contract: signed 27 January 2014 (ISA news release)
    j = run("where", *(f"{v:.7f}" for v in points["jogmec"]), "--json", "--no-distance").json()
    assert j["seabed"]["contracts"][0]["since"] == "2014-01-27"
    assert j["seabed"]["contracts"][0]["contractor"] == "JOGMEC (Japan)"
    # the mud frame: 5,000–6,000 m band (published 5,600–5,800 m lies in it)
    j = run("where", "22.025", "153.80833", "--json", "--no-distance").json()
    assert (j["depth_m"]["from"], j["depth_m"]["to"]) == (5000, 6000)
    assert j["seabed"]["note"].startswith("Within 200 NM")
    j = run("where", "30", "170", "--json", "--no-distance").json()
    assert "no extended-shelf layer" in j["seabed"]["note"]


def test_where_on_land_has_no_depth_band():
    j = run("where", "35.69", "139.69", "--json", "--no-distance").json()
    assert j["status"] == "land"
    assert j["seabed"]["regime"] == "land" and j["depth_m"] is None


def test_where_text_has_seabed_and_depth_lines_cited_and_dated():
    r = run("where", "21.5406", "159.2656", "--no-distance")
    lines = r.out.splitlines()
    seabed = [ln for ln in lines if ln.strip().startswith("Seabed:")]
    depth = [ln for ln in lines if ln.strip().startswith("Depth:")]
    assert len(seabed) == 1 and len(depth) == 1
    assert "the Area" in seabed[0]
    assert ("ISA contract: JOGMEC (Japan), cobalt-rich ferromanganese crusts, exploration, since 2014-01-27 "
            "(ISA, July 2019; areas since partly relinquished)") in r.out
    assert "1,000–2,000 m (1:10m depth band, not a measured depth)" in depth[0]
    assert "isa-exploration-areas-2019-07" in r.out and "ne-10m-bathymetry-nw-pacific" in r.out
    r = run("where", "22.0", "153.8", "--no-distance")
    assert "Seabed:     continental shelf of Japan" in r.out
    assert "5,000–6,000 m (1:10m depth band, not a measured depth)" in r.out


@needs_shared
def test_batch_seabed_columns_equal_single_answers_row_by_row(tmp_path, sources):
    rng = np.random.default_rng(12)
    lat = list(rng.uniform(15.0, 30.0, 40))
    lon = list(rng.uniform(145.0, 165.0, 40))
    fixed = [_inside(sources["isa"], "JOGMEC (Japan)"), _inside(sources["isa"], "Gov. of the Republic of Korea"),
             (22.025, 153.80833), (30.0, 170.0), _near_island(), (35.69, 139.69)]
    for la, lo in fixed:
        lat.append(la)
        lon.append(lo)
    src = tmp_path / "in.csv"
    src.write_text("lat,lon\n" + "".join(f"{a:.7f},{b:.7f}\n" for a, b in zip(lat, lon)) + "x,1\n")
    from geo.answer import where

    # the single answers (in-process: the same function `eezmap where` calls)
    singles = [where(float(f"{a:.7f}"), float(f"{b:.7f}"), distance=False).to_json() for a, b in zip(lat, lon)]
    import pandas as pd

    for out_name in ("out.csv", "out.parquet"):
        out = tmp_path / out_name
        assert run("where", "--input", str(src), "--output", str(out)).code == 0
        df = pd.read_csv(out, keep_default_na=False) if out_name.endswith(".csv") else pd.read_parquet(out)
        assert len(df) == len(lat) + 1
        for i, j in enumerate(singles):
            row = df.iloc[i]
            assert str(row["eez_seabed"]) == (j["seabed"]["regime"] or ""), i
            contractor = j["seabed"]["contracts"][0]["contractor"] if j["seabed"]["contracts"] else ""
            assert str(row["eez_contractor"]) == contractor, i
            d = j["depth_m"]
            for col, key in (("eez_depth_from_m", "from"), ("eez_depth_to_m", "to")):
                got = row[col]
                want = d[key] if d else None
                if want is None:
                    assert got == "" or (isinstance(got, float) and np.isnan(got)), (i, col, got)
                else:
                    assert float(got) == want, (i, col)
        bad = df.iloc[-1]
        assert str(bad["eez_seabed"]) == "" and str(bad["eez_contractor"]) == ""
    # the fixed points, against the source files
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert list(df["eez_seabed"].astype(str)[40:46]) == ["the_area", "the_area", "continental_shelf",
                                                         "beyond_200nm", "continental_shelf", "land"]
    assert list(df["eez_contractor"].astype(str)[40:42]) == ["JOGMEC (Japan)", "Gov. of the Republic of Korea"]
    assert df["eez_depth_from_m"].iloc[42] == 5000 and df["eez_depth_to_m"].iloc[42] == 6000


def test_batch_seabed_columns_python_api_and_many_points_use_the_index():
    """More than 64 points go through the grid index; the answers equal the direct test."""
    from geo import seabed as S
    from geo.table import classify_arrays

    rng = np.random.default_rng(5)
    lat = rng.uniform(0.0, 60.0, 500)
    lon = rng.uniform(90.0, 180.0, 500)
    cols = classify_arrays(lat, lon)
    regime = np.asarray(cols["eez_seabed"].to_pandas().astype(str))
    status = np.asarray(cols["eez_status"].to_pandas().astype(str))
    for i in range(0, 500, 7):
        one = S.seabed(lat[i], lon[i], status[i], ())
        assert regime[i] == (one.regime or "")
        band = S.depth_band(lat[i], lon[i], status=status[i])
        assert (np.isnan(cols["eez_depth_from_m"][i]) if band is None
                else cols["eez_depth_from_m"][i] == band.from_m)


def test_empty_parquet_output_has_typed_seabed_columns(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "empty.parquet"
    pq.write_table(pa.table({"lat": pa.array([], pa.float64()), "lon": pa.array([], pa.float64())}), src)
    out = tmp_path / "out.parquet"
    run("where", "--input", str(src), "--output", str(out))
    schema = pq.read_schema(out)
    assert schema.field("eez_depth_from_m").type == pa.float64()
    assert schema.field("eez_seabed").type == pa.string()


# --- the island's own zones, computed (issue 11, item 3) ----------------------------------------

LABEL = ("computed from the coastline (MLIT N03), not an official baseline — "
         "UNCLOS measures from the low-water line")


def _north_of_island(km):
    """*km* due north of Minami-Torishima's northernmost N03 vertex (24.2975504°N, 153.9839205°E):
    nothing of the outline lies farther north, so the point is *km* from the outline (geographiclib)."""
    from geographiclib.geodesic import Geodesic

    g = Geodesic.WGS84.Direct(24.2975504, 153.9839205, 0.0, km * 1000.0)
    return f"{g['lat2']:.7f}", f"{g['lon2']:.7f}"


@pytest.mark.parametrize("km,kinds", [
    (10.0, ["eez_12nm", "eez_24nm", "eez"]),   # inside 12 NM = 22.224 km
    (30.0, ["eez_24nm", "eez"]),               # between 12 and 24 NM (44.448 km)
    (60.0, ["eez"]),                           # beyond 24 NM: no computed zone listed
])
def test_where_near_the_island_gives_the_full_nesting_offline(km, kinds):
    j = run("where", *_north_of_island(km), "--json", "--no-distance").json()
    if kinds == ["eez"]:
        assert "zones" not in j  # no nested layer, no computed zone: the list is left out
        return
    assert [z["kind"] for z in j["zones"]] == kinds
    for z in j["zones"][:-1]:
        assert z["computed"] == LABEL
        assert z["layer"]["id"] == "island-zones-minami-torishima" and z["mrgid"] is None
        assert z["sovereigns"] == ["Japan"] and z["name"].startswith("Minami-Torishima")
    assert j["zones"][-1]["mrgid"] == 8487 and "computed" not in j["zones"][-1]
    text = run("where", *_north_of_island(km), "--no-distance").out
    assert text.count(LABEL) == len(kinds) - 1
    assert "island-zones-minami-torishima" in text and "国土数値情報" in text  # the N03 credit line


def test_where_on_the_island_lists_the_island_itself():
    j = run("where", *ISLAND_ARGS, "--json", "--no-distance").json()
    assert [z["kind"] for z in j["zones"]] == ["island", "eez_12nm", "eez_24nm", "eez"]
    assert j["zones"][0]["computed"] == LABEL


def test_seabed_and_island_queries_never_prepare_the_shared_geometries():
    """From several threads at once, the direct path (a handful of points) answers as in one
    thread and leaves the layers' shared geometries unprepared (geo._threads)."""
    from concurrent.futures import ThreadPoolExecutor

    from geo import islands as I
    from geo import seabed as S

    points = [(21.5406, 159.2656), (22.0, 153.8), (30.0, 170.0), (24.40, 153.98), (10.0, -150.0)]
    one = [(S.contracts(a, b), S.depth_band(a, b), I.island_zone(a, b)) for a, b in points]
    with ThreadPoolExecutor(max_workers=8) as pool:
        many = list(pool.map(lambda k: [(S.contracts(a, b), S.depth_band(a, b), I.island_zone(a, b))
                                        for a, b in points], range(32)))
    assert all(m == one for m in many)
    assert not shapely.is_prepared(S._isa().data.geometry).any()
    assert not shapely.is_prepared(S._bathymetry().locator.geoms).any()
    assert not shapely.is_prepared(I._zone_table().locator.geoms).any()
