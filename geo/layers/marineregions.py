"""What Marine Regions publishes: products, versions, citations and column names.

Shared by the WFS client (:mod:`geo.layers.fetch`) and the file importer
(:mod:`geo.layers.importer`): which WFS type name holds which kind of zone, the
version the GeoServer serves, the DOI and citation of each version (the
citation is a licence condition of CC BY 4.0), and the attribute columns
under their v10, v11 and v12 spellings.

Example
-------
>>> citation("eez_12nm")[1]
'10.14284/633'
>>> detect_columns(["MRGID", "GeoName", "Pol_type", "Sovereign1", "Area_km2"], "eez")[0]["name"]
'GeoName'
>>> pol_type_status("Disputed"), pol_type_status("Overlapping claim")
('overlapping_claim', 'overlapping_claim')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

WFS_URL = "https://geo.vliz.be/geoserver/MarineRegions/wfs"
DOWNLOADS_URL = "https://www.marineregions.org/downloads.php"
LICENCE = "CC-BY-4.0"
DISCLAIMER = "Not for legal or navigational use (Marine Regions' disclaimer)."


@dataclass(frozen=True)
class Product:
    """One Marine Regions data product (a WFS layer and its downloads)."""

    kind: str
    type_name: str
    title: str
    short: str
    current: int                 # the version the WFS serves
    sort_by: str                 # a stable attribute to page by
    geometry: str                # "polygon" or "line"
    versions: dict[int, tuple[int, str]] = field(default_factory=dict)  # version -> (year, doi)


PRODUCTS: dict[str, Product] = {
    "eez": Product(
        "eez", "MarineRegions:eez",
        "Maritime Boundaries and Exclusive Economic Zones (200NM)", "World EEZ", 12, "mrgid", "polygon",
        {12: (2023, "10.14284/632"), 11: (2019, "10.14284/386"), 10: (2018, "10.14284/312")}),
    "eez_12nm": Product(
        "eez_12nm", "MarineRegions:eez_12nm",
        "Territorial Seas (12NM)", "World 12 NM zones (territorial seas)", 4, "mrgid", "polygon",
        {4: (2023, "10.14284/633"), 3: (2019, "10.14284/387")}),
    "eez_24nm": Product(
        "eez_24nm", "MarineRegions:eez_24nm",
        "Contiguous Zones (24NM)", "World 24 NM zones (contiguous zones)", 4, "mrgid", "polygon",
        {4: (2023, "10.14284/630"), 3: (2019, "10.14284/384")}),
    "eez_internal_waters": Product(
        "eez_internal_waters", "MarineRegions:eez_internal_waters",
        "Internal Waters", "World internal waters", 4, "mrgid", "polygon",
        {4: (2023, "10.14284/631")}),
    "eez_boundaries": Product(
        "eez_boundaries", "MarineRegions:eez_boundaries",
        "Maritime Boundaries and Exclusive Economic Zones (200NM)", "World EEZ boundary lines", 12,
        "line_id", "line", {12: (2023, "10.14284/632"), 11: (2019, "10.14284/386")}),
}

#: Human names of the kinds, innermost first (for text output).
KIND_LABELS = {
    "eez_internal_waters": "internal waters",
    "eez_12nm": "territorial sea (12 NM)",
    "eez_24nm": "contiguous zone (24 NM)",
    "eez": "EEZ (200 NM)",
    "high_seas": "high seas",
    "eez_boundaries": "EEZ boundary lines",
}


def citation(kind: str, version: int | None = None) -> tuple[str, str | None]:
    """The citation Marine Regions asks for, and the DOI, of a product version.

    *version* defaults to the version the WFS serves.  A version whose DOI
    is not recorded here is cited without one.
    """
    product = PRODUCTS[kind]
    v = product.current if version is None else version
    year, doi = product.versions.get(v, (None, None))
    lines = " (including the boundary polylines)" if product.geometry == "line" else ""
    head = f"Flanders Marine Institute ({year})." if year else "Flanders Marine Institute."
    text = (f"{head} Maritime Boundaries Geodatabase: {product.title}{lines}, version {v}. "
            "Available online at https://www.marineregions.org/.")
    if doi:
        text += f" https://doi.org/{doi}."
    return text, doi


def citation_unknown_version(kind: str) -> str:
    """The citation of a copy whose version nobody stated: no version, no DOI guessed."""
    product = PRODUCTS[kind]
    lines = " (including the boundary polylines)" if product.geometry == "line" else ""
    return (f"Flanders Marine Institute. Maritime Boundaries Geodatabase: {product.title}{lines}, "
            "version unknown (give --version). Available online at https://www.marineregions.org/.")


def attribution(kind: str, version: int | None = None) -> str:
    """A short credit line for maps and exports."""
    product = PRODUCTS[kind]
    v = product.current if version is None else version
    year, doi = product.versions.get(v, (None, None))
    parts = [f"{product.short} v{v}: Flanders Marine Institute" + (f" ({year})" if year else ""),
             "Marine Regions"] + ([f"doi:{doi}"] if doi else [])
    return ", ".join(parts) + " (CC BY 4.0)"


# --- columns ---------------------------------------------------------------------------

#: canonical name -> the key it has in a layer manifest's "columns" mapping
_CANONICAL = {
    "mrgid": "mrgid", "geoname": "name", "pol_type": "pol_type",
    "territory1": "territory", "iso_ter1": "iso_ter1", "iso_sov1": "iso_sov1", "area_km2": "area_km2",
}
#: how the columns are spelled in v10 (e.g. GeoName, Area_km2), v11 (upper case) and v12 (lower case)
SPELLINGS = {
    "mrgid": "MRGID", "geoname": "GeoName", "pol_type": "Pol_type",
    "sovereign1": "Sovereign1", "sovereign2": "Sovereign2", "sovereign3": "Sovereign3",
    "territory1": "Territory1", "iso_ter1": "ISO_Ter1", "iso_sov1": "ISO_SOV1", "area_km2": "AREA_KM2",
}
#: the column order of an imported layer
CANONICAL_COLUMNS = tuple(SPELLINGS)


def required_columns(kind: str) -> tuple[str, ...]:
    """The columns a zone layer of *kind* must have (canonical, lower-case names)."""
    base = ("mrgid", "geoname", "sovereign1")
    return base + ("pol_type",) if kind == "eez" else base


def detect_columns(names: Iterable[str], kind: str) -> tuple[dict[str, Any], list[str]]:
    """Map a file's attribute names to the manifest's ``columns`` (case-insensitive).

    Returns ``(columns, missing)``: *columns* as in ``layers/manifest.json``
    (``{"mrgid": "MRGID", "name": "GeoName", "sovereigns": [...], ...}``, the
    file's own spellings), and *missing*, the required columns not found,
    spelled for a message (``"GeoName (geoname)"``).
    """
    by_lower: dict[str, str] = {}
    for name in names:
        by_lower.setdefault(str(name).lower(), str(name))
    found = {canon: by_lower[canon] for canon in SPELLINGS if canon in by_lower}
    missing = [f"{SPELLINGS[c]} ({c})" for c in required_columns(kind) if c not in found]
    columns: dict[str, Any] = {key: found[canon] for canon, key in _CANONICAL.items() if canon in found}
    columns["sovereigns"] = [found[c] for c in ("sovereign1", "sovereign2", "sovereign3") if c in found]
    return columns, missing


# --- zone types ----------------------------------------------------------------------------

#: Every value of a World EEZ layer's type column (``Pol_type``/``POL_TYPE``/``pol_type``)
#: in Marine Regions v8–v12, and the status it means.  v8–v10 spell an overlapping
#: claim ``Disputed`` (the bundled v10 file has 31); v11 and v12 ``Overlapping claim``
#: (v12's attribute table, mr_v12_eez_attributes_world.csv, has 35).  ``200NM`` and
#: ``Joint regime`` are spelled alike in every version.  Matched case-insensitively,
#: spaces trimmed; any other value is refused, never guessed.
POL_TYPES: dict[str, str] = {
    "200NM": "eez",
    "Disputed": "overlapping_claim",
    "Overlapping claim": "overlapping_claim",
    "Joint regime": "joint_regime",
}
_POL_STATUS = {k.lower(): v for k, v in POL_TYPES.items()}


def pol_type_status(pol_type: str) -> str:
    """The status (``eez``, ``overlapping_claim``, ``joint_regime``) of a zone type value.

    Raises ``ValueError`` for a value that no Marine Regions version uses
    (:func:`unknown_pol_types` finds them in a whole column first).
    """
    status = _POL_STATUS.get(" ".join(str(pol_type).split()).lower())
    if status is None:
        raise ValueError(f"zone type '{pol_type}' is not one Marine Regions uses "
                         f"({', '.join(POL_TYPES)})")
    return status


def unknown_pol_types(values: Iterable[Any]) -> dict[str, int]:
    """The values of a type column that no Marine Regions version uses, with their counts."""
    out: dict[str, int] = {}
    for v in values:
        text = "" if v is None else str(v)
        if " ".join(text.split()).lower() not in _POL_STATUS:
            out[text] = out.get(text, 0) + 1
    return out


def describe_unknown_pol_types(unknown: dict[str, int], column: str) -> str:
    """One clause for an error message: which values, how many features, what is known."""
    shown = ", ".join(f"{repr(v) if v.strip() else 'an empty value'} ({n} feature{'s' if n > 1 else ''})"
                      for v, n in list(unknown.items())[:5])
    more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
    return (f"its zone type column {column} holds {shown}{more}, which no Marine Regions version (v8–v12) "
            f"uses; known values: {', '.join(POL_TYPES)}")
