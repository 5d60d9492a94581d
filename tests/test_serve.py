"""``eezmap serve`` on a free loopback port: the CLI's answers, clean 4xx errors.

The service runs as a user would start it (``python -m geo serve`` in a
subprocess, bound to 127.0.0.1) and every answer is compared with the CLI's
(the real entry point, in a subprocess) for the same points, one at a time and
row for row in batches.  Bad input of every kind gets a 4xx JSON body
``{"error": "<one line>"}``, never a 500 or a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import socket
import subprocess
import sys
import time

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from _constants import ISLAND_ARGS  # noqa: E402
from helpers import ROOT, run  # noqa: E402

MAX_BODY = 200_000
POINTS = [
    ISLAND_ARGS,   # Minami-Torishima: yes
    ("25.8", "123.5"),           # Senkaku: shared
    ("36.0", "150.0"),           # high seas
    ("35.68", "139.7"),          # Tokyo: land in a hole of the zone
    ("-33.9", "18.4"),           # Cape Town: the coarse world layer
    ("10", "206"),               # 0–360 longitude
    ("24°17′12″N", "153°58′50″E"),  # as people type it
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def service_tmp(tmp_path_factory):
    """The service's own temporary directory (TMPDIR), to check that it cleans up."""
    return tmp_path_factory.mktemp("serve-tmp")


@pytest.fixture(scope="module")
def service(service_tmp):
    """The real service in a subprocess on a free loopback port; stopped at the end."""
    port = _free_port()
    env = dict(os.environ)
    env["TMPDIR"] = str(service_tmp)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo", "serve", "--port", str(port), "--max-body", str(MAX_BODY),
         "--log-level", "warning"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=base, timeout=60)
    try:
        deadline = time.monotonic() + 240  # the first start builds the layer indexes
        while True:
            if proc.poll() is not None:
                pytest.fail(f"eezmap serve exited with {proc.returncode}: {proc.stderr.read().decode()[-2000:]}")
            try:
                if client.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("eezmap serve did not become ready in 240 s")
            time.sleep(0.25)
        yield client
    finally:
        client.close()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        err = proc.stderr.read().decode()
        assert "Traceback" not in err, err[-3000:]


def assert_error(r, status: int) -> str:
    """A clean error: the status, a JSON body with one line under 'error', nothing else."""
    assert r.status_code == status, (r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}, body
    line = body["error"]
    assert isinstance(line, str) and line and "\n" not in line
    assert "Traceback" not in line and "File \"" not in line
    assert "eezmap-serve-" not in line and "/tmp" not in line  # no internals, no temp paths
    assert "request.geojson" not in line and "request.csv" not in line  # nor the spooled file's name
    return line


# --- the same answers as the CLI ----------------------------------------------------------

@pytest.mark.slow
def test_healthz_and_binding(service):
    r = service.get("/healthz")
    assert r.json()["status"] == "ok"
    assert "mr-v12-eez-nw-pacific" in r.json()["layers"]
    assert str(service.base_url).startswith("http://127.0.0.1:")


@pytest.mark.parametrize("lat,lon", POINTS)
def test_where_is_the_cli_json(service, lat, lon):
    cli = run("where", lat, lon, "--json")
    assert cli.code in (0, 1, 3, 4), cli.err
    r = service.get("/where", params={"lat": lat, "lon": lon})
    assert r.status_code == 200, r.text
    assert r.json() == cli.json()
    assert r.text == cli.out.rstrip("\n")  # byte for byte, as the CLI prints it


def test_where_options_are_the_cli_options(service):
    cli = run("where", "35", "129.5", "--country", "KOR", "--layer", "mr-v10-eez-world", "--no-distance", "--json")
    r = service.get("/where", params={"lat": "35", "lon": "129.5", "country": "KOR",
                                      "layer": "mr-v10-eez-world", "distance": "false"})
    assert r.json() == cli.json()
    assert r.json()["distance_to_boundary_km"] is None


def test_distance_area_sites_layers_are_the_cli_json(service):
    cases = [
        ("/distance", {"from": "minami-torishima", "to": "rey-mud-area"},
         ("distance", "minami-torishima", "rey-mud-area")),
        ("/distance", {"from": "24.28667,153.98056", "to": "chikyu-2026-site"},
         ("distance", "24.28667,153.98056", "chikyu-2026-site")),
        ("/area", {"site": "rey-mud-area"}, ("area", "rey-mud-area")),
        ("/sites", {}, ("sites",)),
        ("/layers", {}, ("layers",)),
    ]
    for path, params, args in cases:
        cli = run(*args, "--json")
        assert cli.code == 0, cli.err
        r = service.get(path, params=params)
        assert r.status_code == 200, (path, r.text)
        assert r.json() == cli.json(), path


