"""Building a :class:`geo._grid.GridIndex`: the quadtree, level by level, as integer arrays.

See :mod:`geo._grid` for the design.  :func:`build_arrays` classifies the
base cells against the zones (``shapely.intersects`` / ``covers`` on
prepared copies, one zone per thread at a time), splits the mixed ones down
to ``max_depth`` levels and packs the tree into the lookup's blocks
(:func:`_strides`).  Imports only numpy and shapely.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from ._progress import Progress

__all__ = ["MAX_BASE_CELLS", "StaleCacheError", "build_arrays", "check_arrays", "default_cell_size",
           "split_depth", "union_bounds"]

#: Boxes are tested against one zone in chunks of this many (bounds the memory).
_CHUNK = 65_536

#: Refuse base grids larger than this (a cell size given in the wrong unit).
MAX_BASE_CELLS = 1 << 26


class StaleCacheError(ValueError):
    """A saved index that is for other data, of another format, or corrupted."""


def union_bounds(geoms: np.ndarray) -> np.ndarray:
    """(xmin, ymin, xmax, ymax) of all non-empty geometries; NaN if there are none."""
    b = shapely.bounds(geoms).reshape(-1, 4)
    ok = ~np.isnan(b).any(axis=1)
    if not ok.any():
        return np.full(4, np.nan)
    b = b[ok]
    return np.array([b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()])


def default_cell_size(width: float, height: float) -> float:
    """A power of two giving roughly 100,000 base cells (at most 1,000 a side)."""
    extent = max(width, height)
    if not extent > 0:
        return 1.0
    area = max(width * height, (extent / 1000) ** 2 * 100_000)
    return float(2.0 ** math.ceil(math.log2(math.sqrt(area / 100_000))))


@dataclass
class _Grid:
    """The base grid: origin, cell size, shape and the grown-box margin."""

    gx0: float
    gy0: float
    size: float
    nx: int
    ny: int
    eps: float


def _grid(ub: np.ndarray, bounds: Any, cell_size: float | None) -> _Grid:
    """Check the options and lay out the base grid over *bounds* (default: the zones' bounds)."""
    gb = ub if bounds is None else np.asarray(list(bounds), dtype=np.float64)
    if gb.shape != (4,):
        raise ValueError("bounds must be (xmin, ymin, xmax, ymax)")
    if np.isnan(gb).any():  # no geometry at all: one empty cell
        gb = np.array([0.0, 0.0, 1.0, 1.0])
    if not (np.isfinite(gb).all() and gb[2] >= gb[0] and gb[3] >= gb[1]):
        raise ValueError(f"invalid bounds {gb.tolist()}")
    width, height = gb[2] - gb[0], gb[3] - gb[1]
    size = default_cell_size(width, height) if cell_size is None else float(cell_size)
    if not (math.isfinite(size) and size > 0):
        raise ValueError(f"cell_size must be positive, not {cell_size}")
    nx = max(1, math.ceil(width / size))
    ny = max(1, math.ceil(height / size))
    if nx * ny > MAX_BASE_CELLS:
        raise ValueError(f"cell_size {size:g} gives {nx} x {ny} base cells; use a larger one")
    # the grown-box margin: thousands of times the rounding error of cell ids
    eps = max(1.0, float(np.abs(gb).max()), nx * size, ny * size) * 2.0**-40
    return _Grid(float(gb[0]), float(gb[1]), size, nx, ny, eps)


def _base_pairs(grid: _Grid, zb: np.ndarray, live: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Level 0: (cell, zone) pairs from the zones' bounding boxes, sorted by cell then zone."""
    nx, ny, size = grid.nx, grid.ny, grid.size
    ix0 = np.clip(np.floor((zb[live, 0] - grid.gx0) / size), 0, nx - 1)
    ix1 = np.clip(np.floor((zb[live, 2] - grid.gx0) / size), 0, nx - 1)
    iy0 = np.clip(np.floor((zb[live, 1] - grid.gy0) / size), 0, ny - 1)
    iy1 = np.clip(np.floor((zb[live, 3] - grid.gy0) / size), 0, ny - 1)
    cells, zones = [], []
    for z, a, b, c, d in zip(live, ix0, ix1, iy0, iy1, strict=True):
        xs = np.arange(max(int(a) - 1, 0), min(int(b) + 2, nx))
        ys = np.arange(max(int(c) - 1, 0), min(int(d) + 2, ny))
        cells.append((ys[:, None] * nx + xs[None, :]).ravel())
        zones.append(np.full(len(xs) * len(ys), z, dtype=np.int64))
    pair_cell = np.concatenate(cells) if cells else np.zeros(0, np.int64)
    pair_zone = np.concatenate(zones) if zones else np.zeros(0, np.int64)
    order = np.lexsort((pair_zone, pair_cell))
    return pair_cell[order], pair_zone[order]


@dataclass
class _Level:
    """The cells of one quadtree level and their candidate (cell, zone) pairs."""

    cell_ix: np.ndarray
    cell_iy: np.ndarray
    pair_cell: np.ndarray
    pair_zone: np.ndarray
    codes: list[np.ndarray] = field(default_factory=list)


@dataclass
class _Leaves:
    """Mixed cells of the last level: candidates (CSR) and default answers."""

    ptr: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    cand: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    default: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))


