"""The HTTP service on loopback, against one CLI process per point, in the same run.

Usage::

    python benchmarks/bench_serve.py [--requests 2000] [--clients 16] [--batch 100000]
                                     [--cli-sample 20] [--workers 1] [--time-limit 120]

Prints, for the same run on this machine:

1. ``GET /where`` (the ``where --json`` object, with the boundary distance)
   under ``--clients`` concurrent clients (keep-alive connections, one thread
   each) for ``--requests`` single-point requests in all, stopped early at
   ``--time-limit`` seconds: throughput and p50/p99 latency;
2. one ``POST /where`` of a ``--batch``-row CSV (lat, lon): the whole round
   trip (upload, classification, download), rows per second;
3. the same points asked one process at a time through the CLI
   (``eezmap where LAT LON --json``, a fresh process each): a sample of
   ``--cli-sample`` points, timed, and the time for all of them extrapolated
   from its mean (said so in the output); and the batch through
   ``eezmap where --input points.csv --output out.csv`` (one process);
4. the disagreements between the service's and the CLI's answers for the
   sampled points (JSON compared whole) and for every batch row.

The service is started as a user would (``python -m geo serve`` on a free
loopback port) and its layers are warm before timing starts (it loads them
at start-up); the CLI processes reuse the same on-disk index cache.  The
load generator runs on the same machine, so it competes with the service for
the CPU: the numbers are a floor, not a ceiling.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _points(n: int, seed: int) -> list[tuple[str, str]]:
    """Random points over 120–160°E, 15–50°N (Japan's EEZ, its neighbours, the high seas)."""
    rng = np.random.default_rng(seed)
    lat = rng.uniform(15, 50, n)
    lon = rng.uniform(120, 160, n)
    return [(f"{a:.5f}", f"{o:.5f}") for a, o in zip(lat, lon, strict=False)]


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


class Service:
    def __init__(self, workers: int) -> None:
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [PY, "-m", "geo", "serve", "--port", str(self.port), "--workers", str(workers),
             "--max-body", str(256 << 20), "--log-level", "warning"],
            cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 300
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"eezmap serve exited: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise SystemExit("eezmap serve did not become ready in 300 s")
            time.sleep(0.25)

    def get(self, conn: http.client.HTTPConnection, lat: str, lon: str,
            distance: bool = True) -> tuple[int, bytes]:
        q = {"lat": lat, "lon": lon} if distance else {"lat": lat, "lon": lon, "distance": "false"}
        conn.request("GET", "/where?" + urlencode(q))
        r = conn.getresponse()
        return r.status, r.read()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def bench_concurrent(svc: Service, points: list[tuple[str, str]], clients: int,
                     time_limit: float, distance: bool = True) -> dict[str, float]:
    """`clients` threads, each with a keep-alive connection, share the points until done or out of time."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    next_i = [0]
    stop_at = time.monotonic() + time_limit

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=60)
        mine = []
        while time.monotonic() < stop_at:
            with lock:
                i = next_i[0]
                next_i[0] += 1
            if i >= len(points):
                break
            t0 = time.perf_counter()
            status, _ = svc.get(conn, *points[i], distance=distance)
            mine.append(time.perf_counter() - t0)
            if status != 200:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"requests": len(latencies), "errors": errors[0], "seconds": wall,
            "per_s": len(latencies) / wall, "p50_ms": 1000 * _pct(latencies, 50),
            "p99_ms": 1000 * _pct(latencies, 99)}


def bench_batch(svc: Service, body: bytes) -> tuple[float, str]:
    conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=600)
    t0 = time.perf_counter()
    conn.request("POST", "/where", body=body, headers={"Content-Type": "text/csv"})
    r = conn.getresponse()
    text = r.read().decode("utf-8")
    wall = time.perf_counter() - t0
    if r.status != 200:
        raise SystemExit(f"POST /where failed: {r.status} {text[:500]}")
    return wall, text


def cli_one(lat: str, lon: str) -> tuple[float, dict]:
    t0 = time.perf_counter()
    p = subprocess.run([PY, "-m", "geo", "where", lat, lon, "--json"], cwd=ROOT, env=_env(),
                       capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - t0
    if p.returncode not in (0, 1, 3, 4):
        raise SystemExit(f"eezmap where {lat} {lon} failed: {p.stderr}")
    return wall, json.loads(p.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--batch", type=int, default=100_000)
    ap.add_argument("--cli-sample", type=int, default=20)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=120.0)
    args = ap.parse_args()

    points = _points(args.requests, seed=13)
    batch = _points(args.batch, seed=14)
    body = ("lat,lon\n" + "".join(f"{a},{o}\n" for a, o in batch)).encode()

    print(f"eezmap serve on loopback, {args.workers} worker(s); {os.cpu_count()} CPUs; "
          f"{time.strftime('%Y-%m-%d %H:%M %Z')}")
    t0 = time.perf_counter()
    svc = Service(args.workers)
    print(f"  started and warm in {time.perf_counter() - t0:.1f} s")
    try:
        conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=60)
        for p in points[:20]:  # a few requests first (first-use costs out of the way)
            svc.get(conn, *p)
        conn.close()
        bench_batch(svc, ("lat,lon\n" + "".join(f"{a},{o}\n" for a, o in batch[:1000])).encode())
        conc = bench_concurrent(svc, points, args.clients, args.time_limit)
        print(f"1. GET /where, {args.clients} concurrent clients: {conc['requests']:,} requests in "
              f"{conc['seconds']:.1f} s = {conc['per_s']:,.0f} req/s; latency p50 {conc['p50_ms']:.1f} ms, "
              f"p99 {conc['p99_ms']:.1f} ms; {conc['errors']} errors")
        fast = bench_concurrent(svc, points, args.clients, args.time_limit, distance=False)
        print(f"   the same with distance=false (no boundary distance): {fast['requests']:,} requests in "
              f"{fast['seconds']:.1f} s = {fast['per_s']:,.0f} req/s; latency p50 {fast['p50_ms']:.1f} ms, "
              f"p99 {fast['p99_ms']:.1f} ms; {fast['errors']} errors")
        bwall, btext = bench_batch(svc, body)
        rows = list(csv.DictReader(io.StringIO(btext)))
        print(f"2. POST /where, {args.batch:,} rows of CSV: {bwall:.2f} s = {args.batch / bwall:,.0f} rows/s "
              f"({len(rows):,} rows back)")

        sample = points[:args.cli_sample]
        walls, disagree = [], 0
        for p in sample:
            wall, obj = cli_one(*p)
            walls.append(wall)
            fresh = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=60)  # idle keep-alive expires
            _, got = svc.get(fresh, *p)
            fresh.close()
            disagree += json.loads(got) != obj
        mean = statistics.fmean(walls)
        print(f"3. eezmap where LAT LON --json, one process per point: {len(sample)} sampled, "
              f"median {statistics.median(walls):.3f} s, mean {mean:.3f} s per point = "
              f"{1 / mean:.1f} points/s; EXTRAPOLATED from the sample: "
              f"{conc['requests']:,} points ≈ {mean * conc['requests']:,.0f} s, "
              f"{args.batch:,} points ≈ {mean * args.batch / 3600:,.1f} h")
        with tempfile.TemporaryDirectory() as tmp:
            src, dst = Path(tmp) / "points.csv", Path(tmp) / "out.csv"
            src.write_bytes(body)
            t1 = time.perf_counter()
            p = subprocess.run([PY, "-m", "geo", "where", "--input", str(src), "--output", str(dst)],
                               cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600)
            cwall = time.perf_counter() - t1
            if p.returncode != 0:
                raise SystemExit(p.stderr)
            cli_rows = list(csv.DictReader(io.StringIO(dst.read_text(encoding="utf-8"))))
        print(f"   eezmap where --input points.csv --output out.csv ({args.batch:,} rows, one process): "
              f"{cwall:.2f} s = {args.batch / cwall:,.0f} rows/s")
        row_diff = sum(a != b for a, b in zip(rows, cli_rows, strict=False)) + abs(len(rows) - len(cli_rows))
        print(f"4. disagreements with the CLI: {disagree} of {len(sample)} single points (whole JSON), "
              f"{row_diff} of {args.batch:,} batch rows")
        print(f"   speed-up of the service over one CLI process per point: "
              f"{conc['per_s'] * mean:,.0f}× (single points), {mean * args.batch / bwall:,.0f}× (the batch)")
    finally:
        svc.stop()


if __name__ == "__main__":
    main()
