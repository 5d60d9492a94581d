"""One point, fully described: :func:`where` and its :class:`ZoneAnswer`.

Composes the query core: the zone, status and answer of :mod:`geo.zones`,
the boundary distance of :mod:`geo.boundary`, the nested zones of
:mod:`geo.nesting` and the seabed of :mod:`geo.seabed`.  Nothing below this
module imports it.

Example
-------
>>> from geo.answer import where
>>> a = where(22.0, 153.8)          # the rare-earth mud area
>>> a.answer, a.status, a.zone["name"]
('yes', 'eez', 'Japanese Exclusive Economic Zone')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .coords import wrap_lon
from .layers import LayerInfo, load_zones
from .zones import _model, box_frame, classify, resolve_country, status_of_pol_type


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
    x = wrap_lon(lon)
    dist_km = near = None
    if distance and layer_id:
        box = load_zones(layer_id).layer.coverage_bbox
        east = float(box_frame(np.array([x]), box)[0])
        nb = boundary_info(lat, east, layer_id, int(c.zone_index[0]),
                           int(c.enclosing_index[0]), layers=c.layer_ids)
        if nb is not None:
            dist_km, near = nb
    from .nesting import zones_at

    nested = zones_at(lat, lon, layers, zone=zone, status=st, layer=info if layer_id else None)
    from .seabed import depth_band, seabed

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
    from ._stack import boundary_stack
    from .boundary import across_answers, nearest_one

    stack = boundary_stack(layer_id, layers)
    best = nearest_one(stack, lon, lat)
    if best is None:
        return None
    metres, blon, blat, az = best
    across = _across_record(stack, *across_answers(stack, np.array([lon]), np.array([lat]), np.array([blon]),
                                                   np.array([blat]), np.array([metres]), np.array([az])))
    return round(metres / 1000.0, 6), {"lat": round(blat, 7), "lon": round(blon, 7), "across": across}

def _across_record(stack: tuple[Any, ...], layer: np.ndarray, zone: np.ndarray, kind: np.ndarray) -> Any:
    """What lies across the boundary (:func:`geo.boundary.across_answers` for one point).

    A zone record (with its ``status``), ``"land"``, ``"high_seas"`` or
    ``"outside_coverage"``; None on the boundary itself.
    """
    k = int(kind[0])
    if k == 1:
        rec = _model(stack[int(layer[0])][0]).zones.record(int(zone[0]))
        rec["status"] = status_of_pol_type(rec["pol_type"])
        return rec
    from .boundary import ACROSS_WORDS

    return ACROSS_WORDS.get(k)


def across_text(across: Any) -> str:
    """What lies across the nearest boundary, in words: a zone ``NAME (MRGID n)`` or a status."""
    if isinstance(across, dict):
        return f"{across['name']} (MRGID {across['mrgid']})"
    return str(across or "—").replace("_", " ")
