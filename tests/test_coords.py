"""Tests of geo.coords: parsing and validating the coordinates people type.

Expected values are written out by hand (24°17′12″ = 24 + 17/60 + 12/3600),
never computed by the code under test.
"""

from __future__ import annotations

import doctest
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from geo import coords
from geo.coords import parse_latitude, parse_longitude, parse_pair, parse_point, wrap_lon
from geo.errors import CoordinateError

ROOT = Path(__file__).resolve().parent.parent

# Minami-Torishima: 24°17′12″N 153°58′50″E
MT_LAT = 24 + 17 / 60 + 12 / 3600  # 24.286666...
MT_LON = 153 + 58 / 60 + 50 / 3600  # 153.980555...

SETTINGS = settings(max_examples=300, deadline=None)


def assert_one_line(exc: BaseException) -> str:
    msg = str(exc)
    assert msg, "empty message"
    assert "\n" not in msg and "\r" not in msg and len(msg.splitlines()) == 1, msg
    return msg


def assert_coordinate_error(fn, *args) -> str:
    """Call fn(*args); it must raise CoordinateError (nothing else) with a one-line message."""
    try:
        fn(*args)
    except CoordinateError as exc:
        assert isinstance(exc, ValueError)
        return assert_one_line(exc)
    raise AssertionError(f"{fn.__name__}{args!r} did not raise")


# ------------------------------------------------------------------ examples: one value


@pytest.mark.parametrize("text, expected", [
    ("24.28667", 24.28667),
    ("-33.9", -33.9),
    ("+18.4", 18.4),
    ("  24.5  ", 24.5),
    ("\u221233.9", -33.9),  # Unicode minus sign
    ("24.", 24.0),
    (".5", 0.5),
    ("0", 0.0),
    ("90", 90.0),
    ("-90", -90.0),
    ("24.5°", 24.5),
    ("24.5 °", 24.5),
    # degrees-minutes: 24 + 17.2/60 = 24.2866666...
    ("24°17.2′", 24 + 17.2 / 60),
    ("24°17.2'", 24 + 17.2 / 60),
    ("24 17.2", 24 + 17.2 / 60),
    ("24:17.2", 24 + 17.2 / 60),
    ("24d17.2m", 24 + 17.2 / 60),
    # degrees-minutes-seconds: 24 + 17/60 + 12/3600 = 24.2866666...
    ("24°17′12″", MT_LAT),
    ("24°17'12\"", MT_LAT),
    ("24°17'12''", MT_LAT),
    ("24°17′12′′", MT_LAT),
    ("24° 17′ 12″", MT_LAT),
    ("24°17’12”", MT_LAT),  # curly quotes from a word processor
    ("24º17′12″", MT_LAT),  # masculine ordinal for the degree sign
    ("24 17 12", MT_LAT),
    ("24:17:12", MT_LAT),
    ("24d17m12s", MT_LAT),
    ("24D17M12S", MT_LAT),
    ("24deg 17min 12sec", MT_LAT),
    ("24 17 12.5", 24 + 17 / 60 + 12.5 / 3600),
    # hemisphere letters, before or after, either case
    ("24°17′12″N", MT_LAT),
    ("24°17′12″ N", MT_LAT),
    ("N24°17′12″", MT_LAT),
    ("n 24 17 12", MT_LAT),
    ("24 17 12 N", MT_LAT),
    ("24:17:12N", MT_LAT),
    ("24°17′12″S", -MT_LAT),
    ("24 17 12 s", -MT_LAT),  # 's' after unmarked seconds is South
    ("24d17m12sS", -MT_LAT),  # 's' after 'm' is the seconds unit, then South
    ("S33.9", -33.9),
    ("33.9 S", -33.9),
    ("33 54 S", -33.9),  # 33 + 54/60
    ("+24.5N", 24.5),
    ("90 0 0 S", -90.0),
])
def test_latitude_forms(text, expected):
    assert parse_latitude(text) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("text, expected", [
    ("153.98056", 153.98056),
    ("-70.5", -70.5),
    ("153°58′50″E", MT_LON),
    ("153°58'50\"E", MT_LON),
    ("E153°58′50″", MT_LON),
    ("153 58 50 E", MT_LON),
    ("153:58:50e", MT_LON),
    ("153d58m50s", MT_LON),
    ("70 30 W", -70.5),
    ("w70.5", -70.5),
    # 0-360 longitudes normalised to [-180, 180)
    ("200", -160.0),
    ("206", -154.0),
    ("359.5", -0.5),
    ("360", 0.0),
    ("180", -180.0),
    ("-180", -180.0),
    ("179.5", 179.5),
    ("200E", -160.0),
    ("180 W", -180.0),
    ("206°30′", -153.5),  # 206.5 - 360
])
def test_longitude_forms(text, expected):
    assert parse_longitude(text) == pytest.approx(expected, abs=1e-12)


