"""The map's HTML text: popups, the legend, the title panel and the overview inset.

Every data string goes through :func:`esc` (HTML-escaped, quotes too) here, in
Python; ``eezmap.js`` puts these ready-made strings into the page as they are.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import assets
from .legend import Entry, entries
from .scene import (
    ISA_CITATION,
    MAX_POINTS,
    PointSummary,
    Scene,
    approx_parts,
    boundary_text,
    depth_label,
    depth_text,
    key_figures,
    layer_refs,
)
from .style import (
    DEPTH_COLOURS,
    INSET_BBOX,
    INSET_WIDTH,
)

ANSWER_TEXT = {
    "yes": "yes: in Japan's EEZ",
    "shared": "shared: in a zone Japan is party to with others (overlapping claim or joint regime)",
    "no": "no",
    "unknown": "unknown: outside the layers' coverage",
    "": "not answered (invalid coordinate)",
}


def esc(value: Any) -> str:
    """HTML-escape anything (quotes too): every data string goes through this."""
    return html.escape(str(value), quote=True)


def _fmt_latlon(lat: float, lon: float) -> str:
    return f"{abs(lat):.5f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.5f}° {'E' if lon >= 0 else 'W'}"


def _link(url: str, text: str) -> str:
    """An escaped link for http(s) URLs only; anything else is plain escaped text."""
    if url.startswith(("https://", "http://")):
        return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(text)}</a>'
    return esc(text)


def _rows(rows: Sequence[tuple[str, str]]) -> str:
    """Table rows from (escaped header, escaped HTML) pairs."""
    return "".join(f"<tr><th>{h}</th><td>{v}</td></tr>" for h, v in rows if v)


def zone_popup(zones: Any, i: int) -> str:
    from ..layers import ZONE_KINDS
    from ..zones import status_of_pol_type

    names, isos = zones.sovereigns[i], zones.sovereign_isos[i]
    sov = ", ".join(f"{n} ({c})" if c else n for n, c in zip(names, isos, strict=True))
    pol = str(zones.pol_type[i])
    # a nested layer's type (12NM, 24NM, internal waters) is no EEZ status: show it as it is
    what = (
        status_of_pol_type(pol).replace("_", " ")
        if zones.layer.kind in ZONE_KINDS
        else zones.layer.kind.replace("eez_", "").replace("_", " ")
    )
    rows = [
        ("MRGID", esc(int(zones.mrgid[i]))),
        ("Type", f"{esc(pol)} ({esc(what)})"),
        ("Sovereign(s)", esc(sov)),
        ("Territory", esc(zones.territory[i])),
        ("Area", f"{esc(f'{float(zones.area_km2[i]):,.0f}')} km² (Marine Regions area_km2)"),
    ]
    info = zones.layer
    return (
        f'<div class="eezmap-popup"><h4>{esc(zones.name[i])}</h4><table>{_rows(rows)}</table>'
        f'<p class="eezmap-src">Layer {esc(info.id)}, version {esc(info.version)}. Drawn simplified '
        "for the screen; every distance and answer uses the full geometry.</p></div>"
    )


def isa_popup(c: Any, blocks: int, km2: float) -> str:
    status = (
        "exploration contract"
        if c.status == "exploration"
        else "reserved area (for the Enterprise or developing States)"
    )
    since = c.since.isoformat() if c.since else "not given in the ISA layers"
    rows = [
        ("Contractor", esc(c.contractor)),
        ("Resource", esc(c.resource)),
        ("Status", esc(status)),
        ("Since", esc(since)),
        ("As of", esc(f"{c.as_of} (ISA GIS layers)")),
        ("Blocks drawn", esc(f"{blocks:,} near the map's view, {km2:,.0f} km² (geodesic)")),
    ]
    layer = c.layer
    return (
        f'<div class="eezmap-popup"><h4>ISA {esc(status)}: {esc(c.contractor)}</h4>'
        f"<table>{_rows(rows)}</table>"
        f'<p class="eezmap-src">{esc(ISA_CITATION)}. Layer {esc(layer.get("id", ""))}, version '
        f"{esc(layer.get('version', ''))}. ISA's terms are not an open-data licence: cite ISA and the "
        "date.</p></div>"
    )


def island_value_popup(v: Any) -> str:
    rows = [
        ("Area", esc(f"{v.area_km2:,.0f} km² (geodesic)")),
        (
            "Share",
            esc(
                f"{v.share * 100:.1f} % of {v.sovereign}'s EEZ ({v.sovereign_eez_km2:,.0f} km², "
                "Marine Regions)"
            ),
        ),
        (
            "Within 200 NM",
            esc(f"{v.within_200nm_km2:,.0f} km² of {v.sovereign}'s EEZ lie within 200 NM of the island"),
        ),
        ("Nearest other land", esc(f"{v.nearest_other_land_km:,.0f} km")),
    ]
    layers = ", ".join(f"{r.get('id', '')} ({r.get('version', '')})" for r in v.layers)
    return (
        f'<div class="eezmap-popup"><h4>{esc(f"What {v.name} is worth")}</h4><table>{_rows(rows)}</table>'
        f"<p><strong>Method.</strong> {esc(v.method)}</p>"
        + (f"<p><strong>Note.</strong> {esc(v.note)}</p>" if v.note else "")
        + f'<p class="eezmap-src">Layers: {esc(layers)}</p></div>'
    )


def inset(ctx: Scene) -> tuple[str, dict[str, float]]:
    """The overview inset: an SVG of Japan's main islands (the bundled land layer, simplified),
    the island sites and a rectangle the map keeps on its view; an :class:`geo.map.leaflet.InsetSpec`."""
    import math

    import shapely

    w, s, e, n = INSET_BBOX
    cos0 = math.cos(math.radians((s + n) / 2))
    scale = INSET_WIDTH / ((e - w) * cos0)
    sx, sy = scale * cos0, scale
    width, height = INSET_WIDTH, round((n - s) * scale)

    def xy(lon: Any, lat: Any) -> tuple[Any, Any]:
        return (np.asarray(lon) - w) * sx, (n - np.asarray(lat)) * sy

    paths = []
    for land in ctx.land_display:
        geoms = shapely.clip_by_rect(np.asarray(land, dtype=object), *INSET_BBOX)
        geoms = shapely.simplify(geoms, 0.06)
        for poly in shapely.get_parts(geoms[~shapely.is_empty(geoms)]):
            if poly.geom_type != "Polygon" or poly.area < 0.02:
                continue
            c = np.asarray(poly.exterior.coords)
            px, py = xy(c[:, 0], c[:, 1])
            paths.append("M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py, strict=True)) + "Z")
    marks = []
    for site in ctx.sites:
        if site.kind != "island" or not (w < site.lon < e and s < site.lat < n):
            continue
        x, y = xy(site.lon, site.lat)
        home = site.id == ctx.home.id
        name = site.short_name
        # the home island's name above it, the others' below (they lie farther south)
        ty = y - 6 if home else y + 13
        anchor = "end" if x > width * 0.6 else ("start" if x < width * 0.3 else "middle")
        marks.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{4 if home else 3}" class="eezmap-inset-'
            f'{"home" if home else "site"}"/><text x="{x:.1f}" y="{ty:.1f}" '
            f'text-anchor="{anchor}">{esc(name)}</text>'
        )
    jx, jy = xy(131.5, 40.0)
    svg = (
        f'<svg class="eezmap-inset-svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="Overview: where the map lies relative to Japan\'s main islands">'
        f'<rect width="{width}" height="{height}" class="eezmap-inset-sea"/>'
        f'<path class="eezmap-inset-land" d="{"".join(paths)}"/>'
        f'<text x="{jx:.1f}" y="{jy:.1f}" class="eezmap-inset-country">JAPAN</text>'
        f'{"".join(marks)}<rect class="eezmap-inset-view" x="0" y="0" width="0" height="0"/></svg>'
    )
    html_ = f'{svg}<div class="eezmap-src">Overview; the rectangle is the view</div>'
    return html_, {
        "west": w,
        "north": n,
        "xScale": round(sx, 6),
        "yScale": round(sy, 6),
        "width": width,
        "height": height,
    }


def site_popup(site: Any, ctx: Scene, answer: tuple[str, dict[str, Any] | None]) -> str:
    from ..geodesy import distance
    from ..sites import margin_nm

    cert = site.certainty or "published"
    badge = f'<span class="eezmap-cert eezmap-cert-{esc(cert.replace(" ", "-"))}">{esc(cert)}</span>'
    if site.uncertainty_km is not None:
        badge += f" ±{esc(f'{site.uncertainty_km:g}')} km"
    where = esc(_fmt_latlon(site.lat, site.lon))
    if site.is_area:
        where += " (centre of the area)"
    elif site.approximate:
        where += " (approximate marker; see the uncertainty area)"
    rows = [
        ("Kind", esc(site.kind.replace("_", " "))),
        ("Position", where),
        ("Certainty", badge),
        ("Water depth", esc(site.depth_text())),
        ("Depth band", esc(depth_text(site.lat, site.lon)) + (" (at the centre)" if site.is_area else "")),
    ]
    home_name = ctx.home.short_name
    if site is not ctx.home and site.id != ctx.home.id:
        d = distance((ctx.home.lat, ctx.home.lon), (site.lat, site.lon))
        rows.append(
            (
                f"From {esc(home_name)}",
                f"{d.km:,.1f} km = {d.nm:,.1f} NM (geodesic, WGS84), bearing {d.initial_bearing_deg:.0f}°",
            )
        )
        margin = margin_nm(d.metres)
        rows.append(
            (
                "200 NM limit",
                f"{abs(margin):,.1f} NM {'inside' if margin >= 0 else 'outside'} the "
                f"200 NM limit around {esc(home_name)}",
            )
        )
    ans, zone = answer
    ztext = esc(ANSWER_TEXT.get(ans, ans))
    if zone:
        ztext += f"<br>{esc(zone['name'])} (MRGID {esc(zone['mrgid'])})"
    rows.append(("Japan's EEZ?", ztext))
    boundary = boundary_text(site)
    if boundary:
        rows.append(("Nearest zone boundary", esc(boundary)))
    out = [f'<div class="eezmap-popup"><h4>{esc(site.name)}</h4><table>{_rows(rows)}</table>']
    if site.facts:
        facts = "".join(
            f"<tr><th>{esc(f.get('fact', ''))}</th><td>{esc(f.get('value', ''))}"
            f'<div class="eezmap-src">{esc(f.get("source", ""))} · {esc(f.get("certainty", ""))}</div>'
            "</td></tr>"
            for f in site.facts
        )
        out.append(f"<h5>Facts</h5><table>{facts}</table>")
    if site.user and site.properties:
        props = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in site.properties.items())
        out.append(f"<h5>Properties from your file</h5><table>{props}</table>")
    if site.note:
        out.append(f"<p><strong>Note.</strong> {esc(site.note)}</p>")
    if site.derivation:
        out.append(f"<p><strong>Derivation.</strong> {esc(site.derivation)}</p>")
    if site.source:
        out.append(f'<p class="eezmap-src">Source: {_link(site.source_url or "", site.source)}</p>')
    if site.layer is not None:
        out.append(f'<p class="eezmap-src">Layer {esc(site.layer.id)}, version {esc(site.layer.version)}</p>')
    out.append("</div>")
    return "".join(out)


def approx_html(site: Any) -> str:
    """An approximate site's label as escaped HTML on two lines: 'NAME<br>approximate (±71 km)'."""
    name, tail = approx_parts(site)
    return f"{esc(name)}<br>{esc(tail)}"


