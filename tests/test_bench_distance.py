"""The exact prototype peer of benchmarks/bench_distance.py (issue 12) is exact where it is timed."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from geo.geodesy import nearest_segment_point

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import bench_distance  # noqa: E402


@pytest.mark.slow   # builds the 1 km pieces and their tree: about 5 s
def test_the_prototype_is_exact_next_to_the_antimeridian():
    # Antarctica at 178.8°E: the nearest boundary is across ±180° (review of issue 12: the
    # prototype's planar tree does not wrap, and answered 281.9 km instead of 93.3 km)
    lat, lon = -76.2427762234389, 178.81528916679815
    segs = bench_distance._fixed_set()
    ref = nearest_segment_point(lat, lon, segs).metres
    _, _, got = bench_distance._prototype(np.array([lat]), np.array([lon]), segs)
    assert got[0] == pytest.approx(ref, abs=1.0)
