"""A single ``eezmap where LAT LON`` as a user runs it: whole process, cold and warm.

Issue 12 asks that a single answer with the boundary distance take at most
0.3x the time of ``python -c "import geopandas"``, and that the first
``where`` after an install (an empty cache: no zone tables, no indexes) be
as fast as the second.  This runs, interleaved so that the machine's load
hits every variant alike:

* ``geopandas`` -- ``python -c "import geopandas"`` (the yardstick);
* ``fresh install`` -- ``eezmap where 24.28667 153.98056`` with a fresh, empty
  ``EEZMAP_CACHE`` each time and the prebuilt caches a wheel ships
  (``geo/_prebuilt``, generated here by the same ``python -m geo._prebuild``
  the wheel build runs, into a folder named by ``EEZMAP_PREBUILT``);
* ``cold, nothing prebuilt`` -- an empty cache and no prebuilt caches (an
  editable install, ``pip install -e .``, has none);
* ``warm``      -- the installed case again, with the cache an earlier run left;
* ``warm, --no-distance`` -- the answer without the boundary distance.

and prints the median wall time of each and its ratio to the yardstick.
Bytecode is written on the first run (as ``pip install`` does), so no
variant pays for compiling the package.

Usage::

    python benchmarks/bench_where.py [--repeat 7] [--lat 24.28667 --lon 153.98056]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(cache: Path, prebuilt: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)   # an installed package has its bytecode
    env["EEZMAP_CACHE"] = str(cache)
    env["EEZMAP_PREBUILT"] = str(prebuilt)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def _run(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          check=False)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()}")
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--lat", default="24.28667")
    ap.add_argument("--lon", default="153.98056")
    args = ap.parse_args()
    py = sys.executable
    where = [py, "-m", "geo", "where", args.lat, args.lon]
    work = Path(tempfile.mkdtemp(prefix="bench-where-"))
    try:
        shipped, none = work / "_prebuilt", work / "no-prebuilt"
        _run([py, "-m", "geo._prebuild", str(shipped)], _env(work / "prebuild-cache", none))
        warm_env = _env(work / "warm", shipped)
        _run(where, warm_env)                             # fills the warm cache, writes bytecode
        _run(where + ["--no-distance"], warm_env)
        _run([py, "-c", "import geopandas"], warm_env)
        times: dict[str, list[float]] = {"geopandas": [], "fresh install": [], "cold, nothing prebuilt": [],
                                         "warm": [], "warm, --no-distance": []}
        for i in range(args.repeat):
            times["geopandas"].append(_run([py, "-c", "import geopandas"], warm_env))
            for name, prebuilt in (("fresh install", shipped), ("cold, nothing prebuilt", none)):
                cold = work / f"cold-{i}"
                times[name].append(_run(where, _env(cold, prebuilt)))
                shutil.rmtree(cold, ignore_errors=True)
            times["warm"].append(_run(where, warm_env))
            times["warm, --no-distance"].append(_run(where + ["--no-distance"], warm_env))
        base = statistics.median(times["geopandas"])
        print(f"eezmap where {args.lat} {args.lon}: whole process, median of {args.repeat}, interleaved")
        print(f"{'variant':<24}{'median s':>10}{'min s':>8}{'x geopandas':>13}")
        for name, ts in times.items():
            med = statistics.median(ts)
            print(f"{name:<24}{med:>10.3f}{min(ts):>8.3f}{med / base:>13.2f}")
        warm = statistics.median(times["warm"])
        for name in ("fresh install", "cold, nothing prebuilt"):
            print(f"{name} / warm: {statistics.median(times[name]) / warm:.2f}")
        size = sum(f.stat().st_size for f in (work / "warm").rglob("*") if f.is_file())
        shipped_mb = sum(f.stat().st_size for f in shipped.rglob("*") if f.is_file()) / 1e6
        print(f"user cache after the first where of an install: {size / 1e6:.1f} MB "
              f"(prebuilt caches shipped: {shipped_mb:.1f} MB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
