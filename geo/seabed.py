"""Whose seabed, how deep, which contract: the seabed under a point.

Rights to seabed minerals follow the continental shelf (UNCLOS Part VI), not
the water column.  Within a 200 NM zone the shelf belongs to the coastal
state; beyond it, seabed outside any recognised extended shelf is "the Area"
(Part XI), where the International Seabed Authority (ISA) grants exploration
contracts.  This module answers, for one point or a million:

* :func:`contracts` — the ISA exploration contract or reserved area holding
  the point (ISA's GIS layers of July 2019; areas partly relinquished since);
* :func:`depth_band` — the Natural Earth 1:10m depth band holding the point
  (a band of a 1:10m generalisation, never a measured depth);
* :func:`seabed` — the seabed regime (``continental_shelf``, ``the_area``,
  ``beyond_200nm``, ``land``), given the zone classification the caller
  already has (status and sovereigns per point, as :mod:`geo.zones` gives).

Each function takes scalars or arrays, like ``pyproj.Geod.inv``: a scalar
(lat, lon) gives one result object, arrays give a result of arrays (with
``record(i)``, equal to the scalar answer for row *i*).  A handful of points
are tested directly against the polygons; larger batches go through the
exact grid index (:mod:`geo._grid`), cached on disk per layer version.  Both
paths give identical answers (``tests/test_seabed.py``).

Conventions: polygons are closed (a point on an edge is inside); where ISA
areas touch, the first area in the layer's order answers; the depth band of a
point is the deepest band polygon containing it (the bands nest).

Example
-------
>>> from geo.seabed import depth_band, seabed
>>> depth_band(22.0, 153.8).as_dict()["from"]      # the rare-earth mud frame
5000
>>> s = seabed(21.5406, 159.2656, status="high_seas", sovereigns=())
>>> s.regime, s.contracts[0].contractor
('the_area', 'JOGMEC (Japan)')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from ._locator import _Locator as Locator
from ._threads import once
from .enums import Status
from .layers import LayerInfo, manifest
from .layers.polygons import PolygonLayer, load_polygons

#: The ISA resources, as the answers spell them.
RESOURCES = ("polymetallic nodules", "polymetallic sulphides", "cobalt-rich ferromanganese crusts")
#: Kinds of ISA area.
CONTRACT_STATUSES = ("exploration", "reserved")
#: Seabed regimes (``None`` where the zone layers cannot tell: outside their coverage).
REGIMES = ("continental_shelf", "the_area", "beyond_200nm", "land")
#: Zone statuses (geo.zones.STATUSES) whose seabed is a coastal state's continental shelf.
SHELF_STATUSES = (Status.EEZ, Status.OVERLAPPING_CLAIM, Status.JOINT_REGIME)

ISA_LAYER = "isa-exploration-areas-2019-07"
BATHYMETRY_LAYER = "ne-10m-bathymetry-nw-pacific"

NOTES = {
    "continental_shelf": ("Within 200 NM: the seabed and subsoil are the continental shelf of the coastal "
                          "state (UNCLOS Part VI, Art. 76-77), which holds the rights to its minerals."),
    "continental_shelf_shared": ("Within 200 NM, in a zone with several parties (an overlapping claim or "
                                 "a joint regime): every party is listed; eezmap gives the shelf to none "
                                 "alone."),
    "the_area": ("The Area (UNCLOS Part XI), beyond national jurisdiction: the ISA grants exploration "
                 "contracts here. Contract areas as of July 2019 (ISA GIS layers), partly relinquished "
                 "since."),
    "beyond_200nm": ("The Area, unless an extended continental shelf has been established here; eezmap has "
                     "no extended-shelf layer."),
    "land": "On land: no seabed.",
    "unknown": "Outside the zone layers' coverage: the seabed regime cannot be told here.",
    "conflict": (" The point also lies in an ISA area (July 2019), which exists only in the Area: the two "
                 "layers disagree here (simplified boundaries)."),
}


# --- results -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Contract:
    """One ISA exploration contract area or reserved area."""

    contractor: str
    resource: str
    status: str
    since: date | None
    as_of: str
    layer: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        """The issue's contract object: contractor, resource, status, since, as_of, layer."""
        return {"contractor": self.contractor, "resource": self.resource, "status": self.status,
                "since": self.since.isoformat() if self.since else None, "as_of": self.as_of,
                "layer": dict(self.layer)}