def test_numbers_pass_through_validated():
    assert parse_latitude(24.28667) == 24.28667
    assert parse_latitude(-90) == -90.0
    assert parse_longitude(153.98056) == 153.98056
    assert parse_longitude(200.0) == -160.0
    assert parse_latitude(np.float64(12.5)) == 12.5
    assert parse_longitude(np.int64(190)) == -170.0
    assert parse_latitude(-0.0) == 0.0 and math.copysign(1, parse_latitude(-0.0)) == 1.0


@pytest.mark.parametrize("value", [
    "", "   ", "abc", "nan", "NaN", "inf", "-inf", "1e2", "1e1 30", "24 1e1", "1e400", "24.5.3", "24,5", "--24", "+-24",
    "°24", "24 17 12 10", "24:17:", ":17", "24°17″", "24′", "24 ° ° 17", "N", "N S 24", "N24S",
    "-24S", "-24 S", "N-24", "24.5 17", "24 17.5 12", "24 60", "24 17 60", "24:60:00",
    "24 17 12 E", "E24", "95", "-90.0001", "90 0 1", "91", "1" * 400, "24:17 12",
    "24°17:12", "twenty", "24 N N",
])
def test_bad_latitudes(value):
    assert_coordinate_error(parse_latitude, value)


@pytest.mark.parametrize("value", [
    "", "abc", "360.0001", "-180.5", "400", "200W", "153 58 50 N", "S10", "-153E", "153 61",
    "1e3", "nan",
])
def test_bad_longitudes(value):
    assert_coordinate_error(parse_longitude, value)


@pytest.mark.parametrize("value", [
    None, True, False, np.bool_(True), math.nan, math.inf, -math.inf, float("nan"), np.nan,
    [24.5], (24.5,), {"lat": 1}, b"24.5", bytearray(b"24"), object(), np.array([1.0, 2.0]),
    np.array(24.5), 10**400, complex(1, 1),
])
def test_non_coordinates_give_coordinate_error(value):
    assert_coordinate_error(parse_latitude, value)
    assert_coordinate_error(parse_longitude, value)
    assert_coordinate_error(parse_point, value)


def test_error_messages_quote_text_and_say_what_is_accepted():
    msg = assert_coordinate_error(parse_latitude, "abc")
    assert msg.startswith("cannot read latitude 'abc': ")
    assert "decimal degrees" in msg and "24°17′12″N" in msg and "24 17 12 N" in msg
    assert "N or S" in msg
    msg = assert_coordinate_error(parse_longitude, "xyz")
    assert msg.startswith("cannot read longitude 'xyz': ") and "E or W" in msg
    assert assert_coordinate_error(parse_latitude, "95") == "latitude '95' is out of range [-90, 90]"
    assert assert_coordinate_error(parse_latitude, 95.5) == "latitude 95.5 is out of range [-90, 90]"
    assert assert_coordinate_error(parse_longitude, "400") == \
        "longitude '400' is out of range [-180, 180] (or [0, 360])"
    assert "minutes must be in [0, 60), got 61" in assert_coordinate_error(parse_latitude, "24 61 0")
    assert "seconds must be in [0, 60), got 60" in assert_coordinate_error(parse_latitude, "24°17′60″")
    assert "whole number" in assert_coordinate_error(parse_latitude, "24.5°17′")
    assert "minus sign" in assert_coordinate_error(parse_latitude, "-33.9S")
    assert "'E'" in assert_coordinate_error(parse_latitude, "24.5E")
    assert "'N'" in assert_coordinate_error(parse_longitude, "153N")
    assert "scientific notation" in assert_coordinate_error(parse_latitude, "1e1 30")
    assert "not a finite number" in assert_coordinate_error(parse_latitude, math.nan)
    assert "empty" in assert_coordinate_error(parse_latitude, "  ")
    assert "missing" in assert_coordinate_error(parse_latitude, None)
    # newlines and long input are escaped/shortened, never break the line
    assert "\\n" in assert_coordinate_error(parse_latitude, "24\nx\r12")
    assert len(assert_coordinate_error(parse_latitude, "x" * 10_000)) < 400


