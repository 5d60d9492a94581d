"""The manifest and the loader's checks: checksum, missing file, CRS, validity."""

from __future__ import annotations

import json
import shutil

import pytest

from geo.errors import LayerError
from geo.layers import load_zones, manifest, sha256_file, verify

from helpers import ROOT, assert_one_line_error, run, run_process
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
    r = run_process("where", "24.3", "154", env=env)  # a new process: this one holds the verified copy
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
    from geo.layers import catalog as M
    M._read_manifest.cache_clear()
    (layer_copy / "sites.geojson").write_text("{}")
    with pytest.raises(LayerError) as e:
        verify(M.manifest().get("sites"))
    assert isinstance(e.value, OSError)
    M._read_manifest.cache_clear()


def test_layers_command_lists_sources_and_verifies():
    r = run("layers", "--verify")
    assert r.code == 0, r.err
    for info in manifest():
        assert info.id in r.out and info.sha256 in r.out
    assert f"all {len(list(manifest()))} layer files match" in r.out
    j = run("layers", "--json").json()
    assert {l["id"] for l in j["layers"]} == {i.id for i in manifest()}


# --- a layer file is hashed once per file version (issue 12), never trusted once changed ----------

@pytest.fixture
def stamped(layer_copy, tmp_path, monkeypatch):
    """A layer copy, a fresh cache, stamps allowed at once, and a counter of hashes."""
    from geo.layers import catalog
    from geo.layers import load as L

    monkeypatch.setenv("EEZMAP_LAYERS", str(layer_copy))
    monkeypatch.setenv("EEZMAP_CACHE", str(tmp_path / "c"))
    monkeypatch.setattr(L, "RACY_SECONDS", 0.0)
    monkeypatch.setattr(L, "_VERIFIED", {})
    hashed = []
    real = L.sha256_file
    monkeypatch.setattr(L, "sha256_file", lambda p: hashed.append(p) or real(p))
    catalog._read_manifest.cache_clear()
    yield catalog.manifest().get("mr-v12-eez-nw-pacific"), hashed
    catalog._read_manifest.cache_clear()


def test_a_layer_file_is_hashed_once_per_version(stamped, monkeypatch):
    from geo.layers import load as L

    info, hashed = stamped
    verify(info)
    verify(info)
    assert len(hashed) == 1
    monkeypatch.setattr(L, "_VERIFIED", {})  # a new process: the stamp on disk is enough
    verify(info)
    assert len(hashed) == 1
    verify(info, full=True)  # eezmap layers --verify: always hashed
    assert len(hashed) == 2


def test_a_file_changed_in_place_is_refused_despite_its_stamp(stamped):
    import os
    import time

    info, hashed = stamped
    verify(info)
    st = os.stat(info.path)
    time.sleep(0.05)  # past the file system's clock tick
    data = bytearray(info.path.read_bytes())
    data[5000] ^= 0x01  # same size, and the modification time put back
    info.path.write_bytes(bytes(data))
    os.utime(info.path, ns=(st.st_atime_ns, st.st_mtime_ns))
    with pytest.raises(LayerError, match="checksum mismatch"):
        verify(info)
    assert len(hashed) == 2


def test_a_file_replaced_by_another_is_refused_despite_its_stamp(stamped):
    import os

    info, hashed = stamped
    verify(info)
    st = os.stat(info.path)
    other = info.path.with_name("other.geojson")
    data = bytearray(info.path.read_bytes())
    data[5000] ^= 0x01
    other.write_bytes(bytes(data))
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(other, info.path)  # same size and times, another inode
    with pytest.raises(LayerError, match="checksum mismatch"):
        verify(info)


def test_a_file_changed_just_now_is_never_stamped(stamped, monkeypatch):
    from geo.layers import load as L

    info, hashed = stamped
    monkeypatch.setattr(L, "RACY_SECONDS", 3600.0)  # as if the copy were younger than the clock tick
    verify(info)
    verify(info)
    assert len(hashed) == 2


# --- a layer of the wrong kind is bad input (exit 2) on every path --------------------------------

def test_a_wrong_kind_layer_is_the_same_error_on_every_path():
    from geo.errors import ArgumentError
    from geo.layers import load_attributes, load_land, resolve_layers
    from geo.layers.polygons import load_polygons

    calls = [lambda: resolve_layers("ne-10m-land-nw-pacific"),
             lambda: load_zones("ne-10m-land-nw-pacific"),
             lambda: load_land("mr-v12-eez-nw-pacific"),
             lambda: load_attributes("mr-v12-eez-nw-pacific"),
             lambda: load_polygons("mr-v12-eez-nw-pacific"),
             lambda: load_polygons("ne-10m-bathymetry-nw-pacific", "isa_areas")]
    for call in calls:
        with pytest.raises(ArgumentError) as e:
            call()
        assert e.value.exit_code == 2 and "layer, not " in str(e.value)


def test_a_wrong_kind_default_layer_exits_2_as_a_wrong_layer_option(tmp_path):
    env = {"EEZMAP_CACHE": str(tmp_path / "c"), "EEZMAP_LAYERS_DEFAULT": "ne-10m-land-nw-pacific"}
    r = run("where", "24.3", "154", env=env)
    assert_one_line_error(r, 2)
    assert "not a zone layer" in r.err
    r = run("where", "24.3", "154", "--layer", "ne-10m-land-nw-pacific", env={"EEZMAP_CACHE": env["EEZMAP_CACHE"]})
    assert_one_line_error(r, 2)
    assert "not a zone layer" in r.err


def test_every_directory_comes_from_geo_config_read_at_call_time(monkeypatch, tmp_path):
    from pathlib import Path

    from geo import _config
    from geo.layers import cache_dir, user_layers_dir

    monkeypatch.delenv("EEZMAP_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == _config.cache_dir() == tmp_path / "xdg" / "eezmap"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_dir() == Path.home() / ".cache" / "eezmap"
    monkeypatch.setenv("EEZMAP_CACHE", str(tmp_path / "c"))
    assert user_layers_dir() == tmp_path / "c" / "layers"
    monkeypatch.setenv("EEZMAP_LAYERS_DEFAULT", " a, ,b ")
    assert _config.default_layers() == ("a", "b")
    monkeypatch.setenv("EEZMAP_SERVE_MAX_BODY", "123")
    assert _config.max_body(7) == 123
