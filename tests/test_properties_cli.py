"""Property-based tests of the command line and the library (issue 9, "Done when").

Generated coordinates in every accepted notation (decimal, hemisphere letters
before or after, degrees-minutes(-seconds) with ° ′ ″, ASCII quotes, d/m/s,
spaces or colons, 0–360 longitudes, scientific notation, "LAT,LON" in one
argument) and generated garbage go to ``eezmap where`` and, as one row of a
CSV file, to ``eezmap where --input``.  Asserted for every example:

- the same answer (answer, status, MRGID) from both, or the same error message
  (the argument's stderr line and the row's ``eez_error``);
- the value read is the value written (within the notation's rounding);
- the exit status is in the documented set {0, 1, 2, 3, 4, 5, 6, 130};
- never a traceback;
- no file other than the named output is created or changed.

The CLI runs in-process through :func:`geo.cli.main` (the console script's
entry point, which turns errors into one line and an exit status) inside
click's ``CliRunner`` isolation, so an example costs milliseconds, not a
Python start-up.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from geo.cli import main
from geo.coords import parse_pair, parse_pairs
from geo.errors import CoordinateError

EXIT_CODES = {0, 1, 2, 3, 4, 5, 6, 130}
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

pytestmark = pytest.mark.slow


# ---------------------------------------------------------------- running the CLI in-process

def eezmap(*args: str, cwd: Path) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of ``eezmap ARGS`` run in *cwd*; an escaped exception is a traceback."""
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with runner.isolation() as (out, err, _):
            try:
                main(list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except BaseException:  # what a user would see as a traceback
                sys.stderr.write(traceback.format_exc())
                code = -1
            sys.stdout.flush()
            sys.stderr.flush()
            stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    finally:
        os.chdir(old)
    return code, stdout, stderr


def snapshot(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def check_run(code: int, stdout: str, stderr: str) -> None:
    assert code in EXIT_CODES, (code, stdout, stderr)
    assert "Traceback" not in stderr and "Traceback" not in stdout, stderr


# ---------------------------------------------------------------- notations

def _dms(x: float) -> tuple[int, int, float]:
    """Whole degrees, whole minutes and seconds (two decimals) of |x|."""
    total = round(abs(x) * 360000)  # hundredths of a second
    d, rest = divmod(total, 360000)
    m, cs = divmod(rest, 6000)
    return d, m, cs / 100


@st.composite
def value_text(draw, what: str) -> tuple[str, float, str | None]:
    """(text, the value it means before normalising, its hemisphere letter or None) for one coordinate."""
    if what == "lat":
        x = draw(st.integers(-9_000_000, 9_000_000)) / 1e5
    else:
        x = draw(st.integers(-18_000_000, 35_999_999)) / 1e5  # 0-360 longitudes too
    letters = ("N", "S") if what == "lat" else ("E", "W")
    form = draw(st.sampled_from(["decimal", "scientific", "letter", "dms", "dms_ascii", "dms_dm",
                                 "dms_spaces", "dms_colons", "dm_spaces"]))
    if form == "decimal":
        text = f"{x:.5f}" if draw(st.booleans()) else repr(x)
        return text, float(text), None
    if form == "scientific":
        text = f"{x:.6e}"
        return text, float(text), None
    if what == "lon" and x >= 180:  # letters and DMS take a longitude in [-180, 180]
        x -= 360
    neg = x < 0
    letter = letters[1] if neg else letters[0]
    if draw(st.booleans()):
        letter = letter.lower()
    if form == "letter":
        num = f"{abs(x):.5f}"
        sep = draw(st.sampled_from(["", " "]))
        text = f"{letter}{sep}{num}" if draw(st.booleans()) else f"{num}{sep}{letter}"
        return text, (-1 if neg else 1) * float(num), letter.upper()
    d, m, s = _dms(x)
    value = d + m / 60 + s / 3600
    use_letter = draw(st.booleans())
    sign = "" if use_letter or not neg else "-"
    sec = f"{s:g}"
    body = {
        "dms": f"{d}°{m}′{sec}″",
        "dms_ascii": f"{d}°{m}'{sec}\"",
        "dms_dm": f"{d}d{m}m{sec}s",
        "dms_spaces": f"{d} {m} {sec}",
        "dms_colons": f"{d}:{m}:{sec}",
        "dm_spaces": f"{d} {m + s / 60:.6f}".rstrip("0").rstrip("."),
    }[form]
    if form == "dm_spaces":
        value = d + float(body.split()[1]) / 60
    if not use_letter:
        return sign + body, (-value if neg else value), None
    return f"{body} {letter}", (-value if neg else value), letter.upper()


def _normalised(lon: float) -> float:
    return lon - 360 if lon >= 180 else lon


@st.composite
def coordinate_args(draw):
    """(argv after 'where', lat text, lon text, expected lat, expected lon)."""
    lat_t, lat_v, lat_l = draw(value_text("lat"))
    lon_t, lon_v, lon_l = draw(value_text("lon"))
    # a negative value as the first argument would be an option to most tools but not to eezmap;
    # the reversed order is only allowed (and swapped) when both carry hemisphere letters
    first, second = lat_t, lon_t
    if lat_l and lon_l and draw(st.booleans()):
        first, second = lon_t, lat_t
    one_arg = draw(st.booleans())
    args = [f"{first}{draw(st.sampled_from([',', ', ', ' , ', ';']))}{second}"] if one_arg else [first, second]
    return args, first, second, lat_v, _normalised(lon_v)


garbage_text = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
    st.text(alphabet="0123456789.-+ °′″'\":,;NSEWnsewdmse", max_size=14),
    st.sampled_from(["", " ", "nan", "inf", "-inf", "1e400", "1e-400", "91", "-90.0001", "361", "24 60",
                     "24°60′", "1e1 30", "24N153E", "24.5.3", "NaN", "٢٤", "２４", "\u221224.5", "24,5"]),
)


def _is_option_like(text: str) -> bool:
    """Arguments that click reads as options ('-h', '--json', '--'): not coordinates at all."""
    return text.startswith("-") and (len(text) == 1 or not (text[1].isdigit() or text[1] == "."))


# ---------------------------------------------------------------- where vs --input

def _answer_of_where(code: int, stdout: str, stderr: str):
    if code == 2:
        line = stderr.strip()
        prefix = "eezmap: error: "
        return ("error", line[len(prefix):] if line.startswith(prefix) else None)
    j = json.loads(stdout)
    return (j["answer"], j["status"], j["zone"]["mrgid"] if j["zone"] else -1), (j["query"]["lat"], j["query"]["lon"])


def _answer_of_row(tmp: Path, lat_text: str, lon_text: str):
    src = tmp / "in.csv"
    with open(src, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        w.writerow(["lat", "lon"])
        w.writerow([lat_text, lon_text])
    before = snapshot(tmp)
    code, out, err = eezmap("where", "--input", "in.csv", "--output", "out.csv", cwd=tmp)
    check_run(code, out, err)
    assert code == 0, err
    after = snapshot(tmp)
    assert {k: v for k, v in after.items() if k != "out.csv"} == before  # nothing else created or changed
    with open(tmp / "out.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1 and rows[0]["lat"] == lat_text and rows[0]["lon"] == lon_text
    row = rows[0]
    if row["eez_status"] == "invalid":
        return ("error", row["eez_error"])
    return (row["eez_answer"], row["eez_status"], int(row["eez_mrgid"]))


def _where(tmp: Path, args: list[str]):
    before = snapshot(tmp)
    code, out, err = eezmap("where", *args, "--json", "--no-distance", cwd=tmp)
    check_run(code, out, err)
    assert snapshot(tmp) == before  # a single answer writes no file
    return code, out, err


@SETTINGS
@given(coordinate_args())
def test_every_notation_same_answer_from_where_and_from_a_file(case):
    args, first, second, lat, lon = case
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        code, out, err = _where(tmp, args)
        assert code in (0, 1, 3, 4), (args, err)  # generated coordinates are all valid
        answer, (qlat, qlon) = _answer_of_where(code, out, err)
        assert qlat == pytest.approx(lat, abs=1e-9) and qlon == pytest.approx(lon, abs=1e-9), args
        if len(args) == 1:  # "LAT,LON" in one argument: the same as the two arguments
            code2, out2, err2 = _where(tmp, [first, second])
            assert (code2, _answer_of_where(code2, out2, err2)[0]) == (code, answer)
        assert _answer_of_row(tmp, first, second) == answer


@SETTINGS
@given(garbage_text, st.one_of(garbage_text, st.sampled_from(["153.98056", "153°58′50″E", "206"])),
       st.booleans())
def test_garbage_same_message_from_where_and_from_a_file(a, b, swap):
    lat_text, lon_text = (b, a) if swap else (a, b)
    assume(not _is_option_like(lat_text) and not _is_option_like(lon_text))
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        code, out, err = _where(tmp, [lat_text, lon_text])
        if code == 2:
            assert len([line for line in err.splitlines() if line.strip()]) == 1, err
        answer = _answer_of_where(code, out, err)
        if code != 2:
            answer = answer[0]
        assert _answer_of_row(tmp, lat_text, lon_text) == answer, (lat_text, lon_text, err)


# ---------------------------------------------------------------- the library

@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.one_of(garbage_text, st.floats(allow_nan=True, allow_infinity=True),
                                    st.integers(-1000, 1000), st.none()),
                          st.one_of(garbage_text, st.floats(allow_nan=True), st.integers(-1000, 1000),
                                    st.none())),
                min_size=1, max_size=8))
