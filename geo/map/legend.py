"""The legend, built once from the scene and the style; :mod:`geo.map.html` and
:mod:`geo.map.figure` only draw its entries (an SVG swatch, a matplotlib handle).

Labels are plain text: the HTML escapes them, the figure wraps them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .scene import ISA_CITATION, Scene, approx_label, display_isa, island_lines, zone_class
from .style import DEPTH_COLOURS, ISLAND_LINES, NESTED_STYLE, POINT_CLASSES, SEA, STYLES, ZONE_CLASSES

#: What a swatch shows: a filled shape, a line, a circle marker, the home island's marker,
#: a point of the point layer, the sea, or nothing (a note under the entry above).
Swatch = Literal["polygon", "line", "circle", "marker", "dot", "sea", "note"]


@dataclass(frozen=True)
class Entry:
    """One legend row: a swatch in a style, and its plain-text label."""

    swatch: Swatch
    label: str
    style: Mapping[str, Any] = field(default_factory=dict)
    #: the style's key in :data:`geo.map.style.STYLES` (it names the hatch, if any)
    key: str = ""


def entries(
    ctx: Scene,
    sites: Sequence[Any] | None = None,
    point_counts: Mapping[str, int] | None = None,
    bands: bool = False,
) -> list[Entry]:
    """The legend of a scene, top to bottom.

    *sites* are the built-in sites drawn (default: all of them), *point_counts*
    the number of user points per answer, *bands* whether depth bands are drawn.
    """
    from ..geodesy import EEZ_LIMIT_M

    present = {
        zone_class(str(z.pol_type[i]), z.sovereign_isos[i])
        for z, (rows, _) in zip(ctx.zone_layers, ctx.zone_display, strict=True)
        for i in rows.tolist()
    }
    out = [Entry("polygon", label, STYLES[k], k) for k, label in ZONE_CLASSES.items() if k in present]
    out += _nested_entries(ctx)
    home = ctx.home.short_name
    out += [
        Entry(
            "sea",
            "High seas (no zone)" + (": the depth shading only" if bands else ""),
            {"fillColor": DEPTH_COLOURS[5000] if bands else SEA, "color": "#9fb6c6"},
        ),
        Entry("polygon", "Land (Natural Earth)", STYLES["land"], "land"),
        Entry(
            "line",
            f"200 NM ({EEZ_LIMIT_M / 1000:,.1f} km) from {home}, geodesic circle",
            STYLES["limit"],
            "limit",
        ),
        Entry("marker", ctx.home.name),
    ]
    lines = island_lines(ctx)
    out += [
        Entry("line", f"{short} from {home}", ISLAND_LINES[zone][1], zone) for zone, short, _, _, _ in lines
    ]
    if lines:
        out.append(Entry("note", f"The 12 and 24 NM lines are {lines[0][3]}"))
    if display_isa(ctx.seabed_bbox):
        out += [
            Entry("polygon", "ISA exploration contract area (contractor in its popup)", STYLES["isa"], "isa"),
            Entry("polygon", "ISA reserved area", STYLES["isa-reserved"], "isa-reserved"),
            Entry("note", ISA_CITATION),
        ]
    if ctx.island_value is not None:
        v = ctx.island_value
        out.append(
            Entry(
                "polygon",
                f"What {v.name} is worth: {v.area_km2:,.0f} km² of {v.sovereign}'s EEZ "
                f"({v.share * 100:.1f} %), computed",
                STYLES["island-value"],
                "island-value",
            )
        )
    out += _site_entries(ctx, ctx.sites if sites is None else sites)
    out.append(Entry("line", "Geodesic (great-circle) line, km · NM", STYLES["geodesic"], "geodesic"))
    if ctx.user_sites:
        out.append(Entry("circle", f"Your sites ({len(ctx.user_sites)})", STYLES["user"], "user"))
    for a, (color, text) in reversed(POINT_CLASSES.items()):
        if point_counts and point_counts.get(a):
            out.append(Entry("dot", f"Your points: {text} ({point_counts[a]:,})", {"fillColor": color}))
    return out


def _nested_entries(ctx: Scene) -> list[Entry]:
    if not ctx.nested_ids:
        return []
    from ..layers import manifest

    out = []
    for layer_id in ctx.nested_ids:
        label, style = NESTED_STYLE.get(
            manifest().get(layer_id).kind, (layer_id, NESTED_STYLE["eez_12nm"][1])
        )
        out.append(Entry("polygon", f"{label} ({layer_id})", style))
    return out


def _site_entries(ctx: Scene, sites: Sequence[Any]) -> list[Entry]:
    out = []
    for site in sites:
        if site.id == ctx.home.id:
            continue
        if site.is_area:
            out.append(Entry("polygon", site.short_name, STYLES["area"], "area"))
        elif site.approximate:
            out.append(Entry("circle", approx_label(site), STYLES["approx"], "approx"))
            out.append(Entry("polygon", "its uncertainty area", STYLES["uncertainty"], "uncertainty"))
        else:
            out.append(Entry("circle", site.name, STYLES["point-site"], "point-site"))
    return out