@dataclass(frozen=True)
class DepthBand:
    """A Natural Earth 1:10m depth band: deeper than ``from_m``, shallower than ``to_m``.

    ``to_m`` is None below the deepest band (10,000 m).  A band of a 1:10m
    generalisation, never a measured depth.
    """

    from_m: int
    to_m: int | None
    layer: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        """``{"from": 5000, "to": 6000, "layer": {"id", "version", "scale"}}``."""
        return {"from": self.from_m, "to": self.to_m, "layer": dict(self.layer)}

    def label(self) -> str:
        """``'5,000–6,000 m (1:10m depth band, not a measured depth)'``."""
        span = (f"{self.from_m:,}–{self.to_m:,} m" if self.to_m is not None
                else f"deeper than {self.from_m:,} m")
        return f"{span} (1:10m depth band, not a measured depth)"


@dataclass(frozen=True)
class Seabed:
    """The seabed under one point: regime, states, ISA contracts, note."""

    regime: str | None
    states: tuple[str, ...]
    contracts: tuple[Contract, ...]
    note: str

    def as_dict(self) -> dict[str, Any]:
        """The issue's ``"seabed"`` object: regime, states, contracts, note."""
        return {"regime": self.regime, "states": list(self.states),
                "contracts": [c.as_dict() for c in self.contracts], "note": self.note}


@dataclass(frozen=True)
class ContractArray:
    """:func:`contracts` for arrays: the ISA area row per point (-1: none)."""

    index: np.ndarray

    def __len__(self) -> int:
        return len(self.index)

    def record(self, i: int) -> tuple[Contract, ...]:
        k = int(self.index[i])
        return (_isa().contract(k),) if k >= 0 else ()

    @property
    def contractor(self) -> np.ndarray:
        """Contractor per point (None where no area), e.g. for a batch column."""
        return _isa().field("contractor", self.index)

    @property
    def resource(self) -> np.ndarray:
        return _isa().field("resource", self.index)

    @property
    def status(self) -> np.ndarray:
        return _isa().field("status", self.index)

    def contractor_codes(self) -> tuple[np.ndarray, tuple[str, ...]]:
        """(codes, labels): the contractor per point as int32 codes into labels (-1: none),
        without a Python string per point (for batch columns)."""
        labels, per_row = _isa().contractor_codes
        codes = np.full(len(self.index), -1, dtype=np.int32)
        hit = self.index >= 0
        codes[hit] = per_row[self.index[hit]]
        return codes, labels


@dataclass(frozen=True)
class DepthArray:
    """:func:`depth_band` for arrays: band limits per point (NaN: no band)."""

    from_m: np.ndarray
    to_m: np.ndarray
    layer: dict[str, str]

    def __len__(self) -> int:
        return len(self.from_m)

    def record(self, i: int) -> DepthBand | None:
        lo, hi = self.from_m[i], self.to_m[i]
        if np.isnan(lo):
            return None
        return DepthBand(int(lo), None if np.isnan(hi) else int(hi), dict(self.layer))


@dataclass(frozen=True)
class SeabedArray:
    """:func:`seabed` for arrays: regime code per point, states, contract rows."""

    regime_code: np.ndarray          # int8 index into REGIMES, -1 for None
    states: tuple[tuple[str, ...], ...]
    contracts: ContractArray
    note_key: np.ndarray             # object array of NOTES keys (plus " conflict")

    def __len__(self) -> int:
        return len(self.regime_code)

    @property
    def regime(self) -> np.ndarray:
        """Regime per point as strings (None where unknown)."""
        names = np.array(list(REGIMES) + [None], dtype=object)
        return names[np.where(self.regime_code >= 0, self.regime_code, len(REGIMES))]

    def record(self, i: int) -> Seabed:
        code = int(self.regime_code[i])
        keys = str(self.note_key[i]).split("+")
        return Seabed(REGIMES[code] if code >= 0 else None, self.states[i], self.contracts.record(i),
                      "".join(NOTES[k] for k in keys))


