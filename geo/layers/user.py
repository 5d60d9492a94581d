"""User layers: writing their files and the user manifest, under a lock.

Layers fetched from Marine Regions (:mod:`geo.layers.fetch`) or imported from
an official download (:mod:`geo.layers.importer`) live in
:func:`~geo.layers.user_layers_dir` (``<cache_dir>/layers``).  Files are named
``<id>.<sha256[:12]>.<ext>`` and replaced only once a new one is complete
(:func:`install_user_layer`), so a failed download never costs a good layer;
the manifest is rewritten atomically (:mod:`geo._io`) under an advisory lock,
so two processes adding layers at once both land.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from .._io import atomic_write_bytes
from ..errors import ArgumentError, LayerError, OutputError, UnknownLayerError
from .catalog import (
    NESTED_KINDS,
    ZONE_KINDS,
    LayerInfo,
    _a,
    _info_from_entry,
    bundled_manifest,
    user_layers_dir,
    user_manifest_path,
)
from .load import sha256_file

_LAYER_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,79}")


def _readable(path: Path) -> None:
    """Give a file made by mkstemp (mode 0600) the usual permissions (0666 less the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o666 & ~mask)



def check_new_layer_id(layer_id: str) -> str:
    """A valid id for a new user layer (lower-case letters, digits, . _ -; not a bundled id)."""
    if not _LAYER_ID.fullmatch(layer_id or ""):
        raise ArgumentError(f"layer id '{layer_id}' is not valid: use lower-case letters, digits, "
                            "'.', '_' and '-' (at most 80), starting with a letter or digit")
    bundled = bundled_manifest()
    if any(i.id == layer_id for i in bundled):
        raise ArgumentError(f"layer id '{layer_id}' is a bundled layer; choose another id (`layer_id`)")
    return layer_id


def _empty_user_manifest() -> dict[str, Any]:
    return {
        "format": 1,
        "description": ("Layers fetched (eezmap layers fetch) or imported (eezmap layers add) by the "
                        "user: same fields as layers/manifest.json, plus path, origin and provenance. "
                        "geo.layers verifies each file against its sha256 before use."),
        "layers": [],
    }


class _ManifestLock:
    """An advisory lock on the user manifest while it is read, changed and written."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / ".manifest.lock"
        self.fd: int | None = None

    def __enter__(self) -> _ManifestLock:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not POSIX: last writer wins
            pass
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the lock


def _edit_user_manifest(cache: str | os.PathLike[str] | None,
                        edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Read, change (``edit(doc)``) and atomically rewrite the user manifest, under a lock."""
    path = user_manifest_path(cache)
    doc: dict[str, Any]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _ManifestLock(path.parent):
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
                if not isinstance(doc, dict):
                    raise ValueError("not a JSON object")
            except FileNotFoundError:
                doc = _empty_user_manifest()
            except ValueError as exc:
                raise LayerError(f"user layer manifest {path} is unreadable: {exc}; fix it, or delete "
                                 "it and fetch or add the layers again") from exc
            edit(doc)
            atomic_write_bytes(path, (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode())
    except OSError as exc:
        if isinstance(exc, LayerError):
            raise
        raise OutputError(f"cannot write the user layer manifest {path}: {exc.strerror or exc}") from exc
    return doc


def _unlink_quietly(path: Path) -> None:
    for p in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):
            p.unlink()