@pytest.mark.slow
def test_post_area_geojson_is_the_cli_json(service, tmp_path):
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "box"}, "geometry": {"type": "Polygon", "coordinates": [
            [[153.0, 22.0], [154.0, 22.0], [154.0, 23.0], [153.0, 23.0], [153.0, 22.0]]]}},
        {"type": "Feature", "properties": {"name": "astride"}, "geometry": {"type": "Polygon", "coordinates": [
            [[157.0, 24.0], [158.5, 24.0], [158.5, 25.0], [157.0, 25.0], [157.0, 24.0]]]}}]}
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps(fc))
    cli = run("area", str(path), "--json")
    assert cli.code == 0, cli.err
    r = service.post("/area", content=json.dumps(fc), headers={"content-type": "application/geo+json"})
    assert r.status_code == 200, r.text
    assert r.json() == cli.json()


def _batch_rows() -> list[tuple[str, str, str]]:
    rows = [(lat, lon, f"p{i}") for i, (lat, lon) in enumerate(POINTS)]
    rows += [("91", "0", "too-north"), ("nan", "150", "nan"), ("", "150", "missing"),
             ("x", "y", "garbage"), ("inf", "1", "inf")]
    k = 0
    for lat in range(-60, 61, 15):  # a coarse grid over both layers
        for lon in range(100, 221, 20):
            rows.append((str(lat), str(lon), f"g{k}"))
            k += 1
    return rows


