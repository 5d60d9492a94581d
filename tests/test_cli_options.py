"""The command line's edges: a failed write to stdout, a closed pipe, an unreadable
input, a bad Dask scheduler, -v/--verbose, options that would be silently
ignored, the group's help, and country names in the text answer (issue 9,
items 17, 18 and 21)."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys

import pytest

from helpers import ROOT, assert_one_line_error, run
from _constants import ISLAND_ARGS

# --- stdout that cannot be written, and a reader that goes away ----------------------------


def _run_to(stdout, *args: str, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
    return subprocess.run([sys.executable, "-m", "geo", *args], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, env=env, cwd=ROOT, timeout=300, **kw)


@pytest.mark.parametrize("args", [
    ["where", "24", "154"],
    ["where", "24", "154", "--json"],
    ["sites"],
    ["export"],
    ["layers"],
])
def test_a_full_stdout_is_one_error_line_exit_2(args):
    with open("/dev/full", "w") as full:
        p = _run_to(full, *args)
    assert p.returncode == 2, p.stderr
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "Traceback" not in p.stderr, p.stderr
    assert "standard output" in lines[0] and "No space left on device" in lines[0]


def test_where_input_to_a_full_stdout_is_one_error_line(tmp_path):
    src = tmp_path / "p.csv"
    src.write_text("lat,lon\n24,154\n36,150\n", encoding="utf-8")
    with open("/dev/full", "w") as full:
        p = _run_to(full, "where", "--input", str(src))
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr and "standard output" in p.stderr, p.stderr


def test_a_reader_closing_the_pipe_early_is_quiet():
    """`eezmap export | head -c 100`: no traceback, no 'Exception ignored', status 141."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
    p = subprocess.Popen([sys.executable, "-m", "geo", "export"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env, cwd=ROOT)
    assert p.stdout.read(100)
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=300) == 141, err
    assert err == ""


# --- an input file the user may not read -----------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
_PR_CAPBSET_DROP, _CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 24, 1, 2


