"""``eezmap layers add``: official downloads imported as user layers.

Every input file is written here, on the fly, in the shape Marine Regions
distributes (a zipped Shapefile with v10 column names, a GeoPackage with
v12 names, FlatGeobuf with v11 names, GeoParquet), including the hard cases:
0–360 longitudes, a zone across the antimeridian, a bow-tie polygon, another
CRS.  Expected answers are hand computations on the boxes written below.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely

from helpers import assert_one_line_error, run

# A zone from 175°E to 175°W (written 175..185 in 0-360), 30°S..20°S: points at 179.5 and
# -179.5 (= 180.5) lie inside, 170 and -170 (= 190) outside.  A second zone lies wholly in
# 0-360 east of 180 (195..200 = -165..-160).
FIJI = shapely.box(175.0, -30.0, 185.0, -20.0)
EAST = shapely.box(195.0, -30.0, 200.0, -20.0)
# A bow-tie (self-intersecting) ring: two triangles meeting at (151, -39)
BOWTIE = shapely.Polygon([(150, -40), (152, -38), (152, -40), (150, -38), (150, -40)])

V10 = {"MRGID": [8325, 8330, 9000], "GeoName": ["Fijian Exclusive Economic Zone", "East test zone", "Bowtie zone"],
       "Pol_type": ["200NM", "200NM", "200NM"], "Sovereign1": ["Fiji", "Tonga", "Australia"],
       "Territory1": ["Fiji", "Tonga", "Australia"], "ISO_Ter1": ["FJI", "TON", "AUS"],
       "Area_km2": [1281122.0, 1.0, 2.0]}


def frame(columns: dict, geoms: list, crs: str | None = "EPSG:4326"):
    import geopandas as gpd

    return gpd.GeoDataFrame(columns, geometry=geoms, crs=crs)


def zipped_shapefile(tmp_path: Path, gdf, name: str = "World_EEZ_v10_2018", extra=None) -> Path:
    folder = tmp_path / "shp"
    folder.mkdir(exist_ok=True)
    gdf.to_file(folder / "eez_v10.shp")
    for stem, other in (extra or {}).items():
        other.to_file(folder / f"{stem}.shp")
    out = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(out, "w") as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f"{name}/{f.name}")
    return out


@pytest.fixture
def env(tmp_path):
    return {"EEZMAP_CACHE": str(tmp_path / "cache")}


def user_entry(env: dict, layer_id: str) -> dict:
    doc = json.loads((Path(env["EEZMAP_CACHE"]) / "layers" / "manifest.json").read_text())
    return next(e for e in doc["layers"] if e["id"] == layer_id)


def where(env: dict, lat: str, lon: str, *layers: str, country: str = "FJI") -> dict:
    args = ["where", lat, lon, "--country", country, "--json", "--no-distance"]
    for layer in layers:
        args += ["--layer", layer]
    r = run(*args, env=env)
    assert r.code in (0, 1, 3, 4), r.err
    return r.json()


# --- the Pacific across 180° ---------------------------------------------------------------

def test_zipped_shapefile_with_0_360_longitudes_answers_on_both_sides_of_180(tmp_path, env):
    src = zipped_shapefile(tmp_path, frame(V10, [FIJI, EAST, BOWTIE]))
    r = run("layers", "add", str(src), "--id", "fiji-v10", env=env)
    assert r.code == 0, r.err
    e = user_entry(env, "fiji-v10")
    # v10 spellings mapped; stored under the canonical (v12) names
    assert e["columns"]["mrgid"] == "mrgid" and e["columns"]["name"] == "geoname"
    assert e["columns"]["sovereigns"] == ["sovereign1"]
    assert e["source_file"] == src.name and e["user_supplied"] is True
    import hashlib

    assert e["source_sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert e["version"].startswith("10 ") and "10.14284/312" in e["citation"]
    assert e["added"].endswith("Z") and e["kind"] == "eez"
    assert e["coverage_bbox"][0] == -180.0 and e["coverage_bbox"][2] == 180.0

    for lat, lon, expected in [("-25", "179.5", "yes"), ("-25", "-179.5", "yes"), ("-25", "185", "yes"),
                               ("-25", "180", "yes"), ("-25", "170", "no"), ("-25", "-170", "no")]:
        a = where(env, lat, lon, "fiji-v10")
        assert a["answer"] == expected, (lat, lon, a)
        assert a["layer"]["id"] == "fiji-v10" and a["layer"]["version"] == e["version"]
        if expected == "yes":
            assert a["zone"]["mrgid"] == 8325 and a["zone"]["name"] == "Fijian Exclusive Economic Zone"
        else:
            assert a["status"] == "high_seas"
    # the zone east of 180 in 0-360 (195..200) answers at -162.5
    assert where(env, "-25", "-162.5", "fiji-v10", country="TON")["answer"] == "yes"

    # the text output names the layer and its version too
    t = run("where", "-25", "-179.5", "--country", "FJI", "--layer", "fiji-v10", "--no-distance", env=env)
    assert t.code == 0 and "Layer:      fiji-v10 (version 10 " in t.out


@pytest.mark.slow
def test_the_library_gives_the_same_answers_for_many_points(tmp_path, monkeypatch):
    from geo.layers.importer import add_layer
    from geo.zones import classify

    monkeypatch.setenv("EEZMAP_CACHE", str(tmp_path / "cache"))
    info = add_layer(zipped_shapefile(tmp_path, frame(V10, [FIJI, EAST, BOWTIE])), layer_id="fiji-lib")
    lon = np.array([179.5, -179.5, 180.5, 170.0, -170.0, 190.0, 179.999, -179.999])
    lat = np.full(len(lon), -25.0)
    c = classify(lat, lon, country="FJI", layers=[info.id])
    assert list(c.answer) == ["yes", "yes", "yes", "no", "no", "no", "yes", "yes"]
    # and a batch large enough for the grid index (not the direct test) agrees
    rng = np.random.default_rng(7)
    lon = rng.uniform(-180, 180, 2000)
    lat = rng.uniform(-35, -15, 2000)
    c = classify(lat, lon, country="FJI", layers=[info.id])
    inside = (lat >= -30) & (lat <= -20) & ((lon >= 175) | (lon <= -175))
    assert np.array_equal(c.answer == "yes", inside)


def test_a_ring_wrapped_across_180_is_unwrapped(tmp_path, env):
    # written in -180..180 the "short way": 175 -> -175 (a planar reading would span 350°)
    wrapped = shapely.Polygon([(175, -30), (-175, -30), (-175, -20), (175, -20)])
    src = tmp_path / "wrapped.geojson"
    frame({k: v[:1] for k, v in V10.items()}, [wrapped]).to_file(src, driver="GeoJSON")
    assert run("layers", "add", str(src), "--id", "wrapped", env=env).code == 0
    assert where(env, "-25", "179.5", "wrapped")["answer"] == "yes"
    assert where(env, "-25", "-179.5", "wrapped")["answer"] == "yes"
    assert where(env, "-25", "0", "wrapped")["status"] == "high_seas"
    assert "antimeridian" in user_entry(env, "wrapped")["processing"]


# --- columns, repairs, CRS -------------------------------------------------------------------

def test_v12_and_v11_spellings_are_mapped(tmp_path, env):
    v12 = {"mrgid": [8325], "geoname": ["Fijian EEZ (v12)"], "pol_type": ["200NM"], "sovereign1": ["Fiji"],
           "sovereign2": [None], "territory1": ["Fiji"], "iso_sov1": ["FJI"], "area_km2": [1.0]}
    frame(v12, [FIJI]).to_file(tmp_path / "eez_v12.gpkg", driver="GPKG", layer="eez_v12")
    v11 = {"MRGID": [8325], "GEONAME": ["Fijian EEZ (v11)"], "POL_TYPE": ["200NM"], "SOVEREIGN1": ["Fiji"],
           "TERRITORY1": ["Fiji"], "ISO_TER1": ["FJI"], "AREA_KM2": [1.0]}
    frame(v11, [FIJI]).to_file(tmp_path / "eez_v11.fgb", driver="FlatGeobuf")
    for name, layer_id, expected in [("eez_v12.gpkg", "v12", "Fijian EEZ (v12)"),
                                     ("eez_v11.fgb", "v11", "Fijian EEZ (v11)")]:
        r = run("layers", "add", str(tmp_path / name), "--id", layer_id, env=env)
        assert r.code == 0, r.err
        a = where(env, "-25", "-179.5", layer_id)
        assert (a["answer"], a["zone"]["name"]) == ("yes", expected)
    assert user_entry(env, "v12")["version"].startswith("12 ")
    assert user_entry(env, "v11")["doi"] == "10.14284/386"


def test_geoparquet_is_read(tmp_path, env):
    frame(V10, [FIJI, EAST, BOWTIE]).to_parquet(tmp_path / "eez_v10.parquet")
    assert run("layers", "add", str(tmp_path / "eez_v10.parquet"), "--id", "pq", env=env).code == 0
    assert where(env, "-25", "179.5", "pq")["zone"]["mrgid"] == 8325


@pytest.mark.parametrize("drop, named", [("GeoName", "GeoName"), ("MRGID", "MRGID"),
                                         ("Sovereign1", "Sovereign1"), ("Pol_type", "Pol_type")])
def test_a_missing_required_column_is_one_line_and_exit_2(tmp_path, env, drop, named):
    cols = {k: v for k, v in V10.items() if k != drop}
    src = zipped_shapefile(tmp_path, frame(cols, [FIJI, EAST, BOWTIE]))
    r = run("layers", "add", str(src), "--id", "broken", env=env)
    assert_one_line_error(r, 2)
    assert named in r.err and "missing" in r.err
    assert not (Path(env["EEZMAP_CACHE"]) / "layers" / "manifest.json").exists()


def test_an_invalid_polygon_is_repaired(tmp_path, env):
    assert not BOWTIE.is_valid
    src = zipped_shapefile(tmp_path, frame(V10, [FIJI, EAST, BOWTIE]))
    assert run("layers", "add", str(src), "--id", "bowtie", env=env).code == 0
    e = user_entry(env, "bowtie")
    assert "1 invalid geometries repaired" in e["processing"]
    import pyogrio

    df = pyogrio.read_dataframe(e["path"])
    assert df.geometry.is_valid.all()
    bow = df.geometry[df.mrgid == 9000].iloc[0]
    assert abs(bow.area - 2.0) < 1e-9  # two triangles of area 1 each (hand computation)
    # the lobes are the triangles left and right of the crossing at (151, -39): a point in
    # each is in the zone; points above and below the crossing are in neither
    assert where(env, "-39.0", "150.5", "bowtie", country="AUS")["answer"] == "yes"
    assert where(env, "-39.0", "151.5", "bowtie", country="AUS")["answer"] == "yes"
    assert where(env, "-39.5", "151.0", "bowtie", country="AUS")["answer"] == "no"
    assert where(env, "-38.5", "151.0", "bowtie", country="AUS")["answer"] == "no"


def test_another_crs_is_reprojected(tmp_path, env):
    from pyproj import Transformer

    # a zone 150..160°E, 10..20°N written in Web Mercator
    t = Transformer.from_crs(4326, 3857, always_xy=True)
    ring = [t.transform(x, y) for x, y in [(150, 10), (160, 10), (160, 20), (150, 20)]]
    gdf = frame({k: v[:1] for k, v in V10.items()}, [shapely.Polygon(ring)], crs="EPSG:3857")
    gdf.to_file(tmp_path / "merc.gpkg", driver="GPKG")
    assert run("layers", "add", str(tmp_path / "merc.gpkg"), "--id", "merc", env=env).code == 0
    e = user_entry(env, "merc")
    assert "reprojected from EPSG:3857" in e["processing"]
    assert e["coverage_bbox"] == pytest.approx([150, 10, 160, 20], abs=1e-6)
    assert where(env, "15", "155", "merc")["answer"] == "yes"
    assert where(env, "15", "149.9", "merc")["status"] == "outside_coverage"


def test_a_zip_with_several_layers(tmp_path, env):
    lines = frame({"LINE_ID": [1]}, [shapely.LineString([(170, -30), (170, -20)])])
    twelve = frame(V10, [FIJI, EAST, BOWTIE])
    src = zipped_shapefile(tmp_path, frame(V10, [FIJI, EAST, BOWTIE]),
                           extra={"eez_boundaries_v10": lines, "eez_12nm_v10": twelve})
    # two polygon layers: the kind chooses
    r = run("layers", "add", str(src), "--id", "z-eez", env=env)
    assert r.code == 0, r.err
    assert user_entry(env, "z-eez")["source_layer"].endswith("/eez_v10.shp")
    r = run("layers", "add", str(src), "--id", "z-12", "--kind", "eez_12nm", env=env)
    assert r.code == 0, r.err
    assert user_entry(env, "z-12")["source_layer"].endswith("/eez_12nm_v10.shp")
    # internal waters: none of the names says so -> ask which
    r = run("layers", "add", str(src), "--id", "z-iw", "--kind", "eez_internal_waters", env=env)
    assert_one_line_error(r, 2)
    assert "--source-layer" in r.err
    r = run("layers", "add", str(src), "--id", "z-iw", "--kind", "eez_internal_waters",
            "--source-layer", "eez_12nm_v10", env=env)
    assert r.code == 0, r.err


# --- precedence, checksums, listing, removal ----------------------------------------------

def test_precedence_with_the_coarse_world_layer(tmp_path, env):
    src = zipped_shapefile(tmp_path, frame(V10, [FIJI, EAST, BOWTIE]))
    assert run("layers", "add", str(src), "--id", "fiji", env=env).code == 0
    # inside the added layer's box: it answers; north of it: the coarse world layer answers, coarse
    a = where(env, "-25", "179.5", "fiji", "mr-v10-eez-world")
    assert a["layer"]["id"] == "fiji" and a["layer"]["coarse"] is False
    b = where(env, "-17", "179", "fiji", "mr-v10-eez-world")
    assert b["layer"]["id"] == "mr-v10-eez-world" and b["layer"]["coarse"] is True
    assert b["zone"]["sovereigns"] == ["Fiji"]


def test_a_corrupted_user_layer_is_refused(tmp_path, env):
    src = zipped_shapefile(tmp_path, frame(V10, [FIJI, EAST, BOWTIE]))
    assert run("layers", "add", str(src), "--id", "fiji", env=env).code == 0
    path = Path(user_entry(env, "fiji")["path"])
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    r = run("where", "-25", "179.5", "--layer", "fiji", "--country", "FJI", env=env)
    assert_one_line_error(r, 5)
    assert "checksum mismatch" in r.err and "eezmap layers" in r.err
    assert run("layers", "--verify", env=env).code == 5


def test_layers_lists_user_layers_and_remove_forgets_them(tmp_path, env):
    src = zipped_shapefile(tmp_path, frame(V10, [FIJI, EAST, BOWTIE]))
    assert run("layers", "add", str(src), "--id", "fiji", env=env).code == 0
    r = run("layers", env=env)
    assert r.code == 0 and "fiji  [eez, user]" in r.out and "user-supplied" in r.out
    assert r.out.index("mr-v12-eez-nw-pacific") < r.out.index("fiji  [eez, user]")  # bundled first
    j = run("layers", "list", "--json", env=env).json()
    ids = [l["id"] for l in j["layers"]]
    assert ids[-1] == "fiji" and j["layers"][-1]["origin"] == "user"
    assert j["default_zones"] == ["mr-v12-eez-nw-pacific", "mr-v10-eez-world"]  # adding changes no default
    path = Path(user_entry(env, "fiji")["path"])
    assert run("layers", "remove", "fiji", env=env).code == 0
    assert not path.exists()
    assert "fiji" not in run("layers", env=env).out
    r = run("layers", "remove", "fiji", env=env)
    assert_one_line_error(r, 2)


def test_bad_add_arguments(tmp_path, env):
    src = zipped_shapefile(tmp_path, frame(V10, [FIJI, EAST, BOWTIE]))
    for args, words in [([str(tmp_path / "nope.zip")], "does not exist"),
                        ([str(src), "--id", "mr-v12-eez-nw-pacific"], "bundled layer"),
                        ([str(src), "--coverage-bbox", "1,2,3"], "four numbers"),
                        ([str(src), "--kind", "eez_boundaries"], "eez_boundaries")]:
        r = run("layers", "add", *args, env=env)
        assert_one_line_error(r, 2)
        assert words in r.err, r.err
    lines = tmp_path / "lines.geojson"
    frame({"MRGID": [1]}, [shapely.LineString([(0, 0), (1, 1)])]).to_file(lines, driver="GeoJSON")
    r = run("layers", "add", str(lines), env=env)
    assert_one_line_error(r, 2)
    assert "polygon" in r.err


@pytest.mark.parametrize("pol_type", ["Disputed", "Overlapping claim"])
def test_a_version_no_one_stated_is_cited_as_unknown(tmp_path, env, pol_type):
    """Review of issue 9, item 9: no version guessed from a file's spellings or from the server's
    current one; the citation says 'version unknown' and has no DOI unless --version gives it."""
    cols = {"mrgid": [8325], "geoname": ["Fiji zone"], "pol_type": [pol_type], "sovereign1": ["Fiji"],
            "sovereign2": ["Tonga"], "territory1": ["Fiji"], "iso_sov1": ["FJI"], "area_km2": [1.0]}
    frame(cols, [FIJI]).to_file(tmp_path / "zones.gpkg", driver="GPKG", layer="zones")
    r = run("layers", "add", str(tmp_path / "zones.gpkg"), "--id", "nover", env=env)
    assert r.code == 0, r.err
    e = user_entry(env, "nover")
    assert e["version"].startswith("unknown")
    assert e["doi"] is None and "10.14284" not in e["citation"] and "10.14284" not in e["attribution"]
    assert "version unknown" in e["citation"] and "--version" in e["citation"]
    assert not any(f"version {n}" in e["citation"] for n in range(8, 13))
