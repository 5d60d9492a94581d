"""The map: a standalone offline HTML file (folium/Leaflet) and a static figure (matplotlib).

Presentation only: this module reads the layers through :mod:`geo.layers` and
:mod:`geo.sites`, asks :mod:`geo.zones` and :mod:`geo.geodesy` for every
number it shows, and draws.  The core never imports it.

The HTML map is one file that works opened from disk with no network:
Leaflet and its images are inlined from the installed ``django-js-lib-leaflet``
package (:mod:`geo._assets`), folium's CDN links are removed, and the
background is the bundled Natural Earth land on a sea-coloured map.  Online
tiles (OpenStreetMap, Esri Ocean) are optional base layers, never the default.

Display geometry only
---------------------
Zones are simplified for the screen with :func:`shapely.coverage_simplify`
over all zones of a layer together, so neighbours keep their shared edges (no
gaps, no slivers), then rounded to 0.001° (the v12 extract's own grid) and
stored as Google encoded polylines (see ``geo/static/eezmap.js``).  Every
figure the map *states* (areas, distances, zone answers) is computed on the
full geometry.

Example
-------
>>> from geo.render import write_map
>>> path = write_map("maps/minami_torishima.html")      # doctest: +SKIP
>>> path.stat().st_size < 1_500_000                      # doctest: +SKIP
True
"""

from __future__ import annotations

import base64
import html
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import folium
import numpy as np
from branca.element import Element, MacroElement
from folium.map import Layer
from folium.template import Template

from . import _assets
from ._io import atomic_path, check_output
from .coords import wrap_lon
from .errors import OutputError

# --- what the map shows, and how ---------------------------------------------------

#: Title of the default map.
DEFAULT_TITLE = "Minami-Torishima: Japan's EEZ and the rare-earth mud"
#: The country the zones are styled and the points answered for.
COUNTRY = "JPN"
#: Tolerance of the coverage-preserving display simplification, in degrees
#: (about 0.55 km; under one screen pixel at the map's opening zoom).
DISPLAY_TOLERANCE_DEG = 0.005
#: Decimals kept in displayed zone and land coordinates (0.001° ≈ 110 m).
DISPLAY_DECIMALS = 3
#: Decimals kept for sites, lines and the 200 NM circle (≈ 1 m).
FINE_DECIMALS = 5
#: The most user points drawn; more are thinned evenly, with a note on the map.
MAX_POINTS = 1_000_000
#: Size budget of the default map (bytes); tests/test_render.py holds it.
SIZE_BUDGET = 1_500_000