# ------------------------------------------------------------------ examples: pairs and points


@pytest.mark.parametrize("text, lat, lon", [
    ("24.28667,153.98056", 24.28667, 153.98056),
    ("24.28667, 153.98056", 24.28667, 153.98056),
    ("24.28667 153.98056", 24.28667, 153.98056),
    ("24.28667;153.98056", 24.28667, 153.98056),
    ("  24.28667 ;  153.98056  ", 24.28667, 153.98056),
    ("24°17′12″N 153°58′50″E", MT_LAT, MT_LON),
    ("24°17'12\"N, 153°58'50\"E", MT_LAT, MT_LON),
    ("24°17'12''N 153°58'50''E", MT_LAT, MT_LON),
    ("24°17′12″N153°58′50″E", MT_LAT, MT_LON),
    ("24 17 12 N 153 58 50 E", MT_LAT, MT_LON),
    ("24:17:12N 153:58:50E", MT_LAT, MT_LON),
    ("24d17m12s 153d58m50s", MT_LAT, MT_LON),
    ("N24.28667 E153.98056", 24.28667, 153.98056),
    ("N 24 17 12 E 153 58 50", MT_LAT, MT_LON),
    ("153°58′50″E 24°17′12″N", MT_LAT, MT_LON),  # the letters decide which is which
    ("E153.98056, N24.28667", 24.28667, 153.98056),
    ("-33.9,18.4", -33.9, 18.4),
    ("-33.9 -18.4", -33.9, -18.4),
    ("33 54 S 18 24 E", -33.9, 18.4),
    ("S 33 54 E 18 24", -33.9, 18.4),
    ("24.3,206", 24.3, -154.0),
    ("24.3 206", 24.3, -154.0),
    ("24 17 153 58", 24 + 17 / 60, 153 + 58 / 60),  # the only split with minutes < 60
    ("24 17 12 153 58 50", MT_LAT, MT_LON),  # the only split into two 1-3 part values
    ("24:17 153:58:50", 24 + 17 / 60, MT_LON),
    ("24 17 12 S 153", -MT_LAT, 153.0),  # 'S 153' would be a latitude out of range
])
def test_point_forms(text, lat, lon):
    got = parse_point(text)
    assert got == (pytest.approx(lat, abs=1e-12), pytest.approx(lon, abs=1e-12))


@pytest.mark.parametrize("text, fragment", [
    ("10 20 30 40", "separate them with a comma"),  # 10 | 20 30 40, 10 20 | 30 40 or 10 20 30 | 40
    ("24.5", "only one value"),
    ("24.5,", "longitude after ',' is missing"),
    (", 153", "latitude before ',' is missing"),
    ("24,5,153,2", "more than one"),
    ("1e1 30, 5", "scientific notation"),
    ("24N153E", "space after the hemisphere letter"),
    ("24 61, 153", "minutes must be in [0, 60)"),
    ("24.28N 24N", "both latitudes"),
    ("153E, 24E", "both longitudes"),
    ("95, 200", "out of range"),
    ("24, 400", "out of range"),
    ("hello world", "give latitude then longitude"),
    ("", "empty"),
    ("1 " * 1000, "too long"),
])
def test_bad_points(text, fragment):
    assert fragment in assert_coordinate_error(parse_point, text)


