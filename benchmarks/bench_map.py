"""Benchmark the standalone map against a plain ``GeoDataFrame.explore()`` map.

Usage::

    python benchmarks/bench_map.py [--runs 5] [--points 300000] [--keep DIR]

Writes, in the same run,

1. the default map (:func:`geo.map.write_map`),
2. ``load_zones("mr-v12-eez-nw-pacific").to_geodataframe().explore()`` of the
   same zone layer, saved with folium (it links Leaflet, jQuery, Bootstrap and
   the rest from CDNs),
3. with ``--points N`` (default 300,000; 0 to skip), the default map with N
   random points,

and opens each in headless Chromium (``/usr/bin/chromium``, or
``$EEZMAP_CHROMIUM``) with every request that is not ``file://`` or ``data:``
blocked and counted.  For each it prints the HTML size and the draw time: the
time from navigation start to the first animation frame at which the number
of drawn vector paths (and canvases) in Leaflet's overlay pane stopped
changing after the page's ``load`` event (median of ``--runs``).  A map that
draws nothing offline is reported as "blank offline", with the number of
requests it tried to make.  (The network is always blocked: this benchmark is
about the map opened from disk, and the CDNs are not reachable here anyway.)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "tools"):  # run as a script from a checkout
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import numpy as np  # noqa: E402
from offline_browser import CHROMIUM, launch, offline_page  # noqa: E402
from offline_browser import screenshot as offline_screenshot  # noqa: E402

ZONES = "mr-v12-eez-nw-pacific"

# Runs in the page before its own scripts: after 'load', watch the overlay pane
# frame by frame and record when its drawn elements stop changing.
WATCH = """
window.__bench = {};
window.addEventListener('load', () => {
  window.__bench.load = performance.now();
  let last = -1, since = 0, frames = 0;
  const count = () => document.querySelectorAll(
      '.leaflet-overlay-pane path, .leaflet-overlay-pane canvas').length;
  function tick() {
    const n = count(), now = performance.now();
    if (n !== last) { last = n; since = now; frames = 0; } else { frames++; }
    if (frames >= 10 || now - window.__bench.load > 10000) {
      window.__bench.paths = last;
      window.__bench.drawn = n > 0 ? since : null;
      window.__bench.done = true;
      return;
    }
    requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
});
"""


def measure(browser, path: Path, runs: int) -> dict:
    times, loads, blocked, errors, paths = [], [], 0, [], 0
    for _ in range(runs):
        o = offline_page(browser)
        page = o.page
        page.add_init_script(WATCH)
        page.goto(path.resolve().as_uri())
        page.wait_for_function("window.__bench && window.__bench.done === true", timeout=30000)
        b = page.evaluate("window.__bench")
        if b["drawn"] is not None:
            times.append(b["drawn"])
        loads.append(b["load"])
        paths = b["paths"]
        blocked = len(o.blocked)
        errors += [e for e in o.errors if e.startswith("page error")]
        page.close()
    return {
        "size": path.stat().st_size,
        "drawn_ms": statistics.median(times) if len(times) == runs else None,
        "load_ms": statistics.median(loads),
        "paths": paths,
        "blocked": blocked,
        "errors": len(errors),
    }


def screenshot(browser, path: Path, png: Path) -> None:
    """A 1400x900 screenshot of a map opened from disk with the network blocked."""
    offline_screenshot(browser, path, png)
    print(f"screenshot: {png}", file=sys.stderr)


def _need_mapclassify() -> None:
    """geopandas' explore() imports mapclassify even when no classification scheme is asked for.

    This project does not depend on mapclassify (it pulls in scipy and
    scikit-learn).  When it is missing, a stand-in that refuses to classify is
    registered: a plain ``explore()`` with no ``scheme`` never calls it, so the
    map written is the same as with mapclassify installed.
    """
    try:
        import mapclassify  # noqa: F401
    except ImportError:
        import types

        def classify(*args, **kwargs):
            raise RuntimeError("mapclassify is not installed (pip install mapclassify)")

        stub = types.ModuleType("mapclassify")
        stub.classify = classify
        sys.modules["mapclassify"] = stub
        print("note: mapclassify is not installed; explore() runs with a stand-in that is never called",
              file=sys.stderr)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="page loads per map (median)")
    ap.add_argument("--points", type=int, default=300_000, help="random points for the third map (0: skip)")
    ap.add_argument("--keep", metavar="DIR", help="write the maps here instead of a temporary directory")
    ap.add_argument("--screenshot", metavar="PNG",
                    help="also save a 1400x900 screenshot of the default map, network blocked "
                         "(how maps/minami_torishima.png is made)")
    args = ap.parse_args()

    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM} (install the Debian package chromium, or set "
              "EEZMAP_CHROMIUM)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    from geo.layers import load_zones
    from geo.map import write_map

    out = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_map_"))
    out.mkdir(parents=True, exist_ok=True)
    maps: list[tuple[str, Path, float]] = []

    t = time.perf_counter()
    maps.append(("eezmap write_map() (default)", write_map(out / "eezmap.html"), time.perf_counter() - t))

    t = time.perf_counter()
    gdf = load_zones(ZONES).to_geodataframe()
    _need_mapclassify()
    explore = gdf.explore()
    explore.save(str(out / "explore.html"))
    maps.append(("zones.to_geodataframe().explore()", out / "explore.html", time.perf_counter() - t))

    if args.points:
        rng = np.random.default_rng(0)
        lat, lon = rng.uniform(15, 35, args.points), rng.uniform(140, 170, args.points)
        t = time.perf_counter()
        maps.append((f"eezmap write_map(points={args.points:,})",
                     write_map(out / "eezmap_points.html", points=(lat, lon)), time.perf_counter() - t))

    rows = []
    with sync_playwright() as p:
        browser = launch(p)
        for name, path, build_s in maps:
            rows.append((name, build_s, measure(browser, path, args.runs)))
        if args.screenshot:
            screenshot(browser, maps[0][1], Path(args.screenshot))
        browser.close()

    print(f"\nHeadless Chromium {CHROMIUM}, 1400x900, network blocked (only file:// and data: allowed); "
          f"median of {args.runs} loads; maps in {out}\n")
    head = (f"{'map':<40} {'build':>7} {'HTML size':>10} {'drawn offline':>22} {'paths':>6} "
            f"{'blocked req.':>12}")
    print(head)
    print("-" * len(head))
    for name, build_s, r in rows:
        blank = r["drawn_ms"] is None or r["paths"] == 0
        drawn = "blank offline" if blank else f"{r['drawn_ms']:,.0f} ms"
        print(f"{name:<40} {build_s:>6.1f}s {r['size'] / 1e6:>8.2f} MB {drawn:>22} {r['paths']:>6} "
              f"{r['blocked']:>12}")
    print("\ndrawn offline: from navigation start to the first frame after which the drawn paths stopped "
          "changing (after 'load').")
    for name, _, r in rows:
        if r["errors"]:
            print(f"{name}: {r['errors']} page errors (e.g. Leaflet undefined when its CDN is blocked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
