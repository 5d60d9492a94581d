"""``eezmap where``: is a point (or every row of a file) in a country's EEZ?"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ..answer import ZoneAnswer

from ._common import (
    CONTEXT,
    fmt_lat,
    fmt_lon,
    indent_option,
    json_option,
    layer_option,
    possessive,
    print_json,
    progress_choice,
    refuse_indent_without_json,
    refuse_unless,
    reject_unknown_options,
    with_article,
)
from ._log import note

EXIT = {"yes": 0, "no": 1, "shared": 3, "unknown": 4}

_STATUS_TEXT = {
    "eez": "an exclusive economic zone",
    "overlapping_claim": "an overlapping claim",
    "joint_regime": "a joint regime area",
    "land": "land (or an island or reef left out of the EEZ polygons)",
    "high_seas": "the high seas (in no zone of the layer)",
    "outside_coverage": "outside the coverage of every loaded layer",
}


def _one_choice(ctx: click.Context, param: click.Parameter, values: tuple[bool, ...]) -> bool | None:
    """A flag pair given once (or the same way again): its value; not given: None (the default)."""
    if len(set(values)) > 1:
        raise click.UsageError("give --distance or --no-distance, not both", ctx)
    return values[-1] if values else None


@click.command("where", context_settings=CONTEXT)
@click.argument("coords", nargs=-1, metavar="LAT LON")
@click.option("--country", default="JPN", show_default=True,
              help="ISO 3166 alpha-3 code (or name) of the sovereign asked about.")
@json_option
@indent_option
@layer_option
@click.option("--input", "input_path", metavar="FILE",
              help="Classify every row of a CSV, GeoJSON, GeoPackage or (Geo)Parquet file ('-' = stdin CSV).")
@click.option("--output", "output_path", metavar="FILE",
              help="Where to write the rows with the answer columns (default: stdout as CSV).")
@click.option("--lat-col", metavar="NAME", help="Latitude column of --input (default: detected).")
@click.option("--lon-col", metavar="NAME", help="Longitude column of --input (default: detected).")
@click.option("--distance/--no-distance", "with_distance", multiple=True, callback=_one_choice,
              help="The distance to the nearest boundary (default: with one point, yes; with --input, "
                   "no: it is slow over many rows).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="With --input: run in this process, or on Dask (partitioned Parquet output).")
@click.option("--scheduler", metavar="ADDRESS", help="With --engine dask: a Dask scheduler address.")
@click.option("--chunk-rows", type=click.IntRange(1000, None), default=1_000_000, show_default=True,
              help="With --input: rows per chunk when streaming CSV/Parquet.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr (default: when stderr is a terminal).")
def command(coords: tuple[str, ...], country: str, as_json: bool, indent: int | None,
            layers: tuple[str, ...], input_path: str | None, output_path: str | None,
            lat_col: str | None, lon_col: str | None, with_distance: bool | None,
            engine: str, scheduler: str | None, chunk_rows: int, progress: bool | None) -> int:
    """Is the point LAT LON in COUNTRY's EEZ (default Japan)?

    \b
    Coordinates as people type them: 24.28667 153.98056, -33.9 18.4,
    "24.28667,153.98056", 24°17′12″N 153°58′50″E, "24 17 12 N" "153 58 50 E",
    longitudes in 0–360 (206 = 154°W).

    \b
    Answers: yes (exit 0), no (exit 1), shared (exit 3: an overlapping claim or
    joint regime the country is party to), unknown (exit 4: outside every loaded
    layer's coverage). Bad input: exit 2.

    \b
    Many points: eezmap where --input pings.csv --output out.parquet
    """
    reject_unknown_options(coords)
    _refuse_ignored_options(input_path is not None, engine, scheduler)
    if input_path is not None:
        if coords:
            raise click.UsageError("give either LAT LON or --input FILE, not both")
        from ..io.batch import classify_file

        summary = classify_file(
            input_path, output_path, country=country, layers=layers or None, lat_col=lat_col,
            lon_col=lon_col, with_distance=bool(with_distance), engine=engine, scheduler=scheduler,
            chunk_rows=chunk_rows, progress=progress_choice(progress))
        if summary["replaced_columns"]:
            note(f"the input already had {', '.join(summary['replaced_columns'])} "
                 f"(an earlier output?); replaced by the new answers")
        if as_json:
            print(_json_dumps(summary, indent), file=sys.stderr)
        else:
            click.echo(summary_text(summary), err=True)
        return 0
    if not coords:
        raise click.UsageError("missing the point: give LAT LON (e.g. eezmap where 24.28667 153.98056)")
    from ..coords import parse_pair, parse_point

    lat, lon = parse_pair(*coords) if len(coords) == 2 else parse_point(" ".join(coords))
    from ..answer import where

    a = where(lat, lon, country=country, layers=layers or None, distance=with_distance is not False)
    if as_json:
        print_json(a.to_json(), indent)
    else:
        click.echo(_text(a, layers or None))
    return EXIT[a.answer]


def _refuse_ignored_options(batch: bool, engine: str, scheduler: str | None) -> None:
    """An option that would change nothing here is a mistake to report, not to ignore."""
    ctx = click.get_current_context()
    refuse_indent_without_json(ctx)
    refuse_unless(ctx, batch, "needs --input FILE (one point's answer goes to stdout)", "output_path")
    refuse_unless(ctx, batch, "needs --input FILE", "lat_col", "lon_col", "engine", "chunk_rows", "progress")
    refuse_unless(ctx, engine == "dask", "needs --engine dask", "scheduler")
    refuse_unless(ctx, engine != "dask", "does not apply with --engine dask "
                  "(Dask reads in blocks of its own, "
                  "without a progress bar)", "chunk_rows", "progress")
    if scheduler is not None and not scheduler.strip():
        raise click.UsageError("--scheduler needs an address, e.g. tcp://10.0.0.5:8786", ctx)


def _json_dumps(obj: object, indent: int | None) -> str:
    import json

    return json.dumps(obj, indent=indent, ensure_ascii=False)


def _text(a: ZoneAnswer, layers: tuple[str, ...] | None = None) -> str:
    from ..geodesy import NM
    point = f"{fmt_lat(a.lat)}, {fmt_lon(a.lon)}"
    from ..zones import country_name

    name = country_name(a.country, layers)  # the layers the country was resolved with
    head = {
        "yes": f"YES: {point} is in {possessive(name)} EEZ.",
        "no": f"NO: {point} is not in {possessive(name)} EEZ.",
        "shared": f"SHARED: {point} is in an area {with_article(name)} claims together with other states.",
        "unknown": f"UNKNOWN: {point} is outside every loaded layer's coverage; "
                   f"cannot say for {with_article(name)}.",
    }[a.answer]
    lines = [head, f"  Status:     {a.status} — {_STATUS_TEXT[a.status]}"]
    if a.zone:
        z = a.zone
        lines.append(f"  Zone:       {z['name']} (MRGID {z['mrgid']}, {z['pol_type']})")
        lines.append(f"  Sovereign:  {' / '.join(z['sovereigns'])}; territory {z['territory']}")
        if a.superseded:
            lines.append(f"  Superseded: {a.superseded} — this answer is out of date")
    elif a.enclosing_zone:
        z = a.enclosing_zone
        lines.append(f"  Within:     a hole of {z['name']} (MRGID {z['mrgid']}): land, an island or a reef")
    if a.zones:  # nested layers in use: every zone at the point, innermost first
        from ..layers.marineregions import KIND_LABELS

        for k, z in enumerate(a.zones):
            label = "Zones:" if k == 0 else ""
            what = KIND_LABELS.get(z["kind"], "the island itself" if z["kind"] == "island" else z["kind"])
            if z.get("computed"):
                lines.append(f"  {label:<11} {what}: {z['name']} — {z['computed']} — "
                             f"layer {z['layer']['id']}")
            elif z["mrgid"] is None:
                lines.append(f"  {label:<11} {what} — layer {z['layer']['id']}")
            else:
                lines.append(f"  {label:<11} {what}: {z['name']} (MRGID {z['mrgid']}; "
                             f"{' / '.join(z['sovereigns']) or 'no sovereign'}) — layer {z['layer']['id']} "
                             f"(version {z['layer']['version']})")
    if a.distance_to_boundary_km is not None and a.nearest_boundary:
        nb = a.nearest_boundary
        km = a.distance_to_boundary_km
        from ..answer import across_text

        what = "the zone's nearest boundary" if a.zone else (
            "the nearest EEZ boundary" if not a.enclosing_zone else "the nearest sea boundary")
        lines.append(f"  Boundary:   {km:,.3f} km ({km * 1000 / NM:,.3f} NM) to {what}, at "
                     f"{fmt_lat(nb['lat'])}, {fmt_lon(nb['lon'])}; across it: {across_text(nb['across'])}")
    lines.extend(_seabed_lines(a))
    if a.layer is not None:
        coarse = " — COARSE layer, accuracy of kilometres" if a.layer.coarse else ""
        if a.status == "outside_coverage":
            w, so, e, n = a.layer.coverage_bbox
            coarse = f" — the point lies outside its coverage ({w:g}–{e:g}°E, {so:g}–{n:g}°N)"
        lines.append(f"  Layer:      {a.layer.id} (version {a.layer.version}){coarse}")
        lines.append(f"  Source:     {a.layer.citation}")
        if a.zone and "v12" in a.zone:  # checked against Marine Regions v12's attribute table
            from ..layers import manifest

            table = a.zone["v12"]["source"]
            lines.append(f"  Source:     {manifest().get(table).citation} [{table}]")
        if a.zones:
            from ..layers import manifest

            for layer_id in dict.fromkeys(z["layer"]["id"] for z in a.zones):
                if layer_id != a.layer.id:
                    lines.append(f"  Source:     {manifest().get(layer_id).citation} [{layer_id}]")
    for ref in _seabed_sources(a):
        from ..layers import manifest

        lines.append(f"  Source:     {manifest().get(ref['id']).citation} [{ref['id']}]")
    lines.append("  Not for legal or navigational use (Marine Regions' disclaimer).")
    return "\n".join(lines)


_REGIME_TEXT = {
    "continental_shelf": "continental shelf of {states}",
    "the_area": "the Area",
    "beyond_200nm": "beyond 200 NM",
    "land": "land",
}


def _seabed_lines(a: ZoneAnswer) -> list[str]:
    """The Seabed: and Depth: lines (with the ISA contract, cited and dated)."""
    from ..seabed import contract_text

    sb, depth = a.seabed, a.depth
    lines = []
    if sb is not None:
        what = (_REGIME_TEXT[sb.regime].format(states=" / ".join(sb.states) or "—")
                if sb.regime else "cannot be told (outside the zone layers' coverage)")
        lines.append(f"  Seabed:     {what} — {sb.note}")
        for c in sb.contracts:
            lines.append(f"              {contract_text(c)}")
    if depth is not None:
        lines.append(f"  Depth:      {depth.label()} — layer {depth.layer['id']} "
                     f"(version {depth.layer['version']})")
    elif sb is not None and sb.regime != "land":
        lines.append("  Depth:      no 1:10m depth band here "
                     "(land at that scale, or outside the layer's coverage)")
    return lines


def _seabed_sources(a: ZoneAnswer) -> list[dict[str, str]]:
    sb, depth = a.seabed, a.depth
    refs = [c.layer for c in (sb.contracts if sb is not None else ())]
    if depth is not None:
        refs.append(depth.layer)
    return list({r["id"]: r for r in refs}.values())


def summary_text(summary: dict[str, Any]) -> str:
    """One-paragraph human summary of :func:`geo.io.classify_file`."""
    parts = ", ".join(f"{k} {v:,}" for k, v in sorted(summary["status"].items(), key=lambda kv: -kv[1]))
    layers = ", ".join(f"{r['id']} ({r['version']})" for r in summary["layers"])
    out = "stdout" if summary["output"] == "-" else summary["output"]
    rate = summary["rows"] / summary["seconds"] if summary["seconds"] > 0 else float("inf")
    rows = f"{summary['rows']:,} row{'' if summary['rows'] == 1 else 's'}"
    return (f"classified {rows} for {summary['country']} in {summary['seconds']:.2f} s "
            f"({rate:,.0f} rows/s) -> {out}\n  by status: {parts or 'none'}\n  layers: {layers}")