def test_pair_values_and_types():
    assert parse_pair("24.28667", "153.98056") == (24.28667, 153.98056)
    assert parse_pair(24.28667, 153.98056) == (24.28667, 153.98056)
    assert parse_pair("24°17′12″N", "153°58′50″E") == (pytest.approx(MT_LAT), pytest.approx(MT_LON))
    assert parse_pair("-33.9", "200") == (-33.9, -160.0)
    # "eezmap where 24.28667, 153.98056": the shell leaves the comma on the latitude
    assert parse_pair("24.28667,", "153.98056") == (24.28667, 153.98056)
    assert parse_pair("24.28667", ",153.98056") == (24.28667, 153.98056)


def test_pair_swap_hint():
    msg = assert_coordinate_error(parse_pair, "153.98", "24.28")
    assert "swap" in msg
    assert msg == ("latitude '153.98' is out of range [-90, 90]; "
                   "did you swap latitude and longitude? The order is LAT LON")
    assert "swap" in assert_coordinate_error(parse_pair, -120.0, 45.0)
    assert "swap" in assert_coordinate_error(parse_point, "153.98, 24.28")
    assert "swap" in assert_coordinate_error(parse_point, "153.98 24.28")
    # no hint when swapping would not help either
    assert "swap" not in assert_coordinate_error(parse_pair, "95", "95")
    assert "swap" not in assert_coordinate_error(parse_pair, "400", "24")
    assert "swap" not in assert_coordinate_error(parse_pair, "24", "400")


def test_pair_hemisphere_letters_swap_silently():
    assert parse_pair("153°58′50″E", "24°17′12″N") == (pytest.approx(MT_LAT), pytest.approx(MT_LON))
    assert parse_pair("70.5W", "33.9S") == (-33.9, -70.5)
    assert parse_pair("153.5E", "24.5") == (24.5, 153.5)  # an E/W value can only be the longitude
    assert parse_pair("24.5", "153.5") == (24.5, 153.5)
    assert "both latitudes" in assert_coordinate_error(parse_pair, "24N", "25S")
    assert "both longitudes" in assert_coordinate_error(parse_pair, "24E", "25W")


# ------------------------------------------------------------------ wrap_lon


@pytest.mark.parametrize("lon, expected", [
    (0.0, 0.0), (179.5, 179.5), (180.0, -180.0), (-180.0, -180.0), (200.0, -160.0),
    (360.0, 0.0), (359.5, -0.5), (540.0, -180.0), (-190.0, 170.0), (-540.0, -180.0), (720.25, 0.25),
    (190, -170.0),
])
def test_wrap_lon_scalar(lon, expected):
    got = wrap_lon(lon)
    assert isinstance(got, float)
    assert got == pytest.approx(expected, abs=1e-12)


def test_wrap_lon_array():
    lon = np.array([[0.0, 180.0, 200.0], [360.0, -190.0, np.nan]])
    out = wrap_lon(lon)
    assert isinstance(out, np.ndarray) and out.shape == (2, 3)
    np.testing.assert_allclose(out, [[0.0, -180.0, -160.0], [0.0, 170.0, np.nan]], atol=1e-12)
    np.testing.assert_allclose(wrap_lon([10, 190]), [10.0, -170.0])
    assert math.isnan(wrap_lon(math.nan))
    assert math.isnan(wrap_lon(math.inf))
    # an already-normalised value is returned exactly
    assert wrap_lon(-1e-20) == -1e-20
    for bad in ("200", None, True, ["a"]):
        assert_coordinate_error(wrap_lon, bad)


@SETTINGS
@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_wrap_lon_property(lon):
    got = wrap_lon(lon)
    assert -180.0 <= got < 180.0
    turns = (lon - got) / 360.0
    assert abs(turns - round(turns)) < 1e-9
    assert wrap_lon(np.array([lon]))[0] == pytest.approx(got, abs=1e-9)


