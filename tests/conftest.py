"""Shared fixtures: an isolated cache, a run() helper for the real entry point."""

from __future__ import annotations

import os

import pytest

@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory):
    """Every test run uses its own cache unless EEZMAP_CACHE is set (CI sets a fresh one)."""
    if "EEZMAP_CACHE" not in os.environ:
        os.environ["EEZMAP_CACHE"] = str(tmp_path_factory.mktemp("eezcache"))
    yield
