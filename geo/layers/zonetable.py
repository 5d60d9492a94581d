"""Zone layers as a table of arrays (:class:`Zones`), loaded once per file version.

Zone layers are returned as a :class:`Zones` table: plain numpy arrays of
shapely geometries and attributes, sorted by MRGID, so that answering one
point does not need geopandas.  A verified layer is cached on disk as WKB,
keyed by its checksum (:func:`geo.layers.load.save_cache`), which makes a
second load take milliseconds.

Example
-------
>>> from geo.layers import load_zones
>>> zones = load_zones("mr-v12-eez-nw-pacific")
>>> zones.layer.version
'12 (2023)'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._threads import once
from ..errors import LayerError
from .catalog import NESTED_KINDS, ZONE_KINDS, LayerInfo, manifest, require_kind
from .load import read_cache, read_raw, save_cache, verify

#: Version of the on-disk cache format; bump when the cached arrays change.
CACHE_FORMAT = "zones-4"


@dataclass(frozen=True)
class Zones:
    """A zone layer as arrays, one row per zone, sorted by MRGID.

    Attributes
    ----------
    layer : LayerInfo
        Where the zones come from.
    mrgid, area_km2 : numpy arrays
        Marine Regions' id and own area figure (for the unsimplified polygon).
    name, pol_type, territory : numpy arrays of str
    sovereigns : tuple of tuples
        Every party to the zone (one for a 200 NM zone, several for overlapping
        claims and joint regimes), as names.
    sovereign_isos : tuple of tuples
        The same parties as ISO 3166-1 alpha-3 codes.
    geometry : numpy array of shapely (Multi)Polygons
        Full geometry, used for every computation.
    """

    layer: LayerInfo
    mrgid: np.ndarray
    name: np.ndarray
    pol_type: np.ndarray
    territory: np.ndarray
    area_km2: np.ndarray
    sovereigns: tuple[tuple[str, ...], ...]
    sovereign_isos: tuple[tuple[str, ...], ...]
    geometry: np.ndarray

    def __len__(self) -> int:
        return len(self.mrgid)

    def index_of(self, mrgid: int) -> int:
        hits = np.flatnonzero(self.mrgid == mrgid)
        if not len(hits):
            raise KeyError(mrgid)
        return int(hits[0])

    def record(self, i: int) -> dict[str, Any]:
        """The JSON ``zone`` object of row *i*."""
        return {
            "mrgid": int(self.mrgid[i]),
            "name": str(self.name[i]),
            "pol_type": str(self.pol_type[i]),
            "sovereigns": list(self.sovereigns[i]),
            "territory": str(self.territory[i]),
        }

    def countries(self) -> dict[str, str]:
        """ISO alpha-3 code -> sovereign name, for every party in the layer."""
        out: dict[str, str] = {}
        for names, isos in zip(self.sovereigns, self.sovereign_isos, strict=True):
            for n, c in zip(names, isos, strict=True):
                if c:
                    out.setdefault(c, n)
        return out

    def to_geodataframe(self) -> Any:
        """The zones as a GeoDataFrame (imports geopandas)."""
        import geopandas as gpd

        return gpd.GeoDataFrame(
            {
                "mrgid": self.mrgid,
                "name": self.name,
                "pol_type": self.pol_type,
                "sovereigns": [", ".join(s) for s in self.sovereigns],
                "sovereign_isos": [", ".join(s) for s in self.sovereign_isos],
                "territory": self.territory,
                "area_km2": self.area_km2,
            },
            geometry=self.geometry,
            crs="EPSG:4326",
        )


def _text(values: Any, n: int) -> list[str]:
    if values is None:
        return [""] * n
    return ["" if _missing(v) else str(v).strip() for v in values]


def _missing(v: Any) -> bool:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return True
    return str(v).strip() in ("", "<NA>", "None", "nan", "NaN")


def _iso_lookup(columns: dict[str, np.ndarray], cols: dict[str, Any], sov: list[list[str]]) -> dict[str, str]:
    """Sovereign name -> ISO alpha-3, learned from the layer's own columns."""
    lookup: dict[str, str] = {}
    n = len(sov[0])
    if cols.get("iso_sov1") in columns:  # v12: iso_sov1 is the ISO code of sovereign1
        for name, iso in zip(sov[0], _text(columns[cols["iso_sov1"]], n), strict=True):
            if name and re.fullmatch(r"[A-Z]{3}", iso):
                lookup.setdefault(name, iso)
    if cols.get("iso_ter1") in columns:  # v10: a sovereign's home territory has its ISO code
        ter = _text(columns.get(cols.get("territory", "")), n)
        for name, t, iso in zip(sov[0], ter, _text(columns[cols["iso_ter1"]], n), strict=True):
            if name and name == t and re.fullmatch(r"[A-Z]{3}", iso):
                lookup.setdefault(name, iso)
    return lookup


