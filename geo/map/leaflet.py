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
from collections.abc import Sequence
from typing import Any, Literal, NotRequired, TypedDict

import numpy as np
from branca.element import Element, MacroElement
from folium.map import Layer
from folium.template import Template

from . import assets
from .html import esc
from .scene import FINE_DECIMALS
from .style import HATCH_DEFS, theme_css

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

#: Leaflet panes inside the overlay pane, bottom to top.
PANES = (
    "eezmapBathymetry",
    "eezmapZones",
    "eezmapSeabed",
    "eezmapLand",
    "eezmapPoints",
    "eezmapLimit",
    "eezmapSites",
    "eezmapLines",
    "eezmapUser",
    "eezmapMeasure",
)


# --- the spec format of eezmap.js (the same, as JSDoc @typedef, at the top of static/eezmap.js) ---


class Item(TypedDict):
    """One shape of a :class:`GroupSpec`: a polygon, a line, a circle marker, a marker or a label."""

    type: Literal["polygon", "line", "circle", "marker", "label"]
    #: polygon: [[outer, hole, ...], ...] encoded rings; line: one encoded line (see :func:`encode`)
    geometry: NotRequired[list[list[str]] | str]
    #: 10 ** decimals of the encoded coordinates (default: the group's, or 1e5)
    scale: NotRequired[int]
    #: [lat, lon] of a circle, a marker or a label
    latlng: NotRequired[list[float]]
    #: a key of the group's ``styles``
    style: NotRequired[str]
    #: more Leaflet options of this item
    options: NotRequired[dict[str, Any]]
    #: escaped HTML of its popup, of its tooltip
    popup: NotRequired[str]
    tooltip: NotRequired[str]
    tooltipOptions: NotRequired[dict[str, Any]]
    #: a label's escaped HTML and extra CSS class
    html: NotRequired[str]
    className: NotRequired[str]
    #: the item's id (the Leaflet layer's ``options.itemId``)
    id: NotRequired[str]


class GroupSpec(TypedDict):
    """One toggleable overlay: ``eezmap.group(map, spec)`` makes it a Leaflet feature group."""

    id: str  # the feature group's options.groupId
    pane: NotRequired[str]  # the pane of its paths (one of PANES)
    styles: NotRequired[dict[str, dict[str, Any]]]  # style name -> Leaflet path options
    scale: NotRequired[int]  # the default scale of its items
    attribution: NotRequired[str]  # escaped HTML
    items: list[Item]


class PointsSpec(TypedDict):
    """Many points on one canvas (``eezmap.points(map, spec)``)."""

    scale: int  # the coordinates are degrees x scale
    pane: str
    lat: str  # base64 little-endian int32
    lon: str  # base64 little-endian int32
    classes: str  # base64 uint8: per point, an index into colors and labels
    colors: list[str]
    labels: list[str]  # escaped HTML
    drawOrder: list[int]  # classes in drawing order (last on top)
    title: str  # escaped HTML of the popup heading
    note: str  # escaped HTML
    attribution: str


class Projection(TypedDict):
    """The inset's equirectangular projection: x = (lon - west) * xScale, y = (north - lat) * yScale."""

    west: float
    north: float
    xScale: float
    yScale: float
    width: int
    height: int


class InsetSpec(TypedDict):
    """The overview inset (``eezmap.inset(map, spec)``): an SVG with a ``rect.eezmap-inset-view``."""

    html: str
    projection: Projection


class PanelSpec(TypedDict):
    """A panel of ready-made HTML (``eezmap.panel(map, spec)``)."""

    position: str  # a Leaflet control corner
    className: str
    foldBelow: int  # folded when the map is narrower than this (px)
    html: str  # escaped HTML; a button.eezmap-toggle folds its .eezmap-body


#: Tooltip options of most shapes: the tooltip follows the cursor.
STICKY: dict[str, Any] = {"sticky": True}


