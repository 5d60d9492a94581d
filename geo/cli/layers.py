"""``eezmap layers``: list the layers; fetch, add, remove and choose default layers.

``eezmap layers`` alone (or ``eezmap layers list``) lists the bundled layers
and the user's, with provenance.  The subcommands are thin shells over
:mod:`geo.fetch`, :mod:`geo.importer` and :mod:`geo.layers`.
"""

from __future__ import annotations

from typing import Any

import click

from ._common import (
    CONTEXT,
    indent_option,
    json_option,
    print_json,
    progress_choice,
    refuse_indent_without_json,
    refuse_unless,
)

_KINDS = ("eez", "eez_12nm", "eez_24nm", "eez_internal_waters", "eez_boundaries")
_ADD_KINDS = _KINDS[:4]


def _list_options(f: Any) -> Any:
    f = click.option("--verify", is_flag=True, help="Check every file's SHA-256 against its manifest.")(f)
    return json_option(indent_option(f))


def _cache_option(f: Any) -> Any:
    return click.option("--cache-dir", metavar="DIR", type=click.Path(file_okay=False),
                        help="The cache directory whose layers/ holds user layers (default: "
                             "$EEZMAP_CACHE, else $XDG_CACHE_HOME/eezmap, else ~/.cache/eezmap; "
                             "other commands read $EEZMAP_CACHE).")(f)


@click.group("layers", context_settings=CONTEXT, invoke_without_command=True)
@_list_options
@click.pass_context
def command(ctx: click.Context, as_json: bool, indent: int | None, verify: bool) -> int | None:
    """List the layers: id, title, version, licence, citation, checksum.

    \b
    Bundled layers first, then the user's (fetched or added; marked "user").
    Subcommands:
      fetch     download full-resolution Marine Regions layers (WFS)
      add       import an official download (zip/GeoPackage/GeoJSON/...)
      default   choose the layers 'where' uses by default
      remove    forget a user layer and delete its file
    """
    refuse_unless(ctx, ctx.invoked_subcommand is None,
                  f"lists the layers: it does not apply to 'eezmap layers {ctx.invoked_subcommand}'",
                  "verify", "as_json", "indent")
    refuse_indent_without_json(ctx)
    if ctx.invoked_subcommand is not None:
        return None
    return _list(as_json, indent, verify)


@command.command("list", context_settings=CONTEXT)
@_list_options
def list_command(as_json: bool, indent: int | None, verify: bool) -> int:
    """List the layers (the same as 'eezmap layers')."""
    refuse_indent_without_json(click.get_current_context())
    return _list(as_json, indent, verify)


def _list(as_json: bool, indent: int | None, verify: bool) -> int:
    from ..layers import manifest
    from ..layers import verify as verify_file

    m = manifest()
    infos = list(m)
    if verify:
        for info in infos:
            verify_file(info, full=True)  # always hashed; LayerError (exit 5) on the first bad file
    if as_json:
        print_json(json_object(), indent)
        return 0
    for i in infos:
        flags = ", ".join([i.kind] + (["coarse"] if i.coarse else []) + (["user"] if i.user else []))
        click.echo(f"{i.id}  [{flags}]  {i.path if i.user else i.file}")
        click.echo(f"  {i.title}")
        click.echo(f"  version {i.version}; licence {i.licence}; sha256 {i.sha256}")
        click.echo(f"  coverage {list(i.coverage_bbox)}"
                   + (" (its zones only)" if i.zones_only else "")
                   + (f"; complete for {', '.join(i.complete_sovereigns)}" if i.complete_sovereigns else ""))
        if i.user:
            how = (f"retrieved {i.extra['retrieved']} from {i.source_url}" if "retrieved" in i.extra
                   else f"added {i.extra.get('added', '?')} from {i.extra.get('source_file', '?')} "
                        f"(sha256 {str(i.extra.get('source_sha256', ''))[:12]}…, user-supplied)")
            click.echo(f"  {how}")
        click.echo(f"  cite: {i.citation}")
    if m.default_source != "bundled" or any(i.user for i in infos):
        click.echo(f"default layers ({m.default_source}): {', '.join(m.default_zones)}")
    if verify:
        click.echo(f"all {len(infos)} layer files match their checksums")
    return 0


def json_object() -> dict[str, Any]:
    """The ``eezmap layers --json`` object (the service's ``GET /layers`` too)."""
    from ..layers import manifest

    m = manifest()
    return {"layers": [i.as_dict() for i in m], "default_zones": list(m.default_zones),
            "default_source": m.default_source}


