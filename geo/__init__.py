"""eezmap: EEZ membership, geodesic distances, offline maps and GeoJSON.

The public API.  Layers are loaded (:mod:`geo.layers`, :mod:`geo.sites`),
queried (:mod:`geo.zones`, :mod:`geo.geodesy`) and presented
(:mod:`geo.map`, :mod:`geo.export`, :mod:`geo.cli`).

Example
-------
>>> import geo
>>> geo.where(22.0, 153.8).answer
'yes'
>>> round(geo.distance("minami-torishima", "rey-mud-area").km, 1)
251.1
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import folium

    from .answer import ZoneAnswer, where
    from .boundary import BoundaryDistances, boundary_distance
    from .errors import CoordinateError, GeoError, InputFileError, LayerError, OutputError, SiteError
    from .geodesy import Distance
    from .io import classify_frame
    from .zones import Classification, classify

#: public name -> the module defining it, imported on first use (``import geo`` stays cheap)
_LAZY = {
    "BoundaryDistances": ".boundary", "boundary_distance": ".boundary",
    "CoordinateError": ".errors", "GeoError": ".errors", "InputFileError": ".errors",
    "LayerError": ".errors", "OutputError": ".errors", "SiteError": ".errors",
    "Distance": ".geodesy",
    "Classification": ".zones", "classify": ".zones",
    "ZoneAnswer": ".answer", "where": ".answer",
    "classify_frame": ".io",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})

__version__ = "0.1.0"


def distance(a: object, b: object) -> Distance:
    """Geodesic (WGS84) distance and initial bearing from *a* to *b*.

    Parameters
    ----------
    a, b : str or (lat, lon)
        A site id (see ``eezmap sites``), a ``"LAT,LON"`` string or a
        ``(lat, lon)`` pair in degrees.

    An area site is measured at its centre; :func:`geo.geodesy.nearest_edge`
    gives its nearest edge (``eezmap distance`` reports both).

    Returns
    -------
    Distance
        ``metres``, ``km``, ``nm`` and ``initial_bearing_deg``.

    Example
    -------
    >>> round(distance("minami-torishima", "35.6895,139.6917").km)
    1867
    """
    from .geodesy import distance as _distance
    from .sites import resolve_point

    pa, pb = resolve_point(a), resolve_point(b)
    return _distance((pa.lat, pa.lon), (pb.lat, pb.lon))


def explore(**kwargs: Any) -> folium.Map:
    """The standalone map as a ``folium.Map``: shown inline in Jupyter, offline like the file.

    Takes the options of :func:`geo.map.build_map` (``layers``, ``tiles``,
    ``user_sites``, ``points``, ``title``); no resource comes from a CDN.

    Example
    -------
    >>> m = geo.explore()          # doctest: +SKIP
    >>> m                          # in a notebook: the map
    """
    from .map import build_map

    return build_map(**kwargs)


__all__ = [
    "BoundaryDistances", "Classification", "CoordinateError", "Distance", "GeoError", "InputFileError",
    "LayerError", "OutputError", "SiteError", "ZoneAnswer", "boundary_distance", "classify", "classify_frame",
    "distance", "explore", "where", "__version__",
]