def test_parse_pairs_is_parse_pair_row_by_row(rows):
    """The vectorised reading of a column gives, row by row, the value or the message of parse_pair."""
    lat_col = np.array([r[0] for r in rows], dtype=object)
    lon_col = np.array([r[1] for r in rows], dtype=object)
    lat, lon, errors = parse_pairs(lat_col, lon_col)
    for (a, b), la, lo, e in zip(rows, lat, lon, errors):
        a = None if isinstance(a, float) and a != a else a   # NaN in a column = missing
        b = None if isinstance(b, float) and b != b else b
        try:
            exp = parse_pair(a, b)
        except CoordinateError as exc:
            assert e == str(exc) and np.isnan(la) and np.isnan(lo)
        else:
            assert e == "" and (la, lo) == exp


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=50),
       st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=50))
def test_numeric_columns_take_the_fast_path_with_the_same_rules(lats, lons):
    n = min(len(lats), len(lons))
    lat_col, lon_col = np.array(lats[:n]), np.array(lons[:n])
    lat, lon, errors = parse_pairs(lat_col, lon_col)
    for a, b, la, lo, e in zip(lat_col, lon_col, lat, lon, errors):
        try:
            exp = parse_pair(float(a), float(b))
        except CoordinateError as exc:
            assert e == str(exc)
        else:
            assert e == "" and (la, lo) == exp
    # the same numbers written as text (as a CSV holds them) read the same
    text_lat, text_lon, text_err = parse_pairs(np.array([repr(float(x)) for x in lat_col], dtype=object),
                                               np.array([repr(float(x)) for x in lon_col], dtype=object))
    np.testing.assert_array_equal(text_lat, lat)
    np.testing.assert_array_equal(text_lon, lon)
    assert [e == "" for e in text_err] == [e == "" for e in errors]


# ---------------------------------------------------------------- garbage files

@SETTINGS
@given(st.one_of(st.binary(max_size=300),
                 st.lists(st.text(alphabet="lat,lon0123456789.-\"\n °NSEWe", max_size=30), max_size=6)
                 .map(lambda lines: "\n".join(lines).encode())),
       st.sampled_from([".csv", ".tsv", ".geojson", ".gpkg", ".parquet"]),
       st.sampled_from([".csv", ".parquet", ".geojson"]))
def test_garbage_files_give_one_line_or_a_result(content, suffix, out_suffix):
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        (tmp / f"in{suffix}").write_bytes(content)
        before = snapshot(tmp)
        code, out, err = eezmap("where", "--input", f"in{suffix}", "--output", f"out{out_suffix}", cwd=tmp)
        check_run(code, out, err)
        after = snapshot(tmp)
        assert {k: v for k, v in after.items() if k != f"out{out_suffix}"} == before
        if code != 0:
            assert code == 2 and len([line for line in err.splitlines() if line.strip()]) == 1, err
            assert f"out{out_suffix}" not in after
