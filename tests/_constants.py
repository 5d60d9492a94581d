"""Constants shared by the tests: places, ids and paths, written down once.

Every value here comes from a source outside the code under test: the published
coordinates (layers/sites.geojson cites them; SITES_FACTS.md), Marine Regions'
MRGIDs, and the source files delivered in ``../shared/data`` beside the checkout.
Tests that need the source files skip with :data:`needs_shared` when they are not
there; there is no fallback to a path on one machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: the checkout (the directory holding ``geo/`` and ``tests/``)
ROOT = Path(__file__).resolve().parent.parent
#: the source files as delivered (../shared/data beside the checkout)
SHARED = ROOT.parent / "shared" / "data"
#: skip a test that reads the source files when they are not beside the checkout
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data (the source files) is not here")

# --- places (latitude, longitude), decimal degrees ----------------------------------------

#: Minami-Torishima (Marcus Island): English Wikipedia infobox 24°17′12″N 153°58′50″E (GSI)
ISLAND_LAT, ISLAND_LON = 24.28667, 153.98056
ISLAND = (ISLAND_LAT, ISLAND_LON)
#: the same, as a user types it on the command line
ISLAND_ARGS = ("24.28667", "153.98056")
ISLAND_DMS = ("24°17′12″N", "153°58′50″E")

#: the rare-earth mud research frame (Takaya et al. 2018): 21°48′–22°15′N, 153°30′–154°07′E
#: as (south, north, west, east)
MUD_FRAME = (21.8, 22.25, 153.5, 154 + 7 / 60)
#: the frame's centre (its representative point)
MUD_CENTRE = (22.025, 153.80833)

#: the Chikyu 2026 lifting site: reported "about 150 km south-east" of the island, so the
#: marker is 150 km at bearing 135° from it (geodesic), ±71 km
CHIKYU_FROM_ISLAND_KM = 150.0
CHIKYU_BEARING_DEG = 135.0
CHIKYU_UNCERTAINTY_KM = 71

# --- Marine Regions zone ids (MRGID) --------------------------------------------------------

JAPAN_EEZ = 8487          # Japanese Exclusive Economic Zone
JP_KR_JOINT = 21796       # Joint regime area Japan / South Korea
KOREA_EEZ = 8327          # South Korean Exclusive Economic Zone
SENKAKU = 48954           # Overlapping claim Senkaku Islands: Taiwan / Japan / China
