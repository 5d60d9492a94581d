"""Bundled and user layers: the manifests, checksums and loading.

This package is the only code that reads the files in ``layers/`` and the
user's layers.  Every file is described in ``layers/manifest.json`` (source,
version, licence, citation, SHA-256, coverage, CRS); :func:`load_zones`,
:func:`load_land` and :func:`geo.sites.load_sites` verify a file against its
entry before use and raise :class:`~geo.errors.LayerError` with one clear
sentence when the file is missing, its checksum differs, its CRS is not
EPSG:4326 or a geometry is invalid.

Modules
-------
:mod:`~geo.layers.catalog`
    the manifest model, the bundled and user lists merged, default layers
:mod:`~geo.layers.load`
    verification (checksums, once per file version), the vector reader, the WKB cache
:mod:`~geo.layers.zonetable`
    zone layers as arrays (:class:`Zones`)
:mod:`~geo.layers.polygons`
    the seabed and coastline polygon layers
:mod:`~geo.layers.user`
    writing user layers and the user manifest, under a lock
:mod:`~geo.layers.fetch`, :mod:`~geo.layers.importer`
    Marine Regions' WFS, official downloads (``eezmap layers fetch`` / ``add``)
:mod:`~geo.layers.marineregions`, :mod:`~geo.layers.antimeridian`, :mod:`~geo.layers._http`
    Marine Regions' schema, zones across 180°, the HTTP client

Example
-------
>>> from geo.layers import load_zones
>>> zones = load_zones("mr-v12-eez-nw-pacific")
>>> zones.layer.version
'12 (2023)'
"""

from __future__ import annotations

from .catalog import (
    DEFAULT_ENV,
    NESTED_KINDS,
    USER_KINDS,
    ZONE_KINDS,
    LayerInfo,
    Manifest,
    bundled_manifest,
    cache_dir,
    land_for,
    layer_ids_argument,
    layers_dir,
    manifest,
    require_kind,
    resolve_layers,
    user_layers,
    user_layers_dir,
    user_manifest_path,
)
from .load import (
    LAND_CACHE_FORMAT,
    load_attributes,
    load_land,
    prebuilt_file,
    prebuilt_folder,
    sha256_file,
    verify,
)
from .user import check_new_layer_id, install_user_layer, remove_user_layer, set_user_defaults
from .zonetable import CACHE_FORMAT, Zones, load_zones

__all__ = [
    "CACHE_FORMAT", "DEFAULT_ENV", "LAND_CACHE_FORMAT", "NESTED_KINDS", "USER_KINDS", "ZONE_KINDS",
    "LayerInfo", "Manifest", "Zones",
    "bundled_manifest", "cache_dir", "check_new_layer_id", "install_user_layer", "land_for",
    "layer_ids_argument", "layers_dir", "load_attributes", "load_land", "load_zones", "manifest",
    "remove_user_layer", "require_kind", "resolve_layers", "set_user_defaults", "sha256_file",
    "user_layers", "user_layers_dir", "user_manifest_path", "verify", "prebuilt_file", "prebuilt_folder",
]
