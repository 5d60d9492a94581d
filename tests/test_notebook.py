"""Notebook use, as plain Python: the HTML tables, the inline map offline, frames in and out.

Jupyter shows an object through ``_repr_html_``; these tests call it as
Jupyter would, and render the map object's inline HTML in headless Chromium
(the Debian package, through Playwright) with every network request blocked.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from _constants import ISLAND

import geo
from geo.sites import get_site
from geo.areas import area_in_zones

CHROMIUM = os.environ.get("EEZMAP_CHROMIUM", "/usr/bin/chromium")
XSS = "<img src=x onerror=alert(1)>"


def _cells(table: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", table, flags=re.S)]


def _is_small_table(h: str) -> None:
    assert h.startswith("<table") and h.endswith("</table>")
    assert len(h) < 5000
    assert "<script" not in h.lower()


def test_where_shows_a_table():
    h = geo.where(25.8, 123.5)._repr_html_()
    _is_small_table(h)
    cells = _cells(h)
    assert "shared (for JPN)" in cells and "overlapping_claim" in cells
    assert any("Senkaku" in c and "48954" in c for c in cells)
    assert any(c.startswith("mr-v12-eez-nw-pacific") for c in cells)
    land = _cells(geo.where(35.68, 139.7)._repr_html_())
    assert any(c.startswith("a hole of Japanese Exclusive Economic Zone") for c in land)
    coarse = _cells(geo.where(-33.9, 18.4)._repr_html_())
    assert any("COARSE" in c for c in coarse)


def test_where_table_shows_the_seabed_and_depth_band():
    """The notebook table says what the text and JSON say: the seabed regime and the 1:10m band
    (the mud frame: Japan's continental shelf, 5,000–6,000 m per Natural Earth's bands)."""
    cells = _cells(geo.where(22.0, 153.8)._repr_html_())
    assert any(c.startswith("continental shelf") and "Japan" in c for c in cells), cells
    assert any("5,000–6,000 m" in c and "1:10m" in c and "not a measured depth" in c for c in cells), cells
    area = _cells(geo.where(21.5406, 159.2656)._repr_html_())  # a JOGMEC crust block, in the Area
    assert any(c.startswith("the Area") and "JOGMEC" in c and "2019" in c for c in area), area


def test_distance_and_area_show_tables():
    d = geo.distance("minami-torishima", "rey-mud-area")
    h = d._repr_html_()
    _is_small_table(h)
    assert "251.092" in _cells(h) and "135.579" in _cells(h)  # README's figures (geographiclib-checked)
    r = area_in_zones(get_site("rey-mud-area").geometry)
    h = r._repr_html_()
    _is_small_table(h)
    assert "3,172.5 km² (geodesic, WGS84)" in _cells(h)
    assert any("Japanese Exclusive Economic Zone (MRGID 8487" in c for c in _cells(h))


def test_values_are_escaped():
    """Zone names and other text are data, never markup."""
    from dataclasses import replace

    a = geo.where(*ISLAND)
    evil = replace(a, zone={**a.zone, "name": XSS, "sovereigns": [XSS]}, country=XSS)
    h = evil._repr_html_()
    assert XSS not in h and "<img" not in h
    assert html.escape(XSS) in h
    assert any(XSS in c for c in _cells(h))  # shown as text


def test_classify_frame_keeps_the_index_and_the_type():
    import geopandas as gpd

    df = pd.DataFrame({"lat": [24.28667, 91.0, 36.0, 25.8], "lon": [153.98056, 0.0, 150.0, 123.5],
                       "name": ["a", "b", "c", "d"]}, index=pd.Index([40, 7, "x", 3], name="ping"))
    out = geo.classify_frame(df)
    assert isinstance(out, pd.DataFrame)
    assert out.index.equals(df.index) and out.index.name == "ping"
    assert list(out["name"]) == ["a", "b", "c", "d"]
    assert list(out["eez_answer"]) == ["yes", "", "no", "shared"]
    assert list(out["eez_status"]) == ["eez", "invalid", "high_seas", "overlapping_claim"]
    assert out.loc["x", "eez_status"] == "high_seas"
    assert "eez_answer" not in df.columns  # a copy: the input is untouched
    # each row is geo.where's answer for the point
    for idx in (40, 3):
        w = geo.where(df.loc[idx, "lat"], df.loc[idx, "lon"])
        assert out.loc[idx, "eez_answer"] == w.answer and out.loc[idx, "eez_mrgid"] == w.zone["mrgid"]

    gdf = gpd.GeoDataFrame({"n": [1, 2]}, geometry=gpd.points_from_xy([153.98056, 150.0], [24.28667, 36.0]),
                           crs="EPSG:4326", index=pd.RangeIndex(10, 12))
    gout = geo.classify_frame(gdf)
    assert isinstance(gout, gpd.GeoDataFrame) and gout.crs == gdf.crs
    assert gout.index.equals(gdf.index)
    assert list(gout["eez_answer"]) == ["yes", "no"]
    assert gout.geometry.equals(gdf.geometry)


# --- the inline map ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def inline_map() -> str:
    import folium

    m = geo.explore()
    assert isinstance(m, folium.Map)
    return m._repr_html_()  # what Jupyter puts in the notebook


def _srcdoc(h: str) -> str:
    found = re.search(r'<iframe[^>]*srcdoc="([^"]*)"', h, flags=re.S)
    assert found, h[:500]
    return html.unescape(found.group(1))


def test_inline_map_names_no_network_resource(inline_map):
    doc = _srcdoc(inline_map)
    assert "eezmap.ready(map)" in doc  # the whole map is in the srcdoc
    for page in (inline_map, doc):
        assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)\s*=\s*["\']?(https?:)?//', page, flags=re.I)
        assert not re.search(r"@import\s+(url\()?['\"]?(https?:)?//", page)


def test_inline_map_draws_offline_in_chromium(inline_map, tmp_path):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}", pytrace=False)
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("playwright is not installed", pytrace=False)
        pytest.skip("playwright is not installed")
    # a notebook page: the output cell holds exactly what _repr_html_ returned
    page_file = tmp_path / "notebook.html"
    page_file.write_text(f"<!DOCTYPE html><html><body><div class='output'>{inline_map}</div></body></html>",
                         encoding="utf-8")
    blocked: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu",
                                                              "--disable-background-networking"])
        try:
            ctx = b.new_context(viewport={"width": 1200, "height": 900})

            def route(r):
                if r.request.url.startswith(("file://", "data:", "about:")):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            ctx.route("**/*", route)
            page = ctx.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri())
            frame = None
            for _ in range(150):  # bounded: up to 15 s for the iframe to draw
                frames = [f for f in page.frames if f is not page.main_frame]
                if frames and frames[0].evaluate("typeof window.L !== 'undefined' && performance"
                                                 ".getEntriesByType('mark')"
                                                 ".some(m => m.name.startsWith('eezmap-drawn:'))"):
                    frame = frames[0]
                    break
                page.wait_for_timeout(100)
            assert frame is not None, "the inline map never drew"
            assert frame.evaluate("L.version") == "1.9.4"
            assert frame.evaluate("document.querySelectorAll('.leaflet-overlay-pane path, "
                                  ".leaflet-pane path').length") > 10
        finally:
            b.close()
    assert blocked == [], "requests left the machine"
    assert errors == []
