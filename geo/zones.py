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
import threading
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ._threads import once
from .coords import wrap_lon
from .errors import CountryError
from .layers import LayerInfo, land_for, load_land, load_zones, manifest, resolve_layers

STATUSES = ("eez", "overlapping_claim", "joint_regime", "land", "high_seas", "outside_coverage")
ANSWERS = ("yes", "no", "shared", "unknown")


def status_of_pol_type(pol_type: str) -> str:
    """Map a Marine Regions ``pol_type`` to a status ('200NM' -> 'eez', 'Disputed' -> ...).

    Every spelling of every version is in :data:`geo.marineregions.POL_TYPES`;
    a layer holding another value is refused when loaded.
    """
    from .marineregions import pol_type_status

    return pol_type_status(pol_type)


# --- locating points in a layer ---------------------------------------------------

class _Locator:
    """Index of the closed polygon covering each point (lowest index wins), -1 if none.

    A handful of points are tested directly (``shapely.intersects`` on the
    zones whose bounds hold them: no index to load); larger batches use the
    exact grid index (:mod:`geo._grid`), built once per layer and cached on
    disk.  Both give identical answers (tests/test_grid.py, tests/test_zones.py).

    Safe to share between threads (:mod:`geo._threads`): the geometries are
    never prepared (the direct test uses the unprepared predicate, not
    ``intersects_xy``, which would prepare them in place), and the index is
    loaded or built once, by the first thread that needs it.
    """

    #: up to this many points, test directly
    DIRECT = 64

    def __init__(self, geoms: np.ndarray, key: str, **build_options: Any) -> None:
        import shapely

        self.geoms = geoms
        self.key = key
        self.build_options = build_options  # for GridIndex.build (e.g. max_depth)
        self.bounds = shapely.bounds(geoms)
        self._index: Any = None
        self._lock = threading.Lock()

    def lookup(self, lon: np.ndarray, lat: np.ndarray, direct: bool | None = None) -> np.ndarray:
        """Row of the covering polygon per point (-1: none); *direct* forces (True) or
        forbids (False) the direct test, default: direct up to :attr:`DIRECT` points."""
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        if direct or (direct is None and len(lon) <= self.DIRECT):
            return self._direct(lon, lat)
        index = self._index
        if index is None:
            with self._lock:  # the other threads wait for the first one's index
                if self._index is None:
                    from ._grid import GridIndex
                    from .layers import cache_dir

                    self._index = GridIndex.cached(self.geoms, key=self.key, cache_dir=cache_dir(),
                                                   **self.build_options)
                index = self._index
        return np.asarray(index.lookup(lon, lat), dtype=np.int32)

    def _direct(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        import shapely

        out = np.full(len(lon), -1, dtype=np.int32)
        b = self.bounds
        for k in range(len(lon)):
            x, y = lon[k], lat[k]
            if not (np.isfinite(x) and np.isfinite(y)):
                continue
            cand = np.flatnonzero((b[:, 0] <= x) & (x <= b[:, 2]) & (b[:, 1] <= y) & (y <= b[:, 3]))
            point = shapely.Point(x, y)
            for i in cand:  # increasing index: the first hit is the lowest
                if shapely.intersects(self.geoms[i], point):
                    out[k] = i
                    break
        return out


class _LayerModel:
    """Everything needed to classify points against one zone layer (built lazily, once)."""

    def __init__(self, layer_id: str) -> None:
        self.zones = load_zones(layer_id)
        self.zone_locator = _Locator(self.zones.geometry, self.zones.layer.sha256 + ":zones")
        self._filled: _Locator | None = None
        self._land: _Locator | None = None
        self._part_zone: np.ndarray | None = None
        self._lock = threading.Lock()
        self.land_info = manifest().get(land_for(self.zones.layer))

    @property
    def filled_locator(self) -> _Locator:
        """Every polygon part of every zone with its holes filled (one row per part)."""
        if self._filled is None:
            with self._lock:
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
            with self._lock:
                if self._land is None:
                    info, land = load_land(self.land_info.id)
                    self._land = _Locator(land, info.sha256 + ":land")
        return self._land


def _model(layer_id: str) -> _LayerModel:
    """The layer's model for the file its manifest names now, keyed by the file's checksum.

    A user layer fetched or added again under the same id (a new checksum) gets a
    new model at once.
    """
    return _model_of(layer_id, manifest().get(layer_id).sha256)


@once(maxsize=16)
def _model_of(layer_id: str, sha256: str) -> _LayerModel:
    """One model per layer file version, built once even when threads ask together."""
    return _LayerModel(layer_id)


# --- countries --------------------------------------------------------------------

def resolve_country(country: str, layer_ids: Sequence[str] | None = None) -> str:
    """An ISO alpha-3 code for *country* (a code or a sovereign's name, any case).

    Raises :class:`~geo.errors.CountryError` (a ``ValueError``, bad input) when the
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


def country_name(code: str, layer_ids: Sequence[str] | None = None) -> str:
    """The sovereign's name for an ISO alpha-3 *code*, as the layers spell it.

    The first of *layer_ids* (default: the default layers, most detailed
    first) that names the code wins; the code itself when none does.

    >>> country_name("PHL")
    'Philippines'
    """
    for layer_id in resolve_layers(layer_ids):
        name = load_zones(layer_id).countries().get(code)
        if name:
            return name
    return code


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
    lon = np.where(valid, wrap_lon(np.where(valid, lon, 0.0)), np.nan)

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
    #: why the answering (older) layer's zone is out of date in Marine Regions v12, if it is
    superseded: str | None = None
    #: the seabed under the point (geo.seabed.Seabed: regime, states, ISA contracts, note)
    seabed: Any = None
    #: the 1:10m depth band holding the point (geo.seabed.DepthBand), None on land or outside it
    depth: Any = None

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
        if self.superseded is not None:
            out["superseded"] = self.superseded
        out["seabed"] = self.seabed.as_dict() if self.seabed is not None else None
        out["depth_m"] = self.depth.as_dict() if self.depth is not None else None
        return out


def where(lat: float, lon: float, country: str = "JPN", layers: Sequence[str] | None = None,
          distance: bool = True) -> ZoneAnswer:
    """Is the point in *country*'s EEZ?  The answer, zone and boundary distance.

    Parameters
    ----------
    lat, lon : float or str
        Degrees; longitude may be 0–360.  Read by :func:`geo.coords.parse_pair`
        as the CLI reads them (``"24°17′12″N"`` too; booleans refused).
    country : str
        ISO alpha-3 code or sovereign name (default Japan).
    layers : str or sequence of str, optional
        Zone layers in precedence order (default: the bundled set); one id
        may be given as a string; an empty sequence is refused.
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
    from .coords import parse_pair
    from .layers import layer_ids_argument

    lat, lon = parse_pair(lat, lon)  # the one reading of coordinates (text, numbers; no booleans)
    layers = layer_ids_argument(layers)
    c = classify([lat], [lon], country=country, layers=layers)
    st, ans, layer_id = str(c.status[0]), str(c.answer[0]), str(c.layer[0])
    # outside every coverage, the answer rests on the first (most detailed) layer
    info = load_zones(layer_id or c.layer_ids[0]).layer
    zone = c.zone_record(0)
    superseded = _check_v12(zone, info) if zone is not None and layer_id else None
    enclosing = (load_zones(layer_id).record(int(c.enclosing_index[0]))
                 if layer_id and c.enclosing_index[0] >= 0 else None)
    dist_km = near = None
    if distance and layer_id:
        x = float(_east(wrap_lon(np.array([lon])), load_zones(layer_id).layer)[0])
        nb = boundary_info(lat, x, layer_id, int(c.zone_index[0]),
                           int(c.enclosing_index[0]), layers=c.layer_ids)
        if nb is not None:
            dist_km, near = nb
    from .nesting import zones_at

    nested = zones_at(lat, lon, layers, zone=zone, status=st, layer=info if layer_id else None)
    from .seabed import depth_band, seabed

    x = float(wrap_lon(np.array([lon]))[0])
    ground = seabed(lat, x, st, tuple(zone["sovereigns"]) if zone else ())
    depth = depth_band(lat, x, status=st)
    return ZoneAnswer(lat, lon, resolve_country(country, c.layer_ids), ans, st, zone, dist_km, near, info,
                      enclosing, tuple(nested), superseded, ground, depth)


def _check_v12(zone: dict[str, Any], info: LayerInfo) -> str | None:
    """Compare a zone of an older layer with Marine Regions v12's attribute table.

    Only for a layer whose manifest entry names the table in ``checked_against``
    (the coarse v10 world layer).  Adds ``zone["v12"]``: ``exists``, and v12's
    ``mrgid``, ``name``, ``pol_type``, ``status`` and whether the status differs
    (``type_changed``); for a zone v12 no longer has, ``same_territory`` lists
    v12's features of the same territory.  Returns a sentence when the zone is
    gone or its type changed (the ``superseded`` note), else None.
    """
    table_id = info.extra.get("checked_against")
    if not table_id:
        return None
    from .layers import load_attributes

    table = load_attributes(str(table_id))
    mrgid = int(zone["mrgid"])
    row = table.get(mrgid)
    if row is None:
        territory = str(zone.get("territory") or "").lower()
        same = [{"mrgid": r["mrgid"], "name": r["name"], "pol_type": r["pol_type"]}
                for r in table.values() if territory and r["territory"].lower() == territory]
        zone["v12"] = {"exists": False, "mrgid": mrgid, "name": None, "pol_type": None, "status": None,
                       "type_changed": None, "source": table_id, "same_territory": same}
        note = (f"MRGID {mrgid} is not among Marine Regions v12's features: v12 deleted or replaced "
                f"this zone of version {info.version}")
        if same:
            note += "; v12 has for the same territory " + ", ".join(
                f"MRGID {r['mrgid']} {r['name']} ({r['pol_type']})" for r in same)
        return note
    status, before = status_of_pol_type(row["pol_type"]), status_of_pol_type(zone["pol_type"])
    zone["v12"] = {"exists": True, "mrgid": mrgid, "name": row["name"], "pol_type": row["pol_type"],
                   "status": status, "type_changed": status != before, "source": table_id}
    if status == before:
        return None
    return (f"Marine Regions v12 gives MRGID {mrgid} the type '{row['pol_type']}' ({status}), not "
            f"'{zone['pol_type']}' ({before}) as version {info.version} does: {row['name']}")


def boundary_info(lat: float, lon: float, layer_id: str, zone_index: int, enclosing_index: int = -1,
                  layers: Sequence[str] | None = None) -> tuple[float, dict[str, Any]] | None:
    """Distance (km) to the nearest boundary and what lies across it.

    The boundaries are those of the answer the layer stack gives (*layers*,
    in precedence order; default: the default stack when it holds *layer_id*,
    else *layer_id* alone), one fixed set whatever the point, so the distance
    changes no faster than the point moves:

    * each layer's zone edges where that layer answers (inside its coverage
      box, outside the boxes of the layers before it), except its edges along
      its own box: a clip or a ±180° cut is no boundary;
    * a box edge only where the answer changes across it (another zone or
      status on the other side, or no coverage at all).

    Measured by the engine of :mod:`geo.boundary` (the same for one point and
    a million).  *zone_index* and *enclosing_index* are kept for
    compatibility (the set does not depend on them).
    """
    from .boundary import across_answers, nearest_one

    stack = _boundary_stack(layer_id, layers)
    best = nearest_one(stack, lon, lat)
    if best is None:
        return None
    metres, blon, blat = best
    across = _across_record(stack, *across_answers(stack, np.array([lon]), np.array([lat]), np.array([blon]),
                                                   np.array([blat]), np.array([metres])))
    return round(metres / 1000.0, 6), {"lat": round(blat, 7), "lon": round(blon, 7), "across": across}


#: a layer in a boundary stack: (id, sha256, coverage box, zones_only) -- content-keyed for the caches
_StackEntry = tuple[str, str, tuple[float, float, float, float], bool]
_NUDGE = 1e-7  # degrees (about 1 cm): "just inside" and "just outside" a box edge
_ON_LINE = 1e-6  # degrees: an edge this close to a box side runs along it


def _boundary_stack(layer_id: str, layers: Sequence[str] | None) -> tuple[_StackEntry, ...]:
    ids = resolve_layers(layers)
    if layer_id not in ids:
        ids = (layer_id,)
    infos = [manifest().get(i) for i in ids]
    return tuple((i.id, i.sha256, tuple(float(v) for v in i.coverage_bbox), bool(i.zones_only))
                 for i in infos)


def _full_width(box: tuple[float, float, float, float]) -> bool:
    return box[0] <= -180.0 and box[2] >= 180.0


def _box_sides(box: tuple[float, float, float, float]) -> list[tuple[str, float, float, float, int]]:
    """The sides of a coverage box where coverage ends: (kind, value, from, to, inward sign).

    ``"lat"`` is a parallel (latitude *value*, longitudes from..to), ``"lon"``
    a meridian.  The poles and, for a box round the whole Earth, ±180° are
    no sides.
    """
    w, s, e, n = box
    out = []
    if s > -90.0:
        out.append(("lat", s, w, e, +1))
    if n < 90.0:
        out.append(("lat", n, w, e, -1))
    if not _full_width(box):
        out += [("lon", w, s, n, +1), ("lon", e, s, n, -1)]
    return out


def _side_segments(kind: str, value: float, lo: float, hi: float) -> np.ndarray:
    """A box side (or a piece of it) as lon/lat edges of at most 1° (for the nearest-point search)."""
    t = np.linspace(lo, hi, max(1, math.ceil(hi - lo)) + 1)
    c = np.full(len(t) - 1, value)
    if kind == "lat":
        return np.column_stack([t[:-1], c, t[1:], c])
    return np.column_stack([c, t[:-1], c, t[1:]])


def _inside_box(entry: _StackEntry, lon: float, lat: float) -> bool:
    return bool(_covers(entry, np.array([lon]), np.array([lat]))[0])


@once(maxsize=16)
def _own_edges(entry: _StackEntry) -> np.ndarray:
    """A layer's zone edges (x0, y0, x1, y1) except those along its box sides or ±180° (cuts)."""
    return _drop_cuts(_ring_edges(_model(entry[0]).zones.geometry), entry[2])


def _ring_edges(geoms: Any) -> np.ndarray:
    """Every edge of every ring of polygonal geometries as rows x0, y0, x1, y1."""
    import shapely

    rings = shapely.get_rings(shapely.get_parts(geoms))
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[:-1] == ring[1:]
    return np.column_stack([xy[:-1][same], xy[1:][same]])


def _drop_cuts(segs: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """Edges except those along a side of *box*, ±180° or a pole (where a layer was cut)."""
    w, s, e, n = box
    cut = np.zeros(len(segs), dtype=bool)
    flat = np.flatnonzero(np.abs(segs[:, 1] - segs[:, 3]) < _ON_LINE)
    for y in (s, n, -90.0, 90.0):
        cut[flat[np.abs(segs[flat, 1] - y) < _ON_LINE]] = True
    upright = np.flatnonzero(np.abs(segs[:, 0] - segs[:, 2]) < _ON_LINE)
    for x in (w, e):
        cut[upright[np.abs(wrap_lon(segs[upright, 0] - x)) < _ON_LINE]] = True
    # layers cut at ±180° do so a little loosely (the world layer at ±179.9999885)
    cut[upright[np.abs(segs[upright, 0]) >= 179.999]] = True
    return segs[~cut]


def _clip_box(segs: np.ndarray, box: tuple[float, float, float, float], keep_inside: bool) -> np.ndarray:
    """The parts of edges inside (or outside) a closed lon/lat box (Liang–Barsky)."""
    if not len(segs):
        return segs
    w, s, e, n = box
    x0, y0, dx, dy = segs[:, 0], segs[:, 1], segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1]
    lo, hi = np.zeros(len(segs)), np.ones(len(segs))
    empty = np.zeros(len(segs), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-dx, x0 - w), (dx, e - x0), (-dy, y0 - s), (dy, n - y0)):  # p t <= q
            r = q / p
            lo = np.where(p < 0, np.maximum(lo, r), lo)
            hi = np.where(p > 0, np.minimum(hi, r), hi)
            empty |= (p == 0) & (q < 0)
    hits = ~empty & (lo <= hi)

    def piece(i: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        g = segs[i]
        d = g[:, 2:] - g[:, :2]
        return np.column_stack([g[:, :2] + a[:, None] * d, g[:, :2] + b[:, None] * d])

    if keep_inside:
        i = np.flatnonzero(hits)
        return piece(i, lo[i], hi[i])
    whole = segs[~hits]
    i = np.flatnonzero(hits & (lo > 0))
    j = np.flatnonzero(hits & (hi < 1))
    return np.vstack([whole, piece(i, np.zeros(len(i)), lo[i]), piece(j, hi[j], np.ones(len(j)))])


def _clip_out_polygon(segs: np.ndarray, region: Any) -> np.ndarray:
    """The parts of edges outside a closed polygonal region (shapely, edges near it only)."""
    import shapely

    if not len(segs) or region.is_empty:
        return segs
    w, s, e, n = region.bounds
    near = ~((np.maximum(segs[:, 0], segs[:, 2]) < w) | (np.minimum(segs[:, 0], segs[:, 2]) > e)
             | (np.maximum(segs[:, 1], segs[:, 3]) < s) | (np.minimum(segs[:, 1], segs[:, 3]) > n))
    if not near.any():
        return segs
    rest = shapely.difference(shapely.linestrings(segs[near].reshape(-1, 2, 2)), region)
    xy, part = shapely.get_coordinates(shapely.get_parts(shapely.get_parts(rest)), return_index=True)
    same = part[:-1] == part[1:]
    return np.vstack([segs[~near], np.column_stack([xy[:-1][same], xy[1:][same]])])


@once(maxsize=16)
def _effective_edges(stack: tuple[_StackEntry, ...], j: int) -> np.ndarray:
    """Layer *j*'s zone edges where it answers: in its box, out of the earlier layers' regions."""
    return _clip_to_region(stack, j, _own_edges(stack[j]))


def _clip_to_region(stack: tuple[_StackEntry, ...], j: int, segs: np.ndarray) -> np.ndarray:
    """The parts of edges where layer *j* answers."""
    import shapely

    entry = stack[j]
    w, s, e, n = entry[2]
    if len(segs) and not (w <= segs[:, 0::2].min() and segs[:, 0::2].max() <= e
                          and s <= segs[:, 1::2].min() and segs[:, 1::2].max() <= n):
        segs = _clip_box(segs, entry[2], keep_inside=True)
    for before in stack[:j]:
        if before[3]:  # a partial layer answers in its zones only
            zones = _model(before[0]).zones.geometry
            segs = _clip_out_polygon(segs, shapely.intersection(shapely.union_all(zones), shapely.box(*before[2])))
        else:
            segs = _clip_box(segs, before[2], keep_inside=False)
    return segs


def _zone_key(entry: _StackEntry, zi: int) -> Any:
    """What the answer is in zone *zi* of a layer, comparable across layers (-1: in no zone)."""
    if zi < 0:
        return None
    zones = _model(entry[0]).zones
    return int(zones.mrgid[zi]), status_of_pol_type(str(zones.pol_type[zi]))


def _frame(entry: _StackEntry, lon: np.ndarray) -> np.ndarray:
    """Longitudes in a layer's frame (as :func:`_east`: -180 -> 180 for an east-edged box)."""
    w, _, e, _ = entry[2]
    x = wrap_lon(lon)
    return np.where(x == -180.0, 180.0, x) if e == 180.0 and w > -180.0 else x


def _covers(entry: _StackEntry, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    w, s, e, n = entry[2]
    x = _frame(entry, lon)
    return (x >= w) & (x <= e) & (lat >= s) & (lat <= n)


def _resolve(stack: tuple[_StackEntry, ...], lon: np.ndarray, lat: np.ndarray,
             zone_of: Any) -> list[tuple[int, int]]:
    """(layer, zone) answering each point as :func:`classify` resolves it ((-1, -1): no coverage).

    ``zone_of(j, mask)`` gives layer *j*'s zone index (-1: none) at the points *mask* selects.
    """
    out = [(-1, -1)] * len(lon)
    todo = np.ones(len(lon), dtype=bool)
    for j, entry in enumerate(stack):
        here = todo & _covers(entry, lon, lat)
        if not here.any():
            continue
        zi = np.full(len(lon), -1)
        zi[here] = zone_of(j, here)
        if entry[3]:
            here &= zi >= 0
        for k in np.flatnonzero(here):
            out[k] = (j, int(zi[k]))
        todo &= ~here
    return out


def _key_of(stack: tuple[_StackEntry, ...], answered: tuple[int, int]) -> Any:
    j, zi = answered
    return "outside_coverage" if j < 0 else _zone_key(stack[j], zi)


def _line_zones(entry: _StackEntry, kind: str, value: float, lo: float, hi: float
                ) -> list[tuple[float, float, int]]:
    """The pieces (from, to, zone index) of a parallel or meridian that lie in each zone of a layer."""
    import shapely

    geoms = _model(entry[0]).zones.geometry
    if kind == "lon":
        value = float(_frame(entry, np.array([value]))[0])
        line = shapely.LineString([(value, lo), (value, hi)])
    else:
        line = shapely.LineString([(lo, value), (hi, value)])
    b = shapely.bounds(geoms)
    lx, ly, ux, uy = line.bounds
    cand = np.flatnonzero((b[:, 0] <= ux) & (b[:, 2] >= lx) & (b[:, 1] <= uy) & (b[:, 3] >= ly))
    axis = 1 if kind == "lon" else 0
    out = []
    for i in cand:
        for part in shapely.get_parts(shapely.intersection(geoms[i], line)):
            c = shapely.get_coordinates(part)[:, axis]
            if len(c):
                out.append((float(c.min()), float(c.max()), int(i)))
    return sorted(out, key=lambda t: t[2])


@once(maxsize=16)
def _seams(stack: tuple[_StackEntry, ...], j: int) -> np.ndarray:
    """The pieces of layer *j*'s box sides where the answer differs on the two sides."""
    pieces = []
    for kind, value, lo, hi, inward in _box_sides(stack[j][2]):
        sides = {sign: value + sign * inward * _NUDGE for sign in (+1, -1)}  # +1 inside, -1 outside
        found = {(sign, k): _line_zones(stack[k], kind, v, lo, hi)
                 for sign, v in sides.items() for k in range(len(stack))}
        cuts = {lo, hi}
        for spans in found.values():
            cuts.update(t for a, b, _ in spans for t in (a, b) if lo < t < hi)
        for entry in stack:
            w, s, e, n = entry[2]
            cuts.update(t for t in ((w, e) if kind == "lat" else (s, n)) if lo < t < hi)
        t = np.array(sorted(cuts))
        mid = (t[:-1] + t[1:]) / 2

        def answers(sign: int) -> list[Any]:
            v = np.full(len(mid), sides[sign])
            lon, lat = (mid, v) if kind == "lat" else (v, mid)

            def zone_of(k: int, mask: np.ndarray) -> np.ndarray:
                spans = found[(sign, k)]
                return np.array([next((z for a, b, z in spans if a <= m <= b), -1) for m in mid[mask]])

            return [_key_of(stack, r) for r in _resolve(stack, lon, lat, zone_of)]

        differ = [a != b for a, b in zip(answers(+1), answers(-1))]
        start = None
        for i, d in enumerate(differ + [False]):
            if d and start is None:
                start = t[i]
            elif not d and start is not None:
                pieces.append(_side_segments(kind, value, start, t[i]))
                start = None
    return np.vstack(pieces) if pieces else np.empty((0, 4))


def _across_record(stack: tuple[_StackEntry, ...], layer: np.ndarray, zone: np.ndarray, kind: np.ndarray) -> Any:
    """What lies across the boundary (:func:`geo.boundary.across_answers` for one point).

    A zone record (with its ``status``), ``"land"``, ``"high_seas"`` or
    ``"outside_coverage"``; None on the boundary itself.
    """
    k = int(kind[0])
    if k == 1:
        rec = _model(stack[int(layer[0])][0]).zones.record(int(zone[0]))
        rec["status"] = status_of_pol_type(rec["pol_type"])
        return rec
    return {2: "land", 3: "high_seas", 4: "outside_coverage"}.get(k)


# --- areas -----------------------------------------------------------------------------
# moved to geo.areas; re-exported here for callers of geo.zones.area_in_zones

from .areas import AreaReport, AreaShare, area_in_zones  # noqa: E402,F401