@pytest.mark.slow
def test_post_where_csv_is_the_cli_row_for_row(service, tmp_path):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["lat", "lon", "name"])
    w.writerows(_batch_rows())
    src = tmp_path / "points.csv"
    src.write_text(buf.getvalue(), encoding="utf-8")
    out = tmp_path / "out.csv"
    cli = run("where", "--input", str(src), "--output", str(out))
    assert cli.code == 0, cli.err
    r = service.post("/where", content=buf.getvalue().encode(), headers={"content-type": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    got = list(csv.DictReader(io.StringIO(r.text)))
    want = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(got) == len(want) == len(_batch_rows())
    for g, w_ in zip(got, want):
        assert g == w_
    assert r.text == out.read_text(encoding="utf-8")
    # and each valid row is the one-point answer
    for row in got[:len(POINTS)]:
        one = service.get("/where", params={"lat": row["lat"], "lon": row["lon"]}).json()
        assert row["eez_answer"] == one["answer"] and row["eez_status"] == one["status"]


def test_post_where_geojson_is_the_cli_row_for_row(service, tmp_path):
    feats = []
    for lat, lon, name in _batch_rows():
        try:
            x, y = float(lon), float(lat)
        except ValueError:
            continue
        if not (math.isfinite(x) and math.isfinite(y)):
            continue
        feats.append({"type": "Feature", "properties": {"name": name},
                      "geometry": {"type": "Point", "coordinates": [x, y]}})
    feats.append({"type": "Feature", "properties": {"name": "a line"},
                  "geometry": {"type": "LineString", "coordinates": [[150, 20], [151, 21]]}})
    fc = {"type": "FeatureCollection", "features": feats}
    src = tmp_path / "points.geojson"
    src.write_text(json.dumps(fc))
    out = tmp_path / "out.geojson"
    cli = run("where", "--input", str(src), "--output", str(out))
    assert cli.code == 0, cli.err
    r = service.post("/where", content=json.dumps(fc), headers={"content-type": "application/geo+json"})
    assert r.status_code == 200, r.text
    got, want = r.json()["features"], json.loads(out.read_text())["features"]
    assert len(got) == len(want) == len(feats)
    for g, w_, f in zip(got, want, feats):
        assert g["properties"] == w_["properties"]
        assert g["properties"]["name"] == f["properties"]["name"]  # row for row, in order
        assert g["geometry"] == w_["geometry"]


# --- bad input: a clean 4xx, the CLI's line -----------------------------------------------

@pytest.mark.parametrize("lat,lon", [("91", "0"), ("nan", "150"), ("NaN", "NaN"), ("inf", "0"),
                                     ("1e400", "0"), ("24", "400"), ("north", "east"), ("", "150")])
def test_bad_points_are_the_cli_line(service, lat, lon):
    cli = run("where", lat, lon, "--json")
    assert cli.code == 2, (cli.code, cli.out)
    line = assert_error(service.get("/where", params={"lat": lat, "lon": lon}), 400)
    assert line == cli.err.strip()


def test_bad_queries_are_4xx(service):
    assert_error(service.get("/where", params={"lon": "150"}), 400)
    assert_error(service.get("/where", params={"lat": "1", "lon": "1", "distance": "maybe"}), 400)
    cli = run("where", "24", "154", "--country", "ATLANTIS", "--json")
    line = assert_error(service.get("/where", params={"lat": "24", "lon": "154", "country": "ATLANTIS"}), 400)
    assert line == cli.err.strip()
    cli = run("where", "24", "154", "--layer", "no-such-layer", "--json")
    line = assert_error(service.get("/where", params={"lat": "24", "lon": "154", "layer": "no-such-layer"}), 400)
    assert line == cli.err.strip()
    cli = run("distance", "minami-torishima", "atlantis", "--json")
    line = assert_error(service.get("/distance", params={"from": "minami-torishima", "to": "atlantis"}), 400)
    assert line == cli.err.strip()
    assert_error(service.get("/distance", params={"from": "minami-torishima"}), 400)
    cli = run("area", "minami-torishima", "--json")
    line = assert_error(service.get("/area", params={"site": "minami-torishima"}), 400)
    assert line == cli.err.strip()
    # no file path is ever read from a request
    line = assert_error(service.get("/area", params={"site": str(ROOT / "README.md")}), 400)
    assert "neither an area site" in line
    assert_error(service.get("/no-such-page"), 404)
    assert_error(service.delete("/where"), 405)


GARBAGE = [
    b"\x00\xff\xfe garbage \x89PNG\r\n",
    b"not,a,csv\n\"unterminated",
    b"lat,lon\n",
    "lat;lon\n1;2\n".encode(),
    b"{",
    b"[]",
    b'{"type": "Feature"}',
    b'{"type": "FeatureCollection", "features": 5}',
    os.urandom(2048),
]


@pytest.mark.parametrize("ctype", ["text/csv", "application/geo+json", "application/json"])
@pytest.mark.parametrize("k", range(len(GARBAGE)))
def test_garbage_bodies_answer_as_the_cli(service, ctype, k, tmp_path):
    """Garbage is a 400 with the CLI's line for the same file; what the CLI reads, the service reads too."""
    name = "request.csv" if ctype == "text/csv" else "request.geojson"
    (tmp_path / name).write_bytes(GARBAGE[k])
    cli = run("where", "--input", name, "--output", "out" + name[7:], cwd=tmp_path)
    r = service.post("/where", content=GARBAGE[k], headers={"content-type": ctype})
    if cli.code == 0:  # e.g. a header without rows, a Feature without geometry: rows kept, marked
        assert r.status_code == 200, r.text
        if ctype == "text/csv":
            assert r.text == (tmp_path / "out.csv").read_text(encoding="utf-8")
        return
    assert cli.code == 2, cli.err
    line = assert_error(r, 400)
    # the same refusal, told of the request body: never the file it was spooled to, nor GDAL's
    # advice to prefix a path with a driver name (a client has no path)
    assert name not in line and "DRIVER" not in line and "It might help" not in line, line
    if name not in cli.err and "It might help" not in cli.err:
        assert line == cli.err.strip()
    else:
        assert "the request body" in line, line


def test_unreadable_json_bodies_say_so_of_the_body(service):
    """An unreadable GeoJSON body is described as the request body (json's own reading of it)."""
    for path in ("/where", "/area"):
        line = assert_error(service.post(path, content=b"{not json", headers={"content-type": "application/geo+json"}),
                            400)
        assert line == ("eezmap: error: the request body is not valid JSON: Expecting property name enclosed "
                        "in double quotes: line 1 column 2 (char 1)")
        line = assert_error(service.post(path, content=b"[]", headers={"content-type": "application/geo+json"}), 400)
        assert line == "eezmap: error: the request body cannot be read as GeoJSON"


def test_garbage_area_bodies_are_4xx(service):
    for body in GARBAGE + [json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [150, 20]}}]}).encode(),
            json.dumps({"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [
                    [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}}]}).encode()]:
        assert_error(service.post("/area", content=body, headers={"content-type": "application/geo+json"}), 400)


def test_empty_body_is_400(service):
    assert_error(service.post("/where", content=b"", headers={"content-type": "text/csv"}), 400)


@pytest.mark.parametrize("ctype", [None, "text/plain", "application/x-www-form-urlencoded",
                                   "multipart/form-data; boundary=x", "application/octet-stream"])
def test_wrong_content_types_are_415(service, ctype):
    headers = {} if ctype is None else {"content-type": ctype}
    body = b"lat,lon\n24,154\n"
    line = assert_error(service.post("/where", content=body, headers=headers), 415)
    assert "text/csv" in line
    assert_error(service.post("/area", content=body, headers=headers), 415)
    assert_error(service.post("/area", content=body, headers={"content-type": "text/csv"}), 415)


