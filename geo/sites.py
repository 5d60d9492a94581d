"""Sites: the built-in places of interest and the user's own.

Built-in sites live in ``layers/sites.geojson`` (verified against the
manifest like every layer).  Each has an id, a name, a kind, a geometry, the
water depth where known, its source and a certainty: ``published``, or
``approximate`` with an uncertainty radius in km and an uncertainty area.  A
coordinate that was never published is never presented as exact.  A point
the user types (``LAT,LON``) or reads from a file is ``user-supplied``: taken
as given, vouched for by nobody here.

Example
-------
>>> from geo.sites import get_site
>>> s = get_site("chikyu-2026-site")
>>> s.certainty, s.uncertainty_km
('approximate', 71.0)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from .enums import Certainty
from .errors import CoordinateError, LayerError, SiteError
from .layers import LayerInfo, manifest, verify


@dataclass(frozen=True)
class Site:
    """A place of interest.

    ``lat``/``lon`` is the representative point (the marker; the centre of an
    area).  ``geometry`` is the full shapely geometry (a Point or a Polygon).
    """

    id: str
    name: str
    kind: str
    lat: float
    lon: float
    geometry: Any
    certainty: str = "published"
    uncertainty_km: float | None = None
    uncertainty_area: Any = None
    depth_m: tuple[float, float] | None = None
    source: str = ""
    source_url: str = ""
    facts: tuple[dict[str, str], ...] = ()
    note: str = ""
    derivation: str = ""
    layer: LayerInfo | None = None
    user: bool = False
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def is_area(self) -> bool:
        return self.geometry is not None and self.geometry.geom_type in ("Polygon", "MultiPolygon")

    @property
    def approximate(self) -> bool:
        return self.certainty == Certainty.APPROXIMATE

    @property
    def short_name(self) -> str:
        """The name without its gloss in brackets, for labels and sentences.

        >>> get_site("minami-torishima").short_name
        'Minami-Torishima'
        """
        return self.name.split(" (")[0]

    def depth_text(self) -> str:
        if not self.depth_m:
            return ""
        lo, hi = self.depth_m
        return f"about {lo:,.0f} m" if lo == hi else f"about {lo:,.0f}–{hi:,.0f} m"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready description (``eezmap sites --json``, GeoJSON properties)."""
        return {
            "id": self.id, "name": self.name, "kind": self.kind,
            "lat": self.lat, "lon": self.lon,
            "certainty": self.certainty, "uncertainty_km": self.uncertainty_km,
            "depth_m": list(self.depth_m) if self.depth_m else None,
            "source": self.source, "source_url": self.source_url,
            "facts": [dict(f) for f in self.facts], "note": self.note,
            "derivation": self.derivation,
            "layer": self.layer.ref() if self.layer else None,
        }


def margin_nm(metres: float) -> float:
    """How far inside (+) or outside (-) the 200 NM limit around a site a point *metres* away
    (geodesic) lies, in nautical miles.

    >>> round(margin_nm(370_400.0 - 1852.0), 6)
    1.0
    """
    from .geodesy import EEZ_LIMIT_M, NM

    return (EEZ_LIMIT_M - metres) / NM


def _uncertainty_area(spec: dict[str, Any] | None, by_id: dict[str, Any]) -> Any:
    from .geodesy import sector

    if not spec:
        return None
    if spec.get("method") != "sector":
        raise LayerError(f"sites: unknown uncertainty method {spec.get('method')!r}")
    origin = by_id[spec["origin"]]
    lon, lat = origin["geometry"]["coordinates"]
    d0, d1 = (1000.0 * float(x) for x in spec["distance_km"])
    b0, b1 = (float(x) for x in spec["bearing_deg"])
    return sector(lat, lon, (d0, d1), (b0, b1))


