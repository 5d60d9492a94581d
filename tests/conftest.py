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

# modules whose module-scoped fixture is expensive: each kept in one worker (see below)
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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist: start with the slow tests, so the long ones overlap instead of
    ending the run one after another.  Without xdist the order is the files' order."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda it: 0 if _is_slow(it) else 1)   # stable: else the files' order


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """``-n N`` (``--dist load``): each test goes to the next free worker, except the modules
    of ONE_WORKER, each sent whole to one worker (their module fixture is set up once).
    pytest-xdist's own ``--dist loadgroup`` cannot do this under pytest 9 (it renames node
    ids through an attribute pytest 9 no longer reads), so this is its scheduler with the
    grouping written here.  Any other ``--dist`` is left to pytest-xdist."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerModules(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module.rsplit("/", 1)[-1].removesuffix(".py") in ONE_WORKER else nodeid

    return OneWorkerModules(config, log)   # groups first (largest first), then one test at a time
