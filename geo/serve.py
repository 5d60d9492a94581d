"""The HTTP service: ``eezmap serve`` (FastAPI on uvicorn).

Every endpoint calls the library function the CLI calls for the same
question and answers with the object the CLI prints with ``--json``:

====================  ==========================================================
``GET /where``        ``?lat=&lon=[&country=][&layer=]…[&distance=false]``: the
                      ``where --json`` object (:func:`geo.answer.where`)
``POST /where``       a GeoJSON FeatureCollection of points (``application/geo+json``
                      or ``application/json``) or CSV (``text/csv``): the same rows
                      with the ``eez_*`` properties or columns added, row for row
                      (:func:`geo.io.classify_file`, the path of ``where --input``)
``GET /distance``     ``?from=&to=``: the ``distance --json`` object
``GET /area``         ``?site=``: the ``area --json`` object for an area site
``POST /area``        a GeoJSON FeatureCollection of polygons: the ``area --json`` object
``GET /map``          the standalone offline HTML map (``eezmap map``)
``GET /layers``       the ``layers --json`` object; ``GET /sites``: ``sites --json``
``GET /healthz``      ``{"status": "ok", ...}`` once the layers are loaded
====================  ==========================================================

Errors are JSON ``{"error": "<line>"}``: bad input is a 400 with the very
line the CLI prints on stderr (:func:`geo.cli._common.error_line`), a body
over the limit a 413, a wrong content type a 415; a bug is logged and
answered with a 500 that names no internals.  No file path is ever taken
from a request: bodies are streamed into a private temporary directory
(bounded by ``max_body``) and read from there by the same code as
``where --input``; the output is streamed back from a temporary file.

Layers and indexes are loaded once per worker process, at start-up.
Blocking library calls run in the server's thread pool.

Example
-------
>>> from fastapi.testclient import TestClient      # doctest: +SKIP
>>> TestClient(create_app()).get("/where", params={"lat": 22, "lon": 153.8}).json()["answer"]
'yes'
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import FileResponse, HTMLResponse, Response

from . import __version__, _config
from .errors import GeoError
from .models import AreaAnswer, DistanceAnswer, ErrorBody, Health, LayersList, SitesList, WhereAnswer

log = logging.getLogger("eezmap.serve")

#: Default limit of a request body: 64 MiB (about 2 million CSV rows of lat,lon).
DEFAULT_MAX_BODY = 64 << 20
#: The environment variable that carries --max-body to every worker process.
MAX_BODY_ENV = _config.MAX_BODY_ENV

# query parameters with a list default, made once (a call in a signature would build it per import)
_LAYERS = Query([])
_LAYERS_DESCRIBED = Query([], description="Zone layers in precedence (repeat).")
_GEOJSON_TYPES = ("application/geo+json", "application/json")
_CSV_TYPES = ("text/csv",)
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Bad input: the line the CLI prints for it."},
    413: {"model": ErrorBody, "description": "The body is larger than the server's --max-body."},
    415: {"model": ErrorBody, "description": "A content type the endpoint does not take."},
    500: {"model": ErrorBody, "description": "A bug (logged), or a broken layer file."},
}


class _BodyError(Exception):
    """A request the service refuses before calling the library (size, type)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _json(obj: Any, status: int = 200) -> Response:
    """JSON encoded exactly as the CLI prints it (``print_json``), without the newline."""
    return Response(json.dumps(obj, ensure_ascii=False), status_code=status, media_type="application/json")


def _error(status: int, line: str) -> Response:
    return _json({"error": " ".join(str(line).split("\n"))}, status)  # as the CLI folds it


def _geo_error(exc: GeoError, scrub: str | None = None) -> Response:
    from .cli._common import error_line

    line = error_line(exc)
    if scrub:  # the private temporary directory is no business of the client's
        line = line.replace(scrub + os.sep, "").replace(scrub, "")
    # exit status 2 is bad input; 5 (a broken layer) and 6 are the server's own trouble
    return _error(400 if exc.exit_code == 2 else 500, line)


_DRIVER_HINT = re.compile(r";?\s*It might help to specify the correct driver.*$")
_UNREADABLE = "not recognized as being in a supported file format"


