"""Point -> zone, status and answer: the low-level classification.

Which zone of a layer holds a point, what kind of place that is
(:class:`geo.enums.Status`: ``eez``, ``overlapping_claim``, ``joint_regime``,
``land``, ``high_seas``, ``outside_coverage``) and what that means for a
country (:class:`geo.enums.Answer`: ``yes``, ``no``, ``shared``,
``unknown``).  One function, :func:`classify`, serves one point and a
million; :func:`geo.answer.where` is the one-point view of it with the
boundary distance, nested zones and seabed added.  This module imports no
other part of the query core (boundary, nesting, seabed, areas import it).

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
>>> c = classify([22.0], [153.8])          # the rare-earth mud area
>>> c.answer[0], c.status[0]
('yes', 'eez')
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ._locator import _Locator
from ._threads import once
from .coords import wrap_lon
from .enums import Answer, Status
from .errors import CoordinateError, CountryError
from .layers import land_for, load_land, load_zones, manifest, resolve_layers

#: integer code of each status and answer in :class:`Classification` (the enums' order)
_STATUS_CODE = {s: i for i, s in enumerate(Status)}
_ANSWER_CODE = {a: i for i, a in enumerate(Answer)}
_STATUS_TEXT = tuple(s.value for s in Status)
#: records gathered together for speed (their fields are the Classification's arrays)
_CODES = np.dtype([("status", np.int8), ("answer", np.int8)])
_WHERE = np.dtype([("zone", np.int32), ("enclosing", np.int32)])
_ANSWER_TEXT = tuple(a.value for a in Answer)


def status_of_pol_type(pol_type: str) -> Status:
    """Map a Marine Regions ``pol_type`` to a status ('200NM' -> 'eez', 'Disputed' -> ...).

    Every spelling of every version is in :data:`geo.marineregions.POL_TYPES`;
    a layer holding another value is refused when loaded.
    """
    from .layers.marineregions import pol_type_status

    return Status(pol_type_status(pol_type))


def box_frame(lon: Any, box: tuple[float, float, float, float]) -> Any:
    """Longitudes (in [-180, 180)) in the frame of a coverage box: -180 -> 180 for a box whose
    east edge is 180° (and west edge not -180°), so that box holds the antimeridian's points."""
    if box[2] == 180.0 and box[0] > -180.0:
        return np.where(lon == -180.0, 180.0, lon)
    return lon


# --- the classification model of one layer ------------------------------------------

