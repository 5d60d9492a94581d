"""``eezmap distance``: geodesic distance between two sites or points."""

from __future__ import annotations

import click

from ._common import (CONTEXT, indent_option, json_option, print_json, refuse_indent_without_json,
                      reject_unknown_options)


@click.command("distance", context_settings=CONTEXT)
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@json_option
@indent_option
def command(a: str, b: str, as_json: bool, indent: int | None) -> int:
    """Geodesic (WGS84) distance from A to B: km, nautical miles, initial bearing.

    A and B are site ids (see 'eezmap sites') or LAT,LON pairs, e.g.

    \b
      eezmap distance minami-torishima rey-mud-area
      eezmap distance -33.9,18.4 35,139
    """
    reject_unknown_options((a, b))
    refuse_indent_without_json(click.get_current_context())
    from ..geodesy import distance
    from ..sites import resolve_point

    pa, pb = resolve_point(a), resolve_point(b)
    d = distance((pa.lat, pa.lon), (pb.lat, pb.lon))
    if as_json:
        print_json({
            "from": _end(pa), "to": _end(pb),
            "distance_km": round(d.km, 6), "distance_nm": round(d.nm, 6),
            "initial_bearing_deg": round(d.initial_bearing_deg, 6),
            "ellipsoid": "WGS84",
            "limit_200nm": _limit(pa, d),
        }, indent)
    else:
        approx = [s for s in (pa, pb) if s.approximate]
        click.echo(f"{pa.name} → {pb.name}: {d.km:,.3f} km = {d.nm:,.3f} NM, "
                   f"initial bearing {d.initial_bearing_deg:.2f}° (geodesic, WGS84)")
        lim = _limit(pa, d)
        if lim:
            side = "inside" if lim["inside"] else "outside"
            click.echo(f"  {pb.name} lies {d.nm:,.1f} NM from {pa.name}, {abs(lim['margin_nm']):,.1f} NM "
                       f"{side} the 200 NM limit around it")
        for s in approx:
            click.echo(f"  note: {s.name} is approximate (±{s.uncertainty_km:g} km): {s.derivation or s.note}")
    return 0


def _limit(origin: object, d: object) -> dict | None:
    """Where B lies relative to the 200 NM limit around A, when A is an island."""
    from ..geodesy import EEZ_LIMIT_M, NM, Distance
    from ..sites import Site

    assert isinstance(origin, Site) and isinstance(d, Distance)
    if origin.kind != "island":
        return None
    margin = (EEZ_LIMIT_M - d.metres) / NM
    return {"around": origin.id, "inside": margin >= 0, "margin_nm": round(margin, 6),
            "margin_km": round(margin * NM / 1000, 6)}


def _end(s: object) -> dict:
    from ..sites import Site

    assert isinstance(s, Site)
    out = {"id": None if s.user else s.id, "name": s.name, "lat": s.lat, "lon": s.lon,
           "certainty": s.certainty}
    if s.approximate:
        out["uncertainty_km"] = s.uncertainty_km
    return out