def _body_error(exc: GeoError, directory: str, body: Path) -> Response:
    """A library error about a spooled request body, told of the body, never of the file it was
    spooled to (nor of the GDAL driver syntax the message may suggest)."""
    from .cli._common import error_line

    if exc.exit_code != 2:
        return _geo_error(exc, scrub=directory)
    what = "GeoJSON" if body.suffix == ".geojson" else "CSV"
    if what == "GeoJSON":
        try:
            with open(body, "rb") as f:
                json.load(f)
        except ValueError as bad:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
            return _error(400, f"eezmap: error: the request body is not valid JSON: {bad}")
        except OSError:
            pass  # the library's own message, below
    line = error_line(exc).replace(directory + os.sep, "").replace(directory, "")
    if _UNREADABLE in line:
        return _error(400, f"eezmap: error: the request body cannot be read as {what}")
    line = _DRIVER_HINT.sub("", line)
    for name in (f"'{body.name}'", f"input {body.name}", body.name):
        line = line.replace(name, "the request body")
    return _error(400, line)


# --- warm-up ------------------------------------------------------------------------

def warm() -> tuple[str, ...]:
    """Load the default layers, their indexes and the sites once (per worker process)."""
    import numpy as np

    from .answer import where
    from .layers import manifest, resolve_layers
    from .sites import load_sites
    from .zones import classify

    ids = resolve_layers(None)
    rng = np.random.default_rng(0)
    for layer_id in ids:
        # enough points, in zones and out, for classify to build (or load) every index of the layer
        w, s, e, n = manifest().get(layer_id).coverage_bbox
        lat = rng.uniform(max(s, -89.0), min(n, 89.0), 512)
        lon = rng.uniform(max(w, -179.0), min(e, 179.0), 512)
        classify(lat, lon, layers=[layer_id])
    where(24.28667, 153.98056)  # and one full answer: boundary distance, nesting
    load_sites()
    return ids


# --- request bodies -------------------------------------------------------------------

