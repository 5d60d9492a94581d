"""The build backend: setuptools, plus the prebuilt caches generated into each wheel (issue 12).

``pyproject.toml`` names this module (``backend-path = ["tools"]``).  Every
hook is setuptools' own, except that :func:`build_wheel` first runs
``python -m geo._prebuild geo/_prebuilt`` in the source tree (an sdist's
unpacked copy under ``python -m build``), so the wheel carries the caches a
first ``eezmap where`` needs, built from the checksummed bundled layers and
listed with their SHA-256 in ``geo/_prebuilt/manifest.json``.  Editable
installs (``pip install -e .``) get none: they build their caches in the
user's cache on first use, as before.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from setuptools import build_meta as _orig
from setuptools.build_meta import *  # noqa: F403  (every hook not redefined here is setuptools')

#: what the prebuild step imports, besides setuptools (the package's own load path)
PREBUILD_REQUIRES = ["numpy>=1.26", "shapely>=2.1,<3", "pyproj>=3.6,<4", "pyogrio>=0.9,<1", "click>=8.1,<9"]


def get_requires_for_build_wheel(config_settings: Any = None) -> list[str]:
    return [*_orig.get_requires_for_build_wheel(config_settings), *PREBUILD_REQUIRES]


def build_wheel(wheel_directory: str, config_settings: Any = None,
                metadata_directory: str | None = None) -> str:
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(root))
    for name in ("EEZMAP_LAYERS", "EEZMAP_CACHE", "EEZMAP_PREBUILT", "EEZMAP_LAYERS_DEFAULT"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-m", "geo._prebuild", str(root / "geo" / "_prebuilt")],
                   cwd=root, env=env, check=True)
    return str(_orig.build_wheel(wheel_directory, config_settings, metadata_directory))
