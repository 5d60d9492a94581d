"""The vocabularies of an answer, as string enums.

Every status, answer, layer kind and certainty the library hands out is one
of these members.  They are :class:`enum.StrEnum`, so they compare equal to
(and serialise as) the plain strings the JSON, CSV and HTTP outputs have
always carried: ``Status.EEZ == "eez"`` and ``json.dumps(Status.EEZ)`` is
``'"eez"'``.

>>> from geo.enums import Status, Answer
>>> Status("joint_regime") is Status.JOINT_REGIME
True
>>> [str(a) for a in Answer]
['yes', 'no', 'shared', 'unknown']
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Answer", "Certainty", "LayerKind", "Status"]


class Status(StrEnum):
    """What the place is, whoever asks (the order is the integer code of ``classify``)."""

    EEZ = "eez"
    OVERLAPPING_CLAIM = "overlapping_claim"
    JOINT_REGIME = "joint_regime"
    LAND = "land"
    HIGH_SEAS = "high_seas"
    OUTSIDE_COVERAGE = "outside_coverage"


class Answer(StrEnum):
    """What the status means for the country asked about (order = integer code)."""

    YES = "yes"
    NO = "no"
    SHARED = "shared"
    UNKNOWN = "unknown"


class LayerKind(StrEnum):
    """What a manifest entry holds (``kind`` in ``layers/manifest.json``)."""

    EEZ = "eez"
    EEZ_12NM = "eez_12nm"
    EEZ_24NM = "eez_24nm"
    EEZ_INTERNAL_WATERS = "eez_internal_waters"
    EEZ_BOUNDARIES = "eez_boundaries"
    LAND = "land"
    SITES = "sites"
    ATTRIBUTES = "attributes"
    ISA_AREAS = "isa_areas"
    BATHYMETRY = "bathymetry"
    COASTLINE = "coastline"
    ISLAND_ZONES = "island_zones"


class Certainty(StrEnum):
    """How a site's coordinates are known."""

    PUBLISHED = "published"
    APPROXIMATE = "approximate"
