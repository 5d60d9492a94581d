"""The overlays of the HTML map: the scene as ``eezmap.group`` specs, one per toggleable layer."""

from __future__ import annotations

from typing import Any

import numpy as np

from .html import approx_html, esc, isa_popup, island_value_popup, site_popup, zone_popup
from .leaflet import (
    GroupSpec,
    Item,
    JsLayer,
    encode,
    encode_line,
    encode_polygonal,
    group,
    item,
)
from .scene import (
    DISPLAY_DECIMALS,
    FINE_DECIMALS,
    Scene,
    approx_label,
    depth_label,
    display_bathymetry,
    display_isa,
    display_zones,
    island_lines,
    near,
    shifted,
    zone_class,
)
from .style import DEPTH_COLOURS, ISLAND_LINES, NESTED_STYLE, STYLES, ZONE_CLASSES

D, F = DISPLAY_DECIMALS, FINE_DECIMALS


def zone_groups(ctx: Scene) -> list[JsLayer]:
    """One overlay per zone class (Japan's, shared, other states'), zones of every layer together."""
    by_class: dict[str, list[Item]] = {k: [] for k in ZONE_CLASSES}
    attribution = []
    for zones, (rows, geoms) in zip(ctx.zone_layers, ctx.zone_display, strict=True):
        attribution.append(esc(zones.layer.attribution))
        for i, g in zip(rows.tolist(), geoms, strict=True):
            cls = zone_class(str(zones.pol_type[i]), zones.sovereign_isos[i])
            by_class[cls].append(
                item(
                    "polygon",
                    geometry=encode_polygonal(g, D),
                    decimals=D,
                    style=cls,
                    popup=zone_popup(zones, i),
                    tooltip=esc(zones.name[i]),
                    item_id=f"zone-{int(zones.mrgid[i])}",
                )
            )
    groups = []
    for cls, label in ZONE_CLASSES.items():
        if not by_class[cls]:
            continue
        spec: GroupSpec = {
            "id": f"zones-{cls}",
            "pane": "eezmapZones",
            "styles": {cls: STYLES[cls]},
            "attribution": " · ".join(attribution),
            "items": by_class[cls],
        }
        groups.append(group(f"Zones: {label}", spec))
    return groups


def nested_groups(ctx: Scene) -> list[JsLayer]:
    """One layer per nested zone layer (internal waters, 12 NM, 24 NM), each toggleable."""
    from ..layers import load_zones

    groups = []
    for layer_id in ctx.nested_ids:
        zones = load_zones(layer_id)
        label, style = NESTED_STYLE.get(zones.layer.kind, (zones.layer.kind, NESTED_STYLE["eez_12nm"][1]))
        rows, geoms = display_zones(layer_id)
        items = [
            item(
                "polygon",
                geometry=encode_polygonal(g, D),
                decimals=D,
                style="nested",
                popup=zone_popup(zones, i),
                tooltip=esc(f"{label}: {zones.name[i]}"),
                item_id=f"{layer_id}-{int(zones.mrgid[i])}",
            )
            for i, g in zip(rows.tolist(), geoms, strict=True)
        ]
        spec: GroupSpec = {
            "id": f"nested-{layer_id}",
            "pane": "eezmapZones",
            "styles": {"nested": style},
            "attribution": esc(zones.layer.attribution),
            "items": items,
        }
        groups.append(group(f"{label} ({layer_id})", spec))
    return groups


def land_group(ctx: Scene) -> JsLayer:
    items = []
    for land in ctx.land_display:
        for g in land:
            enc = encode_polygonal(g, D)
            if enc:
                items.append(item("polygon", geometry=enc, decimals=D, style="land"))
    spec: GroupSpec = {
        "id": "land",
        "pane": "eezmapLand",
        "styles": {"land": STYLES["land"]},
        "attribution": " · ".join(esc(i.attribution) for i in ctx.land_infos),
        "items": items,
    }
    return group("Land: " + ", ".join(i.id for i in ctx.land_infos), spec)


