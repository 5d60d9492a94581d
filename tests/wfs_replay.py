"""A WFS on loopback that answers like the Marine Regions GeoServer (geo.vliz.be).

Built from the responses recorded in ``tests/data/wfs/`` (README there):

- GetCapabilities: the recorded document; each type's ``DefaultCRS`` is read
  from it (``urn:ogc:def:crs:EPSG::4326``: latitude first).
- DescribeFeatureType: the recorded XSD of ``eez_24nm`` and ``eez_boundaries``;
  for ``eez`` (not recorded) an XSD of the same shape with the columns of the
  bundled v12 extract.  Another type name is an HTTP 400 ExceptionReport.
- GetFeature (``outputFormat=application/json``): the features of the type
  (``eez``: the bundled v12 extract; ``eez_24nm`` and ``eez_boundaries``: the
  recorded feature, converted from GML), with only the columns of its schema,
  filtered by ``CQL_FILTER``, sorted by ``sortBy``, paged by
  ``count``/``startIndex``.
- A property name the type does not have (in the filter or ``sortBy``) is an
  HTTP 400 with the recorded ExceptionReport ("Illegal property name").
- ``BBOX(geom, a, b, c, d[, 'CRS'])`` follows GeoServer's axis rule: without
  a CRS the box is in the type's DefaultCRS, which in WFS 2.0.0 is
  ``urn:ogc:def:crs:EPSG::4326``, latitude first (a=S, b=W, c=N, d=E); with a
  CRS per that CRS (``CRS:84`` and GeoServer's ``EPSG:4326`` longitude first,
  the EPSG URNs latitude first; docs.geoserver.org, WFS "Axis ordering" and
  the ECQL reference).  The KVP ``bbox=…,CRS`` follows the same rule.

Faults are injected per request number (see :class:`WFS`).
"""

from __future__ import annotations

import functools
import json
import re
import threading
import urllib.parse
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "wfs"
EEZ_SOURCE = ROOT / "layers" / "mr_v12_eez_nw_pacific.geojson"

NS = {"xsd": "http://www.w3.org/2001/XMLSchema", "gml": "http://www.opengis.net/gml/3.2",
      "wfs": "http://www.opengis.net/wfs/2.0", "mr": "geo.vliz.be/MarineRegions"}
GML_CT = "application/gml+xml; version=3.2"
#: CRS names GeoServer reads longitude first / latitude first (its "Axis ordering" page)
LON_FIRST = {"CRS:84", "URN:OGC:DEF:CRS:OGC:1.3:CRS84", "HTTP://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84",
             "EPSG:4326", "HTTP://WWW.OPENGIS.NET/GML/SRS/EPSG.XML#4326"}
LAT_FIRST = {"URN:OGC:DEF:CRS:EPSG::4326", "URN:X-OGC:DEF:CRS:EPSG:4326",
             "HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/4326"}


class ServiceError(Exception):
    """An HTTP 400 with an OWS ExceptionReport."""

    def __init__(self, body: bytes) -> None:
        super().__init__(body.decode())
        self.body = body


def exception_report(code: str, text: str, locator: str = "GetFeature") -> bytes:
    """An ExceptionReport shaped like the recorded one, with another code and text."""
    recorded = (DATA / "error_illegal_property_name.xml").read_text(encoding="utf-8")
    body = re.sub(r'exceptionCode="[^"]*"', f'exceptionCode="{code}"', recorded)
    body = re.sub(r'locator="[^"]*"', f'locator="{locator}"', body)
    body = re.sub(r"<ows:ExceptionText>.*?</ows:ExceptionText>",
                  lambda m: f"<ows:ExceptionText>{_xml_escape(text)}</ows:ExceptionText>", body, flags=re.S)
    return body.encode("utf-8")


def illegal_property(name: str, type_name: str) -> ServiceError:
    recorded = (DATA / "error_illegal_property_name.xml").read_text(encoding="utf-8")
    body = recorded.replace("notvalidparameter", name).replace("MarineRegions:eez<", f"{type_name}<")
    return ServiceError(body.encode("utf-8"))


