"""Writing outputs (geo/_io.py): what is at the output path is respected.

Symlinks are written through (atomically, beside their target), devices and
FIFOs are written directly, a full device is one error line, a read-only file
is refused, SIGTERM leaves nothing behind, every output of a command is checked
before any is written, and CSV on stdout is all or nothing.

The device nodes are made in a temporary directory with ``os.mknod`` (the tests
run as root): (1, 7) is the kernel's "full" device, (1, 3) is "null".  The real
/dev is never written to.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from geo import _io
from geo.errors import OutputError
from geo.export import write_geojson
from helpers import ROOT, assert_one_line_error, run_process as run  # real processes: fds, devices

FC = {"type": "FeatureCollection", "features": []}
IS_ROOT = os.geteuid() == 0


def _char_device(path: Path, major: int, minor: int) -> Path:
    if not IS_ROOT:
        pytest.skip("making a device node needs root")
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(major, minor))
    return path


def _listing(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir())


# --- symlinks ----------------------------------------------------------------------------------

def test_a_symlink_is_written_through_to_its_target(tmp_path):
    real = tmp_path / "data"
    real.mkdir()
    target = real / "zones.geojson"
    target.write_text("old\n")
    link = tmp_path / "link.geojson"
    link.symlink_to(target)
    write_geojson(link, FC)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text()) == FC
    assert _listing(tmp_path) == ["data", "link.geojson"] and _listing(real) == ["zones.geojson"]


def test_a_relative_and_a_dangling_symlink(tmp_path):
    (tmp_path / "sub").mkdir()
    link = tmp_path / "sub" / "out.geojson"
    link.symlink_to("../new.geojson")      # dangling, relative to the link's directory
    write_geojson(link, FC)
    assert link.is_symlink()
    assert json.loads((tmp_path / "new.geojson").read_text()) == FC


def test_cli_export_through_a_symlink(tmp_path):
    target = tmp_path / "t.geojson"
    target.write_text("old\n")
    link = tmp_path / "l.geojson"
    link.symlink_to(target)
    r = run("export", "-o", str(link))
    assert r.code == 0, r.err
    assert link.is_symlink() and json.loads(target.read_text())["type"] == "FeatureCollection"
    assert _listing(tmp_path) == ["l.geojson", "t.geojson"]


# --- devices and FIFOs -------------------------------------------------------------------------

def test_a_full_device_is_one_error_line_and_stays_a_device(tmp_path):
    full = _char_device(tmp_path / "full", 1, 7)
    r = run("export", "-o", str(full))
    assert_one_line_error(r, 2)
    assert "No space left on device" in r.err
    assert stat.S_ISCHR(full.lstat().st_mode)
    assert _listing(tmp_path) == ["full"]
    with pytest.raises(OutputError, match="No space left"):
        write_geojson(full, FC)
    assert stat.S_ISCHR(full.lstat().st_mode) and _listing(tmp_path) == ["full"]


def test_a_null_device_is_written_and_stays_a_device(tmp_path):
    null = _char_device(tmp_path / "null", 1, 3)
    write_geojson(null, FC)
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert _listing(tmp_path) == ["null"]


def test_a_symlink_to_a_device_reaches_the_device(tmp_path):
    full = _char_device(tmp_path / "full", 1, 7)
    link = tmp_path / "out.geojson"
    link.symlink_to(full)
    with pytest.raises(OutputError, match="No space left"):
        write_geojson(link, FC)
    assert link.is_symlink() and stat.S_ISCHR(full.lstat().st_mode)


def test_a_fifo_reader_gets_the_output(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as f:
            got.append(f.read())

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    write_geojson(fifo, FC)
    t.join(20)
    assert not t.is_alive(), "the reader of the FIFO hangs"
    assert json.loads(got[0]) == FC
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and _listing(tmp_path) == ["pipe"]


def test_batch_outputs_to_devices(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("lat,lon\n24,154\n36,150\n")
    full = _char_device(tmp_path / "full.csv", 1, 7)
    null = _char_device(tmp_path / "null.parquet", 1, 3)
    r = run("where", "--input", str(src), "--output", str(full))
    assert_one_line_error(r, 2)
    assert "No space left on device" in r.err
    r = run("where", "--input", str(src), "--output", str(null))
    assert r.code == 0, r.err
    assert stat.S_ISCHR(full.lstat().st_mode) and stat.S_ISCHR(null.lstat().st_mode)
    assert _listing(tmp_path) == ["full.csv", "in.csv", "null.parquet"]


def test_a_link_to_an_open_descriptor_is_written_in_place(tmp_path):
    # like /dev/stdout (a link to /proc/self/fd/1), made here so that the real /dev is never touched
    link = tmp_path / "stdout.geojson"
    link.symlink_to("/proc/self/fd/1")
    sink = tmp_path / "sink.txt"
    sink.write_text("")
    inode = sink.stat().st_ino
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with open(sink, "w") as out:
        p = subprocess.run([sys.executable, "-m", "geo", "export", "-o", str(link)], stdout=out,
                           stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stderr
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"
    assert sink.stat().st_ino == inode and json.loads(sink.read_text())["type"] == "FeatureCollection"
    assert _listing(tmp_path) == ["sink.txt", "stdout.geojson"]


# --- permissions -------------------------------------------------------------------------------

def test_a_read_only_file_is_refused_even_for_root(tmp_path):
    out = tmp_path / "keep.geojson"
    out.write_text("precious\n")
    out.chmod(0o444)
    with pytest.raises(OutputError, match="read-only"):
        write_geojson(out, FC)
    assert out.read_text() == "precious\n" and _listing(tmp_path) == ["keep.geojson"]
    r = run("export", "-o", str(out))
    assert_one_line_error(r, 2)
    assert "read-only" in r.err and out.read_text() == "precious\n"


@pytest.mark.skipif(not IS_ROOT, reason="switching to the nobody user needs root")
def test_another_users_file_is_not_replaced_by_a_non_root_user(tmp_path):
    # as nobody, in a directory anyone may write to, a root-owned 0644 file: renaming over it
    # would replace it although nobody may not write to it (pytest's own directory is 0700)
    import shutil
    import tempfile

    shared = Path(tempfile.mkdtemp(prefix="eezmap-test-", dir="/tmp"))
    shared.chmod(0o777)
    try:
        _as_nobody_in(shared)
    finally:
        shutil.rmtree(shared)


def _as_nobody_in(tmp_path: Path) -> None:
    out = tmp_path / "root.geojson"
    out.write_text("root's\n")
    out.chmod(0o644)
    # the interpreter lives under /root (0700): import as root, then become nobody for good
    code = ("import os, sys; from geo.export import write_geojson\n"
            "from geo.errors import OutputError\n"
            "os.setgroups([]); os.setgid(65534); os.setuid(65534)\n"
            "try:\n    write_geojson(sys.argv[1], {'type': 'FeatureCollection', 'features': []})\n"
            "except OutputError as e:\n    print(e); sys.exit(2)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT), EEZMAP_CACHE=str(tmp_path / "cache"))
    p = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True, env=env,
                       cwd="/", timeout=120)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert "read-only" in p.stdout or "not writable" in p.stdout
    assert out.read_text() == "root's\n" and out.stat().st_uid == 0


def test_rewriting_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    out = tmp_path / "private.geojson"
    out.write_text("old\n")
    out.chmod(0o600)
    write_geojson(out, FC)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and json.loads(out.read_text()) == FC


# --- one writer for the package ----------------------------------------------------------------

def test_cache_writers_use_the_shared_atomic_writer(tmp_path):
    # a cache file reached through a symlink is written through it, like every output
    import numpy as np
    import shapely

    from geo._grid import GridIndex
    from geo._io import atomic_write_bytes

    real = tmp_path / "real"
    real.mkdir()
    (real / "m.json").write_bytes(b"{}")
    (tmp_path / "m.json").symlink_to(real / "m.json")
    atomic_write_bytes(tmp_path / "m.json", b'{"a": 1}\n')
    assert (tmp_path / "m.json").is_symlink() and (real / "m.json").read_bytes() == b'{"a": 1}\n'

    index = GridIndex.build(np.array([shapely.box(0, 0, 1, 1)]), key="k")
    (real / "g.npz").write_bytes(b"")
    (tmp_path / "g.npz").symlink_to(real / "g.npz")
    index.save(tmp_path / "g.npz", key="k")
    assert (tmp_path / "g.npz").is_symlink() and (real / "g.npz").stat().st_size > 0
    assert stat.S_IMODE((real / "g.npz").stat().st_mode) == 0o600  # a cache file stays private
    assert _listing(real) == ["g.npz", "m.json"]


# --- several outputs: check them all before writing any ----------------------------------------

def test_map_checks_every_output_before_writing_any(tmp_path):
    html = tmp_path / "f.html"
    html.write_text("old map\n")
    for extra in (["--png", str(tmp_path / "m.jpg")], ["--svg", str(tmp_path / "m.png")],
                  ["--png", str(tmp_path / "missing-dir-is-a-file" / "m.png")],
                  ["--png", str(html.with_suffix(".png")), "--svg", str(tmp_path)],
                  ["--png", str(html)]):
        (tmp_path / "missing-dir-is-a-file").write_text("x")
        r = run("map", "-o", str(html), *extra)
        assert_one_line_error(r, 2)
        assert html.read_text() == "old map\n", extra
        assert _listing(tmp_path) == ["f.html", "missing-dir-is-a-file"], extra


def test_the_same_path_for_two_outputs_is_refused(tmp_path):
    r = run("map", "-o", str(tmp_path / "a.png"), "--png", str(tmp_path / "a.png"))
    assert_one_line_error(r, 2)
    assert _listing(tmp_path) == []


def test_shapefile_output_is_refused_with_a_hint(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("lat,lon\n24,154\n")
    r = run("where", "--input", str(src), "--output", str(tmp_path / "out.shp"))
    assert_one_line_error(r, 2)
    assert ".gpkg" in r.err
    assert _listing(tmp_path) == ["in.csv"]


# --- stdout: all or nothing --------------------------------------------------------------------

def test_csv_to_stdout_is_all_or_nothing(tmp_path):
    src = tmp_path / "big.csv"
    good = "".join(f"{20 + (i % 10)},{150 + (i % 7)}\n" for i in range(5001))
    src.write_text("lat,lon\n" + good + "24,154,oops,extra\n" + "25,155\n")
    for args in ([], ["--output", "-"]):
        r = run("where", "--input", str(src), "--chunk-rows", "1000", *args)
        assert_one_line_error(r, 2)
        assert r.out == "", r.out[:200]
    assert _listing(tmp_path) == ["big.csv"]
    ok = tmp_path / "ok.csv"
    ok.write_text("lat,lon\n" + good)
    r = run("where", "--input", str(ok), "--chunk-rows", "1000")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert len(lines) == 5002 and lines[0].startswith("lat,lon,eez_answer")


# --- SIGTERM -----------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("sig,status,word", [(signal.SIGTERM, 143, "terminated"),
                                             (signal.SIGHUP, 129, "hung up")])  # a closed terminal or ssh
def test_sigterm_leaves_no_temporary_file(tmp_path, sig, status, word):
    src = tmp_path / "big.csv"
    src.write_text("lat,lon\n" + "".join(f"{15 + (i % 35)}.5,{120 + (i % 40)}.25\n" for i in range(1_000_000)))
    dst = tmp_path / "out.csv"
    dst.write_text("previous results\n")
    # --distance keeps the run going for seconds: the signal lands mid-run even on a loaded machine
    # (without it the whole run took 0.8 s, and a delayed sender found it finished)
    p = subprocess.Popen([sys.executable, "-m", "geo", "where", "--input", str(src), "--output", str(dst),
                          "--distance", "--chunk-rows", "1000"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not any(x.name.startswith(".out.csv.") for x in tmp_path.iterdir()):
        time.sleep(0.02)
    assert any(x.name.startswith(".out.csv.") for x in tmp_path.iterdir()), "never started writing"
    p.send_signal(sig)
    _, err = p.communicate(timeout=60)
    assert p.returncode == status, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1 and word in err
    assert dst.read_text() == "previous results\n"
    assert _listing(tmp_path) == ["big.csv", "out.csv"]


def test_check_output_resolves_symlinks_for_the_input_check(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("lat,lon\n24,154\n")
    link = tmp_path / "out.csv"
    link.symlink_to(src)
    with pytest.raises(OutputError, match="input"):
        _io.check_output(link, src)


# --- an output's name says what is in it; no directory is made (review of issue 9, items 4, 7) ---

@pytest.mark.parametrize("args,name", [
    (["export", "-o", "{d}/x.shp"], "x.shp"),                     # would be GeoJSON text in a .shp
    (["export", "-o", "{d}/x.csv"], "x.csv"),
    (["map", "-o", "{d}/m.png"], "m.png"),                        # would be HTML in a .png
    (["where", "--input", "{d}/in.csv", "--engine", "dask", "--output", "{d}/dq.csv"], "dq.csv"),
])
def test_an_output_whose_name_is_another_format_is_refused(tmp_path, args, name):
    (tmp_path / "in.csv").write_text("lat,lon\n24,154\n")
    r = run(*[a.format(d=tmp_path) for a in args])
    assert_one_line_error(r, 2)
    assert "file name" in r.err or "directory name" in r.err, r.err
    assert _listing(tmp_path) == ["in.csv"]


@pytest.mark.parametrize("args", [
    ["where", "--input", "{d}/bad.csv", "--output", "{d}/nd6/a/x.csv"],
    ["where", "--input", "{d}/in.csv", "--output", "{d}/nd6/a/x.csv"],
    ["map", "-o", "{d}/m.html", "--png", "{d}/nd6/m.png"],
    ["map", "-o", "{d}/nd6/m.html"],
    ["export", "-o", "{d}/nd6/x.geojson"],
])
def test_a_missing_output_directory_is_refused_and_never_made(tmp_path, args):
    (tmp_path / "in.csv").write_text("lat,lon\n24,154\n")
    (tmp_path / "bad.csv").write_text("lat,lon\nx,y\n")
    r = run(*[a.format(d=tmp_path) for a in args])
    assert_one_line_error(r, 2)
    assert "does not exist" in r.err, r.err
    assert _listing(tmp_path) == ["bad.csv", "in.csv"]


def test_a_suffix_is_not_asked_of_a_device(tmp_path):
    null = _char_device(tmp_path / "null", 1, 3)
    r = run("export", "-o", str(null))
    assert r.code == 0, r.err