class _LayerModel:
    """Everything needed to classify points against one zone layer (built lazily, once)."""

    def __init__(self, layer_id: str) -> None:
        self.zones = load_zones(layer_id)
        self.zone_locator = _Locator(self.zones.geometry, self.zones.layer.sha256 + ":zones")
        self._filled: _Locator | None = None
        self._land: _Locator | None = None
        self._places: _Locator | None = None
        self._part_zone: np.ndarray | None = None
        self._lock = threading.Lock()
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._place_codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
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
                    filled = np.asarray(filled, dtype=object)
                    self._filled = _Locator(filled, self.zones.layer.sha256 + ":filled")
        return self._filled

    def hole_zone(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """The zone whose polygon has a hole holding each point (-1 if none)."""
        part = self.filled_locator.lookup(lon, lat)
        assert self._part_zone is not None
        return np.where(part >= 0, self._part_zone[np.maximum(part, 0)], -1).astype(np.int32)

    def codes(self, iso: str) -> tuple[np.ndarray, np.ndarray]:
        """Per zone, then one more for "in no zone": the status code and *iso*'s answer code."""
        got = self._codes.get(iso)
        if got is None:
            status = np.array([_STATUS_CODE[status_of_pol_type(p)] for p in self.zones.pol_type]
                              + [_STATUS_CODE[Status.HIGH_SEAS]], dtype=np.int8)
            party = np.array([iso in s for s in self.zones.sovereign_isos] + [False])
            yes, shared, no = (_ANSWER_CODE[a] for a in (Answer.YES, Answer.SHARED, Answer.NO))
            answer = np.where(party, np.where(status == _STATUS_CODE[Status.EEZ], yes, shared), no)
            got = self._codes[iso] = (status, answer.astype(np.int8))
        return got

    @property
    def land_locator(self) -> _Locator:
        if self._land is None:
            with self._lock:
                if self._land is None:
                    info, land = load_land(self.land_info.id)
                    self._land = _Locator(land, info.sha256 + ":land")
        return self._land

    @property
    def place_locator(self) -> _Locator:
        """One index over the zones, then every zone part with its holes filled, then the land.

        The lowest row holding a point says all :func:`classify` needs: a zone; else a hole
        of a zone (land, that zone enclosing it); else land; -1 high seas.  One lookup, where
        the zone, hole and land locators take three.
        """
        if self._places is None:
            filled, land = self.filled_locator.geoms, self.land_locator  # outside the lock
            with self._lock:
                if self._places is None:
                    geoms = np.concatenate([self.zones.geometry, filled, land.geoms])
                    self._places = _Locator(geoms, f"{self.zones.layer.sha256}:places:{land.key}")
        return self._places

    def place_codes(self, iso: str) -> tuple[np.ndarray, np.ndarray]:
        """Per row of :attr:`place_locator`, then one for -1: (status code, *iso*'s answer code)
        and (zone index, enclosing zone), as two record tables (one gather each)."""
        got = self._place_codes.get(iso)
        if got is None:
            rows = len(self.place_locator.geoms)   # sets _part_zone too
            status_of, answer_of = self.codes(iso)
            assert self._part_zone is not None
            nz, nparts = len(self.zones.geometry), len(self._part_zone)
            nland = rows - nz - nparts
            land, no = _STATUS_CODE[Status.LAND], _ANSWER_CODE[Answer.NO]
            codes = np.zeros(rows + 1, dtype=_CODES)
            codes["status"] = np.concatenate([status_of[:-1], np.full(nparts + nland, land), status_of[-1:]])
            codes["answer"] = np.concatenate([answer_of[:-1], np.full(nparts + nland + 1, no)])
            where = np.zeros(rows + 1, dtype=_WHERE)
            where["zone"] = np.concatenate([np.arange(nz), np.full(nparts + nland + 1, -1)])
            where["enclosing"] = np.concatenate([np.full(nz, -1), self._part_zone, np.full(nland + 1, -1)])
            got = self._place_codes[iso] = (codes, where)
        return got


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

@dataclass
class Classification:
    """Per-point results of :func:`classify`, as parallel arrays.

    Kept as small integer codes (fast for millions of points); ``status``,
    ``answer`` and ``layer`` give the strings.  Code -1 (string ``""``) marks a
    point that was not classified (non-finite or out-of-range coordinates,
    only with ``classify(..., invalid="mark")``).
    """

    status_code: np.ndarray      # int8 code of a geo.enums.Status (their order), -1 if not classified
    answer_code: np.ndarray      # int8 code of a geo.enums.Answer (their order), -1 if not classified
    layer_code: np.ndarray       # int8 index into layer_ids, -1 if none answered
    zone_index: np.ndarray       # int32 row in that layer's Zones (-1 if none)
    enclosing_index: np.ndarray  # int32 the zone whose hole holds a 'land' point (-1 if none)
    layer_ids: tuple[str, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.status_code)

    @staticmethod
    def _labels(codes: np.ndarray, labels: Sequence[str]) -> np.ndarray:
        table = np.array(list(labels) + [""], dtype=object)
        out: np.ndarray = table[codes]  # -1 picks the trailing ""
        return out

    @property
    def status(self) -> np.ndarray:
        return self._labels(self.status_code, _STATUS_TEXT)

    @property
    def answer(self) -> np.ndarray:
        return self._labels(self.answer_code, _ANSWER_TEXT)

    @property
    def layer(self) -> np.ndarray:
        return self._labels(self.layer_code, self.layer_ids)

    def zone_record(self, i: int) -> dict[str, Any] | None:
        if self.zone_index[i] < 0:
            return None
        return load_zones(self.layer_ids[self.layer_code[i]]).record(int(self.zone_index[i]))

    def counts(self) -> dict[str, int]:
        """How many points fell in each status ("" for points not classified)."""
        counts = np.bincount(self.status_code.astype(np.int64) + 1, minlength=len(_STATUS_TEXT) + 1)
        labels = ("",) + _STATUS_TEXT
        return {labels[i]: int(c) for i, c in enumerate(counts) if c}


#: what :func:`classify` does with a non-finite or out-of-range coordinate
Invalid = Literal["raise", "mark"]


def classify(lat: Any, lon: Any, country: str = "JPN", layers: Sequence[str] | None = None, *,
             invalid: Invalid = "raise") -> Classification:
    """Classify points: zone, status and the answer for *country*.

    Parameters
    ----------
    lat, lon : scalar or array-like, degrees
        Latitudes in [-90, 90]; longitudes in [-180, 360] (0–360 accepted).
    country : str
        ISO alpha-3 code (or sovereign name) the answer is about.
    layers : sequence of layer ids, optional
        Zone layers in order of precedence (default: the manifest's set).
    invalid : {"raise", "mark"}
        A non-finite or out-of-range coordinate raises :class:`CoordinateError`
        naming the parameter and the index (``"raise"``, the default), or is
        marked not classified: status and answer ``""``, codes -1 (``"mark"``,
        what ``eezmap where --input`` does with a bad row).

    Returns
    -------
    Classification
        Parallel arrays; exactly what :func:`geo.where` gives for each point.

    Example
    -------
    >>> c = classify([24.28667, 36.0], [153.98056, 150.0])
    >>> list(c.status), list(c.answer)
    (['eez', 'high_seas'], ['yes', 'no'])
    """
    if invalid not in ("raise", "mark"):
        raise ValueError(f"invalid must be 'raise' or 'mark', not {invalid!r}")
    layer_ids = resolve_layers(layers)
    iso = resolve_country(country, layer_ids)
    lat, lon, todo, bounds = _points(lat, lon, invalid)
    n = len(lat)
    out: list[np.ndarray] | None = None   # status, answer, zone, enclosing and layer codes
    complete = False
    for k, layer_id in enumerate(layer_ids):
        info = manifest().get(layer_id)
        complete = complete or iso in info.complete_sovereigns
        box = info.coverage_bbox
        here: np.ndarray | None = None   # None: every point, in this layer's box (no mask, no copies)
        if todo is not None or not _box_holds(box, bounds):
            todo = np.ones(n, dtype=bool) if todo is None else todo
            here = np.flatnonzero(todo & info.covers(box_frame(lon, box), lat))
            if not len(here):
                continue
        x, y = (lon, lat) if here is None else (box_frame(lon[here], box), lat[here])
        kept, *codes = _classify_in(_model(layer_id), iso, x, y, bool(info.zones_only))
        if here is None and kept is None:   # this layer answered every point
            layer_of = np.full(n, k, dtype=np.int8)
            return Classification(codes[0], codes[1], layer_of, codes[2], codes[3], layer_ids)
        out = _unclassified(n) if out is None else out
        todo = np.ones(n, dtype=bool) if todo is None else todo
        idx = np.arange(n) if here is None else here
        idx = idx if kept is None else idx[kept]   # kept: the rows of x, y the layer answered
        todo[idx] = False
        for column, values in zip(out, (*codes, k), strict=True):
            column[idx] = values
    out = _unclassified(n) if out is None else out
    rest = np.arange(n) if todo is None else np.flatnonzero(todo)
    out[0][rest] = _STATUS_CODE[Status.OUTSIDE_COVERAGE]
    out[1][rest] = _ANSWER_CODE[Answer.NO if complete else Answer.UNKNOWN]
    return Classification(out[0], out[1], out[4], out[2], out[3], layer_ids)


def _unclassified(n: int) -> list[np.ndarray]:
    """Status, answer, zone, enclosing and layer codes of *n* points no layer answered (yet)."""
    return [np.full(n, -1, dtype=np.int8), np.full(n, -1, dtype=np.int8), np.full(n, -1, dtype=np.int32),
            np.full(n, -1, dtype=np.int32), np.full(n, -1, dtype=np.int8)]


def _classify_in(model: _LayerModel, iso: str, x: np.ndarray, y: np.ndarray, zones_only: bool
                 ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One layer's answer at points of its box: (rows answered or None for all, status codes,
    answer codes, zone index, enclosing zone).  A partial layer answers only in its zones."""
    if not zones_only and len(x) > _Locator.DIRECT:   # one lookup: zone, hole or land
        row = model.place_locator.lookup(x, y)   # -1 picks the last: high seas
        codes, where = (table[row] for table in model.place_codes(iso))
        return None, codes["status"], codes["answer"], where["zone"], where["enclosing"]
    zi = model.zone_locator.lookup(x, y)
    status_of, answer_of = model.codes(iso)
    if zones_only:
        kept = np.flatnonzero(zi >= 0)
        zi = zi[kept]
        return kept, status_of[zi], answer_of[zi], zi, np.full(len(zi), -1, dtype=np.int32)
    status, answer = status_of[zi], answer_of[zi]   # -1 (no zone) picks high seas, "no"
    enclosing = np.full(len(zi), -1, dtype=np.int32)
    miss = np.flatnonzero(zi < 0)
    if len(miss):
        mx, my = x[miss], y[miss]
        hole = model.hole_zone(mx, my)
        enclosing[miss] = hole
        on_land = hole >= 0
        rest = np.flatnonzero(~on_land)
        if len(rest):
            on_land[rest] = model.land_locator.lookup(mx[rest], my[rest]) >= 0
        status[miss[on_land]] = _STATUS_CODE[Status.LAND]
    return None, status, answer, zi, enclosing


def _points(lat: Any, lon: Any, invalid: Invalid
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, tuple[float, float, float, float]]:
    """Coordinates as float arrays with longitudes in [-180, 180), which are valid (None: all),
    and their bounds (w, s, e, n; NaN when some point is invalid)."""
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    if lat.shape != lon.shape:
        raise ValueError(f"lat and lon must have the same length ({lat.shape} and {lon.shape})")
    if not len(lat):
        return lat, lon, None, (np.nan,) * 4
    bounds = (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))  # NaN if any is
    w, s, e, n = bounds
    if s >= -90.0 and n <= 90.0 and w >= -180.0 and e <= 360.0:   # all valid (NaN fails)
        if e < 180.0:   # already in [-180, 180): the common case, no pass over the points
            return lat, lon, None, bounds
        lon = wrap_lon(lon)
        return lat, lon, None, (float(lon.min()), s, float(lon.max()), n)
    with np.errstate(invalid="ignore"):
        good_lat = np.isfinite(lat) & (np.abs(lat) <= 90)
        good_lon = np.isfinite(lon) & (lon >= -180) & (lon <= 360)
    if invalid == "raise":
        bad_lat, bad_lon = np.flatnonzero(~good_lat), np.flatnonzero(~good_lon)
        found = [(int(b[0]), name, allowed) for b, name, allowed in
                 ((bad_lat, "lat", "[-90, 90]"), (bad_lon, "lon", "[-180, 360]")) if len(b)]
        i, name, allowed = min(found)
        value = float((lat if name == "lat" else lon)[i])
        raise CoordinateError(f"{name}[{i}] = {value!r}: not a number in {allowed}; pass invalid='mark' "
                              f"to mark such points not classified instead")
    valid = good_lat & good_lon
    lon = np.where(valid, wrap_lon(np.where(valid, lon, 0.0)), np.nan)
    return lat, lon, valid, (np.nan,) * 4


def _box_holds(box: tuple[float, float, float, float], bounds: tuple[float, float, float, float]) -> bool:
    """Whether a coverage box holds every point of *bounds* (in the box's frame)."""
    w, s, e, n = bounds
    return bool(box[0] <= w and e <= box[2] and box[1] <= s and n <= box[3]
                and not (w == -180.0 and box[0] > -180.0))