def _bbox(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[float, ...] | None:
    if value is None:
        return None
    parts = [p for p in value.replace(" ", ",").split(",") if p]
    try:
        nums = tuple(float(p) for p in parts)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not four numbers W,S,E,N (e.g. 120,20,160,50)") from None
    if len(nums) != 4:
        raise click.BadParameter(f"'{value}' is not four numbers W,S,E,N (e.g. 120,20,160,50)")
    return nums


@command.command("fetch", context_settings=CONTEXT)
@click.option("--kind", "kinds", multiple=True, type=click.Choice(_KINDS),
              help="What to fetch (repeat for several; default eez): eez (200 NM), eez_12nm "
                   "(territorial seas), eez_24nm (contiguous zones), eez_internal_waters, "
                   "eez_boundaries (lines).")
@click.option("--bbox", callback=_bbox, metavar="W,S,E,N",
              help="Zones intersecting this box (degrees; W<E, no box across 180°).")
@click.option("--sovereign", metavar="NAME",
              help="Zones with NAME in a sovereign column of the layer (sovereign1..3, as many as its schema "
                   "has), as Marine Regions spells it (Japan, United States).")
@click.option("--world", is_flag=True, help="No filter: every zone in the world (large).")
@click.option("--id", "layer_id", metavar="ID",
              help="Id of the new layer (default mr-wfs-KIND-SOVEREIGN|bbox-...|world); "
                   "with one --kind only.")
@click.option("--url", default=None, metavar="URL",
              help="WFS endpoint (default https://geo.vliz.be/geoserver/MarineRegions/wfs).")
@click.option("--page-size", type=click.IntRange(1, 100_000), default=1000, show_default=True,
              help="Features per request (WFS 2.0 count/startIndex).")
@click.option("--timeout", type=click.FloatRange(min=0.01), default=60.0, show_default=True,
              help="Seconds allowed to connect and for each read.")
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True,
              help="Further attempts after a transient failure (HTTP 5xx, timeout, cut-short body).")
@click.option("--backoff", type=click.FloatRange(min=0.0), default=1.0, show_default=True,
              help="Seconds before the first retry; doubled each time (at most 30).")
@_cache_option
@click.option("--progress/--no-progress", default=None,
              help="Progress on stderr (default: when stderr is a terminal).")
@json_option
@indent_option
def fetch_command(kinds: tuple[str, ...], bbox: tuple[float, ...] | None, sovereign: str | None, world: bool,
                  layer_id: str | None, url: str | None, page_size: int, timeout: float, retries: int,
                  backoff: float, cache_dir: str | None, progress: bool | None, as_json: bool,
                  indent: int | None) -> int:
    """Download full-resolution layers from the Marine Regions WFS.

    \b
    Examples:
      eezmap layers fetch --sovereign Japan
      eezmap layers fetch --kind eez_12nm --kind eez_24nm --sovereign Japan
      eezmap layers fetch --bbox 120,20,160,50 --id mr-v12-eez-japan-seas

    \b
    Each layer is checked whole (every page, numberMatched reached, GeoJSON,
    longitude/latitude, Marine Regions columns), then written atomically,
    checksummed and recorded in <cache>/layers/manifest.json with the query
    URL, the time, the version and the citation. A failed download (exit 6)
    leaves any layer fetched before untouched. Fetched layers answer 'where'
    with --layer ID, or by default after 'eezmap layers default ID...'.
    """
    refuse_indent_without_json(click.get_current_context())
    from .._progress import Progress
    from ..layers.fetch import WFS_URL, fetch_layer

    kinds = kinds or ("eez",)
    if world and (bbox is not None or sovereign is not None):
        raise click.UsageError("--world means no filter: give it alone, or --bbox and/or --sovereign")
    if layer_id and len(kinds) > 1:
        raise click.UsageError("--id names one layer: give one --kind with it")
    choice = progress_choice(progress)
    done = []
    for kind in dict.fromkeys(kinds):
        bar = Progress("features", enabled=choice)
        try:
            info = fetch_layer(kind, bbox=bbox, sovereign=sovereign, world=world, layer_id=layer_id,
                               url=url or WFS_URL, page_size=page_size, timeout=timeout, retries=retries,
                               backoff=backoff, cache=cache_dir, progress=bar)
        finally:
            bar.close()
        done.append(info)
        if not as_json:
            click.echo(f"{info.id}: {info.extra.get('feature_count')} features of {info.kind}, "
                       f"version {info.version}, sha256 {info.sha256[:12]}…")
            click.echo(f"  {info.path}")
            click.echo(f"  cite: {info.citation}")
    if as_json:
        print_json({"layers": [i.as_dict() for i in done]}, indent)
    elif done:
        click.echo(f"use it with: eezmap where LAT LON --layer {done[0].id}")
    return 0


@command.command("add", context_settings=CONTEXT)
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--id", "layer_id", metavar="ID", help="Id of the new layer (default: from the file name).")
@click.option("--kind", type=click.Choice(_ADD_KINDS), default="eez", show_default=True,
              help="What the file holds: eez (200 NM), eez_12nm, eez_24nm or eez_internal_waters.")