@lru_cache(maxsize=1)
def load_sites() -> tuple[Site, ...]:
    """The built-in sites, verified against the layer manifest."""
    import shapely

    info = manifest().get("sites")
    path = verify(info)
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        by_id = {f["properties"]["id"]: f for f in features}
        sites = []
        for f in features:
            p = f["properties"]
            geom = shapely.geometry.shape(f["geometry"])
            if not geom.is_valid:
                raise LayerError(f"sites: geometry of '{p['id']}' is invalid")
            if p.get("representative_point"):
                lon, lat = p["representative_point"]
            else:
                if not isinstance(geom, shapely.Point):
                    raise LayerError(f"sites: '{p['id']}' is not a point and gives no representative_point")
                lon, lat = geom.x, geom.y
            depth = p.get("depth_m")
            sites.append(Site(
                id=p["id"], name=p["name"], kind=p["kind"], lat=float(lat), lon=float(lon),
                geometry=geom, certainty=p["certainty"],
                uncertainty_km=float(p["uncertainty_km"]) if p.get("uncertainty_km") is not None else None,
                uncertainty_area=_uncertainty_area(p.get("uncertainty_area"), by_id),
                depth_m=(float(depth[0]), float(depth[1])) if depth else None,
                source=p.get("source", ""), source_url=p.get("source_url", ""),
                facts=tuple(p.get("facts", ())), note=p.get("note", ""),
                derivation=p.get("derivation", ""), layer=info,
            ))
    except (KeyError, TypeError, ValueError) as exc:
        raise LayerError(f"sites: {path} is malformed: {exc}") from exc
    for s in sites:
        if s.certainty == Certainty.APPROXIMATE and (s.uncertainty_km is None or s.uncertainty_area is None):
            raise LayerError(f"sites: approximate site '{s.id}' has no uncertainty radius and area")
    return tuple(sites)


def get_site(site_id: str) -> Site:
    """A built-in site by id; :class:`SiteError` lists the known ids otherwise."""
    for s in load_sites():
        if s.id == site_id:
            return s
    known = ", ".join(s.id for s in load_sites())
    raise SiteError(f"unknown site '{site_id}': the built-in sites are {known}")


def home_site() -> Site:
    """The island every distance on the map is measured from."""
    return get_site("minami-torishima")


def resolve_point(value: Any) -> Site:
    """A site id, a 'LAT,LON' string, a (lat, lon) pair or a :class:`Site` -> Site."""
    from .coords import parse_pair, parse_point, wrap_lon

    if isinstance(value, Site):
        return value
    if isinstance(value, (tuple, list)) and len(value) == 2:
        lat, given = parse_pair(value[0], value[1], wrap=False)
    elif isinstance(value, str):
        text = value.strip()
        ids = {s.id for s in load_sites()}
        if text in ids:
            return get_site(text)
        if not any(ch.isdigit() for ch in text):
            raise SiteError(f"unknown site '{value}': give a site id ({', '.join(sorted(ids))}) or LAT,LON")
        try:
            lat, given = parse_point(text, wrap=False)
        except CoordinateError as exc:
            raise CoordinateError(f"{exc} (or give a site id: {', '.join(sorted(ids))})") from exc
    else:
        raise SiteError(f"cannot use {value!r} as a point: give a site id or LAT,LON")
    import shapely

    lon = wrap_lon(given)  # the name echoes the longitude as typed (180, not -180)
    return Site(id=f"{lat:.5f},{lon:.5f}", name=f"{lat:.5f}, {given:.5f}", kind="point", lat=lat, lon=lon,
                geometry=shapely.Point(lon, lat), certainty="user-supplied", user=True)


def read_user_sites(path: str) -> tuple[Site, ...]:
    """A user's own sites from a CSV (name, lat, lon columns) or a GeoJSON file.

    Every other column or property is kept (and shown escaped on the map).
    Raises :class:`~geo.errors.InputFileError` with one line on a bad file.
    """
    import shapely

    from .errors import InputFileError
    from .io.columns import point_coordinates as _coordinates
    from .io.read import read_whole as _read_whole

    frame = _read_whole(path)
    geoms = None
    if "geometry" in frame.columns and hasattr(frame, "geometry"):
        geoms = np.asarray(frame.geometry.values, dtype=object)
        reps = [None if g is None or g.is_empty
                else (g if g.geom_type == "Point" else g.representative_point()) for g in geoms]
        lat = np.array([np.nan if r is None else r.y for r in reps])
        lon = np.array([np.nan if r is None else r.x for r in reps])
        errors = np.array(["missing geometry" if r is None else "" for r in reps], dtype=object)
    else:
        lat, lon, errors = _coordinates(frame, None, None)
    names = [c for c in frame.columns if str(c).lower() in ("name", "title", "label", "id")]
    sites = []
    for i in range(len(frame)):
        if errors[i]:
            raise InputFileError(f"{path}: row {i + 1}: {errors[i]}")
        row = frame.iloc[i]
        name = str(row[names[0]]) if names else f"site {i + 1}"
        props = {str(k): ("" if v is None else str(v)) for k, v in row.items() if str(k) != "geometry"}
        geom = geoms[i] if geoms is not None else shapely.Point(lon[i], lat[i])
        sites.append(Site(id=f"user-{i + 1}", name=name, kind="user", lat=float(lat[i]), lon=float(lon[i]),
                          geometry=geom, certainty="user-supplied", source=f"user file {path}",
                          user=True, properties=props))
    return tuple(sites)
