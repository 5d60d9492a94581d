"""Marine Regions' WFS as a protocol: its schema requests and the GetFeature URLs.

:func:`feature_schema` asks GeoServer which columns a layer has
(``DescribeFeatureType``), so that a filter names only real columns;
:func:`query_url` builds the GeoJSON ``GetFeature`` URL of one page, with a
``CQL_FILTER`` for a box (``BBOX(..., 'CRS:84')``, longitude first) and/or a
sovereign.  The pages themselves are fetched by :mod:`geo.layers.fetch`.
"""

from __future__ import annotations

import math
import re
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import ArgumentError, FetchError
from . import marineregions as mr
from ._http import get_xml

WFS_URL = mr.WFS_URL

#: the CRS named in a CQL BBOX: longitude first by definition (GeoServer's ECQL
#: BBOX takes a CRS as its sixth argument; without one it uses the layer's CRS)
BBOX_CRS = "CRS:84"
_XSD = "{http://www.w3.org/2001/XMLSchema}"


@dataclass(frozen=True)
class Schema:
    """The columns of a WFS feature type, as its DescribeFeatureType lists them.

    Example
    -------
    >>> s = Schema("MarineRegions:eez_24nm", ("mrgid", "geoname", "sovereign1", "iso_sov1"), "the_geom")
    >>> s.sovereign_columns
    ('sovereign1',)
    """

    type_name: str
    columns: tuple[str, ...]     # attribute columns, in the schema's order (the geometry not included)
    geometry: str                # the geometry column, e.g. "the_geom"

    @property
    def sovereign_columns(self) -> tuple[str, ...]:
        """sovereign1, sovereign2, … as the layer spells them, in order."""
        found = [(int(m.group(1)), c) for c in self.columns
                 if (m := re.fullmatch(r"sovereign(\d+)", c, re.I))]
        return tuple(c for _, c in sorted(found))

    def column(self, name: str) -> str | None:
        """The layer's spelling of a column (case-insensitive), or None."""
        return next((c for c in self.columns if c.lower() == name.lower()), None)


def describe_url(kind: str, *, url: str = WFS_URL) -> str:
    """The WFS 2.0 DescribeFeatureType URL of a kind's type name."""
    params = [("service", "WFS"), ("version", "2.0.0"), ("request", "DescribeFeatureType"),
              ("typeName", mr.PRODUCTS[kind].type_name)]
    sep = "&" if "?" in url else "?"
    return url + sep + urllib.parse.urlencode(params, safe=":", quote_via=urllib.parse.quote)


def feature_schema(kind: str, *, url: str = WFS_URL, timeout: float = 60.0, retries: int = 3,
                   backoff: float = 1.0) -> Schema:
    """Ask the WFS for a kind's schema (DescribeFeatureType) and read it.

    Raises
    ------
    FetchError
        The request failed, or the answer is not a schema with a geometry column.
    """
    address = describe_url(kind, url=url)
    root = get_xml(address, timeout=timeout, retries=retries, backoff=backoff)
    return parse_schema(root, mr.PRODUCTS[kind].type_name, address)


def parse_schema(root: ET.Element, type_name: str, source: str = "") -> Schema:
    """The :class:`Schema` of *type_name* in a DescribeFeatureType answer (an XML Schema)."""
    local = type_name.split(":")[-1]
    types = {t.get("name"): t for t in root.iter(f"{_XSD}complexType")}
    declared = next((e.get("type", "") for e in root.findall(f"{_XSD}element") if e.get("name") == local), "")
    ctype = types.get(declared.split(":")[-1]) or types.get(f"{local}Type")
    if ctype is None and len(types) == 1:
        ctype = next(iter(types.values()))
    if ctype is None:
        raise FetchError(f"the schema of {type_name} does not describe it (types: "
                         f"{', '.join(str(t) for t in types) or 'none'}): GET {source}")
    columns: list[str] = []
    geometry = ""
    for el in ctype.iter(f"{_XSD}element"):
        name = el.get("name")
        if not name:
            continue
        # GML geometry properties: gml:MultiSurfacePropertyType, gml:GeometryPropertyType, …
        if el.get("type", "").split(":")[-1].endswith("PropertyType") and not geometry:
            geometry = name
        else:
            columns.append(name)
    if not geometry:
        raise FetchError(f"the schema of {type_name} names no geometry column: GET {source}")
    return Schema(type_name, tuple(columns), geometry)


