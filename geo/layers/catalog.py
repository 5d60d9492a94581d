"""The layer manifests: what each layer is, and the bundled and user lists merged.

Every file is described in ``layers/manifest.json`` (source, version,
licence, citation, SHA-256, coverage, CRS).  Layers fetched or imported by the
user are described in ``<cache>/layers/manifest.json`` (:func:`user_manifest_path`)
with the same fields plus ``path``, ``origin: "user"`` and how they were
obtained.  :func:`manifest` lists the bundled layers first, then the user
layers, so ``layers=`` (``--layer``) takes either.

Default layers never change by themselves: they are the bundled manifest's
``default_zones`` unless the user chose others (``default_zones`` in the user
manifest, :func:`geo.layers.set_user_defaults`) or, for one shell,
``$EEZMAP_LAYERS_DEFAULT=ID,ID`` (which wins).  An explicit ``layers=`` wins
over both.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import _config
from .._threads import once
from ..enums import LayerKind
from ..errors import ArgumentError, LayerError, UnknownLayerError

#: Layer kinds that answer ``where`` (their zones name the point's zone).
ZONE_KINDS: tuple[str, ...] = (LayerKind.EEZ,)
#: Layer kinds nested inside an EEZ, innermost first (reported in ``where``'s ``zones`` list).
NESTED_KINDS: tuple[str, ...] = (LayerKind.EEZ_INTERNAL_WATERS, LayerKind.EEZ_12NM, LayerKind.EEZ_24NM)
#: Every kind a user layer may have (``eez_boundaries`` are lines, for maps).
USER_KINDS: tuple[str, ...] = ZONE_KINDS + NESTED_KINDS + (LayerKind.EEZ_BOUNDARIES,)
#: Environment variable naming the default layers for one shell (comma-separated ids).
DEFAULT_ENV = _config.DEFAULT_LAYERS_ENV


def layers_dir() -> Path:
    """The directory of bundled layers.

    ``$EEZMAP_LAYERS`` if set; else the package's ``geo._data`` (the
    repository's top-level ``layers/`` folder, which setuptools maps into the
    package: a wheel carries it, an editable install points at it); else
    ``<repo>/layers`` for a source tree used without installing.
    """
    path = _config.layers_dir_override() or _bundled_layers_dir()
    if not (path / "manifest.json").is_file():
        raise LayerError(
            f"no layer manifest at {path / 'manifest.json'}: reinstall eezmap "
            "(pip install eezmap, or pip install . from its repository) or set "
            "EEZMAP_LAYERS to a layers directory"
        )
    return path


@functools.cache
def _bundled_layers_dir() -> Path:
    from importlib.util import find_spec

    spec = find_spec("geo._data")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / "manifest.json").is_file():
            return Path(location)
    return Path(__file__).resolve().parent.parent.parent / "layers"


def cache_dir() -> Path:
    """Where derived, rebuildable files (layer and index caches) are kept.

    ``$EEZMAP_CACHE``, else ``$XDG_CACHE_HOME/eezmap``, else ``~/.cache/eezmap``
    (:func:`geo._config.cache_dir`).  Deleting it is always safe, except its
    ``layers/`` directory (:func:`user_layers_dir`): the layers the user
    fetched or added, which would have to be fetched or added again.
    """
    return _config.cache_dir()


def user_layers_dir(cache: str | os.PathLike[str] | None = None) -> Path:
    """Where fetched and imported layers and their manifest live: ``<cache>/layers``.

    *cache* defaults to :func:`cache_dir`.  Unlike the rest of the cache, this
    directory holds data: deleting it means fetching or adding the layers again.
    """
    return (Path(cache) if cache else cache_dir()) / "layers"


def user_manifest_path(cache: str | os.PathLike[str] | None = None) -> Path:
    """The user layer manifest: ``<cache>/layers/manifest.json``."""
    return user_layers_dir(cache) / "manifest.json"
@dataclass(frozen=True)
class LayerInfo:
    """One manifest entry: what a layer is and where it comes from."""

    id: str
    file: str
    title: str
    kind: str
    source_url: str
    version: str
    citation: str
    attribution: str
    licence: str
    sha256: str
    crs: str
    coverage_bbox: tuple[float, float, float, float]
    coarse: bool = False
    complete_sovereigns: tuple[str, ...] = ()
    doi: str | None = None
    crs_in_file: bool = True
    repair_invalid: bool = False
    columns: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    #: "bundled" (layers/) or "user" (fetched or imported, in user_layers_dir())
    origin: str = "bundled"
    #: the directory holding a user layer's file (None: the bundled layers directory)
    base_dir: str | None = None
    #: the layer holds only some zones of its box (one sovereign's): a point in
    #: none of its zones is left to the next layer instead of being "high seas"
    zones_only: bool = False

    @property
    def path(self) -> Path:
        if self.base_dir is not None:
            return Path(self.base_dir) / self.file
        return layers_dir() / self.file

    @property
    def user(self) -> bool:
        """Whether the layer was fetched or imported by the user (not bundled)."""
        return self.origin == "user"

    def covers(self, lon: Any, lat: Any) -> Any:
        """Whether (lon, lat) lies inside the layer's coverage box (scalars or arrays)."""
        w, s, e, n = self.coverage_bbox
        return (lon >= w) & (lon <= e) & (lat >= s) & (lat <= n)

    def as_dict(self) -> dict[str, Any]:
        """The manifest entry as JSON-ready data (used by ``eezmap layers --json``)."""
        d = {k: getattr(self, k) for k in (
            "id", "file", "title", "kind", "source_url", "version", "doi", "citation",
            "attribution", "licence", "sha256", "crs", "coverage_bbox", "coarse",
            "complete_sovereigns")}
        d["coverage_bbox"] = list(self.coverage_bbox)
        d["complete_sovereigns"] = list(self.complete_sovereigns)
        d["origin"] = self.origin
        if self.user:
            d["path"] = str(self.path)
            d["zones_only"] = self.zones_only
            d.update({k: v for k, v in self.extra.items() if k not in d and k != "path"})
        else:
            d.update({k: v for k, v in self.extra.items()
                      if k in ("licence_note", "processing", "wfs", "checked_against")})
        return d

    def ref(self) -> dict[str, str]:
        """The short reference every answer carries: ``{"id", "version"}``."""
        return {"id": self.id, "version": self.version}


