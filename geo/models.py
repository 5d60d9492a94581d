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
:mod:`geo.enums`, so a new status changes the schema, and the test of the
shipped file says so.

Needs pydantic (the ``serve`` extra); the CLI never imports this module.

Example
-------
>>> import geo
>>> from geo.models import WhereAnswer
>>> WhereAnswer.model_validate(geo.where(22.0, 153.8).to_json()).answer   # a StrEnum: equal to 'yes'
<Answer.YES: 'yes'>
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from .enums import Answer, Status


def _closed(values: type[StrEnum], title: str) -> WithJsonSchema:
    """A string from a closed set, in the schema inline (``enum``) as it always was, not a ``$ref``."""
    return WithJsonSchema({"enum": [str(v) for v in values], "title": title, "type": "string"})


AnswerValue = Annotated[Answer, _closed(Answer, "Answer")]
StatusValue = Annotated[Status, _closed(Status, "Status")]

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

    mrgid: int | None = Field(description="Marine Regions Gazetteer id of the zone.")
    name: str
    pol_type: str = Field(description="Marine Regions type: 200NM, Overlapping claim, Joint regime …")
    sovereigns: list[str] = Field(description="Every sovereign of the zone; none is picked in a shared area.")
    territory: str | None = None


class AcrossZone(Zone):
    """The zone across the nearest boundary, with its status."""

    status: str | None = None


class NearestBoundary(_Open):
    lat: float
    lon: float
    across: AcrossZone | str | None = Field(
        description="What lies across the boundary: a zone, 'high_seas', 'land' or 'outside_coverage' "
                    "(null where it cannot be told, on the boundary itself).")


class LayerRef(_Open):
    id: str
    version: str
    coarse: bool | None = None
    citation: str | None = None


class Contract(_Open):
    """An ISA exploration contract or reserved area holding the point (July 2019)."""

    contractor: str
    resource: Literal["polymetallic nodules", "polymetallic sulphides", "cobalt-rich ferromanganese crusts"]
    status: Literal["exploration", "reserved"]
    since: str | None = Field(description="Date the contract was signed (ISO 8601), null if unknown.")
    as_of: str = Field(description="Date of the ISA layer: '2019-07'; areas were partly relinquished since.")
    layer: LayerRef


class Seabed(_Open):
    """Who holds the seabed at the point (UNCLOS Part VI shelf, or the Area of Part XI)."""

    regime: Literal["continental_shelf", "the_area", "beyond_200nm", "land"] | None = Field(
        description="continental_shelf inside a 200 NM zone; the_area inside an ISA contract or reserved "
                    "area; beyond_200nm outside both; land; null where the loaded layers cannot tell.")
    states: list[str] = Field(description="The coastal state(s) of the shelf: every party of a shared zone.")
    contracts: list[Contract]
    note: str


class DepthBand(_Open):
    """The Natural Earth 1:10m depth band holding the point: a band, never a measured depth."""

    from_: int = Field(alias="from", description="Upper bound of the band, metres below sea level.")
    to: int | None = Field(description="Lower bound of the band, metres below sea level.")
    layer: LayerRef


class WhereAnswer(_Open):
    """The ``eezmap where LAT LON --json`` object (``GET /where``)."""

    query: Query
    country: str = Field(description="ISO 3166 alpha-3 code of the sovereign asked about.")
    answer: AnswerValue = Field(description="What the status means for the country.")
    status: StatusValue = Field(description="What the place is.")
    zone: Zone | None
    distance_to_boundary_km: float | None = Field(
        description="Geodesic (WGS84) distance to the nearest boundary, km; null without it.")
    nearest_boundary: NearestBoundary | None
    layer: LayerRef | None = Field(description="The layer that answered, and its citation.")
    enclosing_zone: Zone | None = Field(
        default=None, description="For land in a hole of a zone polygon: the zone around the hole.")
    zones: list[dict[str, Any]] | None = Field(
        default=None, description="With nested layers: every zone at the point, innermost first.")
    seabed: Seabed | None = Field(default=None, description="Who holds the seabed here.")
    depth_m: DepthBand | None = Field(
        default=None, description="The 1:10m depth band (null on land or outside the bathymetry's coverage).")


class End(_Open):
    id: str | None
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
    distance_uncertainty_km: float | None = None
    ellipsoid: str
    limit_200nm: dict[str, Any] | None = None


class Share(_Open):
    zone: Zone | None
    status: str
    area_km2: float
    percent: float


class Area(_Open):
    name: str
    area_km2: float
    shares: list[Share]
    nearest_boundary_km: float | None = None
    nearest_boundary_point: dict[str, Any] | None = None


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
