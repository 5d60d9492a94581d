"""``eezmap layers fetch`` against a WFS on loopback that answers like Marine Regions' GeoServer.

The server (:mod:`wfs_replay`: http.server in a thread, 127.0.0.1, port 0)
replays the responses of geo.vliz.be recorded in ``tests/data/wfs/``: the
capabilities, each type's DescribeFeatureType, HTTP 400 "Illegal property
name" for a column the type does not have, the CQL BBOX read with
GeoServer's axis rule; ``MarineRegions:eez`` serves the features of the
bundled v12 extract.  Faults are injected per request: HTTP 500, a body cut
short, a stalled connection, an HTML page, an OGC exception report, a short
count, bytes that are not UTF-8.

Expected values come from the bundled file and the recordings themselves
(PROVENANCE.md lists Japan's five features), never from the fetch code.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from helpers import ROOT, assert_one_line_error, run
from _constants import ISLAND_ARGS
from wfs_replay import WFS, Server

SOURCE = ROOT / "layers" / "mr_v12_eez_nw_pacific.geojson"
#: tests/test_layers.py and PROVENANCE.md: the features Japan is party to
JAPAN_MRGIDS = {8487, 48950, 48954, 21796, 48955}


@pytest.fixture
def wfs():
    server = Server()
    try:
        yield server.state
    finally:
        server.close()


@pytest.fixture
def env(tmp_path):
    return {"EEZMAP_CACHE": str(tmp_path / "cache"), "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost", "http_proxy": "", "HTTP_PROXY": ""}


def mrgids_intersecting(box, sovereign=None):
    """MRGIDs of the bundled extract's zones that intersect a (W, S, E, N) box (shapely, not the fetch code)."""
    import shapely.geometry

    doc = json.loads(SOURCE.read_text(encoding="utf-8"))
    b = shapely.geometry.box(*box)
    return {f["properties"]["mrgid"] for f in doc["features"]
            if shapely.geometry.shape(f["geometry"]).intersects(b)
            and (sovereign is None or sovereign in {f["properties"].get(k) for k in
                                                    ("sovereign1", "sovereign2", "sovereign3")})}


FAST = ("--timeout", "0.5", "--retries", "1", "--backoff", "0.01")


def fetch(wfs: WFS, env: dict, *args: str):
    return run("layers", "fetch", "--url", wfs.url, "--sovereign", "Japan", "--page-size", "2", *FAST, *args,
               env=env)


def user_manifest(env: dict) -> dict:
    return json.loads((Path(env["EEZMAP_CACHE"]) / "layers" / "manifest.json").read_text())


def layer_dir(env: dict) -> Path:
    return Path(env["EEZMAP_CACHE"]) / "layers"


def stray_files(env: dict) -> list[str]:
    """Temporary files left in the user layers directory (the lock file is not one)."""
    return sorted(p.name for p in layer_dir(env).iterdir()
                  if (p.name.startswith(".") and p.name != ".manifest.lock") or ".tmp" in p.name)


# --- a good fetch ------------------------------------------------------------------------