# --- the layers -----------------------------------------------------------------------

class _IsaModel:
    def __init__(self) -> None:
        self.data: PolygonLayer = load_polygons(ISA_LAYER, "isa_areas")
        info = self.data.layer
        self.locator = Locator(self.data.geometry, info.sha256 + ":isa")
        self.as_of = str(info.extra.get("as_of", info.version))
        self.ref = info.ref()
        self._contracts: dict[int, Contract] = {}
        names = [str(x) for x in self.data.columns["contractor"]]
        labels = tuple(sorted(set(names)))
        self.contractor_codes = (labels, np.array([labels.index(x) for x in names], dtype=np.int32))

    def field(self, name: str, index: np.ndarray) -> np.ndarray:
        col = np.asarray(self.data.columns[name], dtype=object)
        out = np.full(len(index), None, dtype=object)
        hit = index >= 0
        out[hit] = col[index[hit]]
        return out

    def contract(self, k: int) -> Contract:
        c = self._contracts.get(k)
        if c is None:  # the same frozen value whichever thread makes it first
            cols = self.data.columns
            since = cols["since"][k]
            c = Contract(contractor=str(cols["contractor"][k]), resource=str(cols["resource"][k]),
                         status=str(cols["status"][k]),
                         since=date.fromisoformat(str(since)[:10]) if since not in (None, "") else None,
                         as_of=self.as_of, layer=dict(self.ref))
            self._contracts[k] = c
        return c


class _BathymetryModel:
    def __init__(self) -> None:
        data = load_polygons(BATHYMETRY_LAYER, "bathymetry")
        self.info: LayerInfo = data.layer
        depth = np.asarray(data.columns["depth"], dtype=float)
        order = np.argsort(-depth, kind="stable")  # deepest first: the first hit is the deepest band
        self.depth = depth[order]
        bands = np.unique(depth)
        nxt = {float(b): (float(bands[k + 1]) if k + 1 < len(bands) else math.nan)
               for k, b in enumerate(bands)}
        self.to = np.array([nxt[float(d)] for d in self.depth])
        # long contours: a shallow quadtree (finest cell 1/16°) builds in seconds, not minutes,
        # and still answers a million points in a fraction of a second
        self.locator = Locator(data.geometry[order], self.info.sha256 + ":bathymetry-deepest-first-d2",
                               max_depth=2)
        self.ref = dict(self.info.ref(), scale=str(self.info.extra.get("scale", "1:10m")))


def _isa() -> _IsaModel:
    model: _IsaModel = _isa_of(manifest().get(ISA_LAYER).sha256)
    return model


def _bathymetry() -> _BathymetryModel:
    model: _BathymetryModel = _bathymetry_of(manifest().get(BATHYMETRY_LAYER).sha256)
    return model


@once(maxsize=2)
def _isa_of(sha256: str) -> _IsaModel:  # keyed by the layer file's checksum
    return _IsaModel()


@once(maxsize=2)
def _bathymetry_of(sha256: str) -> _BathymetryModel:
    return _BathymetryModel()


