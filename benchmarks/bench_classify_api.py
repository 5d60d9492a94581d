"""The public ``geo.classify`` against its own grid index, in the same run.

Usage::

    python benchmarks/bench_classify_api.py [--n 1000000] [--seed 0] [--repeat 5]

Draws uniformly random points over lon 120-160, lat 15-50 (fixed seed), and
prints the best-of-``--repeat`` time and rate of

* the raw grid index of the first zone layer (``GridIndex.lookup``: which
  zone holds each point, nothing else),
* the grid index ``geo.classify`` itself uses: one index over the zones, the
  zones' parts with holes filled and the land, whose lowest row answers
  zone, hole or land in one lookup,
* ``geo.classify(lats, lons)``: zone, status and answer per point (holes,
  land and layer precedence included),

and the ratio API / index.  Indexes are built (or loaded from the cache)
before timing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402


def best_of(repeat, fn, *args):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of random points")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each (best of)")
    args = parser.parse_args(argv)

    import geo
    from geo.layers import resolve_layers
    from geo.zones import _model

    rng = np.random.default_rng(args.seed)
    lon = rng.uniform(120, 160, args.n)
    lat = rng.uniform(15, 50, args.n)
    print(f"points: {args.n:,} uniform over lon 120-160, lat 15-50 (seed {args.seed})")
    c = geo.classify(lat, lon)      # builds or loads every index it needs
    locator = _model(resolve_layers(None)[0]).zone_locator
    locator.lookup(lon[:100_000], lat[:100_000], direct=False)
    index = locator._index
    places = _model(resolve_layers(None)[0]).place_locator._index
    t_index = best_of(args.repeat, index.lookup, lon, lat)
    t_places = best_of(args.repeat, places.lookup, lon, lat)
    t_api = best_of(args.repeat, geo.classify, lat, lon)
    n = args.n
    print(f"{'method':40s} {'seconds':>9s} {'M points/s':>11s}")
    print(f"{'grid index (GridIndex.lookup)':40s} {t_index:9.4f} {n / t_index / 1e6:11.2f}")
    print(f"{'its zone+hole+land index (GridIndex)':40s} {t_places:9.4f} {n / t_places / 1e6:11.2f}")
    print(f"{'geo.classify(lats, lons)':40s} {t_api:9.4f} {n / t_api / 1e6:11.2f}")
    print(f"public API / zone index rate: {t_index / t_api:.2f}")
    print(f"public API / its own index rate: {t_places / t_api:.2f}")
    print("statuses:", c.counts())
    return 0


if __name__ == "__main__":
    sys.exit(main())
