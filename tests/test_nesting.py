"""Every maritime zone at a point: internal waters → 12 NM → 24 NM → EEZ → high seas.

Nested layers are written here around Minami-Torishima (24.28667 N,
153.98056 E, inside Japan's EEZ polygon, MRGID 8487 — PROVENANCE.md):
internal waters a box of ±0.01°, the territorial sea a disc of 0.2° less
the internal waters, the contiguous zone the ring from 0.2° to 0.4°.
Which ring a point is in is a hand computation on its offset in degrees.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely

from helpers import run

LAT, LON = 24.28667, 153.98056
CENTRE = shapely.Point(LON, LAT)
IW = shapely.box(LON - 0.01, LAT - 0.01, LON + 0.01, LAT + 0.01)
TS = CENTRE.buffer(0.2, 64).difference(IW)
CZ = CENTRE.buffer(0.4, 64).difference(CENTRE.buffer(0.2, 64))

KINDS = {"iw": ("eez_internal_waters", IW, 50001, "Japanese Internal Waters"),
         "ts": ("eez_12nm", TS, 50002, "Japanese Territorial Sea"),
         "cz": ("eez_24nm", CZ, 50003, "Japanese Contiguous Zone")}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    import geopandas as gpd

    tmp = tmp_path_factory.mktemp("nesting")
    env = {"EEZMAP_CACHE": str(tmp / "cache")}
    for layer_id, (kind, geom, mrgid, name) in KINDS.items():
        src = tmp / f"{layer_id}.geojson"
        gpd.GeoDataFrame({"mrgid": [mrgid], "geoname": [name], "pol_type": ["12NM"], "sovereign1": ["Japan"],
                          "territory1": ["Japan"], "iso_sov1": ["JPN"], "area_km2": [1.0]},
                         geometry=[geom], crs="EPSG:4326").to_file(src, driver="GeoJSON")
        r = run("layers", "add", str(src), "--id", f"jp-{layer_id}", "--kind", kind, env=env)
        assert r.code == 0, r.err
    return env


ALL = ["--layer", "mr-v12-eez-nw-pacific", "--layer", "jp-iw", "--layer", "jp-ts", "--layer", "jp-cz"]


def where_json(env, lat, lon, *args):
    r = run("where", str(lat), str(lon), "--json", "--no-distance", *args, env=env)
    assert r.code in (0, 1), r.err
    return r.json()


@pytest.mark.parametrize("dlon, kinds", [
    (0.0, ["eez_internal_waters", "eez"]),
    (0.1, ["eez_12nm", "eez"]),
    (0.3, ["eez_24nm", "eez"]),
    (1.0, ["eez"]),
])
def test_the_full_nesting_innermost_first(env, dlon, kinds):
    a = where_json(env, LAT, LON + dlon, *ALL)
    assert [z["kind"] for z in a["zones"]] == kinds
    last = a["zones"][-1]
    assert last["mrgid"] == 8487 and last["layer"]["id"] == "mr-v12-eez-nw-pacific"
    assert last["layer"]["version"] == "12 (2023)"
    for z in a["zones"][:-1]:
        kind, _, mrgid, name = next(v for v in KINDS.values() if v[0] == z["kind"])
        assert (z["mrgid"], z["name"], z["sovereigns"]) == (mrgid, name, ["Japan"])
        assert z["layer"]["id"].startswith("jp-") and z["layer"]["version"].startswith("unknown")
    assert set(a["zones"][0]) == {"kind", "mrgid", "name", "sovereigns", "layer"}
    assert a["answer"] == "yes" and a["layer"]["id"] == "mr-v12-eez-nw-pacific"  # the answer is unchanged


def test_high_seas_and_land(env):
    a = where_json(env, 36.0, 150.0, *ALL)
    assert a["status"] == "high_seas"
    assert a["zones"] == [{"kind": "high_seas", "mrgid": None, "name": "High seas", "sovereigns": [],
                           "layer": {"id": "mr-v12-eez-nw-pacific", "version": "12 (2023)"}}]
    tokyo = where_json(env, 35.68, 139.77, *ALL)
    assert tokyo["status"] == "land" and "zones" not in tokyo


def test_without_nested_layers_the_answer_is_unchanged(env):
    a = where_json(env, LAT, LON + 1.0)  # about 100 km from the island: beyond its computed 24 NM
    assert "zones" not in a
    b = where_json(env, LAT, LON + 1.0, "--layer", "mr-v12-eez-nw-pacific")
    assert "zones" not in b
    # about 10 km from the island: its computed zones (issue 11), labelled as computed, not official
    c = where_json(env, LAT, LON + 0.1, "--layer", "mr-v12-eez-nw-pacific")
    assert [z["kind"] for z in c["zones"]] == ["eez_12nm", "eez_24nm", "eez"]
    assert all(z["computed"].startswith("computed from the coastline") for z in c["zones"][:-1])


def test_the_text_output_lists_every_zone(env):
    r = run("where", str(LAT), str(LON + 0.1), "--no-distance", *ALL, env=env)
    assert r.code == 0, r.err
    assert "Zones:      territorial sea (12 NM): Japanese Territorial Sea (MRGID 50002; Japan) — layer jp-ts" in r.out
    assert "EEZ (200 NM): Japanese Exclusive Economic Zone (MRGID 8487; Japan)" in r.out
    assert "Territorial Seas (12NM)" in r.out  # the nested layer is cited too


def test_nested_layers_can_be_defaults(env):
    r = run("layers", "default", "mr-v12-eez-nw-pacific", "mr-v10-eez-world", "jp-ts", env=env)
    assert r.code == 0, r.err
    try:
        a = where_json(env, LAT, LON + 0.1)
        assert [z["kind"] for z in a["zones"]] == ["eez_12nm", "eez"]
        assert "default layers (user): mr-v12-eez-nw-pacific, mr-v10-eez-world, jp-ts" in run(
            "layers", env=env).out
        # the environment variable wins for one shell; --layer wins over both
        e2 = dict(env, EEZMAP_LAYERS_DEFAULT="mr-v12-eez-nw-pacific,jp-cz")
        c = run("where", str(LAT), str(LON + 0.3), "--json", "--no-distance", env=e2).json()
        assert [z["kind"] for z in c["zones"]] == ["eez_24nm", "eez"]
        d = where_json(env, LAT, LON + 0.1, "--layer", "mr-v12-eez-nw-pacific", "--layer", "jp-cz")
        assert [z["kind"] for z in d["zones"]] == ["eez"]
        bad = run("layers", "default", "ne-10m-land-nw-pacific", env=env)
        assert bad.code == 2 and "land layer" in bad.err
    finally:
        assert run("layers", "default", "--reset", env=env).code == 0
    assert "zones" not in where_json(env, LAT, LON + 1.0)
    m = json.loads((Path(env["EEZMAP_CACHE"]) / "layers" / "manifest.json").read_text())
    assert "default_zones" not in m


def test_nested_layers_for_the_map(env, monkeypatch):
    from geo.layers import load_zones
    from geo.nesting import nested_layers

    monkeypatch.setenv("EEZMAP_CACHE", env["EEZMAP_CACHE"])
    assert nested_layers() == ()  # none by default
    infos = nested_layers(["jp-cz", "mr-v12-eez-nw-pacific", "jp-iw", "jp-ts"])
    assert [(i.id, i.kind) for i in infos] == [("jp-iw", "eez_internal_waters"), ("jp-ts", "eez_12nm"),
                                               ("jp-cz", "eez_24nm")]
    z = load_zones("jp-ts")
    assert z.geometry[0].equals_exact(TS, 1e-9) or abs(z.geometry[0].area - TS.area) < 1e-9


def test_the_map_draws_each_nested_layer_as_its_own_layer(env, tmp_path):
    out = tmp_path / "nested.html"
    r = run("map", "-o", str(out), *ALL, env=env)
    assert r.code == 0, r.err
    html = out.read_text(encoding="utf-8")
    for label, layer_id in (("Internal waters", "jp-iw"), ("Territorial sea (12 NM)", "jp-ts"),
                            ("Contiguous zone (24 NM)", "jp-cz")):
        assert f"{label} ({layer_id})" in html
        assert f"nested-{layer_id}" in html
        assert html.count(f"{label} ({layer_id})") >= 2          # layer control and legend
    assert "Japanese Territorial Sea" in html
