"""The prebuilt caches shipped in the wheel (issue 12: no cold start).

A fresh install answers from them, bit for bit as from caches built on the
spot; a corrupted prebuilt file is refused (the cache is built in the user's
cache instead, the answer unchanged); the prebuilt folder is never written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from _constants import ROOT

POINT = ["24.28667", "153.98056"]


def _eezmap(args, cache, prebuilt):
    env = dict(os.environ, EEZMAP_CACHE=str(cache), EEZMAP_PREBUILT=str(prebuilt),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])))
    env.pop("EEZMAP_LAYERS", None)
    done = subprocess.run([sys.executable, "-m", "geo", *args], env=env, capture_output=True, text=True,
                          check=False)
    assert done.returncode in (0, 1) and not done.stderr, done.stderr   # 1: "no", as where says
    return done.returncode, done.stdout


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                                p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def prebuilt(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prebuilt") / "_prebuilt"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "geo._prebuild", str(folder)], env=env, check=True,
                   capture_output=True)
    return folder


@pytest.fixture(scope="module")
def built_here(tmp_path_factory):
    """The answer with no prebuilt caches at all (everything built in the user's cache)."""
    base = tmp_path_factory.mktemp("built")
    return {flags: _eezmap(["where", *POINT, "--json", *flags], base / "cache", base / "none")
            for flags in [(), ("--country", "KOR")]}


@pytest.mark.slow   # the prebuilt fixture runs a first where with an empty cache (5-10 s)
def test_the_manifest_names_every_file_and_the_layers_it_derives_from(prebuilt):
    from geo.layers import bundled_manifest

    doc = json.loads((prebuilt / "manifest.json").read_text())
    assert doc["layers"] == {info.id: info.sha256 for info in bundled_manifest()}
    on_disk = {k for k in _snapshot(prebuilt) if k != "manifest.json"}
    assert set(doc["files"]) == on_disk
    assert all(doc["files"][k] == hashlib.sha256((prebuilt / k).read_bytes()).hexdigest() for k in on_disk)
    # what a first where needs: every zone layer's table and the boundary index
    assert any(k.startswith("mr-v12-eez-nw-pacific-") for k in on_disk)
    assert any(k.startswith("index/boundary-") and k.endswith("/pieces.npy") for k in on_disk)


@pytest.mark.slow
def test_a_fresh_cache_answers_from_the_prebuilt_caches_as_if_built(prebuilt, built_here, tmp_path):
    before = _snapshot(prebuilt)
    cache = tmp_path / "cache"
    for flags, expected in built_here.items():
        assert _eezmap(["where", *POINT, "--json", *flags], cache, prebuilt) == expected
    # nothing was built: no layer table, no boundary index, no candidate lists in the user's cache
    assert not list(cache.glob("*.npz"))
    assert not list(cache.glob("index/boundary-*"))
    assert _snapshot(prebuilt) == before   # never written


@pytest.mark.slow
def test_a_corrupted_prebuilt_file_is_refused(prebuilt, built_here, tmp_path, monkeypatch):
    from geo.layers import prebuilt_file, prebuilt_folder

    broken = tmp_path / "_prebuilt"
    shutil.copytree(prebuilt, broken)
    zones = next(p for p in broken.glob("mr-v12-eez-nw-pacific-*.npz"))
    pieces = next(broken.glob("index/boundary-*/pieces.npy"))
    blocks = sorted(broken.glob("index/boundary-*-cells-*/block-*.i32"))
    assert len(blocks) > 300   # every 4° block of the regional layers' box
    for path in (zones, pieces, *blocks):
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01   # one bit: still a readable file, no longer the one listed
        path.write_bytes(bytes(data))
    before = _snapshot(broken)
    monkeypatch.setenv("EEZMAP_PREBUILT", str(broken))
    monkeypatch.setenv("EEZMAP_CACHE", str(tmp_path / "stamps"))
    assert prebuilt_file(zones.name) is None
    assert prebuilt_folder(pieces.parent.relative_to(broken).as_posix()) is None
    intact = next(p for p in broken.glob("mr-v10-eez-world-*.npz"))
    assert prebuilt_file(intact.name) == intact
    assert prebuilt_file("not-listed.npz") is None
    cache = tmp_path / "cache"
    for flags, expected in built_here.items():
        assert _eezmap(["where", *POINT, "--json", *flags], cache, broken) == expected
    # the refused files were built in the user's cache instead; the prebuilt folder is untouched
    assert (cache / zones.name).is_file()
    assert (cache / "index" / pieces.parent.name / "pieces.npy").is_file()
    assert list((cache / "index" / blocks[0].parent.name).glob("block-*.i32"))
    assert not (cache / intact.name).exists()
    assert _snapshot(broken) == before


@pytest.mark.slow
def test_the_prebuilt_boundary_index_answers_bit_for_bit_as_the_full_one(prebuilt):
    # shipped without its per-piece arrays, which are computed for the pieces a query needs
    import numpy as np

    from geo._segments import SegmentIndex

    folder = next(p for p in prebuilt.glob("index/boundary-*") if "-cells-" not in p.name)
    assert not (folder / "e0.npy").exists()
    shipped = SegmentIndex.load(folder)
    full = SegmentIndex(np.asarray(shipped.pieces))
    rng = np.random.default_rng(12)
    lon = np.r_[rng.uniform(120, 160, 400), rng.uniform(-180, 180, 400), rng.uniform(179.5, 180, 50)]
    lat = np.r_[rng.uniform(15, 50, 400), rng.uniform(-80, 80, 400), rng.uniform(-20, 60, 50)]
    small = shipped.nearest(lon, lat)
    for a, b in zip(full.nearest(lon, lat), small, strict=True):
        assert np.array_equal(a, b, equal_nan=True)
    # a batch (several chunks, float32 columns of every run and piece): the same again
    big_lon, big_lat = np.tile(lon, 12), np.tile(lat, 12)
    for a, b, c in zip(full.nearest(big_lon, big_lat), shipped.nearest(big_lon, big_lat), small, strict=True):
        assert np.array_equal(a, b, equal_nan=True) and np.array_equal(b[:len(lon)], c, equal_nan=True)
    for block in (0, 1234, 2603):
        x, y = full._build_block(block), shipped._build_block(block)
        assert np.array_equal(x[0], y[0]) and np.array_equal(x[1], y[1])
