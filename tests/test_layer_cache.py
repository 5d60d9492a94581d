"""Caches follow a layer's content: a user layer installed again under the same id
in the same process answers from its new geometry at once (one point and a batch)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely


def _install(cache, layer_id: str, zones: list[tuple[int, tuple[float, float, float, float]]]) -> None:
    import geopandas as gpd

    from geo.layers import install_user_layer

    gdf = gpd.GeoDataFrame({"mrgid": [m for m, _ in zones], "geoname": [f"Zone {m}" for m, _ in zones],
                            "pol_type": ["200NM"] * len(zones), "sovereign1": ["Fiji"] * len(zones),
                            "iso_sov1": ["FJI"] * len(zones), "area_km2": [1.0] * len(zones)},
                           geometry=[shapely.box(*b) for _, b in zones], crs="EPSG:4326")
    entry = {"id": layer_id, "kind": "eez", "coverage_bbox": [160.0, -40.0, 180.0, -10.0],
             "title": layer_id, "version": "test", "citation": "test", "licence": "test",
             "source_url": "test", "crs": "EPSG:4326", "crs_in_file": True,
             "columns": {"mrgid": "mrgid", "name": "geoname", "pol_type": "pol_type",
                         "sovereigns": ["sovereign1"], "iso_sov1": "iso_sov1", "area_km2": "area_km2"}}
    install_user_layer(entry, lambda tmp: gdf.to_file(tmp, driver="GeoJSON"), ".geojson", cache)


@pytest.mark.slow
def test_a_reinstalled_user_layer_answers_from_its_new_geometry(tmp_path, monkeypatch):
    from geo.answer import where
    from geo.zones import classify

    cache = tmp_path / "cache"
    monkeypatch.setenv("EEZMAP_CACHE", str(cache))
    # first version: two zones side by side, 175-177°E and 177-179°E
    _install(cache, "reinstalled", [(9001, (175.0, -30.0, 177.0, -20.0)), (9002, (177.0, -30.0, 179.0, -20.0))])
    a = where(-25.0, 178.0, country="FJI", layers=["reinstalled"])
    assert (a.answer, a.zone["mrgid"]) == ("yes", 9002)
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(160, 180, 500), rng.uniform(-40, -10, 500)
    assert (classify(lat, lon, "FJI", ["reinstalled"]).answer == "yes").any()
    from geo.map.scene import display_zones as _display_zones

    assert len(_display_zones("reinstalled")[0]) == 2  # the map's simplified copy

    # second version, same id: one zone at 165-170°E; the old zones are gone
    _install(cache, "reinstalled", [(9003, (165.0, -30.0, 170.0, -20.0))])
    a = where(-25.0, 178.0, country="FJI", layers=["reinstalled"])  # was in 9002: now high seas
    assert (a.answer, a.status, a.zone) == ("no", "high_seas", None)
    a = where(-25.0, 167.0, country="FJI", layers=["reinstalled"])
    assert (a.answer, a.zone["mrgid"]) == ("yes", 9003)
    # a batch large enough for the grid index agrees with the new boxes (hand computation)
    c = classify(lat, lon, "FJI", ["reinstalled"])
    inside = (lon >= 165) & (lon <= 170) & (lat >= -30) & (lat <= -20)
    assert np.array_equal(c.answer == "yes", inside)
    assert set(c.zone_index[inside].tolist()) == {0}
    assert len(_display_zones("reinstalled")[0]) == 1


def test_the_user_manifest_is_read_again_when_its_content_changes_within_one_clock_tick(tmp_path, monkeypatch):
    import os

    from geo.layers import manifest, user_manifest_path

    cache = tmp_path / "cache"
    monkeypatch.setenv("EEZMAP_CACHE", str(cache))
    _install(cache, "same-tick", [(9001, (175.0, -30.0, 177.0, -20.0))])
    path = user_manifest_path()
    first = manifest().get("same-tick").sha256
    st = path.stat()
    _install(cache, "same-tick", [(9002, (165.0, -30.0, 167.0, -20.0))])
    # the same size and, as on a coarse clock, the same modification time
    assert path.stat().st_size == st.st_size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    second = manifest().get("same-tick").sha256
    assert second != first and (cache / "layers" / f"same-tick.{second[:12]}.geojson").is_file()
