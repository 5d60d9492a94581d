"""The static figure (matplotlib, no pyplot): the scene drawn in the map's style."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._io import atomic_path, check_output
from ..coords import wrap_lon
from ..errors import OutputError
from ._mpl import add_poly, figure_text, handle, scale_bar
from .legend import Entry, entries
from .scene import (
    COUNTRY,
    DEFAULT_TITLE,
    Scene,
    approx_label,
    build_scene,
    depth_label,
    display_bathymetry,
    display_isa,
    display_zones,
    island_lines,
    key_figures,
    layer_refs,
    near,
    shifted,
    zone_class,
)
from .style import (
    APPROX_TEXT,
    DEPTH_COLOURS,
    ISLAND_LINES,
    NESTED_STYLE,
    POINT_CLASSES,
    SEA,
    STYLES,
    ZONE_CLASSES,
)


@dataclass
class _View:
    """The figure's axes and what they show: lon/lat limits, and a box just larger to clip to."""

    ax: Any
    xw: float
    xe: float
    ys: float
    yn: float

    @property
    def centre_lon(self) -> float:
        return (self.xw + self.xe) / 2

    def clipped(self, geom: Any) -> Any:
        import shapely

        return shapely.clip_by_rect(geom, self.xw - 1.0, self.ys - 1.0, self.xe + 1.0, self.yn + 1.0)

    def contains(self, x: float, y: float) -> bool:
        return self.xw < x < self.xe and self.ys < y < self.yn


def _ring_marker(ax: Any, site: Any, size: float, color: str) -> None:
    """A site's white-filled ring marker (approximate sites and point sites differ in size and colour)."""
    ax.plot([site.lon], [site.lat], marker="o", markersize=size, markerfacecolor="white",
            markeredgecolor=color, markeredgewidth=1.8, zorder=8)


def draw_figure(
    *,
    layers: Sequence[str] | None = None,
    tiles: Sequence[str] = (),
    user_sites: Sequence[Any] = (),
    points: Any = None,
    title: str | None = None,
    island: str | None = None,
) -> Any:
    """The static map as a matplotlib Figure (no pyplot, no global state); see :func:`write_figure`.

    The same scene as :func:`geo.map.build_map` (``tiles`` is ignored), the
    opening view only, with the same legend (:func:`geo.map.legend.entries`).
    """
    from matplotlib.figure import Figure

    ctx = build_scene(layers, tuple(user_sites), island)
    fig = Figure(figsize=(13, 8.6), dpi=150, facecolor="white")
    view = _axes(fig, ctx)
    bands = _draw_areas(view, ctx)
    counts = _draw_points(view, ctx, points) if points is not None else None
    _draw_sites(view, ctx)
    _decorate(view, title or DEFAULT_TITLE)
    handles = [
        handle(entry) for entry in entries(ctx, sites=ctx.story, point_counts=counts, bands=bool(bands))
    ]
    if bands:
        handles.append(
            handle(
                Entry(
                    "polygon",
                    "Depth: 1:10m depth bands, Natural Earth (lighter: shallower band, "
                    f"{depth_label(bands[0][0], bands[0][1])} … "
                    f"{depth_label(bands[-1][0], bands[-1][1])})",
                    {"color": "none", "weight": 0, "fillColor": DEPTH_COLOURS[bands[0][0]], "fillOpacity": 1},
                )
            )
        )
    leg = fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.635, 0.935),
        fontsize=6.8,
        ncols=2,
        frameon=True,
        title="Legend",
        title_fontsize=10,
        alignment="left",
        handlelength=2.2,
        columnspacing=1.0,
        labelspacing=0.45,
    )
    for text in leg.get_texts():
        text.set_parse_math(False)
    _draw_credits(fig, ctx)
    return fig


def _axes(fig: Any, ctx: Scene) -> _View:
    """The map's axes: the opening view, equirectangular at its mid-latitude."""
    w, s, e, n = ctx.bounds
    ax = fig.add_axes((0.05, 0.11, 0.56, 0.82))
    ax.set_facecolor(SEA)
    # lon/lat drawn with the local scale of the region's latitude (equirectangular)
    aspect = 1.0 / np.cos(np.radians((s + n) / 2))
    pad = 0.1 * (n - s)
    ys, yn = s - pad, n + pad
    box = ax.get_position()
    width_deg = (yn - ys) * (box.width * 13) / (box.height * 8.6) * aspect
    cx = (w + e) / 2
    xw, xe = cx - width_deg / 2, cx + width_deg / 2
    ax.set_xlim(xw, xe)  # the limits give the aspect: 1° of latitude = 1/cos(lat0) ° of longitude
    ax.set_ylim(ys, yn)
    return _View(ax, xw, xe, ys, yn)