def _xml_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- the layers ---------------------------------------------------------------------------

class Layer:
    """One feature type: its XSD, its columns, its geometry column, its features."""

    def __init__(self, type_name: str, xsd: bytes, features: list[dict], default_crs: str) -> None:
        self.type_name = type_name
        self.xsd = xsd
        root = ET.fromstring(xsd)
        self.columns: list[str] = []
        self.geometry = ""
        for el in root.iter(f"{{{NS['xsd']}}}element"):
            name, typ = el.get("name"), el.get("type", "")
            if el.get("substitutionGroup"):
                continue
            if typ.startswith("gml:"):
                self.geometry = name
            self.columns.append(name)
        self.default_crs = default_crs
        keep = set(self.columns) - {self.geometry}
        self.features = [dict(f, properties={k: v for k, v in f["properties"].items() if k in keep})
                         for f in features]


def _eez_xsd(features: list[dict]) -> bytes:
    """An XSD in the recorded shape for MarineRegions:eez, from the bundled extract's columns."""
    names: dict[str, str] = {}
    for f in features:
        for k, v in f["properties"].items():
            if v is not None:
                names.setdefault(k, "xsd:int" if isinstance(v, int) else
                                 "xsd:double" if isinstance(v, float) else "xsd:string")
            else:
                names.setdefault(k, "xsd:string")
    template = (DATA / "describefeaturetype_eez_24nm.xml").read_text(encoding="utf-8")
    elements = "\n".join(
        f'          <xsd:element maxOccurs="1" minOccurs="0" name="{k}" nillable="true" type="{t}"/>'
        for k, t in names.items())
    elements += ('\n          <xsd:element maxOccurs="1" minOccurs="0" name="the_geom" nillable="true" '
                 'type="gml:MultiSurfacePropertyType"/>')
    body = re.sub(r"<xsd:sequence>.*</xsd:sequence>", lambda m: f"<xsd:sequence>\n{elements}\n        </xsd:sequence>",
                  template, flags=re.S)
    return body.replace("eez_24nm", "eez").encode("utf-8")


def _gml_features(path: Path) -> list[dict]:
    """GeoJSON features (longitude first) from a recorded GML 3.2 FeatureCollection (latitude first)."""
    root = ET.parse(path).getroot()
    feats = []
    for member in root.findall("wfs:member", NS):
        [feature] = list(member)
        props: dict[str, Any] = {}
        geometry = None
        for child in feature:
            name = child.tag.split("}")[1]
            gml = list(child)
            if gml:
                geometry = _gml_geometry(gml[0])
                continue
            text = child.text
            props[name] = _value(text)
        fid = feature.get(f"{{{NS['gml']}}}id")
        feats.append({"type": "Feature", "id": fid, "geometry": geometry, "properties": props})
    return feats


def _value(text: str | None) -> Any:
    if text is None:
        return None
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


def _pos(el: ET.Element) -> list[list[float]]:
    nums = [float(v) for v in el.text.split()]
    return [[nums[i + 1], nums[i]] for i in range(0, len(nums), 2)]  # lat lon -> lon lat


def _gml_geometry(el: ET.Element) -> dict:
    tag = el.tag.split("}")[1]
    if tag == "MultiCurve":
        return {"type": "MultiLineString",
                "coordinates": [_pos(p) for p in el.iter(f"{{{NS['gml']}}}posList")]}
    if tag == "MultiSurface":
        polys = []
        for poly in el.iter(f"{{{NS['gml']}}}Polygon"):
            polys.append([_pos(p) for p in poly.iter(f"{{{NS['gml']}}}posList")])
        return {"type": "MultiPolygon", "coordinates": polys}
    raise ValueError(tag)


def _default_crs(capabilities: bytes) -> dict[str, str]:
    text = capabilities.decode("utf-8")
    return {m.group(1): m.group(2) for m in re.finditer(
        r"<Name>([^<]+)</Name>.*?<DefaultCRS>([^<]+)</DefaultCRS>", text, re.S)}


