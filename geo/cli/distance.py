"""``eezmap distance``: geodesic distance between two sites or points."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import click

from ._common import (
    CONTEXT,
    fmt_lat,
    fmt_lon,
    indent_option,
    json_option,
    print_json,
    refuse_indent_without_json,
    reject_unknown_options,
)

if TYPE_CHECKING:
    from ..geodesy import Distance, EdgePoint
    from ..sites import Site

#: each end, the other end, and the end's nearest edge seen from the other (for an area)
_Ends = tuple[tuple["Site", "Site", "EdgePoint | None"], tuple["Site", "Site", "EdgePoint | None"]]


@click.command("distance", context_settings=CONTEXT)
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@json_option
@indent_option
def command(a: str, b: str, as_json: bool, indent: int | None) -> int:
    """Geodesic (WGS84) distance from A to B: km, nautical miles, initial bearing.

    A and B are site ids (see 'eezmap sites') or LAT,LON pairs.  An area
    site is measured at its centre, and the distance to its nearest edge is
    given too.  Distances to an approximate site are rounded to its
    uncertainty (JSON keeps the number and adds distance_uncertainty_km).  E.g.

    \b
      eezmap distance minami-torishima rey-mud-area
      eezmap distance -33.9,18.4 35,139
    """
    reject_unknown_options((a, b))
    refuse_indent_without_json(click.get_current_context())
    if as_json:
        print_json(json_object(a, b), indent)
        return 0
    from ..geodesy import NM

    pa, pb, d, ends, unc = _measured(a, b)
    unc_nm = None if unc is None else unc * 1000 / NM
    bearing = f"{d.initial_bearing_deg:.2f}°" if unc is None else f"≈ {d.initial_bearing_deg:.0f}°"
    if d.metres == 0:
        bearing = "undefined (the same point)"
    click.echo(f"{_label(pa)} → {_label(pb)}: {_measure(d.km, unc, 'km', 3)} = "
               f"{_measure(d.nm, unc_nm, 'NM', 3)}, "
               f"initial bearing {bearing} (geodesic, WGS84)")
    for s, other, e in ends:
        if e is None:
            continue
        seen = f"the centre of {other.name}" if other.is_area else other.name
        at = f"at {fmt_lat(e.lat)}, {fmt_lon(e.lon)}"
        length = f"{_measure(e.km, unc, 'km', 3)} = {_measure(e.nm, unc_nm, 'NM', 3)}"
        if e.inside:
            click.echo(f"  {seen} lies inside {s.name}, {length} from its nearest edge ({at})")
        else:
            click.echo(f"  nearest edge of {s.name} from {seen}: {length}, {at}")
    lim = _limit(pa, d)
    if lim:
        what = f"the centre of {pb.name}" if pb.is_area else pb.name
        margin = abs(lim["margin_nm"])
        if unc_nm is not None and margin <= unc_nm:
            click.echo(f"  {what} lies {_measure(d.nm, unc_nm, 'NM', 1)} from {pa.name}: "
                       "within its uncertainty "
                       f"of the 200 NM limit around it, so inside or outside cannot be told")
        else:
            side = "inside" if lim["inside"] else "outside"
            click.echo(f"  {what} lies {_measure(d.nm, unc_nm, 'NM', 1)} from {pa.name}, "
                       f"{_measure(margin, unc_nm, 'NM', 1)} {side} the 200 NM limit around it")
    for s in (pa, pb):
        if s.approximate:
            click.echo(f"  note: {s.name} is approximate (±{s.uncertainty_km:g} km): "
                       f"{s.derivation or s.note}")
    return 0


def _measured(a: str, b: str) -> tuple[Site, Site, Distance, _Ends, float | None]:
    """Both ends, the geodesic between them, each area end's nearest edge and the uncertainty."""
    from ..geodesy import distance
    from ..sites import resolve_point

    pa, pb = resolve_point(a), resolve_point(b)
    d = distance((pa.lat, pa.lon), (pb.lat, pb.lon))
    # the nearest edge of an area end, seen from the other end's measured point
    same = pa.id == pb.id and (pa.lat, pa.lon) == (pb.lat, pb.lon)  # an area to itself: described once
    ends: _Ends = ((pa, pb, _nearest_edge(pa, pb)), (pb, pa, None if same else _nearest_edge(pb, pa)))
    unc = sum(s.uncertainty_km or 0.0 for s in (pa, pb) if s.approximate) or None
    return pa, pb, d, ends, unc


def json_object(a: str, b: str) -> dict[str, Any]:
    """The ``eezmap distance A B --json`` object (the service's ``GET /distance`` too)."""
    pa, pb, d, ends, unc = _measured(a, b)
    return {
        "from": _end(pa, ends[0][2]), "to": _end(pb, ends[1][2]),
        "distance_km": round(d.km, 6), "distance_nm": round(d.nm, 6),
        "initial_bearing_deg": round(d.initial_bearing_deg, 6) if d.metres else None,  # none for one point
        "distance_uncertainty_km": unc,
        "ellipsoid": "WGS84",
        "limit_200nm": _limit(pa, d),
    }


def _label(s: Site) -> str:
    """A site's name, and for an area the point measured: its centre."""
    if s.is_area:
        return f"{s.name}, its centre ({fmt_lat(s.lat)}, {fmt_lon(s.lon)})"
    return s.name


def _measure(value: float, uncertainty: float | None, unit: str, digits: int) -> str:
    """A length as printed: to *digits* decimals when exact; when uncertain, '≈ v unit ± u unit'
    rounded to a tenth of the uncertainty's order of magnitude (±71 km -> whole km)."""
    if uncertainty is None:
        return f"{value:,.{digits}f} {unit}"
    step_exp = math.floor(math.log10(uncertainty / 10)) if uncertainty > 0 else -digits
    places = max(0, -step_exp)
    step = 10.0 ** step_exp
    return f"≈ {round(value / step) * step:,.{places}f} {unit} ± {uncertainty:,.{places}f} {unit}"


def _nearest_edge(area: Site, other: Site) -> EdgePoint | None:
    """The nearest edge of *area* (if it is one) from the other end's measured point."""
    from ..geodesy import nearest_edge

    if not area.is_area:
        return None
    return nearest_edge(other.lat, other.lon, area.geometry)


def _limit(origin: Site, d: Distance) -> dict[str, Any] | None:
    """Where B lies relative to the 200 NM limit around A, when A is an island."""
    from ..geodesy import NM
    from ..sites import margin_nm

    if origin.kind != "island":
        return None
    margin = margin_nm(d.metres)
    return {"around": origin.id, "inside": margin >= 0, "margin_nm": round(margin, 6),
            "margin_km": round(margin * NM / 1000, 6)}


def _end(s: Site, edge: EdgePoint | None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": None if s.user else s.id, "name": s.name, "lat": s.lat, "lon": s.lon,
                           "certainty": s.certainty, "measured_point": "centre" if s.is_area else "point"}
    if s.approximate:
        out["uncertainty_km"] = s.uncertainty_km
    if edge is not None:
        out["nearest_edge"] = {"lat": round(edge.lat, 7), "lon": round(edge.lon, 7),
                               "distance_km": round(edge.km, 6), "distance_nm": round(edge.nm, 6),
                               "initial_bearing_deg": round(edge.initial_bearing_deg, 6),
                               "inside": edge.inside}
    return out