def _draw_areas(view: _View, ctx: Scene) -> list[tuple[int, int | None, list[Any]]]:
    """Depth bands, zones, land, ISA areas, the island's value and lines, the 200 NM circle
    (only what is in view); returns the depth bands drawn."""
    ax = view.ax
    bands = display_bathymetry(ctx.seabed_bbox)
    for band, _, parts in bands:  # under everything, shallowest first (as on the map)
        colour = DEPTH_COLOURS.get(band, "#92b3cf")
        for g in (view.clipped(p) for p in parts):
            if not g.is_empty:
                add_poly(
                    ax, g, {"color": colour, "weight": 0, "fillColor": colour, "fillOpacity": 1}, zorder=0.6
                )
    for zones, (rows, geoms) in zip(ctx.zone_layers, ctx.zone_display, strict=True):
        for i, g in zip(rows.tolist(), (view.clipped(g) for g in geoms), strict=True):
            if not g.is_empty:
                cls = zone_class(str(zones.pol_type[i]), zones.sovereign_isos[i])
                add_poly(ax, g, STYLES[cls], key=cls, zorder=1 + list(ZONE_CLASSES).index(cls) * 0.1)
    for layer_id in ctx.nested_ids:
        _draw_nested(view, layer_id)
    for g in (view.clipped(g) for land in ctx.land_display for g in land):
        if not g.is_empty:
            add_poly(ax, g, STYLES["land"], zorder=2)
    ring = np.asarray(ctx.circle.exterior.coords)
    ax.plot(
        ring[:, 0],
        ring[:, 1],
        color=STYLES["limit"]["color"],
        linewidth=1.6,
        linestyle=(0, (5, 3.5)),
        zorder=4,
    )
    for zone, _, g, _, _ in island_lines(ctx):
        add_poly(ax, g, ISLAND_LINES[zone][1], zorder=4.1)
    for c, g, _, _ in display_isa(ctx.seabed_bbox):
        g = view.clipped(g)
        if g.is_empty:
            continue
        add_poly(ax, g, STYLES["isa" if c.status == "exploration" else "isa-reserved"], zorder=1.8)
        pt = g.centroid
        if view.contains(pt.x, pt.y):
            figure_text(
                ax,
                pt.x,
                pt.y,
                "Reserved area" if c.status == "reserved" else c.contractor,
                ha="center",
                va="center",
                fontsize=6.5,
                color=STYLES["isa"]["color"],
                zorder=3.5,
            )
    if ctx.island_value is not None:
        add_poly(ax, view.clipped(ctx.island_value.geometry), STYLES["island-value"], zorder=3.6)
    return bands


def _draw_nested(view: _View, layer_id: str) -> None:
    """A nested zone layer (internal waters, 12 NM, 24 NM), styled as on the map."""
    from ..layers import manifest

    _, style = NESTED_STYLE.get(manifest().get(layer_id).kind, (layer_id, NESTED_STYLE["eez_12nm"][1]))
    for g in (view.clipped(g) for g in display_zones(layer_id)[1]):
        if not g.is_empty:
            add_poly(view.ax, g, style, zorder=1.5)


def _draw_points(view: _View, ctx: Scene, points: Any) -> dict[str, int]:
    """The user's points, coloured by their answer, under the sites; returns the count per answer."""
    from ..zones import classify

    plat = np.asarray(points[0], dtype=float).ravel()
    plon = np.asarray(points[1], dtype=float).ravel()
    found = classify(plat, plon, country=COUNTRY, layers=ctx.layer_ids, invalid="mark")
    answers = np.asarray(found.answer, dtype=object)
    counts = {}
    for a, (color, _) in POINT_CLASSES.items():
        sel = answers == a
        counts[a] = int(sel.sum())
        if counts[a]:
            view.ax.scatter(
                near(plon[sel], view.centre_lon),
                plat[sel],
                s=2,
                color=color,
                linewidths=0,
                alpha=0.8,
                zorder=3,
                rasterized=True,
            )
    return counts


