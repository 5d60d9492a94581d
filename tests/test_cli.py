"""Every command through the real entry point (python -m geo): output, JSON
contract, exit codes, one-line errors."""

from __future__ import annotations

import json

import pytest
from geographiclib.geodesic import Geodesic

from helpers import ROOT, assert_one_line_error, run, run_process
from _constants import ISLAND, ISLAND_ARGS

G = Geodesic.WGS84

WHERE_KEYS = {"query", "country", "answer", "status", "zone", "distance_to_boundary_km", "nearest_boundary", "layer"}
ZONE_KEYS = {"mrgid", "name", "pol_type", "sovereigns", "territory"}


def _check_contract(j, lat, lon):
    assert WHERE_KEYS <= set(j)
    assert j["query"] == {"lat": lat, "lon": lon}
    assert j["answer"] in ("yes", "no", "shared")
    assert j["status"] in ("eez", "overlapping_claim", "joint_regime", "land", "high_seas", "outside_coverage")
    assert j["zone"] is None or (set(j["zone"]) == ZONE_KEYS and isinstance(j["zone"]["mrgid"], int)
                                 and isinstance(j["zone"]["sovereigns"], list))
    assert j["distance_to_boundary_km"] is None or isinstance(j["distance_to_boundary_km"], float)
    assert isinstance(j["layer"]["id"], str) and isinstance(j["layer"]["version"], str)


@pytest.mark.parametrize("args,answer,status,mrgid,code", [
    (["24.28667", "153.98056"], "yes", "eez", 8487, 0),
    (["25.8", "123.5"], "shared", "overlapping_claim", 48954, 3),
    (["32", "128"], "shared", "joint_regime", 21796, 3),
    (["36", "150"], "no", "high_seas", None, 1),
    (["35.69", "139.69"], "no", "land", None, 1),
    (["36", "129.8"], "no", "eez", 8327, 1),
])
def test_where_json_contract_and_exit_codes(args, answer, status, mrgid, code):
    r = run("where", *args, "--json")
    assert r.code == code, r.err
    assert r.out.count("\n") == 1          # exactly one JSON object on stdout
    j = r.json()
    _check_contract(j, float(args[0]), float(args[1]))
    assert (j["answer"], j["status"]) == (answer, status)
    assert (j["zone"]["mrgid"] if j["zone"] else None) == mrgid
    assert j["country"] == "JPN"


def test_where_outside_coverage_json():
    r = run("where", "-33.9", "18.4", "--layer", "mr-v12-eez-nw-pacific", "--json")
    assert r.code == 1, r.err
    j = r.json()
    _check_contract(j, -33.9, 18.4)
    assert (j["status"], j["zone"], j["answer"]) == ("outside_coverage", None, "no")


def test_where_unknown_answer_exit_4_for_a_country_the_layer_cuts():
    r = run("where", "-33.9", "18.4", "--country", "RUS", "--layer", "mr-v12-eez-nw-pacific", "--json")
    assert r.code == 4 and r.json()["answer"] == "unknown"


def test_where_text_names_zone_sovereigns_distance_and_citation():
    r = run("where", "25.8", "123.5")
    assert r.code == 3
    for text in ("SHARED", "Overlapping claim Senkaku Islands", "Taiwan / Japan / China", "MRGID 48954",
                 "km", "NM", "mr-v12-eez-nw-pacific", "doi.org/10.14284/632"):
        assert text in r.out, text


def test_negative_numbers_are_input_not_options():
    assert run("where", "-33.9", "18.4", "--json").json()["query"] == {"lat": -33.9, "lon": 18.4}
    assert run("distance", "-33.9,18.4", "35,139", "--json").code == 0
    assert run("where", "--json", "-5", "-150").json()["query"] == {"lat": -5.0, "lon": -150.0}


def test_where_accepts_0_360_longitude_and_one_argument_and_dms():
    a = run("where", "24.3", "206", "--json").json()
    b = run("where", "24.3", "-154", "--json").json()
    assert (a["status"], a["zone"]) == (b["status"], b["zone"])
    assert a["query"] == {"lat": 24.3, "lon": -154.0}   # normalised to [-180, 180)
    c = run("where", "24.28667,153.98056", "--json").json()
    assert c["answer"] == "yes"
    d = run("where", "24°17′12″N", "153°58′50″E", "--json").json()
    assert d["answer"] == "yes" and abs(d["query"]["lat"] - (24 + 17 / 60 + 12 / 3600)) < 1e-9


@pytest.mark.parametrize("args,needle", [
    (["95", "10"], "out of range"),
    (["abc", "10"], "abc"),
    (["nan", "10"], "nan"),
    (["24.3"], "one value"),
    ([], "missing"),
    (["24", "154", "--country", "XYZ"], "unknown country"),
    (["24", "154", "--jsn"], "no such option"),
    (["24", "154", "--layer", "nope"], "unknown layer"),
    (["24", "154", "--layer", "ne-10m-land-nw-pacific"], "not a zone layer"),
])
def test_where_bad_input_one_line_exit_2(args, needle):
    r = run("where", *args)
    assert_one_line_error(r, 2)
    assert needle in r.err.lower()


def test_where_swapped_coordinates_hint():
    r = run("where", "153.98056", "24.28667")
    assert_one_line_error(r, 2)
    assert "swap" in r.err