SEA = "#d6e8f3"
STYLES: dict[str, dict[str, Any]] = {
    # Japan's 200 NM zone, highlighted
    "jpn": {"color": "#b2182b", "weight": 2, "fillColor": "#ef6548", "fillOpacity": 0.2},
    # zones Japan shares: overlapping claims, joint regime (hatched, dashed)
    "jpn-shared": {"color": "#d95f02", "weight": 2, "dashArray": "7 5", "fillOpacity": 1,
                   "className": "eezmap-hatch-jpn"},
    # other states' zones, muted
    "other": {"color": "#7d8a96", "weight": 1, "fillColor": "#b7c1ca", "fillOpacity": 0.3},
    "other-shared": {"color": "#7d8a96", "weight": 1, "dashArray": "4 4", "fillOpacity": 1,
                     "className": "eezmap-hatch-grey"},
    "land": {"color": "#a3977c", "weight": 0.8, "fillColor": "#f2ede1", "fillOpacity": 1,
             "interactive": False},
    "limit": {"color": "#08306b", "weight": 2.5, "dashArray": "10 7", "fill": False},
    "area": {"color": "#6a3d9a", "weight": 2, "fillColor": "#b497d6", "fillOpacity": 0.45},
    "uncertainty": {"color": "#006d77", "weight": 2, "dashArray": "5 4", "fillOpacity": 1,
                    "className": "eezmap-hatch-unc"},
    "approx": {"color": "#006d77", "weight": 2.5, "dashArray": "3 3", "fillColor": "#ffffff",
               "fillOpacity": 1, "radius": 7},
    "point-site": {"color": "#6a3d9a", "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1, "radius": 6},
    "geodesic": {"color": "#1d1d1d", "weight": 2.2, "opacity": 0.9},
    "user": {"color": "#4a1486", "weight": 2, "fillColor": "#dd3497", "fillOpacity": 0.9, "radius": 6},
    "user-area": {"color": "#4a1486", "weight": 2, "fillColor": "#dd3497", "fillOpacity": 0.25},
    "isa": {"color": "#7f3b08", "weight": 1, "fillColor": "#e08214", "fillOpacity": 0.3},
    "isa-reserved": {"color": "#7f3b08", "weight": 1, "dashArray": "3 3", "fillColor": "#fdb863",
                     "fillOpacity": 0.15},
    "island-value": {"color": "#1b7837", "weight": 2, "dashArray": "8 4", "fillColor": "#a6dba0",
                     "fillOpacity": 0.3},
}
ZONE_CLASSES = {
    "jpn": "Japan's EEZ (200 NM zone)",
    "jpn-shared": "Japan's overlapping claims and joint regime",
    "other": "Other states' zones",
    "other-shared": "Other states' overlapping claims, joint regimes",
}
#: Answer -> (colour, legend text) for user points; drawn in this order (last on top).
POINT_CLASSES: dict[str, tuple[str, str]] = {
    "unknown": ("#6b6b6b", "unknown (outside the layers' coverage)"),
    "no": ("#2166ac", "no: not in Japan's EEZ"),
    "shared": ("#f28e2b", "shared: a zone Japan shares"),
    "yes": ("#b2182b", "yes: in Japan's EEZ"),
}
ANSWER_TEXT = {
    "yes": "yes: in Japan's EEZ",
    "shared": "shared: in a zone Japan is party to with others (overlapping claim or joint regime)",
    "no": "no",
    "unknown": "unknown: outside the layers' coverage",
    "": "not answered (invalid coordinate)",
}
#: Optional online base layers (never the default; the map works without them).
TILES: dict[str, dict[str, Any]] = {
    "osm": {
        "name": "OpenStreetMap (online)",
        "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "attr": '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
        "max_native_zoom": 19,
    },
    "ocean": {
        "name": "Esri Ocean Basemap (online)",
        "url": "https://server.arcgisonline.com/ArcGIS/rest/services/Ocean/World_Ocean_Base/MapServer/tile/{z}/{y}/{x}",
        "attr": "Tiles &copy; Esri &mdash; Sources: GEBCO, NOAA, CHS, OSU, UNH, CSUMB, National Geographic, "
                "DeLorme, NAVTEQ, and Esri",
        "max_native_zoom": 13,
    },
}
# Leaflet panes inside the overlay pane, bottom to top
PANES = ("eezmapBathymetry", "eezmapZones", "eezmapSeabed", "eezmapLand", "eezmapPoints", "eezmapLimit",
         "eezmapSites", "eezmapLines", "eezmapUser", "eezmapMeasure")


#: Sites farther than this from the home island are drawn but do not set the opening view
#: (Okinotorishima, 1,900 km west, would stretch it to 136°E); the JOGMEC area, about 600 km
#: south-east, stays in it.
STORY_RADIUS_KM = 1_000.0
#: Depth bands drawn simplified at this tolerance (degrees, about 2 km), rounded to DISPLAY_DECIMALS.
BATHYMETRY_TOLERANCE_DEG = 0.02
#: Depth band (upper limit, m) -> fill colour: a light, subtle ramp under the zones.
DEPTH_COLOURS = {0: "#e8f2f8", 200: "#e3eff7", 1000: "#deecf5", 2000: "#d9e8f3", 3000: "#d3e4f0",
                 4000: "#cde0ee", 5000: "#c6dbeb", 6000: "#bcd4e6", 8000: "#aec9df", 9000: "#a0bed7",
                 10000: "#92b3cf"}
ISA_CITATION = "International Seabed Authority, exploration areas, July 2019; since partly relinquished"
ISLAND_LINES = {"territorial_sea": ("12 NM", {"color": "#54278f", "weight": 1.6, "dashArray": "1 4",
                                              "lineCap": "round", "fill": False}),
                "contiguous_zone": ("24 NM", {"color": "#2171b5", "weight": 1.6, "dashArray": "6 4",
                                              "fill": False})}
#: The overview inset: the region it shows (W, S, E, N) and its width in pixels.
INSET_BBOX = (124.0, 17.0, 168.0, 46.0)
INSET_WIDTH = 170


# --- small helpers -------------------------------------------------------------------

def _e(value: Any) -> str:
    """HTML-escape anything (quotes too): every data string goes through this."""
    return html.escape(str(value), quote=True)


def _js(obj: Any) -> str:
    """JSON for a ``<script>`` block: no ``<`` at all, so nothing can end the script."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _encode(lonlat: np.ndarray, decimals: int) -> str:
    """(n, 2) lon/lat coordinates -> Google encoded polyline of (lat, lon) at 10**-decimals."""
    ints = np.round(np.asarray(lonlat, dtype=float)[:, ::-1] * 10.0 ** decimals).astype(np.int64)
    d = np.diff(ints, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()
    z = np.where(d < 0, ~(d << 1), d << 1)
    nchunks = np.ones(len(z), dtype=np.int64)
    for k in range(1, 7):
        nchunks += z >= (1 << (5 * k))
    idx = np.repeat(np.arange(len(z)), nchunks)
    pos = np.arange(int(nchunks.sum())) - np.repeat(np.cumsum(nchunks) - nchunks, nchunks)
    chunk = (z[idx] >> (5 * pos)) & 31
    chars = chunk + 32 * (pos < nchunks[idx] - 1) + 63
    return chars.astype(np.uint8).tobytes().decode("ascii")


def _encode_polygonal(geom: Any, decimals: int) -> list[list[str]]:
    """A (Multi)Polygon as [[outer, hole, ...], ...] encoded rings (closing vertex dropped)."""
    import shapely

    out = []
    for poly in shapely.get_parts(geom):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        rings = [poly.exterior, *poly.interiors]
        enc = [_encode(np.asarray(r.coords)[:-1], decimals) for r in rings if len(r.coords) >= 4]
        if enc:
            out.append(enc)
    return out


def _line(points_latlon: Sequence[tuple[float, float]]) -> str:
    arr = np.asarray(points_latlon, dtype=float)[:, ::-1]
    return _encode(arr, FINE_DECIMALS)


def _fmt_latlon(lat: float, lon: float) -> str:
    return f"{abs(lat):.5f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.5f}° {'E' if lon >= 0 else 'W'}"


def _near(lon: np.ndarray, centre: float) -> np.ndarray:
    """Longitudes in the 360° window around *centre* (no jump across the antimeridian)."""
    return centre + wrap_lon(np.asarray(lon, dtype=float) - centre)


def _link(url: str, text: str) -> str:
    """An escaped link for http(s) URLs only; anything else is plain escaped text."""
    if url.startswith(("https://", "http://")):
        return f'<a href="{_e(url)}" target="_blank" rel="noopener noreferrer">{_e(text)}</a>'
    return _e(text)


def _rows(rows: Sequence[tuple[str, str]]) -> str:
    """Table rows from (escaped header, escaped HTML) pairs."""
    return "".join(f"<tr><th>{h}</th><td>{v}</td></tr>" for h, v in rows if v)


# --- display geometry ----------------------------------------------------------------

def display_geometries(geoms: np.ndarray, tolerance: float = DISPLAY_TOLERANCE_DEG,
                       decimals: int = DISPLAY_DECIMALS) -> np.ndarray:
    """Zones simplified for drawing: coverage-preserving, then rounded.

    :func:`shapely.coverage_simplify` simplifies the edges shared by
    neighbouring zones once, for both, so the simplified zones still tile
    without gaps or overlaps.  Rounding then keeps shared vertices equal.

    Parameters
    ----------
    geoms : array of shapely (Multi)Polygons forming a coverage
    tolerance : float
        Simplification tolerance in degrees.
    decimals : int
        Decimals kept in the coordinates.
    """
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    simple = shapely.coverage_simplify(geoms, tolerance) if tolerance > 0 else geoms
    return shapely.transform(simple, lambda c: np.round(c, decimals))


def _display_zones(layer_id: str, clip: tuple[tuple[float, float, float, float], ...] = ()
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(row indexes, display geometries) of a zone layer, minus the boxes in *clip*."""
    from .layers import manifest

    return _display_zones_of(layer_id, manifest().get(layer_id).sha256, clip)


@lru_cache(maxsize=8)
def _display_zones_of(layer_id: str, sha256: str, clip: tuple[tuple[float, float, float, float], ...]
                      ) -> tuple[np.ndarray, np.ndarray]:
    """_display_zones, once per file version (the checksum is the key: a re-installed layer is redrawn)."""
    import shapely

    from .layers import load_zones

    zones = load_zones(layer_id)
    geoms = np.asarray(zones.geometry, dtype=object)
    if clip:
        geoms = shapely.difference(geoms, shapely.union_all([shapely.box(*b) for b in clip]))
    keep = np.flatnonzero(~shapely.is_empty(geoms))
    return keep, display_geometries(geoms[keep])


def _display_land(layer_id: str, clip: tuple[tuple[float, float, float, float], ...] = ()) -> list[Any]:
    from .layers import manifest

    return _display_land_of(layer_id, manifest().get(layer_id).sha256, clip)


@lru_cache(maxsize=8)
def _display_land_of(layer_id: str, sha256: str, clip: tuple[tuple[float, float, float, float], ...]
                     ) -> list[Any]:
    import shapely

    from .layers import load_land

    _, land = load_land(layer_id)
    geoms = np.asarray(land, dtype=object)
    if clip:
        geoms = shapely.difference(geoms, shapely.union_all([shapely.box(*b) for b in clip]))
    geoms = shapely.transform(geoms[~shapely.is_empty(geoms)], lambda c: np.round(c, DISPLAY_DECIMALS))
    return list(geoms)


def _zone_class(pol_type: str, isos: Sequence[str]) -> str:
    from .zones import status_of_pol_type

    eez = status_of_pol_type(pol_type) == "eez"
    if COUNTRY in isos:
        return "jpn" if eez else "jpn-shared"
    return "other" if eez else "other-shared"


# --- folium elements -------------------------------------------------------------------
# branca re-parses whatever a MacroElement renders as a Jinja template, so text
# holding "{{" (encoded polylines, minified JavaScript) would break it.  These
# elements put their text into the page as is, through _Raw.

class _Raw(Element):
    """Text placed into the page as is (never parsed as a template)."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "EezmapRaw"
        self.text = text


def _emit(element: Element, *, header: str | None = None, body: str | None = None,
          script: str | None = None) -> None:
    figure = element.get_root()
    for part, text in (("header", header), ("html", body), ("script", script)):
        if text:
            getattr(figure, part).add_child(_Raw(text), name=element.get_name())


class _Assets(MacroElement):
    """Leaflet and this package's script and styles, inlined into the page head."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "EezmapAssets"

    def render(self, **kwargs: Any) -> None:
        lf = _assets.leaflet()
        header = (f"<style>{lf.css}</style>\n<style>{_assets.own('eezmap.css')}</style>\n"
                  f"<script>{lf.js}</script>\n<script>{_assets.own('eezmap.js')}\n"
                  f"eezmap.icons({_js(lf.images)});</script>")
        _emit(self, header=header, body=_HATCH_DEFS)


_HATCH_DEFS = (
    '<svg class="eezmap-defs" aria-hidden="true" focusable="false"><defs>'
    '<pattern id="eezmap-hatch-jpn" patternUnits="userSpaceOnUse" width="9" height="9" '
    'patternTransform="rotate(45)"><rect width="9" height="9" fill="#fdbb84" fill-opacity="0.35"/>'
    '<line x1="0" y1="0" x2="0" y2="9" stroke="#d95f02" stroke-width="3" stroke-opacity="0.75"/></pattern>'
    '<pattern id="eezmap-hatch-grey" patternUnits="userSpaceOnUse" width="9" height="9" '
    'patternTransform="rotate(-45)"><rect width="9" height="9" fill="#b7c1ca" fill-opacity="0.3"/>'
    '<line x1="0" y1="0" x2="0" y2="9" stroke="#7d8a96" stroke-width="2" stroke-opacity="0.6"/></pattern>'
    '<pattern id="eezmap-hatch-unc" patternUnits="userSpaceOnUse" width="8" height="8" '
    'patternTransform="rotate(45)"><rect width="8" height="8" fill="#83c5be" fill-opacity="0.3"/>'
    '<line x1="0" y1="0" x2="0" y2="8" stroke="#006d77" stroke-width="2" stroke-opacity="0.7"/></pattern>'
    "</defs></svg>"
)


class _Script(MacroElement):
    """A few lines of script run with the map as ``map``."""

    def __init__(self, code: str, name: str = "EezmapScript") -> None:
        super().__init__()
        self._name = name
        self.code = code

    def render(self, **kwargs: Any) -> None:
        _emit(self, script=f"(function (map) {{\n{self.code}\n}})({self._parent.get_name()});")


class _JsLayer(Layer):
    """An overlay (or base layer) made by one JavaScript call: ``call(map, arg)``, or ``call()``."""

    def __init__(self, name: str, call: str, arg: str | None = None, *, overlay: bool = True,
                 show: bool = True, kind: str = "EezmapLayer") -> None:
        super().__init__(name=_e(name), overlay=overlay, control=True, show=show)
        self._name = kind
        self.call, self.arg = call, arg
        self.spec_id = ""

    def render(self, **kwargs: Any) -> None:
        var, parent = self.get_name(), self._parent.get_name()
        args = f"{parent}, {self.arg}" if self.arg is not None else ""
        code = f"var {var} = {self.call}({args});"
        if self.show:
            code += f"\n{var}.addTo({parent});"
        _emit(self, script=code)


def _group(name: str, spec: dict[str, Any], show: bool = True) -> _JsLayer:
    """An overlay built by ``eezmap.group`` from a JSON spec (polygons, lines, markers, labels)."""
    layer = _JsLayer(name, "eezmap.group", _js(spec), show=show, kind="EezmapGroup")
    layer.spec_id = spec.get("id", "")
    return layer


def _offline_base() -> _JsLayer:
    """The default base layer when online tiles are offered: nothing to load."""
    return _JsLayer("Offline: bundled land, no tiles", "L.layerGroup", overlay=False, kind="EezmapBase")


@dataclass
class _Context:
    """Everything loaded once for one map or figure."""

    layer_ids: tuple[str, ...]
    zone_layers: list[Any]                  # Zones tables, in precedence order
    zone_display: list[tuple[np.ndarray, np.ndarray]]
    land_infos: list[Any]
    land_display: list[list[Any]]
    sites: tuple[Any, ...]
    home: Any
    user_sites: tuple[Any, ...]
    site_answers: list[tuple[str, dict[str, Any] | None]]
    circle: Any
    bounds: tuple[float, float, float, float]   # west, south, east, north
    nested_ids: tuple[str, ...] = ()            # 12 NM / 24 NM / internal-waters layers to draw
    story: tuple[Any, ...] = ()                 # the sites within STORY_RADIUS_KM of the home island
    seabed_bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # depth bands, ISA areas drawn here
    island_value: Any = None                    # geo.islands.IslandValue drawn on request


def _story(sites: Sequence[Any], home: Any) -> tuple[Any, ...]:
    """The sites within :data:`STORY_RADIUS_KM` of the home island (geodesic), the home island first."""
    from .geodesy import distance

    return tuple(s for s in sites if s.id == home.id
                 or distance((home.lat, home.lon), (s.lat, s.lon)).km <= STORY_RADIUS_KM)


def _seabed_bbox(bounds: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The box the depth bands and ISA areas are drawn in: the opening view, padded on every side
    (a wide screen shows about twice the view's width) and rounded to whole degrees."""
    import math

    w, s, e, n = bounds
    dx, dy = (e - w) * 0.75 + 2.0, (n - s) * 0.5 + 2.0
    return (float(math.floor(w - dx)), float(max(-85.0, math.floor(s - dy))), float(math.ceil(e + dx)),
            float(min(85.0, math.ceil(n + dy))))


def _context(layers: Sequence[str] | None, user_sites: Sequence[Any], island: str | None = None) -> _Context:
    import shapely

    from .geodesy import EEZ_LIMIT_M, circle
    from .layers import land_for, load_zones, manifest, resolve_layers
    from .sites import home_site, load_sites
    from .zones import classify

    from .nesting import nested_layers

    # EEZ layers in precedence order (default: the regional one); nested layers (12 NM,
    # 24 NM, internal waters) named in *layers* are drawn as layers of their own
    layer_ids = resolve_layers(layers) if layers else resolve_layers(None)[:1]
    nested = nested_layers(layers) if layers else ()
    zone_layers, zone_display, land_infos, land_display = [], [], [], []
    done: list[tuple[float, float, float, float]] = []
    seen_land: set[str] = set()
    for layer_id in layer_ids:
        zones = load_zones(layer_id)
        clip = tuple(done)
        zone_layers.append(zones)
        zone_display.append(_display_zones(layer_id, clip))
        land_id = land_for(zones.layer)
        if land_id not in seen_land:
            seen_land.add(land_id)
            land_infos.append(manifest().get(land_id))
            land_display.append(_display_land(land_id, clip))
        done.append(zones.layer.coverage_bbox)
    sites = load_sites()
    home = home_site()
    everyone = (*sites, *user_sites)
    answers: list[tuple[str, dict[str, Any] | None]] = []
    if everyone:
        c = classify([s.lat for s in everyone], [s.lon for s in everyone], country=COUNTRY, layers=layer_ids)
        answers = [(str(c.answer[i]), c.zone_record(i)) for i in range(len(everyone))]
    ring = circle(home.lat, home.lon, EEZ_LIMIT_M)
    story = _story(sites, home)
    extent = [ring] + [s.geometry for s in story]
    extent += [s.uncertainty_area for s in story if s.uncertainty_area is not None]
    value = None
    if island:
        from .islands import island_value

        value = island_value(island)
        extent.append(value.geometry)
    w, s_, e, n = shapely.total_bounds(np.asarray(extent, dtype=object))
    bounds = (float(w), float(s_), float(e), float(n))
    return _Context(layer_ids, zone_layers, zone_display, land_infos, land_display, tuple(sites), home,
                    tuple(user_sites), answers, ring, bounds, tuple(info.id for info in nested), story,
                    _seabed_bbox(bounds), value)


def _zone_popup(zones: Any, i: int) -> str:
    from .layers import ZONE_KINDS
    from .zones import status_of_pol_type

    names, isos = zones.sovereigns[i], zones.sovereign_isos[i]
    sov = ", ".join(f"{n} ({c})" if c else n for n, c in zip(names, isos))
    pol = str(zones.pol_type[i])
    # a nested layer's type (12NM, 24NM, internal waters) is no EEZ status: show it as it is
    what = (status_of_pol_type(pol).replace("_", " ") if zones.layer.kind in ZONE_KINDS
            else zones.layer.kind.replace("eez_", "").replace("_", " "))
    rows = [
        ("MRGID", _e(int(zones.mrgid[i]))),
        ("Type", f"{_e(pol)} ({_e(what)})"),
        ("Sovereign(s)", _e(sov)),
        ("Territory", _e(zones.territory[i])),
        ("Area", f"{_e(f'{float(zones.area_km2[i]):,.0f}')} km² (Marine Regions area_km2)"),
    ]
    info = zones.layer
    return (f'<div class="eezmap-popup"><h4>{_e(zones.name[i])}</h4><table>{_rows(rows)}</table>'
            f'<p class="eezmap-src">Layer {_e(info.id)}, version {_e(info.version)}. Drawn simplified '
            "for the screen; every distance and answer uses the full geometry.</p></div>")


def _zone_groups(ctx: _Context) -> list[_JsLayer]:
    by_class: dict[str, list[dict[str, Any]]] = {k: [] for k in ZONE_CLASSES}
    attribution = []
    for zones, (rows, geoms) in zip(ctx.zone_layers, ctx.zone_display):
        attribution.append(_e(zones.layer.attribution))
        for i, g in zip(rows, geoms):
            i = int(i)
            cls = _zone_class(str(zones.pol_type[i]), zones.sovereign_isos[i])
            by_class[cls].append({
                "t": "poly", "g": _encode_polygonal(g, DISPLAY_DECIMALS), "k": 10 ** DISPLAY_DECIMALS,
                "s": cls, "p": _zone_popup(zones, i), "tt": _e(zones.name[i]), "to": {"sticky": True},
                "id": f"zone-{int(zones.mrgid[i])}",
            })
    groups = []
    for cls, label in ZONE_CLASSES.items():
        if not by_class[cls]:
            continue
        spec = {"id": f"zones-{cls}", "pane": "eezmapZones", "styles": {cls: STYLES[cls]},
                "attribution": " · ".join(attribution), "items": by_class[cls]}
        groups.append(_group(f"Zones: {label}", spec))
    return groups


NESTED_STYLE = {
    "eez_internal_waters": ("Internal waters", {"color": "#238b45", "weight": 1.5, "fillColor": "#74c476",
                                                "fillOpacity": 0.25}),
    "eez_12nm": ("Territorial sea (12 NM)", {"color": "#6a51a3", "weight": 1.5, "dashArray": "4 3",
                                             "fillColor": "#9e9ac8", "fillOpacity": 0.2}),
    "eez_24nm": ("Contiguous zone (24 NM)", {"color": "#2171b5", "weight": 1.2, "dashArray": "2 4",
                                             "fillColor": "#9ecae1", "fillOpacity": 0.12}),
}


def _nested_groups(ctx: _Context) -> list[_JsLayer]:
    """One layer per nested zone layer (internal waters, 12 NM, 24 NM), each toggleable."""
    from .layers import load_zones

    groups = []
    for layer_id in ctx.nested_ids:
        zones = load_zones(layer_id)
        label, style = NESTED_STYLE.get(zones.layer.kind, (zones.layer.kind, NESTED_STYLE["eez_12nm"][1]))
        rows, geoms = _display_zones(layer_id)
        items = [{
            "t": "poly", "g": _encode_polygonal(g, DISPLAY_DECIMALS), "k": 10 ** DISPLAY_DECIMALS,
            "s": "nested", "p": _zone_popup(zones, int(i)), "tt": _e(f"{label}: {zones.name[int(i)]}"),
            "to": {"sticky": True}, "id": f"{layer_id}-{int(zones.mrgid[int(i)])}",
        } for i, g in zip(rows, geoms)]
        spec = {"id": f"nested-{layer_id}", "pane": "eezmapZones", "styles": {"nested": style},
                "attribution": _e(zones.layer.attribution), "items": items}
        groups.append(_group(f"{label} ({layer_id})", spec))
    return groups


def _land_group(ctx: _Context) -> _JsLayer:
    items = []
    for land in ctx.land_display:
        for g in land:
            enc = _encode_polygonal(g, DISPLAY_DECIMALS)
            if enc:
                items.append({"t": "poly", "g": enc, "k": 10 ** DISPLAY_DECIMALS, "s": "land"})
    spec = {"id": "land", "pane": "eezmapLand", "styles": {"land": STYLES["land"]},
            "attribution": " · ".join(_e(i.attribution) for i in ctx.land_infos), "items": items}
    return _group("Land: " + ", ".join(i.id for i in ctx.land_infos), spec)


def _limit_group(ctx: _Context) -> _JsLayer:
    from .geodesy import EEZ_LIMIT_M

    coords = np.asarray(ctx.circle.exterior.coords)[:-1]
    tip = (f"200 NM ({EEZ_LIMIT_M / 1000:.1f} km) from {_e(ctx.home.name)}: a geodesic circle on the "
           "WGS84 ellipsoid (computed by eezmap with pyproj)")
    item = {"t": "poly", "g": [[_encode(coords, FINE_DECIMALS)]], "k": 10 ** FINE_DECIMALS, "s": "limit",
            "tt": tip, "to": {"sticky": True}, "id": "limit-200nm"}
    return _group("200 NM limit around " + ctx.home.name.split(" (")[0], {
        "id": "limit", "pane": "eezmapLimit", "styles": {"limit": STYLES["limit"]}, "items": [item]})


# --- the seabed: depth bands, ISA areas, the island's computed lines, its value ---------------

def _depth_label(from_m: float, to_m: float | None) -> str:
    """'5,000–6,000 m': a band, never a depth."""
    return f"{from_m:,.0f}–{to_m:,.0f} m" if to_m is not None else f"deeper than {from_m:,.0f} m"


def _display_bathymetry(bbox: tuple[float, float, float, float]) -> list[tuple[int, int | None, list[Any]]]:
    """[(band from, band to, display polygons)] of the depth bands in *bbox*, shallowest first."""
    from .layers import manifest
    from .seabed import BATHYMETRY_LAYER

    return _display_bathymetry_of(manifest().get(BATHYMETRY_LAYER).sha256, bbox)


@lru_cache(maxsize=4)
def _display_bathymetry_of(sha256: str, bbox: tuple[float, float, float, float]
                           ) -> list[tuple[int, int | None, list[Any]]]:
    """_display_bathymetry, once per file version: clipped, simplified and rounded for drawing only
    (:func:`geo.seabed.depth_band` answers from the full geometry)."""
    import shapely

    from ._polylayers import load_polygons
    from .seabed import BATHYMETRY_LAYER

    data = load_polygons(BATHYMETRY_LAYER, "bathymetry")
    depth = np.asarray(data.columns["depth"], dtype=float)
    bands = sorted({int(d) for d in depth})
    geoms = shapely.clip_by_rect(data.geometry, *bbox)
    geoms = shapely.simplify(geoms, BATHYMETRY_TOLERANCE_DEG, preserve_topology=True)
    geoms = shapely.transform(geoms, lambda c: np.round(c, DISPLAY_DECIMALS))
    keep = ~shapely.is_empty(geoms) & (shapely.area(geoms) > 0)
    out = []
    for k, band in enumerate(bands):
        parts = list(geoms[keep & (depth == band)])
        if parts:
            out.append((band, bands[k + 1] if k + 1 < len(bands) else None, parts))
    return out


def _bathymetry_group(ctx: _Context) -> tuple[_JsLayer, list[tuple[int, int | None]]]:
    """The depth-band shading (deeper bands drawn over shallower ones) and the bands drawn."""
    from .layers import manifest
    from .seabed import BATHYMETRY_LAYER

    info = manifest().get(BATHYMETRY_LAYER)
    items, drawn, styles = [], [], {}
    for band, to, parts in _display_bathymetry(ctx.seabed_bbox):
        enc = [p for g in parts for p in _encode_polygonal(g, DISPLAY_DECIMALS)]
        if not enc:
            continue
        key = f"d{band}"
        styles[key] = {"stroke": False, "fillColor": DEPTH_COLOURS.get(band, "#7ba4c7"), "fillOpacity": 1}
        tip = (f"Depth band {_depth_label(band, to)} (Natural Earth 1:10m depth bands: a band of a "
               "1:10m generalisation, not a measured depth)")
        items.append({"t": "poly", "g": enc, "k": 10 ** DISPLAY_DECIMALS, "s": key, "tt": _e(tip),
                      "to": {"sticky": True}, "id": f"depth-{band}"})
        drawn.append((band, to))
    spec = {"id": "bathymetry", "pane": "eezmapBathymetry", "styles": styles,
            "attribution": _e(info.attribution), "items": items}
    return _group("Depth bands (Natural Earth 1:10m)", spec), drawn


def _display_isa(bbox: tuple[float, float, float, float]) -> list[tuple[Any, Any, int, float]]:
    """[(Contract, display geometry, blocks, km²)]: the ISA areas in *bbox*, one per contract
    (its blocks merged for drawing; the area is geodesic, of the full geometry)."""
    from .layers import manifest
    from .seabed import ISA_LAYER

    return _display_isa_of(manifest().get(ISA_LAYER).sha256, bbox)


@lru_cache(maxsize=4)
def _display_isa_of(sha256: str, bbox: tuple[float, float, float, float]) -> list[tuple[Any, Any, int, float]]:
    import shapely

    from .geodesy import geodesic_area_m2
    from .seabed import contract_areas

    by_contract: dict[tuple[Any, ...], tuple[Any, list[Any]]] = {}
    for geom, c in contract_areas(bbox):
        key = (c.contractor, c.resource, c.status, c.since)
        by_contract.setdefault(key, (c, []))[1].append(geom)
    out = []
    for c, geoms in by_contract.values():
        merged = shapely.union_all(np.asarray(geoms, dtype=object))
        display = shapely.transform(merged, lambda xy: np.round(xy, DISPLAY_DECIMALS))
        out.append((c, display, len(geoms), geodesic_area_m2(merged) / 1e6))
    return out


def _isa_popup(c: Any, blocks: int, km2: float) -> str:
    status = ("exploration contract" if c.status == "exploration"
              else "reserved area (for the Enterprise or developing States)")
    since = c.since.isoformat() if c.since else "not given in the ISA layers"
    rows = [("Contractor", _e(c.contractor)), ("Resource", _e(c.resource)), ("Status", _e(status)),
            ("Since", _e(since)), ("As of", _e(f"{c.as_of} (ISA GIS layers)")),
            ("Blocks drawn", _e(f"{blocks:,} near the map's view, {km2:,.0f} km² (geodesic)"))]
    layer = c.layer
    return (f'<div class="eezmap-popup"><h4>ISA {_e(status)}: {_e(c.contractor)}</h4><table>{_rows(rows)}</table>'
            f'<p class="eezmap-src">{_e(ISA_CITATION)}. Layer {_e(layer.get("id", ""))}, version '
            f'{_e(layer.get("version", ""))}. ISA\'s terms are not an open-data licence: cite ISA and the '
            "date.</p></div>")


def _isa_group(ctx: _Context) -> _JsLayer | None:
    from .layers import manifest
    from .seabed import ISA_LAYER

    areas = _display_isa(ctx.seabed_bbox)
    if not areas:
        return None
    items = []
    for k, (c, geom, blocks, km2) in enumerate(areas):
        style = "isa" if c.status == "exploration" else "isa-reserved"
        who = "Reserved area" if c.status == "reserved" else c.contractor
        tip = f"ISA {c.status}: {c.contractor}, {c.resource} (July 2019)"
        items.append({"t": "poly", "g": _encode_polygonal(geom, DISPLAY_DECIMALS), "k": 10 ** DISPLAY_DECIMALS,
                      "s": style, "p": _isa_popup(c, blocks, km2), "tt": _e(tip), "to": {"sticky": True},
                      "id": f"isa-{k}"})
        pt = geom.centroid  # the middle of a contract's scattered blocks (a label, not a position)
        items.append({"t": "label", "ll": [round(pt.y, 3), round(pt.x, 3)], "h": f"<span>{_e(who)}</span>",
                      "c": "eezmap-label-isa", "id": f"isa-label-{k}"})
    spec = {"id": "isa", "pane": "eezmapSeabed", "styles": {k: STYLES[k] for k in ("isa", "isa-reserved")},
            "attribution": _e(manifest().get(ISA_LAYER).attribution), "items": items}
    return _group("Seabed: ISA exploration contract and reserved areas (July 2019)", spec)


def _island_lines(ctx: _Context) -> list[tuple[str, str, Any, str, Any]]:
    """[(zone, short name, display geometry, label, layer info)]: the home island's computed 12/24 NM zones."""
    import shapely

    from .errors import SiteError
    from .islands import island_zones

    try:
        layer = island_zones(ctx.home.id)
    except SiteError:
        return []
    out = []
    for k, zone in enumerate(layer.columns["zone"]):
        if zone not in ISLAND_LINES:
            continue
        geom = shapely.simplify(layer.geometry[k], 0.0005)
        geom = shapely.transform(geom, lambda c: np.round(c, 4))
        out.append((str(zone), ISLAND_LINES[zone][0], geom, str(layer.columns["label"][k]), layer.layer))
    return out


def _island_lines_group(ctx: _Context) -> _JsLayer | None:
    lines = _island_lines(ctx)
    if not lines:
        return None
    home = ctx.home.name.split(" (")[0]
    items = [{"t": "poly", "g": _encode_polygonal(g, 4), "k": 10 ** 4, "s": zone,
              "tt": _e(f"{short} from {home}'s coastline: {label}"), "to": {"sticky": True},
              "id": f"island-{zone}"} for zone, short, g, label, _ in lines]
    spec = {"id": "island-zones", "pane": "eezmapLimit", "styles": {z: ISLAND_LINES[z][1] for z in ISLAND_LINES},
            "attribution": _e(lines[0][4].attribution), "items": items}
    return _group(f"12 and 24 NM around {home} (computed from the coastline)", spec)


def _island_value_popup(v: Any) -> str:
    rows = [("Area", _e(f"{v.area_km2:,.0f} km² (geodesic)")),
            ("Share", _e(f"{v.share * 100:.1f} % of {v.sovereign}'s EEZ ({v.sovereign_eez_km2:,.0f} km², "
                         "Marine Regions)")),
            ("Within 200 NM", _e(f"{v.within_200nm_km2:,.0f} km² of {v.sovereign}'s EEZ lie within 200 NM of "
                                 "the island")),
            ("Nearest other land", _e(f"{v.nearest_other_land_km:,.0f} km"))]
    layers = ", ".join(f"{r.get('id', '')} ({r.get('version', '')})" for r in v.layers)
    return (f'<div class="eezmap-popup"><h4>{_e(f"What {v.name} is worth")}</h4><table>{_rows(rows)}</table>'
            f"<p><strong>Method.</strong> {_e(v.method)}</p>"
            + (f"<p><strong>Note.</strong> {_e(v.note)}</p>" if v.note else "")
            + f'<p class="eezmap-src">Layers: {_e(layers)}</p></div>')


def _island_value_group(ctx: _Context) -> _JsLayer | None:
    import shapely

    v = ctx.island_value
    if v is None:
        return None
    geom = shapely.transform(shapely.simplify(v.geometry, 0.005), lambda c: np.round(c, DISPLAY_DECIMALS))
    tip = f"What {v.name} is worth: {v.area_km2:,.0f} km² of {v.sovereign}'s EEZ (computed)"
    item = {"t": "poly", "g": _encode_polygonal(geom, DISPLAY_DECIMALS), "k": 10 ** DISPLAY_DECIMALS,
            "s": "island-value", "p": _island_value_popup(v), "tt": _e(tip), "to": {"sticky": True},
            "id": f"island-value-{v.island}"}
    return _group(f"What {v.name} is worth ({v.area_km2:,.0f} km²)", {
        "id": "island-value", "pane": "eezmapLimit", "styles": {"island-value": STYLES["island-value"]},
        "attribution": "Island value: computed by eezmap", "items": [item]})


def _inset(ctx: _Context) -> dict[str, Any]:
    """The overview inset: an SVG of Japan's main islands (the bundled land layer, simplified),
    the island sites and a rectangle the map keeps on its view; {"html", "proj"}."""
    import math

    import shapely

    w, s, e, n = INSET_BBOX
    cos0 = math.cos(math.radians((s + n) / 2))
    scale = INSET_WIDTH / ((e - w) * cos0)
    sx, sy = scale * cos0, scale
    width, height = INSET_WIDTH, round((n - s) * scale)

    def xy(lon: Any, lat: Any) -> tuple[Any, Any]:
        return (np.asarray(lon) - w) * sx, (n - np.asarray(lat)) * sy

    paths = []
    for land in ctx.land_display:
        geoms = shapely.clip_by_rect(np.asarray(land, dtype=object), *INSET_BBOX)
        geoms = shapely.simplify(geoms, 0.06)
        for poly in shapely.get_parts(geoms[~shapely.is_empty(geoms)]):
            if poly.geom_type != "Polygon" or poly.area < 0.02:
                continue
            c = np.asarray(poly.exterior.coords)
            px, py = xy(c[:, 0], c[:, 1])
            paths.append("M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py)) + "Z")
    marks = []
    for site in ctx.sites:
        if site.kind != "island" or not (w < site.lon < e and s < site.lat < n):
            continue
        x, y = xy(site.lon, site.lat)
        home = site.id == ctx.home.id
        name = site.name.split(" (")[0]
        # the home island's name above it, the others' below (they lie farther south)
        ty = y - 6 if home else y + 13
        anchor = "end" if x > width * 0.6 else ("start" if x < width * 0.3 else "middle")
        marks.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{4 if home else 3}" class="eezmap-inset-'
                     f'{"home" if home else "site"}"/><text x="{x:.1f}" y="{ty:.1f}" '
                     f'text-anchor="{anchor}">{_e(name)}</text>')
    jx, jy = xy(131.5, 40.0)
    svg = (f'<svg class="eezmap-inset-svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="Overview: where the map lies relative to Japan\'s main islands">'
           f'<rect width="{width}" height="{height}" class="eezmap-inset-sea"/>'
           f'<path class="eezmap-inset-land" d="{"".join(paths)}"/>'
           f'<text x="{jx:.1f}" y="{jy:.1f}" class="eezmap-inset-country">JAPAN</text>'
           f'{"".join(marks)}<rect class="eezmap-inset-view" x="0" y="0" width="0" height="0"/></svg>')
    html_ = f'{svg}<div class="eezmap-src">Overview; the rectangle is the view</div>'
    return {"html": html_, "proj": {"w": w, "n": n, "sx": round(sx, 6), "sy": round(sy, 6),
                                    "width": width, "height": height}}


def _depth_text(lat: float, lon: float) -> str:
    """The site popup's depth band line (full geometry)."""
    from .seabed import depth_band

    band = depth_band(lat, lon)
    if band is None:
        return "none: on land or outside the depth layer's coverage (90–180°E, 0–60°N)"
    return f"{band.label()}, Natural Earth"


def _site_popup(site: Any, ctx: _Context, answer: tuple[str, dict[str, Any] | None]) -> str:
    from .geodesy import EEZ_LIMIT_M, NM, distance

    cert = site.certainty or "published"
    badge = f'<span class="eezmap-cert eezmap-cert-{_e(cert.replace(" ", "-"))}">{_e(cert)}</span>'
    if site.uncertainty_km is not None:
        badge += f" ±{_e(f'{site.uncertainty_km:g}')} km"
    where = _e(_fmt_latlon(site.lat, site.lon))
    if site.is_area:
        where += " (centre of the area)"
    elif site.approximate:
        where += " (approximate marker; see the uncertainty area)"
    rows = [("Kind", _e(site.kind.replace("_", " "))), ("Position", where), ("Certainty", badge),
            ("Water depth", _e(site.depth_text())),
            ("Depth band", _e(_depth_text(site.lat, site.lon))
             + (" (at the centre)" if site.is_area else ""))]
    home_name = ctx.home.name.split(" (")[0]
    if site is not ctx.home and site.id != ctx.home.id:
        d = distance((ctx.home.lat, ctx.home.lon), (site.lat, site.lon))
        rows.append((f"From {_e(home_name)}",
                     f"{d.km:,.1f} km = {d.nm:,.1f} NM (geodesic, WGS84), bearing {d.initial_bearing_deg:.0f}°"))
        margin = (EEZ_LIMIT_M - d.metres) / NM
        rows.append(("200 NM limit", f"{abs(margin):,.1f} NM {'inside' if margin >= 0 else 'outside'} the "
                                     f"200 NM limit around {_e(home_name)}"))
    ans, zone = answer
    ztext = _e(ANSWER_TEXT.get(ans, ans))
    if zone:
        ztext += f"<br>{_e(zone['name'])} (MRGID {_e(zone['mrgid'])})"
    rows.append(("Japan's EEZ?", ztext))
    boundary = _boundary_text(site)
    if boundary:
        rows.append(("Nearest zone boundary", boundary))
    out = [f'<div class="eezmap-popup"><h4>{_e(site.name)}</h4><table>{_rows(rows)}</table>']
    if site.facts:
        facts = "".join(
            f"<tr><th>{_e(f.get('fact', ''))}</th><td>{_e(f.get('value', ''))}"
            f'<div class="eezmap-src">{_e(f.get("source", ""))} · {_e(f.get("certainty", ""))}</div></td></tr>'
            for f in site.facts)
        out.append(f"<h5>Facts</h5><table>{facts}</table>")
    if site.user and site.properties:
        props = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in site.properties.items())
        out.append(f"<h5>Properties from your file</h5><table>{props}</table>")
    if site.note:
        out.append(f"<p><strong>Note.</strong> {_e(site.note)}</p>")
    if site.derivation:
        out.append(f"<p><strong>Derivation.</strong> {_e(site.derivation)}</p>")
    if site.source:
        out.append(f'<p class="eezmap-src">Source: {_link(site.source_url or "", site.source)}</p>')
    if site.layer is not None:
        out.append(f'<p class="eezmap-src">Layer {_e(site.layer.id)}, version {_e(site.layer.version)}</p>')
    out.append("</div>")
    return "".join(out)


def _boundary_text(site: Any) -> str:
    """'N km (N NM), across: …' for the site's representative point (full geometry)."""
    from .zones import where

    try:
        a = where(site.lat, site.lon)
    except Exception:  # a user's site outside every layer: no boundary to report
        return ""
    if a.distance_to_boundary_km is None or not a.nearest_boundary:
        return ""
    across = a.nearest_boundary.get("across")
    if isinstance(across, dict):
        across_text = f"{across['name']} (MRGID {across['mrgid']})"
    else:
        across_text = str(across or "—").replace("_", " ")
    km = a.distance_to_boundary_km
    return (f"{km:,.1f} km = {km / 1.852:,.1f} NM (geodesic, WGS84); across it: {_e(across_text)}"
            + (" — the marker is approximate" if site.approximate else ""))


def _approx_label(site: Any, html_break: bool = False) -> str:
    """'NAME: approximate (±71 km)'; with *html_break*, escaped HTML on two lines."""
    name = site.name
    if name.endswith(" (approximate)"):
        name = name[: -len(" (approximate)")]
    tail = f"approximate (±{site.uncertainty_km:g} km)"
    return f"{_e(name)}<br>{_e(tail)}" if html_break else f"{name}: {tail}"


def _site_groups(ctx: _Context) -> tuple[_JsLayer, _JsLayer]:
    from .geodesy import distance, forward, geodesic_line

    items: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    answers = dict(zip([s.id for s in ctx.sites], ctx.site_answers[: len(ctx.sites)]))
    for site in ctx.sites:
        popup = _site_popup(site, ctx, answers[site.id])
        label = {"permanent": True, "direction": "right", "className": "eezmap-site-label"}
        if site.uncertainty_area is not None:
            items.append({"t": "poly", "g": _encode_polygonal(site.uncertainty_area, FINE_DECIMALS),
                          "k": 10 ** FINE_DECIMALS, "s": "uncertainty", "p": popup,
                          "tt": _e(f"Uncertainty area: {_approx_label(site)}"), "to": {"sticky": True},
                          "id": f"uncertainty-{site.id}"})
        if site.is_area:
            items.append({"t": "poly", "g": _encode_polygonal(site.geometry, FINE_DECIMALS),
                          "k": 10 ** FINE_DECIMALS, "s": "area", "p": popup, "tt": _e(site.name),
                          "to": {"sticky": True}, "id": f"site-{site.id}"})
            w, s_, e, _ = site.geometry.bounds
            items.append({"t": "label", "ll": [s_, site.lon], "h": f"<span>{_e(site.name)}</span>",
                          "c": "eezmap-label-below", "id": f"label-{site.id}"})
        elif site.id == ctx.home.id:
            items.append({"t": "marker", "ll": [site.lat, site.lon], "p": popup, "tt": _e(site.name),
                          "to": label, "o": {"alt": site.name, "riseOnHover": True}, "id": f"site-{site.id}"})
        elif site.approximate:
            items.append({"t": "circle", "ll": [site.lat, site.lon], "s": "approx", "p": popup,
                          "tt": _approx_label(site, html_break=True),
                          "to": {"permanent": True, "direction": "right", "offset": [10, 0],
                                 "className": "eezmap-approx-label"},
                          "id": f"site-{site.id}"})
        else:
            items.append({"t": "circle", "ll": [site.lat, site.lon], "s": "point-site", "p": popup,
                          "tt": _e(site.name), "to": label, "id": f"site-{site.id}"})
        if site.id == ctx.home.id or site not in ctx.story:
            continue  # geodesic lines to the sites of the opening view only
        a, b = (ctx.home.lat, ctx.home.lon), (site.lat, site.lon)
        d = distance(a, b)
        text = f"{d.km:,.1f} km · {d.nm:,.1f} NM"
        target = "the centre of " if site.is_area else ("the approximate position of " if site.approximate else "")
        tip = (f"Geodesic (WGS84) from {ctx.home.name} to {target}{site.name}: {d.km:,.1f} km = "
               f"{d.nm:,.1f} NM, initial bearing {d.initial_bearing_deg:.0f}°")
        lines.append({"t": "line", "g": _line(geodesic_line(a, b)), "k": 10 ** FINE_DECIMALS, "s": "geodesic",
                      "tt": _e(tip), "to": {"sticky": True}, "id": f"geodesic-{site.id}"})
        my, mx = forward(np.array([a[0]]), np.array([a[1]]), np.array([d.initial_bearing_deg]),
                         np.array([d.metres / 2]))
        lines.append({"t": "label", "ll": [round(float(my[0]), 6), round(float(mx[0]), 6)],
                      "h": f'<span title="{_e(tip)}">{_e(text)}</span>', "c": "eezmap-label-dist",
                      "id": f"geodesic-label-{site.id}"})
    sites_info = ctx.home.layer
    attribution = _e(sites_info.attribution) if sites_info is not None else ""
    styles = {k: STYLES[k] for k in ("area", "uncertainty", "approx", "point-site")}
    g1 = _group("Sites: islands, rare-earth mud area, Chikyu site (approximate), JOGMEC contract area", {
        "id": "sites", "pane": "eezmapSites", "styles": styles, "attribution": attribution, "items": items})
    g2 = _group("Geodesic distances from the island", {
        "id": "geodesics", "pane": "eezmapLines", "styles": {"geodesic": STYLES["geodesic"]},
        "attribution": attribution, "items": lines})
    return g1, g2


def _user_group(ctx: _Context, centre_lon: float) -> _JsLayer | None:
    if not ctx.user_sites:
        return None
    items = []
    answers = ctx.site_answers[len(ctx.sites):]
    for site, answer in zip(ctx.user_sites, answers):
        popup = _site_popup(site, ctx, answer)
        lon = float(_near(np.array([site.lon]), centre_lon)[0])
        if site.is_area:
            import shapely

            shift = lon - site.lon
            geom = shapely.transform(site.geometry, lambda c: c + np.array([shift, 0.0]))
            items.append({"t": "poly", "g": _encode_polygonal(geom, FINE_DECIMALS), "k": 10 ** FINE_DECIMALS,
                          "s": "user-area", "p": popup, "tt": _e(site.name), "to": {"sticky": True}})
        items.append({"t": "circle", "ll": [site.lat, lon], "s": "user", "p": popup, "tt": _e(site.name),
                      "id": _e(site.id)})
    sources = sorted({s.source for s in ctx.user_sites if s.source})
    attribution = "Your sites: " + _e("; ".join(sources) if sources else "user-supplied")
    return _group(f"Your sites ({len(ctx.user_sites)})", {
        "id": "user-sites", "pane": "eezmapUser", "styles": {k: STYLES[k] for k in ("user", "user-area")},
        "attribution": attribution, "items": items})


@dataclass
class _PointSummary:
    total: int
    drawn: int
    invalid: int
    counts: dict[str, int]


def _points_layer(points: Any, ctx: _Context, centre_lon: float) -> tuple[_JsLayer, _PointSummary]:
    from .zones import classify

    lat = np.asarray(points[0], dtype=float).ravel()
    lon = np.asarray(points[1], dtype=float).ravel()
    if lat.shape != lon.shape:
        raise ValueError("points: lat and lon must have the same length")
    total = len(lat)
    c = classify(lat, lon, country=COUNTRY, layers=ctx.layer_ids)
    answer = np.asarray(c.answer, dtype=object)
    ok = answer != ""
    idx = np.flatnonzero(ok)
    if len(idx) > MAX_POINTS:
        idx = idx[np.linspace(0, len(idx) - 1, MAX_POINTS).round().astype(np.int64)]
    names = list(POINT_CLASSES)
    code = {a: i for i, a in enumerate(names)}
    cls = np.array([code.get(a, code["unknown"]) for a in answer[idx]], dtype=np.uint8)
    la = np.round(lat[idx] * 1e5).astype("<i4")
    lo = np.round(_near(lon[idx], centre_lon) * 1e5).astype("<i4")
    counts = {a: int((cls == code[a]).sum()) for a in names}
    summary = _PointSummary(total, len(idx), int((~ok).sum()), counts)
    note = (f"Coloured by the zone answer for Japan from {', '.join(ctx.layer_ids)} "
            "(full geometry, geo.zones.classify).")
    spec = {
        "k": 100000, "pane": "eezmapPoints",
        "lat": base64.b64encode(la.tobytes()).decode("ascii"),
        "lon": base64.b64encode(lo.tobytes()).decode("ascii"),
        "cls": base64.b64encode(cls.tobytes()).decode("ascii"),
        "colors": [POINT_CLASSES[a][0] for a in names],
        "labels": [_e(POINT_CLASSES[a][1]) for a in names],
        "drawOrder": list(range(len(names))),
        "title": "Your point", "note": _e(note),
        "attribution": "Your points: user data; answers by eezmap",
    }
    layer = _JsLayer(f"Your points ({summary.drawn:,})", "eezmap.points", _js(spec), kind="EezmapPoints")
    return layer, summary


# --- panels ---------------------------------------------------------------------------------

def _sw_poly(style: dict[str, Any], pattern: str | None = None) -> str:
    fill = f"url(#{pattern})" if pattern else style.get("fillColor", "none")
    fop = 1 if pattern else style.get("fillOpacity", 0.3)
    if style.get("fill") is False:
        fill, fop = "none", 0
    dash = f' stroke-dasharray="{style["dashArray"]}"' if style.get("dashArray") else ""
    return (f'<svg width="30" height="16" aria-hidden="true"><rect x="1.5" y="1.5" width="27" height="13" '
            f'fill="{fill}" fill-opacity="{fop}" stroke="{style["color"]}" stroke-width="{min(style["weight"], 2.5)}"'
            f"{dash}/></svg>")


def _sw_line(style: dict[str, Any]) -> str:
    dash = f' stroke-dasharray="{style["dashArray"]}"' if style.get("dashArray") else ""
    return (f'<svg width="30" height="16" aria-hidden="true"><line x1="1" y1="8" x2="29" y2="8" '
            f'stroke="{style["color"]}" stroke-width="{style["weight"]}"{dash}/></svg>')


def _sw_circle(style: dict[str, Any], r: float = 5) -> str:
    dash = f' stroke-dasharray="{style["dashArray"]}"' if style.get("dashArray") else ""
    return (f'<svg width="30" height="16" aria-hidden="true"><circle cx="15" cy="8" r="{r}" '
            f'fill="{style["fillColor"]}" stroke="{style["color"]}" stroke-width="2"{dash}/></svg>')


def _sw_marker() -> str:
    uri = _assets.leaflet().images["marker-icon.png"]
    return (f'<svg width="30" height="20" aria-hidden="true"><image href="{uri}" x="9" y="0" width="12" '
            'height="20"/></svg>')


def _legend_html(ctx: _Context, groups: Sequence[_JsLayer], summary: _PointSummary | None,
                 bands: Sequence[tuple[int, int | None]] = ()) -> str:
    from .geodesy import EEZ_LIMIT_M

    present = {g.spec_id[len("zones-"):] for g in groups if g.spec_id.startswith("zones-")}
    patterns = {"jpn-shared": "eezmap-hatch-jpn", "other-shared": "eezmap-hatch-grey"}
    rows = [(_sw_poly(STYLES[k], patterns.get(k)), _e(v)) for k, v in ZONE_CLASSES.items() if k in present]
    if ctx.nested_ids:
        from .layers import manifest

        for layer_id in ctx.nested_ids:
            label, style = NESTED_STYLE.get(manifest().get(layer_id).kind, (layer_id, NESTED_STYLE["eez_12nm"][1]))
            rows.append((_sw_poly(style), f"{_e(label)} ({_e(layer_id)})"))
    rows += [
        (f'<svg width="30" height="16" aria-hidden="true"><rect x="1.5" y="1.5" width="27" height="13" '
         f'fill="{DEPTH_COLOURS[5000] if bands else SEA}" stroke="#9fb6c6"/></svg>',
         "High seas (no zone)" + (": the depth shading only" if bands else "")),
        (_sw_poly(STYLES["land"]), "Land (Natural Earth)"),
        (_sw_line(STYLES["limit"]), f"200 NM ({EEZ_LIMIT_M / 1000:,.1f} km) from "
         f"{_e(ctx.home.name.split(' (')[0])}, geodesic circle"),
        (_sw_marker(), _e(ctx.home.name)),
    ]
    island_lines = _island_lines(ctx)
    for zone, short, _, label, _ in island_lines:
        rows.append((_sw_line(ISLAND_LINES[zone][1]), f"{_e(short)} from {_e(ctx.home.name.split(' (')[0])}"))
    if island_lines:
        rows.append(("", f'<span class="eezmap-src">The 12 and 24 NM lines are {_e(island_lines[0][3])}</span>'))
    if any(g.spec_id == "isa" for g in groups):
        rows.append((_sw_poly(STYLES["isa"]), "ISA exploration contract area (contractor in its popup)"))
        rows.append((_sw_poly(STYLES["isa-reserved"]), "ISA reserved area"))
        rows.append(("", f'<span class="eezmap-src">{_e(ISA_CITATION)}</span>'))
    if ctx.island_value is not None:
        v = ctx.island_value
        rows.append((_sw_poly(STYLES["island-value"]), _e(f"What {v.name} is worth: {v.area_km2:,.0f} km² of "
                                                           f"{v.sovereign}'s EEZ ({v.share * 100:.1f} %), "
                                                           "computed")))
    for site in ctx.sites:
        if site.id == ctx.home.id:
            continue
        if site.is_area:
            rows.append((_sw_poly(STYLES["area"]), _e(site.name.split(" (")[0])))
        elif site.approximate:
            rows.append((_sw_circle(STYLES["approx"]), _e(_approx_label(site))))
            rows.append((_sw_poly(STYLES["uncertainty"], "eezmap-hatch-unc"), "its uncertainty area"))
        else:
            rows.append((_sw_circle(STYLES["point-site"]), _e(site.name)))
    rows.append((_sw_line(STYLES["geodesic"]), "Geodesic (great-circle) line, km · NM"))
    if ctx.user_sites:
        rows.append((_sw_circle(STYLES["user"]), f"Your sites ({len(ctx.user_sites)})"))
    if summary is not None:
        for a, (color, text) in reversed(POINT_CLASSES.items()):
            if summary.counts.get(a):
                rows.append((f'<svg width="30" height="16" aria-hidden="true"><circle cx="15" cy="8" r="4" '
                             f'fill="{color}"/></svg>', f"Your points: {_e(text)} ({summary.counts[a]:,})"))
    items = "".join(f"<li>{sw}<span>{text}</span></li>" if sw else f'<li class="eezmap-note">{text}</li>'
                    for sw, text in rows)
    depth = ""
    if bands:
        cells = "".join(f'<span><i style="background:{DEPTH_COLOURS.get(b, "#7ba4c7")}"></i>'
                        f"{_e(_depth_label(b, t))}</span>" for b, t in bands)
        depth = (f'<h3>Depth: 1:10m depth bands, Natural Earth</h3><div class="eezmap-depth">{cells}</div>'
                 '<div class="eezmap-src">Bands of a 1:10m generalisation, not measured depths.</div>')
    return ('<div class="eezmap-head"><h2>Legend</h2><button class="eezmap-toggle" type="button" '
            'aria-expanded="true" title="Fold or unfold">\u2212</button></div>'
            f'<div class="eezmap-body"><ul>{items}</ul>{depth}</div>')


def _key_figures(ctx: _Context) -> list[tuple[str, list[str]]]:
    """The title panel's key figures, as plain text: (heading, lines), computed once
    for the HTML map and the static figure alike (full geometry, geodesic)."""
    from .geodesy import NM, distance, geodesic_area_m2, nearest_boundary_point

    rows: list[tuple[str, list[str]]] = []
    for zones in ctx.zone_layers:
        try:
            i = zones.index_of(8487)
        except KeyError:
            continue
        area = geodesic_area_m2(zones.geometry[i]) / 1e6
        rows.append((f"Japan's EEZ (MRGID {int(zones.mrgid[i])})",
                     [f"{float(zones.area_km2[i]):,.0f} km² (Marine Regions area_km2)",
                      f"{area:,.0f} km² (geodesic area of this layer's polygon, WGS84)"]))
        break
    home = ctx.home
    short = home.name.split(" (")[0]
    for site in ctx.sites:
        if site.id == home.id:
            continue
        d = distance((home.lat, home.lon), (site.lat, site.lon))
        text = f"{d.km:,.1f} km = {d.nm:,.1f} NM"
        if site.is_area:
            edge = nearest_boundary_point(home.lat, home.lon, site.geometry)
            text += f" to its centre; {edge.km:,.1f} km = {edge.metres / NM:,.1f} NM to its nearest edge"
        if site.approximate:
            text += f" (approximate, ±{site.uncertainty_km:g} km)"
        rows.append((f"{short} → {site.name.split(' (')[0]}", [text]))
    depths = [f"{s.name.split(' (')[0]}: {s.depth_text()}" for s in ctx.sites if s.depth_text()]
    if depths:
        rows.append(("Water depth", depths))
    return rows


def _layer_refs(ctx: _Context) -> list[tuple[str, str, str]]:
    """(id, version, role) of every layer the map or figure draws."""
    refs = [(z.layer.id, z.layer.version, "zones") for z in ctx.zone_layers]
    refs += [(i.id, i.version, "land") for i in ctx.land_infos]
    if ctx.home.layer is not None:
        refs.append((ctx.home.layer.id, ctx.home.layer.version, "sites"))
    from .layers import manifest
    from .seabed import BATHYMETRY_LAYER, ISA_LAYER

    for layer_id, role in ((BATHYMETRY_LAYER, "depth bands"), (ISA_LAYER, "ISA areas")):
        info = manifest().get(layer_id)
        refs.append((info.id, info.version, role))
    lines = _island_lines(ctx)
    if lines:
        refs.append((lines[0][4].id, lines[0][4].version, "computed island zones"))
    return refs


def _title_html(ctx: _Context, title: str, summary: _PointSummary | None) -> str:
    rows: list[tuple[str, str]] = [
        (_e(head), "<br>".join(_e(line).replace(" m", "&nbsp;m") if head == "Water depth" else _e(line)
                               for line in lines))
        for head, lines in _key_figures(ctx)]
    if summary is not None:
        text = f"{summary.drawn:,} drawn"
        if summary.drawn < summary.total - summary.invalid:
            text += (f" of {summary.total - summary.invalid:,} (thinned evenly to the cap of "
                     f"{MAX_POINTS:,} points)")
        if summary.invalid:
            text += f"; {summary.invalid:,} with invalid coordinates left out"
        rows.append(("Your points", _e(text)))
    layers = "".join(f"<li>{_e(k)}: <strong>{_e(i)}</strong>, version {_e(v)}</li>" for i, v, k in _layer_refs(ctx))
    facts = "".join(f"<dt>{h}</dt><dd>{v}</dd>" for h, v in rows)
    return (f'<div class="eezmap-head"><h1>{_e(title)}</h1><button class="eezmap-toggle" type="button" '
            'aria-expanded="true" title="Fold or unfold">\u2212</button></div>'
            f'<div class="eezmap-body"><dl>{facts}</dl>'
            f'<ul class="eezmap-layers">{layers}</ul>'
            '<div class="eezmap-warn">Zones drawn simplified; figures use the full geometry. '
            "Not for legal or navigational use.</div></div>")


# --- public API ------------------------------------------------------------------------------

def build_map(*, layers: Sequence[str] | None = None, tiles: Sequence[str] = (),
              user_sites: Sequence[Any] = (), points: Any = None,
              title: str | None = None, island: str | None = None) -> folium.Map:
    """Build the standalone offline map.

    Parameters
    ----------
    layers : sequence of str, optional
        Zone layers to draw, in precedence order (default: the first of the
        manifest's default zones, ``mr-v12-eez-nw-pacific``).  A later layer is
        drawn only outside the coverage boxes of the earlier ones.
    tiles : sequence of {"osm", "ocean"}
        Online base layers to offer in the layer control (OpenStreetMap, Esri
        Ocean Basemap).  Never needed: the default background is the bundled
        land layer.
    user_sites : sequence of geo.sites.Site
        Extra sites (``user=True``); every string from them is HTML-escaped.
    points : (lat, lon) arrays, optional
        Many points, coloured by their zone answer for Japan
        (:func:`geo.zones.classify`), drawn on one canvas.  More than
        :data:`MAX_POINTS` are thinned evenly, with a note on the map.
    title : str, optional
        The title panel's heading (default :data:`DEFAULT_TITLE`).
    island : str, optional
        A built-in island (``"okinotorishima"``): also draw the EEZ area that
        exists only because of it (:func:`geo.islands.island_value`), with its
        km² in the legend and its popup; the view then includes it.

    The map always draws, under the zones, the Natural Earth 1:10m depth
    bands and the ISA contract and reserved areas near the view (July 2019),
    the home island's computed 12 and 24 NM lines, and an overview inset.

    Returns
    -------
    folium.Map
        Render with ``m.get_root().render()``; :func:`write_map` writes it.

    Example
    -------
    >>> m = build_map()
    >>> "leaflet.js" in "".join(u for _, u in m.default_js)
    False
    """
    unknown = [t for t in tiles if t not in TILES]
    if unknown:
        raise ValueError(f"unknown tiles {', '.join(map(repr, unknown))}: choose from {', '.join(TILES)}")
    title = title or DEFAULT_TITLE
    ctx = _context(layers, tuple(user_sites), island)
    w, s, e, n = ctx.bounds
    centre_lon = (w + e) / 2

    m = folium.Map(location=[(s + n) / 2, centre_lon], zoom_start=6, tiles=None, prefer_canvas=False,
                   control_scale=False, zoom_control=True)
    # no CDN: folium's default jquery/bootstrap/awesome-markers/leaflet links are dropped, and
    # Leaflet is inlined from the installed package by _Assets
    m.default_js = []
    m.default_css = []
    m.get_root().title = _e(title)
    m.add_child(_Assets(), name="eezmap_assets")
    bounds = [[s, w], [n, e]]
    # controls and the opening view first: layers added afterwards are projected once
    bathymetry, bands = _bathymetry_group(ctx)
    groups: list[_JsLayer] = [bathymetry] + _zone_groups(ctx) + _nested_groups(ctx)
    groups += [g for g in (_isa_group(ctx), _island_value_group(ctx)) if g is not None]
    groups.append(_land_group(ctx))
    groups.append(_limit_group(ctx))
    island_lines = _island_lines_group(ctx)
    if island_lines is not None:
        groups.append(island_lines)
    groups.extend(_site_groups(ctx))
    user = _user_group(ctx, centre_lon)
    if user is not None:
        groups.append(user)
    points_layer, summary = _points_layer(points, ctx, centre_lon) if points is not None else (None, None)
    m.add_child(_Script(
        f"eezmap.panes(map, {_js(list(PANES))});\n"
        "eezmap.scale(map);\neezmap.coords(map);\n"
        f"eezmap.inset(map, {_js(_inset(ctx))});\n"
        "eezmap.fullscreen(map);\neezmap.measure(map);\n"
        f"eezmap.panel(map, {{position: 'topright', className: 'eezmap-title', foldBelow: 640, "
        f"html: {_js(_title_html(ctx, title, summary))}}});\n"
        f"eezmap.panel(map, {{position: 'bottomright', className: 'eezmap-legend', foldBelow: 900, "
        f"html: {_js(_legend_html(ctx, groups, summary, bands))}}});\n"
        f"eezmap.fit(map, {_js(bounds)});", name="EezmapSetup"))

    if tiles:
        m.add_child(_offline_base())
        for key in tiles:
            t = TILES[key]
            folium.TileLayer(tiles=t["url"], attr=t["attr"], name=_e(t["name"]), overlay=False, control=True,
                             show=False, max_native_zoom=t["max_native_zoom"], max_zoom=18).add_to(m)

    for g in groups:
        m.add_child(g)
    if points_layer is not None:
        m.add_child(points_layer)
    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    m.add_child(_Script("eezmap.ready(map);", name="EezmapReady"))
    _number_elements(m.get_root())
    return m


def _number_elements(root: Element) -> None:
    """Give every element an id from its place in the tree, not branca's random one.

    branca draws each element's id from ``os.urandom``, and the ids name the
    page's JavaScript variables (``map_…``, ``eezmap_group_…``): numbered in
    tree order instead, the same inputs give the same HTML byte for byte.
    """
    queue, n = [root], 0
    while queue:
        element = queue.pop(0)
        element._id = f"{n:04d}"
        n += 1
        queue.extend(element._children.values())


def render_html(**kwargs: Any) -> str:
    """The map's HTML as text (see :func:`build_map` for the options)."""
    return build_map(**kwargs).get_root().render()


def write_map(path: str | os.PathLike[str], **kwargs: Any) -> Path:
    """Build the map (see :func:`build_map`) and write it atomically to *path*.

    The map is built first, then written to a temporary file in the same
    directory and renamed into place: a failure leaves an existing file
    untouched and no temporary file behind.

    Returns
    -------
    pathlib.Path
        *path*.
    """
    data = render_html(**kwargs).encode("utf-8")
    check_output(path)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


# --- static figure ---------------------------------------------------------------------------

_MPL_HATCH = {"jpn-shared": "////", "other-shared": "\\\\\\\\", "uncertainty": "////"}


def _mpl_path(geom: Any) -> Any:
    """A shapely (Multi)Polygon as one matplotlib Path (holes included)."""
    import shapely
    from matplotlib.path import Path as MplPath

    verts, codes = [], []
    for poly in shapely.get_parts(geom):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring in (poly.exterior, *poly.interiors):
            c = np.asarray(ring.coords)
            if len(c) < 4:
                continue
            verts.append(c)
            codes.append(np.r_[MplPath.MOVETO, np.full(len(c) - 2, MplPath.LINETO), MplPath.CLOSEPOLY])
    if not verts:
        return None
    return MplPath(np.vstack(verts), np.concatenate(codes).astype(np.uint8))


def _mpl_dash(style: dict[str, Any]) -> Any:
    if not style.get("dashArray"):
        return "solid"
    on, off = (float(x) for x in style["dashArray"].split())
    return (0, (on / 2, off / 2))


def _add_poly(ax: Any, geom: Any, style: dict[str, Any], key: str = "", zorder: float = 1, **kw: Any) -> None:
    from matplotlib.patches import PathPatch

    path = _mpl_path(geom)
    if path is None:
        return
    hatch = _MPL_HATCH.get(key)
    fill = style.get("fill", True) is not False
    face = style.get("fillColor", style["color"]) if fill and not hatch else "none"
    alpha = style.get("fillOpacity", 0.3) if fill and not hatch else None
    ax.add_patch(PathPatch(path, facecolor=face if not hatch else (0, 0, 0, 0), edgecolor="none",
                           alpha=alpha, zorder=zorder, **kw))
    ax.add_patch(PathPatch(path, facecolor="none", edgecolor=style["color"], hatch=hatch,
                           linewidth=min(style.get("weight", 1), 2.5) * 0.6, linestyle=_mpl_dash(style),
                           zorder=zorder + 0.01, **kw))


def _figure_text(ax: Any, x: float, y: float, text: str, **kw: Any) -> Any:
    """Data text on the figure: never parsed as mathtext ($...$)."""
    box = kw.pop("box", True)
    t = ax.text(x, y, text, parse_math=False, fontsize=kw.pop("fontsize", 8), zorder=kw.pop("zorder", 20),
                **kw)
    if box:
        t.set_bbox({"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "#888888",
                    "linewidth": 0.5, "alpha": 0.9})
    return t


def _scale_bar(ax: Any, lon0: float, lat0: float) -> None:
    """100 km and 50 NM bars, true at their own latitude (the figure is equirectangular)."""
    from .geodesy import NM, forward

    for i, (metres, label) in enumerate(((100_000.0, "100 km"), (50 * NM, "50 NM"))):
        y = lat0 - 0.22 * i
        x1 = float(forward(np.array([y]), np.array([lon0]), np.array([90.0]), np.array([metres]))[1][0])
        ax.plot([lon0, x1], [y, y], color="#111111", linewidth=3, solid_capstyle="butt", zorder=30)
        _figure_text(ax, x1 + 0.08, y, label, va="center", fontsize=8, box=False, zorder=30)


def draw_figure(*, layers: Sequence[str] | None = None, tiles: Sequence[str] = (),
                user_sites: Sequence[Any] = (), points: Any = None, title: str | None = None,
                island: str | None = None) -> Any:
    """The static map as a matplotlib Figure (no pyplot, no global state); see :func:`write_figure`."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from .geodesy import distance, forward, geodesic_line
    from .zones import classify

    title = title or DEFAULT_TITLE
    ctx = _context(layers, tuple(user_sites), island)
    w, s, e, n = ctx.bounds
    lat0 = (s + n) / 2
    fig = Figure(figsize=(13, 8.6), dpi=150, facecolor="white")
    ax = fig.add_axes((0.05, 0.11, 0.56, 0.82))
    ax.set_facecolor(SEA)
    # lon/lat drawn with the local scale of the region's latitude (equirectangular)
    aspect = 1.0 / np.cos(np.radians(lat0))
    pad = 0.1 * (n - s)
    ys, yn = s - pad, n + pad
    box = ax.get_position()
    width_deg = (yn - ys) * (box.width * 13) / (box.height * 8.6) * aspect
    cx = (w + e) / 2
    xw, xe = cx - width_deg / 2, cx + width_deg / 2
    ax.set_xlim(xw, xe)  # the limits give the aspect: 1° of latitude = 1/cos(lat0) ° of longitude
    ax.set_ylim(ys, yn)
    view = (xw - 1.0, ys - 1.0, xe + 1.0, yn + 1.0)

    import shapely

    def clipped(g: Any) -> Any:
        return shapely.clip_by_rect(g, *view)

    # depth bands under everything, shallowest first (as on the map)
    bands = _display_bathymetry(ctx.seabed_bbox)
    for band, _, parts in bands:
        for g in parts:
            g = clipped(g)
            if not g.is_empty:
                _add_poly(ax, g, {"color": DEPTH_COLOURS.get(band, "#92b3cf"), "weight": 0,
                                  "fillColor": DEPTH_COLOURS.get(band, "#92b3cf"), "fillOpacity": 1}, zorder=0.6)
    # zones, land, the 200 NM circle (only what is in view is drawn)
    for zones, (rows, geoms) in zip(ctx.zone_layers, ctx.zone_display):
        for i, g in zip(rows, geoms):
            g = clipped(g)
            if g.is_empty:
                continue
            cls = _zone_class(str(zones.pol_type[int(i)]), zones.sovereign_isos[int(i)])
            _add_poly(ax, g, STYLES[cls], key=cls, zorder=1 + list(ZONE_CLASSES).index(cls) * 0.1)
    for land in ctx.land_display:
        for g in land:
            g = clipped(g)
            if not g.is_empty:
                _add_poly(ax, g, STYLES["land"], zorder=2)
    ring = np.asarray(ctx.circle.exterior.coords)
    ax.plot(ring[:, 0], ring[:, 1], color=STYLES["limit"]["color"], linewidth=1.6, linestyle=(0, (5, 3.5)),
            zorder=4)
    isa = _display_isa(ctx.seabed_bbox)
    for c, g, _, _ in isa:
        g = clipped(g)
        if not g.is_empty:
            _add_poly(ax, g, STYLES["isa" if c.status == "exploration" else "isa-reserved"], zorder=1.8)
            pt = g.centroid
            if not (xw < pt.x < xe and ys < pt.y < yn):
                continue
            _figure_text(ax, pt.x, pt.y, "Reserved area" if c.status == "reserved" else c.contractor,
                         ha="center", va="center", fontsize=6.5, color=STYLES["isa"]["color"], zorder=3.5)
    if ctx.island_value is not None:
        _add_poly(ax, clipped(ctx.island_value.geometry), STYLES["island-value"], zorder=3.6)

    # user points under the sites
    answered: set[str] = set()
    if points is not None:
        plat = np.asarray(points[0], dtype=float).ravel()
        plon = np.asarray(points[1], dtype=float).ravel()
        c = classify(plat, plon, country=COUNTRY, layers=ctx.layer_ids)
        ans = np.asarray(c.answer, dtype=object)
        for a, (color, _) in POINT_CLASSES.items():
            sel = ans == a
            if sel.any():
                answered.add(a)
                ax.scatter(_near(plon[sel], cx), plat[sel], s=2, color=color, linewidths=0, alpha=0.8,
                           zorder=3, rasterized=True)

    # sites, uncertainty area, geodesic lines
    home = ctx.home
    for site in ctx.story:  # the figure shows the opening view only
        if site.uncertainty_area is not None:
            _add_poly(ax, site.uncertainty_area, STYLES["uncertainty"], key="uncertainty", zorder=5)
        if site.is_area:
            _add_poly(ax, site.geometry, STYLES["area"], zorder=5.5)
            bw, bs, be, bn = site.geometry.bounds
            _figure_text(ax, site.lon, bs - 0.08, site.name, ha="center", va="top", clip_on=True)
        if site.id == home.id:
            continue
        a, b = (home.lat, home.lon), (site.lat, site.lon)
        line = np.asarray(geodesic_line(a, b))
        ax.plot(line[:, 1], line[:, 0], color=STYLES["geodesic"]["color"], linewidth=1.4, zorder=6)
        d = distance(a, b)
        my, mx = forward(np.array([a[0]]), np.array([a[1]]), np.array([d.initial_bearing_deg]),
                         np.array([d.metres / 2]))
        _figure_text(ax, float(mx[0]) - 0.06, float(my[0]), f"{d.km:,.1f} km · {d.nm:,.1f} NM", ha="right",
                     va="center")
        if site.approximate:
            st = STYLES["approx"]
            ax.plot([site.lon], [site.lat], marker="o", markersize=7, markerfacecolor="white",
                    markeredgecolor=st["color"], markeredgewidth=1.8, zorder=8)
            _figure_text(ax, site.lon + 0.12, site.lat, _approx_label(site), va="center",
                         color="#004b52")
        elif not site.is_area:
            ax.plot([site.lon], [site.lat], marker="o", markersize=6, markerfacecolor="white",
                    markeredgecolor=STYLES["point-site"]["color"], markeredgewidth=1.8, zorder=8)
            _figure_text(ax, site.lon + 0.1, site.lat, site.name, va="center")
    ax.plot([home.lon], [home.lat], marker="v", markersize=10, markerfacecolor="#2a81cb",
            markeredgecolor="#1b4f7a", zorder=9)
    _figure_text(ax, home.lon + 0.12, home.lat + 0.08, home.name, va="bottom")
    for site in ctx.user_sites:
        lon = float(_near(np.array([site.lon]), cx)[0])
        if site.is_area:
            import shapely

            shift = lon - site.lon
            _add_poly(ax, shapely.transform(site.geometry, lambda c: c + np.array([shift, 0.0])),
                      STYLES["user-area"], zorder=7)
        ax.plot([lon], [site.lat], marker="o", markersize=6, markerfacecolor=STYLES["user"]["fillColor"],
                markeredgecolor=STYLES["user"]["color"], zorder=9)
        _figure_text(ax, lon + 0.1, site.lat, site.name, va="center", fontsize=7)

    # axes, scale bar, title
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{wrap_lon(v):.0f}°E" if
                                               wrap_lon(v) >= 0 else f"{-wrap_lon(v):.0f}°W"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}°N" if v >= 0 else f"{-v:.0f}°S"))
    ax.tick_params(labelsize=8)
    ax.grid(color="white", linewidth=0.5, alpha=0.6, zorder=0.5)
    x0, x1 = ax.get_xlim()
    _scale_bar(ax, x0 + 0.04 * (x1 - x0), ys + 0.07 * (yn - ys))
    ax.set_title(title, fontsize=13, loc="left", fontweight="bold")

    # legend
    present = {_zone_class(str(z.pol_type[int(i)]), z.sovereign_isos[int(i)])
               for z, (rows, _) in zip(ctx.zone_layers, ctx.zone_display) for i in rows}
    handles = []
    for key, label in ZONE_CLASSES.items():
        if key not in present:
            continue
        st = STYLES[key]
        hatch = _MPL_HATCH.get(key)
        handles.append(Patch(facecolor="none" if hatch else st["fillColor"], alpha=None if hatch else 0.6,
                             edgecolor=st["color"], hatch=hatch, linestyle=_mpl_dash(st), label=label))
    handles += [
        Patch(facecolor=DEPTH_COLOURS[5000] if bands else SEA, edgecolor="#9fb6c6", label="High seas (no zone)"),
        Patch(facecolor=STYLES["land"]["fillColor"], edgecolor=STYLES["land"]["color"], label="Land (Natural Earth)"),
        Line2D([], [], color=STYLES["limit"]["color"], linestyle=(0, (5, 3.5)), linewidth=1.6,
               label=f"200 NM from {home.name.split(' (')[0]} (geodesic circle)"),
        Line2D([], [], marker="v", color="none", markerfacecolor="#2a81cb", markeredgecolor="#1b4f7a",
               markersize=9, label=home.name),
    ]
    for site in ctx.sites:
        if site.id == home.id:
            continue
        if site.is_area:
            handles.append(Patch(facecolor=STYLES["area"]["fillColor"], edgecolor=STYLES["area"]["color"],
                                 alpha=0.8, label=site.name))
        elif site.approximate:
            handles.append(Line2D([], [], marker="o", color="none", markerfacecolor="white",
                                  markeredgecolor=STYLES["approx"]["color"], markersize=7,
                                  label=_approx_label(site).replace(": ", ":\n")))
            handles.append(Patch(facecolor="none", edgecolor=STYLES["uncertainty"]["color"], hatch="////",
                                 linestyle=_mpl_dash(STYLES["uncertainty"]), label="its uncertainty area"))
    handles.append(Line2D([], [], color=STYLES["geodesic"]["color"], linewidth=1.4,
                          label="Geodesic (great-circle) line, km · NM"))
    if isa:
        handles.append(Patch(facecolor=STYLES["isa"]["fillColor"], alpha=0.6, edgecolor=STYLES["isa"]["color"],
                             label="ISA exploration contract / reserved area\n(ISA, July 2019; since partly "
                                   "relinquished)"))
    if ctx.island_value is not None:
        v = ctx.island_value
        handles.append(Patch(facecolor=STYLES["island-value"]["fillColor"], alpha=0.6,
                             edgecolor=STYLES["island-value"]["color"],
                             label=f"What {v.name} is worth: {v.area_km2:,.0f} km² (computed)"))
    if bands:
        handles.append(Patch(facecolor=DEPTH_COLOURS[bands[0][0]], edgecolor="none",
                             label="Depth: 1:10m depth bands, Natural Earth\n(lighter: shallower band, "
                                   f"{_depth_label(bands[0][0], bands[0][1])} … "
                                   f"{_depth_label(bands[-1][0], bands[-1][1])})"))
    if ctx.user_sites:
        handles.append(Line2D([], [], marker="o", color="none", markerfacecolor=STYLES["user"]["fillColor"],
                              markeredgecolor=STYLES["user"]["color"], markersize=6,
                              label=f"Your sites ({len(ctx.user_sites)})"))
    for a, (color, text) in reversed(POINT_CLASSES.items()):
        if a in answered:
            handles.append(Line2D([], [], marker="o", color="none", markerfacecolor=color, markeredgecolor="none",
                                  markersize=5, label=f"Your points: {text}"))
    leg = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.635, 0.935), fontsize=8,
                     frameon=True, title="Legend", title_fontsize=10, alignment="left", handlelength=2.6)
    for t in leg.get_texts():
        t.set_parse_math(False)

    # key figures and attribution
    facts = _figure_facts(ctx)
    fig.text(0.64, 0.11, "\n".join(facts), fontsize=7.5, va="bottom", ha="left", parse_math=False,
             linespacing=1.45, wrap=True)
    from .layers import manifest
    from .seabed import BATHYMETRY_LAYER, ISA_LAYER

    attributions = [z.layer.attribution for z in ctx.zone_layers] + [i.attribution for i in ctx.land_infos]
    attributions += [manifest().get(BATHYMETRY_LAYER).attribution, manifest().get(ISA_LAYER).attribution]
    if home.layer is not None:
        attributions.append(home.layer.attribution)
    if ctx.user_sites:
        attributions.append("Your sites: user-supplied")
    fig.text(0.05, 0.018, "Data: " + " · ".join(attributions) + ". Zones drawn simplified; figures use the "
             "full geometry. Not for legal or navigational use.", fontsize=6.5, color="#444444", wrap=True,
             parse_math=False, va="bottom")
    return fig


def _figure_facts(ctx: _Context) -> list[str]:
    """The title panel's key figures as plain lines of text."""
    lines = ["Key figures"]
    for head, body in _key_figures(ctx):
        lines.append(f"{head}:\n    " + "\n    ".join(body))
    lines.append("Layers:\n    " + "\n    ".join(f"{i} ({v})" for i, v, _ in _layer_refs(ctx)))
    return lines


def write_figure(path: str | os.PathLike[str], **kwargs: Any) -> Path:
    """A static PNG or SVG (by suffix) of the same map, drawn with matplotlib; atomic write.

    Accepts the options of :func:`build_map` (``tiles`` is ignored: a figure
    has no online layers).  Shows the zones styled as on the map, land, the
    200 NM circle, the sites with the uncertainty area, the geodesic lines
    with their lengths, user sites and points, a legend, the key figures, a
    scale bar and the attribution of every layer.

    Returns
    -------
    pathlib.Path
        *path*.
    """
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise OutputError(f"figure {target}: give a .png or .svg file name")
    fig = draw_figure(**kwargs)
    check_output(target)
    import matplotlib

    # byte-for-byte reproducible: no date in the metadata, element ids from a fixed salt
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    with atomic_path(target) as tmp, matplotlib.rc_context({"svg.hashsalt": "eezmap"}):
        fig.savefig(tmp, format=fmt, dpi=150, metadata=metadata)
    return Path(target)
