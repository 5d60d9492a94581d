"""The standalone map's HTML and the static figure, without a browser.

The browser half (drawing, clicks, network blocked, XSS at run time) is
tests/test_map_browser.py.
"""

from __future__ import annotations

import base64
import html
import json
import re

import numpy as np
import pytest
import shapely

from geo import map as render
from geo.errors import OutputError
from geo.layers import load_zones, manifest
from geo.map import leaflet, webmap
from geo.sites import Site, load_sites

ZONES = "mr-v12-eez-nw-pacific"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>alert(1)</script>"


def user_site(name: str, lat: float = 25.0, lon: float = 152.0, **props: str) -> Site:
    return Site(id=f"user-{abs(hash(name)) % 1000}", name=name, kind="user", lat=lat, lon=lon,
                geometry=shapely.Point(lon, lat), certainty="user-supplied", source="user file sites.csv",
                user=True, properties={"name": name, **props})


@pytest.fixture(scope="module")
def default_html(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("map") / "map.html"
    assert render.write_map(path) == path
    return path.read_text(encoding="utf-8")


# --- standalone -------------------------------------------------------------------------

def test_no_network_scripts_or_stylesheets(default_html):
    # nothing is loaded from anywhere: no external script, stylesheet, import or CSS url
    assert not re.search(r"<script[^>]*\bsrc\s*=", default_html, re.I)
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?(https?:)?//", default_html, re.I)
    assert not re.search(r"<link[^>]*stylesheet", default_html, re.I)
    assert not re.search(r"@import", default_html, re.I)
    assert not re.search(r"url\(\s*[\"']?(https?:)?//", default_html, re.I)
    for cdn in ("cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "bootstrapcdn", "unpkg.com"):
        assert cdn not in default_html
    assert "$(`" not in default_html          # folium's jQuery-based popups are not used
    assert "sourceMappingURL" not in default_html


def test_no_online_tiles_by_default(default_html):
    assert "L.tileLayer" not in default_html
    assert "tile.openstreetmap.org" not in default_html
    assert "arcgisonline" not in default_html


def test_leaflet_is_inlined_from_the_package(default_html):
    assert "Leaflet 1.9.4" in default_html       # Leaflet's own copyright header, kept
    assert 'url("data:image/png;base64,' in default_html
    assert "images/layers.png" not in default_html
    assert "images/marker-icon.png" not in default_html


def test_size_budget(default_html):
    size = len(default_html.encode("utf-8"))
    assert size <= render.SIZE_BUDGET == 1_500_000, size


def test_one_html_document(default_html):
    assert default_html.count("<html") == 1 and default_html.count("</html>") == 1
    # every <script> in the page is closed exactly once: nothing in the data ends a script early
    assert default_html.count("<script>") == default_html.count("</script>")


# --- content ---------------------------------------------------------------------------

def test_every_layer_is_attributed_and_named(default_html):
    m = manifest()
    for layer_id in (ZONES, "ne-10m-land-nw-pacific", "sites"):
        info = m.get(layer_id)
        assert html.escape(info.attribution) in default_html, layer_id
        assert html.escape(info.id) in default_html
        assert html.escape(info.version) in default_html


def test_sites_and_the_approximate_site(default_html):
    for site in load_sites():
        assert html.escape(site.name) in default_html, site.id
    assert "approximate (±71 km)" in default_html
    assert "uncertainty-chikyu-2026-site" in default_html     # the uncertainty area is drawn
    # facts, sources and depth of the built-in sites are in their popups
    assert "1.51 km²" in default_html
    assert html.escape("Takaya et al. 2018") in default_html
    assert "about 5,600–5,800 m" in default_html


def test_key_figures(default_html):
    zones = load_zones(ZONES)
    i = zones.index_of(8487)
    assert f"{zones.area_km2[i]:,.0f} km²" in default_html      # Marine Regions' own figure
    # the distances of geo.geodesy's doctest, which tests/test_geodesy.py checks against geographiclib
    assert "251.1 km" in default_html and "135.6 NM" in default_html
    assert "150.0 km" in default_html and "81.0 NM" in default_html


def test_encoded_polyline_matches_googles_example():
    # the example of Google's "Encoded Polyline Algorithm Format" documentation
    lonlat = np.array([(-120.2, 38.5), (-120.95, 40.7), (-126.453, 43.252)])
    assert leaflet.encode(lonlat, 5) == "_p~iF~ps|U_ulLnnqC_mqNvxq`@"


# --- display geometry --------------------------------------------------------------------

def test_coverage_simplified_zones_still_tile():
    zones = load_zones(ZONES)
    simple = render.display_geometries(zones.geometry)
    assert shapely.get_num_coordinates(simple).sum() < 0.9 * shapely.get_num_coordinates(zones.geometry).sum()
    simple = shapely.make_valid(simple)
    u0, u1 = shapely.union_all(zones.geometry), shapely.union_all(simple)
    assert abs(u1.area - u0.area) / u0.area < 0.01
    # no gaps opened: what the originals cover and the simplified do not is tiny
    assert shapely.difference(u0, u1).area / u0.area < 0.001
    # neighbours do not overlap (a per-zone simplify overlaps by up to 0.008 deg²)
    tree = shapely.STRtree(simple)
    a, b = tree.query(simple, predicate="intersects")
    keep = a < b
    assert keep.any()  # there are neighbours
    overlap = shapely.area(shapely.intersection(simple[a[keep]], simple[b[keep]]))
    assert overlap.max() < 1e-6


def test_display_simplification_does_not_touch_the_data():
    zones = load_zones(ZONES)
    before = shapely.get_num_coordinates(zones.geometry).sum()
    render.display_geometries(zones.geometry)
    assert shapely.get_num_coordinates(load_zones(ZONES).geometry).sum() == before


# --- safety ------------------------------------------------------------------------------

def test_user_strings_are_escaped(tmp_path):
    sites = [user_site(XSS_IMG, note=XSS_SCRIPT), user_site(XSS_SCRIPT, lat=23.0, lon=151.0)]
    path = render.write_map(tmp_path / "xss.html", user_sites=sites, title="<b>my</b> map")
    text = path.read_text(encoding="utf-8")
    assert html.escape(XSS_IMG) in text
    assert html.escape(XSS_SCRIPT) in text
    assert "&lt;b&gt;my&lt;/b&gt; map" in text
    # the raw strings appear nowhere, not even JSON-encoded
    for raw in (XSS_IMG, XSS_SCRIPT, "<b>my</b>"):
        assert raw not in text
        assert json.dumps(raw)[1:-1] not in text
    assert "\\u003cimg src=x" not in text
    assert text.count("<script>") == text.count("</script>")


def test_a_dollar_in_a_name_does_not_break_the_figure(tmp_path):
    out = render.write_figure(tmp_path / "f.png", user_sites=[user_site("$x^2$ {{ }} <b>")])
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- options ------------------------------------------------------------------------------

def test_online_tiles_are_optional_base_layers():
    text = render.render_html(tiles=("osm", "ocean"))
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in text
    assert ("https://server.arcgisonline.com/ArcGIS/rest/services/Ocean/World_Ocean_Base/MapServer/tile/"
            "{z}/{y}/{x}") in text
    assert "Esri" in text and "OpenStreetMap" in text
    assert "Offline: bundled land, no tiles" in text
    with pytest.raises(ValueError, match="unknown tiles"):
        render.build_map(tiles=("google",))


def test_points_are_encoded_compactly_and_classified():
    rng = np.random.default_rng(7)
    lat = np.r_[24.28667, 36.0, rng.uniform(15, 35, 998), np.nan]
    lon = np.r_[153.98056, 150.0, rng.uniform(140, 170, 998), 150.0]
    text = render.render_html(points=(lat, lon))
    spec = json.loads(re.search(r"eezmap\.points\(\w+, (\{.*?\})\);", text).group(1))
    la = np.frombuffer(base64.b64decode(spec["lat"]), dtype="<i4") / 1e5
    lo = np.frombuffer(base64.b64decode(spec["lon"]), dtype="<i4") / 1e5
    cls = np.frombuffer(base64.b64decode(spec["classes"]), dtype=np.uint8)
    assert len(la) == 1000                                  # the NaN row is left out
    assert np.allclose(la, lat[:1000], atol=6e-6) and np.allclose(lo, lon[:1000], atol=6e-6)
    names = list(render.POINT_CLASSES)
    assert names[cls[0]] == "yes"       # Minami-Torishima
    assert names[cls[1]] == "no"        # 36 N 150 E: high seas
    assert "1,000 drawn" in text and "invalid coordinates left out" in text


# --- writing ------------------------------------------------------------------------------

def test_write_map_is_atomic(tmp_path, monkeypatch):
    out = tmp_path / "map.html"
    render.write_map(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]
    out.write_text("old", encoding="utf-8")

    def broken(**kwargs):
        raise RuntimeError("boom")

    with monkeypatch.context() as m:
        m.setattr(webmap, "render_html", broken)
        with pytest.raises(RuntimeError):
            render.write_map(out)
    assert out.read_text(encoding="utf-8") == "old"

    def no_rename(src, dst):
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as m:
        m.setattr(webmap.os, "replace", no_rename)
        with pytest.raises(OutputError):
            render.write_map(out)
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]


def test_write_map_into_a_directory_is_refused(tmp_path):
    with pytest.raises(OutputError):
        render.write_map(tmp_path)


def test_write_figure_png_and_svg(tmp_path):
    png = render.write_figure(tmp_path / "map.png")
    svg = render.write_figure(tmp_path / "map.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text
    with pytest.raises(OutputError):
        render.write_figure(tmp_path / "map.gif")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png", "map.svg"]


def test_figure_keeps_the_local_scale():
    # equirectangular at the region's latitude: a degree of longitude is cos(lat) of a degree of latitude
    fig = render.draw_figure()
    ax = fig.axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    box = ax.get_position()
    w_in, h_in = box.width * fig.get_figwidth(), box.height * fig.get_figheight()
    lat0 = (y0 + y1) / 2
    ratio = ((x1 - x0) / w_in) / ((y1 - y0) / h_in)
    assert ratio == pytest.approx(1 / np.cos(np.radians(lat0)), rel=0.01)


# --- the seabed: depth bands, ISA areas, computed island lines, the inset, island value ------------

from _constants import SHARED, needs_shared  # noqa: E402


def groups_of(page: str) -> dict[str, dict]:
    """Every eezmap.group spec of a rendered map, by id (the JSON written by geo.map.leaflet.to_js)."""
    out = {}
    for m in re.finditer(r"= eezmap\.group\(\w+, (\{.*\})\);$", page, flags=re.MULTILINE):
        spec = json.loads(m.group(1))
        out[spec["id"]] = spec
    return out


def fit_bounds(page: str) -> tuple[float, float, float, float]:
    """(west, south, east, north) the map opens on."""
    (s, w), (n, e) = json.loads(re.search(r"eezmap\.fit\(map, (\[\[.*?\]\])\);", page).group(1))
    return w, s, e, n


def test_default_view_stays_on_the_island_and_its_neighbours(default_html):
    w, _, e, _ = fit_bounds(default_html)
    # the JOGMEC crust blocks (ISA source file, by hand: 157.2-160.5°E) are in view ...
    assert 160.4 < e < 161.0 and 150.0 < w < 151.0
    # ... Okinotorishima (136.07°E, 20.43°N; 1,892 km from the island) is not
    assert w > 140.0
    okino = next(s_ for s_ in load_sites() if s_.id == "okinotorishima")
    assert not (w <= okino.lon <= e)


@needs_shared
def test_isa_areas_near_the_view_with_contractor_date_and_citation(default_html):
    import geopandas as gpd

    source = gpd.read_file(SHARED / "isa" / "isa_exploration_areas_2019-07.geojson")
    groups = groups_of(default_html)
    isa = groups["isa"]
    popups = " ".join(html.unescape(it.get("popup", "")) for it in isa["items"])
    w, s, e, n = fit_bounds(default_html)
    near = source[source.intersects(shapely.box(w, s, e, n))]
    # every contractor with a block in the opening view has its area drawn, named in the popup
    names = set(near.name) - {"(Reserved Area)"}
    assert names >= {"JOGMEC (Japan)", "Gov. of the Republic of Korea"}
    for name in names:
        assert f"Contractor</th><td>{name}" in popups, name
    # dated (JOGMEC's contract was signed on 2014-01-27) and cited
    assert "2014-01-27" in popups
    assert popups.count(render.ISA_CITATION) == len([it for it in isa["items"] if it["type"] == "polygon"])
    assert "International Seabed Authority" in isa["attribution"] and "2019" in isa["attribution"]
    # the drawn JOGMEC blocks cover the source's JOGMEC blocks (drawn merged, rounded to 0.001°)
    jogmec = next(it for it in isa["items"] if "JOGMEC" in it.get("tooltip", ""))
    rings = [[decode(r, jogmec["scale"]) for r in poly] for poly in jogmec["geometry"]]
    drawn = shapely.union_all([shapely.Polygon(p[0][:, ::-1], [h[:, ::-1] for h in p[1:]]) for p in rings])
    src = shapely.union_all(source[source.name == "JOGMEC (Japan)"].geometry.values)
    assert shapely.symmetric_difference(drawn, src).area < 0.01 * src.area


def decode(s: str, k: float) -> np.ndarray:
    """Google's encoded polyline -> (n, 2) lat, lon (the reference algorithm, written out)."""
    out, i, lat, lon = [], 0, 0, 0
    while i < len(s):
        vals = []
        for _ in range(2):
            r = sh = 0
            while True:
                b = ord(s[i]) - 63
                i += 1
                r |= (b & 31) << sh
                sh += 5
                if b < 32:
                    break
            vals.append(~(r >> 1) if r & 1 else r >> 1)
        lat += vals[0]
        lon += vals[1]
        out.append((lat / k, lon / k))
    return np.array(out)


@needs_shared
def test_depth_bands_drawn_and_in_every_site_popup(default_html):
    import geopandas as gpd

    bathy = gpd.read_file(SHARED / "bathymetry" / "ne_10m_bathymetry_nw_pacific.geojson")
    groups = groups_of(default_html)
    bands = groups["bathymetry"]
    assert bands["pane"] == "eezmapBathymetry" and "Natural Earth" in bands["attribution"]
    drawn = [int(it["id"].split("-")[1]) for it in bands["items"]]
    assert drawn == sorted(drawn) and {4000, 5000, 6000} <= set(drawn)  # shallow first, deep on top
    assert "1:10m depth bands, Natural Earth" in default_html
    popups = {it["id"]: html.unescape(it["popup"]) for it in groups["sites"]["items"] if it.get("popup")}
    bounds = sorted(set(bathy.depth.astype(int)))
    for site in load_sites():
        hit = bathy[bathy.intersects(shapely.Point(site.lon, site.lat))]
        popup = popups[f"site-{site.id}"]
        assert "Depth band" in popup
        if hit.empty:
            assert "none: on land" in popup, site.id
            continue
        lo = int(hit.depth.max())
        hi = bounds[bounds.index(lo) + 1]
        assert f"{lo:,}–{hi:,} m (1:10m depth band, not a measured depth)" in popup, site.id


@needs_shared
def test_island_lines_at_12_and_24_nm_from_the_n03_outline(default_html):
    import geopandas as gpd
    from geographiclib.geodesic import Geodesic

    outline = gpd.read_file(SHARED / "coast" / "n03_2021_s0010_minami_torishima.geojson").geometry.union_all()
    # ~200 m spacing: the distance to the nearest vertex then exceeds the distance to the outline
    # by at most (100 m)² / (2 × 22 km) ≈ 0.2 m
    coast = shapely.get_coordinates(shapely.segmentize(outline.boundary, 0.002))
    lines = groups_of(default_html)["island-zones"]
    assert {it["id"] for it in lines["items"]} == {"island-territorial_sea", "island-contiguous_zone"}
    for it in lines["items"]:
        tip = html.unescape(it["tooltip"])
        assert "computed from the coastline (MLIT N03), not an official baseline" in tip
        nm = 12 if it["id"].endswith("territorial_sea") else 24
        ring = decode(it["geometry"][0][0], it["scale"])
        for lat, lon in ring[:: max(1, len(ring) // 40)]:
            d = min(Geodesic.WGS84.Inverse(lat, lon, y, x)["s12"] for x, y in coast)
            # the drawn vertices are vertices of the computed offset (simplification keeps a subset),
            # rounded to 0.0001° (≤ 8 m)
            assert abs(d - nm * 1852) < 20, (nm, lat, lon, d)


def test_overview_inset_locates_the_island(default_html):
    import math

    spec = json.loads(re.search(r"eezmap\.inset\(map, (\{.*\})\);", default_html).group(1))
    svg = spec["html"]
    assert svg.count('class="eezmap-inset-land"') == 1 and len(re.search(r'd="([^"]*)"', svg).group(1)) > 500
    # the home island's dot, equirectangular at the inset's mid-latitude (by hand)
    w, s, e, n = render.INSET_BBOX
    cos0 = math.cos(math.radians((s + n) / 2))
    scale = render.INSET_WIDTH / ((e - w) * cos0)
    x, y = (153.98056 - w) * scale * cos0, (n - 24.28667) * scale
    m = re.search(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="4" class="eezmap-inset-home"', svg)
    assert abs(float(m.group(1)) - x) < 0.06 and abs(float(m.group(2)) - y) < 0.06
    assert "Minami-Torishima" in svg and "Okinotorishima" in svg
    assert 'class="eezmap-inset-view"' in svg


def test_seabed_layers_named_in_the_title_panel(default_html):
    for layer_id in ("ne-10m-bathymetry-nw-pacific", "isa-exploration-areas-2019-07",
                     "island-zones-minami-torishima"):
        assert f"<strong>{layer_id}</strong>" in default_html.replace("\\u003c", "<").replace("\\u003e", ">")


@pytest.mark.slow
def test_island_value_drawn_on_request():
    from geo.geodesy import geodesic_area_m2
    from geo.islands import island_value

    page = render.render_html(island="okinotorishima")
    spec = groups_of(page)["island-value"]
    (item,) = spec["items"]
    v = island_value("okinotorishima")
    assert f"{v.area_km2:,.0f} km²" in html.unescape(item["popup"]) and f"{v.area_km2:,.0f} km²" in page
    polys = [[decode(r, item["scale"]) for r in poly] for poly in item["geometry"]]
    drawn = shapely.union_all([shapely.Polygon(p[0][:, ::-1], [h[:, ::-1] for h in p[1:]]) for p in polys])
    assert abs(geodesic_area_m2(drawn) / 1e6 - v.area_km2) < 0.002 * v.area_km2
    # the view then includes the island's area
    w, _, e, _ = fit_bounds(page)
    assert w < 136.0 < e


def test_unknown_island_is_a_site_error():
    from geo.errors import SiteError

    with pytest.raises(SiteError):
        render.build_map(island="atlantis")


@pytest.mark.slow
def test_figures_are_byte_for_byte_reproducible(tmp_path):
    """Review of issue 9, item 6: the same inputs give the same bytes (no <dc:date>, no random ids)."""
    for suffix in ("svg", "png"):
        a = render.write_figure(tmp_path / f"a.{suffix}").read_bytes()
        b = render.write_figure(tmp_path / f"b.{suffix}").read_bytes()
        assert a == b, suffix
    assert b"<dc:date>" not in (tmp_path / "a.svg").read_bytes()


def test_spec_keys_are_the_documented_ones(default_html):
    """The spec format is written down once per language: the TypedDicts of geo.map.leaflet and the
    JSDoc typedefs of eezmap.js name the same keys, and the map uses no other."""
    from typing import get_type_hints

    from geo.map import assets
    from geo.map.leaflet import GroupSpec, InsetSpec, Item, PanelSpec, PointsSpec, Projection

    js = assets.own("eezmap.js")

    def documented(name: str) -> set[str]:
        block = js.split(f"@typedef {{Object}} {name}", 1)[1].split("@typedef", 1)[0]
        return set(re.findall(r"@property \{[^}]*\}\s*\[?(\w+)", block, flags=re.S))

    for cls in (Item, GroupSpec, PointsSpec, Projection, InsetSpec, PanelSpec):
        assert set(get_type_hints(cls)) == documented(cls.__name__), cls.__name__
    for spec in groups_of(default_html).values():
        assert set(spec) <= set(get_type_hints(GroupSpec))
        for it in spec["items"]:
            assert set(it) <= set(get_type_hints(Item)), it