# ------------------------------------------------------------------ property tests: valid input

# How a value's parts are joined, by style: (after degrees, after minutes, seconds unit)
STYLES = {
    "unicode": ("°", "′", "″"),
    "unicode-spaced": ("° ", "′ ", "″"),
    "ascii": ("°", "'", '"'),
    "double-single": ("°", "'", "''"),
    "letters": ("d", "m", "s"),
    "space": (" ", " ", ""),
    "colon": (":", ":", ""),
}


@st.composite
def rendered_value(draw, kind: str, letter_ok: bool = True, placement: str | None = None,
                   styles=tuple(STYLES)):
    """(text, expected signed degrees, has_letter, style, parts) for a latitude or longitude."""
    max_deg = 90 if kind == "latitude" else 180
    form = draw(st.sampled_from(["decimal", "d°", "dm", "dms"]))
    style = draw(st.sampled_from(styles))
    d_unit, m_unit, s_unit = STYLES[style]
    if form in ("decimal", "d°"):
        whole = draw(st.integers(0, max_deg))
        frac = 0 if whole == max_deg else draw(st.integers(0, 999_999))
        body = f"{whole}.{frac:06d}" if draw(st.booleans()) or frac else str(whole)
        magnitude = whole + frac / 1e6
        if form == "d°":
            body += "°"
        parts = 1
    else:
        deg = draw(st.integers(0, max_deg - 1))
        minutes = draw(st.integers(0, 59))
        if form == "dm":
            tenths = draw(st.integers(0, 9))
            body = f"{deg}{d_unit}{minutes}.{tenths}{m_unit if style not in ('space', 'colon') else ''}"
            magnitude = deg + (minutes + tenths / 10) / 60
            parts = 2
        else:
            sec_int, sec_milli = draw(st.integers(0, 59)), draw(st.integers(0, 999))
            sec = f"{sec_int}.{sec_milli:03d}" if draw(st.booleans()) else str(sec_int)
            body = f"{deg}{d_unit}{minutes}{m_unit}{sec}{s_unit}"
            magnitude = deg + minutes / 60 + float(sec) / 3600  # float() of the digits we wrote
            parts = 3
    has_letter = letter_ok and (placement is not None or draw(st.booleans()))
    if has_letter:
        negative = draw(st.booleans())
        letters = ("S", "N") if kind == "latitude" else ("W", "E")
        letter = letters[0] if negative else letters[1]
        if draw(st.booleans()):
            letter = letter.lower()
        where = placement or draw(st.sampled_from(["prefix", "suffix"]))
        gap = draw(st.sampled_from(["", " "]))
        if where == "suffix" and letter in "sS" and style == "space" and parts == 3:
            gap = " "  # '24 17 12 s' is South; so is '24 17 12s' -- keep it readable either way
        text = f"{letter}{gap}{body}" if where == "prefix" else f"{body}{gap}{letter}"
    else:
        negative = draw(st.booleans())
        sign = draw(st.sampled_from(["-", "\u2212"])) if negative else draw(st.sampled_from(["", "+"]))
        text = sign + body
    value = -magnitude if negative else magnitude
    return text, value, has_letter, style, parts


def expected_lon(x: float) -> float:
    """Hand rule for [-180, 180): shift 0-360 values down by one turn."""
    return x - 360.0 if x >= 180.0 else x


@SETTINGS
@given(rendered_value("latitude"), st.sampled_from(["", " ", "  ", "\t"]), st.sampled_from(["", " "]))
def test_property_latitude_text(value, lead, trail):
    text, expected, *_ = value
    assert parse_latitude(lead + text + trail) == pytest.approx(expected, abs=1e-9)


@SETTINGS
@given(rendered_value("longitude"))
def test_property_longitude_text(value):
    text, expected, *_ = value
    got = parse_longitude(text)
    assert -180.0 <= got < 180.0
    assert got == pytest.approx(expected_lon(expected), abs=1e-9)