def _zones_from_raw(info: LayerInfo, geoms: np.ndarray, columns: dict[str, np.ndarray]) -> Zones:
    cols: dict[str, Any] = info.columns
    n = len(geoms)
    try:
        sov = [_text(columns.get(c), n) for c in cols["sovereigns"]]
        iso = _iso_lookup(columns, cols, sov)
        sovereigns = tuple(tuple(s[i] for s in sov if s[i]) for i in range(n))
        isos = tuple(tuple(iso.get(name, "") for name in names) for names in sovereigns)
        mrgid = np.asarray(columns[cols["mrgid"]], dtype=np.int64)
        area = columns.get(cols.get("area_km2", "")) if info.user else columns[cols["area_km2"]]
        table = dict(
            mrgid=mrgid,
            name=np.array(_text(columns[cols["name"]], n), dtype=object),
            pol_type=np.array(_text(columns.get(cols.get("pol_type", "")) if info.user
                                    else columns[cols["pol_type"]], n), dtype=object),
            territory=np.array(_text(columns.get(cols.get("territory", "")), n), dtype=object),
            area_km2=(np.full(n, np.nan) if area is None else np.asarray(area, dtype=np.float64)),
        )
    except KeyError as exc:
        raise LayerError(f"layer '{info.id}': expected column {exc} is missing") from exc
    order = np.argsort(mrgid, kind="stable")
    return Zones(
        layer=info,
        sovereigns=tuple(sovereigns[i] for i in order),
        sovereign_isos=tuple(isos[i] for i in order),
        geometry=geoms[order],
        **{k: v[order] for k, v in table.items()},
    )



def _save_zone_cache(zones: Zones) -> None:
    meta = {
        "name": list(zones.name), "pol_type": list(zones.pol_type),
        "territory": list(zones.territory),
        "sovereigns": [list(s) for s in zones.sovereigns],
        "sovereign_isos": [list(s) for s in zones.sovereign_isos],
    }
    save_cache(zones.layer, CACHE_FORMAT, zones.geometry, meta, mrgid=zones.mrgid, area_km2=zones.area_km2)


def _load_zone_cache(info: LayerInfo) -> Zones | None:
    cached = read_cache(info, CACHE_FORMAT)
    if cached is None:
        return None
    geoms, meta, arrays = cached
    try:
        return Zones(
            layer=info, mrgid=arrays["mrgid"], area_km2=arrays["area_km2"],
            name=np.array(meta["name"], dtype=object),
            pol_type=np.array(meta["pol_type"], dtype=object),
            territory=np.array(meta["territory"], dtype=object),
            sovereigns=tuple(tuple(s) for s in meta["sovereigns"]),
            sovereign_isos=tuple(tuple(s) for s in meta["sovereign_isos"]),
            geometry=geoms,
        )
    except (KeyError, TypeError, ValueError):  # a foreign cache: rebuild it
        return None


def load_zones(layer_id: str) -> Zones:
    """Load a zone layer (EEZ, or a nested one: 12 NM, 24 NM, internal waters), verified.

    Parameters
    ----------
    layer_id : str
        A manifest id (bundled or user), e.g. ``"mr-v12-eez-nw-pacific"``.

    Raises
    ------
    LayerError
        If the file is missing, corrupted (checksum), not EPSG:4326 or invalid.
    ArgumentError
        If the layer is not a zone layer (bad input, as in :func:`geo.layers.resolve_layers`).
    """
    info = require_kind(manifest().get(layer_id), ZONE_KINDS + NESTED_KINDS, "a zone layer")
    zones: Zones = _load_zones(layer_id, info.sha256, str(info.path))
    return zones
@once
def _load_zones(layer_id: str, sha256: str, path: str) -> Zones:
    """load_zones, once per file version (a re-fetched user layer is loaded afresh)."""
    info = manifest().get(layer_id)
    verify(info)  # always: a cache never hides a corrupted file
    cached = _load_zone_cache(info)
    if cached is not None:
        _check_pol_types(cached)
        return cached
    geoms, columns = read_raw(info)
    zones = _zones_from_raw(info, geoms, columns)
    _check_pol_types(zones)
    _save_zone_cache(zones)
    return zones


def _check_pol_types(zones: Zones) -> None:
    """Refuse an EEZ layer whose type column holds a value no Marine Regions version uses."""
    if zones.layer.kind not in ZONE_KINDS:
        return  # nested layers' types (12NM, 24NM...) decide no answer
    from .marineregions import describe_unknown_pol_types, unknown_pol_types

    unknown = unknown_pol_types(zones.pol_type)
    if unknown:
        column = zones.layer.columns.get("pol_type") or "pol_type"
        raise LayerError(f"layer '{zones.layer.id}': {describe_unknown_pol_types(unknown, column)}; "
                         "the answer would be a guess, so the layer is not used")

