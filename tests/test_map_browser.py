"""The standalone map in a real browser: headless Chromium with the network blocked.

Uses the Debian package's Chromium (/usr/bin/chromium) through Playwright's
Python API; ``playwright install`` is never needed.  Without Chromium these
tests fail when the environment variable CI is set, and are skipped otherwise.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import shapely
from _constants import ISLAND

from geo import map as render
from geo.layers import load_land, load_zones
from geo.sites import Site

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("EEZMAP_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
ZONES = "mr-v12-eez-nw-pacific"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>window.__xss=1</script>"
#: True once every map of the page has drawn (eezmap.js sets a performance mark per map)
DRAWN = """() => {
  const maps = document.querySelectorAll('.folium-map').length;
  const drawn = performance.getEntriesByType('mark').filter(m => m.name.startsWith('eezmap-drawn:'));
  return maps > 0 && drawn.length >= maps;
}"""
#: The test's own helpers, put into the page by the test (the map ships none): the Leaflet map
#: (folium names its container after the map's variable), an overlay by its spec id, an item by its id.
HELPERS = """() => {
  const map = window[document.querySelector('.folium-map').id];
  const group = id => {
    let g = null;
    map.eachLayer(l => { if (l.options && l.options.groupId === id) g = l; });
    return g;
  };
  const item = (g, id) => group(g).getLayers().find(l => l.options.itemId === id);
  window.T = {map, group, item};
}"""


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; the browser tests must run in CI (install the Debian package chromium)",
                    pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed (pip install playwright)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@dataclass
class Opened:
    page: Any
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)


def open_map(browser, path: Path, width: int = 1400, height: int = 900) -> Opened:
    page = browser.new_page(viewport={"width": width, "height": height})
    o = Opened(page)

    def route(r):
        url = r.request.url
        if url.startswith(("file://", "data:")):
            r.continue_()
        else:  # nothing may leave the machine: record it and refuse it
            o.blocked.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: o.errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: o.errors.append(f"page error: {e}"))

    def dialog(d):
        o.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.goto(path.resolve().as_uri())
    page.wait_for_function(DRAWN, timeout=15000)
    page.evaluate(HELPERS)
    return o


@pytest.fixture(scope="module")
def default_map(tmp_path_factory) -> Path:
    return render.write_map(tmp_path_factory.mktemp("map") / "map.html")


@pytest.fixture
def opened(browser, default_map):
    o = open_map(browser, default_map)
    yield o
    o.page.close()


def pane_paths(o: Opened, pane: str) -> int:
    return o.js(f"document.querySelectorAll('.leaflet-{pane}-pane path').length")


def drawn(o: Opened, group: str, item_id: str) -> bool:
    """Whether a layer of a group is on the map with an SVG path that has a shape."""
    return o.js("""([g, id]) => {
        const layer = T.item(g, id);
        if (!layer || !layer._path || !layer._path.isConnected) return false;
        return (layer._path.getAttribute('d') || '').length > 10;
    }""", [group, item_id])


# --- offline and complete -----------------------------------------------------------------

def test_draws_offline_without_errors(opened):
    assert opened.blocked == [], "requests left the machine"
    assert opened.errors == []
    assert opened.js("L.version") == "1.9.4"


def test_every_layer_is_drawn(opened):
    zones = load_zones(ZONES)
    assert pane_paths(opened, "eezmapZones") == len(zones)
    assert drawn(opened, "zones-jpn", "zone-8487")
    assert 1 <= pane_paths(opened, "eezmapLand") <= len(load_land("ne-10m-land-nw-pacific")[1])
    # the 200 NM circle, and the island's computed 12 and 24 NM lines
    assert pane_paths(opened, "eezmapLimit") == 3 and drawn(opened, "limit", "limit-200nm")
    assert opened.js("document.querySelector('.leaflet-eezmapLimit-pane path').getAttribute('stroke-dasharray')")
    assert drawn(opened, "sites", "site-rey-mud-area")
    assert drawn(opened, "sites", "uncertainty-chikyu-2026-site")
    assert drawn(opened, "sites", "site-chikyu-2026-site")
    assert drawn(opened, "geodesics", "geodesic-rey-mud-area")
    assert drawn(opened, "geodesics", "geodesic-chikyu-2026-site")
    labels = opened.js("[...document.querySelectorAll('.eezmap-label-dist')].map(e => e.textContent)")
    # lines to the sites of the opening view: the mud area, the Chikyu site, the JOGMEC area
    # (the doctest distances of geo.geodesy, checked against geographiclib in tests/test_geodesy.py)
    assert labels[:2] == ["251.1 km · 135.6 NM", "150.0 km · 81.0 NM"] and len(labels) == 3
    assert opened.js("document.querySelectorAll('img.leaflet-marker-icon').length") == 1


def test_the_seabed_is_drawn(opened):
    """Depth bands under the zones, ISA areas, the island's computed lines and the inset, offline."""
    assert opened.blocked == [] and opened.errors == []
    bands = opened.js("""() => [...document.querySelectorAll('.leaflet-eezmapBathymetry-pane path')]
        .map(p => [p.getAttribute('fill'), (p.getAttribute('d') || '').length])""")
    # every band in the padded box has its path; those in the opening view have a shape (the deepest,
    # trench bands lie outside it and are clipped away by Leaflet)
    assert len(bands) >= 8 and sum(n > 10 for _, n in bands) >= 6
    assert len({f for f, _ in bands}) == len(bands)            # one colour per band
    assert drawn(opened, "bathymetry", "depth-5000")
    # the bathymetry pane lies under the zones
    z = opened.js("""['eezmapBathymetry', 'eezmapZones', 'eezmapSeabed'].map(
        n => +T.map.getPane(n).style.zIndex)""")
    assert z[0] < z[1] < z[2]
    isa = opened.js("""T.group('isa').getLayers().filter(l => l._path && l._path.isConnected)
        .map(l => [l.getTooltip().getContent(), (l._path.getAttribute('d') || '').length])""")
    assert len(isa) == 5   # JOGMEC, Korea, Russia, China, a reserved area: near the view
    shapes = {tip.split(": ")[1].split(",")[0]: n for tip, n in isa}
    # in the opening view (the others, just south of it, are clipped away by Leaflet)
    assert shapes["JOGMEC (Japan)"] > 100 and shapes["Gov. of the Republic of Korea"] > 10
    text = opened.js("""() => {
        const l = T.group('isa').getLayers()
            .find(l => l._path && l.getTooltip().getContent().includes('JOGMEC'));
        l.openPopup();
        return document.querySelector('.leaflet-popup-content').innerText;
    }""")
    assert "JOGMEC (Japan)" in text and "2014-01-27" in text and "July 2019" in text
    assert "since partly relinquished" in text
    assert drawn(opened, "island-zones", "island-territorial_sea")
    assert drawn(opened, "island-zones", "island-contiguous_zone")
    legend = opened.js("document.querySelector('.eezmap-legend').innerText")
    assert "1:10m depth bands, Natural Earth" in legend and "5,000–6,000 m" in legend
    assert "not an official baseline" in legend and "ISA" in legend
    # the inset: land drawn, its view rectangle around the home island's dot
    inset = opened.js("""() => {
        const svg = document.querySelector('.eezmap-inset svg'), r = svg.getBoundingClientRect();
        const land = svg.querySelector('.eezmap-inset-land').getBBox();
        const v = svg.querySelector('.eezmap-inset-view'), h = svg.querySelector('.eezmap-inset-home');
        return {visible: r.width > 100 && r.height > 80, land: [land.width, land.height],
                view: ['x', 'y', 'width', 'height'].map(a => +v.getAttribute(a)),
                home: [+h.getAttribute('cx'), +h.getAttribute('cy')]};
    }""")
    assert inset["visible"] and inset["land"][0] > 50 and inset["land"][1] > 50
    x, y, w, h = inset["view"]
    assert x < inset["home"][0] < x + w and y < inset["home"][1] < y + h and 10 < w < 120