@pytest.mark.parametrize("a,b", [
    ("minami-torishima", "rey-mud-area"),
    ("minami-torishima", "chikyu-2026-site"),
    ("-33.9,18.4", "35,139"),
    ("24.28667,153.98056", "24.3,206"),
])
def test_distance_matches_geographiclib(a, b):
    r = run("distance", a, b, "--json")
    assert r.code == 0, r.err
    j = r.json()
    assert set(j) >= {"from", "to", "distance_km", "distance_nm", "initial_bearing_deg"}
    ref = G.Inverse(j["from"]["lat"], j["from"]["lon"], j["to"]["lat"], j["to"]["lon"])
    assert j["distance_km"] == pytest.approx(ref["s12"] / 1000, abs=1e-5)
    assert j["distance_nm"] == pytest.approx(ref["s12"] / 1852, abs=1e-5)
    assert (j["initial_bearing_deg"] - ref["azi1"] % 360 + 180) % 360 - 180 == pytest.approx(0, abs=1e-5)


def test_distance_site_coordinates_are_the_published_ones():
    j = run("distance", "minami-torishima", "rey-mud-area", "--json").json()
    assert (j["from"]["lat"], j["from"]["lon"]) == ISLAND          # SITES_FACTS.md
    assert (j["to"]["lat"], j["to"]["lon"]) == pytest.approx(((21.8 + 22.25) / 2, (153.5 + 154 + 7 / 60) / 2))
    k = run("distance", "minami-torishima", "chikyu-2026-site", "--json").json()
    assert k["to"]["certainty"] == "approximate" and k["to"]["uncertainty_km"] > 0
    text = run("distance", "minami-torishima", "chikyu-2026-site").out
    assert "approximate" in text and "±71 km" in text


@pytest.mark.parametrize("args,needle", [
    (["nowhere", "rey-mud-area"], "unknown site"),
    (["95,10", "rey-mud-area"], "out of range"),
    (["rey-mud-area"], "missing"),
])
def test_distance_bad_input(args, needle):
    r = run("distance", *args)
    assert_one_line_error(r, 2)
    assert needle in r.err.lower()


def test_sites_lists_sources_and_marks_approximate():
    r = run("sites")
    assert r.code == 0
    for text in ("minami-torishima", "rey-mud-area", "chikyu-2026-site", "APPROXIMATE", "Takaya",
                 "doi:10.1038/s41598-018-23948-5"):
        assert text in r.out, text
    j = run("sites", "--json").json()
    chikyu = next(s for s in j["sites"] if s["id"] == "chikyu-2026-site")
    assert chikyu["certainty"] == "approximate" and chikyu["uncertainty_km"] == 71


def test_version_and_help():
    assert run_process("--version").out.startswith("eezmap")  # a real process: the smoke test
    h = run("--help")
    assert h.code == 0 and "where" in h.out and "Exit status" in h.out
    assert "0–360" in run("where", "--help").out


def test_export_to_stdout_pipes(tmp_path):
    r = run("export")
    assert r.code == 0, r.err
    fc = json.loads(r.out)
    assert fc["type"] == "FeatureCollection" and "crs" not in fc


def test_export_to_file_is_atomic_and_does_not_touch_other_files(tmp_path):
    out = tmp_path / "japan.geojson"
    r = run("export", "-o", str(out))
    assert r.code == 0 and out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["japan.geojson"]
    r = run("export", "-o", str(tmp_path))
    assert_one_line_error(r, 2)


def test_python_m_geo_and_console_script_agree():
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / "eezmap"
    if not exe.exists():
        exe = shutil.which("eezmap")
    if not exe:
        pytest.skip("the eezmap console script is not installed in this environment")
    p = subprocess.run([str(exe), "where", *ISLAND_ARGS, "--json"], capture_output=True, text=True,
                       cwd=ROOT)
    assert p.returncode == 0 and json.loads(p.stdout) == run("where", *ISLAND_ARGS, "--json").json()


def test_distance_reports_the_200nm_limit_around_the_island():
    # by hand: 251,091.6 m (geographiclib) / 1852 = 135.58 NM; 200 - 135.58 = 64.42 NM inside
    j = run("distance", "minami-torishima", "rey-mud-area", "--json").json()
    ref = G.Inverse(*ISLAND, j["to"]["lat"], j["to"]["lon"])["s12"]
    assert j["limit_200nm"]["inside"] is True
    assert j["limit_200nm"]["margin_nm"] == pytest.approx(200 - ref / 1852, abs=1e-5)
    assert "64.4 NM inside the 200 NM limit" in run("distance", "minami-torishima", "rey-mud-area").out
    assert run("distance", "0,150", "1,150", "--json").json()["limit_200nm"] is None


@pytest.mark.parametrize("args", [
    ["--version"],
    ["where", "24.28667", "153.98056"],           # yes, 0
    ["where", "35", "-150", "--json"],            # no, 1
    ["where", "91", "0"],                         # bad input, 2
    ["-q", "where", "24", "154", "--layer", "no-such-layer"],  # broken layer data, 5
    ["where", "--nope", "24", "154"],             # usage, 2
    ["export"],
])
def test_the_in_process_run_is_the_program(args):
    """helpers.run (CliRunner, in-process) gives what the program gives: status, stdout bytes, stderr."""
    inside, process = run(*args), run_process(*args)
    assert (inside.code, inside.out_bytes, inside.err) == (process.code, process.out_bytes, process.err)
    assert inside.code in (0, 1, 2, 5)
