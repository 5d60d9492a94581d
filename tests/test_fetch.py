"""``eezmap layers fetch`` against a WFS on loopback that replays Marine Regions GeoJSON.

The server (http.server in a thread, 127.0.0.1, port 0) serves the features
of the bundled v12 extract the way GeoServer does: WFS 2.0 GetFeature,
``outputFormat=application/json``, a CQL_FILTER on sovereign1/2/3 or a bbox,
pages by ``count``/``startIndex`` with ``numberMatched``/``numberReturned``.
Faults are injected per request: HTTP 500, a body cut short, a stalled
connection, an HTML page, an OGC exception report, a short count.

Expected values come from the bundled file itself (PROVENANCE.md lists
Japan's five features), never from the fetch code.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from helpers import ROOT, assert_one_line_error, run

SOURCE = ROOT / "layers" / "mr_v12_eez_nw_pacific.geojson"
#: tests/test_layers.py and PROVENANCE.md: the features Japan is party to
JAPAN_MRGIDS = {8487, 48950, 48954, 21796, 48955}


def _features() -> list[dict]:
    doc = json.loads(SOURCE.read_text(encoding="utf-8"))
    feats = []
    for f in doc["features"]:
        f = dict(f, id=f"eez.{f['properties']['mrgid']}")  # GeoServer's feature ids
        feats.append(f)
    return sorted(feats, key=lambda f: f["properties"]["mrgid"])


class WFS:
    """State of the fake WFS: its features, the requests seen, the faults to inject."""

    def __init__(self) -> None:
        self.features = _features()
        self.requests: list[dict[str, str]] = []
        self.faults: dict[int, str] = {}   # request number -> fault
        self.fault_from: int | None = None  # every request from this number on
        self.fault_kind = ""
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def fault_for(self, n: int) -> str:
        if n in self.faults:
            return self.faults[n]
        if self.fault_from is not None and n >= self.fault_from:
            return self.fault_kind
        return ""

    def select(self, q: dict[str, str]) -> list[dict]:
        feats = self.features
        cql = q.get("CQL_FILTER")
        if cql:
            m = re.search(r"sovereign1='((?:[^']|'')*)'", cql)
            name = m.group(1).replace("''", "'") if m else None
            feats = [f for f in feats if name in (f["properties"].get("sovereign1"),
                                                  f["properties"].get("sovereign2"),
                                                  f["properties"].get("sovereign3"))]
        if "bbox" in q:
            w, s, e, n = (float(v) for v in q["bbox"].split(",")[:4])
            feats = [f for f in feats if _intersects(f, w, s, e, n)]
        return feats


def _intersects(feature: dict, w: float, s: float, e: float, n: float) -> bool:
    import shapely.geometry

    x0, y0, x1, y1 = shapely.geometry.shape(feature["geometry"]).bounds
    return not (x1 < w or x0 > e or y1 < s or y0 > n)


def _handler(state: WFS):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep pytest's output clean
            pass

        def _send(self, status: int, ctype: str, body: bytes, length: int | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            q = {k: v[-1] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).items()}
            with state.lock:
                n = len(state.requests)
                state.requests.append(q)
            fault = state.fault_for(n)
            if fault == "500":
                self._send(500, "text/plain", b"Internal Server Error")
                return
            if fault == "stall":
                state.stop.wait(5.0)  # longer than the client's timeout; ends with the test
                self.close_connection = True
                return
            if fault == "html":
                self._send(200, "text/html; charset=utf-8",
                           b"<html><head><title>Service maintenance</title></head><body>Back soon</body></html>")
                return
            if fault == "xml":
                self._send(200, "application/xml", (
                    b'<?xml version="1.0" ?><ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1">'
                    b'<ows:Exception exceptionCode="InvalidParameterValue"><ows:ExceptionText>Feature type '
                    b'MarineRegions:eez unknown</ows:ExceptionText></ows:Exception></ows:ExceptionReport>'))
                return
            feats = state.select(q)
            start, count = int(q.get("startIndex", 0)), int(q.get("count", len(feats)))
            page = feats[:count] if fault == "ignore-start" else feats[start:start + count]
            matched = len(feats) + (1 if fault == "short" else 0)
            body = json.dumps({"type": "FeatureCollection", "features": page, "totalFeatures": matched,
                               "numberMatched": matched, "numberReturned": len(page),
                               "timeStamp": "2026-11-21T00:00:00Z"}).encode()
            if fault == "truncate":
                self._send(200, "application/json;charset=UTF-8", body[: len(body) // 2], length=len(body))
                return
            self._send(200, "application/json;charset=UTF-8", body)

    return Handler


@pytest.fixture
def wfs():
    state = WFS()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/geoserver/MarineRegions/wfs"
    try:
        yield state
    finally:
        state.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        assert not thread.is_alive()


@pytest.fixture
def env(tmp_path):
    return {"EEZMAP_CACHE": str(tmp_path / "cache"), "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost", "http_proxy": "", "HTTP_PROXY": ""}


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
    # five features in pages of two: startIndex 0, 2, 4
    assert [q.get("startIndex") for q in wfs.requests] == ["0", "2", "4"]
    for q in wfs.requests:
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
    a = run("where", "24.28667", "153.98056", "--layer", "jp-wfs", "--json", "--no-distance", env=env)
    assert a.code == 0, a.err
    j = a.json()
    assert j["answer"] == "yes" and j["zone"]["mrgid"] == 8487
    assert j["layer"]["id"] == "jp-wfs" and j["layer"]["version"] == entry["version"]
    # listed, marked user, and verified with the bundled ones
    lst = run("layers", "--verify", env=env)
    assert lst.code == 0, lst.err
    assert "jp-wfs  [eez, user]" in lst.out and "all 6 layer files match" in lst.out


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
    assert wfs.requests[0]["bbox"] == "150,20,160,30,EPSG:4326" and "CQL_FILTER" not in wfs.requests[0]
    assert info["coverage_bbox"] == [150.0, 20.0, 160.0, 30.0] and info["zones_only"] is False
    expected = {f["properties"]["mrgid"] for f in wfs.select({"bbox": "150,20,160,30"})}
    doc = json.loads(Path(info["path"]).read_text())
    assert {f["properties"]["mrgid"] for f in doc["features"]} == expected and 8487 in expected


def test_a_transient_500_is_retried(wfs, env):
    wfs.faults = {1: "500"}  # the second page fails once
    r = fetch(wfs, env, "--id", "jp-retry")
    assert r.code == 0, r.err
    assert [q.get("startIndex") for q in wfs.requests] == ["0", "2", "2", "4"]
    assert len(json.loads(Path(user_manifest(env)["layers"][0]["path"]).read_text())["features"]) == 5


def test_progress_and_backoff_are_bounded(wfs, tmp_path, monkeypatch):
    from geo import _http
    from geo.fetch import fetch_layer

    monkeypatch.setenv("EEZMAP_CACHE", str(tmp_path / "c"))
    wfs.faults = {0: "500", 1: "500"}
    sleeps, seen = [], []
    monkeypatch.setattr(_http, "_sleep", lambda s: sleeps.append(s))
    info = fetch_layer("eez", sovereign="Japan", url=wfs.url, page_size=2, timeout=2, retries=3,
                       backoff=0.5, cache=tmp_path / "c", progress=lambda done, total: seen.append((done, total)))
    assert info.id == "mr-wfs-eez-japan" and info.user
    assert sleeps == [0.5, 1.0]          # exponential
    assert seen == [(2, 5), (4, 5), (5, 5)]
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
    # fault, the request it starts at, words the error must contain
    "500": (1, ["HTTP 500", "gave up after 2 attempts"]),
    "truncate": (1, ["cut short"]),
    "stall": (1, ["timed out", "0.5 s"]),
    "html": (0, ["text/html", "Service maintenance"]),
    "xml": (0, ["reported an error", "Feature type MarineRegions:eez unknown"]),
    "short": (0, ["incomplete", "6 features match but sent 5"]),
    "ignore-start": (0, ["twice", "startIndex"]),
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
    wfs.fault_from, wfs.fault_kind = start, fault
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
    assert "fetching eez" in loud.err and "5/5 features" in loud.err and loud.err.endswith("\n")


def test_a_layer_of_the_wrong_geometry_is_refused(wfs, env):
    # the fake server answers every type name with EEZ polygons: boundary lines were asked for
    r = run("layers", "fetch", "--url", wfs.url, "--kind", "eez_boundaries", "--sovereign", "Japan", *FAST,
            env=env)
    assert_one_line_error(r, 6)
    assert "expected LineString or MultiLineString" in r.err
    assert wfs.requests[0]["typeNames"] == "MarineRegions:eez_boundaries"
    assert wfs.requests[0]["sortBy"] == "line_id"


def test_a_sovereign_name_is_quoted_for_cql():
    from geo.fetch import query_url

    q = urllib.parse.parse_qs(urllib.parse.urlsplit(query_url("eez_12nm", sovereign="Côte d'Ivoire")).query)
    assert q["CQL_FILTER"] == ["(sovereign1='Côte d''Ivoire' OR sovereign2='Côte d''Ivoire' OR "
                               "sovereign3='Côte d''Ivoire')"]
    assert q["typeNames"] == ["MarineRegions:eez_12nm"]
    both = urllib.parse.parse_qs(urllib.parse.urlsplit(
        query_url("eez", bbox=(120, 20, 160, 50), sovereign="Japan")).query)
    assert both["CQL_FILTER"][0].startswith("BBOX(the_geom,120,20,160,50) AND (") and "bbox" not in both