_FIELDS = {f for f in LayerInfo.__dataclass_fields__}


@dataclass(frozen=True)
class Manifest:
    """The parsed ``layers/manifest.json``."""

    layers: tuple[LayerInfo, ...]
    default_zones: tuple[str, ...]
    #: where default_zones come from: "bundled", "user" (eezmap layers default) or DEFAULT_ENV
    default_source: str = "bundled"

    def __iter__(self) -> Iterator[LayerInfo]:
        return iter(self.layers)

    def get(self, layer_id: str) -> LayerInfo:
        for info in self.layers:
            if info.id == layer_id:
                return info
        known = ", ".join(i.id for i in self.layers)
        raise UnknownLayerError(f"unknown layer '{layer_id}': the known layers are {known} "
                                "(see 'eezmap layers')")


def _info_from_entry(entry: dict[str, Any], base_dir: Path | None = None) -> LayerInfo:
    known = {k: v for k, v in entry.items() if k in _FIELDS and k not in ("origin", "base_dir")}
    if base_dir is not None:  # a user entry: only what identifies the file is required
        for name in ("title", "source_url", "version", "citation", "licence"):
            known.setdefault(name, entry.get("id", "") if name == "title" else "")
        known.setdefault("attribution", known.get("citation", ""))
        known.setdefault("crs", "EPSG:4326")
        known["origin"] = "user"
        known["base_dir"] = str(base_dir)
    known["coverage_bbox"] = tuple(float(x) for x in entry["coverage_bbox"])
    known["complete_sovereigns"] = tuple(entry.get("complete_sovereigns") or ())
    known["extra"] = {k: v for k, v in entry.items() if k not in _FIELDS}
    return LayerInfo(**known)


@once
def _read_manifest(path: Path) -> Manifest:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        infos = [_info_from_entry(entry) for entry in raw["layers"]]
        return Manifest(tuple(infos), tuple(raw.get("default_zones", ())))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LayerError(f"layer manifest {path} is unreadable: {exc}") from exc


@functools.lru_cache(maxsize=16)  # a pure parse: computing it twice at once is harmless
def _read_user_manifest(path: Path, data: bytes) -> tuple[tuple[LayerInfo, ...], tuple[str, ...]]:
    """The user manifest's layers and default ids, parsed from its bytes *data* (the cache key)."""
    try:
        raw = json.loads(data.decode("utf-8"))
        infos = tuple(_info_from_entry(entry, path.parent) for entry in raw.get("layers", ()))
        return infos, tuple(raw.get("default_zones") or ())
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LayerError(f"user layer manifest {path} is unreadable: {exc}; fix it, or delete it and "
                         "fetch or add the layers again") from exc


_MERGED: dict[tuple[Any, ...], tuple[Manifest, Manifest]] = {}