def test_site_popup_has_its_depth_band(opened):
    text = opened.js("""() => {
        const l = T.item('sites', 'site-rey-mud-area');
        l.openPopup();
        return document.querySelector('.leaflet-popup-content').innerText;
    }""")
    # the Takaya frame lies in the 5,000-6,000 m band (tests/test_seabed.py, from the source file)
    assert "5,000–6,000 m (1:10m depth band, not a measured depth)" in text


def test_drawn_within_a_second(browser, default_map):
    # best of three loads, so that a busy machine does not make the test flaky
    times = []
    for _ in range(3):
        o = open_map(browser, default_map)
        times.append(o.js("performance.getEntriesByType('mark').find(m => m.name.startsWith('eezmap-drawn:'))"
                          ".startTime"))
        o.page.close()
        if min(times) < 1000:
            break
    assert min(times) < 1000, times


def test_opens_on_the_region(opened):
    inside = opened.js("""() => {
        const b = T.group('limit').getBounds();
        return T.map.getBounds().contains(b) && T.map.getZoom() >= 6;
    }""")
    assert inside


def test_legend_title_and_layer_control(opened):
    legend = opened.js("document.querySelector('.eezmap-legend').innerText")
    assert "Japan's EEZ" in legend and "approximate (±71 km)" in legend and "High seas" in legend
    title = opened.js("document.querySelector('.eezmap-title').innerText")
    assert "4,066,513 km²" in title and ZONES in title and "sites" in title
    overlays = opened.js("document.querySelectorAll('.leaflet-control-layers-overlays input').length")
    assert overlays == 11   # + depth bands, ISA areas, the island's 12/24 NM lines
    # toggling an overlay off removes its paths
    before = pane_paths(opened, "eezmapZones")
    opened.js("document.querySelectorAll('.leaflet-control-layers-overlays input')[1].click()")
    assert pane_paths(opened, "eezmapZones") == before - 1
    for control in ("scale", "zoom", "attribution"):
        assert opened.js(f"!!document.querySelector('.leaflet-control-{control}')"), control
    assert opened.js("!!document.querySelector('.eezmap-coords')")
    assert opened.js("document.querySelectorAll('.eezmap-buttons a').length") == 2  # fullscreen, measure


