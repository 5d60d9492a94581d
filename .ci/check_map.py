"""Open a written map in headless Chromium with the network blocked; fail unless it draws.

Used by .ci/wheel-smoke on the map written by the installed wheel.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from offline_browser import launch, open_map  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402


def main(path: str) -> int:
    with sync_playwright() as p:
        browser = launch(p)
        o = open_map(browser, Path(path))
        shapes = o.page.evaluate("document.querySelectorAll('.leaflet-container path').length")
        browser.close()
    if o.errors or not shapes:
        print(f"map check FAILED: {shapes} shapes, errors {o.errors}, blocked {o.blocked}")
        return 1
    print(f"map check: {shapes} shapes drawn, {len(o.blocked)} requests blocked, no error")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