@SETTINGS
@given(st.integers(0, 359), st.integers(0, 999_999), st.sampled_from(["", "°", " E", "E"]))
def test_property_longitude_0_360(whole, frac, suffix):
    text = f"{whole}.{frac:06d}{suffix}"
    expected = whole + frac / 1e6
    assert parse_longitude(text) == pytest.approx(expected_lon(expected), abs=1e-9)


@SETTINGS
@given(st.floats(min_value=-90, max_value=90), st.floats(min_value=-180, max_value=360))
def test_property_numbers(lat, lon):
    assert parse_latitude(lat) == lat
    assert parse_pair(lat, lon) == (lat, pytest.approx(expected_lon(lon), abs=1e-9))


@SETTINGS
@given(st.data())
def test_property_points(data):
    sep = data.draw(st.sampled_from([",", ", ", " ,", " , ", ";", "; ", " ", "  ", "\t"]))
    spaced_only = sep.strip() == ""
    if spaced_only:
        # Without a comma the split must be unambiguous: letters on both values (same
        # placement), or values whose units/colons/decimals mark where they end.
        lettered = data.draw(st.booleans())
        if lettered:
            placement = data.draw(st.sampled_from(["prefix", "suffix"]))
            lat = data.draw(rendered_value("latitude", placement=placement))
            lon = data.draw(rendered_value("longitude", placement=placement))
        else:
            marked = tuple(s for s in STYLES if s != "space")
            lat = data.draw(rendered_value("latitude", letter_ok=False, styles=marked))
            lon = data.draw(rendered_value("longitude", letter_ok=False, styles=marked))
    else:
        lat = data.draw(rendered_value("latitude"))
        lon = data.draw(rendered_value("longitude"))
    both_lettered = lat[2] and lon[2]
    swap = both_lettered and data.draw(st.booleans())
    first, second = (lon, lat) if swap else (lat, lon)
    text = first[0] + sep + second[0]
    got = parse_point(text)
    assert got == (pytest.approx(lat[1], abs=1e-9), pytest.approx(expected_lon(lon[1]), abs=1e-9)), text
    # the same two values as separate arguments
    assert parse_pair(first[0], second[0]) == pytest.approx(got, abs=1e-12)


# ------------------------------------------------------------------ property tests: invalid input


@SETTINGS
@given(st.one_of(st.floats(min_value=90.0, exclude_min=True, allow_infinity=False),
                 st.floats(max_value=-90.0, exclude_max=True, allow_infinity=False)),
       st.sampled_from(["{:.6f}", "{}", "{:.1f}"]))
def test_property_latitude_out_of_range(x, fmt):
    text = fmt.format(x)
    assume("e" not in text.lower() and abs(float(text)) > 90)
    msg = assert_coordinate_error(parse_latitude, text)
    assert "out of range" in msg
    assert "out of range" in assert_coordinate_error(parse_latitude, x)


@SETTINGS
@given(st.one_of(st.floats(min_value=360.0, exclude_min=True, max_value=1e12),
                 st.floats(max_value=-180.0, exclude_max=True, min_value=-1e12)))
def test_property_longitude_out_of_range(x):
    assert "out of range" in assert_coordinate_error(parse_longitude, x)
    text = f"{x:.6f}"
    assume(not -180 <= float(text) <= 360)
    assert "out of range" in assert_coordinate_error(parse_longitude, text)


@SETTINGS
@given(st.integers(0, 89), st.integers(0, 99), st.integers(0, 99), st.sampled_from(list(STYLES)))
def test_property_minutes_and_seconds_below_60(deg, minutes, seconds, style):
    assume(minutes >= 60 or seconds >= 60)
    d_unit, m_unit, s_unit = STYLES[style]
    text = f"{deg}{d_unit}{minutes}{m_unit}{seconds}{s_unit} N"
    msg = assert_coordinate_error(parse_latitude, text)
    assert "must be in [0, 60)" in msg
    assert_coordinate_error(parse_point, f"{text}, 153 E")