def _draw_sites(view: _View, ctx: Scene) -> None:
    """The sites of the opening view, their uncertainty areas, the geodesic lines; the user's sites."""
    ax, home = view.ax, ctx.home
    for site in ctx.story:  # the figure shows the opening view only
        if site.uncertainty_area is not None:
            add_poly(ax, site.uncertainty_area, STYLES["uncertainty"], key="uncertainty", zorder=5)
        if site.is_area:
            add_poly(ax, site.geometry, STYLES["area"], zorder=5.5)
            figure_text(
                ax, site.lon, site.geometry.bounds[1] - 0.08, site.name, ha="center", va="top", clip_on=True
            )
        if site.id == home.id:
            continue
        _draw_geodesic(ax, ctx, site)
        if site.approximate:
            _ring_marker(ax, site, 7, STYLES["approx"]["color"])
            figure_text(ax, site.lon + 0.12, site.lat, approx_label(site), va="center", color=APPROX_TEXT)
        elif not site.is_area:
            _ring_marker(ax, site, 6, STYLES["point-site"]["color"])
            figure_text(ax, site.lon + 0.1, site.lat, site.name, va="center")
    ax.plot(
        [home.lon],
        [home.lat],
        marker="v",
        markersize=10,
        markerfacecolor="#2a81cb",
        markeredgecolor="#1b4f7a",
        zorder=9,
    )
    figure_text(ax, home.lon + 0.12, home.lat + 0.08, home.name, va="bottom")
    for site in ctx.user_sites:
        lon = float(near(np.array([site.lon]), view.centre_lon)[0])
        if site.is_area:
            add_poly(ax, shifted(site.geometry, lon - site.lon), STYLES["user-area"], zorder=7)
        ax.plot(
            [lon],
            [site.lat],
            marker="o",
            markersize=6,
            markerfacecolor=STYLES["user"]["fillColor"],
            markeredgecolor=STYLES["user"]["color"],
            zorder=9,
        )
        figure_text(ax, lon + 0.1, site.lat, site.name, va="center", fontsize=7)


def _draw_geodesic(ax: Any, ctx: Scene, site: Any) -> None:
    """The geodesic line from the home island to *site*, its length at its middle."""
    from ..geodesy import distance, forward, geodesic_line

    a, b = (ctx.home.lat, ctx.home.lon), (site.lat, site.lon)
    line = np.asarray(geodesic_line(a, b))
    ax.plot(line[:, 1], line[:, 0], color=STYLES["geodesic"]["color"], linewidth=1.4, zorder=6)
    d = distance(a, b)
    my, mx = forward(
        np.array([a[0]]), np.array([a[1]]), np.array([d.initial_bearing_deg]), np.array([d.metres / 2])
    )
    figure_text(
        ax, float(mx[0]) - 0.06, float(my[0]), f"{d.km:,.1f} km · {d.nm:,.1f} NM", ha="right", va="center"
    )


def _lon_label(v: float, _: Any = None) -> str:
    lon = wrap_lon(v)
    return f"{lon:.0f}°E" if lon >= 0 else f"{-lon:.0f}°W"


def _lat_label(v: float, _: Any = None) -> str:
    return f"{v:.0f}°N" if v >= 0 else f"{-v:.0f}°S"


def _decorate(view: _View, title: str) -> None:
    """Graticule labels, the scale bar and the title."""
    from matplotlib.ticker import FuncFormatter

    ax = view.ax
    ax.xaxis.set_major_formatter(FuncFormatter(_lon_label))
    ax.yaxis.set_major_formatter(FuncFormatter(_lat_label))
    ax.tick_params(labelsize=8)
    ax.grid(color="white", linewidth=0.5, alpha=0.6, zorder=0.5)
    x0, x1 = ax.get_xlim()
    scale_bar(ax, x0 + 0.04 * (x1 - x0), view.ys + 0.07 * (view.yn - view.ys))
    ax.set_title(title, fontsize=13, loc="left", fontweight="bold")


def _draw_credits(fig: Any, ctx: Scene) -> None:
    """The key figures (beside the map, under the legend) and every layer's attribution."""
    from ..layers import manifest
    from ..seabed import BATHYMETRY_LAYER, ISA_LAYER

    fig.text(
        0.64,
        0.11,
        "\n".join(_figure_facts(ctx)),
        fontsize=7.5,
        va="bottom",
        ha="left",
        parse_math=False,
        linespacing=1.45,
        wrap=True,
    )
    attributions = [z.layer.attribution for z in ctx.zone_layers] + [i.attribution for i in ctx.land_infos]
    attributions += [manifest().get(BATHYMETRY_LAYER).attribution, manifest().get(ISA_LAYER).attribution]
    if ctx.home.layer is not None:
        attributions.append(ctx.home.layer.attribution)
    if ctx.user_sites:
        attributions.append("Your sites: user-supplied")
    fig.text(
        0.05,
        0.018,
        "Data: " + " · ".join(attributions) + ". Zones drawn simplified; figures use the "
        "full geometry. Not for legal or navigational use.",
        fontsize=6.5,
        color="#444444",
        wrap=True,
        parse_math=False,
        va="bottom",
    )


def _figure_facts(ctx: Scene) -> list[str]:
    """The title panel's key figures as plain lines of text."""
    lines = ["Key figures"]
    for head, body in key_figures(ctx):
        lines.append(f"{head}:\n    " + "\n    ".join(body))
    lines.append("Layers:\n    " + "\n    ".join(f"{i} ({v})" for i, v, _ in layer_refs(ctx)))
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
