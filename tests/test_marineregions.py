"""Marine Regions' spellings of a zone's type, and the coarse layer checked against v12.

Expected answers come from the source files in ../shared, read here with
shapely/pyogrio and the csv module (which feature holds the point, what
Marine Regions v12 calls it), never from the code under test.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyogrio
import pytest
import shapely

from helpers import ROOT, assert_one_line_error, run
from _constants import ISLAND_ARGS, SHARED as SHARED_DATA

SHARED = SHARED_DATA / "eez"
V10_SOURCE = SHARED / "mr_v10_eez_world_simplified.gpkg"
V12_CSV = SHARED / "mr_v12_eez_attributes_world.csv"
WORLD = "mr-v10-eez-world"


def _v12() -> dict[int, dict[str, str]]:
    with open(V12_CSV, encoding="utf-8", newline="") as f:
        return {int(float(r["MRGID"])): r for r in csv.DictReader(f)}


def _source_feature(lat: float, lon: float) -> dict:
    """The v10 source feature holding the point (shapely on the file in ../shared)."""
    df = pyogrio.read_dataframe(V10_SOURCE)
    hits = df[df.geometry.intersects(shapely.Point(lon, lat))]
    assert len(hits) == 1
    return hits.iloc[0].to_dict()


# --- item 1: every spelling of an overlapping claim --------------------------------------------

@pytest.mark.parametrize("lat,lon,countries,layer", [
    ("-50.5", "-56.0", ("ARG", "GBR"), None),             # Falklands / Malvinas
    ("24.0", "-17.0", ("MAR",), None),                    # Western Sahara (claimed by Morocco)
    ("25.75", "123.5", ("JPN", "CHN", "TWN"), WORLD),     # Senkaku, from the coarse layer
])
def test_v10_disputed_areas_are_shared_for_every_party(lat, lon, countries, layer):
    src = _source_feature(float(lat), float(lon))
    # independent facts: v10 spells the zone 'Disputed'; v12 lists it as an overlapping claim
    assert src["Pol_type"] == "Disputed"
    assert _v12()[int(src["MRGID"])]["POL_TYPE"] == "Overlapping claim"
    for iso in countries:
        args = ["where", lat, lon, "--country", iso, "--json", "--no-distance"]
        r = run(*args + (["--layer", layer] if layer else []))
        assert r.code == 3, (iso, r.out, r.err)
        a = r.json()
        assert (a["answer"], a["status"]) == ("shared", "overlapping_claim"), a
        assert a["zone"]["mrgid"] == int(src["MRGID"]) and a["layer"]["id"] == WORLD
    t = run("where", "-50.5", "-56.0", "--country", "ARG", "--no-distance")
    assert t.code == 3 and t.out.startswith("SHARED") and "overlapping_claim" in t.out


def test_every_spelling_of_every_version_maps_to_one_status():
    from geo.layers.marineregions import pol_type_status

    # v10's own file and v12's attribute table (../shared) hold these spellings
    v10 = set(pyogrio.read_dataframe(V10_SOURCE, read_geometry=False)["Pol_type"])
    v12 = {r["POL_TYPE"] for r in _v12().values()}
    assert v10 == {"200NM", "Disputed", "Joint regime"} and v12 == {"200NM", "Overlapping claim", "Joint regime"}
    expected = {"200NM": "eez", "Disputed": "overlapping_claim", "Overlapping claim": "overlapping_claim",
                "Joint regime": "joint_regime"}
    for value in v10 | v12:
        assert pol_type_status(value) == expected[value]
        assert pol_type_status(value.upper()) == expected[value]  # v11 writes some columns upper-case
    with pytest.raises(ValueError):
        pol_type_status("Contested")


def _write_user_layer(cache: Path, layer_id: str, pol_type: str, name: str = "Test zone") -> None:
    """Register a user layer directly (no importer), as a fetched layer is registered."""
    import geopandas as gpd

    from geo.layers import install_user_layer

    gdf = gpd.GeoDataFrame({"mrgid": [9001], "geoname": [name], "pol_type": [pol_type],
                            "sovereign1": ["Fiji"], "iso_sov1": ["FJI"], "area_km2": [1.0]},
                           geometry=[shapely.box(175, -30, 179, -20)], crs="EPSG:4326")
    entry = {"id": layer_id, "kind": "eez", "coverage_bbox": [175.0, -30.0, 179.0, -20.0],
             "title": layer_id, "version": "test", "citation": "test", "licence": "test",
             "source_url": "test", "crs": "EPSG:4326", "crs_in_file": True,
             "columns": {"mrgid": "mrgid", "name": "geoname", "pol_type": "pol_type",
                         "sovereigns": ["sovereign1"], "iso_sov1": "iso_sov1", "area_km2": "area_km2"}}
    install_user_layer(entry, lambda tmp: gdf.to_file(tmp, driver="GeoJSON"), ".geojson", cache)


def test_a_loaded_layer_with_an_unknown_type_value_is_refused(tmp_path, monkeypatch):
    from geo.errors import LayerError
    from geo.layers import load_zones

    cache = tmp_path / "cache"
    _write_user_layer(cache, "odd-types", "Contested")
    r = run("where", "-25", "177", "--country", "FJI", "--layer", "odd-types", env={"EEZMAP_CACHE": str(cache)})
    assert_one_line_error(r, 5)
    assert "Contested" in r.err and "odd-types" in r.err
    monkeypatch.setenv("EEZMAP_CACHE", str(cache))
    with pytest.raises(LayerError, match="Contested"):
        load_zones("odd-types")


def test_layers_add_refuses_an_unknown_type_value(tmp_path):
    import geopandas as gpd

    src = tmp_path / "eez_v12_odd.gpkg"
    gpd.GeoDataFrame({"mrgid": [9001, 9002], "geoname": ["A", "B"], "pol_type": ["200NM", "Contested"],
                      "sovereign1": ["Fiji", "Fiji"], "iso_sov1": ["FJI", "FJI"]},
                     geometry=[shapely.box(175, -30, 176, -20), shapely.box(177, -30, 178, -20)],
                     crs="EPSG:4326").to_file(src, driver="GPKG")
    env = {"EEZMAP_CACHE": str(tmp_path / "cache")}
    r = run("layers", "add", str(src), "--id", "odd", env=env)
    assert_one_line_error(r, 2)
    assert "Contested" in r.err
    manifest = tmp_path / "cache" / "layers" / "manifest.json"
    assert not manifest.exists() or "odd" not in {e["id"] for e in json.loads(manifest.read_text())["layers"]}


# --- item 2: the coarse layer, repaired and checked against v12 --------------------------------

LAYERS = ROOT / "layers"
REPAIRED = {8387, 8338, 26517, 48952, 21790, 22756, 33183, 48999, 48946}  # had U+FFFD in the source


def _entry(layer_id: str) -> dict:
    doc = json.loads((LAYERS / "manifest.json").read_text(encoding="utf-8"))
    return next(e for e in doc["layers"] if e["id"] == layer_id)


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_v12_attribute_table_is_bundled_with_its_provenance():
    e = _entry("mr-v12-eez-attributes-world")
    assert (LAYERS / e["file"]).read_bytes() == V12_CSV.read_bytes()
    assert e["sha256"] == _sha256(V12_CSV)
    assert e["version"].startswith("12") and e["doi"] == "10.14284/632" and "10.14284/632" in e["citation"]
    assert "gfwr" in e["citation"] and e["licence"] and e["source_url"].startswith("https://")
    assert "mr_v12_eez_attributes_world.csv" in (LAYERS / "PROVENANCE.md").read_text(encoding="utf-8")


def test_the_coarse_layers_garbled_names_are_repaired_and_recorded():
    e = _entry(WORLD)
    shipped = LAYERS / e["file"]
    assert e["sha256"] == _sha256(shipped) != _sha256(V10_SOURCE)
    assert "U+FFFD" in e["processing"] and "tools/" in e["processing"]
    before = pyogrio.read_dataframe(V10_SOURCE, read_geometry=False).set_index("MRGID")
    after = pyogrio.read_dataframe(shipped, read_geometry=False).set_index("MRGID")
    text = [c for c in before.columns if before[c].map(lambda v: isinstance(v, str)).any()]
    assert {m for m in before.index if any("\ufffd" in str(before.at[m, c]) for c in text)} == REPAIRED
    assert not any("\ufffd" in str(v) for c in text for v in after[c])
    # only the garbled characters changed, one for one (each was one Latin-1 byte read as UTF-8)
    for m in REPAIRED:
        for c in text:
            old, new = str(before.at[m, c]), str(after.at[m, c])
            assert len(old) == len(new) and all(a == b or a == "\ufffd" for a, b in zip(old, new)), (m, c)
    # and they now read as Marine Regions v12 spells the territory
    v12 = _v12()
    for m in REPAIRED - {48946, 33183}:  # Tromelin's territory is Réunion; 33183 is gone from v12
        assert after.at[m, "Territory1"] == v12[m]["name"], m
    assert after.at[48946, "Territory1"] == v12[8338]["name"] == "Réunion"
    assert after.at[33183, "Territory1"] == v12[62598]["name"] == "Quitasueño Bank"
    # the rest of the file is what was delivered: same rows, same geometry
    g0 = pyogrio.read_dataframe(V10_SOURCE).geometry
    g1 = pyogrio.read_dataframe(shipped).geometry
    assert len(g0) == len(g1) and all(a.equals_exact(b, 0) for a, b in zip(g0, g1))


def test_reunion_answers_with_its_name_single_and_batch():
    r = run("where", "-21", "55", "--country", "FRA", "--no-distance")
    assert r.code == 0 and "Réunion Exclusive Economic Zone" in r.out and "\ufffd" not in r.out
    from geo.table import classify_arrays

    cols = classify_arrays([-21.0], [55.0], country="FRA")
    assert list(cols["eez_zone"].to_pandas()) == ["Réunion Exclusive Economic Zone"]


def _inside(mrgid: int) -> tuple[str, str]:
    df = pyogrio.read_dataframe(V10_SOURCE)
    p = df[df.MRGID == mrgid].geometry.iloc[0].representative_point()
    return f"{p.y:.6f}", f"{p.x:.6f}"


@pytest.mark.parametrize("mrgid", [8399, 8489, 8344, 33176, 33183])
def test_a_zone_v12_deleted_is_marked(mrgid):
    assert mrgid not in _v12()
    lat, lon = _inside(mrgid)
    r = run("where", lat, lon, "--json", "--no-distance")
    a = r.json()
    assert a["zone"]["mrgid"] == mrgid and a["layer"]["id"] == WORLD
    z = dict(a["zone"]["v12"])
    same = z.pop("same_territory")
    assert z == {"exists": False, "mrgid": mrgid, "name": None, "pol_type": None, "status": None,
                 "type_changed": None, "source": "mr-v12-eez-attributes-world"}
    territory = pyogrio.read_dataframe(LAYERS / _entry(WORLD)["file"], read_geometry=False).set_index(
        "MRGID").at[mrgid, "Territory1"]
    assert {s["mrgid"] for s in same} == {m for m, r in _v12().items() if r["name"] == territory}
    assert f"MRGID {mrgid}" in a["superseded"] and "v12" in a["superseded"]
    t = run("where", lat, lon, "--no-distance")
    assert "Superseded:" in t.out and f"MRGID {mrgid}" in t.out
    assert "[mr-v12-eez-attributes-world]" in t.out and "10.14284/632" in t.out  # its citation


@pytest.mark.parametrize("mrgid,layer", [(48953, None), (8321, WORLD), (8319, WORLD)])
def test_a_zone_whose_type_changed_in_v12_is_marked(mrgid, layer):
    v10_type = pyogrio.read_dataframe(V10_SOURCE, read_geometry=False).set_index("MRGID").at[mrgid, "Pol_type"]
    v12 = _v12()[mrgid]
    lat, lon = _inside(mrgid)
    r = run("where", lat, lon, "--json", "--no-distance", *(["--layer", layer] if layer else []))
    a = r.json()
    assert a["zone"]["mrgid"] == mrgid and a["zone"]["pol_type"] == v10_type
    z = a["zone"]["v12"]
    assert (z["exists"], z["type_changed"], z["pol_type"], z["name"]) == (True, True, v12["POL_TYPE"], v12["GEONAME"])
    assert v12["POL_TYPE"] in a["superseded"]
    t = run("where", lat, lon, "--no-distance", *(["--layer", layer] if layer else []))
    assert "Superseded:" in t.out and v12["POL_TYPE"] in t.out


def test_an_unchanged_zone_carries_v12_but_no_superseded_note():
    a = run("where", "-50.5", "-56.0", "--country", "GBR", "--json", "--no-distance").json()
    assert a["zone"]["v12"]["exists"] is True and a["zone"]["v12"]["type_changed"] is False
    assert a["zone"]["v12"]["name"] == _v12()[8389]["GEONAME"]
    assert "superseded" not in a
    # the regional v12 layer is not checked: it is v12
    b = run("where", *ISLAND_ARGS, "--json", "--no-distance").json()
    assert "v12" not in b["zone"] and "superseded" not in b
