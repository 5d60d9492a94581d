"""The standalone offline HTML map: :func:`build_map`, :func:`render_html`, :func:`write_map`.

Online tiles (OpenStreetMap, Esri Ocean) are optional base layers, never the
default: the background is the bundled Natural Earth land on a sea-coloured map.

Example
-------
>>> from geo.map import write_map
>>> path = write_map("maps/minami_torishima.html")      # doctest: +SKIP
>>> path.stat().st_size < 1_500_000                      # doctest: +SKIP
True
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import folium
from branca.element import Element

from .._io import atomic_path, check_output
from .html import esc, inset, legend_html, title_html
from .leaflet import PANES, TILES, Assets, InsetSpec, JsLayer, PanelSpec, Script, offline_base, to_js
from .overlays import (
    bathymetry_group,
    isa_group,
    island_lines_group,
    island_value_group,
    land_group,
    limit_group,
    nested_groups,
    site_groups,
    user_group,
    zone_groups,
)
from .points import points_layer
from .scene import DEFAULT_TITLE, PointSummary, Scene, build_scene

#: Size budget of the default map (bytes); tests/test_render.py holds it.
SIZE_BUDGET = 1_500_000


def build_map(
    *,
    layers: Sequence[str] | None = None,
    tiles: Sequence[str] = (),
    user_sites: Sequence[Any] = (),
    points: Any = None,
    title: str | None = None,
    island: str | None = None,
) -> folium.Map:
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
    ctx = build_scene(layers, tuple(user_sites), island)
    centre_lon = (ctx.bounds[0] + ctx.bounds[2]) / 2
    m = _page(ctx, title)
    groups, bands = _overlays(ctx, centre_lon)
    points_overlay, summary = points_layer(points, ctx, centre_lon) if points is not None else (None, None)
    # controls and the opening view first: layers added afterwards are projected once
    m.add_child(_setup(ctx, title, summary, bands))
    _add_tiles(m, tiles)
    for g in groups:
        m.add_child(g)
    if points_overlay is not None:
        m.add_child(points_overlay)
    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    m.add_child(Script("eezmap.ready(map);", name="EezmapReady"))
    _number_elements(m.get_root())
    return m


def _page(ctx: Scene, title: str) -> folium.Map:
    """An empty folium map on the scene, with Leaflet and this package's script and styles inlined."""
    w, s, e, n = ctx.bounds
    m = folium.Map(
        location=[(s + n) / 2, (w + e) / 2],
        zoom_start=6,
        tiles=None,
        prefer_canvas=False,
        control_scale=False,
        zoom_control=True,
    )
    # no CDN: folium's default jquery/bootstrap/awesome-markers/leaflet links are dropped, and
    # Leaflet is inlined from the installed package by Assets
    m.default_js = []
    m.default_css = []
    m.get_root().title = esc(title)  # type: ignore[attr-defined]  # a branca Figure's title
    m.add_child(Assets(), name="eezmap_assets")
    return m


def _add_tiles(m: folium.Map, tiles: Sequence[str]) -> None:
    """The online base layers asked for, off by default, and the offline base layer."""
    if not tiles:
        return
    m.add_child(offline_base())
    for key in tiles:
        t = TILES[key]
        folium.TileLayer(
            tiles=t["url"],
            attr=t["attr"],
            name=esc(t["name"]),
            overlay=False,
            control=True,
            show=False,
            max_native_zoom=t["max_native_zoom"],
            max_zoom=18,
        ).add_to(m)


def _overlays(ctx: Scene, centre_lon: float) -> tuple[list[JsLayer], list[tuple[int, int | None]]]:
    """Every overlay of the scene, bottom to top, and the depth bands drawn."""
    bathymetry, bands = bathymetry_group(ctx)
    groups: list[JsLayer | None] = [
        bathymetry,
        *zone_groups(ctx),
        *nested_groups(ctx),
        isa_group(ctx),
        island_value_group(ctx),
        land_group(ctx),
        limit_group(ctx),
        island_lines_group(ctx),
        *site_groups(ctx),
        user_group(ctx, centre_lon),
    ]
    return [g for g in groups if g is not None], bands


def _setup(
    ctx: Scene, title: str, summary: PointSummary | None, bands: Sequence[tuple[int, int | None]]
) -> Script:
    """The panes, the controls, the title and legend panels and the opening view."""
    w, s, e, n = ctx.bounds
    title_panel: PanelSpec = {
        "position": "topright",
        "className": "eezmap-title",
        "foldBelow": 640,
        "html": title_html(ctx, title, summary),
    }
    legend_panel: PanelSpec = {
        "position": "bottomright",
        "className": "eezmap-legend",
        "foldBelow": 900,
        "html": legend_html(ctx, summary, bands),
    }
    svg, projection = inset(ctx)
    inset_spec: InsetSpec = {
        "html": svg,
        "projection": {
            "west": projection["west"],
            "north": projection["north"],
            "xScale": projection["xScale"],
            "yScale": projection["yScale"],
            "width": int(projection["width"]),
            "height": int(projection["height"]),
        },
    }
    return Script(
        f"eezmap.panes(map, {to_js(list(PANES))});\n"
        "eezmap.scale(map);\neezmap.coords(map);\n"
        f"eezmap.inset(map, {to_js(inset_spec)});\n"
        "eezmap.fullscreen(map);\neezmap.measure(map);\n"
        f"eezmap.panel(map, {to_js(title_panel)});\n"
        f"eezmap.panel(map, {to_js(legend_panel)});\n"
        f"eezmap.fit(map, {to_js([[s, w], [n, e]])});",
        name="EezmapSetup",
    )


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