@SETTINGS
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30)))
def test_property_any_number(x):
    for fn, lo, hi in ((parse_latitude, -90, 90), (parse_longitude, -180, 360)):
        if isinstance(x, float) and not math.isfinite(x) or not lo <= x <= hi:
            assert_coordinate_error(fn, x)
        else:
            assert math.isfinite(fn(x))


def _check_total(fn, *args):
    """fn either returns finite in-range degrees or raises a one-line CoordinateError."""
    try:
        out = fn(*args)
    except CoordinateError as exc:
        assert_one_line(exc)
        return
    values = out if isinstance(out, tuple) else (out,)
    assert all(math.isfinite(v) for v in values)
    if fn in (parse_pair, parse_point):
        assert -90 <= out[0] <= 90 and -180 <= out[1] < 180
    elif fn is parse_latitude:
        assert -90 <= out <= 90
    else:
        assert -180 <= out < 180


COORDINATE_CHARS = "0123456789.,;:-+ \t°º′″'\"’”dmsNSEWnsewx\u2212\n"


@SETTINGS
@given(st.one_of(st.text(), st.text(alphabet=COORDINATE_CHARS, max_size=30)))
def test_property_random_text_never_crashes(text):
    for fn in (parse_latitude, parse_longitude, parse_point):
        _check_total(fn, text)
    _check_total(parse_pair, text, text)


@SETTINGS
@given(st.one_of(st.none(), st.booleans(), st.binary(), st.lists(st.floats()),
                 st.dictionaries(st.text(), st.integers()), st.complex_numbers()))
def test_property_non_numbers(value):
    for fn in (parse_latitude, parse_longitude, parse_point):
        assert_coordinate_error(fn, value)
    assert_coordinate_error(parse_pair, value, 1.0)
    assert_coordinate_error(parse_pair, 1.0, value)


# ------------------------------------------------------------------ module hygiene


def test_docstring_examples():
    result = doctest.testmod(coords, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_import_is_light():
    """geo.coords itself pulls in neither numpy nor anything heavy."""
    code = (
        "import sys, types; pkg = types.ModuleType('geo'); pkg.__path__ = [sys.argv[1]]; "
        "sys.modules['geo'] = pkg; import geo.coords; "
        "heavy = {'numpy', 'shapely', 'pyproj', 'pandas', 'geopandas', 'folium', 'click'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "geo")], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# ------------------------------------------------------------------ scientific notation (issue 9, item 6)

@pytest.mark.parametrize("text, value", [
    ("1e1", 10.0), ("2.4e1", 24.0), ("2.428667E1", 24.28667), ("1e-05", 1e-05), ("-1.5e+01", -15.0),
    (".5e1", 5.0), ("1.e1", 10.0), ("1e1 N", 10.0), ("S 1e1", -10.0),
])
def test_scientific_notation_is_decimal_degrees(text, value):
    """A valid number as programs write it (pandas and R write 1e-05): accepted, read by float()."""
    assert parse_latitude(text) == value


def test_scientific_notation_in_points():
    assert parse_point("1e1, 1.5e2") == (10.0, 150.0)
    assert parse_point("1e1 1.5e2") == (10.0, 150.0)
    assert parse_pair("153.98056E", "2.428667e1N") == (24.28667, 153.98056)


def test_wrap_false_keeps_the_longitude_as_typed():
    # 180 and -180 are one meridian; wrap=False returns what was typed, still range-checked
    assert parse_point("0,180", wrap=False) == (0.0, 180.0)
    assert parse_point("0,180") == (0.0, -180.0)
    assert parse_pair("24.3", "206", wrap=False) == (24.3, 206.0)
    assert parse_pair("153.5E", "24.5N", wrap=False) == (24.5, 153.5)
    assert "out of range" in assert_coordinate_error(lambda: parse_point("0,361", wrap=False))


def test_one_longitude_wrapper():
    import geo.coords

    assert not hasattr(geo.coords, "normalize_longitude")
    assert wrap_lon(-180.0) == -180.0 and wrap_lon(540.0) == -180.0 and wrap_lon(-190.0) == 170.0
