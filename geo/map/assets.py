"""The files a standalone map inlines: Leaflet's, and this package's own.

Nothing third-party is copied into this repository.  Leaflet's JavaScript,
stylesheet and images are read at render time from the installed PyPI
package ``django-js-lib-leaflet`` (import name ``js_lib_leaflet``, Leaflet
1.9.4, BSD-2-Clause; its copyright header is kept), and returned as text to
inline into one HTML file: the images become ``data:`` URIs substituted into
the stylesheet, so the map needs no network and no server.

This package's own small script and stylesheet (the fullscreen button, the
cursor coordinates, the measure tool, the legend and title panels, the
compact polygon decoder and the canvas point layer) live in
``geo/map/static/eezmap.js``, ``eezmap-controls.js`` and ``eezmap.css``.

Example
-------
>>> from geo.map.assets import leaflet
>>> leaflet().version
'1.9.4'
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from ..errors import GeoError

#: The installed package Leaflet is read from, and the folder inside it.
LEAFLET_PACKAGE = "js_lib_leaflet"
_LEAFLET_DIR = ("static", "js_lib_leaflet")
_IMAGES = ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png", "marker-shadow.png")


@dataclass(frozen=True)
class LeafletAssets:
    """Leaflet, ready to inline.

    Attributes
    ----------
    version : str
        Leaflet's version, read from its own header (``'1.9.4'``).
    js : str
        ``leaflet.js`` without its source-map comment, safe inside ``<script>``.
    css : str
        ``leaflet.css`` with every image replaced by a ``data:`` URI.
    images : dict of str to str
        File name -> ``data:image/png;base64,...`` (the marker icons are set
        on ``L.Icon.Default`` from these, since Leaflet cannot find a default
        icon path in a data URI).
    """

    version: str
    js: str
    css: str
    images: dict[str, str]


def _data_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def script_safe(text: str) -> str:
    """Text that cannot end or comment out the ``<script>`` or ``<style>`` element holding it."""
    text = re.sub(r"</(script|style)", r"<\\/\1", text, flags=re.IGNORECASE)
    return text.replace("<!--", "<\\!--")


@lru_cache(maxsize=1)
def leaflet() -> LeafletAssets:
    """Leaflet's JS, CSS (images inlined) and images, read from the installed package.

    Raises
    ------
    GeoError
        If ``django-js-lib-leaflet`` is not installed or lacks a file.
    """
    try:
        root = resources.files(LEAFLET_PACKAGE).joinpath(*_LEAFLET_DIR)
        js = root.joinpath("leaflet.js").read_text(encoding="utf-8")
        css = root.joinpath("leaflet.css").read_text(encoding="utf-8")
        images = {name: _data_uri(root.joinpath("images", name).read_bytes()) for name in _IMAGES}
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError) as exc:
        raise GeoError(
            f"Leaflet's files were not found ({exc}): install the package django-js-lib-leaflet "
            "(pip install 'django-js-lib-leaflet>=1.9.4,<2')"
        ) from exc
    match = re.search(r"Leaflet (\d+\.\d+\.\d+)", js[:400])
    version = match.group(1) if match else "unknown"
    # a source map is only for debugging, and would be a request for a file that is not there
    js = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", js)
    for name, uri in images.items():
        css = css.replace(f"url(images/{name})", f'url("{uri}")')
    if "url(images/" in css:
        raise GeoError(
            "leaflet.css refers to an image this package does not inline; update geo/map/assets.py"
        )
    return LeafletAssets(version=version, js=script_safe(js), css=script_safe(css), images=images)


@cache
def own(name: str) -> str:
    """One of this package's own static files (``eezmap.js``, ``eezmap-controls.js``,
    ``eezmap.css``) as text."""
    try:
        text = resources.files("geo.map").joinpath("static", name).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise GeoError(
            f"geo/map/static/{name} is missing from the installed package: reinstall eezmap "
            "(its package data must include geo/map/static/*)"
        ) from exc
    return script_safe(text)