def _classify_level(st: _Level, level: int, last: bool, grid: _Grid, work: np.ndarray,
                    zb: np.ndarray, nz: int, pool: ThreadPoolExecutor) -> _Leaves | None:
    """Test one level's pairs, append its codes to ``st.codes`` and move *st* to the next level.

    Returns the leaves when *last*.
    """
    s = grid.size / (1 << level)
    ncells = len(st.cell_ix)
    pc, pz = st.pair_cell, st.pair_zone
    x0 = grid.gx0 + st.cell_ix[pc] * s - grid.eps
    y0 = grid.gy0 + st.cell_iy[pc] * s - grid.eps
    x1 = grid.gx0 + (st.cell_ix[pc] + 1) * s + grid.eps
    y1 = grid.gy0 + (st.cell_iy[pc] + 1) * s + grid.eps
    inter, cov = _test_boxes(work, pz, x0, y0, x1, y1, zb, pool)
    # the lowest zone covering each cell; zones above it never answer there
    cov_min = np.full(ncells, nz, dtype=np.int64)
    if cov.any():
        cc, first = np.unique(pc[cov], return_index=True)
        cov_min[cc] = pz[cov][first]
    keep = inter & (pz <= cov_min[pc])
    pc, pz = pc[keep], pz[keep]
    count = np.bincount(pc, minlength=ncells)
    pure = (count == 1) & (cov_min < nz)
    mixed = count > 0
    mixed &= ~pure
    codes = np.full(ncells, -1, dtype=np.int32)
    codes[pure] = cov_min[pure]
    mixed_ids = np.flatnonzero(mixed)
    rank = np.full(ncells, -1, dtype=np.int64)
    rank[mixed_ids] = np.arange(len(mixed_ids))
    if last:
        codes[mixed_ids] = nz + np.arange(len(mixed_ids))
        st.codes.append(codes)
        # candidates below the covering zone, which is the default answer
        test = pz < cov_min[pc]
        counts = np.bincount(rank[pc[test]], minlength=len(mixed_ids))
        dflt = cov_min[mixed_ids]
        st.pair_cell = pc
        return _Leaves(np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
                       pz[test].astype(np.int32), np.where(dflt < nz, dflt, -1).astype(np.int32))
    codes[mixed_ids] = -2 - np.arange(len(mixed_ids))
    st.codes.append(codes)
    # the four children of every mixed cell inherit its candidates
    parent = rank[pc]
    pz = pz[parent >= 0]
    parent = parent[parent >= 0]
    quad = np.arange(4, dtype=np.int64)
    pc = (4 * parent[:, None] + quad[None, :]).ravel()
    pz = np.repeat(pz, 4)
    order = np.lexsort((pz, pc))
    st.pair_cell, st.pair_zone = pc[order], pz[order]
    st.cell_ix = (2 * st.cell_ix[mixed_ids][:, None] + (quad & 1)[None, :]).ravel()
    st.cell_iy = (2 * st.cell_iy[mixed_ids][:, None] + (quad >> 1)[None, :]).ravel()
    return None


