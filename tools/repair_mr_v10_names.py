"""Repair the nine garbled names of the coarse world layer (not part of the package).

The GeoPackage delivered in ../shared/data/eez/mr_v10_eez_world_simplified.gpkg
(sha256 0117f29d…) has U+FFFD REPLACEMENT CHARACTER where Marine Regions
wrote a non-ASCII letter: each Latin-1 byte was once read as UTF-8 (one
U+FFFD per letter: "R\ufffdunion", "Pe\ufffd\ufffdn de V\ufffdlez").  This
script copies the file and, with SQLite, rewrites only the ``GeoName`` and
``Territory1`` values that hold U+FFFD, word by word from the table below
(the spellings of Marine Regions v12's attribute table,
mr_v12_eez_attributes_world.csv).  Geometry, the other columns and the
spatial index are untouched; ``gpkg_contents.last_change`` records the repair.
It refuses any other input, and any value it cannot repair completely.

Usage (from the repository root)::

    python tools/repair_mr_v10_names.py ../shared/data/eez/mr_v10_eez_world_simplified.gpkg \
        layers/mr_v10_eez_world_simplified.gpkg

then put the printed SHA-256 into layers/manifest.json.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import sys
from pathlib import Path

SOURCE_SHA256 = "0117f29d44006471be356834c302eabb9d220b1db7ccbdda1923bc36651d7bbd"
TABLE = "bbnj_p_eez_s05"
COLUMNS = ("GeoName", "Territory1")
BAD = "\ufffd"
#: garbled word -> Marine Regions' spelling
WORDS = {
    f"R{BAD}union": "Réunion",
    f"Kergu{BAD}len": "Kerguélen",
    f"Cura{BAD}ao": "Curaçao",                 # also "Curaçaoan"
    f"Barth{BAD}lemy": "Barthélemy",
    f"Mon{BAD}gasque": "Monégasque",
    f"F{BAD}lix": "Félix",
    f"Quitasue{BAD}o": "Quitasueño",
    f"Pe{BAD}{BAD}n": "Peñón",
    f"V{BAD}lez": "Vélez",
}
LAST_CHANGE = "2026-11-28T00:00:00.000Z"


def repair(text: str) -> str:
    for bad, good in WORDS.items():
        text = text.replace(bad, good)
    if BAD in text:
        raise SystemExit(f"cannot repair {text!r}: add its word to WORDS")
    return text


def main(src: str, dst: str) -> None:
    digest = hashlib.sha256(Path(src).read_bytes()).hexdigest()
    if digest != SOURCE_SHA256:
        raise SystemExit(f"{src}: sha256 {digest}, expected the delivered file {SOURCE_SHA256}")
    shutil.copyfile(src, dst)
    con = sqlite3.connect(dst)
    # the GeoPackage's R-tree triggers name SpatiaLite-style functions; they only run when a
    # geometry or a fid changes, which never happens here, but SQLite must know the names
    for name in ("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
        con.create_function(name, 1, lambda _g: None)
    changed = 0
    with con:
        for column in COLUMNS:
            rows = con.execute(f'SELECT fid, "{column}" FROM {TABLE} WHERE instr("{column}", ?) > 0',
                               (BAD,)).fetchall()
            for fid, value in rows:
                con.execute(f'UPDATE {TABLE} SET "{column}" = ? WHERE fid = ?', (repair(value), fid))
                print(f"fid {fid} {column}: {value!r} -> {repair(value)!r}")
                changed += 1
        con.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?", (LAST_CHANGE, TABLE))
    con.close()
    print(f"{changed} values repaired; sha256 {hashlib.sha256(Path(dst).read_bytes()).hexdigest()}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
