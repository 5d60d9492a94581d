"""Every environment variable and directory eezmap reads, in one place (as osmnx's ``settings``).

The environment is read when a function is called, never at import, so a
test (or a long-running process) that changes a variable is heard at once.

=========================  ===============================================================
``EEZMAP_LAYERS``          the directory of bundled layers (default: the package's data)
``EEZMAP_CACHE``           the cache directory (default ``$XDG_CACHE_HOME/eezmap``)
``XDG_CACHE_HOME``         the base of the default cache (default ``~/.cache``)
``EEZMAP_LAYERS_DEFAULT``  the default layers for one shell: ``ID,ID`` (wins over the
                           user's ``eezmap layers default``)
``EEZMAP_SERVE_MAX_BODY``  the request body limit ``eezmap serve`` hands its workers
``EEZMAP_PREBUILT``        the read-only prebuilt caches (default: the package's ``geo/_prebuilt``,
                           written at wheel-build time by ``python -m geo._prebuild``)
=========================  ===============================================================
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "CACHE_ENV", "DEFAULT_LAYERS_ENV", "LAYERS_ENV", "MAX_BODY_ENV", "PREBUILT_ENV", "XDG_CACHE_ENV",
    "cache_dir", "default_layers", "layers_dir_override", "max_body", "prebuilt_dir", "set_max_body",
]

#: The directory of bundled layers (a copy, for tests or a custom install).
LAYERS_ENV = "EEZMAP_LAYERS"
#: The cache directory (derived files, and the user's layers under ``layers/``).
CACHE_ENV = "EEZMAP_CACHE"
#: The XDG base directory of caches.
XDG_CACHE_ENV = "XDG_CACHE_HOME"
#: The default layers for one shell (comma-separated ids).
DEFAULT_LAYERS_ENV = "EEZMAP_LAYERS_DEFAULT"
#: The read-only prebuilt caches shipped in the wheel (for tests and benchmarks: another copy).
PREBUILT_ENV = "EEZMAP_PREBUILT"
#: The body limit ``eezmap serve`` passes to every worker process.
MAX_BODY_ENV = "EEZMAP_SERVE_MAX_BODY"


def layers_dir_override() -> Path | None:
    """``$EEZMAP_LAYERS`` as a path, or None when it is unset or empty."""
    env = os.environ.get(LAYERS_ENV)
    return Path(env) if env else None


def cache_dir() -> Path:
    """``$EEZMAP_CACHE``, else ``$XDG_CACHE_HOME/eezmap``, else ``~/.cache/eezmap``."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    base = os.environ.get(XDG_CACHE_ENV) or Path.home() / ".cache"
    return Path(base) / "eezmap"


def prebuilt_dir() -> Path:
    """``$EEZMAP_PREBUILT``, else the package's ``_prebuilt`` folder (which may not exist)."""
    env = os.environ.get(PREBUILT_ENV)
    return Path(env) if env else Path(__file__).resolve().parent / "_prebuilt"


def default_layers() -> tuple[str, ...]:
    """The ids in ``$EEZMAP_LAYERS_DEFAULT`` (empty when unset or blank)."""
    env = os.environ.get(DEFAULT_LAYERS_ENV, "")
    return tuple(x.strip() for x in env.split(",") if x.strip())


def max_body(default: int) -> int:
    """``$EEZMAP_SERVE_MAX_BODY`` as an integer number of bytes, else *default*."""
    return int(os.environ.get(MAX_BODY_ENV, default))


def set_max_body(limit: int) -> None:
    """Hand *limit* to the worker processes ``eezmap serve`` starts (they read :func:`max_body`)."""
    os.environ[MAX_BODY_ENV] = str(limit)
