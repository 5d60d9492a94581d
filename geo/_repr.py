"""Small HTML tables for notebooks: the ``_repr_html_`` of answers, distances and areas.

Jupyter shows an object by calling its ``_repr_html_``; the answer classes
delegate here, so the presentation lives in one module and the core stays
free of HTML.  Every value is escaped (zone names and user data are text,
never markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

_STYLE = ("border-collapse:collapse;font-family:system-ui,sans-serif;font-size:13px;"
          "text-align:left")
_CELL = "padding:2px 8px;border-bottom:1px solid #ddd;vertical-align:top"
_DISCLAIMER = "Not for legal or navigational use (Marine Regions' disclaimer)."


def _table(caption: str, rows: Sequence[tuple[str, Any]], foot: str = "") -> str:
    body = "".join(f'<tr><th style="{_CELL}">{escape(str(k))}</th>'
                   f'<td style="{_CELL}">{escape(_text(v))}</td></tr>' for k, v in rows if v is not None)
    foot_html = (f'<tr><td colspan="2" style="{_CELL};color:#666;font-size:11px">{escape(foot)}</td></tr>'
                 if foot else "")
    return (f'<table class="eezmap" style="{_STYLE}"><caption style="text-align:left;font-weight:bold">'
            f"{escape(caption)}</caption>{body}{foot_html}</table>")


def _text(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.6g}" if abs(v) < 1e6 else f"{v:,.0f}"
    return str(v)


def _zone(z: dict[str, Any] | None) -> str | None:
    if not z:
        return None
    return f"{z.get('name')} (MRGID {z.get('mrgid')}, {z.get('pol_type')})"


def _seabed(sb: dict[str, Any] | None) -> str | None:
    """The seabed regime as the text output words it, with each ISA contract, dated and cited."""
    if not sb or not sb.get("regime"):
        return None
    words = {"continental_shelf": "continental shelf", "the_area": "the Area",
             "beyond_200nm": "beyond 200 NM", "land": "land"}[sb["regime"]]
    if sb.get("states"):
        words += " of " + " / ".join(sb["states"])
    for c in sb.get("contracts") or []:
        since = f", since {c['since']}" if c.get("since") else ""
        words += (f"; ISA {c['status']} area: {c['contractor']}, {c['resource']}{since} "
                  f"(ISA, July 2019; areas since partly relinquished)")
    return words


def _depth(d: dict[str, Any] | None) -> str | None:
    """The depth band, never presented as a measured depth."""
    if not d:
        return None
    to = f"{d['to']:,}" if d.get("to") is not None else "…"
    return f"{d['from']:,}–{to} m (1:10m depth band, not a measured depth)"


def zone_answer_html(a: Any) -> str:
    """The table of a :class:`geo.answer.ZoneAnswer` (``geo.where(...)``)."""
    j = a.to_json()
    z = j.get("zone")
    nb = j.get("nearest_boundary") or {}
    across = nb.get("across")
    if isinstance(across, dict):
        across = _zone(across)
    km = j.get("distance_to_boundary_km")
    layer = j.get("layer") or {}
    rows: list[tuple[str, Any]] = [
        ("answer", f"{j['answer']} (for {j['country']})"),
        ("status", j["status"]),
        ("zone", _zone(z)),
        ("sovereigns", " / ".join(z.get("sovereigns") or []) if z else None),
        ("within", f"a hole of {_zone(j['enclosing_zone'])}" if j.get("enclosing_zone") else None),
        ("boundary", None if km is None else f"{km:,.3f} km ({km / 1.852:,.3f} NM) at "
                                             f"{nb.get('lat')}, {nb.get('lon')}"),
        ("across it", None if km is None else (across or "—")),
        ("seabed", _seabed(j.get("seabed"))),
        ("depth", _depth(j.get("depth_m"))),
        ("layer", f"{layer.get('id')} (version {layer.get('version')})"
                  + (" — COARSE" if layer.get("coarse") else "") if layer else None),
    ]
    q = j["query"]
    return _table(f"{q['lat']}, {q['lon']}", rows, _DISCLAIMER)


def distance_html(d: Any) -> str:
    """The table of a :class:`geo.geodesy.Distance` (``geo.distance(...)``)."""
    return _table("geodesic distance (WGS84)", [
        ("km", f"{d.km:,.3f}"), ("NM", f"{d.nm:,.3f}"),
        ("initial bearing", f"{d.initial_bearing_deg:.2f}°"),
    ])


def area_html(r: Any) -> str:
    """The table of a :class:`geo.areas.AreaReport` (``geo.areas.area_in_zones(...)``)."""
    rows: list[tuple[str, Any]] = [("area", f"{r.area_km2:,.1f} km² (geodesic, WGS84)")]
    for s in r.shares:
        where = _zone(s.zone) or str(s.status).replace("_", " ")
        rows.append((f"{s.percent:.2f} %", f"{s.area_km2:,.1f} km² — {where}"))
    if r.nearest_boundary_km is not None:
        rows.append(("outline to boundary", f"{r.nearest_boundary_km:,.1f} km"))
    layers = getattr(r, "layers", ()) or (r.layer,)
    rows.append(("layers", "; ".join(f"{i.id} (version {i.version})" for i in layers)))
    return _table("area in zones", rows, _DISCLAIMER)
