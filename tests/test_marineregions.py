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

SHARED = ROOT.parent / "shared" / "data" / "eez"
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
    from geo.marineregions import pol_type_status

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
