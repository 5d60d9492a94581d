"""Leaflet through folium: the page's elements and the spec format of ``eezmap.js``.

The HTML map is one file that works opened from disk with no network:
Leaflet and its images are inlined from the installed ``django-js-lib-leaflet``
package (:mod:`geo.map.assets`), folium's CDN links are removed, and every
overlay is one call of ``eezmap.group(map, spec)`` with a JSON spec whose
format is written down once, as :class:`GroupSpec` here and as the JSDoc
``@typedef`` of ``static/eezmap.js``.  Rings and lines are Google encoded
polylines.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

import numpy as np
from branca.element import Element, MacroElement
from folium.map import Layer
from folium.template import Template

from . import assets
from .html import esc
from .scene import FINE_DECIMALS
from .style import HATCH_DEFS

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

PANES = ("eezmapBathymetry", "eezmapZones", "eezmapSeabed", "eezmapLand", "eezmapPoints", "eezmapLimit",
         "eezmapSites", "eezmapLines", "eezmapUser", "eezmapMeasure")


def to_js(obj: Any) -> str:
    """JSON for a ``<script>`` block: no ``<`` at all, so nothing can end the script."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def encode(lonlat: np.ndarray, decimals: int) -> str:
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


def encode_polygonal(geom: Any, decimals: int) -> list[list[str]]:
    """A (Multi)Polygon as [[outer, hole, ...], ...] encoded rings (closing vertex dropped)."""
    import shapely

    out = []
    for poly in shapely.get_parts(geom):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        rings = [poly.exterior, *poly.interiors]
        enc = [encode(np.asarray(r.coords)[:-1], decimals) for r in rings if len(r.coords) >= 4]
        if enc:
            out.append(enc)
    return out


def encode_line(points_latlon: Sequence[tuple[float, float]]) -> str:
    arr = np.asarray(points_latlon, dtype=float)[:, ::-1]
    return encode(arr, FINE_DECIMALS)


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


class Assets(MacroElement):
    """Leaflet and this package's script and styles, inlined into the page head."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "EezmapAssets"

    def render(self, **kwargs: Any) -> None:
        lf = assets.leaflet()
        header = (f"<style>{lf.css}</style>\n<style>{assets.own('eezmap.css')}</style>\n"
                  f"<script>{lf.js}</script>\n<script>{assets.own('eezmap.js')}\n"
                  f"eezmap.icons({to_js(lf.images)});</script>")
        _emit(self, header=header, body=HATCH_DEFS)


class Script(MacroElement):
    """A few lines of script run with the map as ``map``."""

    def __init__(self, code: str, name: str = "EezmapScript") -> None:
        super().__init__()
        self._name = name
        self.code = code

    def render(self, **kwargs: Any) -> None:
        _emit(self, script=f"(function (map) {{\n{self.code}\n}})({self._parent.get_name()});")


class JsLayer(Layer):
    """An overlay (or base layer) made by one JavaScript call: ``call(map, arg)``, or ``call()``."""

    def __init__(self, name: str, call: str, arg: str | None = None, *, overlay: bool = True,
                 show: bool = True, kind: str = "EezmapLayer") -> None:
        super().__init__(name=esc(name), overlay=overlay, control=True, show=show)
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


def group(name: str, spec: dict[str, Any], show: bool = True) -> JsLayer:
    """An overlay built by ``eezmap.group`` from a JSON spec (polygons, lines, markers, labels)."""
    layer = JsLayer(name, "eezmap.group", to_js(spec), show=show, kind="EezmapGroup")
    layer.spec_id = spec.get("id", "")
    return layer


def offline_base() -> JsLayer:
    """The default base layer when online tiles are offered: nothing to load."""
    return JsLayer("Offline: bundled land, no tiles", "L.layerGroup", overlay=False, kind="EezmapBase")