def limit_group(ctx: Scene) -> JsLayer:
    from ..geodesy import EEZ_LIMIT_M

    coords = np.asarray(ctx.circle.exterior.coords)[:-1]
    tip = (
        f"200 NM ({EEZ_LIMIT_M / 1000:.1f} km) from {esc(ctx.home.name)}: a geodesic circle on the "
        "WGS84 ellipsoid (computed by eezmap with pyproj)"
    )
    circle = item(
        "polygon",
        geometry=[[encode(coords, F)]],
        decimals=F,
        style="limit",
        tooltip=tip,
        item_id="limit-200nm",
    )
    return group(
        "200 NM limit around " + ctx.home.short_name,
        {"id": "limit", "pane": "eezmapLimit", "styles": {"limit": STYLES["limit"]}, "items": [circle]},
    )


def bathymetry_group(ctx: Scene) -> tuple[JsLayer, list[tuple[int, int | None]]]:
    """The depth-band shading (deeper bands drawn over shallower ones) and the bands drawn."""
    from ..layers import manifest
    from ..seabed import BATHYMETRY_LAYER

    info = manifest().get(BATHYMETRY_LAYER)
    items, drawn, styles = [], [], {}
    for band, to, parts in display_bathymetry(ctx.seabed_bbox):
        enc = [p for g in parts for p in encode_polygonal(g, D)]
        if not enc:
            continue
        key = f"d{band}"
        styles[key] = {"stroke": False, "fillColor": DEPTH_COLOURS.get(band, "#7ba4c7"), "fillOpacity": 1}
        tip = (
            f"Depth band {depth_label(band, to)} (Natural Earth 1:10m depth bands: a band of a "
            "1:10m generalisation, not a measured depth)"
        )
        items.append(
            item("polygon", geometry=enc, decimals=D, style=key, tooltip=esc(tip), item_id=f"depth-{band}")
        )
        drawn.append((band, to))
    spec: GroupSpec = {
        "id": "bathymetry",
        "pane": "eezmapBathymetry",
        "styles": styles,
        "attribution": esc(info.attribution),
        "items": items,
    }
    return group("Depth bands (Natural Earth 1:10m)", spec), drawn


def isa_group(ctx: Scene) -> JsLayer | None:
    from ..layers import manifest
    from ..seabed import ISA_LAYER

    areas = display_isa(ctx.seabed_bbox)
    if not areas:
        return None
    items = []
    for k, (c, geom, blocks, km2) in enumerate(areas):
        style = "isa" if c.status == "exploration" else "isa-reserved"
        who = "Reserved area" if c.status == "reserved" else c.contractor
        tip = f"ISA {c.status}: {c.contractor}, {c.resource} (July 2019)"
        items.append(
            item(
                "polygon",
                geometry=encode_polygonal(geom, D),
                decimals=D,
                style=style,
                popup=isa_popup(c, blocks, km2),
                tooltip=esc(tip),
                item_id=f"isa-{k}",
            )
        )
        pt = geom.centroid  # the middle of a contract's scattered blocks (a label, not a position)
        items.append(
            item(
                "label",
                latlng=[round(pt.y, 3), round(pt.x, 3)],
                html=f"<span>{esc(who)}</span>",
                class_name="eezmap-label-isa",
                item_id=f"isa-label-{k}",
            )
        )
    spec: GroupSpec = {
        "id": "isa",
        "pane": "eezmapSeabed",
        "styles": {k: STYLES[k] for k in ("isa", "isa-reserved")},
        "attribution": esc(manifest().get(ISA_LAYER).attribution),
        "items": items,
    }
    return group("Seabed: ISA exploration contract and reserved areas (July 2019)", spec)


