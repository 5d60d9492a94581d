"""Build layers/isa_exploration_areas_2019-07_eezmap.geojson from the shared ISA files.

Reproducible: ``python tools/build_isa_layer.py [SHARED_DATA_DIR]`` (default
``../shared/data`` beside the repository).  The geometry and the original
properties of ISA's July 2019 layers are copied unchanged (same coordinates,
same feature order); five properties are added:

* ``resource``  - "polymetallic nodules", "polymetallic sulphides" or
  "cobalt-rich ferromanganese crusts", from the ISA layer name (01/04 PMN,
  02 PMS, 03/05 CFC; the CFC exploration layer has an empty TYPE column);
* ``status``    - "exploration" (layers 01-03) or "reserved" (04, 05);
* ``contractor`` - ISA's ``name`` column; for reserved areas the text
  "Reserved area (for the Enterprise or developing States)";
* ``since``     - the contract start date (ISO) from the December 2018
  compilation (``isa_claims_2018-12_with_dates.geojson``, columns holder,
  Min_type, cont_st), joined as written below; null when the join finds none;
* ``since_join`` - how ``since`` was found, or why not: ``holder+resource``,
  ``holder+resource+overlap``, ``reserved`` (no contract), ``not-in-2018``
  (no claim of that holder and resource in the 2018 compilation),
  ``no-overlap``, ``dates-not-trusted`` (see below).

The join: the 2018 claims of the same resource (Min_type nodule / SMS / crust)
and the same holder (names normalised by ``HOLDERS`` below: the two
compilations spell a few contractors differently) are the candidates.  When
all candidates share one start date, that date is used ("holder+resource").
When they have several (contractors with several contracts for the same
resource, e.g. CMC's nodule areas), the candidate overlapping the 2019 area
most is used ("holder+resource+overlap"); no overlap, no date.  Reserved areas
and contracts absent from the 2018 compilation (Korea's crust contract,
2018) get null.

Only the crust dates are used.  The compilation's nodule and sulphide dates
are attached to the wrong holders: it dates BGR's (Germany) nodule contract
2001-03-29 and Yuzhmorgeologiya's 2006-07-19, the reverse of the order in
which ISA signed them (Yuzhmorgeologiya was among the first contractors in
2001; BGR signed in July 2006), and it dates COMRA's sulphide contract, ISA's
first (November 2011), 2012-10-29.  Its crust dates agree with the sources
in research/SITES_FACTS.md §7 (JOGMEC signed 2014-01-27; COMRA 2014; the
Russian Federation 2015), so crust areas get a date and the others get null
with the reason in ``since_join``.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import shapely
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parent.parent
RESERVED = "Reserved area (for the Enterprise or developing States)"
LAYERS = {
    "01_PMN_Exploration_Areas": ("polymetallic nodules", "exploration"),
    "02_PMS_Exploration_Areas": ("polymetallic sulphides", "exploration"),
    "03_CFC_Exploration_Areas": ("cobalt-rich ferromanganese crusts", "exploration"),
    "04_PMN_Reserved_Areas": ("polymetallic nodules", "reserved"),
    "05_CFC_Reserved_Areas": ("cobalt-rich ferromanganese crusts", "reserved"),
}
MIN_TYPE = {"nodule": "polymetallic nodules", "SMS": "polymetallic sulphides",
            "crust": "cobalt-rich ferromanganese crusts"}
#: resources whose 2018 dates were checked against published signing dates (see the docstring)
DATED_RESOURCES = ("cobalt-rich ferromanganese crusts",)
UNDATED = "dates-not-trusted"
#: 2019 name -> 2018 holder, where the two compilations spell a contractor differently
HOLDERS = {"MNRE (Russian Federation)": "Fed Russia"}


def _iso(us_date: str) -> str:
    return datetime.strptime(us_date, "%m/%d/%Y").date().isoformat()


def build(shared: Path) -> dict:
    src = json.loads((shared / "isa" / "isa_exploration_areas_2019-07.geojson").read_text(encoding="utf-8"))
    dated = json.loads((shared / "isa" / "isa_claims_2018-12_with_dates.geojson").read_text(encoding="utf-8"))
    claims: dict[tuple[str, str], list[tuple[str, object]]] = {}
    for f in dated["features"]:
        p = f["properties"]
        if p.get("area_type") != "claim" or not p.get("cont_st"):
            continue
        geom = shapely.make_valid(shape(f["geometry"]))
        claims.setdefault((p["holder"], MIN_TYPE[p["Min_type"]]), []).append((_iso(p["cont_st"]), geom))
    for f in src["features"]:
        p = f["properties"]
        resource, status = LAYERS[p["layer"]]
        since, how = None, "reserved"
        if status == "exploration" and resource not in DATED_RESOURCES:
            how = UNDATED
        elif status == "exploration":
            holder = HOLDERS.get(p["name"], p["name"])
            cands = claims.get((holder, resource), [])
            dates = {d for d, _ in cands}
            if not cands:
                how = "not-in-2018"
            elif len(dates) == 1:
                since, how = dates.pop(), "holder+resource"
            else:
                geom = shape(f["geometry"])
                best = max(cands, key=lambda c: shapely.intersection(geom, c[1]).area)
                if shapely.intersection(geom, best[1]).area > 0:
                    since, how = best[0], "holder+resource+overlap"
                else:
                    how = "no-overlap"
        p.update(resource=resource, status=status,
                 contractor=p["name"] if status == "exploration" else RESERVED,
                 since=since, since_join=how)
    src["name"] = "isa_exploration_areas_2019-07"
    return src


def main(argv: list[str]) -> int:
    shared = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "data"
    doc = build(shared)
    out = ROOT / "layers" / "isa_exploration_areas_2019-07_eezmap.geojson"
    out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    from collections import Counter

    print(out, out.stat().st_size, "bytes")
    print(Counter(f["properties"]["since_join"] for f in doc["features"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
