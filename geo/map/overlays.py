"""The overlays of the HTML map: the scene as ``eezmap.group`` specs (one per toggleable layer)."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from .html import approx_html, esc, isa_popup, island_value_popup, site_popup, zone_popup
from .leaflet import JsLayer, encode, encode_line, encode_polygonal, group, to_js
from .scene import (COUNTRY, DISPLAY_DECIMALS, FINE_DECIMALS, MAX_POINTS, PointSummary, Scene, approx_label,
                    depth_label, display_bathymetry, display_isa, display_zones, island_lines, near, zone_class)
from .style import DEPTH_COLOURS, ISLAND_LINES, NESTED_STYLE, POINT_CLASSES, STYLES, ZONE_CLASSES


def zone_groups(ctx: Scene) -> list[JsLayer]:
    by_class: dict[str, list[dict[str, Any]]] = {k: [] for k in ZONE_CLASSES}
    attribution = []
    for zones, (rows, geoms) in zip(ctx.zone_layers, ctx.zone_display):
        attribution.append(esc(zones.layer.attribution))
        for i, g in zip(rows, geoms):
            i = int(i)
            cls = zone_class(str(zones.pol_type[i]), zones.sovereign_isos[i])
            by_class[cls].append({
                "t": "poly", "g": encode_polygonal(g, DISPLAY_DECIMALS), "k": 10 ** DISPLAY_DECIMALS,
                "s": cls, "p": zone_popup(zones, i), "tt": esc(zones.name[i]), "to": {"sticky": True},
                "id": f"zone-{int(zones.mrgid[i])}",
            })
    groups = []
    for cls, label in ZONE_CLASSES.items():
        if not by_class[cls]:
            continue
        spec = {"id": f"zones-{cls}", "pane": "eezmapZones", "styles": {cls: STYLES[cls]},
                "attribution": " · ".join(attribution), "items": by_class[cls]}
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
        items = [{
            "t": "poly", "g": encode_polygonal(g, DISPLAY_DECIMALS), "k": 10 ** DISPLAY_DECIMALS,
            "s": "nested", "p": zone_popup(zones, int(i)), "tt": esc(f"{label}: {zones.name[int(i)]}"),
            "to": {"sticky": True}, "id": f"{layer_id}-{int(zones.mrgid[int(i)])}",
        } for i, g in zip(rows, geoms)]
        spec = {"id": f"nested-{layer_id}", "pane": "eezmapZones", "styles": {"nested": style},
                "attribution": esc(zones.layer.attribution), "items": items}
        groups.append(group(f"{label} ({layer_id})", spec))
    return groups


def land_group(ctx: Scene) -> JsLayer:
    items = []
    for land in ctx.land_display:
        for g in land:
            enc = encode_polygonal(g, DISPLAY_DECIMALS)
            if enc:
                items.append({"t": "poly", "g": enc, "k": 10 ** DISPLAY_DECIMALS, "s": "land"})
    spec = {"id": "land", "pane": "eezmapLand", "styles": {"land": STYLES["land"]},
            "attribution": " · ".join(esc(i.attribution) for i in ctx.land_infos), "items": items}
    return group("Land: " + ", ".join(i.id for i in ctx.land_infos), spec)


def limit_group(ctx: Scene) -> JsLayer:
    from ..geodesy import EEZ_LIMIT_M

    coords = np.asarray(ctx.circle.exterior.coords)[:-1]
    tip = (f"200 NM ({EEZ_LIMIT_M / 1000:.1f} km) from {esc(ctx.home.name)}: a geodesic circle on the "
           "WGS84 ellipsoid (computed by eezmap with pyproj)")
    item = {"t": "poly", "g": [[encode(coords, FINE_DECIMALS)]], "k": 10 ** FINE_DECIMALS, "s": "limit",
            "tt": tip, "to": {"sticky": True}, "id": "limit-200nm"}
    return group("200 NM limit around " + ctx.home.name.split(" (")[0], {
        "id": "limit", "pane": "eezmapLimit", "styles": {"limit": STYLES["limit"]}, "items": [item]})


def bathymetry_group(ctx: Scene) -> tuple[JsLayer, list[tuple[int, int | None]]]:
    """The depth-band shading (deeper bands drawn over shallower ones) and the bands drawn."""
    from ..layers import manifest
    from ..seabed import BATHYMETRY_LAYER

    info = manifest().get(BATHYMETRY_LAYER)
    items, drawn, styles = [], [], {}
    for band, to, parts in display_bathymetry(ctx.seabed_bbox):
        enc = [p for g in parts for p in encode_polygonal(g, DISPLAY_DECIMALS)]
        if not enc:
            continue
        key = f"d{band}"
        styles[key] = {"stroke": False, "fillColor": DEPTH_COLOURS.get(band, "#7ba4c7"), "fillOpacity": 1}
        tip = (f"Depth band {depth_label(band, to)} (Natural Earth 1:10m depth bands: a band of a "
               "1:10m generalisation, not a measured depth)")
        items.append({"t": "poly", "g": enc, "k": 10 ** DISPLAY_DECIMALS, "s": key, "tt": esc(tip),
                      "to": {"sticky": True}, "id": f"depth-{band}"})
        drawn.append((band, to))
    spec = {"id": "bathymetry", "pane": "eezmapBathymetry", "styles": styles,
            "attribution": esc(info.attribution), "items": items}
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
        items.append({"t": "poly", "g": encode_polygonal(geom, DISPLAY_DECIMALS), "k": 10 ** DISPLAY_DECIMALS,
                      "s": style, "p": isa_popup(c, blocks, km2), "tt": esc(tip), "to": {"sticky": True},
                      "id": f"isa-{k}"})
        pt = geom.centroid  # the middle of a contract's scattered blocks (a label, not a position)
        items.append({"t": "label", "ll": [round(pt.y, 3), round(pt.x, 3)], "h": f"<span>{esc(who)}</span>",
                      "c": "eezmap-label-isa", "id": f"isa-label-{k}"})
    spec = {"id": "isa", "pane": "eezmapSeabed", "styles": {k: STYLES[k] for k in ("isa", "isa-reserved")},
            "attribution": esc(manifest().get(ISA_LAYER).attribution), "items": items}
    return group("Seabed: ISA exploration contract and reserved areas (July 2019)", spec)


def island_lines_group(ctx: Scene) -> JsLayer | None:
    lines = island_lines(ctx)
    if not lines:
        return None
    home = ctx.home.name.split(" (")[0]
    items = [{"t": "poly", "g": encode_polygonal(g, 4), "k": 10 ** 4, "s": zone,
              "tt": esc(f"{short} from {home}'s coastline: {label}"), "to": {"sticky": True},
              "id": f"island-{zone}"} for zone, short, g, label, _ in lines]
    spec = {"id": "island-zones", "pane": "eezmapLimit", "styles": {z: ISLAND_LINES[z][1] for z in ISLAND_LINES},
            "attribution": esc(lines[0][4].attribution), "items": items}
    return group(f"12 and 24 NM around {home} (computed from the coastline)", spec)


def island_value_group(ctx: Scene) -> JsLayer | None:
    import shapely

    v = ctx.island_value
    if v is None:
        return None
    geom = shapely.transform(shapely.simplify(v.geometry, 0.005), lambda c: np.round(c, DISPLAY_DECIMALS))
    tip = f"What {v.name} is worth: {v.area_km2:,.0f} km² of {v.sovereign}'s EEZ (computed)"
    item = {"t": "poly", "g": encode_polygonal(geom, DISPLAY_DECIMALS), "k": 10 ** DISPLAY_DECIMALS,
            "s": "island-value", "p": island_value_popup(v), "tt": esc(tip), "to": {"sticky": True},
            "id": f"island-value-{v.island}"}
    return group(f"What {v.name} is worth ({v.area_km2:,.0f} km²)", {
        "id": "island-value", "pane": "eezmapLimit", "styles": {"island-value": STYLES["island-value"]},
        "attribution": "Island value: computed by eezmap", "items": [item]})


def site_groups(ctx: Scene) -> tuple[JsLayer, JsLayer]:
    from ..geodesy import distance, forward, geodesic_line

    items: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    answers = dict(zip([s.id for s in ctx.sites], ctx.site_answers[: len(ctx.sites)]))
    for site in ctx.sites:
        popup = site_popup(site, ctx, answers[site.id])
        label = {"permanent": True, "direction": "right", "className": "eezmap-site-label"}
        if site.uncertainty_area is not None:
            items.append({"t": "poly", "g": encode_polygonal(site.uncertainty_area, FINE_DECIMALS),
                          "k": 10 ** FINE_DECIMALS, "s": "uncertainty", "p": popup,
                          "tt": esc(f"Uncertainty area: {approx_label(site)}"), "to": {"sticky": True},
                          "id": f"uncertainty-{site.id}"})
        if site.is_area:
            items.append({"t": "poly", "g": encode_polygonal(site.geometry, FINE_DECIMALS),
                          "k": 10 ** FINE_DECIMALS, "s": "area", "p": popup, "tt": esc(site.name),
                          "to": {"sticky": True}, "id": f"site-{site.id}"})
            w, s_, e, _ = site.geometry.bounds
            items.append({"t": "label", "ll": [s_, site.lon], "h": f"<span>{esc(site.name)}</span>",
                          "c": "eezmap-label-below", "id": f"label-{site.id}"})
        elif site.id == ctx.home.id:
            items.append({"t": "marker", "ll": [site.lat, site.lon], "p": popup, "tt": esc(site.name),
                          "to": label, "o": {"alt": site.name, "riseOnHover": True}, "id": f"site-{site.id}"})
        elif site.approximate:
            items.append({"t": "circle", "ll": [site.lat, site.lon], "s": "approx", "p": popup,
                          "tt": approx_html(site),
                          "to": {"permanent": True, "direction": "right", "offset": [10, 0],
                                 "className": "eezmap-approx-label"},
                          "id": f"site-{site.id}"})
        else:
            items.append({"t": "circle", "ll": [site.lat, site.lon], "s": "point-site", "p": popup,
                          "tt": esc(site.name), "to": label, "id": f"site-{site.id}"})
        if site.id == ctx.home.id or site not in ctx.story:
            continue  # geodesic lines to the sites of the opening view only
        a, b = (ctx.home.lat, ctx.home.lon), (site.lat, site.lon)
        d = distance(a, b)
        text = f"{d.km:,.1f} km · {d.nm:,.1f} NM"
        target = "the centre of " if site.is_area else ("the approximate position of " if site.approximate else "")
        tip = (f"Geodesic (WGS84) from {ctx.home.name} to {target}{site.name}: {d.km:,.1f} km = "
               f"{d.nm:,.1f} NM, initial bearing {d.initial_bearing_deg:.0f}°")
        lines.append({"t": "line", "g": encode_line(geodesic_line(a, b)), "k": 10 ** FINE_DECIMALS, "s": "geodesic",
                      "tt": esc(tip), "to": {"sticky": True}, "id": f"geodesic-{site.id}"})
        mx, my = forward(np.array([a[1]]), np.array([a[0]]), np.array([d.initial_bearing_deg]),
                         np.array([d.metres / 2]))
        lines.append({"t": "label", "ll": [round(float(my[0]), 6), round(float(mx[0]), 6)],
                      "h": f'<span title="{esc(tip)}">{esc(text)}</span>', "c": "eezmap-label-dist",
                      "id": f"geodesic-label-{site.id}"})
    sites_info = ctx.home.layer
    attribution = esc(sites_info.attribution) if sites_info is not None else ""
    styles = {k: STYLES[k] for k in ("area", "uncertainty", "approx", "point-site")}
    g1 = group("Sites: islands, rare-earth mud area, Chikyu site (approximate), JOGMEC contract area", {
        "id": "sites", "pane": "eezmapSites", "styles": styles, "attribution": attribution, "items": items})
    g2 = group("Geodesic distances from the island", {
        "id": "geodesics", "pane": "eezmapLines", "styles": {"geodesic": STYLES["geodesic"]},
        "attribution": attribution, "items": lines})
    return g1, g2


def user_group(ctx: Scene, centre_lon: float) -> JsLayer | None:
    if not ctx.user_sites:
        return None
    items = []
    answers = ctx.site_answers[len(ctx.sites):]
    for site, answer in zip(ctx.user_sites, answers):
        popup = site_popup(site, ctx, answer)
        lon = float(near(np.array([site.lon]), centre_lon)[0])
        if site.is_area:
            import shapely

            shift = lon - site.lon
            geom = shapely.transform(site.geometry, lambda c: c + np.array([shift, 0.0]))
            items.append({"t": "poly", "g": encode_polygonal(geom, FINE_DECIMALS), "k": 10 ** FINE_DECIMALS,
                          "s": "user-area", "p": popup, "tt": esc(site.name), "to": {"sticky": True}})
        items.append({"t": "circle", "ll": [site.lat, lon], "s": "user", "p": popup, "tt": esc(site.name),
                      "id": esc(site.id)})
    sources = sorted({s.source for s in ctx.user_sites if s.source})
    attribution = "Your sites: " + esc("; ".join(sources) if sources else "user-supplied")
    return group(f"Your sites ({len(ctx.user_sites)})", {
        "id": "user-sites", "pane": "eezmapUser", "styles": {k: STYLES[k] for k in ("user", "user-area")},
        "attribution": attribution, "items": items})


def points_layer(points: Any, ctx: Scene, centre_lon: float) -> tuple[JsLayer, PointSummary]:
    from ..zones import classify

    lat = np.asarray(points[0], dtype=float).ravel()
    lon = np.asarray(points[1], dtype=float).ravel()
    if lat.shape != lon.shape:
        raise ValueError("points: lat and lon must have the same length")
    total = len(lat)
    c = classify(lat, lon, country=COUNTRY, layers=ctx.layer_ids)
    answer = np.asarray(c.answer, dtype=object)
    ok = answer != ""
    idx = np.flatnonzero(ok)
    if len(idx) > MAX_POINTS:
        idx = idx[np.linspace(0, len(idx) - 1, MAX_POINTS).round().astype(np.int64)]
    names = list(POINT_CLASSES)
    code = {a: i for i, a in enumerate(names)}
    cls = np.array([code.get(a, code["unknown"]) for a in answer[idx]], dtype=np.uint8)
    la = np.round(lat[idx] * 1e5).astype("<i4")
    lo = np.round(near(lon[idx], centre_lon) * 1e5).astype("<i4")
    counts = {a: int((cls == code[a]).sum()) for a in names}
    summary = PointSummary(total, len(idx), int((~ok).sum()), counts)
    note = (f"Coloured by the zone answer for Japan from {', '.join(ctx.layer_ids)} "
            "(full geometry, geo.zones.classify).")
    spec = {
        "k": 100000, "pane": "eezmapPoints",
        "lat": base64.b64encode(la.tobytes()).decode("ascii"),
        "lon": base64.b64encode(lo.tobytes()).decode("ascii"),
        "cls": base64.b64encode(cls.tobytes()).decode("ascii"),
        "colors": [POINT_CLASSES[a][0] for a in names],
        "labels": [esc(POINT_CLASSES[a][1]) for a in names],
        "drawOrder": list(range(len(names))),
        "title": "Your point", "note": esc(note),
        "attribution": "Your points: user data; answers by eezmap",
    }
    layer = JsLayer(f"Your points ({summary.drawn:,})", "eezmap.points", to_js(spec), kind="EezmapPoints")
    return layer, summary
