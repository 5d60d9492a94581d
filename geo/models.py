"""Typed models of the JSON objects eezmap prints and serves.

One pydantic model per object: ``where --json`` (:class:`WhereAnswer`),
``distance --json`` (:class:`DistanceAnswer`), ``area --json``
(:class:`AreaAnswer`), ``sites --json`` (:class:`SitesList`), ``layers --json``
(:class:`LayersList`) and the error body (:class:`ErrorBody`).  The service
(:mod:`geo.serve`) declares them as its response models, so its OpenAPI
description is generated from them; the JSON Schema of the ``where`` object
is shipped in the package (``geo/schema/where.schema.json``, written by
``python -m geo.models``) and the tests validate the CLI's output against it
and check that the shipped file equals :func:`where_schema`.

Every model allows extra keys: a key added to an answer (a new note, a depth)
is passed through, never dropped or refused; the schema states the keys that
are always there.  The closed sets (answers, statuses) come from
:mod:`geo.zones`, so a new status changes the schema, and the test of the
shipped file says so.

Needs pydantic (the ``serve`` extra); the CLI never imports this module.

Example
-------
>>> import geo
>>> from geo.models import WhereAnswer
>>> WhereAnswer.model_validate(geo.where(22.0, 153.8).to_json()).answer
'yes'
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from .enums import Answer as _Answer, Status as _Status

Answer = Literal[tuple(a.value for a in _Answer)]  # type: ignore[valid-type]
Status = Literal[tuple(s.value for s in _Status)]  # type: ignore[valid-type]

SCHEMA_DIR = Path(__file__).with_name("schema")
WHERE_SCHEMA_PATH = SCHEMA_DIR / "where.schema.json"


class _Open(BaseModel):
    """A JSON object whose listed keys are checked and whose other keys pass through."""

    model_config = ConfigDict(extra="allow")


class Query(_Open):
    lat: float = Field(description="Latitude asked about, degrees (-90..90).")
    lon: float = Field(description="Longitude asked about, degrees, as given (-180..360).")


class Zone(_Open):
    """A zone of a Marine Regions layer."""

    mrgid: Optional[int] = Field(description="Marine Regions Gazetteer id of the zone.")
    name: str
    pol_type: str = Field(description="Marine Regions type: 200NM, Overlapping claim, Joint regime …")
    sovereigns: list[str] = Field(description="Every sovereign of the zone; none is picked in a shared area.")
    territory: Optional[str] = None


class AcrossZone(Zone):
    """The zone across the nearest boundary, with its status."""

    status: Optional[str] = None


class NearestBoundary(_Open):
    lat: float
    lon: float
    across: Union[AcrossZone, str, None] = Field(
        description="What lies across the boundary: a zone, 'high_seas', 'land' or 'outside_coverage' "
                    "(null where it cannot be told, on the boundary itself).")


class LayerRef(_Open):
    id: str
    version: str
    coarse: Optional[bool] = None
    citation: Optional[str] = None


class Contract(_Open):
    """An ISA exploration contract or reserved area holding the point (July 2019)."""

    contractor: str
    resource: Literal["polymetallic nodules", "polymetallic sulphides", "cobalt-rich ferromanganese crusts"]
    status: Literal["exploration", "reserved"]
    since: Optional[str] = Field(description="Date the contract was signed (ISO 8601), null if unknown.")
    as_of: str = Field(description="Date of the ISA layer: '2019-07'; areas were partly relinquished since.")
    layer: LayerRef


class Seabed(_Open):
    """Who holds the seabed at the point (UNCLOS Part VI shelf, or the Area of Part XI)."""

    regime: Optional[Literal["continental_shelf", "the_area", "beyond_200nm", "land"]] = Field(
        description="continental_shelf inside a 200 NM zone; the_area inside an ISA contract or reserved "
                    "area; beyond_200nm outside both; land; null where the loaded layers cannot tell.")
    states: list[str] = Field(description="The coastal state(s) of the shelf: every party of a shared zone.")
    contracts: list[Contract]
    note: str


class DepthBand(_Open):
    """The Natural Earth 1:10m depth band holding the point: a band, never a measured depth."""

    from_: int = Field(alias="from", description="Upper bound of the band, metres below sea level.")
    to: Optional[int] = Field(description="Lower bound of the band, metres below sea level.")
    layer: LayerRef


class WhereAnswer(_Open):
    """The ``eezmap where LAT LON --json`` object (``GET /where``)."""

    query: Query
    country: str = Field(description="ISO 3166 alpha-3 code of the sovereign asked about.")
    answer: Answer = Field(description="What the status means for the country.")  # type: ignore[valid-type]
    status: Status = Field(description="What the place is.")  # type: ignore[valid-type]
    zone: Optional[Zone]
    distance_to_boundary_km: Optional[float] = Field(
        description="Geodesic (WGS84) distance to the nearest boundary, km; null without it.")
    nearest_boundary: Optional[NearestBoundary]
    layer: Optional[LayerRef] = Field(description="The layer that answered, and its citation.")
    enclosing_zone: Optional[Zone] = Field(
        default=None, description="For land in a hole of a zone polygon: the zone around the hole.")
    zones: Optional[list[dict[str, Any]]] = Field(
        default=None, description="With nested layers: every zone at the point, innermost first.")
    seabed: Optional[Seabed] = Field(default=None, description="Who holds the seabed here.")
    depth_m: Optional[DepthBand] = Field(
        default=None, description="The 1:10m depth band (null on land or outside the bathymetry's coverage).")


class End(_Open):
    id: Optional[str]
    name: str
    lat: float
    lon: float
    certainty: str


class DistanceAnswer(_Open):
    """The ``eezmap distance A B --json`` object (``GET /distance``)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    from_: End = Field(alias="from")
    to: End
    distance_km: float
    distance_nm: float
    initial_bearing_deg: float
    distance_uncertainty_km: Optional[float] = None
    ellipsoid: str
    limit_200nm: Optional[dict[str, Any]] = None


class Share(_Open):
    zone: Optional[Zone]
    status: str
    area_km2: float
    percent: float


class Area(_Open):
    name: str
    area_km2: float
    shares: list[Share]
    nearest_boundary_km: Optional[float] = None
    nearest_boundary_point: Optional[dict[str, Any]] = None


class AreaAnswer(_Open):
    """The ``eezmap area --json`` object (``GET /area``, ``POST /area``)."""

    areas: list[Area]


class SitesList(_Open):
    """The ``eezmap sites --json`` object (``GET /sites``)."""

    sites: list[dict[str, Any]]


class LayersList(_Open):
    """The ``eezmap layers --json`` object (``GET /layers``)."""

    layers: list[dict[str, Any]]
    default_zones: list[str]
    default_source: str


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer of the service."""

    error: str = Field(description="One line: the line the CLI prints on stderr for the same input.")


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    layers: list[str] = Field(description="The default zone layers, loaded at start-up.")


def where_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the ``where`` object, from :class:`WhereAnswer`."""
    schema = WhereAnswer.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://eezmap.invalid/schema/where.schema.json", **schema}


def schema_text() -> str:
    """The shipped file's exact text (sorted keys, two-space indent, final newline)."""
    return json.dumps(where_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def shipped_where_schema() -> dict[str, Any]:
    """The JSON Schema shipped in the package (``geo/schema/where.schema.json``)."""
    return json.loads(WHERE_SCHEMA_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


if __name__ == "__main__":  # python -m geo.models: (re)write the shipped schema
    SCHEMA_DIR.mkdir(exist_ok=True)
    WHERE_SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {WHERE_SCHEMA_PATH}")
