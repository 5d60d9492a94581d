"""Build layers/ne_10m_bathymetry_nw_pacific_compact.geojson from the shared copy.

Reproducible: ``python tools/build_bathymetry_layer.py [SHARED_DATA_DIR]``.
The same features, properties, order and coordinates (already rounded to
0.001° in the shared file; every number is parsed and written back by
Python's shortest round-trip repr, so each coordinate is the same double),
written without whitespace: 5.5 MB -> about 4 MB, and lossless.  Checked
below: the geometries of the two files are exactly equal.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "ne_10m_bathymetry_nw_pacific.geojson"


def main(argv: list[str]) -> int:
    shared = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "data"
    src = shared / "bathymetry" / NAME
    doc = json.loads(src.read_text(encoding="utf-8"))
    out = ROOT / "layers" / NAME.replace(".geojson", "_compact.geojson")
    out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    a = json.loads(src.read_text(encoding="utf-8"))
    b = json.loads(out.read_text(encoding="utf-8"))
    assert a == b, "the minified file differs from its source"
    print(out, out.stat().st_size, "bytes; identical content to", src, src.stat().st_size, "bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
