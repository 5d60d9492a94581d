"""``python -m geo._prebuild DIR``: the read-only caches shipped in the wheel (issue 12).

A first ``eezmap where`` after an install would otherwise read every layer
file with pyogrio and build the boundary segment index.  At wheel-build time
(``tools/build_backend.py``) this runs the command a new user runs first --
one ``where`` (every zone layer, land, seabed, the boundary index; with
``--batch`` also a small batch, for the grid indexes) -- in a subprocess with an empty cache, from the
checksummed bundled layers, and copies the cache files they wrote into *DIR*
with a manifest: each file's SHA-256 and the layer checksums it derives from.
The readers (:func:`geo.layers.prebuilt_file`) check each file against that
manifest and fall back to building in the user's cache when one differs.

The boundary index is shipped without its per-piece arrays (ECEF ends,
middles, sags: more than half its size), which a query computes for the few
pieces it needs.  Also shipped: the boundary index's candidate lists of every 4° block the
regional layers cover (:data:`BLOCKS`); elsewhere they are built on first use,
per block, in the user's cache.  Left out: stamps and the user's layers.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: the boundary candidate lists of every 4° block the regional layers' box (90-180°E, 0-60°N)
#: touches: 368 blocks, 24 MB of int32 lists that compress to about 1.2 MB in the wheel
BLOCKS = ("import numpy as np; from geo.boundary import boundary_distance; "
          "lon, lat = np.meshgrid(np.arange(90.1, 180, 2.0), np.arange(0.1, 60, 2.0)); "
          "boundary_distance(lat.ravel(), lon.ravel(), across=False)")
#: the commands whose cache files are shipped: the first thing a new user runs, and the blocks
WARM_UP = (["-m", "geo", "where", "24.28667", "153.98056"], ["-c", BLOCKS])
#: with ``--batch``: a batch too, for the grid indexes (about 27 MB more, and 20 s to build)
WARM_UP_BATCH = (["-m", "geo", "where", "--input", "{points}", "--output", "{out}"],)


def build(dest: Path, *, batch: bool = False) -> dict[str, str]:
    """Write the prebuilt caches and their manifest into *dest* (replaced); returns {file: sha256}.

    *batch* adds the grid indexes of a batch ``where --input`` (left out of the
    wheel by default: they would double its size for a first batch's sake).
    """
    from . import _config
    from ._segments import _PER_PIECE
    from .layers import bundled_manifest

    dest = Path(dest)
    if dest.exists():
        if any(dest.iterdir()) and not (dest / "manifest.json").is_file():
            raise SystemExit(f"{dest} is not empty and holds no prebuilt manifest: refusing to replace it")
        shutil.rmtree(dest)
    with tempfile.TemporaryDirectory(prefix="eezmap-prebuild-") as tmp:
        cache = Path(tmp) / "cache"
        points = Path(tmp) / "points.csv"
        # more points than the direct test takes (geo._locator): the batch builds the grid indexes
        rows = [f"{i},{-60 + (i * 7.3) % 130:.4f},{-180 + (i * 47.9) % 360:.4f}" for i in range(200)]
        points.write_text("id,lat,lon\n" + "\n".join(rows) + "\n", encoding="utf-8")
        env = dict(os.environ)
        env[_config.CACHE_ENV] = str(cache)
        env[_config.PREBUILT_ENV] = str(Path(tmp) / "none")   # build everything, read no older copy
        env.pop(_config.LAYERS_ENV, None)
        env.pop(_config.DEFAULT_LAYERS_ENV, None)
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH", "")]))
        for args in WARM_UP + (WARM_UP_BATCH if batch else ()):
            cmd = [a.format(points=points, out=Path(tmp) / "out.csv") for a in args]
            done = subprocess.run([sys.executable, *cmd], env=env, capture_output=True, text=True,
                                  check=False)
            if done.returncode:
                raise SystemExit(f"python {' '.join(cmd)} failed ({done.returncode}): {done.stderr}")
        files: dict[str, str] = {}
        for path in sorted(cache.rglob("*")):
            name = path.relative_to(cache).as_posix()
            if not path.is_file() or name.startswith(("verified/", "layers/")):
                continue
            if path.parent.name.startswith("boundary-") and path.stem in _PER_PIECE:
                continue   # computed for the pieces a query needs (geo._segments._OnDemand)
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            files[name] = hashlib.sha256(target.read_bytes()).hexdigest()
    layers = {info.id: info.sha256 for info in bundled_manifest()}
    doc = {"format": 1, "layers": layers, "files": files}
    (dest / "manifest.json").write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return files


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    batch = "--batch" in args
    args = [a for a in args if a != "--batch"]
    if len(args) != 1:
        raise SystemExit("usage: python -m geo._prebuild [--batch] DIR")
    files = build(Path(args[0]), batch=batch)
    size = sum((Path(args[0]) / f).stat().st_size for f in files)
    print(f"{len(files)} prebuilt cache files, {size / 1e6:.1f} MB, in {args[0]}")


if __name__ == "__main__":
    main()
