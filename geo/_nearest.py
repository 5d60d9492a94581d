"""The query half of the boundary-segment index: the nearest piece for arrays of points.

:class:`geo._segments.SegmentIndex` gives each point its cell's candidate
runs; :func:`nearest_chunk` narrows them in three cuts to the few pieces that
can hold the nearest boundary point, and refines those exactly.

Every cut keeps an item when its lower bound (the straight-line chord in
Earth-centred coordinates, never longer than the geodesic) is at most the
point's smallest upper bound (a chord turned into a geodesic length by
:func:`geodesic_upper`):

1. **runs** -- the chord to a run's bounding sphere, against the chord to
   the nearest run's first vertex;
2. **pieces** -- the chord to a piece's middle less its half-length and sag;
3. **chords** -- the chord to the piece's own 3-D chord, less its sag.

Cuts 1 and 2 touch tens of items per point, so they run on float32 columns
(one contiguous array per coordinate, gathered with ``take``) and every
bound carries :data:`PAD`, more than float32's rounding of ECEF metres can
move a chord.  Cut 3 and the refinement, on about two pieces per point, are
float64.  The refinement is Newton (then secant) on the piece parameter with
pyproj's ``Geod.inv`` on whole arrays, each pair iterated only until its
distance is within :data:`TOL_M` of the minimum (see :func:`refine`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["FOOT_M", "PAD", "TOL_M", "ecef", "geodesic_upper", "nearest_chunk", "refine"]

A = 6378137.0
F = 1 / 298.257223563
E2 = F * (2 - F)
#: the smallest radius of curvature of WGS84 (meridional, at the equator)
R_MIN = A * (1 - E2)
#: metres added to the float32 bounds: a coordinate of |x| < 6.4e6 m rounds by
#: < 0.25 m, so a chord by < 1 m, plus 1e-6 of it for the arithmetic
PAD = 8.0
#: how far above the minimum a refined distance may be (metres)
TOL_M = 1e-7
#: how far from the foot of the perpendicular the reported point may be (metres, along the piece;
#: half the 1e-7° to which the batch columns round it)
FOOT_M = 0.005


def ecef(lon: Any, lat: Any) -> np.ndarray:
    """Earth-centred coordinates (n, 3), metres, of points on the WGS84 ellipsoid."""
    lam, phi = np.radians(lon), np.radians(lat)
    s = np.sin(phi)
    n = A / np.sqrt(1 - E2 * s * s)
    c = n * np.cos(phi)
    return np.stack([c * np.cos(lam), c * np.sin(lam), n * (1 - E2) * s], axis=-1)


def geodesic_upper(chord: Any) -> Any:
    """An upper bound of the geodesic length between two points *chord* metres apart.

    No geodesic of WGS84 is more curved than the equator's meridian (Schur's
    comparison theorem), so one of chord c is at most ``2 R asin(c / 2R)``,
    R = a(1 - e²).
    """
    return 2 * R_MIN * np.arcsin(np.minimum(chord / (2 * R_MIN), 1.0))


def _bound(chord32: np.ndarray) -> np.ndarray:
    """The float32 upper bound of a float32 chord, padded for rounding."""
    c = chord32.astype(np.float64)
    out: np.ndarray = (geodesic_upper(c + PAD + 1e-6 * c) + PAD).astype(np.float32)
    return out


def group_min(owner: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """The smallest value per owner (owners sorted, as every pair list here is); inf for none."""
    out = np.full(n, np.inf, dtype=values.dtype)
    if len(owner):
        first = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        out[owner[first]] = np.minimum.reduceat(values, first)
    return out


def expand(owner: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, index) pairs: for each i, index runs over lo[i] .. hi[i] - 1 (int32)."""
    lens = (hi - lo).astype(np.int64)
    first = np.cumsum(lens) - lens
    rep = np.repeat(np.arange(len(owner), dtype=np.int32), lens)
    idx = np.arange(len(rep), dtype=np.int64) - np.repeat(first - lo, lens)
    return owner[rep], idx.astype(np.int32)


