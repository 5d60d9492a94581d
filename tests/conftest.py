"""Shared fixtures: an isolated cache, the suite's order and its grouping for pytest-xdist.

The suite runs in parallel (``pytest -n auto``, see .ci/run): the workers share one
layer cache (its writers are atomic, so a file is whole or absent), modules whose
module-scoped fixture is expensive (a server, a browser, a grid index) run in one
worker, and the slow tests start first so that no worker is left with a long tail.
"""

from __future__ import annotations

import os

import pytest

from _constants import ISLAND, MUD_FRAME, ROOT, SHARED

# modules whose module-scoped fixture is expensive: kept in one worker (``--dist loadgroup``)
ONE_WORKER = {"test_serve", "test_threads", "test_map_browser", "test_grid"}


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory):
    """Every test run uses its own cache unless EEZMAP_CACHE is set (CI sets a fresh one).

    Under pytest-xdist the workers share one (in the run's base directory), so the layer
    indexes are built once per run, not once per worker."""
    if "EEZMAP_CACHE" not in os.environ:
        base = tmp_path_factory.getbasetemp()
        if os.environ.get("PYTEST_XDIST_WORKER"):
            base = base.parent      # pytest-of-USER/pytest-N, shared by gw0, gw1, ...
        cache = base / "eezcache"
        cache.mkdir(exist_ok=True)
        os.environ["EEZMAP_CACHE"] = str(cache)
    yield


@pytest.fixture(scope="session")
def root():
    """The checkout."""
    return ROOT


@pytest.fixture(scope="session")
def shared_data():
    """../shared/data (the source files); the test is skipped when it is not beside the checkout."""
    if not SHARED.is_dir():
        pytest.skip("../shared/data (the source files) is not here")
    return SHARED


@pytest.fixture(scope="session")
def island():
    """Minami-Torishima as (lat, lon)."""
    return ISLAND


@pytest.fixture(scope="session")
def mud_frame():
    """The rare-earth mud research frame as (south, north, west, east)."""
    return MUD_FRAME


def _is_slow(item: pytest.Item) -> bool:
    return item.get_closest_marker("slow") is not None


@pytest.hookimpl(tryfirst=True)   # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist: keep each expensive module in one worker, and start with those
    modules and the slow tests, so the long ones overlap instead of ending the run one
    after another.  Without xdist the order is the files' order."""
    if not (os.environ.get("PYTEST_XDIST_WORKER") or getattr(config.option, "numprocesses", None)):
        return
    for item in items:
        if item.path.stem in ONE_WORKER:
            item.add_marker(pytest.mark.xdist_group(item.path.stem))
    # stable: within each class the files' order is kept
    items.sort(key=lambda it: 0 if (_is_slow(it) or it.path.stem in ONE_WORKER) else 1)
