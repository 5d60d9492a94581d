"""The manifest and the loader's checks: checksum, missing file, CRS, validity."""

from __future__ import annotations

import json
import shutil

import pytest

from geo.errors import LayerError
from geo.layers import load_zones, manifest, sha256_file, verify

from helpers import ROOT, assert_one_line_error, run
from _constants import SHARED

REQUIRED = {"id", "file", "title", "kind", "source_url", "version", "citation", "licence", "sha256",
            "coverage_bbox", "complete_sovereigns", "crs", "attribution"}


def test_every_layer_has_provenance_and_a_matching_checksum():
    raw = json.loads((ROOT / "layers" / "manifest.json").read_text())
    for entry in raw["layers"]:
        assert REQUIRED <= set(entry), entry["id"]
        assert entry["crs"] == "EPSG:4326"
        assert sha256_file(ROOT / "layers" / entry["file"]) == entry["sha256"]
    ids = {i.id for i in manifest()}
    assert {"mr-v12-eez-nw-pacific", "mr-v10-eez-world", "sites"} <= ids


def test_checksums_match_the_shared_delivery_sums():
    # ../shared/data/SHA256SUMS lists the files as delivered (independent of our manifest)
    sums = SHARED / "SHA256SUMS"
    if not sums.exists():
        pytest.skip("../shared is not beside the checkout")
    delivered = {line.split()[1].split("/")[-1]: line.split()[0] for line in sums.read_text().splitlines()}
    for info in manifest():
        if info.file in delivered:  # or repaired here, the delivered checksum named in the processing note
            assert info.sha256 == delivered[info.file] or delivered[info.file] in info.extra["processing"]


def test_japan_is_complete_in_the_regional_layer():
    z = load_zones("mr-v12-eez-nw-pacific")
    assert "JPN" in z.layer.complete_sovereigns
    w, s, e, n = z.layer.coverage_bbox
    for i, isos in enumerate(z.sovereign_isos):
        if "JPN" in isos:
            x0, y0, x1, y1 = z.geometry[i].bounds
            assert w < x0 and x1 < e and s < y0 and y1 < n  # never cut by the clip box
    # PROVENANCE.md: Japan-related features 8487, 48950, 48954, 21796, 48955
    japan = {int(z.mrgid[i]) for i, isos in enumerate(z.sovereign_isos) if "JPN" in isos}
    assert japan == {8487, 48950, 48954, 21796, 48955}


@pytest.fixture
def layer_copy(tmp_path):
    dst = tmp_path / "layers"
    shutil.copytree(ROOT / "layers", dst)
    return dst


def test_corrupted_layer_is_refused_with_a_clear_error(layer_copy, tmp_path):
    f = layer_copy / "mr_v12_eez_nw_pacific.geojson"
    data = bytearray(f.read_bytes())
    data[5000] ^= 0x01
    f.write_bytes(bytes(data))
    r = run("where", "24.3", "154", env={"EEZMAP_LAYERS": str(layer_copy), "EEZMAP_CACHE": str(tmp_path / "c")})
    assert_one_line_error(r, 5)
    assert "checksum mismatch" in r.err and "mr-v12-eez-nw-pacific" in r.err


def test_missing_layer_is_refused_with_a_clear_error(layer_copy, tmp_path):
    (layer_copy / "mr_v12_eez_nw_pacific.geojson").unlink()
    r = run("where", "24.3", "154", env={"EEZMAP_LAYERS": str(layer_copy), "EEZMAP_CACHE": str(tmp_path / "c")})
    assert_one_line_error(r, 5)
    assert "missing" in r.err


def test_a_cached_copy_never_hides_a_corrupted_file(layer_copy, tmp_path, monkeypatch):
    cache = tmp_path / "c"
    env = {"EEZMAP_LAYERS": str(layer_copy), "EEZMAP_CACHE": str(cache)}
    assert run("where", "24.3", "154", "--no-distance", env=env).code == 0   # fills the cache
    f = layer_copy / "mr_v12_eez_nw_pacific.geojson"
    f.write_bytes(f.read_bytes().replace(b"Japanese", b"Japanesf", 1))
    r = run("where", "24.3", "154", env=env)
    assert_one_line_error(r, 5)


def _rewrite(layer_copy, name, transform):
    f = layer_copy / name
    doc = json.loads(f.read_text())
    transform(doc)
    f.write_text(json.dumps(doc))
    man = json.loads((layer_copy / "manifest.json").read_text())
    for entry in man["layers"]:
        if entry["file"] == name:
            entry["sha256"] = sha256_file(f)
    (layer_copy / "manifest.json").write_text(json.dumps(man))


def test_wrong_crs_is_refused(layer_copy, tmp_path, monkeypatch):
    _rewrite(layer_copy, "mr_v12_eez_nw_pacific.geojson",
             lambda d: d.__setitem__("crs", {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}))
    r = run("where", "24.3", "154", env={"EEZMAP_LAYERS": str(layer_copy), "EEZMAP_CACHE": str(tmp_path / "c")})
    assert_one_line_error(r, 5)
    assert "CRS" in r.err and "EPSG:4326" in r.err


def test_invalid_geometry_is_refused(layer_copy, tmp_path):
    def bowtie(d):
        d["features"][0]["geometry"] = {"type": "Polygon", "coordinates": [[[91, 18], [92, 19], [92, 18], [91, 19], [91, 18]]]}
    _rewrite(layer_copy, "mr_v12_eez_nw_pacific.geojson", bowtie)
    r = run("where", "24.3", "154", env={"EEZMAP_LAYERS": str(layer_copy), "EEZMAP_CACHE": str(tmp_path / "c")})
    assert_one_line_error(r, 5)
    assert "invalid" in r.err


def test_verify_raises_layer_error_which_is_an_oserror(layer_copy, monkeypatch):
    monkeypatch.setenv("EEZMAP_LAYERS", str(layer_copy))
    from geo import layers as L
    L._read_manifest.cache_clear()
    (layer_copy / "sites.geojson").write_text("{}")
    with pytest.raises(LayerError) as e:
        verify(L.manifest().get("sites"))
    assert isinstance(e.value, OSError)
    L._read_manifest.cache_clear()


def test_layers_command_lists_sources_and_verifies():
    r = run("layers", "--verify")
    assert r.code == 0, r.err
    for info in manifest():
        assert info.id in r.out and info.sha256 in r.out
    assert f"all {len(list(manifest()))} layer files match" in r.out
    j = run("layers", "--json").json()
    assert {l["id"] for l in j["layers"]} == {i.id for i in manifest()}
