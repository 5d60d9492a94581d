"""``eezmap layers``: the bundled layers with their provenance."""

from __future__ import annotations

import click

from ._common import CONTEXT, indent_option, json_option, print_json


@click.command("layers", context_settings=CONTEXT)
@json_option
@indent_option
@click.option("--verify", is_flag=True, help="Check every file's SHA-256 against the manifest.")
def command(as_json: bool, indent: int | None, verify: bool) -> int:
    """List the bundled layers: id, title, version, licence, citation, checksum."""
    from ..layers import manifest
    from ..layers import verify as verify_file

    infos = list(manifest())
    if verify:
        for info in infos:
            verify_file(info)  # raises LayerError (exit 5) on the first bad file
    if as_json:
        print_json({"layers": [i.as_dict() for i in infos],
                    "default_zones": list(manifest().default_zones)}, indent)
        return 0
    for i in infos:
        click.echo(f"{i.id}  [{i.kind}{', coarse' if i.coarse else ''}]  {i.file}")
        click.echo(f"  {i.title}")
        click.echo(f"  version {i.version}; licence {i.licence}; sha256 {i.sha256}")
        click.echo(f"  coverage {list(i.coverage_bbox)}"
                   + (f"; complete for {', '.join(i.complete_sovereigns)}" if i.complete_sovereigns else ""))
        click.echo(f"  cite: {i.citation}")
    if verify:
        click.echo(f"all {len(infos)} layer files match their checksums")
    return 0
