"""``eezmap island``: what an island is worth -- the EEZ that exists only because of it."""

from __future__ import annotations

import click

from ._common import CONTEXT, indent_option, json_option, print_json, refuse_indent_without_json


@click.command("island", context_settings=CONTEXT)
@click.argument("site_id", metavar="ID")
@json_option
@indent_option
def command(site_id: str, as_json: bool, indent: int | None) -> int:
    """The EEZ area that exists only because of the island ID (minami-torishima,
    okinotorishima): the part of its sovereign's zone within 200 NM of the
    island and farther than 200 NM from every other land in the loaded layers,
    in km², with its share of the sovereign's EEZ, the method and its
    approximations (the coastline, not the official baseline; the outlines'
    resolution) and the layers used."""
    refuse_indent_without_json(click.get_current_context())
    from ..islands import island_value, islands

    known = islands()
    if site_id not in known:
        from ..errors import SiteError
        from ..sites import load_sites

        site = next((s for s in load_sites() if s.id == site_id), None)
        what = f"site '{site_id}' is a {site.kind}, not an island" if site else f"unknown island '{site_id}'"
        raise SiteError(f"{what}: the islands with a bundled outline are {', '.join(known)}")
    v = island_value(site_id)
    if as_json:
        print_json(v.as_dict(), indent)
        return 0
    from ..layers import manifest

    click.echo(f"{v.name}: {v.area_km2:,.0f} km² of {v.sovereign}'s EEZ exist only because of it "
               "(geodesic, WGS84)")
    click.echo(f"  share of {v.sovereign}'s EEZ: {100 * v.share:.2f} % of {v.sovereign_eez_km2:,.0f} km² "
               "(Marine Regions' area of its 200NM zones)")
    click.echo(f"  within 200 NM of the island: {v.within_200nm_km2:,.0f} km² of {v.sovereign}'s zone, "
               f"less what lies within 200 NM of other land and the island itself; nearest other land "
               f"{v.nearest_other_land_km:,.0f} km")
    click.echo(f"  method: {v.method}")
    click.echo(f"  approximations: {v.note}")
    for ref in v.layers:
        click.echo(f"  layer: {ref['id']} (version {ref['version']}) — "
                   f"{manifest().get(ref['id']).attribution}")
    click.echo("  Not an official figure: not for legal use.")
    return 0