def query_url(kind: str, *, url: str = WFS_URL, bbox: Sequence[float] | None = None,
              sovereign: str | None = None, count: int | None = None, start: int | None = None,
              schema: Schema | None = None) -> str:
    """The WFS 2.0 GetFeature URL of a query (one page of it with *count*/*start*).

    A filter (*bbox*, *sovereign*) names columns: give the layer's *schema*
    (:func:`feature_schema`), never a guess.

    Example
    -------
    >>> eez = Schema("MarineRegions:eez", ("mrgid", "sovereign1", "sovereign2", "sovereign3"), "the_geom")
    >>> url = query_url("eez", sovereign="Japan", count=1000, start=0, schema=eez)
    >>> print(url)  # doctest: +NORMALIZE_WHITESPACE
    https://geo.vliz.be/geoserver/MarineRegions/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames=MarineRegions:eez&outputFormat=application%2Fjson&srsName=EPSG:4326&sortBy=mrgid&CQL_FILTER=(sovereign1%3D'Japan'%20OR%20sovereign2%3D'Japan'%20OR%20sovereign3%3D'Japan')&count=1000&startIndex=0
    """
    product = mr.PRODUCTS[kind]
    sort_by = product.sort_by
    if schema is not None:
        sort_by = schema.column(product.sort_by) or ""
        if not sort_by:
            raise FetchError(f"{product.type_name} has no column {product.sort_by} to page by (its columns: "
                             f"{', '.join(schema.columns)}): {url}")
    elif bbox is not None or sovereign:
        raise ValueError("a filter names the layer's columns: pass schema=feature_schema(kind, url=...)")
    params: list[tuple[str, str]] = [
        ("service", "WFS"), ("version", "2.0.0"), ("request", "GetFeature"),
        ("typeNames", product.type_name), ("outputFormat", "application/json"),
        ("srsName", "EPSG:4326"), ("sortBy", sort_by),
    ]
    cql = _cql(bbox, sovereign, schema) if schema is not None else None
    if cql:
        params.append(("CQL_FILTER", cql))
    if count is not None:
        params.append(("count", str(int(count))))
    if start is not None:
        params.append(("startIndex", str(int(start))))
    sep = "&" if "?" in url else "?"
    return url + sep + urllib.parse.urlencode(params, safe=":,'()", quote_via=urllib.parse.quote)


def _num(v: float) -> str:
    return f"{float(v):.10g}"


def _cql(bbox: Sequence[float] | None, sovereign: str | None, schema: Schema) -> str | None:
    """The CQL filter of a box and/or a sovereign, naming only the columns in *schema*.

    The box carries its CRS (:data:`BBOX_CRS`, longitude first): GeoServer
    reads a BBOX without one in the layer's CRS, latitude first in WFS 2.0.0.
    """
    parts = []
    if bbox is not None:
        parts.append(f"BBOX({_prop(schema.geometry)},{','.join(_num(v) for v in bbox)},'{BBOX_CRS}')")
    if sovereign:
        columns = schema.sovereign_columns
        if not columns:
            raise ArgumentError(f"{schema.type_name} has no sovereign column (its columns: "
                                f"{', '.join(schema.columns)}): fetch it with `bbox` instead")
        name = sovereign.replace("'", "''")
        parts.append("(" + " OR ".join(f"{_prop(c)}='{name}'" for c in columns) + ")")
    return " AND ".join(parts) or None


def _prop(name: str) -> str:
    """A property name for CQL: as is when a plain identifier, else double-quoted."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) and name.upper() not in _CQL_WORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


#: ECQL keywords a plain property name may not be (GeoTools' ECQL grammar)
_CQL_WORDS = {"AND", "OR", "NOT", "LIKE", "ILIKE", "IS", "NULL", "BETWEEN", "IN", "EXISTS", "ID", "INCLUDE",
              "EXCLUDE", "BEFORE", "AFTER", "DURING", "TRUE", "FALSE", "BBOX"}