def test_pages_are_requested_in_order_and_assembled(wfs, env):
    r = fetch(wfs, env, "--id", "jp-wfs")
    assert r.code == 0, r.err
    # the layer's schema first, once, then five features in pages of two: startIndex 0, 2, 4
    assert [(q["request"], q.get("typeName")) for q in wfs.requests[:1]] == [
        ("DescribeFeatureType", "MarineRegions:eez")]
    assert len(wfs.requests) == 4
    assert [q.get("startIndex") for q in wfs.getfeatures()] == ["0", "2", "4"]
    for q in wfs.getfeatures():
        assert q["service"] == "WFS" and q["version"] == "2.0.0" and q["request"] == "GetFeature"
        assert q["typeNames"] == "MarineRegions:eez" and q["outputFormat"] == "application/json"
        assert q["count"] == "2" and q["srsName"] == "EPSG:4326"
        assert q["CQL_FILTER"] == "(sovereign1='Japan' OR sovereign2='Japan' OR sovereign3='Japan')"
    [entry] = user_manifest(env)["layers"]
    path = Path(entry["path"])
    doc = json.loads(path.read_text())
    assert {f["properties"]["mrgid"] for f in doc["features"]} == JAPAN_MRGIDS
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
    assert path.name == f"jp-wfs.{entry['sha256'][:12]}.geojson"
    assert entry["kind"] == "eez" and entry["origin"] == "user"
    assert entry["doi"] == "10.14284/632" and "version 12" in entry["citation"]
    assert re.fullmatch(r"12 \(WFS, retrieved \d{4}-\d\d-\d\d\)", entry["version"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["retrieved"])
    assert entry["source_url"].startswith(wfs.url + "?") and "startIndex" not in entry["source_url"]
    assert "CQL_FILTER=" in entry["source_url"]
    assert entry["complete_sovereigns"] == ["JPN"] and entry["zones_only"] is True
    assert entry["wfs"]["pages"] == 3 and entry["wfs"]["number_matched"] == 5
    w, s, e, n = entry["coverage_bbox"]
    assert 120 < w < 125 and 17 < s < 21 and 153 < e < 160 and 45 < n < 50  # Japan's zones
    assert stray_files(env) == []

    # the fetched layer answers, and names itself
    a = run("where", *ISLAND_ARGS, "--layer", "jp-wfs", "--json", "--no-distance", env=env)
    assert a.code == 0, a.err
    j = a.json()
    assert j["answer"] == "yes" and j["zone"]["mrgid"] == 8487
    assert j["layer"]["id"] == "jp-wfs" and j["layer"]["version"] == entry["version"]
    # listed, marked user, and verified with the bundled ones
    lst = run("layers", "--verify", env=env)
    assert lst.code == 0, lst.err
    bundled = len(json.loads((ROOT / "layers" / "manifest.json").read_text(encoding="utf-8"))["layers"])
    assert "jp-wfs  [eez, user]" in lst.out and f"all {bundled + 1} layer files match" in lst.out


def test_a_sovereign_layer_answers_only_in_its_zones(wfs, env):
    assert fetch(wfs, env, "--id", "jp-only").code == 0
    # Korea's EEZ, inside the Japan layer's box but in none of its zones: the next layer answers
    a = run("where", "36.5", "129.9", "--country", "KOR", "--layer", "jp-only", "--layer", "mr-v12-eez-nw-pacific",
            "--json", "--no-distance", env=env).json()
    assert a["layer"]["id"] == "mr-v12-eez-nw-pacific" and a["answer"] == "yes"
    # alone, it cannot say for Korea; for Japan it is complete, so the answer is no
    kor = run("where", "36.5", "129.9", "--country", "KOR", "--layer", "jp-only", "--json", env=env)
    jpn = run("where", "36.5", "129.9", "--country", "JPN", "--layer", "jp-only", "--json", env=env)
    assert (kor.code, kor.json()["status"]) == (4, "outside_coverage")
    assert (jpn.code, jpn.json()["answer"]) == (1, "no")


def test_bbox_query_and_default_id(wfs, env):
    r = run("layers", "fetch", "--url", wfs.url, "--bbox", "150,20,160,30", *FAST, "--json", env=env)
    assert r.code == 0, r.err
    [info] = r.json()["layers"]
    assert info["id"] == "mr-wfs-eez-bbox-150_20_160_30"
    # the box goes with its CRS, longitude first: never left to the server's default axis order
    [q] = wfs.getfeatures()
    assert q["CQL_FILTER"] == "BBOX(the_geom,150,20,160,30,'CRS:84')" and "bbox" not in q
    assert info["coverage_bbox"] == [150.0, 20.0, 160.0, 30.0] and info["zones_only"] is False
    expected = mrgids_intersecting((150, 20, 160, 30))
    doc = json.loads(Path(info["path"]).read_text())
    assert {f["properties"]["mrgid"] for f in doc["features"]} == expected and 8487 in expected


def test_a_transient_500_is_retried(wfs, env):
    wfs.faults = {2: "500"}  # the second page fails once (request 0 is the DescribeFeatureType)
    r = fetch(wfs, env, "--id", "jp-retry")
    assert r.code == 0, r.err
    assert [q.get("startIndex") for q in wfs.getfeatures()] == ["0", "2", "2", "4"]
    assert len(json.loads(Path(user_manifest(env)["layers"][0]["path"]).read_text())["features"]) == 5


def test_progress_and_backoff_are_bounded(wfs, tmp_path, monkeypatch):
    from geo.layers import _http
    from geo.layers.fetch import fetch_layer

    monkeypatch.setenv("EEZMAP_CACHE", str(tmp_path / "c"))
    wfs.faults = {0: "500", 1: "500"}
    sleeps, seen = [], []
    monkeypatch.setattr(_http, "_sleep", lambda s: sleeps.append(s))
    info = fetch_layer("eez", sovereign="Japan", url=wfs.url, page_size=2, timeout=2, retries=3,
                       backoff=0.5, cache=tmp_path / "c", progress=lambda done, total: seen.append((done, total)))
    assert info.id == "mr-wfs-eez-japan" and info.user
    assert sleeps == [0.5, 1.0]          # exponential
    assert seen == [(2, 5), (4, 5), (5, 5)]
    import io

    from geo._progress import Progress

    stream = io.StringIO()
    bar = Progress("features", enabled=True, stream=stream)
    fetch_layer("eez", sovereign="Japan", url=wfs.url, page_size=2, timeout=2, retries=3, backoff=0.5,
                cache=tmp_path / "c", layer_id="jp-bar", progress=bar)
    assert (bar.done, bar.total) == (5, 5)
    assert _http.MAX_BACKOFF == 30.0
    wfs.fault_from, wfs.fault_kind = 0, "500"
    sleeps.clear()
    with pytest.raises(Exception) as e:
        fetch_layer("eez", sovereign="Japan", url=wfs.url, page_size=2, timeout=2, retries=8,
                    backoff=10.0, cache=tmp_path / "c", layer_id="never")
    assert e.value.exit_code == 6
    assert sleeps == [10.0, 20.0, 30.0, 30.0, 30.0, 30.0, 30.0, 30.0]  # capped, and finite


# --- faults after a good fetch: the cached layer survives --------------------------------

FAULTS = {
    # fault, the request it starts at (0 is the DescribeFeatureType), words the error must contain
    "500": (2, ["HTTP 500", "gave up after 2 attempts"]),
    "truncate": (2, ["cut short"]),
    "stall": (2, ["timed out", "0.5 s"]),
    "html": (1, ["text/html", "Service maintenance"]),
    "xml": (1, ["reported an error", "Feature type MarineRegions:eez unknown"]),
    "short": (1, ["incomplete", "6 features match but sent 5"]),
    "ignore-start": (1, ["twice", "startIndex"]),
    "bad-utf8": (1, ["not valid UTF-8", "byte 0xe9"]),
    # the schema itself fails
    "html-schema": (0, ["text/html", "Service maintenance"]),
    "xml-schema": (0, ["reported an error", "Feature type MarineRegions:eez unknown"]),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_failed_fetch_never_replaces_the_cached_layer(wfs, env, fault):
    assert fetch(wfs, env, "--id", "jp").code == 0
    manifest_before = (layer_dir(env) / "manifest.json").read_bytes()
    entry = user_manifest(env)["layers"][0]
    layer_before = Path(entry["path"]).read_bytes()
    files_before = sorted(p.name for p in layer_dir(env).iterdir())

    wfs.requests.clear()
    start, words = FAULTS[fault]
    wfs.fault_from, wfs.fault_kind = start, fault.replace("-schema", "")
    t0 = time.monotonic()
    r = fetch(wfs, env, "--id", "jp")
    assert_one_line_error(r, 6)
    for w in words:
        assert w in r.err, (w, r.err)
    assert wfs.url.split("//")[1].split("/")[0] in r.err  # says which server
    if fault == "stall":
        assert time.monotonic() - t0 < 30
    # byte-for-byte the same layer and manifest, and no temporary file
    assert Path(entry["path"]).read_bytes() == layer_before
    assert (layer_dir(env) / "manifest.json").read_bytes() == manifest_before
    assert sorted(p.name for p in layer_dir(env).iterdir()) == files_before
    assert stray_files(env) == []
    # and it still answers
    a = run("where", "24.3", "154", "--layer", "jp", "--no-distance", env=env)
    assert a.code == 0, a.err


def test_a_server_that_is_gone_is_a_network_error(wfs, env, tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = run("layers", "fetch", "--url", f"http://127.0.0.1:{port}/wfs", "--sovereign", "Japan", *FAST, env=env)
    assert_one_line_error(r, 6)
    assert "cannot connect" in r.err
    assert not (layer_dir(env) / "manifest.json").exists()


def test_fetching_again_replaces_the_old_version(wfs, env):
    assert fetch(wfs, env, "--id", "jp").code == 0
    old = user_manifest(env)["layers"][0]
    wfs.features = [f for f in wfs.features if f["properties"]["mrgid"] != 48955]  # the layer changed
    assert fetch(wfs, env, "--id", "jp").code == 0
    [new] = user_manifest(env)["layers"]
    assert new["sha256"] != old["sha256"] and new["feature_count"] == 4
    assert not Path(old["path"]).exists() and Path(new["path"]).exists()
    assert stray_files(env) == []


# --- bad arguments: exit 2 ---------------------------------------------------------------

@pytest.mark.parametrize("args, words", [
    (["--bbox", "1,2,3"], "four numbers"),
    (["--bbox", "160,20,150,30"], "W must be less than E"),
    (["--bbox", "150,-95,160,30"], "-90 <= S < N <= 90"),
    ([], "--sovereign"),
    (["--sovereign", "Japn"], "no features"),
    (["--sovereign", "Japan", "--id", "mr-v10-eez-world"], "bundled layer"),
    (["--sovereign", "Japan", "--id", "Bad Id"], "not valid"),
    (["--sovereign", "Japan", "--kind", "eez", "--kind", "eez_12nm", "--id", "x"], "one --kind"),
])
def test_bad_arguments_exit_2(wfs, env, args, words):
    r = run("layers", "fetch", "--url", wfs.url, *FAST, *args, env=env)
    assert_one_line_error(r, 2)
    assert words in r.err


def test_progress_only_when_asked_or_on_a_terminal(wfs, env):
    quiet = fetch(wfs, env, "--id", "jp-quiet")  # stderr is a pipe here: no progress
    assert quiet.code == 0 and quiet.err == ""
    loud = fetch(wfs, env, "--id", "jp-loud", "--progress")
    assert loud.code == 0
    # the one progress reporter (geo._progress): features received of numberMatched, and the rate
    assert "5 features of 5" in loud.err and "features/s" in loud.err and loud.err.endswith("\n")


def test_a_layer_of_the_wrong_geometry_is_refused(wfs, env):
    # the server answers with EEZ polygons: boundary lines were asked for
    wfs.fault_from, wfs.fault_kind = 0, "polygons"
    r = run("layers", "fetch", "--url", wfs.url, "--kind", "eez_boundaries", "--sovereign", "Japan", *FAST,
            env=env)
    assert_one_line_error(r, 6)
    assert "expected LineString or MultiLineString" in r.err
    assert wfs.getfeatures()[0]["typeNames"] == "MarineRegions:eez_boundaries"
    assert wfs.getfeatures()[0]["sortBy"] == "line_id"


def test_a_sovereign_name_is_quoted_for_cql():
    from geo.layers.fetch import Schema, query_url

    schema = Schema("MarineRegions:eez_12nm", ("mrgid", "geoname", "sovereign1", "sovereign2", "sovereign3"),
                    "the_geom")
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(
        query_url("eez_12nm", sovereign="Côte d'Ivoire", schema=schema)).query)
    assert q["CQL_FILTER"] == ["(sovereign1='Côte d''Ivoire' OR sovereign2='Côte d''Ivoire' OR "
                               "sovereign3='Côte d''Ivoire')"]
    assert q["typeNames"] == ["MarineRegions:eez_12nm"]
    both = urllib.parse.parse_qs(urllib.parse.urlsplit(
        query_url("eez", bbox=(120, 20, 160, 50), sovereign="Japan", schema=schema)).query)
    assert both["CQL_FILTER"][0].startswith("BBOX(the_geom,120,20,160,50,'CRS:84') AND (") and "bbox" not in both


# --- what the real server understands (issue 9, item 10) -----------------------------------

def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_the_replay_server_refuses_a_column_the_layer_lacks_like_geoserver(wfs):
    # the recorded answer of geo.vliz.be to a property eez_24nm does not have
    base = wfs.url + "?service=WFS&version=2.0.0&request=GetFeature&outputFormat=application/json&typeNames="
    code, body = _get(base + "MarineRegions:eez_24nm&CQL_FILTER=" + urllib.parse.quote("sovereign2='Belgium'"))
    assert code == 400
    assert b"Illegal property name: sovereign2 for feature type MarineRegions:eez_24nm" in body
    code, body = _get(base + "MarineRegions:eez_24nm&CQL_FILTER=" + urllib.parse.quote("sovereign1='Belgium'"))
    assert code == 200 and [f["properties"]["mrgid"] for f in json.loads(body)["features"]] == [49243]
    code, body = _get(base + "MarineRegions:eez_boundaries&CQL_FILTER=" + urllib.parse.quote("sovereign3='Belgium'"))
    assert code == 400 and b"Illegal property name: sovereign3" in body


def test_the_replay_server_reads_a_bbox_without_crs_latitude_first(wfs):
    base = (wfs.url + "?service=WFS&version=2.0.0&request=GetFeature&outputFormat=application/json"
            "&typeNames=MarineRegions:eez&CQL_FILTER=")

    def mrgids(cql):
        code, body = _get(base + urllib.parse.quote(cql))
        assert code == 200, body
        return {f["properties"]["mrgid"] for f in json.loads(body)["features"]}

    expected = mrgids_intersecting((150, 20, 160, 30))
    assert expected and 8487 in expected
    assert mrgids("BBOX(the_geom,20,150,30,160)") == expected            # DefaultCRS: urn EPSG::4326, S,W,N,E
    assert mrgids("BBOX(the_geom,150,20,160,30,'CRS:84')") == expected   # W,S,E,N
    assert mrgids("BBOX(the_geom,20,150,30,160,'urn:ogc:def:crs:EPSG::4326')") == expected
    assert mrgids("BBOX(the_geom,150,20,160,30)") == set()               # W,S,E,N read as S,W,N,E


@pytest.mark.parametrize("kind, sovereign, columns, ident, expected", [
    # the recorded schemas: eez_24nm has sovereign1 only, eez_boundaries sovereign1 and sovereign2
    ("eez_24nm", "Belgium", ["sovereign1"], "mrgid", {49243}),
    ("eez_boundaries", "Netherlands", ["sovereign1", "sovereign2"], "line_id", {3730}),
])
def test_the_sovereign_filter_names_only_the_columns_the_layer_has(wfs, env, kind, sovereign, columns, ident,
                                                                   expected):
    r = run("layers", "fetch", "--url", wfs.url, "--kind", kind, "--sovereign", sovereign, *FAST, "--json",
            env=env)
    assert r.code == 0, r.err
    # the schema was asked for, once, before any feature
    assert wfs.requests[0]["request"] == "DescribeFeatureType"
    assert wfs.requests[0]["typeName"] == f"MarineRegions:{kind}"
    assert sum(q["request"] == "DescribeFeatureType" for q in wfs.requests) == 1
    [q] = wfs.getfeatures()
    assert q["CQL_FILTER"] == "(" + " OR ".join(f"{c}='{sovereign}'" for c in columns) + ")"
    [info] = r.json()["layers"]
    doc = json.loads(Path(info["path"]).read_text())
    assert {f["properties"][ident] for f in doc["features"]} == expected


def test_a_box_and_a_sovereign_are_both_honoured(wfs, env):
    r = run("layers", "fetch", "--url", wfs.url, "--bbox", "120,20,160,50", "--sovereign", "Japan", *FAST,
            "--json", env=env)
    assert r.code == 0, r.err
    [q] = wfs.getfeatures()
    assert q["CQL_FILTER"] == ("BBOX(the_geom,120,20,160,50,'CRS:84') AND "
                               "(sovereign1='Japan' OR sovereign2='Japan' OR sovereign3='Japan')")
    expected = mrgids_intersecting((120, 20, 160, 50), "Japan")
    assert expected and 8487 in expected
    [info] = r.json()["layers"]
    doc = json.loads(Path(info["path"]).read_text())
    assert {f["properties"]["mrgid"] for f in doc["features"]} == expected


def test_an_empty_answer_says_whether_the_box_or_the_name_is_the_reason(wfs, env):
    # Japan has zones, none in this box (the Gulf of Guinea): the box is the reason, not the spelling
    assert mrgids_intersecting((0, 0, 10, 10), "Japan") == set()
    r = run("layers", "fetch", "--url", wfs.url, "--bbox", "0,0,10,10", "--sovereign", "Japan", *FAST, env=env)
    assert_one_line_error(r, 2)
    assert "0,0,10,10" in r.err and "spelling" not in r.err and "Japan" in r.err
    # a name Marine Regions does not write: the spelling
    r = run("layers", "fetch", "--url", wfs.url, "--bbox", "120,20,160,50", "--sovereign", "Japn", *FAST, env=env)
    assert_one_line_error(r, 2)
    assert "spell" in r.err
    # the check of the name alone fails: both reasons are named
    wfs.requests.clear()
    wfs.faults = {2: "html"}  # 0: the schema, 1: the empty answer, 2: the sovereign alone
    r = run("layers", "fetch", "--url", wfs.url, "--bbox", "0,0,10,10", "--sovereign", "Japan", *FAST, env=env)
    assert_one_line_error(r, 2)
    assert "0,0,10,10" in r.err and "spelt" in r.err and "--sovereign alone" in r.err
    assert "BBOX" not in wfs.getfeatures()[1]["CQL_FILTER"] and wfs.getfeatures()[1]["count"] == "1"
    wfs.faults = {}
    # a box with no zone at all
    r = run("layers", "fetch", "--url", wfs.url, "--bbox", "0,0,10,10", *FAST, env=env)
    assert_one_line_error(r, 2)
    assert "0,0,10,10" in r.err and "spell" not in r.err


def test_the_schema_is_read_from_the_recorded_describefeaturetype():
    import xml.etree.ElementTree as ET

    from geo.errors import ArgumentError
    from geo.layers.fetch import Schema, parse_schema, query_url

    data = ROOT / "tests" / "data" / "wfs"
    for kind, sovereigns in (("eez_24nm", ("sovereign1",)), ("eez_boundaries", ("sovereign1", "sovereign2"))):
        text = (data / f"describefeaturetype_{kind}.xml").read_text(encoding="utf-8")
        # the recording's own element names, read with a regex (the_geom is the gml: one)
        names = re.findall(r'<xsd:element [^>]*name="(\w+)" nillable', text)
        schema = parse_schema(ET.fromstring(text.encode()), f"MarineRegions:{kind}")
        assert schema.geometry == "the_geom" and "the_geom" not in schema.columns
        assert list(schema.columns) == [n for n in names if n != "the_geom"]
        assert schema.sovereign_columns == sovereigns
    # a layer without a sovereign column cannot be filtered by sovereign: said, not guessed
    bare = Schema("MarineRegions:eez_12nm", ("mrgid", "geoname"), "the_geom")
    with pytest.raises(ArgumentError, match="no sovereign column"):
        query_url("eez_12nm", sovereign="Japan", schema=bare)
    # and no filter is built without the schema
    with pytest.raises(ValueError, match="schema"):
        query_url("eez", sovereign="Japan")


def test_the_replay_server_serves_the_recorded_capabilities(wfs):
    code, body = _get(wfs.url + "?service=WFS&version=2.0.0&request=GetCapabilities")
    assert code == 200 and body.startswith(b'<?xml version="1.0" encoding="UTF-8"?><wfs:WFS_Capabilities')
    text = body.decode()
    for kind in ("eez", "eez_12nm", "eez_24nm", "eez_internal_waters", "eez_boundaries"):
        block = text.split(f"<Name>MarineRegions:{kind}</Name>")[1].split("</FeatureType>")[0]
        assert "<DefaultCRS>urn:ogc:def:crs:EPSG::4326</DefaultCRS>" in block  # latitude first
        assert wfs.layers.get(f"MarineRegions:{kind}") is None or \
            wfs.layers[f"MarineRegions:{kind}"].default_crs == "urn:ogc:def:crs:EPSG::4326"


def test_library_errors_name_parameters_and_the_cli_names_its_flags(tmp_path):
    # a Python caller has no --page-size: the library names its parameter, the CLI its flag
    from geo.cli._common import error_line
    from geo.errors import ArgumentError
    from geo.layers.fetch import fetch_layer

    cases = [(dict(sovereign="Japan", page_size=0), "`page_size` must be at least 1", "--page-size must"),
             (dict(sovereign="Japan", timeout=0), "`timeout` must be positive", "--timeout must"),
             (dict(bbox=(1, 2, 3)), "`bbox` needs four numbers", "--bbox needs"),
             (dict(), "`bbox` W,S,E,N, `sovereign` NAME, or `world`", "--bbox W,S,E,N, --sovereign NAME, or --world"),
             (dict(sovereign="Japan", layer_id="mr-v12-eez-nw-pacific"), "(`layer_id`)", "(--id)")]
    for kwargs, library, cli in cases:
        with pytest.raises(ArgumentError) as e:
            fetch_layer("eez", cache=tmp_path, **kwargs)
        assert library in str(e.value) and "--" not in str(e.value), str(e.value)
        assert cli in error_line(e.value)
