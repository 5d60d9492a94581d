"""Every maritime zone at a point: internal waters → 12 NM → 24 NM → EEZ → high seas.

When layers of the nested kinds are in use (user layers of kind
``eez_internal_waters``, ``eez_12nm`` or ``eez_24nm``, named with
``--layer`` or made default with ``eezmap layers default``), ``where``
reports every zone holding the point, innermost first, in a ``zones`` list:
each item ``{"kind", "mrgid", "name", "sovereigns", "layer": {"id",
"version"}}``.  The last item is the EEZ zone that answered (kind ``eez``),
or ``high_seas`` when the point is in no EEZ; on land or outside every
layer's coverage there is none.  Without nested layers the list is empty
(and ``where --json`` leaves it out).

Near an island with bundled computed zones (Minami-Torishima: 12, 24 and
200 NM offsets of its MLIT N03 outline), the list holds them too, offline:
the island itself, its territorial sea and contiguous zone, each labelled
"computed from the coastline (MLIT N03), not an official baseline — UNCLOS
measures from the low-water line" (:func:`computed_zones_at`).  Nested
layers in use (official ones) replace them: the list never mixes the two.

Polygons are closed, as in :mod:`geo.zones`: a point on an edge is in the
zone.  Several zones of one kind may hold a point (an overlapping claim):
each is listed, by MRGID.

For maps, :func:`nested_layers` lists the nested layers in use (each a
:class:`~geo.layers.LayerInfo` with ``id`` and ``kind``);
``geo.layers.load_zones(info.id)`` gives their geometry.

Example
-------
>>> from geo.nesting import nested_layers
>>> nested_layers()        # none unless the user fetched or added some
()
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .coords import wrap_lon
from .enums import LayerKind, Status
from .layers import NESTED_KINDS, LayerInfo, load_zones, manifest

__all__ = ["NESTED_KINDS", "computed_zones_at", "nested_layers", "zones_at"]


def nested_layers(layer_ids: Sequence[str] | None = None) -> tuple[LayerInfo, ...]:
    """The nested layers in use, innermost kind first (internal waters, 12 NM, 24 NM).

    Those named in *layer_ids* when it names any; otherwise those in the
    default layers (``eezmap layers default`` / ``$EEZMAP_LAYERS_DEFAULT``).
    """
    m = manifest()
    named = [m.get(i) for i in layer_ids or ()]
    chosen = [i for i in named if i.kind in NESTED_KINDS]
    if not chosen:
        chosen = [info for info in (m.get(i) for i in m.default_zones) if info.kind in NESTED_KINDS]
    order = {k: n for n, k in enumerate(NESTED_KINDS)}
    unique = list({i.id: i for i in chosen}.values())
    return tuple(sorted(unique, key=lambda i: order[i.kind]))


def zones_at(lat: float, lon: float, layer_ids: Sequence[str] | None = None, *,
             zone: dict[str, Any] | None = None, status: str | None = None,
             layer: LayerInfo | None = None) -> list[dict[str, Any]]:
    """Every zone holding (lat, lon), innermost first; ``[]`` without nested layers.

    Parameters
    ----------
    lat, lon : float
        Degrees (longitude may be 0–360).
    layer_ids : sequence of str, optional
        As given to :func:`geo.where` (``layers``).
    zone, status, layer :
        The EEZ answer already found (:func:`geo.where`): its zone
        record, status and answering layer; they give the last item.
    """
    nested = nested_layers(layer_ids)
    x = float(wrap_lon(lon))
    sovereigns = list(zone["sovereigns"]) if zone is not None and status == Status.EEZ else []
    # official nested layers in use replace the computed zones (never a mix of the two)
    computed = [] if nested else computed_zones_at(lat, x, sovereigns)
    if not nested and not computed:
        return []
    import shapely

    items: list[dict[str, Any]] = list(computed)
    for info in nested:
        zones = load_zones(info.id)
        bounds = shapely.bounds(zones.geometry)
        for i in range(len(zones)):
            b = bounds[i]
            if not (b[0] <= x <= b[2] and b[1] <= lat <= b[3]):
                continue
            # the unprepared predicate: intersects_xy would prepare a geometry other threads share
            if shapely.intersects(zones.geometry[i], shapely.Point(x, lat)):
                items.append(_item(info.kind, zones.record(i), info))
    if zone is not None and layer is not None:
        items.append(_item(LayerKind.EEZ, zone, layer))
    elif status == Status.HIGH_SEAS and layer is not None:
        items.append({"kind": Status.HIGH_SEAS, "mrgid": None, "name": "High seas", "sovereigns": [],
                      "layer": layer.ref()})
    return items


#: The kinds of the computed island zones in the ``zones`` list (the computed 200 NM zone is
#: left out: Marine Regions' EEZ, the last item, is the answer's zone).
COMPUTED_KINDS = {"land": "island", "territorial_sea": "eez_12nm", "contiguous_zone": "eez_24nm"}


def computed_zones_at(lat: float, lon: float, sovereigns: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The zones computed from an island's coastline holding (lat, lon), innermost first.

    From the bundled ``island_zones`` layers (:func:`geo.islands.island_zone`):
    the island itself (kind ``island``), its territorial sea (``eez_12nm``)
    and contiguous zone (``eez_24nm``), each item in the shape of the other
    ``zones`` items plus ``computed``: "computed from the coastline (MLIT N03),
    not an official baseline — UNCLOS measures from the low-water line".
    *sovereigns*: the island's sovereign(s), as the answer's EEZ zone gives them.

    Example
    -------
    >>> [z["kind"] for z in computed_zones_at(24.40, 153.98)]   # about 12 km north of the island
    ['eez_12nm', 'eez_24nm']
    """
    from .islands import IslandZone, _zone_table, island_zone

    inner = island_zone(lat, lon)
    if not isinstance(inner, IslandZone):   # None: in no computed zone (scalars give no array)
        return []
    from .sites import get_site

    name = get_site(inner.island).name
    items = []
    for r in _zone_table().records:
        if r.island != inner.island or r.distance_nm < inner.distance_nm or r.zone not in COMPUTED_KINDS:
            continue
        items.append({"kind": COMPUTED_KINDS[r.zone], "mrgid": None, "name": name,
                      "sovereigns": list(sovereigns), "layer": dict(r.layer), "computed": r.label})
    return items


def _item(kind: str, record: dict[str, Any], info: LayerInfo) -> dict[str, Any]:
    return {"kind": kind, "mrgid": record["mrgid"], "name": record["name"],
            "sovereigns": list(record["sovereigns"]), "layer": info.ref()}