@functools.lru_cache(maxsize=1)
def _eez_features() -> tuple[dict, ...]:
    doc = json.loads(EEZ_SOURCE.read_text(encoding="utf-8"))
    feats = [dict(f, id=f"eez.{f['properties']['mrgid']}") for f in doc["features"]]  # GeoServer's ids
    return tuple(sorted(feats, key=lambda f: f["properties"]["mrgid"]))


def eez_features() -> list[dict]:
    """The bundled extract's features as GeoServer serves them (copies; the geometries are shared)."""
    return [dict(f, properties=dict(f["properties"])) for f in _eez_features()]


def layers() -> dict[str, Layer]:
    capabilities = (DATA / "getcapabilities_wfs_2.0.0_eez_types.xml").read_bytes()
    crs = _default_crs(capabilities)
    eez = eez_features()
    return {
        "MarineRegions:eez": Layer("MarineRegions:eez", _eez_xsd(eez), eez, crs["MarineRegions:eez"]),
        "MarineRegions:eez_24nm": Layer(
            "MarineRegions:eez_24nm", (DATA / "describefeaturetype_eez_24nm.xml").read_bytes(),
            _gml_features(DATA / "getfeature_eez_24nm_mrgid49243.xml"), crs["MarineRegions:eez_24nm"]),
        "MarineRegions:eez_boundaries": Layer(
            "MarineRegions:eez_boundaries", (DATA / "describefeaturetype_eez_boundaries.xml").read_bytes(),
            _gml_features(DATA / "getfeature_eez_boundaries_line3730.xml"), crs["MarineRegions:eez_boundaries"]),
    }


# --- CQL (the subset eezmap may send: =, AND, OR, parentheses, BBOX) ------------------------

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)|"
                    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[(),=]))")