def _arrays(lat: Any, lon: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    scalar = np.ndim(lat) == 0 and np.ndim(lon) == 0
    la = np.atleast_1d(np.asarray(lat, dtype=float))
    lo = np.atleast_1d(np.asarray(lon, dtype=float))
    la, lo = np.broadcast_arrays(la, lo)
    lo = np.where(lo > 180.0, lo - 360.0, lo)  # 0-360 longitudes
    return la.ravel(), lo.ravel(), scalar


# --- the queries ----------------------------------------------------------------------

def contracts(lat: Any, lon: Any, *, direct: bool | None = None) -> tuple[Contract, ...] | ContractArray:
    """The ISA exploration contract or reserved area holding each point (July 2019).

    Parameters
    ----------
    lat, lon : float or array-like
        Degrees (WGS84); longitudes in -180..180 or 0..360.
    direct : bool, optional
        Force the direct polygon test (True) or the grid index (False);
        default: direct for up to 64 points.

    Returns
    -------
    tuple of Contract (scalars; empty outside every area) or ContractArray (arrays).

    Example
    -------
    >>> [c.contractor for c in contracts(21.5406, 159.2656)]
    ['JOGMEC (Japan)']
    """
    la, lo, scalar = _arrays(lat, lon)
    index = _isa().locator.lookup(lo, la, direct=direct)
    result = ContractArray(index)
    return result.record(0) if scalar else result


def depth_band(lat: Any, lon: Any, *, status: Any = None,
               direct: bool | None = None) -> DepthBand | None | DepthArray:
    """The Natural Earth 1:10m depth band holding each point.

    The largest band depth among the polygons containing the point, up to the
    next band (0, 200, 1,000 … 6,000, 8,000, 9,000, 10,000 m: there is no
    7,000 m band, so 6,000–8,000 m is one class).  None (NaN in arrays) on
    land or outside the layer's coverage (90–180°E, 0–60°N).  Given the
    zone *status* of each point (as for :func:`seabed`), a point the zone
    layers put on land (an island left out of a zone, finer than the 1:10m
    coast) has no band either.

    Example
    -------
    >>> depth_band(22.0, 153.8).label()
    '5,000–6,000 m (1:10m depth band, not a measured depth)'
    """
    la, lo, scalar = _arrays(lat, lon)
    model = _bathymetry()
    row = model.locator.lookup(lo, la, direct=direct)
    hit = row >= 0
    lo_m = np.full(len(row), np.nan)
    hi_m = np.full(len(row), np.nan)
    lo_m[hit] = model.depth[row[hit]]
    hi_m[hit] = model.to[row[hit]]
    if status is not None:  # strings, or the integer codes of geo.zones.Classification
        given = np.asarray(status)
        land = np.broadcast_to(given == (_STATUS_CODE[Status.LAND] if given.dtype.kind in "iu"
                                         else Status.LAND), lo_m.shape)
        lo_m[land] = np.nan
        hi_m[land] = np.nan
    result = DepthArray(lo_m, hi_m, dict(model.ref))
    return result.record(0) if scalar else result


#: integer code of each status, as :class:`geo.zones.Classification` holds it (the enum's order)
_STATUS_CODE = {str(s): i for i, s in enumerate(Status)}
_SHELF_CODES = np.array([_STATUS_CODE[str(s)] for s in SHELF_STATUSES], dtype=np.int8)


def regime_codes(lat: Any, lon: Any, status_code: Any, *,
                 direct: bool | None = None) -> tuple[np.ndarray, ContractArray]:
    """The seabed regime (index into :data:`REGIMES`, -1 for None) and the ISA area of each point.

    The vectorised core of :func:`seabed`, on integer status codes (those of
    :class:`geo.zones.Classification`, -1 for an unclassified point), so a batch
    of millions never builds strings.  The ISA rows are those holding each
    point, none on land.
    """
    la, lo, _ = _arrays(lat, lon)
    n = len(la)
    sc = np.broadcast_to(np.asarray(status_code, dtype=np.int8), (n,))
    found = contracts(la, lo, direct=direct)
    assert isinstance(found, ContractArray)
    in_area = found.index >= 0
    shelf = np.isin(sc, _SHELF_CODES)
    land = sc == _STATUS_CODE[Status.LAND]
    high = sc == _STATUS_CODE[Status.HIGH_SEAS]
    code = np.full(n, -1, dtype=np.int8)
    code[shelf] = REGIMES.index("continental_shelf")
    code[land] = REGIMES.index("land")
    code[~shelf & ~land & in_area] = REGIMES.index("the_area")
    code[high & ~in_area] = REGIMES.index("beyond_200nm")
    return code, ContractArray(np.where(land, -1, found.index).astype(np.int32))


def seabed(lat: Any, lon: Any, status: Any, sovereigns: Any, *,
           direct: bool | None = None) -> Seabed | SeabedArray:
    """The seabed regime under each point, given its zone classification.

    Parameters
    ----------
    lat, lon : float or array-like
    status : str or array-like of str
        The zone status of each point, as :mod:`geo.zones` gives it (``eez``,
        ``overlapping_claim``, ``joint_regime``, ``land``, ``high_seas``,
        ``outside_coverage``).
    sovereigns : sequence of str, or a sequence of them (one per point)
        Every party to the point's zone (empty outside every zone).

    Returns
    -------
    Seabed (scalars) or SeabedArray (arrays).  Regimes:

    * ``continental_shelf`` — inside a 200 NM zone; ``states`` its
      sovereign(s), every party for an overlapping claim or joint regime;
    * ``the_area`` — outside every zone, inside an ISA contract or reserved area;
    * ``beyond_200nm`` — outside every zone and every ISA area;
    * ``land``;
    * None — outside the zone layers' coverage and every ISA area.

    Example
    -------
    >>> seabed(22.0, 153.8, "eez", ("Japan",)).as_dict()["regime"]
    'continental_shelf'
    """
    la, lo, scalar = _arrays(lat, lon)
    n = len(la)
    if isinstance(sovereigns, str):
        sovereigns = (sovereigns,)
    st = (np.broadcast_to(np.asarray(status, dtype=object), (n,)) if not scalar
          else np.array([status], dtype=object))
    broadcast = scalar or (len(sovereigns) and isinstance(next(iter(sovereigns)), str)) or not len(sovereigns)
    if broadcast:  # one set of states for every point (a batch that needs only the regime)
        sov: tuple[tuple[str, ...], ...] = (tuple(sovereigns),) * n
    else:
        sov = tuple(tuple(s) for s in sovereigns)
        if len(sov) != n:
            raise ValueError(f"sovereigns has {len(sov)} rows for {n} points")
    status_code = np.array([_STATUS_CODE.get(str(s), -1) for s in st.tolist()], dtype=np.int8)
    code, found = regime_codes(la, lo, status_code, direct=direct)
    in_area = found.index >= 0
    shelf = code == REGIMES.index("continental_shelf")
    keys = np.full(n, "unknown", dtype=object)
    for r in ("the_area", "beyond_200nm", "land"):
        keys[code == REGIMES.index(r)] = r
    if broadcast:
        shared = np.full(n, len(sovereigns) > 1 if not isinstance(sovereigns, str) else False)
    else:
        shared = np.array([len(s) > 1 for s in sov], dtype=bool) if n else np.zeros(0, bool)
    keys[shelf] = np.where(shared[shelf] | (st[shelf] != Status.EEZ), "continental_shelf_shared",
                           "continental_shelf")
    keys[shelf & in_area] = keys[shelf & in_area] + "+conflict"
    if broadcast:
        states = tuple(sov[0] if x else () for x in shelf.tolist()) if n else ()
    else:
        states = tuple(sov[i] if shelf[i] else () for i in range(n))
    result = SeabedArray(code, states, found, keys)
    return result.record(0) if scalar else result


def contract_text(c: Contract) -> str:
    """One line for a contract, cited and dated.

    Example
    -------
    >>> contract_text(contracts(21.5406, 159.2656)[0])
    'ISA contract: JOGMEC (Japan), cobalt-rich ferromanganese crusts, exploration, since 2014-01-27 (ISA, July 2019; areas since partly relinquished)'
    """  # noqa: E501
    since = f", since {c.since.isoformat()}" if c.since else ", date not in the layer"
    kind = "ISA contract" if c.status == "exploration" else "ISA reserved area"
    return f"{kind}: {c.contractor}, {c.resource}, {c.status}{since} ({isa_citation(c.as_of)})"


def isa_citation(as_of: str) -> str:
    """``'ISA, July 2019; areas since partly relinquished'`` for ``as_of='2019-07'``."""
    try:
        when = date.fromisoformat(as_of[:7] + "-01").strftime("%B %Y")
    except ValueError:
        when = as_of
    return f"ISA, {when}; areas since partly relinquished"


def contract_areas(bbox: Sequence[float] | None = None) -> list[tuple[Any, Contract]]:
    """The ISA areas (geometry, Contract) intersecting *bbox* (W, S, E, N), all by default.

    For maps and exports: draw them with the contractor, the date and the
    citation (ISA, July 2019; partly relinquished since).
    """
    import shapely

    model = _isa()
    geoms = model.data.geometry
    if bbox is None:
        rows = np.arange(len(geoms))
    else:
        rows = np.flatnonzero(shapely.intersects(geoms, shapely.box(bbox[0], bbox[1], bbox[2], bbox[3])))
    return [(geoms[k], model.contract(int(k))) for k in rows]
