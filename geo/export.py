"""GeoJSON out: the sites, the zones that touch Japan, the distance lines and the ISA areas.

Each site carries the seabed regime (``seabed``, as ``where`` gives it) and the
Natural Earth 1:10m depth band (``depth_band_m``, never a measured depth) at
its point; the ISA exploration contract and reserved areas near the sites
(:func:`contract_areas_near`) are features of kind ``isa_area`` with the
contractor, resource, date and the citation "ISA, July 2019; areas since
partly relinquished".

RFC 7946: longitude/latitude (WGS84), no ``crs`` member, exterior rings
counter-clockwise and holes clockwise, coordinates rounded to 7 decimals
(about 1 cm).  Every feature names the layer it comes from, and the
collection carries a ``layers`` member with the citations (a foreign member,
which RFC 7946 allows).

Example
-------
>>> from geo.export import feature_collection
>>> fc = feature_collection()
>>> sorted({f["properties"]["kind"] for f in fc["features"]})
['distance_line', 'isa_area', 'site', 'site_uncertainty', 'zone']
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._io import GEOJSON_SUFFIXES, atomic_text, check_output

PRECISION = 7


def _geojson_geometry(geom: Any) -> dict[str, Any]:
    """A shapely geometry as an RFC 7946 geometry (counter-clockwise exteriors)."""
    import shapely

    if geom.geom_type in ("Polygon", "MultiPolygon"):
        geom = shapely.orient_polygons(geom, exterior_cw=False)
    out: dict[str, Any] = json.loads(shapely.to_geojson(geom))
    return out


def _round(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, PRECISION)
    if isinstance(obj, list):
        return [_round(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    return obj


def zones_touching(country: str = "JPN", layer_id: str = "mr-v12-eez-nw-pacific") -> list[int]:
    """Rows of a layer that are the country's zones or share a boundary with them."""
    import shapely

    from .layers import load_zones

    zones = load_zones(layer_id)
    own = [i for i, isos in enumerate(zones.sovereign_isos) if country in isos]
    if not own:
        return []
    mine = shapely.union_all(zones.geometry[own])
    touching = shapely.intersects(zones.geometry, shapely.buffer(mine, 1e-6))
    return sorted(set(own) | set(np.flatnonzero(touching).tolist()))


def clipped_zones(layer_id: str = "mr-v12-eez-nw-pacific") -> np.ndarray:
    """Which zones of a layer its coverage box cuts (a boolean per zone).

    A regional extract (90–180°E, 0–60°N for the bundled layer) cuts the zones
    that reach beyond its box: such a zone's geometry reaches the box's edge,
    and only its part inside the box is in the layer.  A world layer cuts none.
    """
    import shapely

    from .layers import load_zones

    zones = load_zones(layer_id)
    w, s, e, n = zones.layer.coverage_bbox
    if w <= -180.0 and s <= -90.0 and e >= 180.0 and n >= 90.0:
        return np.zeros(len(zones), dtype=bool)
    b = shapely.bounds(zones.geometry)
    tol = 1e-6
    return (b[:, 0] <= w + tol) | (b[:, 1] <= s + tol) | (b[:, 2] >= e - tol) | (b[:, 3] >= n - tol)


def _box_text(bbox: Sequence[float]) -> str:
    w, s, e, n = bbox
    return f"{w:g}–{e:g}°E, {s:g}–{n:g}°N"


