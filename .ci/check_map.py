"""Open a written map in headless Chromium with the network blocked; fail unless it draws.

Used by .ci/wheel-smoke on the map written by the installed wheel.
"""

import sys

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def main(path: str) -> int:
    blocked: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 800})

        def route(r):  # nothing may leave the machine
            if r.request.url.startswith(("file://", "data:")):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"file://{path}")
        page.wait_for_selector(".leaflet-container path", timeout=30_000)
        shapes = page.evaluate("document.querySelectorAll('.leaflet-container path').length")
        browser.close()
    if errors or not shapes:
        print(f"map check FAILED: {shapes} shapes, errors {errors}, blocked {blocked}")
        return 1
    print(f"map check: {shapes} shapes drawn, {len(blocked)} requests blocked, no error")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