def _sw_poly(style: Mapping[str, Any], pattern: str | None = None) -> str:
    fill = f"url(#{pattern})" if pattern else style.get("fillColor", "none")
    fop = 1 if pattern else style.get("fillOpacity", 0.3)
    if style.get("fill") is False:
        fill, fop = "none", 0
    dash = f' stroke-dasharray="{style["dashArray"]}"' if style.get("dashArray") else ""
    return (
        f'<svg width="30" height="16" aria-hidden="true"><rect x="1.5" y="1.5" width="27" height="13" '
        f'fill="{fill}" fill-opacity="{fop}" stroke="{style["color"]}" '
        f'stroke-width="{min(style["weight"], 2.5)}"'
        f"{dash}/></svg>"
    )


def _sw_line(style: Mapping[str, Any]) -> str:
    dash = f' stroke-dasharray="{style["dashArray"]}"' if style.get("dashArray") else ""
    return (
        f'<svg width="30" height="16" aria-hidden="true"><line x1="1" y1="8" x2="29" y2="8" '
        f'stroke="{style["color"]}" stroke-width="{style["weight"]}"{dash}/></svg>'
    )


def _sw_circle(style: Mapping[str, Any], r: float = 5) -> str:
    dash = f' stroke-dasharray="{style["dashArray"]}"' if style.get("dashArray") else ""
    return (
        f'<svg width="30" height="16" aria-hidden="true"><circle cx="15" cy="8" r="{r}" '
        f'fill="{style["fillColor"]}" stroke="{style["color"]}" stroke-width="2"{dash}/></svg>'
    )