def coverage_notes(country: str, layer_id: str = "mr-v12-eez-nw-pacific") -> list[str]:
    """What an export of *country*'s zones from *layer_id* leaves out (empty: nothing).

    The layer is complete for the sovereigns its manifest lists in
    ``complete_sovereigns``; for any other, the zones outside the coverage box
    are missing and those the box cuts are there only in part.
    """
    from .layers import load_zones
    from .zones import country_name

    zones = load_zones(layer_id)
    info = zones.layer
    if country in info.complete_sovereigns:
        return []
    name = country_name(country)
    box = _box_text(info.coverage_bbox)
    own = [i for i, isos in enumerate(zones.sovereign_isos) if country in isos]
    if not own:
        return [f"no zone of the sovereign {name} ({country}) lies in layer {info.id}, which covers {box}: "
                f"the export holds the sites and the distance lines only"]
    notes = [f"layer {info.id} covers {box} only: what lies outside it of the zones of the sovereign "
             f"{name} ({country}) is not exported"]
    cut = clipped_zones(layer_id)
    for i in own:
        if cut[i]:
            notes.append(f"{zones.name[i]} (MRGID {int(zones.mrgid[i])}) is cut at the edge of {box}: "
                         f"only its part inside is exported (clipped: true)")
    return notes


def feature_collection(country: str = "JPN", layer_id: str = "mr-v12-eez-nw-pacific",
                       extra_sites: Sequence[Any] = ()) -> dict[str, Any]:
    """The export as a GeoJSON FeatureCollection (a dict).

    Zones cut by the layer's coverage box carry ``clipped: true``, their
    geodesic area as ``area_km2_geodesic_clipped`` (the part exported) and
    ``area_km2_geodesic: null``.  The collection says whether it holds every
    zone of *country* (``complete``) and, if not, what is missing (``notes``,
    see :func:`coverage_notes`).
    """
    from .layers import load_zones, manifest
    from .seabed import BATHYMETRY_LAYER, ISA_LAYER, isa_citation
    from .sites import load_sites

    zones = load_zones(layer_id)
    sites = list(load_sites()) + list(extra_sites)
    features = _zone_features(country, layer_id) + _site_features(sites) + _distance_lines(sites)
    isa = contract_areas_near(sites)
    for geom, c in isa:
        props = {"kind": "isa_area", **c.as_dict(), "layer": c.layer["id"],
                 "layer_version": c.layer["version"], "citation": isa_citation(c.as_of)}
        features.append({"type": "Feature", "geometry": _geojson_geometry(geom), "properties": props})
    used = {zones.layer.id, "sites", ISA_LAYER, BATHYMETRY_LAYER}
    notes = coverage_notes(country, layer_id)
    fc: dict[str, Any] = _round({
        "type": "FeatureCollection",
        "name": f"eezmap export: {country} zones and sites",
        "complete": not notes,
        "notes": notes,
        "layers": [{k: v for k, v in i.as_dict().items() if k in
                    ("id", "title", "version", "doi", "citation", "licence", "sha256")}
                   for i in manifest() if i.id in used],
        "features": features,
    })
    return fc


def _zone_features(country: str, layer_id: str) -> list[dict[str, Any]]:
    """Every zone of *country* (and those touching it) as a Feature, areas geodesic."""
    from .geodesy import geodesic_area_m2
    from .layers import load_zones
    from .zones import status_of_pol_type

    zones = load_zones(layer_id)
    cut = clipped_zones(layer_id)
    features: list[dict[str, Any]] = []
    for i in zones_touching(country, layer_id):
        rec = zones.record(i)
        area = round(geodesic_area_m2(zones.geometry[i]) / 1e6, 1)
        rec.update({
            "kind": "zone",
            "status": status_of_pol_type(rec["pol_type"]),
            "sovereign_isos": list(zones.sovereign_isos[i]),
            "party": country in zones.sovereign_isos[i],
            "area_km2_marine_regions": float(zones.area_km2[i]),
            "area_km2_geodesic": None if cut[i] else area,
            "clipped": bool(cut[i]),
            "layer": zones.layer.id, "layer_version": zones.layer.version,
        })
        if cut[i]:
            rec["area_km2_geodesic_clipped"] = area
            rec["clipped_to"] = list(zones.layer.coverage_bbox)
        features.append({"type": "Feature", "geometry": _geojson_geometry(zones.geometry[i]),
                         "properties": rec})
    return features


