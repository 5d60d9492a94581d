"""Headless Chromium with the network blocked: the one helper of .ci/check_map.py and
benchmarks/bench_map.py (and the way maps/minami_torishima.png is made).

Uses the Debian package's Chromium (``/usr/bin/chromium``, or ``$EEZMAP_CHROMIUM``)
through Playwright's Python API; ``playwright install`` is never needed.  Only
``file://`` and ``data:`` requests are let through: every other request is
recorded and refused, so a map that needs the network shows it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("EEZMAP_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
#: True once every eezmap map of the page has drawn (eezmap.js sets a performance mark per map).
DRAWN = """() => {
  const maps = document.querySelectorAll('.folium-map').length;
  const marks = performance.getEntriesByType('mark').filter(m => m.name.startsWith('eezmap-drawn:'));
  return maps > 0 && marks.length >= maps;
}"""


@dataclass
class OfflinePage:
    """A page whose requests other than ``file://`` and ``data:`` are refused (and listed in ``blocked``)."""

    page: Any
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def launch(playwright: Any) -> Any:
    """Chromium, headless, from ``CHROMIUM``."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def offline_page(browser: Any, width: int = 1400, height: int = 900) -> OfflinePage:
    """A new page with the network blocked; console errors and page errors are collected."""
    page = browser.new_page(viewport={"width": width, "height": height})
    o = OfflinePage(page)

    def route(r: Any) -> None:  # one argument: Playwright passes (route, request) to a two-argument handler
        if r.request.url.startswith(("file://", "data:")):
            r.continue_()
        else:
            o.blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: o.errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: o.errors.append(f"page error: {e}"))
    return o


def open_map(
    browser: Any, path: Path, width: int = 1400, height: int = 900, timeout: int = 30_000
) -> OfflinePage:
    """Open a written map from disk, offline, and wait until it has drawn."""
    o = offline_page(browser, width, height)
    o.page.goto(Path(path).resolve().as_uri())
    o.page.wait_for_function(DRAWN, timeout=timeout)
    return o


def screenshot(browser: Any, path: Path, png: Path, width: int = 1400, height: int = 900) -> list[str]:
    """A screenshot of a map opened from disk with the network blocked; returns the page's errors."""
    o = open_map(browser, path, width, height)
    o.page.wait_for_timeout(300)
    Path(png).parent.mkdir(parents=True, exist_ok=True)
    o.page.screenshot(path=str(png))
    o.page.close()
    return o.errors + [f"blocked: {u}" for u in o.blocked]