def _tokens(cql: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(cql):
        if cql[pos:].strip() == "":
            break
        m = _TOKEN.match(cql, pos)
        if not m:
            raise ServiceError(exception_report("InvalidParameterValue", f"Could not parse CQL filter list.: {cql}"))
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _CQL:
    def __init__(self, cql: str, layer: Layer) -> None:
        self.toks = _tokens(cql)
        self.i = 0
        self.layer = layer
        self.cql = cql

    def fail(self) -> ServiceError:
        return ServiceError(exception_report("InvalidParameterValue", f"Could not parse CQL filter list.: {self.cql}"))

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        t = self.peek()
        if t is None or (value is not None and t[1].upper() != value):
            raise self.fail()
        self.i += 1
        return t

    def parse(self) -> Callable[[dict], bool]:
        pred = self.disjunction()
        if self.peek() is not None:
            raise self.fail()
        return pred

    def disjunction(self) -> Callable[[dict], bool]:
        parts = [self.conjunction()]
        while self.peek() and self.peek()[1].upper() == "OR":
            self.take()
            parts.append(self.conjunction())
        return lambda f: any(p(f) for p in parts)

    def conjunction(self) -> Callable[[dict], bool]:
        parts = [self.atom()]
        while self.peek() and self.peek()[1].upper() == "AND":
            self.take()
            parts.append(self.atom())
        return lambda f: all(p(f) for p in parts)

    def atom(self) -> Callable[[dict], bool]:
        t = self.peek()
        if t is None:
            raise self.fail()
        if t[1] == "(":
            self.take()
            inner = self.disjunction()
            self.take(")")
            return inner
        if t[0] == "name" and t[1].upper() == "BBOX":
            return self.bbox()
        if t[0] != "name":
            raise self.fail()
        name = self.take()[1]
        self.check(name)
        self.take("=")
        kind, literal = self.take()
        if kind == "str":
            value: Any = literal[1:-1].replace("''", "'")
        elif kind == "num":
            value = float(literal)
        else:
            raise self.fail()
        return lambda f: _equal(f["properties"].get(name), value)

    def check(self, name: str) -> None:
        if name not in self.layer.columns:
            raise illegal_property(name, self.layer.type_name)

    def bbox(self) -> Callable[[dict], bool]:
        self.take("BBOX")
        self.take("(")
        kind, name = self.take()
        if kind != "name":
            raise self.fail()
        self.check(name)
        nums = []
        for _ in range(4):
            self.take(",")
            kind, v = self.take()
            if kind != "num":
                raise self.fail()
            nums.append(float(v))
        crs = None
        if self.peek() and self.peek()[1] == ",":
            self.take(",")
            kind, v = self.take()
            if kind != "str":
                raise self.fail()
            crs = v[1:-1]
        self.take(")")
        return box_predicate(nums, crs or self.layer.default_crs)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(b, float):
        return isinstance(a, (int, float)) and float(a) == b
    return a == b


def lat_first(crs: str) -> bool:
    """GeoServer's reading of a CRS name (docs.geoserver.org, WFS "Axis ordering")."""
    c = crs.strip().upper()
    if c in LON_FIRST:
        return False
    if c in LAT_FIRST:
        return True
    raise ServiceError(exception_report("InvalidParameterValue", f"Could not decode CRS {crs}"))


_SHAPES: dict[str, Any] = {}
_SHAPES_LOCK = threading.Lock()


def _shape(feature: dict) -> Any:
    """The feature's shapely geometry, built once per geometry (the server answers many pages)."""
    import shapely.geometry

    geometry = feature["geometry"]
    with _SHAPES_LOCK:
        if id(geometry) not in _SHAPES:  # the entry keeps the geometry alive: its id stays its own
            _SHAPES[id(geometry)] = (geometry, shapely.geometry.shape(geometry))
        return _SHAPES[id(geometry)][1]


def box_predicate(nums: list[float], crs: str) -> Callable[[dict], bool]:
    import shapely.geometry

    a, b, c, d = nums
    w, s, e, n = (b, a, d, c) if lat_first(crs) else (a, b, c, d)
    box = shapely.geometry.box(w, s, e, n)
    return lambda f: _shape(f).intersects(box)


# --- the server ----------------------------------------------------------------------------

class WFS:
    """State of the replay server: its layers, the requests seen, the faults to inject.

    ``faults`` maps a request number (0-based, every request counts) to a fault;
    ``fault_from``/``fault_kind`` inject one fault into every request from a number on.
    Faults: "500", "stall", "html", "xml" (a 200 ExceptionReport), "truncate",
    "short" (numberMatched one more than sent), "ignore-start", "bad-utf8"
    (a GeoJSON body with bytes that are not UTF-8), "polygons" (every type
    answers with the EEZ polygons).
    """

    def __init__(self) -> None:
        self.layers = layers()
        self.capabilities = (DATA / "getcapabilities_wfs_2.0.0_eez_types.xml").read_bytes()
        self.requests: list[dict[str, str]] = []
        self.faults: dict[int, str] = {}
        self.fault_from: int | None = None
        self.fault_kind = ""
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.url = ""

    @property
    def features(self) -> list[dict]:
        return self.layers["MarineRegions:eez"].features

    @features.setter
    def features(self, feats: list[dict]) -> None:
        self.layers["MarineRegions:eez"].features = feats

    def getfeatures(self) -> list[dict[str, str]]:
        """The GetFeature requests seen."""
        return [q for q in self.requests if _get(q, "request").lower() == "getfeature"]

    def fault_for(self, n: int) -> str:
        if n in self.faults:
            return self.faults[n]
        if self.fault_from is not None and n >= self.fault_from:
            return self.fault_kind
        return ""

    def layer(self, q: dict[str, str]) -> Layer:
        name = _get(q, "typeNames") or _get(q, "typeName")
        if name not in self.layers:
            raise ServiceError(exception_report("InvalidParameterValue", f"Feature type {name} unknown",
                                                locator="typeName"))
        return self.layers[name]

    def select(self, q: dict[str, str], layer: Layer | None = None) -> list[dict]:
        """The features a GetFeature query selects, sorted as asked (ServiceError like GeoServer)."""
        layer = layer or self.layers["MarineRegions:eez"]
        feats = layer.features
        cql = _get(q, "CQL_FILTER")
        bbox = _get(q, "bbox")
        if cql and bbox:
            raise ServiceError(exception_report("InvalidParameterValue",
                                                "bbox and cql_filter are mutually exclusive"))
        if cql:
            pred = _CQL(cql, layer).parse()
            feats = [f for f in feats if pred(f)]
        if bbox:
            parts = bbox.split(",")
            crs = parts[4] if len(parts) > 4 else layer.default_crs
            pred = box_predicate([float(v) for v in parts[:4]], crs)
            feats = [f for f in feats if pred(f)]
        sort = _get(q, "sortBy")
        if sort:
            key = sort.split()[0]
            if key not in layer.columns:
                raise illegal_property(key, layer.type_name)
            feats = sorted(feats, key=lambda f: (f["properties"].get(key) is None, f["properties"].get(key)))
        return feats


def _get(q: dict[str, str], key: str) -> str:
    """A KVP parameter, its name matched case-insensitively (as GeoServer does)."""
    for k, v in q.items():
        if k.lower() == key.lower():
            return v
    return ""


def _handler(state: WFS):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep pytest's output clean
            pass

        def _send(self, status: int, ctype: str, body: bytes, length: int | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            q = {k: v[-1] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).items()}
            with state.lock:
                n = len(state.requests)
                state.requests.append(q)
            fault = state.fault_for(n)
            if fault == "500":
                self._send(500, "text/plain", b"Internal Server Error")
                return
            if fault == "stall":
                state.stop.wait(5.0)  # longer than the client's timeout; ends with the test
                self.close_connection = True
                return
            if fault == "html":
                self._send(200, "text/html; charset=utf-8",
                           b"<html><head><title>Service maintenance</title></head><body>Back soon</body></html>")
                return
            if fault == "xml":
                self._send(200, "application/xml", exception_report(
                    "InvalidParameterValue", "Feature type MarineRegions:eez unknown"))
                return
            try:
                self.answer(q, fault)
            except ServiceError as exc:
                self._send(400, "application/xml", exc.body)

        def answer(self, q: dict[str, str], fault: str) -> None:
            request = _get(q, "request").lower()
            if _get(q, "service").upper() != "WFS" or _get(q, "version") != "2.0.0":
                raise ServiceError(exception_report("InvalidParameterValue", "service/version", locator="service"))
            if request == "getcapabilities":
                self._send(200, "application/xml", state.capabilities)
                return
            layer = state.layer(q)
            if request == "describefeaturetype":
                self._send(200, GML_CT, layer.xsd)
                return
            if request != "getfeature":
                raise ServiceError(exception_report("OperationNotSupported", request, locator="request"))
            if fault == "polygons":
                layer = Layer(layer.type_name, layer.xsd, state.layers["MarineRegions:eez"].features,
                              layer.default_crs)
            feats = state.select(q, layer)
            start = int(_get(q, "startIndex") or 0)
            count = int(_get(q, "count") or len(feats))
            page = feats[:count] if fault == "ignore-start" else feats[start:start + count]
            matched = len(feats) + (1 if fault == "short" else 0)
            body = json.dumps({"type": "FeatureCollection", "features": page, "totalFeatures": matched,
                               "numberMatched": matched, "numberReturned": len(page),
                               "timeStamp": "2026-11-21T00:00:00Z"}, ensure_ascii=False).encode()
            if fault == "truncate":
                self._send(200, "application/json;charset=UTF-8", body[: len(body) // 2], length=len(body))
                return
            if fault == "bad-utf8":
                body = body.replace(b'"FeatureCollection"', b'"FeatureCollection", "name": "R\xe9union \xff"', 1)
            self._send(200, "application/json;charset=UTF-8", body)

    return Handler


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client that gave up (timeout): not news
        pass


class Server:
    """The replay server on 127.0.0.1, a free port, stopped by :meth:`close`."""

    def __init__(self) -> None:
        self.state = WFS()
        for layer in self.state.layers.values():  # before any request: answers come within a client's timeout
            for f in layer.features:
                _shape(f)
        self.httpd = _HTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        self.state.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/geoserver/MarineRegions/wfs"

    def close(self) -> None:
        self.state.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
        assert not self.thread.is_alive()
