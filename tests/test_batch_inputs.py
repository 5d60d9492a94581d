"""Reading batch inputs (issue 9, items 5, 6, 12 and 20):

- a cell and an argument are read by the same parser, with the same rules and
  the same message (``eezmap where LAT LON`` vs a row of ``--input``);
- every geometry input is reprojected to EPSG:4326 by one reader, used by
  ``where --input``, ``area FILE`` and ``map --sites/--points``; a file without
  a CRS is refused only where its coordinates cannot be longitude/latitude;
- a CSV written as GeoJSON/GeoPackage gets its points from the columns named
  with ``--lat-col/--lon-col``;
- re-running on its own output replaces the ``eez_*`` columns;
- empty inputs: no rows with usable columns is an empty result (exit 0), an
  empty FeatureCollection is "empty" (exit 2).
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely
from pyproj import Geod

from geo import where
from geo.io import classify_frame, read_points
from geo.coords import parse_pair
from geo.errors import CoordinateError
from geo.sites import read_user_sites

from helpers import assert_one_line_error, run

# Points whose single answers are known (README): the Japanese EEZ around
# Minami-Torishima, the Senkaku overlapping claim, high seas.
PLACES = [(24.28667, 153.98056), (25.8, 123.5), (36.0, 150.0), (22.0, 153.8)]
# EPSG:3857 written out by hand, independent of the code under test:
# x = R * lon_rad, y = R * ln(tan(pi/4 + lat_rad/2)), R = 6378137 m.
R = 6378137.0


def _merc(lat, lon):
    return R * np.radians(lon), R * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def _single(lat, lon):
    """What `eezmap where LAT LON` answers for these two texts/numbers (or its error)."""
    try:
        la, lo = parse_pair(lat, lon)
    except CoordinateError as exc:
        return ("error", str(exc))
    a = where(la, lo, distance=False)
    return (a.answer, a.status, a.zone["mrgid"] if a.zone else -1)


def _batch(frame):
    out = classify_frame(frame)
    rows = []
    for _, r in out.iterrows():
        if r["eez_status"] == "invalid":
            rows.append(("error", r["eez_error"]))
        else:
            rows.append((r["eez_answer"], r["eez_status"], int(r["eez_mrgid"])))
    return rows


# ---------------------------------------------------------------- item 6: one reading

CELLS = [
    ("1e1", "150"),                       # scientific notation: accepted everywhere (a valid number)
    ("2.428667E1", "153.98056"),
    ("2.428667e+01", "1.5398056e2"),
    ("153.98056E", "24.28667N"),          # letters show the order is reversed: swapped, as for `where`
    ("24°17′12″N", "153°58′50″E"),
    ("24 17 12 N", "153 58 50 E"),
    ("24:17:12", "153:58:50"),
    ("24.3", "206"),                      # 0-360 longitude
    ("95", "150"),                        # out of range: the same message
    ("95", "20"),                         # ... with the swap hint
    ("abc", "150"),
    ("24.5", "24.5N"),                    # both latitudes
    ("-24.5S", "150"),                    # sign and letter
    ("1e400", "150"),                     # overflows: out of range, not a number
    ("1e1 30", "150"),                    # scientific notation is decimal degrees only
    ("nan", "150"),
    ("inf", "150"),
    (" 24.28667 ", "153.98056"),
    ("\u221224.5", "150"),                # Unicode minus
]


@pytest.mark.parametrize("lat,lon", CELLS)
def test_a_text_cell_reads_like_the_argument(lat, lon):
    frame = pd.DataFrame({"lat": [lat], "lon": [lon]}, dtype=object)
    assert _batch(frame) == [_single(lat, lon)]


def test_scientific_notation_is_a_number_everywhere():
    assert parse_pair("1e1", "1.5e2") == (10.0, 150.0)
    r = run("where", "2.428667e1", "1.5398056E2", "--json", "--no-distance")
    assert r.code == 0, r.err
    assert r.json()["query"] == {"lat": 24.28667, "lon": 153.98056}


@pytest.mark.parametrize("lat,lon", [(95.0, 150.0), (95.0, 20.0), (24.0, 400.0), (24.28667, 153.98056),
                                     (24, 206), (-91, 10)])
def test_a_numeric_cell_reads_like_the_number(lat, lon):
    frame = pd.DataFrame({"lat": [lat], "lon": [lon]})
    assert _batch(frame) == [_single(lat, lon)]


def test_missing_cells_say_missing():
    frame = pd.DataFrame({"lat": ["", None, "24", "  "], "lon": ["150", "150", None, "150"]}, dtype=object)
    out = classify_frame(frame)
    assert list(out["eez_status"]) == ["invalid"] * 4
    assert [e.split(":")[0] for e in out["eez_error"]] == [
        "latitude is missing (empty text)", "latitude is missing", "longitude is missing",
        "latitude is missing (empty text)"]
    floats = classify_frame(pd.DataFrame({"lat": [np.nan, 24.0], "lon": [150.0, np.nan]}))
    assert [e.split(":")[0] for e in floats["eez_error"]] == ["latitude is missing", "longitude is missing"]


def test_numeric_parquet_is_read_like_text(tmp_path):
    """The streamed Parquet path reads numbers with the same rules and messages."""
    src = tmp_path / "p.parquet"
    lat = [24.28667, 95.0, 24.3, np.nan, 10.0]
    lon = [153.98056, 150.0, 206.0, 150.0, 400.0]
    pd.DataFrame({"lat": lat, "lon": lon}).to_parquet(src)
    dst = tmp_path / "o.parquet"
    r = run("where", "--input", str(src), "--output", str(dst))
    assert r.code == 0, r.err
    out = pd.read_parquet(dst)
    got = [("error", e) if s == "invalid" else (a, s, int(m))
           for a, s, m, e in zip(out.eez_answer, out.eez_status, out.eez_mrgid, out.eez_error)]
    exp = [_single(a, b) if not np.isnan(a) else ("error", "") for a, b in zip(lat, lon)]
    exp[3] = ("error", str(_raises(None, 150.0)))
    assert got == exp


def _raises(lat, lon):
    with pytest.raises(CoordinateError) as info:
        parse_pair(lat, lon)
    return info.value


@pytest.mark.slow
def test_many_numeric_rows_stay_fast():
    """A million rows of numbers (or of decimal text) never go through a per-cell Python parser:
    timed against the per-cell parser on a sample, so a loaded machine does not matter."""
    import time

    from geo.coords import parse_pairs

    rng = np.random.default_rng(0)
    n = 1_000_000
    lat = rng.uniform(-90, 90, n)
    lon = rng.uniform(-180, 360, n)
    text = np.char.mod("%.5f", lat).astype(object)
    k = 20_000
    t = time.perf_counter()
    for a, b in zip(text[:k], lon[:k].tolist()):
        parse_pair(a, b)
    per_cell_s = (time.perf_counter() - t) * n / k
    t = time.perf_counter()
    la, lo, err = parse_pairs(text, lon)
    text_s = time.perf_counter() - t
    assert (err == "").all() and np.allclose(la, np.round(lat, 5))
    t = time.perf_counter()
    la, lo, err = parse_pairs(lat, lon)
    num_s = time.perf_counter() - t
    assert (err == "").all() and (la == lat).all()
    assert num_s < per_cell_s / 10 and text_s < per_cell_s / 2, (num_s, text_s, per_cell_s)


# ---------------------------------------------------------------- item 5: geometry and CRS

def _points_3857(path, driver=None):
    y = [p[0] for p in PLACES]
    x = [p[1] for p in PLACES]
    mx, my = _merc(np.array(y), np.array(x))
    g = gpd.GeoDataFrame({"name": [f"p{i}" for i in range(len(PLACES))]},
                         geometry=shapely.points(mx, my), crs="EPSG:3857")
    g.to_file(path, driver=driver)
    return path


def test_projected_geopackage_is_reprojected(tmp_path):
    src = _points_3857(tmp_path / "p3857.gpkg")
    dst = tmp_path / "out.csv"
    r = run("where", "--input", str(src), "--output", str(dst))
    assert r.code == 0, r.err
    out = pd.read_csv(dst, keep_default_na=False)
    assert "invalid" not in set(out["eez_status"])
    got = [(a, s, int(m)) for a, s, m in zip(out.eez_answer, out.eez_status, out.eez_mrgid)]
    assert got == [_single(lat, lon) for lat, lon in PLACES]


def test_projected_sites_and_points_for_the_map(tmp_path):
    src = _points_3857(tmp_path / "sites.gpkg")
    sites = read_user_sites(str(src))
    assert [(round(s.lat, 6), round(s.lon, 6)) for s in sites] == [(round(a, 6), round(b, 6)) for a, b in PLACES]
    lat, lon = read_points(str(src))
    np.testing.assert_allclose(np.c_[lat, lon], np.array(PLACES), atol=1e-9)


def test_projected_polygon_area(tmp_path):
    # a 1° x 1° box in the Japanese EEZ near Minami-Torishima, written in EPSG:3857
    lon0, lat0 = 153.0, 22.0
    ring = [(lon0, lat0), (lon0 + 1, lat0), (lon0 + 1, lat0 + 1), (lon0, lat0 + 1)]
    mx, my = _merc(np.array([p[1] for p in ring]), np.array([p[0] for p in ring]))
    src = tmp_path / "box.gpkg"
    gpd.GeoDataFrame({"name": ["box"]}, geometry=[shapely.Polygon(np.c_[mx, my])], crs="EPSG:3857").to_file(src)
    # the geodesic area of the lon/lat box (straight lines in lon/lat, as shapely draws it)
    geod = Geod(ellps="WGS84")
    expected_km2 = abs(geod.geometry_area_perimeter(shapely.Polygon(ring))[0]) / 1e6
    r = run("area", str(src), "--json")
    assert r.code == 0, r.err
    got = r.json()["areas"][0]["area_km2"]
    # edges as geodesics or as parallels differ by ~5e-4 here (a sagitta of ~90 m on 102 km): either is fine
    assert got == pytest.approx(expected_km2, rel=2e-3)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")  # writing the file without a CRS is the point
def test_file_without_crs(tmp_path):
    mx, my = _merc(np.array([24.28667]), np.array([153.98056]))
    projected = tmp_path / "nocrs.gpkg"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=shapely.points(mx, my)).to_file(projected)
    r = run("where", "--input", str(projected), "--output", str(tmp_path / "o.csv"))
    assert_one_line_error(r, 2)
    assert "no CRS" in r.err and "longitude/latitude" in r.err
    assert not (tmp_path / "o.csv").exists()
    lonlat = tmp_path / "nocrs_ll.gpkg"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(153.98056, 24.28667)]).to_file(lonlat)
    r = run("where", "--input", str(lonlat), "--output", str(tmp_path / "o2.csv"))
    assert r.code == 0, r.err
    assert pd.read_csv(tmp_path / "o2.csv")["eez_answer"].tolist() == ["yes"]
    assert "Warning" not in r.err


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_csv_to_vector_uses_the_named_columns(tmp_path, suffix):
    src = tmp_path / "pings.csv"
    # decoy lat/lon columns hold other places: the geometry must come from Y/X
    pd.DataFrame({"lat": [0.0, 1.0], "lon": [0.0, 1.0], "Y": ["24.28667", "24°17′12″N"],
                  "X": ["153.98056", "206"]}).to_csv(src, index=False)
    dst = tmp_path / f"out{suffix}"
    r = run("where", "--input", str(src), "--output", str(dst), "--lat-col", "Y", "--lon-col", "X")
    assert r.code == 0, r.err
    out = gpd.read_file(dst)
    assert out.crs.to_epsg() == 4326
    np.testing.assert_allclose(out.geometry.x, [153.98056, -154.0])
    np.testing.assert_allclose(out.geometry.y, [24.28667, 24 + 17 / 60 + 12 / 3600])


def test_csv_to_geojson_bad_rows_have_no_geometry(tmp_path):
    src = tmp_path / "pings.csv"
    src.write_text("lat,lon\n24.28667,153.98056\nabc,150\n", encoding="utf-8")
    dst = tmp_path / "out.geojson"
    r = run("where", "--input", str(src), "--output", str(dst))
    assert r.code == 0, r.err
    features = json.loads(dst.read_text())["features"]
    assert features[0]["geometry"]["coordinates"] == [153.98056, 24.28667]
    assert features[1]["geometry"] is None


# ---------------------------------------------------------------- item 12: re-runs

@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".geojson"])
def test_rerun_on_own_output_replaces_the_columns(tmp_path, suffix):
    src = tmp_path / "pings.csv"
    pd.DataFrame({"lat": [24.28667, 36.0], "lon": [153.98056, 150.0]}).to_csv(src, index=False)
    first = tmp_path / f"out{suffix}"
    r = run("where", "--input", str(src), "--output", str(first), "--distance")
    assert r.code == 0, r.err
    again = tmp_path / f"again{suffix}"
    r = run("where", "--input", str(first), "--output", str(again))
    assert r.code == 0, r.err
    notes = [line for line in r.err.splitlines() if "replac" in line]
    assert len(notes) == 1 and "eez_answer" in notes[0], r.err
    if suffix == ".parquet":
        names = pq.read_schema(again).names
        out = pd.read_parquet(again)
    elif suffix == ".csv":
        out = pd.read_csv(again)
        names = list(out.columns)
    else:
        out = gpd.read_file(again)
        names = list(out.columns)
    assert len(names) == len(set(names)), names
    assert [c for c in names if c.startswith("eez_")] == [
        "eez_answer", "eez_status", "eez_mrgid", "eez_zone", "eez_sovereigns", "eez_layer", "eez_error",
        "eez_seabed", "eez_contractor", "eez_depth_from_m", "eez_depth_to_m"]
    assert list(out["eez_answer"]) == ["yes", "no"]


# ---------------------------------------------------------------- item 20: empty inputs

def test_empty_feature_collection_is_empty(tmp_path):
    src = tmp_path / "empty.geojson"
    src.write_text('{"type": "FeatureCollection", "features": []}')
    r = run("where", "--input", str(src), "--output", str(tmp_path / "o.csv"))
    assert_one_line_error(r, 2)
    assert "empty" in r.err and "latitude column" not in r.err
    assert not (tmp_path / "o.csv").exists()


def test_empty_parquet_with_columns_is_an_empty_result(tmp_path):
    src = tmp_path / "empty.parquet"
    pd.DataFrame({"lat": pd.Series([], dtype=float), "lon": pd.Series([], dtype=float)}).to_parquet(src)
    dst = tmp_path / "o.parquet"
    r = run("where", "--input", str(src), "--output", str(dst))
    assert r.code == 0 and "classified 0 rows" in r.err, r.err
    assert pq.read_schema(dst).names[:3] == ["lat", "lon", "eez_answer"]


def test_empty_csv_without_coordinate_columns_says_empty(tmp_path):
    src = tmp_path / "header.csv"
    src.write_text("name,depth\n")
    r = run("where", "--input", str(src), "--output", str(tmp_path / "o.csv"))
    assert_one_line_error(r, 2)
    assert "empty" in r.err