def install_user_layer(entry: dict[str, Any], write: Callable[[Path], object], suffix: str,
                       cache: str | os.PathLike[str] | None = None) -> LayerInfo:
    """Write a user layer's file and register it; nothing changes unless both succeed.

    Parameters
    ----------
    entry : dict
        The manifest entry (``id``, ``kind``, ``coverage_bbox``, provenance…);
        ``file``, ``path`` and ``sha256`` are filled in here.
    write : callable
        ``write(tmp_path)`` writes the layer's file at a temporary path beside
        its final place (and raises on any failure).
    suffix : str
        The file extension, e.g. ``".geojson"`` or ``".gpkg"``.

    The file lands as ``<id>.<sha256[:12]><suffix>`` by ``os.replace``; the
    manifest is then rewritten atomically; only after that is a previous
    version of the layer deleted.  On any error (or Ctrl-C) the temporary file
    is removed and the previous layer and manifest are untouched.
    """
    layer_id = check_new_layer_id(entry["id"])
    directory = user_layers_dir(cache)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=directory, prefix=f".{layer_id}.", suffix=f".tmp{suffix}")
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write in {directory}: {exc.strerror or exc}") from exc
    tmp = Path(name)
    final: Path | None = None
    existed = False
    old_files: list[str] = []
    try:
        write(tmp)
        _readable(tmp)
        digest = sha256_file(tmp)
        final = directory / f"{layer_id}.{digest[:12]}{suffix}"
        existed = final.exists()
        os.replace(tmp, final)
        entry = dict(entry, file=final.name, path=str(final), sha256=digest, origin="user")

        def edit(doc: dict[str, Any]) -> None:
            layers = doc.setdefault("layers", [])
            old_files.extend(str(e.get("file")) for e in layers if e.get("id") == layer_id)
            for k, e in enumerate(layers):
                if e.get("id") == layer_id:
                    layers[k] = entry  # a layer fetched again keeps its place
                    break
            else:
                layers.append(entry)

        _edit_user_manifest(cache, edit)
    except BaseException:
        _unlink_quietly(tmp)
        if final is not None and not existed:
            _unlink_quietly(final)
        raise
    for old in old_files:
        if old != final.name:
            _unlink_quietly(directory / old)
    return _info_from_entry(entry, directory)


def remove_user_layer(layer_id: str, cache: str | os.PathLike[str] | None = None) -> None:
    """Forget a user layer and delete its file (and drop it from the user defaults)."""
    removed: list[dict[str, Any]] = []

    def edit(doc: dict[str, Any]) -> None:
        layers = doc.setdefault("layers", [])
        removed.extend(e for e in layers if e.get("id") == layer_id)
        if not removed:
            known = ", ".join(str(e.get("id")) for e in layers) or "none"
            raise UnknownLayerError(f"no user layer '{layer_id}' (user layers: {known})")
        doc["layers"] = [e for e in layers if e.get("id") != layer_id]
        if doc.get("default_zones"):
            doc["default_zones"] = [i for i in doc["default_zones"] if i != layer_id]

    _edit_user_manifest(cache, edit)
    for e in removed:
        _unlink_quietly(user_layers_dir(cache) / str(e.get("file")))


def set_user_defaults(layer_ids: Sequence[str],
                      cache: str | os.PathLike[str] | None = None) -> tuple[str, ...]:
    """Make *layer_ids* the default layers (empty: back to the bundled defaults).

    Every id must be a known zone layer (eez) or nested layer (eez_12nm,
    eez_24nm, eez_internal_waters); the order is the precedence.
    """
    ids = tuple(dict.fromkeys(layer_ids))

    def edit(doc: dict[str, Any]) -> None:
        kinds = {i.id: i.kind for i in bundled_manifest()}
        kinds.update({str(e.get("id")): str(e.get("kind")) for e in doc.get("layers", ())})
        for layer_id in ids:
            if layer_id not in kinds:
                raise UnknownLayerError(f"unknown layer '{layer_id}': the known layers are "
                                        f"{', '.join(kinds)} (see 'eezmap layers')")
            if kinds[layer_id] not in ZONE_KINDS + NESTED_KINDS:
                raise ArgumentError(f"layer '{layer_id}' is {_a(kinds[layer_id])} layer; defaults are zone "
                                    "layers (eez) and nested ones (eez_12nm, eez_24nm, eez_internal_waters)")
        if ids:
            doc["default_zones"] = list(ids)
        else:
            doc.pop("default_zones", None)

    _edit_user_manifest(cache, edit)
    return ids