def build_arrays(garr: np.ndarray, *, bounds: Any, cell_size: float | None, max_depth: int,
                 workers: int | None) -> dict[str, np.ndarray]:
    """The arrays of a :class:`geo._grid.GridIndex` over *garr* (see :meth:`GridIndex.build`).

    Reports progress in tested cells (:class:`geo._progress.Progress`).
    """
    nz = len(garr)
    if nz >= 2**31 - 2:
        raise ValueError("too many zones")
    max_depth = int(max_depth)
    if not 0 <= max_depth <= 20:
        raise ValueError(f"max_depth must be between 0 and 20, not {max_depth}")
    ub = union_bounds(garr)
    grid = _grid(ub, bounds, cell_size)
    # the caller's geometries may be in use in other threads: test prepared copies of them
    work = _prepared_copies(garr)
    zb = shapely.bounds(garr).reshape(-1, 4)
    live = np.flatnonzero(~np.isnan(zb).any(axis=1))
    cell_iy, cell_ix = np.divmod(np.arange(grid.nx * grid.ny, dtype=np.int64), grid.nx)
    st = _Level(cell_ix, cell_iy, *_base_pairs(grid, zb, live))
    leaves = _Leaves()
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool, \
            Progress("cells") as progress:
        for level in range(max_depth + 1):
            ncells = len(st.cell_ix)
            got = _classify_level(st, level, level == max_depth, grid, work, zb, nz, pool)
            leaves = got if got is not None else leaves
            progress.update(ncells, fraction=(level + 1) / (max_depth + 1))
            if not len(st.pair_cell):
                break
    level_codes = st.codes
    while len(level_codes) < max_depth + 1:  # the tree ended early: empty levels
        level_codes.append(np.zeros(0, dtype=np.int32))
    # the outside leaf: every live zone, for points off the grid inside their bounds
    steps, step_nodes, blocks = _strides(level_codes)
    return {
        "fmeta": np.array([grid.gx0, grid.gy0, grid.size, grid.eps, *ub], dtype=np.float64),
        "imeta": np.array([grid.nx, grid.ny, max_depth, nz], dtype=np.int64),
        "base": level_codes[0].reshape(grid.ny, grid.nx),
        "steps": steps, "step_nodes": step_nodes, "blocks": blocks,
        "leaf_ptr": np.concatenate([leaves.ptr, [leaves.ptr[-1] + len(live)]]),
        "leaf_cand": np.concatenate([leaves.cand, live.astype(np.int32)]),
        "leaf_default": np.concatenate([leaves.default, [-1]]).astype(np.int32),
    }


def _prepared_copies(geoms: np.ndarray) -> np.ndarray:
    """Prepared copies of *geoms* (through WKB: they share nothing with the originals)."""
    copies = shapely.from_wkb(shapely.to_wkb(geoms))
    shapely.prepare(copies[np.array([g is not None for g in copies], dtype=bool)])
    return copies


def _test_boxes(geoms: np.ndarray, zone: np.ndarray, x0: np.ndarray, y0: np.ndarray,
                x1: np.ndarray, y1: np.ndarray, zb: np.ndarray,
                pool: ThreadPoolExecutor) -> tuple[np.ndarray, np.ndarray]:
    """For each (box, zone) pair: does the zone intersect, and cover, the box?

    Pairs are grouped by zone, one zone per task, so that no prepared
    geometry is used by two threads at once.
    """
    inter = np.zeros(len(zone), dtype=bool)
    cov = np.zeros(len(zone), dtype=bool)
    # a box off the zone's bounding box is trivially disjoint
    near = (x0 <= zb[zone, 2]) & (x1 >= zb[zone, 0]) & (y0 <= zb[zone, 3]) & (y1 >= zb[zone, 1])
    cand = np.flatnonzero(near)
    order = cand[np.argsort(zone[cand], kind="stable")]
    zs = zone[order]
    starts = np.flatnonzero(np.r_[True, zs[1:] != zs[:-1]]) if len(zs) else np.zeros(0, np.int64)
    ends = np.r_[starts[1:], len(zs)]

    def run(a: int, b: int) -> None:
        geom = geoms[zs[a]]
        for c in range(a, b, _CHUNK):
            rows = order[c:min(b, c + _CHUNK)]
            boxes = shapely.box(x0[rows], y0[rows], x1[rows], y1[rows])
            it = shapely.intersects(geom, boxes)
            inter[rows] = it
            if it.any():
                cv = np.zeros(len(rows), dtype=bool)
                cv[it] = shapely.covers(geom, boxes[it])
                cov[rows] = cv

    # largest groups first so that the threads finish together
    jobs = sorted(zip(starts.tolist(), ends.tolist(), strict=False), key=lambda ab: ab[0] - ab[1])
    for f in [pool.submit(run, a, b) for a, b in jobs]:
        f.result()
    return inter, cov