def _sw_marker() -> str:
    uri = assets.leaflet().images["marker-icon.png"]
    return (
        f'<svg width="30" height="20" aria-hidden="true"><image href="{uri}" x="9" y="0" width="12" '
        'height="20"/></svg>'
    )


def _swatch(entry: Entry) -> str:
    """A legend entry's swatch as a small inline SVG."""
    st = entry.style
    if entry.swatch == "polygon":
        return _sw_poly(st, st.get("className"))
    if entry.swatch == "line":
        return _sw_line(st)
    if entry.swatch == "circle":
        return _sw_circle(st)
    if entry.swatch == "marker":
        return _sw_marker()
    if entry.swatch == "dot":
        return (
            f'<svg width="30" height="16" aria-hidden="true"><circle cx="15" cy="8" r="4" '
            f'fill="{st["fillColor"]}"/></svg>'
        )
    if entry.swatch == "sea":
        return (
            f'<svg width="30" height="16" aria-hidden="true"><rect x="1.5" y="1.5" width="27" height="13" '
            f'fill="{st["fillColor"]}" stroke="{st["color"]}"/></svg>'
        )
    return ""


def legend_html(
    ctx: Scene, summary: PointSummary | None, bands: Sequence[tuple[int, int | None]] = ()
) -> str:
    """The legend panel: :func:`geo.map.legend.entries` as a list, then the depth bands."""
    rows = entries(ctx, point_counts=summary.counts if summary is not None else None, bands=bool(bands))
    items = "".join(
        f"<li>{_swatch(r)}<span>{esc(r.label)}</span></li>"
        if r.swatch != "note"
        else f'<li class="eezmap-note"><span class="eezmap-src">{esc(r.label)}</span></li>'
        for r in rows
    )
    depth = ""
    if bands:
        cells = "".join(
            f'<span><i style="background:{DEPTH_COLOURS.get(b, "#7ba4c7")}"></i>'
            f"{esc(depth_label(b, t))}</span>"
            for b, t in bands
        )
        depth = (
            f'<h3>Depth: 1:10m depth bands, Natural Earth</h3><div class="eezmap-depth">{cells}</div>'
            '<div class="eezmap-src">Bands of a 1:10m generalisation, not measured depths.</div>'
        )
    return (
        '<div class="eezmap-head"><h2>Legend</h2><button class="eezmap-toggle" type="button" '
        'aria-expanded="true" title="Fold or unfold">\u2212</button></div>'
        f'<div class="eezmap-body"><ul>{items}</ul>{depth}</div>'
    )