def _as_an_ordinary_user() -> None:
    """preexec_fn: as root, give up the power to read any file whatever its mode.

    Dropping to ``nobody`` is not possible here (the interpreter lives in /root,
    mode 0700); dropping the two capabilities that let root ignore file modes
    from the bounding set makes the new program read files as a non-root user
    would.  Not root: nothing to drop.
    """
    if os.geteuid() != 0:
        return
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if _libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _run_unprivileged(*args: str, cwd) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
    return subprocess.run([sys.executable, "-m", "geo", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300, preexec_fn=_as_an_ordinary_user)


def test_the_privilege_drop_works(tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("lat,lon\n24,154\n", encoding="utf-8")
    secret.chmod(0)
    env = dict(os.environ)
    p = subprocess.run([sys.executable, "-c", f"open({str(secret)!r}).read()"], capture_output=True, text=True,
                       env=env, preexec_fn=_as_an_ordinary_user)
    assert p.returncode == 1 and "PermissionError" in p.stderr, p.stderr


@pytest.mark.parametrize("args", [
    ["where", "--input", "f.csv"],                                   # streamed to stdout
    ["where", "--input", "f.csv", "--output", "out.csv"],
    ["where", "--input", "f.csv", "--output", "out.parquet"],
    ["where", "--input", "f.csv", "--output", "outdir", "--engine", "dask"],
])
def test_an_unreadable_input_is_one_error_line(tmp_path, args):
    src = tmp_path / "f.csv"
    src.write_text("lat,lon\n24,154\n", encoding="utf-8")
    src.chmod(0)
    r = _run_unprivileged(*args, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert "cannot read" in lines[0] and "f.csv" in lines[0] and "ermission denied" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.csv"]


# --- Dask scheduler -----------------------------------------------------------------------------

@pytest.mark.parametrize("address", ["bogus", "bogus://host:1", "tcp://", ":::"])
def test_a_malformed_dask_scheduler_address_is_bad_input(tmp_path, address):
    pytest.importorskip("distributed")
    src = tmp_path / "p.csv"
    src.write_text("lat,lon\n24,154\n", encoding="utf-8")
    r = run("where", "--input", str(src), "--output", str(tmp_path / "out"), "--engine", "dask",
            "--scheduler", address)
    assert_one_line_error(r, 2)
    assert "scheduler" in r.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]


# --- -v / --verbose -------------------------------------------------------------------------------

@pytest.mark.parametrize("flags", [[], ["-v"], ["--verbose"]])
def test_one_verbose_flag_still_gives_one_line(flags):
    r = run(*flags, "where", "91", "0")
    assert_one_line_error(r, 2)


@pytest.mark.parametrize("flags", [["-vv"], ["-v", "-v"], ["--verbose", "--verbose"], ["-v", "--verbose"]])
def test_two_verbose_flags_show_the_traceback(flags):
    r = run(*flags, "where", "91", "0")
    assert r.code == 2, (r.code, r.err)  # the documented status, traceback or not
    assert "Traceback" in r.err and "CoordinateError" in r.err


def test_two_verbose_flags_keep_a_layer_errors_status():
    """A missing layer is status 5 with or without -vv (was 1, the status of 'no')."""
    r = run("-vv", "where", "24", "154", "--layer", "no-such-layer")
    plain = run("where", "24", "154", "--layer", "no-such-layer")
    assert r.code == plain.code != 1, (r.code, plain.code)
    assert "Traceback" in r.err


_CRASH = """
import sys, geo.answer
def boom(*a, **k):
    raise RuntimeError("a bug")
geo.answer.where = boom
from geo.cli import main
main(sys.argv[1:])
"""


@pytest.mark.parametrize("flags", [[], ["-vv"]])
def test_a_bug_is_an_internal_error_with_its_own_status(flags):
    """An unexpected exception exits 70 (EX_SOFTWARE), never 1 ('no'): one line, or -vv's traceback."""
    p = subprocess.run([sys.executable, "-c", _CRASH, *flags, "where", "24", "154"], capture_output=True,
                       text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert p.returncode == 70, (p.returncode, p.stderr)
    if flags:
        assert "Traceback" in p.stderr and "RuntimeError: a bug" in p.stderr
    else:
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        assert lines == ["eezmap: internal error: RuntimeError: a bug (a bug in eezmap; "
                         "run with -vv for the traceback)"], p.stderr


def test_a_v_that_is_an_option_value_is_no_verbose_flag(tmp_path):
    """Only the group's -v counts: here '-vv' is a column name, so the error stays one line."""
    src = tmp_path / "p.csv"
    src.write_text("lat,lon\n24,154\n", encoding="utf-8")
    r = run("where", "--input", str(src), "--lat-col", "-vv")
    assert_one_line_error(r, 2)


# --- options that would be silently ignored ---------------------------------------------------

@pytest.mark.parametrize("args,flag", [
    (["where", "24", "154", "--output", "OUT"], "--output"),
    (["where", "24", "154", "--lat-col", "y"], "--lat-col"),
    (["where", "24", "154", "--lon-col", "x"], "--lon-col"),
    (["where", "24", "154", "--engine", "dask"], "--engine"),
    (["where", "24", "154", "--chunk-rows", "5000"], "--chunk-rows"),
    (["where", "24", "154", "--progress"], "--progress"),
    (["where", "24", "154", "--scheduler", "tcp://127.0.0.1:8786"], "--scheduler"),
    (["where", "24", "154", "--indent", "2"], "--indent"),
    (["where", "24", "154", "--distance", "--no-distance"], "--no-distance"),
    (["where", "--input", "IN", "--output", "OUT", "--scheduler", "tcp://127.0.0.1:8786"], "--scheduler"),
    (["where", "--input", "IN", "--output", "OUT", "--indent", "2"], "--indent"),
    (["where", "--input", "IN", "--output", "OUT", "--engine", "dask", "--chunk-rows", "5000"], "--chunk-rows"),
    (["where", "--input", "IN", "--output", "OUT", "--engine", "dask", "--progress"], "--progress"),
    (["distance", "minami-torishima", "rey-mud-area", "--indent", "2"], "--indent"),
    (["area", "rey-mud-area", "--indent", "2"], "--indent"),
    (["sites", "--indent", "2"], "--indent"),
    (["layers", "--indent", "2"], "--indent"),
    (["layers", "list", "--indent", "2"], "--indent"),
    (["layers", "--verify", "default"], "--verify"),
    (["layers", "--json", "remove", "x"], "--json"),
    (["layers", "default", "--cache-dir", "CACHE"], "--cache-dir"),
    (["layers", "add", "IN", "--indent", "2"], "--indent"),
    (["layers", "fetch", "--sovereign", "Japan", "--indent", "2", "--url", "http://127.0.0.1:9/wfs", "--retries", "0"], "--indent"),
    (["layers", "fetch", "--world", "--bbox", "150,20,158,28", "--url", "http://127.0.0.1:9/wfs", "--retries", "0"], "--world"),
    (["layers", "fetch", "--world", "--sovereign", "Japan", "--url", "http://127.0.0.1:9/wfs", "--retries", "0"], "--world"),
])
def test_an_option_that_would_be_ignored_is_refused(tmp_path, args, flag):
    src = tmp_path / "in.csv"
    src.write_text("lat,lon\n24,154\n", encoding="utf-8")
    args = [str(src) if a == "IN" else str(tmp_path / "out.csv") if a == "OUT" else
            str(tmp_path / "cache") if a == "CACHE" else a for a in args]
    r = run(*args, env={"EEZMAP_CACHE": str(tmp_path / "cache")})
    assert_one_line_error(r, 2)
    assert flag in r.err
    assert r.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


@pytest.mark.parametrize("args", [
    ["where", "24", "154", "--json", "--indent", "2"],
    ["where", "24", "154", "--distance"],
    ["where", "--input", "IN", "--output", "OUT", "--json", "--indent", "2", "--progress", "--chunk-rows", "5000"],
    ["distance", "minami-torishima", "rey-mud-area", "--json", "--indent", "2"],
    ["sites", "--json", "--indent", "2"],
    ["layers", "--json", "--indent", "2"],
    ["export", "--indent", "2"],
])
def test_options_that_apply_are_accepted(tmp_path, args):
    src = tmp_path / "in.csv"
    src.write_text("lat,lon\n24,154\n", encoding="utf-8")
    args = [str(src) if a == "IN" else str(tmp_path / "out.csv") if a == "OUT" else a for a in args]
    r = run(*args)
    assert r.code == 0, r.err


# --- the group's help, country names ---------------------------------------------------------

def test_eezmap_alone_prints_the_help_as_help():
    r = run()
    assert r.code == 2
    text = r.out + r.err
    lines = text.splitlines()
    assert lines[0].startswith("Usage: eezmap")
    assert "Commands:" in lines and "Options:" in lines
    assert any(l.split()[:1] == ["where"] for l in lines)      # one command per line
    assert text == run("--help").out


@pytest.mark.parametrize("country,possessive", [
    ("PHL", "the Philippines' EEZ"),
    ("Philippines", "the Philippines' EEZ"),
    ("USA", "the United States' EEZ"),
    ("MHL", "the Marshall Islands' EEZ"),
    ("FRA", "France's EEZ"),            # named only in the coarse world layer
    ("JPN", "Japan's EEZ"),
])
def test_the_answer_names_the_country_properly(country, possessive):
    r = run("where", "36", "150", "--country", country, "--no-distance")
    assert r.code == 1, r.err
    assert r.out.splitlines()[0].endswith(f"is not in {possessive}."), r.out


def test_readme_describes_every_key_and_value_of_where_json():
    """Every key `where --json` prints, and every kind of `across`, is in the README's
    description of the JSON object (issue 9, item 21: `across: null`, the across zone's
    `status`)."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("With `--json`, `where` prints exactly one JSON object")
    para = readme[start:readme.index("\n\n", start)]
    documented = set(re.findall(r"`([^`]+)`", para))
    seen_keys, seen_across = set(), set()
    for lat, lon in [ISLAND_ARGS, ("35.69", "139.69"), ("36", "129.8"), ("25.8", "123.5"),
                     ("35.02", "129.548"),            # a vertex of Japan's zone: on the boundary
                     ("30", "179.99"), ("-33.9", "18.4"),
                     ("21.5406", "159.2656")]:                # a JOGMEC crust block (ISA, July 2019)
        j = run("where", lat, lon, "--json").json()
        seen_keys |= set(j)
        for key in ("zone", "enclosing_zone", "layer", "nearest_boundary", "seabed", "depth_m"):
            if isinstance(j.get(key), dict):
                seen_keys |= set(j[key])
        for c in (j.get("seabed") or {}).get("contracts", []):
            seen_keys |= set(c)
        across = (j["nearest_boundary"] or {}).get("across", "absent")
        if isinstance(across, dict):
            seen_keys |= set(across)
            seen_across.add("zone")
        else:
            seen_across.add(across)
    assert seen_keys - documented == set()
    assert {None, "zone", "land"} <= seen_across
    for value in seen_across - {None, "zone", "absent"}:
        assert f'`"{value}"`' in para
    assert "`null` when the point lies on the boundary" in para
    assert "plus its `status`" in para


def test_readme_tables_name_every_status_and_exit_status():
    """The status table holds every status a row can get (`invalid` included), and the
    exit table every status the CLI documents in its own help."""
    import re

    from geo.enums import Status as STATUSES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| status | meaning |"):readme.index("| exit | meaning |")]
    rows = {s for line in table.splitlines() if line.startswith("| `") for s in re.findall(r"`(\w+)`", line.split("|")[1])}
    assert set(STATUSES) | {"invalid"} <= rows
    exits = readme[readme.index("| exit | meaning |"):]
    exits = {int(m) for m in re.findall(r"^\| (\d+) \|", exits, re.M)}
    helped = run("--help").out
    line = " ".join(helped[helped.index("Exit status:"):helped.index("Options:")].split())
    assert {int(n) for n in re.findall(r"(\d+) [a-z]", line)} == exits


# --- option combinations (review of issue 9, item 8) -------------------------------------------

@pytest.mark.parametrize("args,needle", [
    (["where", "--input", "{d}/in.csv", "--lat-col", "y", "--lon-col", "y"], "two different columns"),
    (["where", "--input", "{d}/in.csv", "--output", ""], "empty"),
    (["where", "--input", ""], "empty"),
    (["export", "-o", ""], "empty"),
    (["map", "-o", "{d}/m.html", "--png", ""], "empty"),
    (["where", "--input", "{d}/dup.csv"], "twice"),
])
def test_option_combinations_that_mean_nothing_are_refused(tmp_path, args, needle):
    (tmp_path / "in.csv").write_text("x,y\n154,24\n")
    (tmp_path / "dup.csv").write_text("lat,lat,lon\n24,25,154\n")
    r = run(*[a.format(d=tmp_path) for a in args])
    assert_one_line_error(r, 2)
    assert needle in r.err, r.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dup.csv", "in.csv"]


def test_messages_count_and_article_correctly(tmp_path):
    """Review of issue 9 (weaker): '1 row', 'an attributes layer'."""
    src = tmp_path / "in.csv"
    src.write_text("lat,lon\n24.28667,153.98056\n")
    r = run("where", "--input", str(src), "--output", str(tmp_path / "o.csv"))
    assert r.code == 0 and "classified 1 row " in r.err and "classified 1 rows" not in r.err, r.err  # not "(1 rows/s)"
    r = run("where", "24", "154", "--layer", "mr-v12-eez-attributes-world")
    assert_one_line_error(r, 2)
    assert "an attributes layer" in r.err, r.err


def test_a_semicolon_separated_csv_gets_a_hint(tmp_path):
    """Decided: ';' is not sniffed (a ',' decimal comma often goes with it); the error says so."""
    src = tmp_path / "in.csv"
    src.write_text("lat;lon\n24,28667;153,98056\n")
    r = run("where", "--input", str(src))
    assert_one_line_error(r, 2)
    assert "';'" in r.err and ".tsv" in r.err, r.err


# --- -v / -q as levels of the "geo" logger (issue 10) -----------------------------------------------

def _rerun_input(tmp_path, *flags):
    """`where --input` over its own earlier output: the note about the replaced columns."""
    src, first = tmp_path / "p.csv", tmp_path / "first.csv"
    src.write_text("lat,lon\n24.28667,153.98056\n", encoding="utf-8")
    assert run("where", "--input", str(src), "--output", str(first)).code == 0
    return run(*flags, "where", "--input", str(first), "--output", str(tmp_path / "second.csv"))


def test_a_note_is_shown_by_default_and_silenced_by_q(tmp_path):
    loud = _rerun_input(tmp_path)
    assert loud.code == 0, loud.err
    notes = [line for line in loud.err.splitlines() if line.startswith("eezmap: note: ")]
    assert len(notes) == 1 and "replaced by the new answers" in notes[0], loud.err
    for flags in (["-q"], ["--quiet"]):
        quiet = _rerun_input(tmp_path, *flags)
        assert quiet.code == 0, quiet.err
        assert "note:" not in quiet.err, quiet.err
        assert "rows" in quiet.err  # the summary is the command's result, not a note: it stays


def test_q_turns_the_progress_off_unless_asked_for(tmp_path, monkeypatch):
    import geo.cli.where
    import geo.io.batch

    seen = []

    def classify_file(*args, progress=None, **kw):
        seen.append(progress)
        return {"replaced_columns": []}

    monkeypatch.setattr(geo.io.batch, "classify_file", classify_file)
    monkeypatch.setattr(geo.cli.where, "summary_text", lambda summary: "summary")
    src = tmp_path / "p.csv"
    src.write_text("lat,lon\n24,154\n", encoding="utf-8")
    for flags, args in (([], []), (["-q"], []), (["-q"], ["--progress"]), ([], ["--no-progress"])):
        assert run(*flags, "where", "--input", str(src), *args).code == 0
    assert seen == [None, False, True, False]


def test_q_sets_the_progress_default_for_the_run_only(monkeypatch):
    from geo import _progress

    seen = []
    real = _progress.set_default
    monkeypatch.setattr(_progress, "set_default", lambda value: (seen.append(value), real(value)))
    assert run("-q", "sites").code == 0
    assert seen == [False, None]  # off for the run, given back after it


@pytest.mark.parametrize("flags,level", [([], "WARNING"), (["-v"], "INFO"), (["-vv"], "DEBUG"),
                                         (["-vvv"], "DEBUG"), (["-q"], "ERROR"), (["-qq"], "CRITICAL"),
                                         (["-v", "-q"], "WARNING"), (["--verbose"], "INFO")])
def test_the_flags_set_the_geo_loggers_level_for_the_run(monkeypatch, flags, level):
    """rio's mapping: WARNING by default, 10 lower per -v, 10 higher per -q; a library module's
    logger (logging.getLogger(__name__)) is shown on stderr at that level, and only during the run."""
    import logging

    import geo.sites

    seen = []
    real = geo.sites.load_sites

    def load_sites(*a, **k):
        log = logging.getLogger("geo.sites")
        seen.append(logging.getLevelName(log.getEffectiveLevel()))
        log.info("info from the library")
        return real(*a, **k)

    monkeypatch.setattr(geo.sites, "load_sites", load_sites)
    before = logging.getLogger("geo").level
    r = run(*flags, "sites")
    assert r.code == 0, r.err
    assert seen and set(seen) == {level}
    assert ("eezmap: info from the library" in r.err) == (level in ("INFO", "DEBUG")), r.err
    assert logging.getLogger("geo").level == before and not logging.getLogger("geo").handlers


def _failing_where(monkeypatch):
    """`where` failing with a library error caused by another (raise ... from exc)."""
    import geo.answer
    from geo.errors import InputFileError

    def where(*a, **k):
        try:
            raise ValueError("the low-level cause\nover two lines")
        except ValueError as exc:
            raise InputFileError("the error the user sees") from exc

    monkeypatch.setattr(geo.answer, "where", where)


def test_an_errors_causes_are_one_line_each_with_v_and_a_traceback_with_vv(monkeypatch):
    _failing_where(monkeypatch)
    plain = run("where", "24", "154")
    assert_one_line_error(plain, 2)
    assert plain.err == "eezmap: error: the error the user sees\n"
    once = run("-v", "where", "24", "154")
    assert once.code == 2 and "Traceback" not in once.err
    assert once.err.splitlines() == ["eezmap: error: the error the user sees",
                                     "eezmap: cause: ValueError: the low-level cause over two lines"]
    twice = run("-vv", "where", "24", "154")
    assert twice.code == 2
    assert "Traceback" in twice.err and "The above exception was the direct cause" in twice.err
    assert "ValueError: the low-level cause" in twice.err and "InputFileError: the error" in twice.err
    assert run("-q", "where", "24", "154").err == plain.err  # -q never hides an error


# --- library parameter names said as the CLI's flags -------------------------------------------

@pytest.mark.parametrize("message,param,expected", [
    ("`page_size` must be at least 1", None, "--page-size must be at least 1"),
    ("page_size must be at least 1", "page_size", "--page-size must be at least 1"),
    ("page_size=0 is not a page size", "page_size", "--page-size 0 is not a page size"),
    ("bbox needs four numbers W,S,E,N", "bbox", "--bbox needs four numbers W,S,E,N"),
    ("bbox='1,2' needs four numbers", "bbox", "--bbox 1,2 needs four numbers"),
    ("bbox needs four numbers W,S,E,N", None, "bbox needs four numbers W,S,E,N"),  # one word: only if named
    ("timeout and `page_size`", ("timeout",), "--timeout and --page-size"),
    ("--page-size must be at least 1", None, "--page-size must be at least 1"),  # a flag already
    ("the page_size_limit", None, "the page_size_limit"),  # not the name of a parameter
    # the user's own words are never rewritten: paths and column names that spell a parameter
    ("input file /tmp/inp/lat_col.csv does not exist", None, "input file /tmp/inp/lat_col.csv does not exist"),
    ("no column 'with_distance' for latitude", None, "no column 'with_distance' for latitude"),
    ("in /data/lat_col.csv: name it with `lat_col`", None, "in /data/lat_col.csv: name it with --lat-col"),
    ("in /data/lat_col.csv: name it with lat_col.", "lat_col", "in /data/lat_col.csv: name it with --lat-col."),
])
def test_a_library_errors_parameter_names_become_flags(message, param, expected):
    import geo.cli.layers  # noqa: F401 (the command whose flags are said)
    from geo.cli._common import translate
    from geo.errors import ArgumentError

    exc = ArgumentError(message)
    if param is not None:
        exc.param = param
    assert translate(exc) == expected


def test_the_cli_says_the_flag_where_the_library_says_the_parameter(monkeypatch, tmp_path):
    import geo.layers.fetch
    from geo.errors import ArgumentError

    def fetch_layer(*a, **k):
        raise ArgumentError("`page_size` must be at least 1 (a Python caller sees `page_size`)")

    monkeypatch.setattr(geo.layers.fetch, "fetch_layer", fetch_layer)
    r = run("layers", "fetch", "--sovereign", "Japan", "--cache-dir", str(tmp_path))
    assert_one_line_error(r, 2)
    assert r.err == "eezmap: error: --page-size must be at least 1 (a Python caller sees --page-size)\n"


# --- where --distance/--no-distance: one flag pair, its default by mode -------------------------

def test_where_distance_default_is_on_for_one_point_and_off_for_a_file(tmp_path):
    one = run("where", "24.28667", "153.98056", "--json").json()
    assert one["distance_to_boundary_km"] is not None
    assert run("where", "24.28667", "153.98056", "--json", "--no-distance").json()[
        "distance_to_boundary_km"] is None
    assert run("where", "24.28667", "153.98056", "--json", "--distance", "--distance").code == 0
    src = tmp_path / "p.csv"
    src.write_text("lat,lon\n24.28667,153.98056\n", encoding="utf-8")
    header = {}
    for args in ([], ["--no-distance"], ["--distance"]):
        out = tmp_path / f"out{len(header)}.csv"
        assert run("where", "--input", str(src), "--output", str(out), *args).code == 0
        header[tuple(args)] = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert "eez_boundary_km" not in header[()] and header[()] == header[("--no-distance",)]
    assert "eez_boundary_km" in header[("--distance",)]
    assert "--distance / --no-distance" in run("where", "--help").out


def test_a_path_or_column_that_spells_a_parameter_is_quoted_as_given(tmp_path):
    # the reviewer's case: the error line rewrote the user's file name and column name as flags
    missing = tmp_path / "inp" / "lat_col.csv"
    r = run("where", "--input", str(missing))
    assert_one_line_error(r, 2)
    assert f"{missing} does not exist" in r.err and "--lat-col" not in r.err
    src = tmp_path / "pts.csv"
    src.write_text("lat,lon\n24,154\n", encoding="utf-8")
    r = run("where", "--input", str(src), "--lat-col", "with_distance")
    assert_one_line_error(r, 2)
    assert "no column 'with_distance'" in r.err
