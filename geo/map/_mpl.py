"""matplotlib drawing primitives of the figure: shapely paths, the map's styles as patch and
line properties, text that is never mathtext, the scale bar and legend handles."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np

from .legend import Entry
from .style import MPL_HATCH


def mpl_path(geom: Any) -> Any:
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


def mpl_dash(style: dict[str, Any]) -> Any:
    if not style.get("dashArray"):
        return "solid"
    on, off = (float(x) for x in style["dashArray"].split())
    return (0, (on / 2, off / 2))


def add_poly(ax: Any, geom: Any, style: dict[str, Any], key: str = "", zorder: float = 1, **kw: Any) -> None:
    from matplotlib.patches import PathPatch

    path = mpl_path(geom)
    if path is None:
        return
    hatch = MPL_HATCH.get(key)
    fill = style.get("fill", True) is not False
    face = style.get("fillColor", style["color"]) if fill and not hatch else "none"
    alpha = style.get("fillOpacity", 0.3) if fill and not hatch else None
    ax.add_patch(
        PathPatch(
            path,
            facecolor=face if not hatch else (0, 0, 0, 0),
            edgecolor="none",
            alpha=alpha,
            zorder=zorder,
            **kw,
        )
    )
    ax.add_patch(
        PathPatch(
            path,
            facecolor="none",
            edgecolor=style["color"],
            hatch=hatch,
            linewidth=min(style.get("weight", 1), 2.5) * 0.6,
            linestyle=mpl_dash(style),
            zorder=zorder + 0.01,
            **kw,
        )
    )


def figure_text(ax: Any, x: float, y: float, text: str, **kw: Any) -> Any:
    """Data text on the figure: never parsed as mathtext ($...$)."""
    box = kw.pop("box", True)
    t = ax.text(
        x, y, text, parse_math=False, fontsize=kw.pop("fontsize", 8), zorder=kw.pop("zorder", 20), **kw
    )
    if box:
        t.set_bbox(
            {
                "boxstyle": "round,pad=0.25",
                "facecolor": "white",
                "edgecolor": "#888888",
                "linewidth": 0.5,
                "alpha": 0.9,
            }
        )
    return t


def scale_bar(ax: Any, lon0: float, lat0: float) -> None:
    """100 km and 50 NM bars, true at their own latitude (the figure is equirectangular)."""
    from ..geodesy import NM, forward

    for i, (metres, label) in enumerate(((100_000.0, "100 km"), (50 * NM, "50 NM"))):
        y = lat0 - 0.22 * i
        x1 = float(forward(np.array([y]), np.array([lon0]), np.array([90.0]), np.array([metres]))[1][0])
        ax.plot([lon0, x1], [y, y], color="#111111", linewidth=3, solid_capstyle="butt", zorder=30)
        figure_text(ax, x1 + 0.08, y, label, va="center", fontsize=8, box=False, zorder=30)


def handle(entry: Entry) -> Any:
    """A legend entry as a matplotlib legend handle (the label wrapped to the legend's width)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    label = textwrap.fill(entry.label, 34, subsequent_indent="  ")
    st = entry.style
    if entry.swatch in ("polygon", "sea"):
        hatch = MPL_HATCH.get(entry.key)
        fill = st.get("fill", True) is not False and not hatch
        return Patch(
            facecolor=st.get("fillColor", st.get("color")) if fill else "none",
            alpha=max(0.6, min(1.0, st.get("fillOpacity", 1.0))) if fill else None,
            edgecolor=st.get("color", "none"),
            hatch=hatch,
            linestyle=mpl_dash(dict(st)),
            label=label,
        )
    if entry.swatch == "line":
        return Line2D(
            [],
            [],
            color=st["color"],
            linestyle=mpl_dash(dict(st)),
            linewidth=min(st.get("weight", 1), 2.5) * 0.7,
            label=label,
        )
    if entry.swatch in ("circle", "dot"):
        return Line2D(
            [],
            [],
            marker="o",
            color="none",
            markerfacecolor=st["fillColor"],
            markeredgecolor=st.get("color", "none"),
            markeredgewidth=1.5,
            markersize=7 if entry.swatch == "circle" else 5,
            label=label,
        )
    if entry.swatch == "marker":
        return Line2D(
            [],
            [],
            marker="v",
            color="none",
            markerfacecolor="#2a81cb",
            markeredgecolor="#1b4f7a",
            markersize=9,
            label=label,
        )
    return Patch(facecolor="none", edgecolor="none", label=label)  # a note