def item(
    kind: Literal["polygon", "line", "circle", "marker", "label"],
    *,
    geometry: list[list[str]] | str | None = None,
    decimals: int | None = None,
    latlng: Sequence[float] | None = None,
    style: str = "",
    popup: str = "",
    tooltip: str = "",
    tooltip_options: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    html: str = "",
    class_name: str = "",
    item_id: str = "",
) -> Item:
    """One :class:`Item` of a group spec; empty fields are left out.  A tooltip's options
    default to :data:`STICKY` (pass ``{}`` for Leaflet's own)."""
    out: Item = {"type": kind}
    if geometry is not None:
        out["geometry"] = geometry
    if decimals is not None:
        out["scale"] = 10**decimals
    if latlng is not None:
        out["latlng"] = [float(v) for v in latlng]
    if style:
        out["style"] = style
    if popup:
        out["popup"] = popup
    if tooltip:
        out["tooltip"] = tooltip
        opts = STICKY if tooltip_options is None else tooltip_options
        if opts:
            out["tooltipOptions"] = opts
    if options:
        out["options"] = options
    if html:
        out["html"] = html
    if class_name:
        out["className"] = class_name
    if item_id:
        out["id"] = item_id
    return out


def to_js(obj: Any) -> str:
    """JSON for a ``<script>`` block: no ``<`` at all, so nothing can end the script."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def encode(lonlat: np.ndarray, decimals: int) -> str:
    """(n, 2) lon/lat coordinates -> Google encoded polyline of (lat, lon) at 10**-decimals."""
    ints = np.round(np.asarray(lonlat, dtype=float)[:, ::-1] * 10.0**decimals).astype(np.int64)
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


# --- folium elements ---------------------------------------------------------------------
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


def _parent_name(element: Element) -> str:
    """The JavaScript variable of an element's parent (the map)."""
    if element._parent is None:
        raise RuntimeError(f"{element.get_name()} has no parent: add it to a map first")
    return str(element._parent.get_name())


def _emit(
    element: Element, *, header: str | None = None, body: str | None = None, script: str | None = None
) -> None:
    figure = element.get_root()
    for part, text in (("header", header), ("html", body), ("script", script)):
        if text:
            getattr(figure, part).add_child(_Raw(text), name=element.get_name())


class Assets(MacroElement):
    """Leaflet and this package's script and styles, inlined into the page head."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "EezmapAssets"

    def render(self, **kwargs: Any) -> str:
        lf = assets.leaflet()
        header = (
            f"<style>{lf.css}</style>\n<style>{theme_css()}\n{assets.own('eezmap.css')}</style>\n"
            f"<script>{lf.js}</script>\n<script>{assets.own('eezmap.js')}\n"
            f"{assets.own('eezmap-controls.js')}\n"
            f"eezmap.icons({to_js(lf.images)});</script>"
        )
        _emit(self, header=header, body=HATCH_DEFS)
        return ""


class Script(MacroElement):
    """A few lines of script run with the map as ``map``."""

    def __init__(self, code: str, name: str = "EezmapScript") -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = name
        self.code = code

    def render(self, **kwargs: Any) -> str:
        _emit(self, script=f"(function (map) {{\n{self.code}\n}})({_parent_name(self)});")
        return ""


class JsLayer(Layer):
    """An overlay (or base layer) made by one JavaScript call: ``call(map, arg)``, or ``call()``."""

    def __init__(
        self,
        name: str,
        call: str,
        arg: str | None = None,
        *,
        overlay: bool = True,
        show: bool = True,
        kind: str = "EezmapLayer",
    ) -> None:
        super().__init__(name=esc(name), overlay=overlay, control=True, show=show)
        self._name = kind
        self.call, self.arg = call, arg
        self.spec_id = ""

    def render(self, **kwargs: Any) -> str:
        var, parent = self.get_name(), _parent_name(self)
        args = f"{parent}, {self.arg}" if self.arg is not None else ""
        code = f"var {var} = {self.call}({args});"
        if self.show:
            code += f"\n{var}.addTo({parent});"
        _emit(self, script=code)
        return ""


def group(name: str, spec: GroupSpec, show: bool = True) -> JsLayer:
    """An overlay built by ``eezmap.group`` from a JSON spec (polygons, lines, markers, labels)."""
    layer = JsLayer(name, "eezmap.group", to_js(spec), show=show, kind="EezmapGroup")
    layer.spec_id = spec["id"]
    return layer


def offline_base() -> JsLayer:
    """The default base layer when online tiles are offered: nothing to load."""
    return JsLayer("Offline: bundled land, no tiles", "L.layerGroup", overlay=False, kind="EezmapBase")