def test_attribution_names_every_layer(opened):
    text = opened.js("document.querySelector('.leaflet-control-attribution').textContent")
    for zones_attr in (load_zones(ZONES).layer.attribution, load_land("ne-10m-land-nw-pacific")[0].attribution):
        assert zones_attr in text
    assert "Sites: eezmap compilation" in text


def test_island_popup(opened):
    opened.page.click("img.leaflet-marker-icon[alt^='Minami-Torishima']")
    opened.page.wait_for_selector(".leaflet-popup-content")
    text = opened.js("document.querySelector('.leaflet-popup-content').innerText")
    assert "Minami-Torishima (Marcus Island)" in text
    assert "1.51 km²" in text and "Ogasawara Village" in text
    assert "yes: in Japan's EEZ" in text


def test_chikyu_is_shown_as_approximate(opened):
    label = opened.js("[...document.querySelectorAll('.leaflet-tooltip')].map(e => e.innerText).join('|')")
    assert "approximate (±71 km)" in label
    text = opened.js("""() => {
        const l = T.item('sites', 'uncertainty-chikyu-2026-site');
        l.openPopup();
        return document.querySelector('.leaflet-popup-content').innerText;
    }""")
    assert "approximate" in text and "±71 km" in text and "never published" in text


def measuring(o: Opened) -> bool:
    return o.js("document.querySelector('.folium-map').classList.contains('eezmap-measuring')")


def measured(o: Opened) -> float:
    """The total in the measure box, in metres (its <data value>)."""
    return float(o.js("document.querySelector('.eezmap-measure-box data').value"))