def test_oversized_bodies_are_413(service):
    big = b"lat,lon\n" + b"24.28667,153.98056\n" * (MAX_BODY // 19 + 10)
    assert len(big) > MAX_BODY
    line = assert_error(service.post("/where", content=big, headers={"content-type": "text/csv"}), 413)
    assert f"{MAX_BODY:,}" in line

    def chunks():  # no Content-Length: the limit holds while the body streams in
        yield b"lat,lon\n"
        for _ in range(200):
            yield b"24.28667,153.98056\n" * 100

    assert_error(service.post("/where", content=chunks(), headers={"content-type": "text/csv"}), 413)
    assert_error(service.post("/area", content=big, headers={"content-type": "application/geo+json"}), 413)
    # and the service still answers
    assert service.get("/where", params={"lat": "22", "lon": "153.8"}).json()["answer"] == "yes"


def test_just_under_the_limit_is_accepted(service):
    n = (MAX_BODY - 20) // 19
    body = b"lat,lon\n" + b"24.28667,153.98056\n" * n
    assert len(body) <= MAX_BODY
    r = service.post("/where", content=body, headers={"content-type": "text/csv"})
    assert r.status_code == 200
    assert r.text.count("\n") == n + 1


# --- map, OpenAPI, schema ------------------------------------------------------------------

def test_map_is_the_standalone_map(service):
    r = service.get("/map")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<html" in r.text[:200].lower()
    import re

    assert not re.search(r'<(script|link)[^>]+(src|href)\s*=\s*["\']https?://', r.text), "a CDN resource"


def test_openapi_uses_the_models(service):
    spec = service.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for name in ("WhereAnswer", "DistanceAnswer", "AreaAnswer", "LayersList", "SitesList", "ErrorBody"):
        assert name in schemas
    ok = spec["paths"]["/where"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/WhereAnswer"}
    assert set(spec["paths"]) >= {"/where", "/distance", "/area", "/map", "/layers", "/sites", "/healthz"}
    assert schemas["WhereAnswer"]["properties"]["status"]["enum"] == [
        "eez", "overlapping_claim", "joint_regime", "land", "high_seas", "outside_coverage"]


def test_no_500_under_concurrency(service):
    """16 clients at once: every answer equals the one-at-a-time answer."""
    from concurrent.futures import ThreadPoolExecutor

    pts = [(str(20 + k % 20), str(125 + (k * 7) % 40)) for k in range(64)]
    want = {p: service.get("/where", params={"lat": p[0], "lon": p[1]}).json() for p in pts[:16]}

    def ask(p):
        return p, service.get("/where", params={"lat": p[0], "lon": p[1]})

    with ThreadPoolExecutor(16) as pool:
        for p, r in pool.map(ask, pts):
            assert r.status_code == 200, r.text
            if p in want:
                assert r.json() == want[p]


def test_a_bug_is_a_json_500_without_internals(monkeypatch):
    """In process: a library function that fails unexpectedly gives a logged 500, no trace."""
    from fastapi.testclient import TestClient

    import geo.answer
    from geo.serve import create_app

    def broken(*a, **k):
        raise RuntimeError("secret internal detail /srv/path")

    monkeypatch.setattr(geo.answer, "where", broken)
    with TestClient(create_app(warm_up=False), raise_server_exceptions=False) as c:
        r = c.get("/where", params={"lat": "22", "lon": "153.8"})
    line = assert_error(r, 500)
    assert "secret" not in line and "RuntimeError" not in line


def test_serve_needs_its_extra_said_in_one_line(tmp_path):
    """Without fastapi/uvicorn, `eezmap serve` says what to install (exit 2, one line)."""
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text("import sys\nsys.modules['fastapi'] = None\n")
    r = run("serve", "--port", "1", env={"PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"})
    assert r.code == 2, (r.code, r.err)
    assert "eezmap[serve]" in r.err and "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1


def test_a_client_leaving_mid_upload_is_harmless(service, service_tmp):
    port = service.base_url.port
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"POST /where HTTP/1.1\r\nHost: t\r\nContent-Type: text/csv\r\n"
                  b"Content-Length: 100000\r\n\r\nlat,lon\n24,154\n")
        time.sleep(0.3)
    assert service.get("/where", params={"lat": "22", "lon": "153.8"}).json()["answer"] == "yes"


def test_temporary_files_are_removed(service, service_tmp):
    """Bodies and results live in the service's temp directory only while a request runs."""
    body = b"lat,lon\n24.28667,153.98056\n"
    for ctype in ("text/csv", "application/geo+json"):
        service.post("/where", content=body, headers={"content-type": ctype})
    service.post("/where", content=body * 20_000, headers={"content-type": "text/csv"})  # 413
    deadline = time.monotonic() + 10
    while any(service_tmp.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(p.name.startswith("eezmap-serve-") for p in service_tmp.iterdir())