@click.option("--citation", metavar="TEXT",
              help="How to cite the file (default: Marine Regions' citation for the kind and version).")
@click.option("--title", metavar="TEXT", help="A title for the layer.")
@click.option("--version", "version", metavar="TEXT",
              help="The data's version (default: read from the file name, e.g. v12).")
@click.option("--source-layer", metavar="NAME",
              help="Which member of a zip or layer of a GeoPackage, when there are several.")
@click.option("--coverage-bbox", callback=_bbox, metavar="W,S,E,N",
              help="Where the layer is the authority (default: the data's bounds).")
@click.option("--zones-only", is_flag=True,
              help="The file holds only some zones of its area: elsewhere the next layer answers.")
@_cache_option
@json_option
@indent_option
def add_command(path: str, layer_id: str | None, kind: str, citation: str | None, title: str | None,
                version: str | None, source_layer: str | None, coverage_bbox: tuple[float, ...] | None,
                zones_only: bool, cache_dir: str | None, as_json: bool, indent: int | None) -> int:
    """Import an official download (zipped Shapefile, GeoPackage, GeoJSON, FlatGeobuf, GeoParquet).

    \b
    Example:
      eezmap layers add World_EEZ_v12_20231025.zip --id mr-v12-eez-world-full
      eezmap layers add World_12NM_v4_20231025_gpkg.zip --kind eez_12nm --id mr-12nm

    \b
    Finds the Marine Regions columns (MRGID, GeoName, Pol_type, Sovereign1..3,
    Territory1, ISO_Ter1/ISO_SOV1, AREA_KM2, in any spelling), reprojects to
    EPSG:4326, repairs invalid polygons, brings 0-360 longitudes and zones
    crossing 180° into -180..180, and stores the result as a GeoPackage in
    <cache>/layers, recorded with the file's name and SHA-256.
    """
    refuse_indent_without_json(click.get_current_context())
    from ..layers.importer import add_layer

    info = add_layer(path, layer_id=layer_id, kind=kind, citation=citation, title=title, version=version,
                     source_layer=source_layer, coverage_bbox=coverage_bbox, zones_only=zones_only,
                     cache=cache_dir)
    if as_json:
        print_json({"layers": [info.as_dict()]}, indent)
        return 0
    n = info.extra.get("feature_count")
    click.echo(f"{info.id}: {n} zone{'' if n == 1 else 's'} of {info.kind} from "
               f"{info.extra.get('source_layer')}, version {info.version}")
    click.echo(f"  {info.path}")
    click.echo(f"  {info.extra.get('processing')}")
    click.echo(f"  cite: {info.citation}")
    click.echo(f"use it with: eezmap where LAT LON --layer {info.id}")
    return 0


@command.command("default", context_settings=CONTEXT)
@click.argument("layer_ids", nargs=-1, metavar="[ID]...")
@click.option("--reset", is_flag=True, help="Back to the bundled defaults.")
@_cache_option
def default_command(layer_ids: tuple[str, ...], reset: bool, cache_dir: str | None) -> int:
    """Show or choose the layers 'where' uses when no --layer is given.

    \b
    eezmap layers default                      show them and where they come from
    eezmap layers default ID [ID...]           use these, in this order of precedence
    eezmap layers default --reset              back to the bundled defaults

    \b
    Defaults never change by themselves: fetching or adding a layer does not
    make it a default. EEZMAP_LAYERS_DEFAULT=ID,ID overrides this choice for
    one shell; --layer overrides both. Nested layers (eez_12nm, eez_24nm,
    eez_internal_waters) may be defaults too: 'where' then lists every zone.
    """
    from ..layers import manifest, set_user_defaults

    if reset and layer_ids:
        raise click.UsageError("give layer ids or --reset, not both")
    refuse_unless(click.get_current_context(), bool(reset or layer_ids),
                  "applies when choosing (ID... or --reset); the defaults shown are those of $EEZMAP_CACHE",
                  "cache_dir")
    if reset or layer_ids:
        ids = set_user_defaults(layer_ids, cache_dir)
        click.echo(f"default layers: {', '.join(ids)}" if ids else "default layers: the bundled ones")
        return 0
    m = manifest()
    click.echo(f"default layers ({m.default_source}): {', '.join(m.default_zones)}")
    return 0


@command.command("remove", context_settings=CONTEXT)
@click.argument("layer_id", metavar="ID")
@_cache_option
def remove_command(layer_id: str, cache_dir: str | None) -> int:
    """Forget a user layer and delete its file (bundled layers stay)."""
    from ..layers import remove_user_layer

    remove_user_layer(layer_id, cache_dir)
    click.echo(f"removed {layer_id}")
    return 0