def test_measure_tool(opened):
    from geographiclib.geodesic import Geodesic

    ruler = "a[title^='Measure']"
    # the island to the mud area's centre: two clicks where the map shows them
    a, b = ISLAND, (22.025, 153.80833)
    opened.page.click(ruler)
    assert measuring(opened)
    for lat, lon in (a, b):
        x, y = opened.js("([lat, lon]) => { const p = T.map.latLngToContainerPoint([lat, lon]); "
                         "return [p.x, p.y]; }",
                         [lat, lon])
        opened.page.mouse.click(x, y)
    # the clicked points, as the map converts the clicks (a pixel is about 1 km here)
    p, q = opened.js("Object.values(T.map._layers).filter(l => l instanceof L.CircleMarker"
                     " && l.options.pane === 'eezmapMeasure')"
                     ".map(l => [l.getLatLng().lat, l.getLatLng().lng])")
    assert abs(p[0] - a[0]) < 0.05 and abs(q[1] - b[1]) < 0.05
    expected = Geodesic.WGS84.Inverse(p[0], p[1], q[0], q[1])["s12"]
    assert abs(measured(opened) - expected) < 1.0                       # Vincenty vs Karney
    box = opened.js("document.querySelector('.eezmap-measure-box').innerText")
    assert f"{expected / 1000:,.1f} km" in box and f"{expected / 1852:,.1f} NM" in box and "Vincenty" in box
    assert not opened.js("!!document.querySelector('.leaflet-popup')")   # no popup while measuring
    # the ruler stops, starts afresh, and two clicks measure a line
    opened.page.click(ruler)
    assert not measuring(opened)
    opened.page.click(ruler)
    assert measuring(opened)
    opened.page.mouse.click(300, 300)
    opened.page.mouse.click(500, 420)
    p, q = opened.js("[[300, 300], [500, 420]].map(c => T.map.containerPointToLatLng(c))"
                     ".map(l => [l.lat, l.lng])")
    expected = Geodesic.WGS84.Inverse(p[0], p[1], q[0], q[1])["s12"]
    assert abs(measured(opened) - expected) < 1.0
    assert opened.js("document.querySelectorAll('.leaflet-eezmapMeasure-pane path').length") >= 3
    assert not opened.js("!!document.querySelector('.leaflet-popup')")   # no popup while measuring


def test_user_sites_run_nothing_and_show_as_text(browser, tmp_path):
    sites = [
        Site(id="u1", name=XSS_IMG, kind="user", lat=25.0, lon=152.0, geometry=shapely.Point(152.0, 25.0),
             certainty="user-supplied", source="user file sites.csv", user=True,
             properties={"name": XSS_IMG, "note": XSS_SCRIPT}),
        Site(id="u2", name=XSS_SCRIPT, kind="user", lat=23.0, lon=151.5, geometry=shapely.Point(151.5, 23.0),
             certainty="user-supplied", source="user file sites.csv", user=True,
             properties={"name": XSS_SCRIPT}),
    ]
    path = render.write_map(tmp_path / "xss.html", user_sites=sites, title=XSS_IMG)
    o = open_map(browser, path)
    try:
        shown = o.js("""() => T.group('user-sites').getLayers().map(l => {
            l.openPopup();
            const popup = document.querySelector('.leaflet-popup-content').innerText;
            l.openTooltip();
            return [popup, l.getTooltip().getElement().innerText];
        })""")
        assert XSS_IMG in shown[0][0] and XSS_SCRIPT in shown[0][0]
        assert shown[0][1] == XSS_IMG
        assert XSS_SCRIPT in shown[1][0] and shown[1][1] == XSS_SCRIPT
        o.page.wait_for_timeout(300)
        assert o.dialogs == []
        assert o.js("typeof window.__xss") == "undefined"
        assert o.js("document.querySelectorAll('img[src=\"x\"]').length") == 0
        assert o.js("document.title") == XSS_IMG
        assert o.blocked == [] and o.errors == []
    finally:
        o.page.close()


@pytest.mark.slow
def test_300000_points_stay_usable(browser, tmp_path):
    import numpy as np

    rng = np.random.default_rng(3)
    n = 300_000
    lat, lon = rng.uniform(15, 35, n), rng.uniform(140, 170, n)
    path = render.write_map(tmp_path / "points.html", points=(lat, lon))
    o = open_map(browser, path)
    try:
        assert o.blocked == [] and o.errors == []
        info = o.js("""() => {
            const layer = Object.values(T.map._layers).find(l => l.count !== undefined);
            const t = [];
            for (let i = 0; i < 3; i++) {
                const t0 = performance.now(); layer.redraw(); t.push(performance.now() - t0);
            }
            return {count: layer.count, drawn: layer.drawn, redrawMs: Math.min(...t)};
        }""")
        assert info["count"] == n and info["drawn"] > 10_000
        assert info["redrawMs"] < 250, info   # a pan or zoom redraws all points in a fraction of a second
    finally:
        o.page.close()


