"""The static figure (matplotlib, no pyplot): the scene drawn in the map's style."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .._io import atomic_path, check_output
from ..errors import OutputError
from .scene import (COUNTRY, DEFAULT_TITLE, Scene, approx_label, build_scene, depth_label, display_bathymetry,
                    display_isa, key_figures, layer_refs, near, zone_class)
from .style import DEPTH_COLOURS, MPL_HATCH, POINT_CLASSES, SEA, STYLES, ZONE_CLASSES


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
    hatch = MPL_HATCH.get(key)
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
    from ..geodesy import NM, forward

    for i, (metres, label) in enumerate(((100_000.0, "100 km"), (50 * NM, "50 NM"))):
        y = lat0 - 0.22 * i
        x1 = float(forward(np.array([lon0]), np.array([y]), np.array([90.0]), np.array([metres]))[0][0])
        ax.plot([lon0, x1], [y, y], color="#111111", linewidth=3, solid_capstyle="butt", zorder=30)
        _figure_text(ax, x1 + 0.08, y, label, va="center", fontsize=8, box=False, zorder=30)


def draw_figure(*, layers: Sequence[str] | None = None, tiles: Sequence[str] = (),
                user_sites: Sequence[Any] = (), points: Any = None, title: str | None = None,
                island: str | None = None) -> Any:
    """The static map as a matplotlib Figure (no pyplot, no global state); see :func:`write_figure`."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from ..geodesy import distance, forward, geodesic_line
    from ..zones import classify

    title = title or DEFAULT_TITLE
    ctx = build_scene(layers, tuple(user_sites), island)
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
    bands = display_bathymetry(ctx.seabed_bbox)
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
            cls = zone_class(str(zones.pol_type[int(i)]), zones.sovereign_isos[int(i)])
            _add_poly(ax, g, STYLES[cls], key=cls, zorder=1 + list(ZONE_CLASSES).index(cls) * 0.1)
    for land in ctx.land_display:
        for g in land:
            g = clipped(g)
            if not g.is_empty:
                _add_poly(ax, g, STYLES["land"], zorder=2)
    ring = np.asarray(ctx.circle.exterior.coords)
    ax.plot(ring[:, 0], ring[:, 1], color=STYLES["limit"]["color"], linewidth=1.6, linestyle=(0, (5, 3.5)),
            zorder=4)
    isa = display_isa(ctx.seabed_bbox)
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
                ax.scatter(near(plon[sel], cx), plat[sel], s=2, color=color, linewidths=0, alpha=0.8,
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
        mx, my = forward(np.array([a[1]]), np.array([a[0]]), np.array([d.initial_bearing_deg]),
                         np.array([d.metres / 2]))
        _figure_text(ax, float(mx[0]) - 0.06, float(my[0]), f"{d.km:,.1f} km · {d.nm:,.1f} NM", ha="right",
                     va="center")
        if site.approximate:
            st = STYLES["approx"]
            ax.plot([site.lon], [site.lat], marker="o", markersize=7, markerfacecolor="white",
                    markeredgecolor=st["color"], markeredgewidth=1.8, zorder=8)
            _figure_text(ax, site.lon + 0.12, site.lat, approx_label(site), va="center",
                         color="#004b52")
        elif not site.is_area:
            ax.plot([site.lon], [site.lat], marker="o", markersize=6, markerfacecolor="white",
                    markeredgecolor=STYLES["point-site"]["color"], markeredgewidth=1.8, zorder=8)
            _figure_text(ax, site.lon + 0.1, site.lat, site.name, va="center")
    ax.plot([home.lon], [home.lat], marker="v", markersize=10, markerfacecolor="#2a81cb",
            markeredgecolor="#1b4f7a", zorder=9)
    _figure_text(ax, home.lon + 0.12, home.lat + 0.08, home.name, va="bottom")
    for site in ctx.user_sites:
        lon = float(near(np.array([site.lon]), cx)[0])
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

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{(v + 180) % 360 - 180:.0f}°E" if
                                               (v + 180) % 360 - 180 >= 0 else f"{-((v + 180) % 360 - 180):.0f}°W"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}°N" if v >= 0 else f"{-v:.0f}°S"))
    ax.tick_params(labelsize=8)
    ax.grid(color="white", linewidth=0.5, alpha=0.6, zorder=0.5)
    x0, x1 = ax.get_xlim()
    _scale_bar(ax, x0 + 0.04 * (x1 - x0), ys + 0.07 * (yn - ys))
    ax.set_title(title, fontsize=13, loc="left", fontweight="bold")

    # legend
    present = {zone_class(str(z.pol_type[int(i)]), z.sovereign_isos[int(i)])
               for z, (rows, _) in zip(ctx.zone_layers, ctx.zone_display) for i in rows}
    handles = []
    for key, label in ZONE_CLASSES.items():
        if key not in present:
            continue
        st = STYLES[key]
        hatch = MPL_HATCH.get(key)
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
                                  label=approx_label(site).replace(": ", ":\n")))
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
                                   f"{depth_label(bands[0][0], bands[0][1])} … "
                                   f"{depth_label(bands[-1][0], bands[-1][1])})"))
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
    from ..layers import manifest
    from ..seabed import BATHYMETRY_LAYER, ISA_LAYER

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