def manifest() -> Manifest:
    """Every known layer: the bundled manifest's, then the user manifest's.

    ``default_zones`` is the effective default: ``$EEZMAP_LAYERS_DEFAULT``, else
    the user manifest's (``eezmap layers default``), else the bundled one.
    """
    bundled = bundled_manifest()
    upath = user_manifest_path()
    try:  # keyed by content, not mtime: two edits within one clock tick are still told apart
        stamp: bytes | None = upath.read_bytes()
    except OSError:
        stamp = None
    env = _config.default_layers()
    if stamp is None and not env:
        return bundled
    key = (id(bundled), str(upath), stamp, env)
    hit = _MERGED.get(key)
    if hit is not None and hit[0] is bundled:
        return hit[1]
    user, user_default = _read_user_manifest(upath, stamp) if stamp is not None else ((), ())
    bundled_ids = {i.id for i in bundled}
    for info in user:
        if info.id in bundled_ids:
            raise LayerError(f"user layer manifest {upath}: layer id '{info.id}' is also a bundled "
                             f"layer; remove it (eezmap layers remove {info.id}) and add it under another id")
    if env:
        default, source = env, DEFAULT_ENV
    elif user_default:
        default, source = user_default, "user"
    else:
        default, source = bundled.default_zones, "bundled"
    merged = Manifest(bundled.layers + user, default, source)
    if len(_MERGED) > 32:
        _MERGED.clear()
    _MERGED[key] = (bundled, merged)
    return merged


def bundled_manifest() -> Manifest:
    """The bundled manifest alone (``layers/manifest.json``), without the user's layers."""
    bundled: Manifest = _read_manifest(layers_dir() / "manifest.json")
    return bundled


def user_layers() -> tuple[LayerInfo, ...]:
    """The layers the user fetched or added (see :func:`manifest`)."""
    return tuple(i for i in manifest() if i.user)


def land_for(zone_layer: LayerInfo) -> str:
    """The land layer that goes with a zone layer (same coverage when possible)."""
    candidates = [i for i in manifest() if i.kind == "land"]
    for info in candidates:
        if info.coverage_bbox == zone_layer.coverage_bbox:
            return info.id
    return max(candidates, key=lambda i: _bbox_area(i.coverage_bbox)).id


def _bbox_area(b: Sequence[float]) -> float:
    return (b[2] - b[0]) * (b[3] - b[1])


def require_kind(info: LayerInfo, kinds: Sequence[str], what: str, hint: str = "") -> LayerInfo:
    """*info* if its kind is one of *kinds*; else :class:`~geo.errors.ArgumentError` (bad input, exit 2).

    Every loader refuses a layer of the wrong kind with this one error, so the
    same wrong ``layers=`` gives the same exit status on every path.
    """
    if info.kind not in kinds:
        raise ArgumentError(f"layer '{info.id}' is {_a(info.kind)} layer, not {what}"
                             + (f": {hint}" if hint else ""))
    return info


def _a(word: str) -> str:
    """'a zone', 'an attributes' (the article a layer kind takes)."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def layer_ids_argument(layer_ids: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """A library call's *layers*: None (the defaults), one id as a string, or a non-empty sequence."""
    if layer_ids is None:
        return None
    ids = (layer_ids,) if isinstance(layer_ids, str) else tuple(layer_ids)
    if not ids:
        raise ArgumentError("no layers: give at least one layer id, or None for the default layers")
    return ids


def resolve_layers(layer_ids: str | Sequence[str] | None = None) -> tuple[str, ...]:
    """The zone (EEZ) layers to answer with, most detailed first.

    Default: the effective ``default_zones`` (see :func:`manifest`).  Nested
    layers (12 NM, 24 NM, internal waters) may be named too: they are left out
    here (:func:`geo.nesting.nested_layers` takes them), and when only nested
    layers are named the default EEZ layers answer.
    """
    m = manifest()
    given_ids = layer_ids_argument(layer_ids)
    ids = given_ids if given_ids else m.default_zones
    for layer_id in ids:
        info = m.get(layer_id)
        require_kind(info, ZONE_KINDS + NESTED_KINDS, "a zone layer",
                     hint="'eezmap layers' lists the zone layers")
    zone_ids = tuple(i for i in ids if m.get(i).kind in ZONE_KINDS)
    if not zone_ids and layer_ids:
        return resolve_layers(None)
    if not zone_ids:  # defaults naming only nested layers: the bundled EEZ layers answer
        zone_ids = tuple(i for i in bundled_manifest().default_zones)
    return zone_ids

