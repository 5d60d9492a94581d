"""``eezmap sites``: the built-in sites with their sources."""

from __future__ import annotations

from typing import Any

import click

from ._common import (
    CONTEXT,
    fmt_lat,
    fmt_lon,
    indent_option,
    json_option,
    print_json,
    refuse_indent_without_json,
)


@click.command("sites", context_settings=CONTEXT)
@json_option
@indent_option
def command(as_json: bool, indent: int | None) -> int:
    """List the built-in sites: id, position, certainty, depth, dated facts and source."""
    refuse_indent_without_json(click.get_current_context())
    from ..sites import load_sites

    sites = load_sites()
    if as_json:
        print_json(json_object(), indent)
        return 0
    for s in sites:
        where = f"{fmt_lat(s.lat)}, {fmt_lon(s.lon)}"
        if s.approximate:
            where = f"~{where} (APPROXIMATE, ±{s.uncertainty_km:g} km; never published)"
        elif s.is_area:
            w, so, e, n = s.geometry.bounds
            where = f"area {so:.4f}–{n:.4f}°N, {w:.4f}–{e:.4f}°E, centre {where}"
        click.echo(f"{s.id}\n  {s.name} [{s.kind}]\n  {where}")
        click.echo(f"  certainty: {s.certainty}")
        if s.depth_m:
            click.echo(f"  water depth {s.depth_text()}")
        for f in s.facts:  # the dated facts (a contract, a discovery) and those not published as exact
            if f.get("date") or f.get("certainty", "published") != "published":
                when = f", {f['date']}" if f.get("date") else ""
                sure = f" [{f['certainty']}]" if f.get("certainty", "published") != "published" else ""
                click.echo(f"  {f['fact']}{when}: {f['value']}{sure}")
        click.echo(f"  source: {s.source}")
    layer = sites[0].layer if sites else None
    if layer:
        click.echo(f"(layer {layer.id}, version {layer.version})")
    return 0


def json_object() -> dict[str, Any]:
    """The ``eezmap sites --json`` object (the service's ``GET /sites`` too)."""
    from ..sites import load_sites

    return {"sites": [s.as_dict() for s in load_sites()]}
