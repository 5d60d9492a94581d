"""``eezmap serve``: the answers over HTTP (:mod:`geo.serve`), on 127.0.0.1 by default."""

from __future__ import annotations

import click

from ._common import CONTEXT


@click.command("serve", context_settings=CONTEXT)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 exposes the service to the network).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="TCP port.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes; each loads the layers and indexes once.")
@click.option("--max-body", type=click.IntRange(1, None), default=64 << 20, show_default=True,
              metavar="BYTES", help="Largest request body (POST /where, POST /area); larger is a 413.")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              default="info", show_default=True, help="uvicorn's log level.")
def command(host: str, port: int, workers: int, max_body: int, log_level: str) -> int:
    """Answer over HTTP: GET /where?lat=&lon=, POST /where (GeoJSON or CSV),
    GET /distance?from=&to=, GET|POST /area, GET /map, GET /layers, GET /sites,
    GET /healthz; the OpenAPI description at /openapi.json.

    \b
    Every answer is the object the CLI prints with --json; bad input is a 400
    with {"error": "<the line the CLI prints>"}.
      eezmap serve --port 8000
      curl 'http://127.0.0.1:8000/where?lat=24.28667&lon=153.98056'
    """
    try:
        from .. import serve
    except ImportError as exc:
        raise click.ClickException(f"serve needs FastAPI and uvicorn ({exc.name} is missing): "
                                   "pip install 'eezmap[serve]'") from None
    import signal

    # uvicorn shuts down gracefully on SIGTERM, then re-raises it: end as a terminated server
    # does (status 143, no message), not through the CLI's "no partial output" handler
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    serve.run(host=host, port=port, workers=workers, max_body=max_body, log_level=log_level)
    return 0