def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _spool(request: Request, directory: str, name: str, limit: int) -> Path:
    """Stream the body into *directory*/*name*; 413 past *limit* bytes (before reading, if declared)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise _BodyError(413, f"eezmap: error: the request body ({int(declared):,} bytes) is larger "
                                      f"than this server's limit of {limit:,} bytes (--max-body)")
        except ValueError as exc:
            raise _BodyError(400, "eezmap: error: the Content-Length header is not a number") from exc
    path = Path(directory) / name
    size = 0
    with open(path, "wb") as f:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _BodyError(413, f"eezmap: error: the request body is larger than this server's "
                                      f"limit of {limit:,} bytes (--max-body)")
            await run_in_threadpool(f.write, chunk)
    if size == 0:
        raise _BodyError(400, "eezmap: error: the request body is empty")
    return path


def _cleanup(directory: str) -> BackgroundTask:
    return BackgroundTask(shutil.rmtree, directory, ignore_errors=True)


# --- the application --------------------------------------------------------------------

def create_app(max_body: int | None = None, warm_up: bool = True) -> FastAPI:
    """The ASGI application (``uvicorn --factory geo.serve:create_app``).

    Parameters
    ----------
    max_body : int, optional
        Largest request body accepted, bytes (default ``$EEZMAP_SERVE_MAX_BODY``,
        else :data:`DEFAULT_MAX_BODY`).
    warm_up : bool
        Load the default layers and indexes at start-up (default), not on the
        first request.
    """
    limit = int(max_body if max_body is not None else _config.max_body(DEFAULT_MAX_BODY))
    state: dict[str, Any] = {"layers": ()}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm_up:
            state["layers"] = await run_in_threadpool(warm)
        else:
            from .layers import resolve_layers

            state["layers"] = resolve_layers(None)
        yield

    app = FastAPI(
        title="eezmap", version=__version__, lifespan=lifespan,
        description="Is a point in Japan's (or any country's) EEZ? Marine Regions layers; geodesic "
                    "distances and areas. The objects are those of the eezmap CLI's --json output. "
                    "Not for legal or navigational use.",
        responses=_ERRORS,
        docs_url=None, redoc_url=None,  # Swagger UI and ReDoc load from a CDN: /openapi.json only
    )
    _add_error_handlers(app)
    _add_queries(app, state)
    _add_where_post(app, limit)
    _add_area_post(app, limit)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    """Every error is one JSON line: bad input 400, a bug 500 (logged, no internals)."""

    @app.exception_handler(GeoError)
    async def _on_geo_error(request: Request, exc: GeoError) -> Response:
        return _geo_error(exc)

    @app.exception_handler(_BodyError)
    async def _on_body_error(request: Request, exc: _BodyError) -> Response:
        return _error(exc.status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _on_validation(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for e in exc.errors():
            loc = [str(x) for x in e.get("loc", ()) if x not in ("query", "body")]
            what = f"query parameter '{'.'.join(loc)}'" if loc else "the request"
            parts.append(f"{what}: {e.get('msg', 'invalid')}".replace("Field required", "missing"))
        return _error(400, "eezmap: error: " + "; ".join(parts))

    @app.exception_handler(StarletteHTTPException)
    async def _on_http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "error"
        where = f"{request.method} {request.url.path}"
        return _error(exc.status_code, f"eezmap: error: {detail.lower()}: {where}")

    @app.exception_handler(ClientDisconnect)
    async def _on_disconnect(request: Request, exc: ClientDisconnect) -> Response:
        # the client went away during its upload: nobody reads this answer, and it is no bug
        return _error(400, "eezmap: error: the client closed the connection before the body was complete")

    @app.exception_handler(Exception)
    async def _on_bug(request: Request, exc: Exception) -> Response:
        log.exception("eezmap serve: unexpected error on %s %s", request.method, request.url.path)
        return _error(500, "eezmap: internal error; it was logged on the server")


def _add_queries(app: FastAPI, state: dict[str, Any]) -> None:
    """The GET endpoints: one per CLI question, answering its ``--json`` object."""

    @app.get("/healthz", response_model=Health, tags=["service"])
    def healthz() -> Response:
        """Ready: the default layers and indexes are loaded."""
        return _json({"status": "ok", "version": __version__, "layers": list(state["layers"])})

    @app.get("/where", response_model=WhereAnswer, tags=["where"])
    def where_get(lat: str = Query(..., description="Latitude as people type it (22.0, 24°17′12″N)."),
                  lon: str = Query(..., description="Longitude (153.8, 206 = 154°W, 153°58′50″E)."),
                  country: str = Query("JPN", description="ISO 3166 alpha-3 code or sovereign name."),
                  layer: list[str] = _LAYERS_DESCRIBED,
                  distance: bool = Query(True, description="Also the distance to the nearest boundary.")
                  ) -> Response:
        """``eezmap where LAT LON --json``: zone, status, answer and boundary distance of one point."""
        from .answer import where
        from .coords import parse_pair

        la, lo = parse_pair(lat, lon)
        return _json(where(la, lo, country=country, layers=layer or None, distance=distance).to_json())

    @app.get("/distance", response_model=DistanceAnswer, tags=["distance"])
    def distance_get(from_: str = Query(..., alias="from", description="A site id or LAT,LON."),
                     to: str = Query(..., description="A site id or LAT,LON.")) -> Response:
        """``eezmap distance A B --json``: geodesic distance, bearing, the 200 NM margin."""
        from .cli.distance import json_object

        return _json(json_object(from_, to))

    @app.get("/area", response_model=AreaAnswer, tags=["area"])
    def area_get(site: str = Query(..., description="An area site id, e.g. rey-mud-area."),
                 layer: list[str] = _LAYERS) -> Response:
        """``eezmap area SITE --json``: geodesic area and the share in each zone."""
        from .cli.area import json_object, site_area

        return _json(json_object(site_area(site, file_hint=False), layer))

    @app.get("/map", response_class=HTMLResponse, tags=["map"])
    def map_get() -> Response:
        """The standalone offline map (``eezmap map``), built once per worker."""
        return HTMLResponse(_map_html())

    @app.get("/layers", response_model=LayersList, tags=["data"])
    def layers_get() -> Response:
        """``eezmap layers --json``: every layer with its source, licence and checksum."""
        from .cli.layers import json_object

        return _json(json_object())

    @app.get("/sites", response_model=SitesList, tags=["data"])
    def sites_get() -> Response:
        """``eezmap sites --json``: the built-in sites with their sources and certainty."""
        from .cli.sites import json_object

        return _json(json_object())


def _add_where_post(app: FastAPI, limit: int) -> None:
    """``POST /where``: a CSV or GeoJSON body classified row for row (``where --input``)."""

    @app.post("/where", tags=["where"], responses={
        200: {"description": "The rows with the eez_* properties (GeoJSON) or columns (CSV) added.",
              "content": {"application/geo+json": {}, "text/csv": {}}}},
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/geo+json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}}}}})
    async def where_post(request: Request, country: str = Query("JPN"), layer: list[str] = _LAYERS,
                         lat_col: str | None = Query(None, description="CSV: the latitude column."),
                         lon_col: str | None = Query(None, description="CSV: the longitude column."),
                         distance: bool = Query(False, description="Also eez_boundary_* (slow).")
                         ) -> Response:
        """``eezmap where --input FILE --output FILE``: every row classified, row for row."""
        kind = _media_type(request)
        if kind in _CSV_TYPES:
            suffix, media = ".csv", "text/csv; charset=utf-8"
        elif kind in _GEOJSON_TYPES:
            suffix, media = ".geojson", "application/geo+json"
        else:
            raise _BodyError(415, f"eezmap: error: POST /where takes text/csv or application/geo+json, "
                                  f"not '{kind or 'no content type'}'")
        tmp = tempfile.mkdtemp(prefix="eezmap-serve-")
        try:
            src = await _spool(request, tmp, "request" + suffix, limit)
            dst = Path(tmp) / ("result" + suffix)
            from .io.batch import classify_file

            try:
                await run_in_threadpool(
                    classify_file, str(src), str(dst), country=country, layers=layer or None,
                    lat_col=lat_col, lon_col=lon_col, with_distance=distance, progress=False)
            except GeoError as exc:
                answer = _body_error(exc, tmp, src)
                shutil.rmtree(tmp, ignore_errors=True)
                return answer
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return FileResponse(dst, media_type=media, background=_cleanup(tmp))


def _add_area_post(app: FastAPI, limit: int) -> None:
    """``POST /area``: a GeoJSON body of polygons measured (``area FILE``)."""

    @app.post("/area", response_model=AreaAnswer, tags=["area"], openapi_extra={
        "requestBody": {"required": True,
                        "content": {"application/geo+json": {"schema": {"type": "object"}}}}})
    async def area_post(request: Request, layer: list[str] = _LAYERS) -> Response:
        """``eezmap area FILE --json`` for a GeoJSON FeatureCollection of polygons."""
        kind = _media_type(request)
        if kind not in _GEOJSON_TYPES:
            raise _BodyError(415, f"eezmap: error: POST /area takes application/geo+json, "
                                  f"not '{kind or 'no content type'}'")
        tmp = tempfile.mkdtemp(prefix="eezmap-serve-")
        try:
            src = await _spool(request, tmp, "request.geojson", limit)

            def measure() -> dict[str, Any]:
                from .cli.area import json_object, polygons
                from .io.read import read_whole as _read_whole

                return json_object(polygons(str(src), _read_whole(str(src))), layer)

            try:
                return _json(await run_in_threadpool(measure))
            except GeoError as exc:
                return _body_error(exc, tmp, src)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


_map_lock = threading.Lock()
_map_cache: dict[str, str] = {}


def _map_html() -> str:
    with _map_lock:
        if "html" not in _map_cache:
            from .map import render_html

            _map_cache["html"] = render_html()
        return _map_cache["html"]


def run(host: str = "127.0.0.1", port: int = 8000, workers: int = 1, max_body: int = DEFAULT_MAX_BODY,
        log_level: str = "info") -> None:
    """Serve until interrupted (``eezmap serve``): each worker loads the layers once."""
    import uvicorn

    _config.set_max_body(max_body)  # read by create_app in every worker process
    uvicorn.run("geo.serve:create_app", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, limit_concurrency=None, timeout_graceful_shutdown=10,
                server_header=False)