def _site_features(sites: Sequence[Any]) -> list[dict[str, Any]]:
    """Each site (with its seabed regime), and the uncertainty area of an approximate one."""
    features: list[dict[str, Any]] = []
    for s in sites:
        props = s.as_dict()
        props.update({"kind": "site", "layer": s.layer.id if s.layer else "user",
                      "layer_version": s.layer.version if s.layer else None})
        props.update(_seabed_of(s))
        features.append({"type": "Feature", "geometry": _geojson_geometry(s.geometry), "properties": props})
        if s.uncertainty_area is not None:
            features.append({
                "type": "Feature", "geometry": _geojson_geometry(s.uncertainty_area),
                "properties": {"kind": "site_uncertainty", "site": s.id, "certainty": s.certainty,
                               "uncertainty_km": s.uncertainty_km, "derivation": s.derivation,
                               "layer": s.layer.id if s.layer else "user"},
            })
    return features


def _distance_lines(sites: Sequence[Any]) -> list[dict[str, Any]]:
    """The geodesic from the home island to every other site, with its length and the 200 NM margin."""
    from .geodesy import distance, geodesic_line
    from .sites import home_site, margin_nm

    home = home_site()
    features: list[dict[str, Any]] = []
    for s in sites:
        if s.id == home.id:
            continue
        d = distance((home.lat, home.lon), (s.lat, s.lon))
        line = geodesic_line((home.lat, home.lon), (s.lat, s.lon), n=32)
        features.append({
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in line]},
            "properties": {
                "kind": "distance_line", "from": home.id, "to": s.id,
                "distance_km": round(d.km, 3), "distance_nm": round(d.nm, 3),
                "initial_bearing_deg": round(d.initial_bearing_deg, 3),
                "inside_200nm_by_nm": round(margin_nm(d.metres), 3),
                "to_certainty": s.certainty, "method": "geodesic, WGS84 (pyproj)",
            },
        })
    return features


#: ISA areas "near" a site: those meeting its bounds grown by this many degrees (about 550 km),
#: enough to show the Chinese, Russian and Korean crust blocks beside JOGMEC's.
NEAR_DEG = 5.0


def contract_areas_near(sites: Sequence[Any], margin_deg: float = NEAR_DEG) -> list[tuple[Any, Any]]:
    """The ISA contract and reserved areas (geometry, :class:`geo.seabed.Contract`) near the sites,
    each once, in the layer's order (ISA, July 2019; areas partly relinquished since)."""
    from .seabed import contract_areas

    seen: dict[int, tuple[Any, Any]] = {}
    for s in sites:
        w, so, e, n = s.geometry.bounds
        for geom, c in contract_areas((w - margin_deg, max(-90.0, so - margin_deg), e + margin_deg,
                                       min(90.0, n + margin_deg))):
            seen.setdefault(id(geom), (geom, c))  # the layer's own geometries: one object per area
    return list(seen.values())


def _seabed_of(site: Any) -> dict[str, Any]:
    """The seabed regime and 1:10m depth band at a site's point (its centre for an area), as
    ``where`` gives them: ``seabed`` and ``depth_band_m`` (``depth_m`` is the site's published depth)."""
    from .answer import where

    a = where(site.lat, site.lon, distance=False)
    return {"seabed": a.seabed.as_dict() if a.seabed is not None else None,
            "depth_band_m": a.depth.as_dict() if a.depth is not None else None}


def write_geojson(path: str | os.PathLike[str] | None, fc: dict[str, Any],
                  indent: int | None = None) -> Path | None:
    """Write a FeatureCollection atomically (or to stdout when *path* is None or '-')."""
    import sys

    text = json.dumps(fc, indent=indent, ensure_ascii=False)
    if path is None or str(path) == "-":
        sys.stdout.write(text + "\n")
        return None
    check_output(path, suffixes=GEOJSON_SUFFIXES)
    with atomic_text(path) as f:
        f.write(text + "\n")
    return Path(path)