def title_html(ctx: Scene, title: str, summary: PointSummary | None) -> str:
    rows: list[tuple[str, str]] = [
        (
            esc(head),
            "<br>".join(
                esc(line).replace(" m", "&nbsp;m") if head == "Water depth" else esc(line) for line in lines
            ),
        )
        for head, lines in key_figures(ctx)
    ]
    if summary is not None:
        text = f"{summary.drawn:,} drawn"
        if summary.drawn < summary.total - summary.invalid:
            text += (
                f" of {summary.total - summary.invalid:,} (thinned evenly to the cap of "
                f"{MAX_POINTS:,} points)"
            )
        if summary.invalid:
            text += f"; {summary.invalid:,} with invalid coordinates left out"
        rows.append(("Your points", esc(text)))
    layers = "".join(
        f"<li>{esc(k)}: <strong>{esc(i)}</strong>, version {esc(v)}</li>" for i, v, k in layer_refs(ctx)
    )
    facts = "".join(f"<dt>{h}</dt><dd>{v}</dd>" for h, v in rows)
    return (
        f'<div class="eezmap-head"><h1>{esc(title)}</h1><button class="eezmap-toggle" type="button" '
        'aria-expanded="true" title="Fold or unfold">\u2212</button></div>'
        f'<div class="eezmap-body"><dl>{facts}</dl>'
        f'<ul class="eezmap-layers">{layers}</ul>'
        '<div class="eezmap-warn">Zones drawn simplified; figures use the full geometry. '
        "Not for legal or navigational use.</div></div>"
    )