def island_lines_group(ctx: Scene) -> JsLayer | None:
    lines = island_lines(ctx)
    if not lines:
        return None
    home = ctx.home.short_name
    items = [
        item(
            "polygon",
            geometry=encode_polygonal(g, 4),
            decimals=4,
            style=zone,
            tooltip=esc(f"{short} from {home}'s coastline: {label}"),
            item_id=f"island-{zone}",
        )
        for zone, short, g, label, _ in lines
    ]
    spec: GroupSpec = {
        "id": "island-zones",
        "pane": "eezmapLimit",
        "styles": {z: ISLAND_LINES[z][1] for z in ISLAND_LINES},
        "attribution": esc(lines[0][4].attribution),
        "items": items,
    }
    return group(f"12 and 24 NM around {home} (computed from the coastline)", spec)


def island_value_group(ctx: Scene) -> JsLayer | None:
    import shapely

    v = ctx.island_value
    if v is None:
        return None
    geom = shapely.transform(shapely.simplify(v.geometry, 0.005), lambda c: np.round(c, D))
    tip = f"What {v.name} is worth: {v.area_km2:,.0f} km² of {v.sovereign}'s EEZ (computed)"
    area = item(
        "polygon",
        geometry=encode_polygonal(geom, D),
        decimals=D,
        style="island-value",
        popup=island_value_popup(v),
        tooltip=esc(tip),
        item_id=f"island-value-{v.island}",
    )
    return group(
        f"What {v.name} is worth ({v.area_km2:,.0f} km²)",
        {
            "id": "island-value",
            "pane": "eezmapLimit",
            "styles": {"island-value": STYLES["island-value"]},
            "attribution": "Island value: computed by eezmap",
            "items": [area],
        },
    )


def _site_items(site: Any, ctx: Scene, popup: str) -> list[Item]:
    """A built-in site: its marker, circle or area (and label), its uncertainty area."""
    label = {"permanent": True, "direction": "right", "className": "eezmap-site-label"}
    items = []
    if site.uncertainty_area is not None:
        items.append(
            item(
                "polygon",
                geometry=encode_polygonal(site.uncertainty_area, F),
                decimals=F,
                style="uncertainty",
                popup=popup,
                tooltip=esc(f"Uncertainty area: {approx_label(site)}"),
                item_id=f"uncertainty-{site.id}",
            )
        )
    if site.is_area:
        items.append(
            item(
                "polygon",
                geometry=encode_polygonal(site.geometry, F),
                decimals=F,
                style="area",
                popup=popup,
                tooltip=esc(site.name),
                item_id=f"site-{site.id}",
            )
        )
        items.append(
            item(
                "label",
                latlng=[site.geometry.bounds[1], site.lon],
                html=f"<span>{esc(site.name)}</span>",
                class_name="eezmap-label-below",
                item_id=f"label-{site.id}",
            )
        )
    elif site.id == ctx.home.id:
        items.append(
            item(
                "marker",
                latlng=[site.lat, site.lon],
                popup=popup,
                tooltip=esc(site.name),
                tooltip_options=label,
                options={"alt": site.name, "riseOnHover": True},
                item_id=f"site-{site.id}",
            )
        )
    elif site.approximate:
        items.append(
            item(
                "circle",
                latlng=[site.lat, site.lon],
                style="approx",
                popup=popup,
                tooltip=approx_html(site),
                tooltip_options={
                    "permanent": True,
                    "direction": "right",
                    "offset": [10, 0],
                    "className": "eezmap-approx-label",
                },
                item_id=f"site-{site.id}",
            )
        )
    else:
        items.append(
            item(
                "circle",
                latlng=[site.lat, site.lon],
                style="point-site",
                popup=popup,
                tooltip=esc(site.name),
                tooltip_options=label,
                item_id=f"site-{site.id}",
            )
        )
    return items


