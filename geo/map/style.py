"""The one theme of the map: colours, line styles, hatches and classes, shared by the HTML
map (Leaflet path options and the legend's swatches), its stylesheet (the sea colour) and the
matplotlib figure.

Nothing here computes; :mod:`geo.map.scene` decides what is shown, the media draw it in
this style.
"""

from __future__ import annotations

from typing import Any

SEA = "#d6e8f3"

STYLES: dict[str, dict[str, Any]] = {
    # Japan's 200 NM zone, highlighted
    "jpn": {"color": "#b2182b", "weight": 2, "fillColor": "#ef6548", "fillOpacity": 0.2},
    # zones Japan shares: overlapping claims, joint regime (hatched, dashed)
    "jpn-shared": {
        "color": "#d95f02",
        "weight": 2,
        "dashArray": "7 5",
        "fillOpacity": 1,
        "className": "eezmap-hatch-jpn",
    },
    # other states' zones, muted
    "other": {"color": "#7d8a96", "weight": 1, "fillColor": "#b7c1ca", "fillOpacity": 0.3},
    "other-shared": {
        "color": "#7d8a96",
        "weight": 1,
        "dashArray": "4 4",
        "fillOpacity": 1,
        "className": "eezmap-hatch-grey",
    },
    "land": {
        "color": "#a3977c",
        "weight": 0.8,
        "fillColor": "#f2ede1",
        "fillOpacity": 1,
        "interactive": False,
    },
    "limit": {"color": "#08306b", "weight": 2.5, "dashArray": "10 7", "fill": False},
    "area": {"color": "#6a3d9a", "weight": 2, "fillColor": "#b497d6", "fillOpacity": 0.45},
    "uncertainty": {
        "color": "#006d77",
        "weight": 2,
        "dashArray": "5 4",
        "fillOpacity": 1,
        "className": "eezmap-hatch-unc",
    },
    "approx": {
        "color": "#006d77",
        "weight": 2.5,
        "dashArray": "3 3",
        "fillColor": "#ffffff",
        "fillOpacity": 1,
        "radius": 7,
    },
    "point-site": {"color": "#6a3d9a", "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1, "radius": 6},
    "geodesic": {"color": "#1d1d1d", "weight": 2.2, "opacity": 0.9},
    "user": {"color": "#4a1486", "weight": 2, "fillColor": "#dd3497", "fillOpacity": 0.9, "radius": 6},
    "user-area": {"color": "#4a1486", "weight": 2, "fillColor": "#dd3497", "fillOpacity": 0.25},
    "isa": {"color": "#7f3b08", "weight": 1, "fillColor": "#e08214", "fillOpacity": 0.3},
    "isa-reserved": {
        "color": "#7f3b08",
        "weight": 1,
        "dashArray": "3 3",
        "fillColor": "#fdb863",
        "fillOpacity": 0.15,
    },
    "island-value": {
        "color": "#1b7837",
        "weight": 2,
        "dashArray": "8 4",
        "fillColor": "#a6dba0",
        "fillOpacity": 0.3,
    },
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

NESTED_STYLE = {
    "eez_internal_waters": (
        "Internal waters",
        {"color": "#238b45", "weight": 1.5, "fillColor": "#74c476", "fillOpacity": 0.25},
    ),
    "eez_12nm": (
        "Territorial sea (12 NM)",
        {"color": "#6a51a3", "weight": 1.5, "dashArray": "4 3", "fillColor": "#9e9ac8", "fillOpacity": 0.2},
    ),
    "eez_24nm": (
        "Contiguous zone (24 NM)",
        {"color": "#2171b5", "weight": 1.2, "dashArray": "2 4", "fillColor": "#9ecae1", "fillOpacity": 0.12},
    ),
}

ISLAND_LINES = {
    "territorial_sea": (
        "12 NM",
        {"color": "#54278f", "weight": 1.6, "dashArray": "1 4", "lineCap": "round", "fill": False},
    ),
    "contiguous_zone": ("24 NM", {"color": "#2171b5", "weight": 1.6, "dashArray": "6 4", "fill": False}),
}

#: Depth band (upper limit, m) -> fill colour: a light, subtle ramp under the zones.
DEPTH_COLOURS = {
    0: "#e8f2f8",
    200: "#e3eff7",
    1000: "#deecf5",
    2000: "#d9e8f3",
    3000: "#d3e4f0",
    4000: "#cde0ee",
    5000: "#c6dbeb",
    6000: "#bcd4e6",
    8000: "#aec9df",
    9000: "#a0bed7",
    10000: "#92b3cf",
}

HATCH_DEFS = (
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

MPL_HATCH = {"jpn-shared": "////", "other-shared": "\\\\\\\\", "uncertainty": "////"}

#: The overview inset: the region it shows (W, S, E, N) and its width in pixels.
INSET_BBOX = (124.0, 17.0, 168.0, 46.0)

INSET_WIDTH = 170

#: Text colour of an approximate site's label (map tooltip, figure).
APPROX_TEXT = "#004b52"

#: The colours the stylesheet (static/eezmap.css) shares with the shapes and the figure,
#: as CSS custom properties of the map's container.
THEME: dict[str, str] = {
    "--eezmap-sea": SEA,
    "--eezmap-land": STYLES["land"]["fillColor"],
    "--eezmap-coast": STYLES["land"]["color"],
    "--eezmap-home": STYLES["jpn"]["color"],
    "--eezmap-site": STYLES["area"]["color"],
    "--eezmap-isa": STYLES["isa"]["color"],
    "--eezmap-approx": STYLES["approx"]["color"],
    "--eezmap-approx-text": APPROX_TEXT,
}


def theme_css() -> str:
    """The theme as one CSS rule, put into the page before ``eezmap.css``."""
    return ".folium-map{" + ";".join(f"{k}:{v}" for k, v in THEME.items()) + "}"
