"""Build layers/island_zones_minami_torishima.geojson: the island's computed zones.

Reproducible: ``PYTHONPATH=. python tools/build_island_zones.py``.  From
Minami-Torishima's MLIT N03 outline (layer ``n03-2021-minami-torishima``),
geodesic 12, 24 and 200 NM offsets (WGS84) by :func:`geo.islands.geodesic_buffer`
(the union of geodesic circles centred on the densified outline; within 1 m
inside the true offset), written innermost first, each the full offset
(island included), coordinates rounded to 1e-6° (0.1 m).  Row 0 is the
island itself.  Then reports the check against Marine Regions v12: the
symmetric difference of the computed 200 NM zone and the v12 polygon part
around the island.

Computed from the coastline (MLIT N03), not an official baseline — UNCLOS
measures from the low-water line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "layers" / "island_zones_minami_torishima.geojson"
ZONE_NAMES = {"land": "Minami-Torishima (island, MLIT N03 outline)",
              "territorial_sea": "Territorial sea (12 NM), computed",
              "contiguous_zone": "Contiguous zone (24 NM), computed",
              "eez": "Exclusive economic zone (200 NM), computed"}


def main() -> int:
    import shapely

    from geo.geodesy import geodesic_area_m2
    from geo.islands import COMPUTED_LABEL, ISLAND_ZONES, NM, geodesic_buffer, island_outline
    from geo.layers import load_zones

    outline = island_outline("minami-torishima").geometry
    rows = [("land", 0.0, outline)]
    for zone, nm in ISLAND_ZONES:
        rows.append((zone, nm, geodesic_buffer(outline, nm * NM)))
    features = []
    for zone, nm, geom in rows:
        geom = shapely.set_precision(geom, 1e-6) if zone != "land" else geom
        features.append({"type": "Feature", "properties": {
            "island_site": "minami-torishima", "zone": zone, "name": ZONE_NAMES[zone],
            "distance_nm": nm, "label": COMPUTED_LABEL,
            "area_km2": round(geodesic_area_m2(geom) / 1e6, 3)},
            "geometry": json.loads(shapely.to_geojson(geom))})
    doc = {"type": "FeatureCollection", "name": "island_zones_minami_torishima",
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
           "features": features}
    OUT.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(OUT, OUT.stat().st_size, "bytes")
    for f in features:
        print(f["properties"]["zone"], f["properties"]["area_km2"], "km²")

    zones = load_zones("mr-v12-eez-nw-pacific")
    japan = zones.geometry[zones.index_of(8487)]
    parts = [p for p in shapely.get_parts(japan) if p.intersects(outline)]
    mr = shapely.union_all(parts)
    computed = rows[-1][2]
    sym = geodesic_area_m2(shapely.symmetric_difference(computed, mr)) / 1e6
    print(f"Marine Regions v12 part around the island: {geodesic_area_m2(mr) / 1e6:,.1f} km²; "
          f"computed 200 NM: {geodesic_area_m2(computed) / 1e6:,.1f} km²; symmetric difference "
          f"{sym:,.1f} km² ({100 * sym / (geodesic_area_m2(mr) / 1e6):.3f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
