"""Fetch Marine Regions layers from its GeoServer WFS (``eezmap layers fetch``).

The full-resolution source of the bundled extracts: the WFS at
:data:`geo.layers.marineregions.WFS_URL`, type names ``MarineRegions:eez``,
``eez_12nm``, ``eez_24nm``, ``eez_internal_waters`` and ``eez_boundaries``.

A fetch first asks for the layer's schema (``DescribeFeatureType``, once
per layer): the filter names only columns the layer really has (the
sovereign columns differ: ``eez`` has sovereign1..3, ``eez_boundaries``
sovereign1..2, ``eez_24nm`` sovereign1 only, and GeoServer answers a column
it does not have with HTTP 400 "Illegal property name") and its geometry
column.  Then it asks for GeoJSON (``outputFormat=application/json``, WFS
2.0.0, ``srsName=EPSG:4326`` so that coordinates come longitude first),
filtered by a ``CQL_FILTER``: ``BBOX(the_geom,W,S,E,N,'CRS:84')`` for a box
(the CRS given, so the box is read longitude first: without one GeoServer
reads it in the layer's declared CRS, which in WFS 2.0.0 is EPSG:4326
latitude first) and/or the sovereign columns for a sovereign; in pages
(``count``/``startIndex``, sorted by a stable attribute) until
``numberMatched`` features have arrived.  Every request has a timeout and is
retried with exponential backoff when the failure may pass
(:mod:`geo.layers._http`).

The pages are checked before anything is written (a FeatureCollection,
every page present, no feature twice, ``numberMatched`` reached, geometries
of the right type, longitude/latitude, the Marine Regions columns present),
then written as one GeoJSON file, atomically, checksummed and recorded in
the user manifest (:func:`geo.layers.user.install_user_layer`) with the query
URL, the time, the version and Marine Regions' citation.  A failed or
partial download raises :class:`~geo.errors.FetchError` (exit status 6) and
leaves the layer fetched before untouched.

Example
-------
>>> from geo.layers.fetch import fetch_layer
>>> info = fetch_layer("eez", sovereign="Japan")              # doctest: +SKIP
>>> info.id, info.version                                     # doctest: +SKIP
('mr-wfs-eez-japan', '12 (WFS, retrieved 2026-11-21)')
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._progress import Progress
from ..errors import ArgumentError, FetchError
from . import marineregions as mr
from ._http import get_json
from .catalog import LayerInfo
from .user import check_new_layer_id, install_user_layer
from ..coords import check_bbox
from .wfs import WFS_URL, Schema, _num, feature_schema, parse_schema, query_url

__all__ = ["KINDS", "MAX_PAGES", "WFS_URL", "PageCallback", "Schema", "check_bbox", "default_id",
           "feature_schema", "fetch_layer", "parse_schema", "query_url"]

KINDS = tuple(mr.PRODUCTS)
#: never ask for more pages than this, whatever the server says
MAX_PAGES = 10_000

#: ``progress(features_so_far, number_matched_or_None)``, called after each page.
PageCallback = Callable[[int, "int | None"], None]


def default_id(kind: str, bbox: Sequence[float] | None, sovereign: str | None) -> str:
    """``mr-wfs-<kind>-<sovereign|bbox-…|world>``, e.g. ``mr-wfs-eez-12nm-japan``."""
    parts = ["mr-wfs", kind.replace("_", "-")]
    if sovereign:
        parts.append(re.sub(r"[^a-z0-9]+", "-", sovereign.lower()).strip("-") or "sovereign")
    if bbox is not None:
        parts.append("bbox-" + "_".join(_num(v).replace("-", "m").replace(".", "p") for v in bbox))
    if not sovereign and bbox is None:
        parts.append("world")
    return "-".join(parts)[:80]


def fetch_layer(kind: str = "eez", *, bbox: Sequence[float] | None = None, sovereign: str | None = None,
                world: bool = False, layer_id: str | None = None, url: str = WFS_URL,
                page_size: int = 1000, timeout: float = 60.0, retries: int = 3, backoff: float = 1.0,
                cache: str | os.PathLike[str] | None = None,
                progress: Progress | PageCallback | None = None) -> LayerInfo:
    """Fetch one Marine Regions layer from the WFS and register it as a user layer.

    Parameters
    ----------
    kind : {"eez", "eez_12nm", "eez_24nm", "eez_internal_waters", "eez_boundaries"}
    bbox : (W, S, E, N), optional
        Zones intersecting this box (each whole, not clipped).
    sovereign : str, optional
        Zones with this name in one of the layer's sovereign columns (those
        its DescribeFeatureType lists: sovereign1..3 for ``eez``, sovereign1
        only for ``eez_24nm``), as Marine Regions spells it (``"Japan"``,
        ``"United States"``).
    world : bool
        Neither filter: every zone in the world (large).  One of *bbox*,
        *sovereign* or *world* is required.
    layer_id : str, optional
        Default :func:`default_id`.
    url : str
        The WFS endpoint (tests use a loopback server).
    page_size : int
        Features per request.
    timeout, retries, backoff :
        Per request: seconds for connecting and each read; further attempts;
        seconds before the first retry (doubling).
    cache : path-like, optional
        The cache directory whose ``layers/`` receives the layer.
    progress : geo._progress.Progress or callable, optional
        Told the features received after each page (its ``total`` set from
        the server's ``numberMatched``); a callable is called as
        ``progress(features_so_far, number_matched_or_None)``.  Default: a
        :class:`~geo._progress.Progress` of ``"features"`` on stderr (when it
        is a terminal, see :func:`geo._progress.set_default`).

    Raises
    ------
    ArgumentError
        Bad arguments, or no zone matches the filter (exit 2; the message says
        whether the box or the name is the reason).
    FetchError
        Network or server failure, or a malformed or partial response (exit 6);
        nothing was written.
    """
    bbox, sovereign = _check_arguments(kind, bbox, sovereign, world, page_size, timeout)
    layer_id = check_new_layer_id(layer_id or default_id(kind, bbox, sovereign))
    product = mr.PRODUCTS[kind]
    what = f"{product.type_name}" + (f" for sovereign '{sovereign}'" if sovereign else "") + (
        f" in {','.join(_num(v) for v in bbox)}" if bbox is not None else "")
    request = _Request(kind, url, bbox, sovereign, page_size, timeout, retries, backoff)
    report = progress if progress is not None else Progress("features")
    try:
        # the columns the filter may name: asked of the server once for this layer
        schema = feature_schema(kind, url=url, timeout=timeout, retries=retries, backoff=backoff)
        features, matched, pages = _fetch_pages(request, schema, _reporter(report))
        if not features:
            raise _nothing_matched(kind, url=url, bbox=bbox, sovereign=sovereign, schema=schema,
                                   timeout=timeout, retries=retries, backoff=backoff)
        columns, bounds = _check_features(features, kind, url)
    except FetchError as exc:
        raise FetchError(f"fetching {what} failed, nothing was changed: {exc}") from exc
    finally:
        if isinstance(report, Progress) and progress is None:
            report.close()
    entry = _entry(request, schema, layer_id, what, features, columns, bounds)
    entry["wfs"].update(pages=pages, number_matched=matched)
    body = json.dumps({"type": "FeatureCollection", "name": product.type_name, "features": features},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def write(tmp: Path) -> None:
        tmp.write_bytes(body)

    return install_user_layer(entry, write, ".geojson", cache)


@dataclass(frozen=True)
class _Request:
    """What one fetch asks of the server."""

    kind: str
    url: str
    bbox: tuple[float, float, float, float] | None
    sovereign: str | None
    page_size: int
    timeout: float
    retries: int
    backoff: float


_Box = tuple[float, float, float, float]


def _check_arguments(kind: str, bbox: Sequence[float] | None, sovereign: str | None, world: bool,
                     page_size: int, timeout: float) -> tuple[_Box | None, str | None]:
    """The checked box and sovereign name; ArgumentError naming the parameter otherwise."""
    if kind not in mr.PRODUCTS:
        raise ArgumentError(f"unknown kind '{kind}': choose one of {', '.join(KINDS)}")
    box = check_bbox(bbox) if bbox is not None else None
    if sovereign is not None:
        sovereign = " ".join(sovereign.split())
        if not sovereign or any(ord(c) < 32 for c in sovereign):
            raise ArgumentError("`sovereign` needs a name, e.g. Japan")
    if box is None and not sovereign and not world:
        raise ArgumentError("say what to fetch: `bbox` W,S,E,N, `sovereign` NAME, or `world` "
                            "(every zone in the world: large)")
    if page_size < 1:
        raise ArgumentError("`page_size` must be at least 1")
    if timeout <= 0:
        raise ArgumentError("`timeout` must be positive")
    return box, sovereign


def _reporter(progress: Progress | PageCallback) -> PageCallback:
    """A page callback ``(features_so_far, number_matched_or_None)`` for either kind of *progress*."""
    if not isinstance(progress, Progress):
        return progress

    def report(done: int, total: int | None) -> None:
        if total is not None:
            progress.total = total
        progress.update(done - progress.done)

    return report


def _entry(request: _Request, schema: Schema, layer_id: str, what: str, features: list[dict[str, Any]],
           columns: dict[str, Any], bounds: list[float]) -> dict[str, Any]:
    """The user manifest entry of a fetched layer (its provenance: query, time, version, citation)."""
    kind, bbox, sovereign = request.kind, request.bbox, request.sovereign
    product = mr.PRODUCTS[kind]
    now = _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    version = _version_from(features) or f"{product.current} (WFS, retrieved {now.date().isoformat()})"
    cite, doi = mr.citation(kind)
    if bbox is not None:
        coverage = list(bbox)
    elif sovereign:
        coverage = [round(v, 6) for v in bounds]
    else:
        coverage = [-180.0, -90.0, 180.0, 90.0]
    return {
        "id": layer_id,
        "title": f"Marine Regions {product.short} v{product.current}, full resolution, from the WFS "
                 f"({what})",
        "kind": kind,
        "source_url": query_url(kind, url=request.url, bbox=bbox, sovereign=sovereign, schema=schema),
        "version": version,
        "doi": doi,
        "citation": cite,
        "attribution": mr.attribution(kind),
        "licence": mr.LICENCE,
        "licence_note": "Marine Regions data are CC BY 4.0; cite them. " + mr.DISCLAIMER,
        "crs": "EPSG:4326",
        "crs_in_file": True,
        "repair_invalid": True,
        "coverage_bbox": coverage,
        "zones_only": bool(sovereign),
        "coarse": False,
        "complete_sovereigns": _sovereign_isos(features, sovereign) if sovereign and bbox is None else [],
        "columns": columns,
        "retrieved": now.isoformat().replace("+00:00", "Z"),
        "feature_count": len(features),
        "wfs": {"url": request.url, "type_name": product.type_name, "bbox": list(bbox) if bbox else None,
                "sovereign": sovereign, "page_size": request.page_size},
        "processing": "Fetched from the Marine Regions WFS as GeoJSON in pages and stored as served; "
                      "invalid geometries are repaired and parts crossing 180° normalised on load.",
    }


_SPELLING = "sovereign names as Marine Regions writes them, e.g. Japan, United States, Russia"


def _nothing_matched(kind: str, *, url: str, bbox: Sequence[float] | None, sovereign: str | None,
                     schema: Schema, timeout: float, retries: int, backoff: float) -> Exception:
    """The error for a query that matched no feature, naming the likely reason.

    With a box and a sovereign, one more request (the sovereign alone, one
    feature) tells a box without the sovereign's zones from a misspelt name.
    """
    type_name = mr.PRODUCTS[kind].type_name
    box = ",".join(_num(v) for v in bbox) if bbox is not None else ""
    if sovereign and bbox is not None:
        found = _any(kind, url=url, sovereign=sovereign, schema=schema, timeout=timeout, retries=retries,
                     backoff=backoff)
        if found:
            return ArgumentError(f"no zone of {type_name} for sovereign '{sovereign}' intersects the box "
                                 f"{box} (W,S,E,N, longitude first); '{sovereign}' has zones elsewhere")
        if found is False:
            return ArgumentError(f"no features of {type_name} for sovereign '{sovereign}' anywhere "
                                 f"(check the spelling: {_SPELLING})")
        return ArgumentError(f"no zone of {type_name} for sovereign '{sovereign}' intersects the box {box}, "
                             f"or the name is spelt otherwise ({_SPELLING}); try `sovereign` alone")
    if bbox is not None:
        return ArgumentError(f"no zone of {type_name} intersects the box {box} (W,S,E,N, longitude first)")
    if sovereign:
        return ArgumentError(f"no features of {type_name} for sovereign '{sovereign}' (check the spelling: "
                             f"{_SPELLING})")
    return FetchError(f"the server sent no features of {type_name} at all: {url}")


def _any(kind: str, *, url: str, sovereign: str, schema: Schema, timeout: float, retries: int,
         backoff: float) -> bool | None:
    """Whether the sovereign alone matches a feature (one page of one feature); None if unknown."""
    try:
        doc = get_json(query_url(kind, url=url, sovereign=sovereign, count=1, start=0, schema=schema),
                       timeout=timeout, retries=retries, backoff=backoff)
    except FetchError:
        return None
    features = doc.get("features") if isinstance(doc, dict) else None
    return bool(features) if isinstance(features, list) else None


def _fetch_pages(request: _Request, schema: Schema,
                 progress: PageCallback) -> tuple[list[dict[str, Any]], int | None, int]:
    kind, url, bbox, sovereign, page_size = (request.kind, request.url, request.bbox, request.sovereign,
                                             request.page_size)
    features: list[dict[str, Any]] = []
    seen: set[str] = set()
    matched: int | None = None
    pages = 0
    for _ in range(MAX_PAGES):
        page_url = query_url(kind, url=url, bbox=bbox, sovereign=sovereign, count=page_size,
                             start=len(features), schema=schema)
        doc = get_json(page_url, timeout=request.timeout, retries=request.retries, backoff=request.backoff)
        pages += 1
        if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(
                doc.get("features"), list):
            raise FetchError(f"the server's answer is not a GeoJSON FeatureCollection: GET {page_url}")
        batch = doc["features"]
        number = doc.get("numberMatched", doc.get("totalFeatures"))
        if isinstance(number, int) and not isinstance(number, bool):
            if matched is not None and number != matched:
                raise FetchError(f"the layer changed while paging (numberMatched {matched}, then "
                                 f"{number}); fetch again: GET {page_url}")
            matched = number
        for feature in batch:
            fid = feature.get("id") if isinstance(feature, dict) else None
            if fid is not None:
                if str(fid) in seen:
                    raise FetchError(f"the server sent feature {fid} twice (is startIndex ignored?): "
                                     f"GET {page_url}")
                seen.add(str(fid))
        features.extend(batch)
        progress(len(features), matched)
        if not batch:
            break
        if matched is not None:
            if len(features) >= matched:
                break
        elif len(batch) < page_size:
            break
    else:
        raise FetchError(f"more than {MAX_PAGES} pages of {page_size}: use a larger `page_size`")
    if matched is not None and len(features) != matched:
        raise FetchError(f"incomplete download: the server said {matched} features match but sent "
                         f"{len(features)}: GET "
                         f"{query_url(kind, url=url, bbox=bbox, sovereign=sovereign, schema=schema)}")
    return features, matched, pages


def _check_features(features: list[dict[str, Any]], kind: str,
                    url: str) -> tuple[dict[str, Any], list[float]]:
    """The manifest's columns mapping and the data's bounds; FetchError if malformed."""
    product = mr.PRODUCTS[kind]
    allowed = ({"Polygon", "MultiPolygon"} if product.geometry == "polygon"
               else {"LineString", "MultiLineString"})
    names: dict[str, None] = {}
    w = s = math.inf
    e = n = -math.inf
    for k, feature in enumerate(features):
        geom = feature.get("geometry") if isinstance(feature, dict) else None
        gtype = geom.get("type") if isinstance(geom, dict) else None
        if gtype not in allowed:
            raise FetchError(f"feature {k} of {product.type_name} has geometry {gtype!r}, expected "
                             f"{' or '.join(sorted(allowed))}: {url}")
        for name in (feature.get("properties") or {}):
            names.setdefault(name)
        for x, y in _coords(geom.get("coordinates") if isinstance(geom, dict) else None):
            w, e, s, n = min(w, x), max(e, x), min(s, y), max(n, y)
    if s < -90 or n > 90 or w < -180 or e > 360:
        raise FetchError(f"the coordinates of {product.type_name} are not longitude/latitude (bounds "
                         f"{w:g},{s:g},{e:g},{n:g}); the server may have sent latitude first: {url}")
    if product.geometry != "polygon":
        return {}, [w, s, e, n]
    columns, missing = mr.detect_columns(names, kind)
    if missing:
        raise FetchError(f"the features of {product.type_name} lack the column(s) {', '.join(missing)}; "
                         f"is {url} a Marine Regions WFS?")
    return columns, [w, s, e, n]


def _coords(coords: Any) -> Any:
    """Every (x, y) of a GeoJSON coordinates array, however deeply nested."""
    stack = [coords]
    while stack:
        c = stack.pop()
        if isinstance(c, list) and c and isinstance(c[0], (int, float)):
            if len(c) < 2:
                raise FetchError("a coordinate with fewer than two numbers")
            yield float(c[0]), float(c[1])
        elif isinstance(c, list):
            stack.extend(c)


def _version_from(features: list[dict[str, Any]]) -> str | None:
    """A version stated in the data's attributes (a ``version`` column), if any."""
    for feature in features[:1]:
        for key, value in (feature.get("properties") or {}).items():
            if key.lower() in ("version", "eez_version", "mr_version") and value not in (None, ""):
                return str(value)
    return None


def _sovereign_isos(features: list[dict[str, Any]], sovereign: str) -> list[str]:
    """The ISO code(s) of the sovereign asked for, learned from its own zones."""
    isos: dict[str, None] = {}
    for feature in features:
        props = {k.lower(): v for k, v in (feature.get("properties") or {}).items()}
        if str(props.get("sovereign1", "")).lower() == sovereign.lower():
            iso = props.get("iso_sov1")
            if isinstance(iso, str) and re.fullmatch(r"[A-Z]{3}", iso):
                isos.setdefault(iso)
    return list(isos)