def _geodesic_items(site: Any, ctx: Scene) -> list[Item]:
    """The geodesic line from the home island to a site, and its length as a label."""
    from ..geodesy import distance, forward, geodesic_line

    a, b = (ctx.home.lat, ctx.home.lon), (site.lat, site.lon)
    d = distance(a, b)
    text = f"{d.km:,.1f} km · {d.nm:,.1f} NM"
    target = (
        "the centre of " if site.is_area else ("the approximate position of " if site.approximate else "")
    )
    tip = (
        f"Geodesic (WGS84) from {ctx.home.name} to {target}{site.name}: {d.km:,.1f} km = "
        f"{d.nm:,.1f} NM, initial bearing {d.initial_bearing_deg:.0f}°"
    )
    my, mx = forward(
        np.array([a[0]]), np.array([a[1]]), np.array([d.initial_bearing_deg]), np.array([d.metres / 2])
    )
    return [
        item(
            "line",
            geometry=encode_line(geodesic_line(a, b)),
            decimals=F,
            style="geodesic",
            tooltip=esc(tip),
            item_id=f"geodesic-{site.id}",
        ),
        item(
            "label",
            latlng=[round(float(my[0]), 6), round(float(mx[0]), 6)],
            html=f'<span title="{esc(tip)}">{esc(text)}</span>',
            class_name="eezmap-label-dist",
            item_id=f"geodesic-label-{site.id}",
        ),
    ]


def site_groups(ctx: Scene) -> tuple[JsLayer, JsLayer]:
    """The built-in sites, and the geodesic lines to the sites of the opening view."""
    items: list[Item] = []
    lines: list[Item] = []
    answers = dict(zip([s.id for s in ctx.sites], ctx.site_answers[: len(ctx.sites)], strict=True))
    for site in ctx.sites:
        items += _site_items(site, ctx, site_popup(site, ctx, answers[site.id]))
        if site.id != ctx.home.id and site in ctx.story:
            lines += _geodesic_items(site, ctx)
    sites_info = ctx.home.layer
    attribution = esc(sites_info.attribution) if sites_info is not None else ""
    styles = {k: STYLES[k] for k in ("area", "uncertainty", "approx", "point-site")}
    g1 = group(
        "Sites: islands, rare-earth mud area, Chikyu site (approximate), JOGMEC contract area",
        {"id": "sites", "pane": "eezmapSites", "styles": styles, "attribution": attribution, "items": items},
    )
    g2 = group(
        "Geodesic distances from the island",
        {
            "id": "geodesics",
            "pane": "eezmapLines",
            "styles": {"geodesic": STYLES["geodesic"]},
            "attribution": attribution,
            "items": lines,
        },
    )
    return g1, g2


def user_group(ctx: Scene, centre_lon: float) -> JsLayer | None:
    if not ctx.user_sites:
        return None

    items = []
    answers = ctx.site_answers[len(ctx.sites) :]
    for site, answer in zip(ctx.user_sites, answers, strict=True):
        popup = site_popup(site, ctx, answer)
        lon = float(near(np.array([site.lon]), centre_lon)[0])
        if site.is_area:
            geom = shifted(site.geometry, lon - site.lon)
            items.append(
                item(
                    "polygon",
                    geometry=encode_polygonal(geom, F),
                    decimals=F,
                    style="user-area",
                    popup=popup,
                    tooltip=esc(site.name),
                )
            )
        items.append(
            item(
                "circle",
                latlng=[site.lat, lon],
                style="user",
                popup=popup,
                tooltip=esc(site.name),
                tooltip_options={},
                item_id=esc(site.id),
            )
        )
    sources = sorted({s.source for s in ctx.user_sites if s.source})
    attribution = "Your sites: " + esc("; ".join(sources) if sources else "user-supplied")
    return group(
        f"Your sites ({len(ctx.user_sites)})",
        {
            "id": "user-sites",
            "pane": "eezmapUser",
            "styles": {k: STYLES[k] for k in ("user", "user-area")},
            "attribution": attribution,
            "items": items,
        },
    )