def split_depth(depth: int) -> list[int]:
    """Quadtree levels per lookup step: at most 3 (blocks of 64 codes), as even as possible."""
    if depth <= 0:
        return []
    n = -(-depth // 3)
    q, r = divmod(depth, n)
    return [q + 1] * r + [q] * (n - r)


def _strides(level_codes: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn the binary quadtree into blocks of ``2**k x 2**k`` codes per step.

    ``level_codes[l]`` holds the codes of the cells of level *l*: level 0 in
    raster order, level *l + 1* as the four children (``2 * dy + dx``) of each
    internal cell of level *l*, in order; an internal cell is ``-2 - t`` with
    *t* its rank within its level.  A step of *k* levels replaces each
    internal cell of its first level by the codes of its ``4**k`` descendants
    *k* levels down (row-major), a pure or leaf code repeated over the
    descendants it covers; internal codes in a block are ranks within the
    block's last level, which are the node numbers of the next step.
    """
    steps = split_depth(len(level_codes) - 1)
    blocks, nodes = [], []
    first = 0
    for k in steps:
        n = int((level_codes[first] <= -2).sum())
        blk = (-2 - np.arange(n, dtype=np.int64)).astype(np.int32).reshape(n, 1, 1)
        for j in range(k):
            ni, ry, rx = np.nonzero(blk <= -2)
            new = np.repeat(np.repeat(blk, 2, axis=1), 2, axis=2)
            if len(ni):
                kids = level_codes[first + j + 1].reshape(-1, 4)[-2 - blk[ni, ry, rx].astype(np.int64)]
                for q in range(4):
                    new[ni, 2 * ry + (q >> 1), 2 * rx + (q & 1)] = kids[:, q]
            blk = new
        blocks.append(blk.reshape(-1))
        nodes.append(n)
        first += k
    return (np.array(steps, dtype=np.int64), np.array(nodes, dtype=np.int64),
            np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int32))


def check_arrays(arrays: dict[str, np.ndarray], geoms: np.ndarray, path: Any) -> None:
    """Raise StaleCacheError unless the loaded arrays form a sound index for *geoms*."""
    def bad(why: str) -> StaleCacheError:
        return StaleCacheError(f"grid index {path} {why}")

    fmeta, imeta = arrays["fmeta"], arrays["imeta"]
    if fmeta.shape != (8,) or fmeta.dtype != np.float64 or imeta.shape != (4,) or imeta.dtype.kind != "i":
        raise bad("has a malformed header")
    nx, ny, depth, nz = (int(v) for v in imeta)
    if nz != len(geoms):
        raise bad(f"has {nz} zones, not {len(geoms)}")
    ub = union_bounds(geoms)
    if not np.array_equal(fmeta[4:], ub, equal_nan=True):
        raise bad("was built for other geometries (bounds differ)")
    if not (nx >= 1 and ny >= 1 and 0 <= depth <= 20 and np.isfinite(fmeta[:4]).all()
            and fmeta[2] > 0 and fmeta[3] > 0):
        raise bad("has a malformed header")
    for name in ("base", "steps", "step_nodes", "blocks", "leaf_ptr", "leaf_cand", "leaf_default"):
        if arrays[name].dtype.kind != "i":
            raise bad(f"has a malformed {name}")
    base, blocks = arrays["base"], arrays["blocks"]
    steps, step_nodes = arrays["steps"], arrays["step_nodes"]
    ptr, cand, dflt = arrays["leaf_ptr"], arrays["leaf_cand"], arrays["leaf_default"]
    if base.shape != (ny, nx) or steps.ndim != 1 or step_nodes.shape != steps.shape:
        raise bad("has malformed arrays")
    if steps.tolist() != split_depth(depth) or (step_nodes < 0).any():
        raise bad("has a malformed tree")
    sizes = step_nodes << (2 * steps)
    if blocks.ndim != 1 or int(sizes.sum()) != len(blocks):
        raise bad("has a malformed tree")
    n_leaves = len(dflt)
    if n_leaves < 1 or ptr.shape != (n_leaves + 1,) or ptr[0] != 0 or ptr[-1] != len(cand):
        raise bad("has malformed leaves")
    if (np.diff(ptr) < 0).any():
        raise bad("has malformed leaves")
    # internal codes of each segment name nodes of the next step; the last has none
    segments = [base.reshape(-1), *np.split(blocks, np.cumsum(sizes)[:-1])]
    limits = [*step_nodes.tolist(), 0]
    for seg, limit in zip(segments, limits, strict=False):
        if seg.size and (seg.min() < -1 - limit or seg.max() >= nz + n_leaves):
            raise bad("has codes out of range")
    if cand.size and (cand.min() < 0 or cand.max() >= nz):
        raise bad("has candidates out of range")
    if dflt.min() < -1 or dflt.max() >= nz:
        raise bad("has defaults out of range")
