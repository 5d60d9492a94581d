"""The map: a standalone offline HTML file (folium/Leaflet) and a static figure (matplotlib).

Presentation only: the core never imports this package.  One path per concern:

- :mod:`geo.map.scene`: what is shown, computed once for every medium
  (display geometry, key figures, boundary texts);
- :mod:`geo.map.style`: the one theme (colours, line styles, hatches);
- :mod:`geo.map.html`: popups, the legend, the title panel, the inset;
- :mod:`geo.map.leaflet`: folium elements and the ``eezmap.js`` spec format;
- :mod:`geo.map.overlays`: the scene as Leaflet overlays;
- :mod:`geo.map.webmap`: :func:`build_map`, :func:`render_html`, :func:`write_map`;
- :mod:`geo.map.figure`: :func:`draw_figure`, :func:`write_figure`;
- :mod:`geo.map.assets`: Leaflet and ``static/eezmap.{js,css}``, inlined.

Importing :mod:`geo.map` is cheap: folium and matplotlib load with the
function that needs them.

Example
-------
>>> from geo.map import write_map
>>> path = write_map("maps/minami_torishima.html")      # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .scene import DEFAULT_TITLE, ISA_CITATION, MAX_POINTS, display_geometries
from .style import INSET_BBOX, INSET_WIDTH, POINT_CLASSES

if TYPE_CHECKING:
    from .figure import draw_figure, write_figure
    from .leaflet import TILES
    from .webmap import SIZE_BUDGET, build_map, render_html, write_map

__all__ = [
    "DEFAULT_TITLE",
    "INSET_BBOX",
    "INSET_WIDTH",
    "ISA_CITATION",
    "MAX_POINTS",
    "POINT_CLASSES",
    "SIZE_BUDGET",
    "TILES",
    "build_map",
    "display_geometries",
    "draw_figure",
    "render_html",
    "write_figure",
    "write_map",
]

_LAZY = {
    "build_map": "webmap",
    "render_html": "webmap",
    "write_map": "webmap",
    "SIZE_BUDGET": "webmap",
    "TILES": "leaflet",
    "draw_figure": "figure",
    "write_figure": "figure",
}


def __getattr__(name: str) -> Any:
    """The folium and matplotlib halves load on first use (``import geo.map`` stays cheap)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