def _sumsq(a: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Squared distances between columns of two (3, m) float32 arrays."""
    d = a - q
    d *= d
    out: np.ndarray = d[0] + d[1] + d[2]
    return out


def chord_to_segment(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line distance from points to 3-D segments, and the segment parameter of the foot."""
    ab = b - a
    len2 = np.einsum("ij,ij->i", ab, ab)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(len2 > 0, np.einsum("ij,ij->i", p - a, ab) / len2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    return np.linalg.norm(a + t[:, None] * ab - p, axis=1), t


def refine(lon: np.ndarray, lat: np.ndarray, seg: np.ndarray, t: np.ndarray,
           steps: int = 8) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Geodesic distance from points to lon/lat pieces, minimised over the piece parameter.

    Returns (metres, t, azimuth): the distance to the piece's point at *t*,
    within :data:`TOL_M` of the minimum over the piece and :data:`FOOT_M` of
    its foot, and the azimuth at the query point towards it.

    Newton-like: at the piece's point X(t) the geodesic to the query point
    leaves at azimuth az; the piece runs at azimuth beta, L metres per unit
    t.  The foot of the perpendicular lies ``R atan(tan(d/R) cos(az - beta))``
    along (spherical right triangle), so t moves by that over L.  The distance
    is stationary at the minimum: a foot *s* metres off adds about s²/2d, so a
    pair whose next move would gain less than TOL_M is done, and only the
    others are evaluated again (from the chord's foot, one evaluation settles
    about four pairs in five).  From the second evaluation on, the step is the
    secant of the exact slope ``-L cos(az - beta)`` when it points the same
    way and the last move was short against d (the slope turns over at
    d = 0): far from a piece at high latitude the distance along a lon/lat
    line curves up to twice as much as along a geodesic, and the spherical
    step alone overshoots and converges by a few percent per step.
    """
    from .geodesy import geod

    g = geod()
    dlon, dlat = seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1]
    t = t.copy()
    d_out, az_out = np.full(len(t), np.nan), np.full(len(t), np.nan)
    t_prev, slope_prev = np.full(len(t), np.nan), np.full(len(t), np.nan)
    todo = np.arange(len(t))
    for k in range(steps):
        tt, sl, dl, dt = t[todo], seg[todo], dlon[todo], dlat[todo]
        x, y = sl[:, 0] + tt * dl, sl[:, 1] + tt * dt
        az, back, d = g.inv(x, y, lon[todo], lat[todo])
        d = np.asarray(d, dtype=float)
        d_out[todo], az_out[todo] = d, back
        phi = np.radians(y)
        s = np.sin(phi)
        w = np.sqrt(1 - E2 * s * s)
        n_rad, m_rad = A / w, A * (1 - E2) / w ** 3
        east, north = np.radians(dl) * n_rad * np.cos(phi), np.radians(dt) * m_rad
        length = np.hypot(east, north)
        r = np.sqrt(n_rad * m_rad)
        cos_a = np.cos(np.radians(az) - np.arctan2(east, north))
        along = r * np.arctan(np.tan(np.minimum(d / r, 1.5)) * cos_a)
        slope = -length * cos_a    # d(metres)/dt, exact
        with np.errstate(invalid="ignore", divide="ignore"):
            step = np.nan_to_num(np.where(length > 0, along / length, 0.0))
            secant = slope * (t_prev[todo] - tt) / (slope - slope_prev[todo])
            smooth = np.abs(t_prev[todo] - tt) * length < 0.1 * d   # the slope jumps at d = 0
            step = np.where(smooth & np.isfinite(secant) & (np.sign(secant) == np.sign(step)), secant, step)
        t_prev[todo], slope_prev[todo] = tt, slope
        moved = (np.clip(tt + step, 0.0, 1.0) - tt) * length
        more = (moved * moved > TOL_M * 2 * d) | (np.abs(moved) > FOOT_M)
        if k == steps - 1 or not more.any():
            break
        todo = todo[more]
        t[todo] = np.clip(tt[more] + step[more], 0.0, 1.0)
    return d_out, t, az_out


def nearest_chunk(index: Any, lon: np.ndarray, lat: np.ndarray,
                  columns: tuple[np.ndarray, np.ndarray] | None) -> tuple[np.ndarray, ...]:
    """(metres, lon, lat, azimuth) of the nearest boundary point of each (valid) point.

    *index* is a :class:`geo._segments.SegmentIndex`; *columns* its float32
    run and piece columns (:meth:`~geo._segments.SegmentIndex.columns`), or
    None to gather them from its arrays (the same values, for a few points).
    """
    n = len(lon)
    starts, lens, flat = index.cell_lists(lon, lat)
    p = ecef(lon, lat)
    p32 = np.ascontiguousarray(p.T, dtype=np.float32)
    owner, j = expand(np.arange(n, dtype=np.int32), starts, starts + lens)
    run = flat[j]
    # 1. runs: the chord to the sphere against the nearest first vertex
    cols = index.run_columns(run) if columns is None else np.take(columns[0], run, axis=1)
    q = np.take(p32, owner, axis=1)
    upper = _bound(np.sqrt(group_min(owner, _sumsq(cols[4:7], q), n)))
    keep = np.sqrt(_sumsq(cols[0:3], q)) - cols[3] <= upper[owner]
    owner, run = owner[keep], run[keep]
    # 2. pieces: the chord to the middle, less half the length and the sag
    owner, piece = expand(owner, np.asarray(index.run_start)[run], np.asarray(index.run_end)[run])
    cols = index.piece_columns(piece) if columns is None else np.take(columns[1], piece, axis=1)
    d = np.sqrt(_sumsq(cols[0:3], np.take(p32, owner, axis=1)))
    upper = _bound(group_min(owner, d + cols[3], n))
    keep = d - cols[3] <= upper[owner]
    owner, piece = owner[keep], piece[keep]
    # 3. the chord to the piece's chord, less its sag (float64)
    c, t = chord_to_segment(p[owner], index.e0[piece], index.e1[piece])
    sag = index.sag[piece]
    upper64 = geodesic_upper(group_min(owner, c + sag, n))
    keep = c - sag <= upper64[owner]
    owner, piece, t = owner[keep], piece[keep], t[keep]
    seg = np.asarray(index.pieces[piece])
    metres, t, az = refine(lon[owner], lat[owner], seg, t)
    # the smallest per point (ties: the lower piece, as the order is stable)
    order = np.lexsort((piece, metres, owner))
    first = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
    who, seg, tt = owner[first], seg[first], t[first]
    out = [np.full(n, np.nan) for _ in range(4)]
    out[0][who], out[3][who] = metres[first], az[first]
    out[1][who] = seg[:, 0] + tt * (seg[:, 2] - seg[:, 0])
    out[2][who] = seg[:, 1] + tt * (seg[:, 3] - seg[:, 1])
    return tuple(out)
