"""Point -> zone, status and answer.

The core of ``eezmap where``: which zone of a layer holds a point, what kind
of place that is (``eez``, ``overlapping_claim``, ``joint_regime``, ``land``,
``high_seas``, ``outside_coverage``) and what that means for a country
(``yes``, ``no``, ``shared``).  One function, :func:`classify`, serves one
point and a million; :func:`where` is the one-point view of it with the
boundary distance added.

Conventions
-----------
* Polygons are closed: a point on a zone's edge is in that zone.  A point
  exactly on an edge shared by two zones is given to the zone with the lower
  MRGID (deterministic, and what the fast index reproduces).
* ``land`` is a point inside a hole of a zone polygon (Marine Regions leaves
  land, islands and reefs out of EEZ polygons) or, outside every zone, on the
  layer's land polygons (Natural Earth).  A zone polygon always wins over the
  land layer: Natural Earth's coastline is coarser than the zones'.
* Several layers can answer; the first (most detailed) layer whose coverage
  box holds a point answers it, and the answer names that layer.

Example
-------
>>> from geo.zones import where
>>> a = where(22.0, 153.8)          # the rare-earth mud area
>>> a.answer, a.status, a.zone["name"]
('yes', 'eez', 'Japanese Exclusive Economic Zone')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Sequence

import numpy as np

from .coords import normalize_longitude
from .errors import CoordinateError
from .layers import LayerInfo, Zones, land_for, load_land, load_zones, manifest, resolve_layers

STATUSES = ("eez", "overlapping_claim", "joint_regime", "land", "high_seas", "outside_coverage")
ANSWERS = ("yes", "no", "shared", "unknown")

_POL_STATUS = {"200nm": "eez", "overlapping claim": "overlapping_claim", "joint regime": "joint_regime"}


def status_of_pol_type(pol_type: str) -> str:
    """Map a Marine Regions ``pol_type`` to a status ('200NM' -> 'eez', ...)."""
    return _POL_STATUS.get(pol_type.strip().lower(), "eez")


# --- locating points in a layer ---------------------------------------------------

class _Locator:
    """Index of the closed polygon covering each point (lowest index wins), -1 if none.

    A handful of points are tested directly (``shapely.intersects_xy`` on the
    zones whose bounds hold them: no index to load); larger batches use the
    exact grid index (:mod:`geo._grid`), built once per layer and cached on
    disk.  Both give identical answers (tests/test_grid.py, tests/test_zones.py).
    """

    #: up to this many points, test directly
    DIRECT = 64

    def __init__(self, geoms: np.ndarray, key: str) -> None:
        import shapely

        self.geoms = geoms
        self.key = key
        self.bounds = shapely.bounds(geoms)
        self._index: Any = None

    def lookup(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        if len(lon) <= self.DIRECT:
            return self._direct(lon, lat)
        if self._index is None:
            from ._grid import GridIndex
            from .layers import cache_dir

            self._index = GridIndex.cached(self.geoms, key=self.key, cache_dir=cache_dir())
        return self._index.lookup(lon, lat)

    def _direct(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        import shapely

        out = np.full(len(lon), -1, dtype=np.int32)
        b = self.bounds
        for k in range(len(lon)):
            x, y = lon[k], lat[k]
            if not (np.isfinite(x) and np.isfinite(y)):
                continue
            cand = np.flatnonzero((b[:, 0] <= x) & (x <= b[:, 2]) & (b[:, 1] <= y) & (y <= b[:, 3]))
            for i in cand:  # increasing index: the first hit is the lowest
                if shapely.intersects_xy(self.geoms[i], x, y):
                    out[k] = i
                    break
        return out


class _LayerModel:
    """Everything needed to classify points against one zone layer (built lazily)."""

    def __init__(self, layer_id: str) -> None:
        self.zones = load_zones(layer_id)
        self.zone_locator = _Locator(self.zones.geometry, self.zones.layer.sha256 + ":zones")
        self._filled: _Locator | None = None
        self._land: _Locator | None = None
        self._part_zone: np.ndarray | None = None
        self.land_info = manifest().get(land_for(self.zones.layer))

    @property
    def filled_locator(self) -> _Locator:
        """Every polygon part of every zone with its holes filled (one row per part)."""
        if self._filled is None:
            import shapely

            parts, zone_of = shapely.get_parts(self.zones.geometry, return_index=True)
            filled = shapely.polygons(shapely.get_exterior_ring(parts))
            self._part_zone = zone_of.astype(np.int32)
            self._filled = _Locator(filled, self.zones.layer.sha256 + ":filled")
        return self._filled

    def hole_zone(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """The zone whose polygon has a hole holding each point (-1 if none)."""
        part = self.filled_locator.lookup(lon, lat)
        assert self._part_zone is not None
        return np.where(part >= 0, self._part_zone[np.maximum(part, 0)], -1).astype(np.int32)

    @property
    def land_locator(self) -> _Locator:
        if self._land is None:
            info, land = load_land(self.land_info.id)
            self._land = _Locator(land, info.sha256 + ":land")
        return self._land


@lru_cache(maxsize=None)
def _model(layer_id: str) -> _LayerModel:
    return _LayerModel(layer_id)


# --- countries --------------------------------------------------------------------

def resolve_country(country: str, layer_ids: Sequence[str] | None = None) -> str:
    """An ISO alpha-3 code for *country* (a code or a sovereign's name, any case).

    Raises :class:`CoordinateError`-like ``ValueError`` (``CountryError``) when the
    loaded layers know no such sovereign.
    """
    text = country.strip()
    known: dict[str, str] = {}
    for layer_id in resolve_layers(layer_ids):  # most detailed first; stop at the first match
        known.update(load_zones(layer_id).countries())
        up = text.upper()
        if up in known:
            return up
        for code, name in known.items():
            if name.lower() == text.lower():
                return code
    raise CountryError(
        f"unknown country '{country}': give an ISO 3166 alpha-3 code of a sovereign in the "
        f"loaded layers, e.g. JPN, KOR, CHN, RUS, USA ({len(known)} known; see 'eezmap layers')"
    )


class CountryError(CoordinateError):
    """A country code or name no loaded layer knows."""


# --- classification -----------------------------------------------------------------

_STATUS_CODE = {s: i for i, s in enumerate(STATUSES)}
_ANSWER_CODE = {s: i for i, s in enumerate(ANSWERS)}


@dataclass
class Classification:
    """Per-point results of :func:`classify`, as parallel arrays.

    Kept as small integer codes (fast for millions of points); ``status``,
    ``answer`` and ``layer`` give the strings.  Code -1 (string ``""``) marks a
    point that was not classified (non-finite or out-of-range coordinates).
    """

    status_code: np.ndarray      # int8 index into STATUSES, -1 if not classified
    answer_code: np.ndarray      # int8 index into ANSWERS, -1 if not classified
    layer_code: np.ndarray       # int8 index into layer_ids, -1 if none answered
    zone_index: np.ndarray       # int32 row in that layer's Zones (-1 if none)
    enclosing_index: np.ndarray  # int32 the zone whose hole holds a 'land' point (-1 if none)
    layer_ids: tuple[str, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.status_code)

    @staticmethod
    def _labels(codes: np.ndarray, labels: Sequence[str]) -> np.ndarray:
        table = np.array(list(labels) + [""], dtype=object)
        return table[codes]  # -1 picks the trailing ""

    @property
    def status(self) -> np.ndarray:
        return self._labels(self.status_code, STATUSES)

    @property
    def answer(self) -> np.ndarray:
        return self._labels(self.answer_code, ANSWERS)

    @property
    def layer(self) -> np.ndarray:
        return self._labels(self.layer_code, self.layer_ids)

    def zone_record(self, i: int) -> dict[str, Any] | None:
        if self.zone_index[i] < 0:
            return None
        return load_zones(self.layer_ids[self.layer_code[i]]).record(int(self.zone_index[i]))

    def counts(self) -> dict[str, int]:
        """How many points fell in each status ("" for points not classified)."""
        counts = np.bincount(self.status_code.astype(np.int64) + 1, minlength=len(STATUSES) + 1)
        labels = ("",) + STATUSES
        return {labels[i]: int(c) for i, c in enumerate(counts) if c}


def classify(lat: Any, lon: Any, country: str = "JPN", layers: Sequence[str] | None = None) -> Classification:
    """Classify points: zone, status and the answer for *country*.

    Parameters
    ----------
    lat, lon : scalar or array-like, degrees
        Longitudes may be given as 0–360.  Non-finite or out-of-range values
        get status ``""`` and answer ``""`` (the caller reports them).
    country : str
        ISO alpha-3 code (or sovereign name) the answer is about.
    layers : sequence of layer ids, optional
        Zone layers in order of precedence (default: the manifest's set).

    Returns
    -------
    Classification
        Parallel arrays; exactly what :func:`where` gives for each point.

    Example
    -------
    >>> c = classify([24.28667, 36.0], [153.98056, 150.0])
    >>> list(c.status), list(c.answer)
    (['eez', 'high_seas'], ['yes', 'no'])
    """
    layer_ids = resolve_layers(layers)
    iso = resolve_country(country, layer_ids)
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    if lat.shape != lon.shape:
        raise ValueError("lat and lon must have the same length")
    n = len(lat)
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (lon >= -180) & (lon <= 360)
    lon = np.where(valid, normalize_longitude(np.where(valid, lon, 0.0)), np.nan)

    S, A = _STATUS_CODE, _ANSWER_CODE
    status = np.full(n, -1, dtype=np.int8)
    answer = np.full(n, -1, dtype=np.int8)
    layer_of = np.full(n, -1, dtype=np.int8)
    zone_index = np.full(n, -1, dtype=np.int32)
    enclosing = np.full(n, -1, dtype=np.int32)
    todo = valid.copy()
    complete = False
    for k, layer_id in enumerate(layer_ids):
        info = manifest().get(layer_id)
        complete = complete or iso in info.complete_sovereigns
        here = np.flatnonzero(todo & info.covers(_east(lon, info), lat))
        if not len(here):
            continue
        model = _model(layer_id)  # loaded only when a point falls in its coverage
        todo[here] = False
        x, y = _east(lon[here], info), lat[here]
        zi = model.zone_locator.lookup(x, y)
        if info.zones_only:  # a partial layer (one sovereign's zones) answers only in its zones
            todo[here[zi < 0]] = True
            here, x, y, zi = here[zi >= 0], x[zi >= 0], y[zi >= 0], zi[zi >= 0]
        layer_of[here] = k
        zone_index[here] = zi
        inzone = zi >= 0
        if inzone.any():
            # per zone: its status code and this country's answer code, then one gather
            zone_status = np.array([S[status_of_pol_type(p)] for p in model.zones.pol_type], dtype=np.int8)
            party = np.array([iso in s for s in model.zones.sovereign_isos])
            zone_answer = np.where(party, np.where(zone_status == S["eez"], A["yes"], A["shared"]),
                                   A["no"]).astype(np.int8)
            zin = zi[inzone]
            status[here[inzone]] = zone_status[zin]
            answer[here[inzone]] = zone_answer[zin]
        rest = np.flatnonzero(~inzone)
        if len(rest):
            idx = here[rest]
            hole = model.hole_zone(x[rest], y[rest])
            enclosing[idx] = hole
            on_land = hole >= 0
            if (~on_land).any():
                on_land[~on_land] = model.land_locator.lookup(x[rest][~on_land], y[rest][~on_land]) >= 0
            status[idx] = np.where(on_land, S["land"], S["high_seas"])
            answer[idx] = A["no"]
    out = np.flatnonzero(todo)
    if len(out):
        status[out] = S["outside_coverage"]
        answer[out] = A["no"] if complete else A["unknown"]
    return Classification(status, answer, layer_of, zone_index, enclosing, layer_ids)


def _east(lon: np.ndarray, info: LayerInfo) -> np.ndarray:
    """Longitudes in the frame of a layer's coverage box (-180 -> 180 for an east-edged box)."""
    if info.coverage_bbox[2] == 180.0 and info.coverage_bbox[0] > -180.0:
        return np.where(lon == -180.0, 180.0, lon)
    return lon


# --- one point, fully described -------------------------------------------------------

@dataclass(frozen=True)
class ZoneAnswer:
    """The full answer for one point (the ``eezmap where --json`` object)."""

    lat: float
    lon: float
    country: str
    answer: str
    status: str
    zone: dict[str, Any] | None
    distance_to_boundary_km: float | None
    nearest_boundary: dict[str, Any] | None
    layer: LayerInfo | None
    enclosing_zone: dict[str, Any] | None = None
    #: every zone at the point, innermost first, when nested layers are in use (geo.nesting)
    zones: tuple[dict[str, Any], ...] = ()

    def _repr_html_(self) -> str:  # a notebook shows a small table
        from ._repr import zone_answer_html

        return zone_answer_html(self)

    def to_json(self) -> dict[str, Any]:
        """The JSON contract of ``eezmap where --json``."""
        out: dict[str, Any] = {
            "query": {"lat": self.lat, "lon": self.lon},
            "country": self.country,
            "answer": self.answer,
            "status": self.status,
            "zone": self.zone,
            "distance_to_boundary_km": self.distance_to_boundary_km,
            "nearest_boundary": self.nearest_boundary,
            "layer": self.layer.ref() if self.layer else None,
        }
        if self.layer is not None:
            out["layer"]["coarse"] = self.layer.coarse
            out["layer"]["citation"] = self.layer.citation
        if self.enclosing_zone is not None:
            out["enclosing_zone"] = self.enclosing_zone
        if self.zones:
            out["zones"] = list(self.zones)
        return out


def where(lat: float, lon: float, country: str = "JPN", layers: Sequence[str] | None = None,
          distance: bool = True) -> ZoneAnswer:
    """Is the point in *country*'s EEZ?  The answer, zone and boundary distance.

    Parameters
    ----------
    lat, lon : float
        Degrees; longitude may be 0–360.
    country : str
        ISO alpha-3 code or sovereign name (default Japan).
    layers : sequence of str, optional
        Zone layers in precedence order (default: the bundled set).
    distance : bool
        Also compute the geodesic distance to the nearest boundary (slower).

    Returns
    -------
    ZoneAnswer

    Example
    -------
    >>> where(24.28667, 153.98056).answer
    'yes'
    """
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or not -180 <= lon <= 360:
        raise CoordinateError(f"point ({lat}, {lon}) is out of range: latitude -90..90, longitude -180..360")
    c = classify([lat], [lon], country=country, layers=layers)
    st, ans, layer_id = str(c.status[0]), str(c.answer[0]), str(c.layer[0])
    # outside every coverage, the answer rests on the first (most detailed) layer
    info = load_zones(layer_id or c.layer_ids[0]).layer
    zone = c.zone_record(0)
    enclosing = (load_zones(layer_id).record(int(c.enclosing_index[0]))
                 if layer_id and c.enclosing_index[0] >= 0 else None)
    dist_km = near = None
    if distance and layer_id:
        x = float(_east(normalize_longitude(np.array([lon])), load_zones(layer_id).layer)[0])
        nb = boundary_info(lat, x, layer_id, int(c.zone_index[0]),
                           int(c.enclosing_index[0]))
        if nb is not None:
            dist_km, near = nb
    from .nesting import zones_at

    nested = zones_at(lat, lon, layers, zone=zone, status=st, layer=info if layer_id else None)
    return ZoneAnswer(lat, lon, resolve_country(country, c.layer_ids), ans, st, zone, dist_km, near, info,
                      enclosing, tuple(nested))


def boundary_info(lat: float, lon: float, layer_id: str, zone_index: int, enclosing_index: int = -1
                  ) -> tuple[float, dict[str, Any]] | None:
    """Distance (km) to the nearest boundary and what lies across it.

    Inside a zone: that zone's boundary.  In a hole (land): the enclosing
    zone's boundary.  Elsewhere: the nearest zone of the layer.
    """
    from .geodesy import nearest_boundary_point as _nearest

    model = _model(layer_id)
    zones = model.zones
    w, _, e, _ = zones.layer.coverage_bbox
    # a layer that spans every longitude cuts zones at ±180°: that cut is no boundary
    skip = w <= -180.0 and e >= 180.0

    def nearest_boundary_point(x: float, y: float, geom: Any) -> Any:
        return _nearest(x, y, geom, skip_antimeridian=skip)

    if zone_index >= 0:
        bp = nearest_boundary_point(lon, lat, zones.geometry[zone_index])
        inside = zone_index
    elif enclosing_index >= 0:
        bp = nearest_boundary_point(lon, lat, zones.geometry[enclosing_index])
        inside = -1
    else:
        nearest = _nearest_zones(zones, lon, lat)
        if not nearest:
            return None
        bps = [(nearest_boundary_point(lon, lat, zones.geometry[i]), i) for i in nearest]
        bp, _ = min(bps, key=lambda t: t[0].metres)
        inside = -1
    across = _across(model, lon, lat, bp, inside)
    return round(bp.km, 6), {"lat": round(bp.lat, 7), "lon": round(bp.lon, 7), "across": across}


def _nearest_zones(zones: Zones, lon: float, lat: float, k: int = 3) -> list[int]:
    import shapely

    if not len(zones):
        return []
    # planar pre-selection; the point is also tried one turn east and west (antimeridian)
    d = np.min([shapely.distance(zones.geometry, shapely.Point(lon + k, lat)) for k in (-360.0, 0.0, 360.0)],
               axis=0)
    return [int(i) for i in np.argsort(d)[:k]]


def _across(model: _LayerModel, lon: float, lat: float, bp: Any, inside: int) -> Any:
    """What lies just across the boundary point, seen from the query point."""
    from .geodesy import forward, inverse

    if bp.metres < 1e-3:  # on the boundary: look both ways along the normal is ill-defined
        step_from = (lon, lat)
        az = None
    else:
        step_from = (bp.lon, bp.lat)
        _, az_arr = inverse(np.array([lon]), np.array([lat]), np.array([bp.lon]), np.array([bp.lat]))
        az = float(az_arr[0])
    info = model.zones.layer
    w, s, e, n = info.coverage_bbox
    on_edge = (abs(bp.lon - w) < 1e-9 or abs(bp.lon - e) < 1e-9 or abs(bp.lat - s) < 1e-9
               or abs(bp.lat - n) < 1e-9) and info.coverage_bbox != (-180.0, -90.0, 180.0, 90.0)
    if on_edge:
        return "outside_coverage"
    if az is None:
        return None
    for step in (30.0, 100.0, 300.0):
        x, y = forward(np.array([step_from[0]]), np.array([step_from[1]]), np.array([az]), np.array([step]))
        zi = int(model.zone_locator.lookup(x, y)[0])
        if zi != inside:
            break
    if zi == inside:  # still in the same zone 300 m on: a cut in the layer, not a boundary
        return None
    if zi >= 0:
        rec = model.zones.record(zi)
        rec["status"] = status_of_pol_type(rec["pol_type"])
        return rec
    hole = int(model.hole_zone(x, y)[0])
    if hole >= 0 or model.land_locator.lookup(x, y)[0] >= 0:
        return "land"
    return "high_seas"


# --- areas -----------------------------------------------------------------------------
# moved to geo.areas; re-exported here for callers of geo.zones.area_in_zones

from .areas import AreaReport, AreaShare, area_in_zones  # noqa: E402,F401