def test_clicking_a_point_shows_its_answer(browser, tmp_path):
    import numpy as np

    path = render.write_map(tmp_path / "one.html", points=(np.array([23.0, 30.0]), np.array([152.5, 150.0])))
    o = open_map(browser, path)
    try:
        x, y = o.js("(() => { const p = T.map.latLngToContainerPoint([23.0, 152.5]); return [p.x, p.y]; })()")
        o.page.mouse.click(x, y)   # inside Japan's EEZ: the point's popup, not the zone's
        o.page.wait_for_selector(".leaflet-popup-content")
        o.page.wait_for_timeout(100)
        text = o.js("document.querySelector('.leaflet-popup-content').innerText")
        assert "Your point #1" in text and "yes: in Japan's EEZ" in text
        assert o.js("document.querySelectorAll('.leaflet-popup').length") == 1
        assert o.errors == [] and o.blocked == []
    finally:
        o.page.close()


TWO_MAPS = """<!DOCTYPE html><html><head><meta charset="utf-8">
<style>{leaflet_css}</style><style>{theme}
{eezmap_css}</style>
<script>{leaflet_js}</script><script>{eezmap_js}
{controls_js}
eezmap.icons({icons});</script>
<style>.folium-map {{ width: 640px; height: 480px; display: inline-block; }}</style></head><body>
<div class="folium-map" id="map_a"></div><div class="folium-map" id="map_b"></div>
<script>
for (const id of ["map_a", "map_b"]) {{
  const map = L.map(id, {{center: [23.5, 154.5], zoom: 7}});
  window[id] = map;
  eezmap.panes(map, {panes});
  eezmap.measure(map);
  eezmap.group(map, {sites}).addTo(map);
  eezmap.ready(map);
}}
</script></body></html>"""


def test_two_maps_on_one_page_keep_their_own_state(browser, tmp_path):
    from geo.map import assets
    from geo.map.leaflet import PANES, to_js
    from geo.map.overlays import site_groups
    from geo.map.scene import build_scene
    from geo.map.style import theme_css

    sites, _ = site_groups(build_scene(None, ()))
    lf = assets.leaflet()
    page = TWO_MAPS.format(leaflet_css=lf.css, theme=theme_css(), eezmap_css=assets.own("eezmap.css"),
                           leaflet_js=lf.js, eezmap_js=assets.own("eezmap.js"),
                           controls_js=assets.own("eezmap-controls.js"), icons=to_js(lf.images),
                           panes=to_js(list(PANES)),
                           sites=sites.arg)
    path = tmp_path / "two.html"
    path.write_text(page, encoding="utf-8")
    o = open_map(browser, path, width=1400, height=600)
    try:
        assert o.errors == [] and o.blocked == []
        marks = o.js("performance.getEntriesByType('mark').map(m => m.name)"
                     ".filter(n => n.startsWith('eezmap-drawn:'))")
        assert sorted(marks) == ["eezmap-drawn:map_a", "eezmap-drawn:map_b"]
        # each map has its own sites
        counts = o.js("""['map_a', 'map_b'].map(id => {
            let n = 0;
            window[id].eachLayer(l => { if (l.options.groupId === 'sites') n = l.getLayers().length; });
            return n; })""")
        assert counts[0] == counts[1] > 3
        # measuring on the first map ...
        o.page.click("#map_a a[title^='Measure']")
        measuring = o.js("['map_a', 'map_b']"
                         ".map(id => document.getElementById(id).classList.contains('eezmap-measuring'))")
        assert measuring == [True, False]
        popup_in = """id => {
            let g; window[id].eachLayer(l => { if (l.options.groupId === 'sites') g = l; });
            g.getLayers().find(l => l.options.itemId === 'site-rey-mud-area').openPopup();
            return !!document.querySelector('#' + id + ' .leaflet-popup');
        }"""
        # ... keeps its own popups shut, and not the second map's
        assert o.js(popup_in, "map_a") is False
        assert o.js(popup_in, "map_b") is True
        # the second map measures on its own: its box, its total (once the popup's pan has ended)
        o.js("window.map_b.closePopup()")
        o.page.wait_for_timeout(500)
        o.page.click("#map_b a[title^='Measure']")
        for x in (900, 1100):
            o.page.mouse.click(x, 300)
        assert o.js("document.querySelector('#map_b .eezmap-measure-box data') !== null")
        assert o.js("document.querySelector('#map_a .eezmap-measure-box data') === null")
        assert o.errors == []
    finally:
        o.page.close()
