"""The user's many points on the HTML map: classified (full geometry), thinned to
:data:`geo.map.scene.MAX_POINTS`, and packed for ``eezmap.points`` (one canvas)."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from .html import esc
from .leaflet import JsLayer, PointsSpec, to_js
from .scene import COUNTRY, MAX_POINTS, PointSummary, Scene, near
from .style import POINT_CLASSES


def points_layer(points: Any, ctx: Scene, centre_lon: float) -> tuple[JsLayer, PointSummary]:
    from ..zones import classify

    lat = np.asarray(points[0], dtype=float).ravel()
    lon = np.asarray(points[1], dtype=float).ravel()
    if lat.shape != lon.shape:
        raise ValueError("points: lat and lon must have the same length")
    total = len(lat)
    c = classify(lat, lon, country=COUNTRY, layers=ctx.layer_ids, invalid="mark")
    answer = np.asarray(c.answer, dtype=object)
    ok = answer != ""
    idx = np.flatnonzero(ok)
    if len(idx) > MAX_POINTS:
        idx = idx[np.linspace(0, len(idx) - 1, MAX_POINTS).round().astype(np.int64)]
    names = list(POINT_CLASSES)
    code = {a: i for i, a in enumerate(names)}
    cls = np.array([code.get(a, code["unknown"]) for a in answer[idx]], dtype=np.uint8)
    la = np.round(lat[idx] * 1e5).astype("<i4")
    lo = np.round(near(lon[idx], centre_lon) * 1e5).astype("<i4")
    counts = {a: int((cls == code[a]).sum()) for a in names}
    summary = PointSummary(total, len(idx), int((~ok).sum()), counts)
    note = (
        f"Coloured by the zone answer for Japan from {', '.join(ctx.layer_ids)} "
        "(full geometry, geo.zones.classify)."
    )
    spec: PointsSpec = {
        "scale": 100000,
        "pane": "eezmapPoints",
        "lat": base64.b64encode(la.tobytes()).decode("ascii"),
        "lon": base64.b64encode(lo.tobytes()).decode("ascii"),
        "classes": base64.b64encode(cls.tobytes()).decode("ascii"),
        "colors": [POINT_CLASSES[a][0] for a in names],
        "labels": [esc(POINT_CLASSES[a][1]) for a in names],
        "drawOrder": list(range(len(names))),
        "title": "Your point",
        "note": esc(note),
        "attribution": "Your points: user data; answers by eezmap",
    }
    layer = JsLayer(f"Your points ({summary.drawn:,})", "eezmap.points", to_js(spec), kind="EezmapPoints")
    return layer, summary
